# Both programs run clean under valgrind (no invalid access, no leak) on
# the normal path and on error paths.
. tests/e2e/lib.sh
if ! have valgrind; then
	skip all "valgrind not installed"
	exit 0
fi
case "$B" in
*san*) skip all "sanitizer build: valgrind runs on the plain build"; exit 0 ;;
esac
vg() {
	name=$1; shift
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    "$@" >"$T/vg.out" 2>"$T/vg.err"
	if [ $? -eq 99 ]; then fail "$name" "$(head -30 "$T/vg.err")"; else pass "$name"; fi
}
vg gapflow_file "$GAPFLOW" -r $CAP/demo.pcap -r $CAP/real-loss.pcap -S 0.01 -w "$T/d.gf"
vg gapflow_bad_input "$GAPFLOW" -r "$T/missing.pcap" -w "$T/x.gf"
vg gapflow_bad_option "$GAPFLOW" -r $CAP/demo.pcap -S nope -w "$T/x.gf"
vg gapdump_text "$GAPDUMP" -r "$T/d.gf"
vg gapdump_json_filter "$GAPDUMP" -r "$T/d.gf" -o json - 'tcp and (sgap > 0 or spkts > 3)'
vg gapdump_sensor "$GAPDUMP" -r "$T/d.gf" -s +flowid - sensor or final
vg gapdump_bad_filter "$GAPDUMP" -r "$T/d.gf" - 'tcp and ('
vg gapdump_write "$GAPDUMP" -r "$T/d.gf" -w "$T/copy.gf" - tcp
