# gapdump the way argus (ra) and nfdump users type it: -r FILE ..., ra's
# space-separated -s and -m lists, stray words named with the option they
# probably belong to, hints for a packet capture or a directory given to
# -r, -N, -t time ranges (argus and ISO 8601 forms), ISO times in
# filters, and filters that name no record type listing flows only.
#
# Expected values come from tshark on tests/captures/demo.pcap (flow
# start and end = first and last frame.time_epoch per conversation):
#   ICMP  10.77.0.1 > 10.77.0.2  1795320081.684003 - .082.091504
#   5 TCP connections             1795320082.101111 - .082.113286
#   UDP   10.77.0.1               1795320082.121574 - .082.121936
#   UDP   fd77::1                 1795320082.130314 - .082.130488
#   ICMPv6 fd77::1                1795320082.140237 - .082.547404
# 1795320081 is 2026-11-22T04:01:21Z (date -u -d @1795320081); the sensor
# writes one record per flow (0.86 s of capture, 5 s intervals): 9 rows,
# and one SENSOR record.
. tests/e2e/lib.sh

run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; out=$(cat "$T/out"); err=$(cat "$T/err"); }
rows() { run "$@"; n=$(wc -l <"$T/out" | tr -d ' '); }
bad() {
	name=$1 want=$2 re=$3
	shift 3
	run "$@"
	expect_rc "${name}_rc" $rc "$want"
	expect_match "${name}_msg" "$err" "$re"
}

gf=$T/demo.gf
"$GAPFLOW" -r $CAP/demo.pcap -w "$gf" 2>/dev/null
cp "$gf" "$T/copy.gf"

# ---- inputs ------------------------------------------------------------
rows "$GAPDUMP" -r "$gf" -L0
expect_eq one_file_rows "$n" 9
rows "$GAPDUMP" -r "$gf" "$T/copy.gf" -L0
expect_eq r_two_files_rows "$n" 18
rows "$GAPDUMP" -r "$gf" "$T/copy.gf" -r "$gf" -L0 - tcp
expect_eq r_lists_and_repeats "$n" 15
bad r_pcap 2 "^gapdump: $CAP/demo.pcap: a packet capture, not a gapflow record stream; make records from it with: gapflow -r $CAP/demo.pcap -w FILE\\.gf$" \
    "$GAPDUMP" -r $CAP/demo.pcap
gzip -c $CAP/demo.pcap >"$T/d.pcap.gz"
bad r_pcap_gz 2 "a packet capture, not a gapflow record stream; make records from it with: gapflow -r $T/d.pcap.gz" \
    "$GAPDUMP" -r "$T/d.pcap.gz"
bad r_directory 2 "^gapdump: $T: a directory; read the record streams under it with -R $T$" \
    "$GAPDUMP" -r "$T"
bad r_missing_word 2 "^gapdump: option -r: 'gap': no such file \\(-r reads every word up to the next option\\); a filter follows a lone '-': - 'gap'$" \
    "$GAPDUMP" -r "$gf" gap

# ---- field lists -------------------------------------------------------
run "$GAPDUMP" -r "$gf" -s stime saddr daddr -N 1
expect_eq s_space_list_header "$(head -1 "$T/out" | tr -s ' ')" "stime saddr daddr"
run "$GAPDUMP" -r "$gf" -s stime,saddr,daddr -N 1
comma=$out
run "$GAPDUMP" -r "$gf" -s stime saddr,daddr -N 1
expect_eq s_mixed_list_same "$out" "$comma"
run "$GAPDUMP" -r "$gf" -m proto,saddr -s proto saddr pkts -o csv
comma=$out
run "$GAPDUMP" -r "$gf" -m proto saddr -s proto saddr pkts -o csv
expect_eq m_space_list_same "$out" "$comma"
# 4 protocols x 2 source addresses, as tshark lists them: 6 rows
# (tcp v4, tcp v6, udp v4, udp v6, icmp v4, icmp6 v6)
expect_eq m_space_list_rows "$(printf '%s\n' "$out" | sed 1d | wc -l | tr -d ' ')" 6

# ---- stray words -------------------------------------------------------
bad stray_after_b 2 "^gapdump: unexpected word 'minutes' after option -b 5, which takes one value \\(one word, such as -b 5m or -t 03:18\\+2s\\); a filter follows a lone '-': - 'minutes'$" \
    "$GAPDUMP" -r "$gf" -b 5 minutes
bad stray_after_N 2 "^gapdump: unexpected word 'rows' after option -N 3" \
    "$GAPDUMP" -r "$gf" -N 3 rows
bad stray_file 2 "^gapdump: unexpected word 'x\\.gf': to read it, give it to -r \\(-r FILE \\.\\.\\.\\); a filter follows a lone '-'$" \
    "$GAPDUMP" x.gf
bad stray_field 2 "^gapdump: unexpected word 'saddr': a field; list fields right after -s \\(print\\) or -m \\(merge keys\\)" \
    "$GAPDUMP" -R "$T" saddr
bad stray_filter 2 "^gapdump: unexpected word 'tcp': a filter follows a lone '-': gapdump -r FILE - 'tcp'$" \
    "$GAPDUMP" -u -R "$T" tcp
rows "$GAPDUMP" -r "$gf" -L0 -- tcp
expect_eq filter_after_double_dash "$n" 5

# ---- -N ----------------------------------------------------------------
rows "$GAPDUMP" -r "$gf" -L0 -N 3
expect_eq N_first_rows "$n" 3
rows "$GAPDUMP" -r "$gf" -L0 -N 2 -m proto
expect_eq N_aggregated_rows "$n" 2
bad N_zero 2 "^gapdump: option -N: bad count '0'" "$GAPDUMP" -r "$gf" -N 0

# ---- -t ----------------------------------------------------------------
# tcase NAME RANGE ROWS [PROTOS]: rows selected and their protocols
tcase() {
	rows "$GAPDUMP" -r "$gf" -L0 -s proto -t "$2"
	expect_eq "t_$1" "$n" "$3"
	[ $# -ge 4 ] && expect_eq "t_$1_protos" "$(echo $out)" "$4"
}
tcase argus_plus 2026/11/22.04:01:21.6+0.2s 1 icmp
tcase argus_dash 2026/11/22.04:01:22.5-2026/11/22.04:01:23 1 icmp6
tcase argus_end_time_of_day 2026/11/22.04:01:22.5-04:01:23 1 icmp6
tcase iso_start_end 2026-11-22T04:01:22.115Z/2026-11-22T04:01:22.125Z 1 udp
tcase iso_duration 2026-11-22T04:01:22.1Z/PT0.02S 5 "tcp tcp tcp tcp tcp"
tcase iso_offset 2026-11-22T05:01:22.1+01:00/PT0.02S 5
tcase hour 2026/11/22.04 9
tcase epoch 1795320082.14+1 1 icmp6
tcase touching_end 1795320082.091504+0.005 1 icmp
rows "$GAPDUMP" -r "$gf" -L0 -t 2026/11/22.05
expect_rc t_nothing_rc $rc 1
expect_eq t_nothing_rows "$n" 0
run env TZ=Asia/Kolkata "$GAPDUMP" --localtime -r "$gf" -L0 -s proto -t 2026/11/22.09:31:21.6+0.2s
expect_eq t_localtime "$out" icmp
# a record spans [stime, ltime]; a range [from, to) overlaps it
rows "$GAPDUMP" -r "$gf" -L0 -t 2026-11-22T04:01:21Z/2026-11-22T04:01:21.684003Z
expect_eq t_end_exclusive "$n" 0
bad t_garbage 2 "^gapdump: option -t: 'soon' does not start with a time" "$GAPDUMP" -r "$gf" -t soon
bad t_backwards 2 "^gapdump: option -t: '2026/11/22.05-2026/11/22.04': the range ends before it starts$" \
    "$GAPDUMP" -r "$gf" -t 2026/11/22.05-2026/11/22.04
bad t_bad_duration 2 "^gapdump: option -t: '2026/11/22\\+2x': '2x' after '\\+' is not a duration" \
    "$GAPDUMP" -r "$gf" -t 2026/11/22+2x

# ---- filters -----------------------------------------------------------
rows "$GAPDUMP" -r "$gf" -L0 - 'stime > 2026-11-22T04:01:22.13Z'
expect_eq filter_iso_time "$n" 2
rows "$GAPDUMP" -r "$gf" -L0 - 'stime >= 2026/11/22.04:01:22.121574'
expect_eq filter_argus_time "$n" 3
# dur > 0.3: the two ICMP echo flows (0.41 s); the SENSOR record (0.86 s)
# only when asked for
rows "$GAPDUMP" -r "$gf" -L0 - 'dur > 0.3'
expect_eq filter_flows_only "$n" 2
rows "$GAPDUMP" -r "$gf" -L0 - 'sensor and dur > 0.3'
expect_eq filter_sensor_asked "$n" 1
rows "$GAPDUMP" -r "$gf" -L0 - 'sensor or dur > 0.3'
expect_eq filter_both_asked "$n" 3
run "$GAPDUMP" -r "$gf" - 'dst port http'
expect_rc filter_service_name_rc $rc 1
expect_eq filter_service_name_quiet "$err" ""

# ---- aggregates as nfdump -s ------------------------------------------
# With 10 ms status records a flow has several records; each is counted
# once per row.  Truth from tshark: conversations per protocol and bytes
# (sum of frame.len) per protocol; acknowledged bytes: the 43,641 TCP
# payload bytes of tests/captures/README.
"$GAPFLOW" -r $CAP/demo.pcap -S 0.01 -w "$T/s.gf" 2>/dev/null
if have tshark; then
	tsum() { tshark -r $CAP/demo.pcap -Y "$1" -T fields -e frame.len 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
	btcp=$(tsum tcp) budp=$(tsum udp) bicmp=$(tsum 'icmp') bicmp6=$(tsum icmpv6) ball=$(tsum frame)
	nall=$(tshark -r $CAP/demo.pcap 2>/dev/null | wc -l | tr -d ' ')
	run "$GAPDUMP" -r "$T/s.gf" -m proto -o csv --sort proto
	want=$(awk -v t="$btcp" -v u="$budp" -v i="$bicmp" -v i6="$bicmp6" -v a="$ball" 'BEGIN {
		printf "proto,flows,pkts,bytes,gap,pgap,loss,%%flows,%%bytes,%%gap\n"
		printf "icmp,1,6,%d,0,0,0,11.111,%.3f,0\n", i, 100 * i / a
		printf "tcp,5,114,%d,0,0,0,55.556,%.3f,0\n", t, 100 * t / a
		printf "udp,2,12,%d,0,0,0,22.222,%.3f,0\n", u, 100 * u / a
		printf "icmp6,1,6,%d,0,0,0,11.111,%.3f,0\n", i6, 100 * i6 / a }')
	expect_eq m_proto_nfdump_columns "$out" "$want"
	# the summary: every flow once, every packet and byte; the time span
	# of the capture (first and last frame)
	run "$GAPDUMP" -r "$T/s.gf" -L0 -s proto
	expect_eq summary_absent_L0 "$(grep -c '^Summary' "$T/out")" 0
	run "$GAPDUMP" -r "$T/s.gf" -s proto
	expect_eq summary_text "$(tail -1 "$T/out")" "Summary: 9 flows, $nall packets, $ball bytes, gap 0 bytes = 0.000 % of 43641 acknowledged; 2026-11-22T04:01:21.684003Z to 2026-11-22T04:01:22.547404Z (0.863401 s)"
	run "$GAPDUMP" -r "$T/s.gf" -m flow -s proto
	expect_eq summary_m_flow "$(tail -1 "$T/out" | cut -d, -f1-2)" "Summary: 9 flows, $nall packets"
	run "$GAPDUMP" -r "$T/s.gf" -o csv -s proto
	expect_eq summary_csv_absent "$(grep -c Summary "$T/out" "$T/err" | tr '\n' ' ')" "$T/out:0 $T/err:0 "
	run "$GAPDUMP" -r "$T/s.gf" -o csv --summary -s proto
	expect_eq summary_csv_stderr "$(cut -d, -f1-2 "$T/err")" "Summary: 9 flows, $nall packets"
	run "$GAPDUMP" -r "$T/s.gf" -o json --summary -s proto
	expect_eq summary_json "$(tail -1 "$T/out" | cut -d, -f1-4)" "{\"type\":\"summary\",\"flows\":9,\"pkts\":$nall,\"bytes\":$ball"
	# the distinct count survives -m flow -w and a second aggregation
	"$GAPDUMP" -r "$T/s.gf" -m flow -w "$T/mf.gf"
	run "$GAPDUMP" -r "$T/mf.gf" -m proto -s proto flows -o csv --sort proto -L0
	expect_eq m_flows_of_aggregates "$(echo $out)" "icmp,1 tcp,5 udp,2 icmp6,1"
else
	skip aggregates "tshark gives the truth"
fi
