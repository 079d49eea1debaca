#!/bin/sh
# tests/soak/run.sh BUILD_DIR - long run of the live sensor (`make soak`).
#
# In private network namespaces (created here, removed at exit): trafgen
# makes TCP connections without pause for SOAK_SECONDS (default 3600);
# gapflow captures them live with a rotating archive (-w
# DIR/%Y%m%d-%H%M%S.gf --rotate 1m) and serves them (-P) to one client,
# the collector gapdump -S ... -w FILE, which reads the whole run into a
# plain file; RSS is sampled every 10 s from /proc.  At the end it checks,
# and prints a summary:
#   - every connection trafgen completed has exactly one FINAL record in
#     the archive, and the archive holds no duplicate and no gap (each
#     flow's records numbered 0..n-1, the last one FINAL);
#   - the SENSOR records count every FLOW record, and report no drop
#     (kdrops, ifdrops, ringdrops, recdrops, clientdrops all 0);
#   - the collector's file equals the archive's last records, and it
#     exits with status 0 on SIGTERM;
#   - every file is complete, none is left unfinished;
#   - RSS grew less than 5% after the warm-up (max(60 s, 10% of the run)).
# Exit status 0 when all hold, 1 otherwise, 2 if it cannot run (not root,
# no network namespaces).  Not part of `make check`.
#
# Environment: SOAK_SECONDS (3600), SOAK_WORK (a temporary directory,
# removed unless SOAK_KEEP=1), SOAK_CONNS (connections per trafgen round,
# 200), SOAK_PARALLEL (10), SOAK_PAUSE (seconds between rounds, 0.5: an
# hour is then about a million connections; 0 runs flat out).
B=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
case $B in /*) ;; *) B=$top/$B ;; esac
GAPFLOW=$B/gapflow
GAPDUMP=$B/gapdump
TOOLS=$B/tools
SECS=${SOAK_SECONDS:-3600}
CONNS=${SOAK_CONNS:-200}
PAR=${SOAK_PARALLEL:-10}
PAUSE=${SOAK_PAUSE:-0.5}
for f in "$GAPFLOW" "$GAPDUMP" "$TOOLS/trafgen"; do
	[ -x "$f" ] || { echo "soak: $f missing: run make all and the tools"; exit 2; }
done
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
	echo "soak: needs root and iproute2 (network namespaces)"
	exit 2
fi
W=${SOAK_WORK:-$(mktemp -d)}
mkdir -p "$W/arch"
NS=gfsoak-$$
cleanup() {
	for p in $(ip netns pids $NS-a 2>/dev/null) $(ip netns pids $NS-b 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
	ip netns del $NS-a 2>/dev/null
	ip netns del $NS-b 2>/dev/null
	[ "${SOAK_KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
if ! ip netns add $NS-a || ! ip netns add $NS-b; then
	echo "soak: cannot create network namespaces"
	exit 2
fi
ip link add gfk-a netns $NS-a type veth peer name gfk-b netns $NS-b
ip -n $NS-a addr add 10.86.0.1/24 dev gfk-a
ip -n $NS-b addr add 10.86.0.2/24 dev gfk-b
for ns in $NS-a $NS-b; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n $ns link set gfk-${ns##*-} up
	ip -n $ns link set lo up
	ip netns exec $ns ethtool -K gfk-${ns##*-} tso off gso off gro off >/dev/null 2>&1
done
NA="ip netns exec $NS-a"
NB="ip netns exec $NS-b"

$NB "$TOOLS/trafgen" server 10.86.0.2 7800 --timeout $((SECS + 120)) >/dev/null &
$NB "$GAPFLOW" -i gfk-b -S 5 -w "$W/arch/%Y%m%d-%H%M%S.gf" --rotate 1m \
    -P 7990 2>"$W/gapflow.err" &
gfpid=$!
i=0
until $NB ss -Hltn 'sport = :7990' | grep -q LISTEN; do
	i=$((i + 1)); [ $i -ge 100 ] && { echo "soak: gapflow did not start"; cat "$W/gapflow.err"; exit 1; }
	sleep 0.1
done
$NB "$GAPDUMP" -S 127.0.0.1:7990 -w "$W/client.gf" 2>"$W/client.err" &
cpid=$!
i=0
until $NB ss -Htn state established 'sport = :7990' | grep -q .; do
	i=$((i + 1)); [ $i -ge 100 ] && { echo "soak: gapdump -S did not connect"; cat "$W/client.err"; exit 1; }
	sleep 0.1
done

# traffic: rounds of CONNS connections until SECS have passed; a round
# that fails is counted apart (its connections cannot be counted exactly)
$NA sh -c '
	end=$(( $(date +%s) + $1 )); ok=0; bad=0; r=0
	while [ "$(date +%s)" -lt "$end" ]; do
		if "$2" client 10.86.0.2 7800 --conns "$3" --parallel "$4" \
		    --up 100-30000 --down 100-100000 --seed $r --timeout 120 \
		    >/dev/null 2>&1; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
		r=$((r + 1))
		sleep "$6"
	done
	echo "$ok $bad" >"$5"' sh "$SECS" "$TOOLS/trafgen" "$CONNS" "$PAR" "$W/rounds" "$PAUSE" &
tgpid=$!

start=$(date +%s)
: >"$W/rss"
while kill -0 $tgpid 2>/dev/null; do
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$gfpid/status 2>/dev/null)
	[ -n "$rss" ] && echo "$(( $(date +%s) - start )) $rss" >>"$W/rss"
	sleep 10
done
wait $tgpid
sleep 6         # the last flows' closing grace (flows.timeouts.tcp_closed)
kill -TERM $gfpid
wait $gfpid
gfrc=$?
# the collector has the sensor's last block when it sees the stream end
# (it would reconnect): SIGTERM ends it
i=0
until grep -q "the stream ended" "$W/client.err"; do
	i=$((i + 1)); [ $i -ge 100 ] && break
	sleep 0.1
done
kill -TERM $cpid
wait $cpid
crc=$?

fail=0
check() {       # check NAME OK DETAIL
	if [ "$2" = 1 ]; then echo "  ok    $1: $3"; else echo "  FAIL  $1: $3"; fail=1; fi
}
read -r ok bad <"$W/rounds"
want=$((ok * CONNS))
args=""
nfiles=0
for f in "$W"/arch/*.gf; do args="$args -r $f"; nfiles=$((nfiles + 1)); done
bad_files=0
for f in "$W"/arch/*.gf; do
	"$GAPDUMP" -r "$f" -L0 - 'flow or sensor' >/dev/null 2>"$W/e" || bad_files=$((bad_files + 1))
	[ -s "$W/e" ] && bad_files=$((bad_files + 1))
done
parts=$(ls -A "$W/arch" | grep -c '\.part$')
# shellcheck disable=SC2086
"$GAPDUMP" $args -n -o csv -L0 -s type,flowid,seq,kind,proto,dport - 'flow or sensor' >"$W/archive.txt"
"$GAPDUMP" -r "$W/client.gf" -n -o csv -L0 -s type,flowid,seq,kind,proto,dport - 'flow or sensor' >"$W/client.txt"
finals=$(awk -F, '$1 == "flow" && $4 == 2 && $5 == 6 && $6 == 7800' "$W/archive.txt" | wc -l | tr -d ' ')
nflow=$(grep -c '^flow,' "$W/archive.txt")
dups=$(grep '^flow,' "$W/archive.txt" | cut -d, -f2,3 | sort | uniq -d | wc -l | tr -d ' ')
holes=$(grep '^flow,' "$W/archive.txt" | sort -t, -k2,2n -k3,3n | awk -F, '
	$2 != f { if (f != "" && !fin) bad++; f = $2; want = 0; fin = 0 }
	{ if ($3 != want || fin) bad++; want++; if ($4 == "2") fin = 1 }
	END { if (f != "" && !fin) bad++; print bad + 0 }')
# shellcheck disable=SC2086
"$GAPDUMP" $args -o csv -L0 -s records,kdrops,ifdrops,ringdrops,recdrops,clientdrops - sensor |
    awk -F, '{ r += $1; for (i = 2; i <= 6; i++) d[i] += $i }
	END { print r + 0, d[2] + 0, d[3] + 0, d[4] + 0, d[5] + 0, d[6] + 0 }' >"$W/sensor"
read -r srec kd ifd rd recd cd <"$W/sensor"
nc=$(wc -l <"$W/client.txt")
tail -n "$nc" "$W/archive.txt" | cmp -s - "$W/client.txt" && same=1 || same=0
# memory: baseline after the warm-up, growth to the largest sample after
warm=$((SECS / 10)); [ $warm -lt 60 ] && warm=60
mem=$(awk -v w=$warm '
	$1 >= w && $1 < w + 30 && $2 > base { base = $2 }
	$1 >= w { if ($2 > max) max = $2 }
	{ first = first ? first : $2 }
	END { if (!base) base = max; printf "%d %d %d %.2f", first, base, max, base ? (max - base) * 100 / base : 0 }' "$W/rss")
read -r rss0 rssb rssmax growth <<EOF
$mem
EOF

echo "soak: ${SECS}s, $ok trafgen rounds of $CONNS connections ($bad failed), $nfiles files, $nflow flow records"
check exit_status "$([ $gfrc -eq 0 ] && [ $crc -eq 0 ] && echo 1)" "gapflow $gfrc, gapdump -S $crc"
check traffic "$([ "$bad" -eq 0 ] && [ "$ok" -gt 0 ] && echo 1)" "$ok rounds ok, $bad failed"
check one_final_per_connection "$([ "$finals" -eq "$want" ] && echo 1)" "$finals FINAL records for $want connections"
check no_duplicates "$([ "$dups" -eq 0 ] && echo 1)" "$dups duplicated records"
check flows_whole "$([ "$holes" -eq 0 ] && echo 1)" "$holes flows with a missing or extra record"
check sensor_counts "$([ "$srec" -eq "$nflow" ] && echo 1)" "SENSOR records field sums to $srec, archive has $nflow"
check no_drops "$([ "$kd$ifd$rd$recd$cd" = 00000 ] && echo 1)" "kdrops $kd ifdrops $ifd ringdrops $rd recdrops $recd clientdrops $cd"
check client_stream "$([ $same = 1 ] && [ "$nc" -gt 0 ] && echo 1)" "gapdump -S: $nc records, equal to the archive's last ones"
check files_complete "$([ $bad_files -eq 0 ] && [ "$parts" -eq 0 ] && echo 1)" "$bad_files damaged, $parts unfinished"
check constant_memory "$(awk -v g="$growth" 'BEGIN { print (g < 5) ? 1 : 0 }')" "RSS ${rss0} kB at start, ${rssb} kB after ${warm}s, at most ${rssmax} kB later: +${growth}%"
[ $fail -eq 0 ] && echo "soak: PASS" || echo "soak: FAIL (kept in $W)"
[ $fail -eq 0 ] || SOAK_KEEP=1
exit $fail
