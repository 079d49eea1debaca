# Rotation under load inside private network namespaces: the archive
# rotates every second (and on SIGHUP) while traffic runs; across all its
# files no record is lost or duplicated (they equal the live service's
# stream, every flow's records are numbered without a gap and end with
# one FINAL record, SENSOR records count every FLOW record), every file
# is complete and in place, and every file carries the run's start.
. tests/e2e/lib.sh
netns_pair r 81
listening() { $NB ss -Hltn "sport = :$1" | grep -q LISTEN; }

mkdir -p "$T/arch"
$NB "$TOOLS/trafgen" server 10.81.0.2 7800 --timeout 40 >/dev/null &
$NB "$GAPFLOW" -i gfr-b -S 0.1 -w "$T/arch/%Y%m%d-%H%M%S.gf" --rotate 1s \
    -P 7902 2>"$T/gf.err" &
gfpid=$!
wait_for listening 7902 || fail port_open "$(cat "$T/gf.err")"
$NB "$TOOLS/netcat_gf" 127.0.0.1:7902 -o "$T/client.gf" -r "$T/ready" -t 40 &
cpid=$!
wait_for test -f "$T/ready" || fail client_ready "not served"
# load: many short connections for a few seconds, 10 status records per
# second per active flow, a rotation every second and one on SIGHUP
$NA "$TOOLS/trafgen" client 10.81.0.2 7800 --conns 1500 --parallel 30 \
    --up 1000-30000 --down 1000-200000 --udp 20 --seed 5 --timeout 30 >/dev/null 2>&1 &
tgpid=$!
sleep 2
kill -HUP $gfpid
sleep 0.5
kill -HUP $gfpid
wait $tgpid
expect_rc trafgen_ok $? 0
sleep 1
kill -TERM $gfpid
wait $gfpid
expect_rc sigterm_exit_0 $? 0
wait $cpid
expect_rc client_ok $? 0

nfiles=$(ls "$T/arch" | wc -l)
if [ "$nfiles" -ge 4 ]; then pass rotated; else fail rotated "$nfiles files"; fi
expect_eq no_part_left "$(ls -A "$T/arch" | grep -c '\.part$')" 0
# every file alone is a complete stream
bad=0
for f in "$T"/arch/*.gf; do
	"$GAPDUMP" -r "$f" -L0 - 'flow or sensor' >/dev/null 2>"$T/dump.err" || bad=$((bad + 1))
	[ -s "$T/dump.err" ] && bad=$((bad + 1))
done
expect_eq files_complete "$bad" 0
# one run, one start time in every header (bytes 24-31)
starts=$(for f in "$T"/arch/*.gf; do od -An -tu8 -j24 -N8 "$f"; done | sort -u | wc -l)
expect_eq one_start_time "$starts" 1

recs() {
	"$GAPDUMP" "$@" -n -o csv -L0 \
	    -s type,flowid,seq,kind,end,proto,sport,dport,spkts,dpkts,sbytes,dbytes,stime,ltime \
	    - 'flow or sensor'
}
args=""
for f in "$T"/arch/*.gf; do args="$args -r $f"; done
# in file order: the files' names sort in the order they were written
# shellcheck disable=SC2086
recs $args >"$T/archive.txt"
recs -r "$T/client.gf" >"$T/client.txt"
nflow=$(grep -c '^flow,' "$T/archive.txt")
if [ "$nflow" -ge 1500 ]; then pass many_records; else fail many_records "$nflow flow records"; fi
# the client joined after the first records: its stream is the archive's
# tail, record for record, in the same order
nc=$(wc -l <"$T/client.txt")
tail -n "$nc" "$T/archive.txt" >"$T/archive.tail"
expect_eq archive_equals_stream "$(cmp "$T/archive.tail" "$T/client.txt" && echo same)" same
if [ "$nc" -ge 1500 ]; then pass client_got_load; else fail client_got_load "$nc records"; fi
expect_eq no_duplicates "$(grep '^flow,' "$T/archive.txt" | cut -d, -f2,3 | sort | uniq -d | wc -l | tr -d ' ')" 0
# per flow: seq 0..n-1, one final, the last one
grep '^flow,' "$T/archive.txt" | sort -t, -k2,2n -k3,3n | awk -F, '
	$2 != f { if (f != "" && !fin) bad++; f = $2; want = 0; fin = 0 }
	{ if ($3 != want || fin) bad++; want++; if ($4 == "2") fin = 1 }
	END { if (f != "" && !fin) bad++; print bad + 0 }' >"$T/seqcheck"
expect_eq flows_whole "$(cat "$T/seqcheck")" 0
# shellcheck disable=SC2086
"$GAPDUMP" $args -o csv -L0 -s records,recdrops,ringdrops,kdrops - sensor >"$T/sensor.txt"
expect_eq sensor_counts_records "$(awk -F, '{ s += $1 } END { print s }' "$T/sensor.txt")" "$nflow"
# recdrops, ringdrops, kdrops apart: a failure says which
expect_eq no_drops "$(awk -F, '{ r += $2; g += $3; k += $4 }
	END { printf "recdrops %d ringdrops %d kdrops %d\n", r, g, k }' "$T/sensor.txt")" \
    "recdrops 0 ringdrops 0 kdrops 0"
tcp=$(grep '^flow,' "$T/archive.txt" | awk -F, '$4 == "2" && $6 == "6" && $8 == "7800"' | wc -l | tr -d ' ')
expect_eq every_connection_final "$tcp" 1500
