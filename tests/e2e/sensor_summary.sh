# gapflow's last lines on stderr (issues 9 and 12): one line per input
# file that had frames skipped, with the counts by reason (expected
# values from the hand-written table at the top of tests/tools/pcapgen.c);
# nothing on a clean capture; with -v or on a terminal, the line of
# totals (flows, gaps and simplex flows of demo-gap.pcap known from its
# recipe in tests/captures/README).  The exit status does not change.
. tests/e2e/lib.sh

# "SOURCE: N of M frames skipped: DESC n, ..." from pcapgen.c's table:
# the reasons in the registry's order (gapdump --fields), non-IP last
expected_line() {   # FILE
	name=$(basename "$1")
	"$GAPDUMP" --fields | awk '$1 == "sensor" && $2 ~ /^bad_/ {
		d = $0; sub(/.*bad packets, skipped: /, "", d); print $2 "\t" d }' >"$T/reasons"
	awk -v f="$name" -v path="$1" -v rs="$T/reasons" '
	BEGIN { while ((getline l < rs) > 0) { split(l, p, "\t"); n++; key[n] = p[1]; desc[p[1]] = p[2] } }
	/^ \* / { num = 0
		if ($2 ~ /^synth-/) { cur = $2; num = ($3 ~ /^[0-9]+$/) }
		else if (cur != "") num = ($2 ~ /^[0-9]+$/)
		if ($0 !~ /^ \*  /) cur = (num ? cur : "")
	}
	/^ \* / && num && cur == f {
		frames++
		if ($NF ~ /^bad_/ && $(NF-1) == "BAD") cnt[$NF]++
		else if ($NF == "NONIP") nonip++
	}
	END {
		s = 0; line = ""
		for (i = 1; i <= n; i++) if (cnt[key[i]] > 0) {
			line = line (line == "" ? " " : ", ") desc[key[i]] " " cnt[key[i]]; s += cnt[key[i]] }
		if (nonip > 0) { line = line (line == "" ? " " : ", ") "not IP (ARP, LLDP, ...) " nonip; s += nonip }
		printf "gapflow: %s: %d of %d frames skipped:%s\n", path, s, frames, line
	}' tests/tools/pcapgen.c
}

TR=$CAP/synth-trunc.pcap
NI=$CAP/synth-nonip.pcap
# the line for frames decoded with their IP length (lost wire lengths):
# as many as the table marks "shortwire"
SW="gapflow: $(grep -c '^ \*.* OK shortwire' tests/tools/pcapgen.c) frames were decoded with the length in their IP header: the capture recorded a wire length shorter than the IP datagram (its writer lost the original lengths), so they are kept in their flows as sent"
out=$("$GAPFLOW" -r "$TR" -w "$T/t.gf" 2>&1); rc=$?
expect_rc skipped_rc $rc 0
expect_eq skipped_line "$out" "$(expected_line "$TR")
$SW"
# (the table says: 15 of 19, link 1, encap 3, iphdr 2, ipver 1, iplen 3,
# ip6ext 1, l4hdr 2, tcpoff 2, and 2 frames whose wire length was lost;
# derived from it so that a decoder change that updates the table keeps
# this test right)
expect_match skipped_line_counts "$out" ": 15 of 19 frames skipped: "
# per file, in the order given
out=$("$GAPFLOW" -r "$NI" "$TR" $CAP/demo.pcap -w "$T/t.gf" 2>&1); rc=$?
expect_rc two_files_rc $rc 0
expect_eq two_files_lines "$out" "$(expected_line "$NI")
$(expected_line "$TR")
$SW"
expect_eq nonip_line "$(printf '%s\n' "$out" | head -1)" "gapflow: $NI: 3 of 3 frames skipped: not IP (ARP, LLDP, ...) 3"
# a clean capture: not a word
out=$("$GAPFLOW" -r $CAP/demo.pcap -w "$T/d.gf" 2>&1)
expect_eq clean_silent "$out" ""

# ---- the line of totals ------------------------------------------------------
X=$CAP/demo-gap.pcap
ack=$("$GAPFLOW" -r "$X" -w - | "$GAPDUMP" -r - -o csv -L0 -s ackbytes - sensor | awk '{ s += $1 } END { print s }')
pct=$(awk -v a="$ack" 'BEGIN { printf "%.3f", 100 * 2896 / a }')
want="gapflow: 125 packets, 9 flows, 2 with gaps, gap 2,896 bytes ($pct %), 1 simplex, 0 frames skipped, 0 flows evicted, 0 records dropped"
out=$("$GAPFLOW" -r "$X" -w "$T/g.gf" -v 2>&1 | grep -v 'records written')
expect_eq totals_verbose "$out" "$want"
if have tshark; then
	pk=$(tshark -r "$X" 2>/dev/null | wc -l | tr -d ' ')
	tcp=$(tshark -r "$X" -q -z conv,tcp 2>/dev/null | grep -c '<->')
	udp=$(tshark -r "$X" -q -z conv,udp 2>/dev/null | grep -c '<->')
	expect_eq totals_packets_flows_tshark "$pk packets, $((tcp + udp + 2)) flows" "125 packets, 9 flows"
fi
# without -v and not on a terminal: nothing
out=$("$GAPFLOW" -r "$X" -w "$T/g.gf" 2>&1)
expect_eq totals_not_on_pipe "$out" ""
# on a terminal (script(1) gives the sensor one)
if have script; then
	out=$(script -qec "$GAPFLOW -r $X -w $T/g.gf" /dev/null 2>&1 | tr -d '\r')
	expect_eq totals_on_terminal "$out" "$want"
else
	skip totals_on_terminal "script (util-linux) not installed"
fi
# skipped frames count in the totals, and the per-file line comes first
out=$("$GAPFLOW" -r "$TR" -w "$T/t.gf" -v 2>&1 | grep -v 'records written')
expect_eq totals_after_skips "$(printf '%s\n' "$out" | tail -1 | sed 's/.*flows evicted/flows evicted/')" "flows evicted, 0 records dropped"
expect_match totals_skipped_count "$(printf '%s\n' "$out" | tail -1)" ", 15 frames skipped, "
