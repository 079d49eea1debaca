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
files() { ls "$T"/coll/*"$1"*.gf 2>/dev/null; }
rargs() { for f in $(files "$1"); do printf ' -r %s' "$f"; done; }
start_of() { od -An -tx1 -j24 -N8 "$1" | tr -d ' '; }
# one archive per sensor: "-HOST_PORT" in the file names
ca=$(rargs -127.0.0.1_7910) cb=$(rargs -127.0.0.1_7911)
[ -n "$ca" ] && [ -n "$cb" ] && pass per_sensor_files ||
    fail per_sensor_files "$(ls "$T/coll")"
# shellcheck disable=SC2086
flows $ca | sort >"$T/coll-a.txt"
# shellcheck disable=SC2086
flows $cb | sort >"$T/coll-b.txt"
flows -r "$T/a.gf" | sort >"$T/sens-a.txt"
{ flows -r "$T/b1.gf"; flows -r "$T/b2.gf"; } | sort >"$T/sens-b.txt"
expect_eq collected_a "$(cmp "$T/coll-a.txt" "$T/sens-a.txt" && echo same)" same
expect_eq collected_b "$(cmp "$T/coll-b.txt" "$T/sens-b.txt" && echo same)" same
expect_eq finals "$(cat "$T/coll-a.txt" "$T/coll-b.txt" | awk -F, '$3 == 2' | wc -l | tr -d ' ')" 80
n=$(ls "$T/coll" | wc -l)
if [ "$n" -ge 3 ]; then pass collector_rotated; else fail collector_rotated "$n files"; fi
# each file carries its sensor run's header: a's start, b1's or b2's
expect_eq header_a "$(for f in $(files 7910); do start_of "$f"; done | sort -u)" "$(start_of "$T/a.gf")"
expect_eq header_b_runs "$(for f in $(files 7911); do start_of "$f"; done | sort -u)" \
    "$({ start_of "$T/b1.gf"; start_of "$T/b2.gf"; } | sort -u)"
# so -m flow over the whole archive tells the three runs' flows apart
# (flowids repeat from run to run): the same as over the sensors' own
mflow() {
	"$GAPDUMP" "$@" -m flow -n -o csv -L0 -s sport,dport,spkts,dpkts,sbytes,dbytes,trans - 'tcp and port 7800' | sort
}
expect_eq mflow_archive "$(mflow -R "$T/coll" | md5sum)" \
    "$(mflow -r "$T/a.gf" -r "$T/b1.gf" -r "$T/b2.gf" | md5sum)"
expect_eq mflow_rows "$(mflow -R "$T/coll" | wc -l | tr -d ' ')" 80
