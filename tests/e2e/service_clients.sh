# Live record service (-P) inside private network namespaces: two clients
# get identical streams, equal to the archive; a client's filter is
# applied by the sensor; a bad filter and a client outside service.allow
# are refused; with an empty allow-list only loopback is served.  Needs
# root and network namespaces; every server listens inside them.
. tests/e2e/lib.sh
netns_pair s 79
NC="$TOOLS/netcat_gf"

listening() { $1 ss -Hltn "sport = :$2" | grep -q LISTEN; }

$NB "$TOOLS/trafgen" server 10.79.0.2 7800 --timeout 30 >/dev/null &
# the port on the veth address, open to ns-a's address only
$NB "$GAPFLOW" -i gfs-b -S 1 -w "$T/archive.gf" -P 10.79.0.2:7900 \
    --set service.allow=10.79.0.1/32 2>"$T/gf.err" &
gfpid=$!
# a second sensor with the defaults: 127.0.0.1, loopback only
$NB "$GAPFLOW" -i lo -S 1 -P 7901 2>"$T/gf2.err" &
gf2pid=$!
wait_for listening "$NB" 7900 || fail port_open "gapflow did not listen: $(cat "$T/gf.err")"
wait_for listening "$NB" 7901 || fail port2_open "$(cat "$T/gf2.err")"

$NA "$NC" 10.79.0.2:7900 -o "$T/a.gf" -r "$T/a.ready" -t 25 &
apid=$!
$NA "$NC" 10.79.0.2:7900 -o "$T/b.gf" -r "$T/b.ready" -t 25 &
bpid=$!
$NA "$NC" 10.79.0.2:7900 -f 'udp' -o "$T/udp.gf" -r "$T/udp.ready" -t 25 &
upid=$!
# no hello line at all: served after the sensor's 1 s wait
$NA "$NC" 10.79.0.2:7900 -n -o "$T/n.gf" -r "$T/n.ready" -t 25 &
npid=$!
told=$($NA "$NC" 10.79.0.2:7900 -f 'tcp and and' --refused -t 10)
expect_rc bad_filter_closed $? 0
expect_match bad_filter_told_why "$told" "^REFUSED filter: column 9: unexpected 'and'$"
# from the sensor's own namespace: 10.79.0.2 is not in service.allow
$NB "$NC" 10.79.0.2:7900 --refused -t 10
expect_rc outside_allow_refused $? 0
# the default listener: loopback is served, the veth address not at all
$NB "$NC" 127.0.0.1:7901 -o "$T/lo.gf" -r "$T/lo.ready" -t 25 &
lopid=$!
$NA "$NC" 10.79.0.2:7901 --refused -t 3 2>/dev/null
expect_rc default_not_on_veth $? 1

for c in a b udp n lo; do
	wait_for test -f "$T/$c.ready" || fail "ready_$c" "client $c was not served"
done
$NA "$TOOLS/trafgen" client 10.79.0.2 7800 --conns 10 --parallel 5 \
    --up 1000-20000 --down 1000-50000 --udp 5 --seed 11 --timeout 15 >/dev/null 2>&1
expect_rc trafgen_ok $? 0
sleep 1.2
kill -TERM $gfpid $gf2pid
wait $gfpid
expect_rc sigterm_exit_0 $? 0
wait $gf2pid
for p in $apid $bpid $upid $npid $lopid; do
	wait $p || fail client_exit "client $p exited with $?"
done

flows() {
	f=$1; shift
	"$GAPDUMP" -r "$f" -n -o csv -L0 -s flowid,seq,kind,proto,saddr,sport,daddr,dport,spkts,dpkts,sbytes,dbytes "$@"
}
flows "$T/archive.gf" >"$T/archive.txt"
flows "$T/a.gf" >"$T/a.txt"
flows "$T/b.gf" >"$T/b.txt"
nrec=$(grep -c ',7800,' "$T/archive.txt")
if [ "$nrec" -ge 10 ]; then pass archive_has_flows; else fail archive_has_flows "$nrec records"; fi
expect_eq two_clients_same_records "$(cmp "$T/a.txt" "$T/b.txt" && echo same)" same
# the archive may start earlier (packets before the clients joined): the
# clients' records are its last ones
tail -n "$(wc -l <"$T/a.txt")" "$T/archive.txt" >"$T/archive.tail"
expect_eq client_equals_archive "$(cmp "$T/a.txt" "$T/archive.tail" && echo same)" same
# byte for byte: the shorter stream's blocks are the longer one's tail
sa=$(wc -c <"$T/a.gf"); sb=$(wc -c <"$T/b.gf")
if [ "$sa" -ge "$sb" ]; then long=a short=b n=$((sb - 80)); else long=b short=a n=$((sa - 80)); fi
tail -c "$n" "$T/$long.gf" >"$T/long.tail"
tail -c +81 "$T/$short.gf" >"$T/short.tail"
expect_eq two_clients_same_bytes "$(cmp "$T/long.tail" "$T/short.tail" && echo same)" same

# SENSOR records reach every client whatever its filter (the heartbeat)
n=$("$GAPDUMP" -r "$T/udp.gf" -L0 - sensor | grep -c .)
if [ "$n" -ge 2 ]; then pass heartbeat_to_filtered; else fail heartbeat_to_filtered "$n SENSOR records"; fi
flows "$T/udp.gf" - flow >"$T/udp.txt"
expect_eq filter_only_udp "$(awk -F, '$4 != 17' "$T/udp.txt" | wc -l | tr -d ' ')" 0
expect_eq filter_all_udp "$(wc -l <"$T/udp.txt" | tr -d ' ')" \
    "$(awk -F, '$4 == 17' "$T/archive.txt" | wc -l | tr -d ' ')"
expect_eq no_hello_served "$(flows "$T/n.gf" | grep -c ',7800,')" "$nrec"
"$GAPDUMP" -r "$T/lo.gf" - sensor >/dev/null
expect_rc loopback_served $? 0
expect_match refusal_logged "$(cat "$T/gf.err")" "refused 10\.79\.0\.2: not in service.allow"
expect_match bad_filter_logged "$(cat "$T/gf.err")" "column 9"
"$GAPDUMP" -r "$T/archive.gf" -s clientdrops,recdrops,ringdrops -o csv -L0 - sensor >"$T/drops.txt"
expect_eq no_drops "$(awk -F, '$1 + $2 + $3 > 0' "$T/drops.txt" | wc -l | tr -d ' ')" 0

# ---- a client that does not read is cut off and counted, the other one
# gets everything.  A generated capture fed through a FIFO (the pcap
# header first, so that gapflow opens the port; the rest once both
# clients are connected, in pieces) makes 21 MB of records, uncompressed:
# more than a client's queue and socket buffers hold.
"$TOOLS/biggen" "$T/big.pcap" --packets 450000 --flows 24000 --duration 10 >/dev/null
mkfifo "$T/in"
feed() {
	size=$(wc -c <"$T/big.pcap")
	step=$((size / 20 + 1))
	head -c 24 "$T/big.pcap"
	wait_for test -f "$T/go"
	off=24
	while [ $off -lt "$size" ]; do
		tail -c +$((off + 1)) "$T/big.pcap" | head -c $step
		off=$((off + step))
		sleep 0.1
	done
}
feed >"$T/in" &
$NB sh -c 'exec "$1" -r - -S 0.01 -Z off -P 7904 -w "$2" <"$3"' sh \
    "$GAPFLOW" "$T/slow.gf" "$T/in" 2>"$T/gf3.err" &
gf3=$!
wait_for listening "$NB" 7904 || fail port3_open "$(cat "$T/gf3.err")"
$NB "$NC" 127.0.0.1:7904 --slow -t 4 >"$T/slow.txt" &
spid=$!
$NB "$NC" 127.0.0.1:7904 -o "$T/fast.gf" -t 25 &
fpid=$!
established() { [ "$($NB ss -Htn state established "sport = :7904" | wc -l)" -eq 2 ]; }
wait_for established || fail clients_connected
sleep 0.3       # their hello lines are in
touch "$T/go"
wait $gf3
expect_rc slow_file_exit_0 $? 0
wait $spid $fpid
expect_rc fast_client_ok $? 0
expect_match cutoff_logged "$(cat "$T/gf3.err")" "client 127\.0\.0\.1:[0-9]+ cut off"
expect_eq cutoff_counted "$("$GAPDUMP" -r "$T/slow.gf" -o csv -L0 -s clientdrops - sensor | awk '{ s += $1 } END { print s }')" 1
flows "$T/slow.gf" - 'flow or sensor' >"$T/slow.flows"
flows "$T/fast.gf" - 'flow or sensor' >"$T/fast.flows"
expect_eq fast_client_complete "$(cmp "$T/fast.flows" "$T/slow.flows" && echo same)" same
