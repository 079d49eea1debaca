# make demo (issue 12): the sample capture tests/captures/demo-gap.pcap
# has a real capture gap and a simplex flow (its recipe is in
# tests/captures/README); expected values from tshark on the frames the
# recipe removed from demo.pcap.  make demo prints the flows, then two
# lines that explain the gap columns.
. tests/e2e/lib.sh
X=$CAP/demo-gap.pcap
rows() { "$GAPFLOW" -r "$X" -w - | "$GAPDUMP" -r - -o csv -L0 -s proto,saddr,sport,daddr,dport,sgap,dgap,flgs; }
out=$(rows)
if have tshark; then
	# frames 31 and 32 of demo.pcap: 10.77.0.2:7700's data to port
	# 33394, acknowledged by the client: the server's (dst) gap
	dgap=$(tshark -r $CAP/demo.pcap -Y 'frame.number == 31 || frame.number == 32' -T fields -e tcp.len 2>/dev/null | awk '{ s += $1 } END { print s }')
	# every packet of 10.77.0.1:33408 removed: its request bytes, which
	# the server acknowledged, are the simplex flow's src gap
	sgap=$(tshark -r $CAP/demo.pcap -Y 'tcp.srcport == 33408' -T fields -e tcp.len 2>/dev/null | awk '{ s += $1 } END { print s }')
	expect_eq gap_flow "$(printf '%s\n' "$out" | grep ',33394,')" "tcp,10.77.0.1,33394,10.77.0.2,7700,0,$dgap,g"
	expect_eq simplex_flow "$(printf '%s\n' "$out" | grep ',33408,')" "tcp,10.77.0.1,33408,10.77.0.2,7700,$sgap,0,Sg"
	expect_eq gap_values "$dgap $sgap" "2896 384"
	expect_eq recipe_frames "$(tshark -r $CAP/demo.pcap 2>/dev/null | wc -l | tr -d ' ') $(tshark -r "$X" 2>/dev/null | wc -l | tr -d ' ')" "138 125"
else
	skip gap_flow "tshark not installed"
fi
expect_eq other_flows_no_gap "$(printf '%s\n' "$out" | grep -v -e ',33394,' -e ',33408,' | awk -F, '$6 != 0 || $7 != 0 || $8 != "-"' | wc -l | tr -d ' ')" 0
expect_eq flow_count "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 9

# make demo itself: the table, then the two lines
# (the same build flags as $B's, so that make never rebuilds it otherwise)
san=; case $B in *san*) san=SANITIZE=1 ;; esac
if out=$(make -s --no-print-directory demo B="$B" $san 2>&1); then
	expect_match demo_gap_row "$out" "tcp +10\.77\.0\.1 +33394 <-> 10\.77\.0\.2 +7700 .* 2896 +0 +0 g$"
	expect_match demo_simplex_row "$out" "tcp +10\.77\.0\.1 +33408 <-  10\.77\.0\.2 +7700 .* 384 +0 +0 +0 Sg$"
	expect_eq demo_explained "$(printf '%s\n' "$out" | tail -2 | cut -c1-10)" "sgap/dgap:
flgs: g = "
else
	fail demo_runs "$out"
fi
