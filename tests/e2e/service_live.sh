# gapdump -S, the client of the live record service, in private network
# namespaces: records printed live (flushed while the stream runs) equal
# the sensor's own archive, and so does -m flow over them; a filter given
# to gapdump is sent to the sensor, which applies it (its log names the
# client and the expression), and only matching records come; gapdump
# ends when the stream does, and quietly when its reader goes away
# (SIGPIPE); the collector (-S ... -w) starts a new file on SIGHUP
# without losing or repeating a record, its files carry the sensor's own
# header, and SIGTERM ends it with status 0; a sensor that cannot be
# reached is an error.
. tests/e2e/lib.sh
netns_pair l 89
listening() { $NB ss -Hltn "sport = :$1" | grep -q LISTEN; }
logged() { grep -q "$2" "$1"; }
served() { [ "$(grep -c 'service: client 127\.0\.0\.1:[0-9]* connected' "$T/gf.err")" -ge 7 ]; }
lines_at_least() { [ "$(grep -c "$2" "$1")" -ge "$3" ]; }
ended() { ! kill -0 "$1"; }
finished_files() { [ "$(ls "$T/coll" | grep -c '\.gf$')" -ge 1 ]; }
traffic() {
	$NA "$TOOLS/trafgen" client 10.89.0.2 7800 --conns 10 --parallel 5 \
	    --up 1000-20000 --down 1000-50000 --udp 5 --seed "$1" --timeout 15 >/dev/null 2>&1
}
F=type,flowid,seq,proto,sport,dport,pkts,bytes

# a sensor that cannot be reached: reported, status 2, no waiting
$NB "$GAPDUMP" -S 127.0.0.1:7939 >"$T/none.out" 2>"$T/none.err"
expect_rc unreachable_rc $? 2
expect_match unreachable_msg "$(cat "$T/none.err")" \
    "^gapdump: 127\.0\.0\.1:7939: cannot connect: Connection refused$"

# the sensor (-v: it logs its clients and their filters) captures the
# veth only, so every FLOW record comes from the traffic below, which
# starts once every client is served
$NB "$TOOLS/trafgen" server 10.89.0.2 7800 --timeout 60 >/dev/null &
$NB "$GAPFLOW" -v -i gfl-b -S 1 -w "$T/archive.gf" -P 7930 2>"$T/gf.err" &
gfpid=$!
wait_for listening 7930 || fail port_open "$(cat "$T/gf.err")"
$NB "$GAPDUMP" -S 127.0.0.1:7930 -o csv -L0 -s $F >"$T/live.csv" 2>"$T/live.err" &
lpid=$!
$NB "$GAPDUMP" -S 127.0.0.1:7930 -o csv -L0 -s $F - udp >"$T/udp.csv" 2>"$T/udp.err" &
upid=$!
$NB "$GAPDUMP" -S 127.0.0.1:7930 -m flow -o csv -L0 -s flowid,proto,pkts,bytes,trans \
    >"$T/agg.csv" 2>"$T/agg.err" &
apid=$!
$NB "$GAPDUMP" -S 127.0.0.1:7930 --loss -o csv >"$T/loss.csv" 2>"$T/loss.err" &
spid=$!
# stopped by SIGINT while the stream runs: it prints its aggregates
$NB "$GAPDUMP" -S 127.0.0.1:7930 -m proto -o csv -L0 -s proto,trans >"$T/int.csv" 2>"$T/int.err" &
ipid=$!
mkdir "$T/coll"
$NB "$GAPDUMP" -S 127.0.0.1:7930 -w "$T/coll/%Y%m%d-%H%M%S.gf" 2>"$T/coll.err" &
cpid=$!
# a reader that wants one line: gapdump ends at its next write
$NB sh -c '"$1" -S 127.0.0.1:7930 -o csv -L0 2>"$2" | head -n 1 >"$3"' sh \
    "$GAPDUMP" "$T/pipe.err" "$T/pipe.out" &
hpid=$!
wait_for served || fail clients_served "$(cat "$T/gf.err")"
sleep 0.5       # their request lines are in
gflog=$(cat "$T/gf.err")
expect_match sensor_applies_filter "$gflog" "service: client 127\.0\.0\.1:[0-9]+: filter 'udp'$"
# --loss asks for SENSOR records only; the other clients, without a
# filter, for everything
expect_match loss_asks_sensor "$gflog" "service: client 127\.0\.0\.1:[0-9]+: filter 'sensor'$"
expect_eq sensor_two_filters "$(grep -c ': filter ' "$T/gf.err")" 2

traffic 3
expect_rc round1_traffic $? 0
# printed while the stream runs, not when it ends
wait_for lines_at_least "$T/live.csv" ',7800,' 10
expect_rc printed_live $? 0
wait_for lines_at_least "$T/udp.csv" ',udp,' 1
expect_rc filtered_live $? 0
wait_for ended $hpid
expect_rc sigpipe_ends $? 0
expect_eq sigpipe_quiet "$(cat "$T/pipe.err")" ""
expect_eq sigpipe_one_line "$(wc -l <"$T/pipe.out" | tr -d ' ')" 1

# SIGHUP: the collector finishes its file; the next record starts another
sleep 1.5       # the collector's blocks of round 1 are written
kill -HUP $cpid
wait_for finished_files || fail hup_file "no file finished"
traffic 4
expect_rc round2_traffic $? 0
sleep 1.5
kill -INT $ipid
wait $ipid
expect_rc sigint_exit_0 $? 0
expect_eq sigint_aggregates "$(cut -d, -f1 "$T/int.csv" | sort | tr '\n' ' ')" "tcp udp "
kill -TERM $gfpid
wait $gfpid
expect_rc sensor_exit_0 $? 0
# the stream ended: the printing clients end with it
wait $lpid
expect_rc live_exit_0 $? 0
wait $upid
expect_rc udp_exit_0 $? 0
wait $apid
expect_rc agg_exit_0 $? 0
wait $spid
expect_rc loss_exit_0 $? 0
expect_eq live_quiet "$(cat "$T/live.err" "$T/udp.err" "$T/agg.err" "$T/loss.err")" ""
expect_match loss_report "$(cat "$T/loss.csv")" "^total,"
# the collector would reconnect: SIGTERM ends it
wait_for logged "$T/coll.err" "the stream ended" || fail collector_saw_end "$(cat "$T/coll.err")"
kill -TERM $cpid
wait $cpid
expect_rc collector_exit_0 $? 0

# (a) the live records are the archive's, field for field
"$GAPDUMP" -r "$T/archive.gf" -o csv -L0 -s $F >"$T/archive.csv"
n=$(grep -c ',7800,' "$T/archive.csv")
if [ "$n" -ge 20 ]; then pass archive_has_flows; else fail archive_has_flows "$n records"; fi
expect_eq live_equals_archive "$(cmp "$T/live.csv" "$T/archive.csv" && echo same)" same
"$GAPDUMP" -r "$T/archive.gf" -m flow -o csv -L0 -s flowid,proto,pkts,bytes,trans >"$T/archive.agg"
expect_eq live_m_flow "$(cmp "$T/agg.csv" "$T/archive.agg" && echo same)" same
# (b) the filtered client has every UDP record and nothing else
expect_eq filter_only_udp "$(awk -F, '$4 != "udp"' "$T/udp.csv" | wc -l | tr -d ' ')" 0
expect_eq filter_all_udp "$(wc -l <"$T/udp.csv" | tr -d ' ')" \
    "$(awk -F, '$4 == "udp"' "$T/archive.csv" | wc -l | tr -d ' ')"
# (c) two files (SIGHUP), finished, holding every record kind the sensor
# archived since the collector joined: none lost, none twice
expect_eq hup_two_files "$(ls -A "$T/coll" | grep -c '\.gf$')" 2
expect_eq no_part_left "$(ls -A "$T/coll" | grep -c '\.part$')" 0
"$GAPDUMP" -R "$T/coll" -o csv -L0 -s $F - 'flow or sensor' >"$T/coll.csv"
"$GAPDUMP" -r "$T/archive.gf" -o csv -L0 -s $F - 'flow or sensor' >"$T/all.csv"
tail -n "$(wc -l <"$T/coll.csv")" "$T/all.csv" >"$T/all.tail"
expect_eq collector_equals_archive "$(cmp "$T/coll.csv" "$T/all.tail" && echo same)" same
expect_eq collector_all_flows "$(grep -c ',7800,' "$T/coll.csv")" "$n"
if grep -q '^sensor,' "$T/coll.csv"; then pass collector_keeps_sensor; else fail collector_keeps_sensor; fi
head -c 80 "$T/archive.gf" >"$T/h.sensor"
other=""
for f in "$T"/coll/*.gf; do
	head -c 80 "$f" | cmp -s - "$T/h.sensor" || other="$other $f"
done
expect_eq collector_header_is_sensors "$other" ""
