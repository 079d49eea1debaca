#!/bin/sh
# tests/accuracy/run.sh BUILD_DIR - gap accuracy table (`make accuracy`).
#
# For every case below: build the analyzed capture (packets removed or
# reordered with pcapcut, or a synthetic scenario from gapsynth), compute
# the ground truth with gaptruth (tests/tools/gaptruth.c states the
# definition), run gapflow with -S 5, -S 0.1 and -S 60, join per (flow,
# direction) and print one row per case:
#   truth dirs/bytes   directions with a truth gap > 0, and their bytes
#   P, R               precision and recall of gapflow's gap directions
#   err                |sum gapflow - sum truth| / sum truth; absolute bytes
#                      ("NB") when the truth is 0
#   false              directions with a gap that the truth does not have
#   S-inv              per-direction gaps identical under -S 5, 0.1, 60
# and the same for argus (ra sgap/dgap) and tshark (a direction counts as
# detected when a tcp.analysis.ack_lost_segment frame acknowledges it;
# tshark gives no byte count), "n/a" when not installed.
#
# Tap-feed cases (issue 9, lib.sh's ACC_FEED_TABLE: rx/tx split with a
# clock offset, SPAN duplicates, two VLANs, lost wire lengths, each clean
# and after 2% removal) take the truth of the clean single feed, and add a
# per-connection check against tshark on the clean feed (one flow, the
# same packets per direction, no false simplex, the same retransmitted
# and out-of-order packets), printed in a second table.  Inference cases
# (issue 10, ACC_INFER_TABLE: line-rate elephants at 0.5-20% removal,
# challenge ACK and port reuse, random IPv4 ids, idle keep-alive) also
# compare with their gapsynth scenario's expected table (flows per
# connection, loss and ooo per direction), printed in a third table.
#
# Targets for gapflow on every case: P >= 0.99, R >= 0.99, err <= 1% (0
# bytes when the truth is 0), S-inv ok, and zero false gap directions on
# the cases marked zf.  Exit status 1 if any case misses one (each miss is
# printed), else 0.
#
# Inputs: as root, real traffic made once by tests/accuracy/make-live.sh in
# private network namespaces and cached in tests/accuracy/work/
# (ACC_REGEN=1 makes it again); otherwise the committed captures
# tests/captures/accuracy-base.pcap and real-loss.pcap (ACC_LIVE=0 forces
# those even as root).  ACC_SECTIONS="base feeds infer" picks groups of
# cases (default all).  ACC_KEEP=1 keeps
# every analyzed capture and result in tests/accuracy/work/cases/.
B=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
ACC_TOOLS=$top/$B/tools
ACC_GAPFLOW=$top/$B/gapflow
ACC_GAPDUMP=$top/$B/gapdump
ACC_OTHERS=1
. tests/accuracy/lib.sh
for t in pcapcut gaptruth gapsynth; do
	[ -x "$ACC_TOOLS/$t" ] || { echo "run.sh: $ACC_TOOLS/$t missing (make accuracy builds it)"; exit 2; }
done
WD=tests/accuracy/work
mkdir -p "$WD"
ACC_W=$(mktemp -d)
trap 'rm -rf "$ACC_W"' EXIT
C=$ACC_W/cases
if [ "${ACC_KEEP:-0}" = 1 ]; then C=$WD/cases; rm -rf "$C"; fi
mkdir -p "$C"

# ------------------------------------------------------------ inputs
if [ "${ACC_LIVE:-1}" = 1 ] && [ "$(id -u)" = 0 ] && [ -x "$ACC_TOOLS/trafgen" ] && command -v bash >/dev/null 2>&1; then
	if [ "${ACC_REGEN:-0}" = 1 ] || [ ! -s $WD/mix.pcap ] || [ ! -s $WD/loss.pcap ] || [ ! -s $WD/long.pcap ]; then
		echo "making live captures in $WD (root, private network namespaces)..."
		bash tests/accuracy/make-live.sh "$ACC_TOOLS/trafgen" $WD mix loss long 2>$ACC_W/live.log ||
		    { tail -n 5 $ACC_W/live.log; echo "live captures failed: using the committed captures"; }
	fi
fi
BASE=tests/captures/accuracy-base.pcap
if [ "${ACC_LIVE:-1}" = 1 ] && [ -s $WD/mix.pcap ] && [ -s $WD/loss.pcap ] && [ -s $WD/long.pcap ]; then
	MIX=$WD/mix.pcap LOSS=$WD/loss.pcap LONG=$WD/long.pcap
else
	MIX=$BASE LOSS=tests/captures/real-loss.pcap LONG=$BASE
fi
echo "inputs: mix=$MIX loss=$LOSS long=$LONG base=$BASE"
"$ACC_TOOLS/gapsynth" all "$C" >/dev/null || { echo "gapsynth failed"; exit 2; }

FAILS=$ACC_W/fails
: >"$FAILS"
run() { # name orig analyzed [zf]
	if ! acc_case "$@"; then
		echo "$ACC_WHY" >>"$FAILS"
		acc_diff | head -n 8 >>"$FAILS"
	fi
}
cut() { # name orig pcapcut-args... -> $C/name.pcap
	_n=$1 _o=$2
	shift 2
	acc_cut "$_o" "$C/$_n.pcap" --list-removed "$C/$_n.removed" "$@"
}

# ACC_SECTIONS picks the groups of cases (default all): base (removal,
# simplex, mid-flow, long, synthetic), feeds (tap feeds, issue 9), infer
# (inference, issue 10).
want() {
	case " ${ACC_SECTIONS:-base feeds infer} " in *" $1 "*) return 0 ;; esac
	return 1
}

echo
acc_header
if want base; then
# clean: nothing removed
run clean "$MIX" "$MIX" zf
[ "$MIX" = "$BASE" ] || run base-clean "$BASE" "$BASE" zf
# random removal of TCP packets
for r in 0.005 0.02 0.05; do
	for s in 1 2 3; do
		n=rm$(awk -v r=$r 'BEGIN { printf "%g", r * 100 }')%-s$s
		cut "$n" "$MIX" --tcp-only --rate $r --seed $s
		run "$n" "$MIX" "$C/$n.pcap"
	done
done
if [ "$MIX" != "$BASE" ]; then
	cut base-rm2%-s1 "$BASE" --tcp-only --rate 0.02 --seed 1
	run base-rm2%-s1 "$BASE" "$C/base-rm2%-s1.pcap"
fi
# network loss only, then with removal
run loss-only "$LOSS" "$LOSS" zf
for s in 1 2; do
	cut loss+rm2%-s$s "$LOSS" --tcp-only --rate 0.02 --seed $s
	run loss+rm2%-s$s "$LOSS" "$C/loss+rm2%-s$s.pcap"
done
# simplex: one side of every connection removed
cut simplex-server "$MIX" --side server
run simplex-server "$MIX" "$C/simplex-server.pcap"
cut simplex-client "$MIX" --side client
run simplex-client "$MIX" "$C/simplex-client.pcap"
# ... and 2% of the remaining packets removed too
cut simplex-server+rm2% "$MIX" --side server --tcp-only --rate 0.02 --seed 3
run simplex-server+rm2% "$MIX" "$C/simplex-server+rm2%.pcap"
cut simplex-client+rm2% "$MIX" --side client --tcp-only --rate 0.02 --seed 4
run simplex-client+rm2% "$MIX" "$C/simplex-client+rm2%.pcap"
# SYN-ACK before SYN
cut synack-first "$MIX" --synack-first
run synack-first "$MIX" "$C/synack-first.pcap" zf
cut synack-first+rm2% "$MIX" --synack-first --tcp-only --rate 0.02 --seed 4
run synack-first+rm2% "$MIX" "$C/synack-first+rm2%.pcap"
# capture starting mid-flow: first 20% of the packets dropped
nf=$(acc_frames "$MIX")
cut midflow "$MIX" --drop-first $((nf / 5))
run midflow "$MIX" "$C/midflow.pcap" zf
cut midflow+rm2% "$MIX" --drop-first $((nf / 5)) --tcp-only --rate 0.02 --seed 7
run midflow+rm2% "$MIX" "$C/midflow+rm2%.pcap"
# long flows across many status intervals (S-inv checked on every case)
run long-clean "$LONG" "$LONG" zf
cut long-rm2% "$LONG" --tcp-only --rate 0.02 --seed 5
run long-rm2% "$LONG" "$C/long-rm2%.pcap"
# synthetic: sequence wrap, zero-window probes and keep-alives, FIN/RST
for s in wrap zerowin finrst; do
	acc_cut "$C/$s.pcap" "$C/$s-an.pcap" --drop-list "$C/$s.drop"
	z=
	[ $s = zerowin ] && z=zf
	run "syn-$s" "$C/$s.pcap" "$C/$s-an.pcap" $z
done
fi

# tap feeds (issue 9) and inference (issue 10): the tables and row
# drivers are lib.sh's (ACC_FEED_TABLE, ACC_INFER_TABLE)
ACC_C=$C
ACC_CONN=$ACC_W/conn
ACC_EXP=$ACC_W/expect
: >"$ACC_CONN"
: >"$ACC_EXP"
failed() { echo "$ACC_WHY" >>"$FAILS"; acc_diff | head -n 8 >>"$FAILS"; }
if want feeds; then
	acc_cut "$MIX" "$C/feed-rm.pcap" $ACC_FEED_RM
	# the clean single feeds themselves: the reference rows
	acc_feed feed-clean "$MIX" "$MIX" "$MIX" zf || failed
	acc_feed feed-rm2% "$MIX" "$C/feed-rm.pcap" "$C/feed-rm.pcap" zf || failed
	echo "$ACC_FEED_TABLE" | while read -r n sp sh x; do
		acc_feed_row "$MIX" "$MIX" "$n" "$sp" "$sh" $x || failed
		acc_feed_row "$MIX" "$C/feed-rm.pcap" "$n+rm2%" "$sp" "$sh" \
		    $ACC_FEED_RM $x || failed
	done
fi
if want infer; then
	echo "$ACC_INFER_TABLE" | while read -r n src zf ex x; do
		if [ "$src" = LONG ]; then o=$LONG; else o=$C/$src.pcap; fi
		acc_infer_row "$o" "$C/$src" "$n" "$zf" "$ex" $x || failed
	done
fi

echo
if [ -s "$ACC_EXP" ]; then
	acc_expect_header
	cat "$ACC_EXP"
	echo
fi
if [ -s "$ACC_CONN" ]; then
	acc_conn_header
	cat "$ACC_CONN"
	echo
fi
if [ -s "$FAILS" ]; then
	echo "gapflow misses targets (P,R >= 0.99, err <= 1%, zero false gaps on zf cases, -S invariance):"
	cat "$FAILS"
	exit 1
fi
echo "gapflow meets every target"
exit 0
