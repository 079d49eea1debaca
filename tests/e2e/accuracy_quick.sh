#!/bin/sh
# accuracy_quick.sh - fast subset of the gap accuracy table
# (tests/accuracy/run.sh, `make accuracy`) for `make check`: no root, only
# committed captures and synthetic ones.  Each case asserts gapflow's
# targets against gaptruth's ground truth: precision and recall of gap
# directions >= 0.99, byte error <= 1% (0 bytes when the truth is 0), the
# same per-direction gaps under -S 5, -S 0.1 and -S 60, and zero false gap
# directions where marked zf.
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
