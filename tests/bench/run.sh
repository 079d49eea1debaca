#!/bin/sh
# tests/bench/run.sh BUILD_DIR - gapflow benchmark (run by `make bench`).
#
# Generates tests/bench/work/big.pcap once with BUILD_DIR/tools/biggen
# (reused while the generator version and size are unchanged), then times,
# best of BENCH_RUNS (default 3) runs each, with BUILD_DIR/tools/peakrss
# for wall time and peak RSS:
#   (a) the bare libpcap read loop (tools/pcapread_bare): speed of light
#   (b) gapflow -r big.pcap -w out.gf            (defaults: status 5 s)
#   (b2) gapflow -r big.pcap -w out.gf --ipfix udp:127.0.0.1:PORT, to a
#       local collector (socat reading the datagrams; if socat is
#       installed): the cost of IPFIX export (target: under 10 %)
#   (c) argus -r big.pcap -w argus.out           (if installed; its defaults)
#   (d) gapdump print and filter vs ra print and filter (ra if installed)
#   (e) gapdump -m flow vs racluster
# and prints a table and the ratios the project's targets are stated in,
# with PASS/MISS.  It is a benchmark, not a test: it exits 0 whatever the
# ratios, and 1 only if a command failed.
#
# Environment: BENCH_RUNS (3), BENCH_PACKETS (5000000), BENCH_FLOWS (50000),
# BENCH_IPFIX_PORT (47390, UDP on 127.0.0.1),
# BENCH_WORK (tests/bench/work: the capture and outputs; git-ignored).
B=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
case $B in /*) ;; *) B=$top/$B ;; esac

RUNS=${BENCH_RUNS:-3}
PACKETS=${BENCH_PACKETS:-5000000}
FLOWS=${BENCH_FLOWS:-50000}
W=${BENCH_WORK:-$top/tests/bench/work}
PCAP=$W/big.pcap
GF=$W/out.gf
AO=$W/argus.out
GAPFLOW=$B/gapflow
GAPDUMP=$B/gapdump
PEAKRSS=$B/tools/peakrss
BARE=$B/tools/pcapread_bare
BIGGEN=$B/tools/biggen
ROWS=$W/.rows
failed=0

for f in "$GAPFLOW" "$GAPDUMP" "$PEAKRSS" "$BARE" "$BIGGEN"; do
	if [ ! -x "$f" ]; then
		echo "bench: $f missing (run: make bench)" >&2
		exit 1
	fi
done
mkdir -p "$W" || exit 1
: >"$ROWS"

echo "== gapflow benchmark: $(nproc 2>/dev/null || echo '?') cores," \
    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
echo "   best of $RUNS runs each; wall seconds and peak RSS via tools/peakrss;" \
    "load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

# ---- the capture ---------------------------------------------------------
want="$("$BIGGEN" --version) packets=$PACKETS flows=$FLOWS"
if [ -s "$PCAP" ] && [ "$(cat "$PCAP.version" 2>/dev/null)" = "$want" ]; then
	echo "== reusing $PCAP ($want)"
else
	echo "== generating $PCAP ($want)"
	rm -f "$PCAP.version"
	if ! "$BIGGEN" "$PCAP" --packets "$PACKETS" --flows "$FLOWS"; then
		echo "bench: biggen failed" >&2
		rm -f "$PCAP"
		exit 1
	fi
	echo "$want" >"$PCAP.version"
fi

# ---- helpers -------------------------------------------------------------

# bench LABEL ITEMS UNIT STDOUT CMD [ARG...]
# Runs CMD RUNS times (stdout to STDOUT, stderr kept for errors); sets
# T (best wall seconds), RSS (largest peak RSS, KiB), CPU (CPU seconds of
# the best run) and appends a row to the table.  Returns 1 if a run failed.
bench() {
	b_label=$1 b_items=$2 b_unit=$3 b_out=$4
	shift 4
	T='' RSS=0 CPU=''
	echo "-- $b_label: $*"
	b_i=0
	while [ "$b_i" -lt "$RUNS" ]; do
		b_i=$((b_i + 1))
		"$PEAKRSS" -o "$W/.rss" "$@" >"$b_out" 2>"$W/.err"
		b_rc=$?
		if [ "$b_rc" -ne 0 ]; then
			echo "FAILED: $b_label (exit status $b_rc): $*"
			sed 's/^/    /' "$W/.err" | head -5
			failed=1
			T=''
			return 1
		fi
		read -r b_s b_k b_c _ <"$W/.rss"
		echo "   run $b_i: ${b_s} s, $(awk -v k="$b_k" \
		    'BEGIN { printf "%.1f", k / 1024 }') MiB"
		if [ -z "$T" ] || awk -v a="$b_s" -v b="$T" \
		    'BEGIN { exit !(a < b) }'; then
			T=$b_s CPU=$b_c
		fi
		[ "$b_k" -gt "$RSS" ] && RSS=$b_k
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$b_label" "$b_items" "$b_unit" \
	    "$T" "$CPU" "$RSS" >>"$ROWS"
	return 0
}

# ratio NAME NUM DEN OP TARGET: prints NUM/DEN and PASS/MISS against
# "NUM/DEN OP TARGET" (OP is >= or <=); n/a when either side is missing.
ratio() {
	if [ -z "$2" ] || [ -z "$3" ]; then
		printf '  %-36s %8s    (target %s %sx)  n/a\n' "$1" "-" "$4" "$5"
		return
	fi
	awk -v name="$1" -v a="$2" -v b="$3" -v op="$4" -v t="$5" 'BEGIN {
		if (b + 0 == 0) { r = 0 } else { r = a / b }
		ok = (op == ">=") ? (r >= t) : (r <= t)
		printf "  %-36s %8.2fx   (target %s %sx)  %s\n", name, r, op, t,
		    ok ? "PASS" : "MISS"
	}'
}

count_lines() {
	wc -l <"$1" | tr -d ' '
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# ---- (a) bare loop -------------------------------------------------------
T_BARE='' T_GF='' T_ARGUS='' RSS_GF='' RSS_ARGUS=''
T_GD='' T_GDF='' T_RA='' T_RAF='' T_GDM='' T_RAC=''
# One untimed pass first: counts the packets, warms the page cache.
if ! "$BARE" "$PCAP" >"$W/.bare"; then
	echo "bench: $BARE $PCAP failed" >&2
	exit 1
fi
PKTS=$(sed -n 's/^packets \([0-9]*\) .*/\1/p' "$W/.bare")
bench "bare libpcap loop" "$PKTS" pkts /dev/null "$BARE" "$PCAP" && T_BARE=$T
# For information: the same loop with a 1 MiB stdio buffer (libpcap's own
# open reads 4 KiB per read(2)); not used for the targets.
bench "bare loop, 1MiB buf" "$PKTS" pkts /dev/null "$BARE" -b 1048576 "$PCAP"

# ---- (b) gapflow ---------------------------------------------------------
rm -f "$GF"
if bench "gapflow" "$PKTS" pkts /dev/null "$GAPFLOW" -r "$PCAP" -w "$GF"; then
	T_GF=$T RSS_GF=$RSS
fi

# ---- (b2) gapflow with IPFIX export over UDP ----------------------------
T_GFX='' CPU_GFX='' CPU_GF=$CPU
if [ -n "$T_GF" ] && have socat; then
	IPORT=${BENCH_IPFIX_PORT:-47390}
	socat -b 65536 -u "UDP-RECV:$IPORT,bind=127.0.0.1,rcvbuf=8388608" /dev/null &
	SOCAT=$!
	sleep 0.5       # a listener, so that no datagram draws an ICMP error
	rm -f "$W/outx.gf"
	if bench "gapflow + ipfix udp" "$PKTS" pkts /dev/null "$GAPFLOW" -r "$PCAP" \
	    -w "$W/outx.gf" --ipfix "udp:127.0.0.1:$IPORT"; then
		T_GFX=$T CPU_GFX=$CPU
	fi
	kill "$SOCAT" 2>/dev/null
	wait "$SOCAT" 2>/dev/null
	rm -f "$W/outx.gf"
elif [ -n "$T_GF" ]; then
	echo "-- gapflow + ipfix: socat not installed (the local collector); skipped"
fi

# ---- (c) argus -----------------------------------------------------------
ARGUS_NOTE=''
if have argus; then
	rm -f "$AO"
	ivl=$(sed -n 's/^ARGUS_FLOW_STATUS_INTERVAL=\([0-9]*\).*/\1/p' \
	    /etc/argus.conf 2>/dev/null | tail -1)
	if [ -f /etc/argus.conf ]; then
		conf="reads /etc/argus.conf${ivl:+: status interval $ivl s}"
	else
		conf="no /etc/argus.conf: built-in settings"
	fi
	ARGUS_NOTE="argus ran with its defaults (only -r/-w; $conf)
  and its DEFAULT flow hash table, which (per the reference) accounts for
  much of its peak RSS; no tuning was applied."
	echo "   note: $ARGUS_NOTE"
	# argus may append to an existing file; start each run afresh.
	# shellcheck disable=SC2016
	if bench "argus" "$PKTS" pkts /dev/null sh -c \
	    'rm -f "$1" && exec argus -r "$2" -w "$1"' sh "$AO" "$PCAP"; then
		T_ARGUS=$T RSS_ARGUS=$RSS
	fi
else
	echo "-- argus: not installed (Debian package argus-server); skipped"
fi

# ---- record counts -------------------------------------------------------
NREC_GF='' NREC_RA=''
if [ -s "$GF" ]; then
	if "$GAPDUMP" -r "$GF" -L0 >"$W/.gd.txt" 2>"$W/.err"; then
		NREC_GF=$(count_lines "$W/.gd.txt")
	else
		echo "FAILED: gapdump -r $GF -L0"; sed 's/^/    /' "$W/.err"
		failed=1
	fi
	rm -f "$W/.gd.txt"
fi
HAVE_RA=0
have ra && have racluster && HAVE_RA=1
if [ -s "$AO" ] && [ $HAVE_RA -eq 1 ]; then
	if ra -r "$AO" -n >"$W/.ra.txt" 2>"$W/.err"; then
		NREC_RA=$(count_lines "$W/.ra.txt")
		NREC_RA=$((NREC_RA - 1))	# its header line
	else
		echo "FAILED: ra -r $AO -n"; sed 's/^/    /' "$W/.err"
		failed=1
	fi
	rm -f "$W/.ra.txt"
fi

# ---- (d) clients: print and filter ---------------------------------------
if [ -n "$NREC_GF" ]; then
	bench "gapdump print" "$NREC_GF" recs /dev/null "$GAPDUMP" -r "$GF" &&
	    T_GD=$T
	bench "gapdump filter" "$NREC_GF" recs /dev/null "$GAPDUMP" -r "$GF" \
	    - 'tcp and dbytes > 1000' && T_GDF=$T
fi
if [ -n "$NREC_RA" ]; then
	bench "ra print" "$NREC_RA" recs /dev/null ra -r "$AO" && T_RA=$T
	bench "ra filter" "$NREC_RA" recs /dev/null ra -r "$AO" \
	    - 'tcp and dst bytes gt 1000' && T_RAF=$T
elif [ $HAVE_RA -eq 0 ]; then
	echo "-- ra/racluster: not installed (Debian package argus-client);" \
	    "skipped"
fi

# ---- (e) merging: gapdump -m flow vs racluster ---------------------------
if [ -n "$NREC_GF" ]; then
	bench "gapdump -m flow" "$NREC_GF" recs /dev/null "$GAPDUMP" \
	    -r "$GF" -m flow && T_GDM=$T
fi
if [ -n "$NREC_RA" ]; then
	bench "racluster" "$NREC_RA" recs /dev/null racluster -r "$AO" &&
	    T_RAC=$T
fi
rm -f "$W/.rss" "$W/.err" "$W/.bare"

# ---- report --------------------------------------------------------------
echo
echo "== results ($PCAP: ${PKTS:-?} packets; best of $RUNS;" \
    "RSS = largest peak of the runs;" \
    "load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"
printf '%-20s %13s %9s %12s %8s %9s\n' tool "pkts/recs" seconds "per second" \
    "cpu s" "RSS MiB"
awk -F'\t' '{
	rate = ($4 > 0) ? $2 / $4 : 0
	printf "%-20s %13s %9.3f %12.0f %8.3f %9.1f\n", $1, $2 " " $3, $4,
	    rate, $5, $6 / 1024
}' "$ROWS"
echo
echo "record counts (same capture): gapdump -r out.gf: ${NREC_GF:-n/a}" \
    "flow records; ra -r argus.out -n: ${NREC_RA:-n/a} records (header" \
    "line not counted)"
[ -n "$ARGUS_NOTE" ] && echo "note: $ARGUS_NOTE"
echo
echo "targets:"
ratio "gapflow pps / argus pps" "$T_ARGUS" "$T_GF" ">=" 3
ratio "gapflow time / bare loop time" "$T_GF" "$T_BARE" "<=" 3
ratio "gapflow+ipfix udp time / gapflow" "$T_GFX" "$T_GF" "<=" 1.10
ratio "gapflow+ipfix udp cpu / gapflow cpu" "$CPU_GFX" "$CPU_GF" "<=" 1.10
ratio "gapflow peak RSS / argus peak RSS" "$RSS_GF" "$RSS_ARGUS" "<=" 1
ratio "gapdump print speed / ra print" "$T_RA" "$T_GD" ">=" 3
ratio "gapdump filter speed / ra filter" "$T_RAF" "$T_GDF" ">=" 3
ratio "gapdump -m flow speed / racluster" "$T_RAC" "$T_GDM" ">=" 3
echo "(client speed ratios compare wall time over each tool's whole output" \
    "for the same capture)"
rm -f "$ROWS"
if [ $failed -ne 0 ]; then
	echo "bench: a command failed (see FAILED above)"
	exit 1
fi
exit 0
