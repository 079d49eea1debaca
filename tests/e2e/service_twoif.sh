# Two interfaces merged, as the two ports of a full-duplex tap: private
# network namespaces A and B joined by two veth links, with routes that
# send A->B over link 1 and B->A over link 2, so that each of A's two
# interfaces carries one direction of every conversation.  gapflow -i a1
# -i a2 must report each connection as one bidirectional flow, with the
# same records as tcpdump's captures of a1 and a2 read back with
# gapflow -r a1.pcap -r a2.pcap.
. tests/e2e/lib.sh
if ! is_root || ! have ip || ! have tcpdump; then
	skip all "needs root, iproute2 and tcpdump (network namespaces)"
	exit 0
fi
NS=gftest-2if-$$
cleanup() {
	for p in $(ip netns pids $NS-a 2>/dev/null) $(ip netns pids $NS-b 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	ip netns del $NS-a 2>/dev/null
	ip netns del $NS-b 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
if ! ip netns add $NS-a 2>/dev/null || ! ip netns add $NS-b; then
	skip all "cannot create network namespaces here"
	exit 0
fi
NA="ip netns exec $NS-a"
NB="ip netns exec $NS-b"
ip link add gf2a1 netns $NS-a type veth peer name gf2b1 netns $NS-b
ip link add gf2a2 netns $NS-a type veth peer name gf2b2 netns $NS-b
ip -n $NS-a addr add 10.84.1.1/24 dev gf2a1
ip -n $NS-a addr add 10.84.2.1/24 dev gf2a2
ip -n $NS-b addr add 10.84.1.2/24 dev gf2b1
ip -n $NS-b addr add 10.84.2.2/24 dev gf2b2
for d in a1 a2; do ip -n $NS-a link set gf2$d up; done
for d in b1 b2; do ip -n $NS-b link set gf2$d up; done
for ns in $NS-a $NS-b; do
	ip -n $ns link set lo up
	ip netns exec $ns sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.default.rp_filter=0 net.ipv6.conf.all.disable_ipv6=1
	for i in 1 2; do
		ip netns exec $ns sysctl -qw net.ipv4.conf.gf2${ns##*-}$i.rp_filter=0
		ip netns exec $ns ethtool -K gf2${ns##*-}$i tso off gso off gro off >/dev/null 2>&1
	done
done
# B answers A (10.84.1.1) over link 2: link 1 carries only A->B
ip -n $NS-b route add 10.84.1.1/32 via 10.84.2.1 dev gf2b2
# resolve the neighbours now: ARP is not what the test counts
$NA ping -c1 -W1 10.84.1.2 >/dev/null 2>&1
$NB ping -c1 -W1 10.84.2.1 >/dev/null 2>&1

$NB "$TOOLS/trafgen" server 10.84.1.2 7800 --timeout 30 >/dev/null &
$NA tcpdump -i gf2a1 -s 0 -U -w "$T/a1.pcap" tcp port 7800 2>/dev/null &
td1=$!
$NA tcpdump -i gf2a2 -s 0 -U -w "$T/a2.pcap" tcp port 7800 2>/dev/null &
td2=$!
# a merge window wide enough for a loaded CI machine (sanitizers, two
# CPUs): the readers answer at once, the window only bounds a stall
$NA "$GAPFLOW" -i gf2a1 -i gf2a2 -S 1 --set input.merge_skew=200ms \
    -w "$T/live.gf" 'tcp port 7800' 2>"$T/gf.err" &
gfpid=$!
sleep 1.5
$NA "$TOOLS/trafgen" client 10.84.1.2 7800 --conns 20 --parallel 5 \
    --up 1000-30000 --down 1000-80000 --seed 9 --timeout 15 >/dev/null 2>&1
expect_rc trafgen_ok $? 0
sleep 1
kill -TERM $gfpid
wait $gfpid
expect_rc sigterm_exit_0 $? 0
sleep 0.3
kill -INT $td1 $td2
wait $td1 $td2 2>/dev/null

# each port saw one direction only
n1=$(tcpdump -r "$T/a1.pcap" -n 'src host 10.84.1.2' 2>/dev/null | wc -l)
n2=$(tcpdump -r "$T/a2.pcap" -n 'src host 10.84.1.1' 2>/dev/null | wc -l)
expect_eq one_direction_per_port "$n1,$n2" "0,0"

"$GAPFLOW" -r "$T/a1.pcap" -r "$T/a2.pcap" -S 1 -w "$T/file.gf"
sumup() {
	"$GAPDUMP" -r "$1" -n -o csv -L0 -s flowid,proto,saddr,sport,daddr,dport,spkts,dpkts,sbytes,dbytes,sgap,dgap,sloss,dloss |
	awk -F, '{ k[$1] = $2","$3","$4","$5","$6; for (i = 7; i <= 14; i++) s[$1, i] += $i }
	END { for (f in k) { l = k[f]; for (i = 7; i <= 14; i++) l = l "," s[f, i]; print l } }' | sort
}
sumup "$T/live.gf" >"$T/live.txt"
sumup "$T/file.gf" >"$T/file.txt"
expect_eq twenty_flows "$(wc -l <"$T/live.txt" | tr -d ' ')" 20
expect_eq live_equals_files "$(cmp "$T/live.txt" "$T/file.txt" && echo same)" same
# one bidirectional flow per connection: packets both ways, never the
# simplex flag, no gap (counters are per record: summed per flow above)
expect_eq twenty_both_ways "$(awk -F, '$6 > 0 && $7 > 0 && $10 + $11 == 0' "$T/live.txt" | wc -l | tr -d ' ')" 20
expect_eq never_simplex "$("$GAPDUMP" -r "$T/live.gf" -o csv -L0 -s flowid - simplex | wc -l | tr -d ' ')" 0
expect_eq all_fin "$("$GAPDUMP" -r "$T/live.gf" -o csv -L0 -s end - final | sort -u)" fin
"$GAPDUMP" -r "$T/live.gf" -o csv -L0 -s ifaces,ringdrops,kdrops - sensor | sort -u >"$T/s.txt"
expect_eq two_sources_no_drops "$(cat "$T/s.txt")" "2,0,0"
expect_eq merged_in_order "$(grep -c 'did not keep up' "$T/gf.err")" 0
