# gapdump's aggregation, sorting, loss report and directory input run
# clean under valgrind (no invalid access, no leak), on the normal paths
# and on their error paths.
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
"$GAPFLOW" -r $CAP/real-mixed.pcap -r $CAP/real-loss.pcap -S 0.002 -w "$T/d.gf" 2>/dev/null
mkdir -p "$T/tree/sub"
cp "$T/d.gf" "$T/tree/sub/a.gf"
gzip -c "$T/d.gf" >"$T/tree/b.gf.gz"
vg m_flow "$GAPDUMP" -r "$T/d.gf" -m flow -o json
vg m_flow_write "$GAPDUMP" -r "$T/d.gf" -m flow -w "$T/m.gf"
vg m_keys_sort "$GAPDUMP" -r "$T/d.gf" -m saddr/24,proto,dport --sort bytes:desc,saddr
vg bins "$GAPDUMP" -r "$T/d.gf" -b 1ms -m flow -B 5ms -o csv
vg bins_none_sensor "$GAPDUMP" -r "$T/d.gf" -b 0.1 -m none - sensor or flow
vg top "$GAPDUMP" -r "$T/d.gf" --top 3 --sort dur:desc
vg loss_plot "$GAPDUMP" -r "$T/d.gf" --loss --loss-threshold 0.5 --plot "$T/l.svg"
vg loss_bins_json "$GAPDUMP" -r "$T/d.gf" --loss -b 1ms -o json
vg tree "$GAPDUMP" -R "$T/tree" -m flow
vg err_key "$GAPDUMP" -r "$T/d.gf" -m bogus
vg err_sort "$GAPDUMP" -r "$T/d.gf" --sort bogus
vg err_tree "$GAPDUMP" -R "$T/nodir"
vg err_plot "$GAPDUMP" -r "$T/d.gf" --loss --plot /nonexistent-dir/x.svg
vg err_input "$GAPDUMP" -r "$T/missing.gf" -r "$T/d.gf" -m flow --top 2
