#!/bin/sh
# accuracy_quick.sh - fast subset of the gap accuracy table
# (tests/accuracy/run.sh, `make accuracy`) for `make check`: no root, only
# committed captures and synthetic ones.  Each case asserts gapflow's
# targets against gaptruth's ground truth: precision and recall of gap
# directions >= 0.99, byte error <= 1% (0 bytes when the truth is 0), the
# same per-direction gaps under -S 5, -S 0.1 and -S 60, and zero false gap
# directions where marked zf.
#
# GF_ACC_ENGINE=1 adds the tap-feed cases of issue 9 (ACC_FEED_TABLE on
# accuracy-base.pcap, each also after 2% removal) and the inference cases
# of issue 10 (ACC_INFER_TABLE without the live capture's rows and with
# the elephant at 2% and 20% only).  They fail until the gap engine's
# rework lands; switch them on (make them the default) with it.
. tests/e2e/lib.sh
ACC_TOOLS=$TOOLS
ACC_GAPFLOW=$GAPFLOW
ACC_GAPDUMP=$GAPDUMP
ACC_W=$T
ACC_OTHERS=0
. tests/accuracy/lib.sh

BASE=$CAP/accuracy-base.pcap
for t in pcapcut gaptruth gapsynth; do
	if [ ! -x "$TOOLS/$t" ]; then
		skip all "$TOOLS/$t not built"
		exit 0
	fi
done

check() { # name orig analyzed [zf]
	acc_case "$@" >"$T/row" 2>&1
	if [ $? -eq 0 ]; then
		pass "$1"
	else
		fail "$1" "$ACC_WHY" "$(acc_header; cat "$T/row")" "$(acc_diff | head -n 5)"
	fi
}

if [ -s "$BASE" ]; then
	for s in 1 2; do
		acc_cut "$BASE" "$T/rm$s.pcap" --tcp-only --rate 0.02 --seed $s
		check "rm2%-s$s" "$BASE" "$T/rm$s.pcap"
	done
	acc_cut "$BASE" "$T/simplex.pcap" --side server
	check simplex-server "$BASE" "$T/simplex.pcap"
	acc_cut "$BASE" "$T/synack.pcap" --synack-first
	check synack-first "$BASE" "$T/synack.pcap" zf
	nf=$(acc_frames "$BASE")
	acc_cut "$BASE" "$T/midflow.pcap" --drop-first $((nf / 5))
	check midflow "$BASE" "$T/midflow.pcap" zf
else
	skip captures "$BASE missing"
fi
for s in wrap zerowin; do
	if "$TOOLS/gapsynth" $s "$T" >/dev/null; then
		acc_cut "$T/$s.pcap" "$T/$s-an.pcap" --drop-list "$T/$s.drop"
		z=
		[ $s = zerowin ] && z=zf
		check "$s" "$T/$s.pcap" "$T/$s-an.pcap" $z
	else
		fail "$s" "gapsynth $s failed"
	fi
done

if [ "${GF_ACC_ENGINE:-1}" = 1 ] && [ -s "$BASE" ]; then
	ACC_C=$T
	check_feed() { # name args...
		_n=$1; shift
		if "$@" >"$T/row" 2>&1; then
			pass "$_n"
		else
			fail "$_n" "$ACC_WHY" "$(acc_header; cat "$T/row")" "$(acc_diff | head -n 5)"
		fi
	}
	acc_cut "$BASE" "$T/feed-rm.pcap" $ACC_FEED_RM
	echo "$ACC_FEED_TABLE" | while read -r n sp sh x; do
		check_feed "$n" acc_feed_row "$BASE" "$BASE" "$n" "$sp" "$sh" $x
		check_feed "$n+rm2%" acc_feed_row "$BASE" "$T/feed-rm.pcap" \
		    "$n+rm2%" "$sp" "$sh" $ACC_FEED_RM $x
	done
	"$TOOLS/gapsynth" all "$T" >/dev/null
	echo "$ACC_INFER_TABLE" | grep -v -e '^long-' -e '^ele-rm0' -e '^ele-rm5' \
	    -e '^ele-rm10' -e '^ele-rm20%-' | while read -r n src zf ex x; do
		check_feed "$n" acc_infer_row "$T/$src.pcap" "$T/$src" "$n" "$zf" "$ex" $x
	done
fi
