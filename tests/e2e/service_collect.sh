# The record collector (gapdump -S ... -S ... -w PATTERN --rotate) in a
# private network namespace: two sensors serve live records, the
# collector merges both streams into one rotating archive, and when one
# sensor restarts it reconnects: the archive holds every FLOW record of
# both sensors' runs (each equal to the sensor's own archive), under a
# header of the collector's own.
. tests/e2e/lib.sh
netns_pair o 87
listening() { $NB ss -Hltn "sport = :$1" | grep -q LISTEN; }
logged() { grep -q "$2" "$1"; }
connected() { $NB ss -Htn state established "sport = :$1" | grep -q .; }
sensor() {      # sensor PORT NAME: a sensor serving on PORT, archive NAME; $spid
	$NB "$GAPFLOW" -i gfo-b -S 1 -P "$1" -w "$T/$2.gf" 2>"$T/$2.err" &
	spid=$!
}
traffic() {
	$NA "$TOOLS/trafgen" client 10.87.0.2 7800 --conns 20 --parallel 5 \
	    --up 1000-20000 --down 1000-50000 --seed "$1" --timeout 15 >/dev/null 2>&1
}

$NB "$TOOLS/trafgen" server 10.87.0.2 7800 --timeout 60 >/dev/null &
sensor 7910 a; pa=$spid
sensor 7911 b1; pb=$spid
wait_for listening 7910 && wait_for listening 7911 || fail ports "$(cat "$T"/*.err)"
mkdir "$T/coll"
$NB "$GAPDUMP" -S 127.0.0.1:7910 -S 127.0.0.1:7911 \
    -w "$T/coll/%Y%m%d-%H%M%S.gf" --rotate 2s 2>"$T/coll.err" &
cpid=$!
wait_for connected 7910 && wait_for connected 7911 || fail collector_connected "$(cat "$T/coll.err")"
sleep 1.2       # past the sensors' hello wait: the clients are served
traffic 1
expect_rc round1_traffic $? 0
sleep 1.5
# sensor b restarts: the collector notices and connects again
kill -TERM $pb
wait $pb
expect_rc b_stopped $? 0
sensor 7911 b2; pb=$spid
wait_for logged "$T/coll.err" "connected again" || fail reconnected "$(cat "$T/coll.err")"
sleep 1.2
traffic 2
expect_rc round2_traffic $? 0
sleep 1.5
kill -TERM $pa $pb
wait $pa $pb
# the collector gets the sensors' last blocks, then (-TERM) stops
sleep 1
kill -TERM $cpid
wait $cpid
expect_rc collector_exit_0 $? 0
expect_match restart_logged "$(cat "$T/coll.err")" "127.0.0.1:7911: the stream ended"

flows() {
	"$GAPDUMP" "$@" -n -o csv -L0 -s flowid,seq,kind,sport,dport,spkts,dpkts,sbytes,dbytes - 'tcp and port 7800'
}
args=""
for f in "$T"/coll/*.gf; do args="$args -r $f"; done
# shellcheck disable=SC2086
flows $args | sort >"$T/coll.txt"
{ flows -r "$T/a.gf"; flows -r "$T/b1.gf"; flows -r "$T/b2.gf"; } | sort >"$T/sensors.txt"
expect_eq collected_all "$(cmp "$T/coll.txt" "$T/sensors.txt" && echo same)" same
expect_eq finals "$(awk -F, '$3 == 2' "$T/coll.txt" | wc -l | tr -d ' ')" 80
n=$(ls "$T/coll" | wc -l)
if [ "$n" -ge 2 ]; then pass collector_rotated; else fail collector_rotated "$n files"; fi
expect_eq collector_header "$(od -An -c -j40 -N9 "$(ls "$T"/coll/*.gf | head -1)" | tr -d ' ')" collector
