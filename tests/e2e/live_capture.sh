# Live capture (-i) inside a private network namespace: the records of
# gapflow capturing live equal those of the same traffic captured by
# tcpdump at the same time and read from the file; SIGTERM ends every
# open flow with a final record and exits 0.  Needs root and netns.
. tests/e2e/lib.sh
if ! have tcpdump; then
	skip all "needs tcpdump"
	exit 0
fi
netns_pair l 78

ip netns exec $NS-b "$TOOLS/trafgen" server 10.78.0.2 7800 --timeout 30 >/dev/null &
ip netns exec $NS-b "$TOOLS/trafgen" server 10.78.0.2 7801 --timeout 30 >/dev/null &
ip netns exec $NS-b tcpdump -i gfl-b -s 0 -U -w "$T/tcpdump.pcap" 2>/dev/null &
tdpid=$!
ip netns exec $NS-b "$GAPFLOW" -i gfl-b -S 1 -w "$T/live.gf" 2>"$T/gf.err" &
gfpid=$!
sleep 1.5
ip netns exec $NS-a "$TOOLS/trafgen" client 10.78.0.2 7800 --conns 10 \
    --parallel 5 --up 1000-20000 --down 1000-50000 --udp 5 --seed 7 \
    --timeout 15 >/dev/null 2>&1
expect_rc trafgen_ok $? 0
# one flow left open when the sensor stops
ip netns exec $NS-a bash -c "exec 3<>/dev/tcp/10.78.0.2/7801; sleep 3" &
sleep 1.5
kill -TERM $gfpid
wait $gfpid
expect_rc sigterm_exit_0 $? 0
sleep 0.5
kill -INT $tdpid
wait $tdpid 2>/dev/null

"$GAPFLOW" -r "$T/tcpdump.pcap" -S 1 -w "$T/file.gf"
sumup() {
	"$GAPDUMP" -r "$1" -n -o csv -L0 -s flowid,proto,saddr,sport,daddr,dport,spkts,dpkts,sbytes,dbytes |
	awk -F, '{ k[$1] = $2","$3","$4","$5","$6; for (i = 7; i <= 10; i++) s[$1, i] += $i }
	END { for (f in k) { l = k[f]; for (i = 7; i <= 10; i++) l = l "," s[f, i]; print l } }' | sort
}
sumup "$T/live.gf" >"$T/live.txt"
sumup "$T/file.gf" >"$T/file.txt"
n=$(grep -c '^6,' "$T/live.txt")
if [ "$n" -ge 10 ]; then pass live_tcp_flows; else fail live_tcp_flows "$n TCP flows"; fi
# tcpdump may see the last open flow's packets after gapflow stopped, so
# compare the ten finished transfers and the UDP flow
expect_eq live_equals_file "$(comm -3 "$T/live.txt" "$T/file.txt" | grep -c ',7800,')" 0
expect_eq open_flow_ends_shutdown \
    "$("$GAPDUMP" -r "$T/live.gf" -o csv -L0 -s end - 'dst port 7801 and final')" shutdown
