# The live paths under valgrind (no invalid access, no leak): gapflow on
# two interfaces with a rotating archive, the service with two clients
# (one filtered), SIGHUP and SIGTERM; the collector (gapdump -S ... -w)
# and gapdump -S printing aggregates (with a filter sent to the sensor)
# reading it.  In private network namespaces.
. tests/e2e/lib.sh
if ! have valgrind; then
	skip all "valgrind not installed"
	exit 0
fi
case "$B" in
*san*) skip all "sanitizer build: valgrind runs on the plain build"; exit 0 ;;
esac
if ! is_root || ! have ip; then
	skip all "needs root and iproute2 (network namespaces)"
	exit 0
fi
NS=gftest-vg-$$
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
ip link add gfv-a netns $NS-a type veth peer name gfv-b netns $NS-b
ip link add gfv-c netns $NS-a type veth peer name gfv-d netns $NS-b
ip -n $NS-a addr add 10.88.0.1/24 dev gfv-a
ip -n $NS-b addr add 10.88.0.2/24 dev gfv-b
for d in a c; do ip -n $NS-a link set gfv-$d up; done
for d in b d; do ip -n $NS-b link set gfv-$d up; done
ip -n $NS-b link set lo up
NA="ip netns exec $NS-a"
NB="ip netns exec $NS-b"
VG="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
wait_for() {
	i=0
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge 300 ] && return 1
		sleep 0.1
	done
}
listening() { $NB ss -Hltn "sport = :$1" | grep -q LISTEN; }

$NB "$TOOLS/trafgen" server 10.88.0.2 7800 --timeout 90 >/dev/null &
$NB $VG "$GAPFLOW" -i gfv-b -i gfv-d -S 0.5 -w "$T/arch/%Y%m%d-%H%M%S.gf" \
    --rotate 2s -P 7920 2>"$T/gf.err" &
gfpid=$!
wait_for listening 7920 || fail port_open "$(cat "$T/gf.err")"
$NB "$TOOLS/netcat_gf" 127.0.0.1:7920 -o "$T/c1.gf" -t 80 &
c1=$!
$NB "$TOOLS/netcat_gf" 127.0.0.1:7920 -f 'tcp and final' -o "$T/c2.gf" -t 80 &
c2=$!
$NB $VG "$GAPDUMP" -S 127.0.0.1:7920 -w "$T/coll.gf" 2>"$T/coll.err" &
cpid=$!
$NB $VG "$GAPDUMP" -S 127.0.0.1:7920 -m flow -o csv -L0 -s dport,trans \
    - 'dst port 7800' >"$T/live.csv" 2>"$T/live.err" &
lpid=$!
sleep 3
$NA "$TOOLS/trafgen" client 10.88.0.2 7800 --conns 10 --parallel 2 \
    --up 1000-5000 --down 1000-5000 --seed 1 --timeout 40 >/dev/null 2>&1
expect_rc trafgen_ok $? 0
kill -HUP $gfpid
sleep 3
kill -TERM $gfpid
wait $gfpid
rc=$?
if [ $rc -eq 99 ]; then fail gapflow_live_clean "$(head -40 "$T/gf.err")"; else expect_rc gapflow_live_clean $rc 0; fi
wait $c1 $c2
# the printing client ends with the stream
wait $lpid
rc=$?
if [ $rc -eq 99 ]; then fail live_clean "$(head -40 "$T/live.err")"; else expect_rc live_clean $rc 0; fi
expect_eq live_flows "$(wc -l <"$T/live.csv" | tr -d ' ')" 10
# the collector's stream ended: it keeps trying; stop it
sleep 1
kill -TERM $cpid
wait $cpid
rc=$?
if [ $rc -eq 99 ]; then fail collector_clean "$(head -40 "$T/coll.err")"; else expect_rc collector_clean $rc 0; fi
expect_eq records_served "$("$GAPDUMP" -r "$T/c2.gf" -o csv -L0 -s dport - 'dst port 7800' | wc -l | tr -d ' ')" 10
expect_eq records_collected "$("$GAPDUMP" -r "$T/coll.gf" -o csv -L0 -s dport - 'final and dst port 7800' | wc -l | tr -d ' ')" 10
