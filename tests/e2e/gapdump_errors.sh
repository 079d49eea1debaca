# Every error path of gapdump's aggregation, sorting, loss report,
# directory input and live input (-S, the collector's --rotate and
# --rotate-size; all refused before any connection is made): the message
# names the option, file, sensor or position, and
# the exit status is the documented one (gapdump(1): 2 error, 1 nothing
# matched, 3 loss threshold crossed).
. tests/e2e/lib.sh

# run CMD...: sets $rc and $err (stderr)
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; err=$(cat "$T/err"); }
# bad NAME RC REGEX CMD...: exit status and message
bad() {
	name=$1 want=$2 re=$3
	shift 3
	run "$@"
	expect_rc "${name}_rc" $rc "$want"
	expect_match "${name}_msg" "$err" "$re"
}

gf=$T/demo.gf
"$GAPFLOW" -r $CAP/demo.pcap -S 0.01 -w "$gf" 2>/dev/null

# -m
bad m_unknown 2 "option -m: unknown key field 'bogus'" "$GAPDUMP" -r "$gf" -m saddr,bogus
bad m_prefix_not_addr 2 "option -m: a prefix length applies to addresses, not to 'dport'" \
    "$GAPDUMP" -r "$gf" -m dport/24
bad m_prefix_range 2 "option -m: bad prefix length in 'saddr/129'" "$GAPDUMP" -r "$gf" -m saddr/129
bad m_prefix_garbage 2 "option -m: bad prefix length in 'daddr/x'" "$GAPDUMP" -r "$gf" -m daddr/x
bad m_derived 2 "option -m: 'rate' is computed from other fields" "$GAPDUMP" -r "$gf" -m rate
bad m_flow_and_key 2 "option -m: 'saddr' cannot be combined with 'flow'" "$GAPDUMP" -r "$gf" -m flow -m saddr
bad m_key_and_none 2 "option -m: 'none' cannot be combined" "$GAPDUMP" -r "$gf" -m saddr,none
bad m_empty 2 "option -m: no key given" "$GAPDUMP" -r "$gf" -m ,
# -b, -B
bad b_garbage 2 "option -b: bad duration '5 minutes'" "$GAPDUMP" -r "$gf" -b "5 minutes"
bad b_zero 2 "option -b: bad duration '0'.*at least 1ms" "$GAPDUMP" -r "$gf" -b 0 -m none
bad b_negative 2 "option -b: bad duration '-5s'" "$GAPDUMP" -r "$gf" -b -5s
bad B_without_b 2 "option -B: a bin hold time needs bins" "$GAPDUMP" -r "$gf" -B 10s -m flow
bad B_garbage 2 "option -B: bad duration 'soon'" "$GAPDUMP" -r "$gf" -b 1m -B soon
# --sort, --top
bad sort_unknown 2 "option --sort: unknown field 'bytez'" "$GAPDUMP" -r "$gf" --sort bytez:desc
bad sort_order 2 "option --sort: 'bytes:down': the order is :asc or :desc" "$GAPDUMP" -r "$gf" --sort bytes:down
bad top_zero 2 "option --top: bad count '0'" "$GAPDUMP" -r "$gf" --top 0
bad top_garbage 2 "option --top: bad count '10x'" "$GAPDUMP" -r "$gf" --top 10x
bad top_negative 2 "option --top: bad count '-3'" "$GAPDUMP" -r "$gf" --top -3
# --loss and friends
bad threshold_garbage 2 "option --loss-threshold: bad percentage 'high'" "$GAPDUMP" -r "$gf" --loss-threshold high
bad threshold_negative 2 "option --loss-threshold: bad percentage '-1'" "$GAPDUMP" -r "$gf" --loss --loss-threshold -1
bad loss_with_m 2 "option --loss: prints its own report and cannot be combined with -m" \
    "$GAPDUMP" -r "$gf" --loss -m flow
bad loss_with_w 2 "option --loss: .*-w" "$GAPDUMP" -r "$gf" --loss -w "$T/x.gf"
bad loss_with_sort 2 "option --loss: .*--sort" "$GAPDUMP" -r "$gf" --loss --top 3
bad plot_unwritable 2 "option --plot: /nonexistent-dir/loss.svg: cannot open for writing" \
    "$GAPDUMP" -r "$gf" --loss --plot /nonexistent-dir/loss.svg
# the report is still printed when the chart cannot be written
n=$(grep -c '^total' "$T/out")
expect_eq plot_unwritable_report_printed "$n" 1
bad plot_empty_name 2 "option --plot: no file name" "$GAPDUMP" -r "$gf" --plot ""
bad plot_png 2 "^gapdump: option --plot: 'loss\\.png': the chart is written as SVG only; give a name ending in \\.svg \\(for PNG: rsvg-convert -o loss\\.png loss\\.svg\\)$" \
    "$GAPDUMP" -r "$gf" --loss --plot loss.png
bad zeek_without_loss 2 "^gapdump: option -o: the zeek format is the capture-loss report's \\(capture_loss\\.log\\): add --loss$" \
    "$GAPDUMP" -r "$gf" -o zeek
bad min_acks_garbage 2 "^gapdump: option --loss-min-acks: bad count 'x'$" "$GAPDUMP" -r "$gf" --loss-min-acks x
bad loss_bad_file 2 "missing.gf: cannot open" "$GAPDUMP" --loss -r "$T/missing.gf"
bad loss_bad_filter 2 "column 12: unknown word 'kdropz'" "$GAPDUMP" -r "$gf" --loss - 'sensor and kdropz > 0'
# -R
bad R_missing 2 "option -R: $T/nodir: No such file or directory" "$GAPDUMP" -R "$T/nodir"
bad R_not_dir 2 "option -R: $gf: not a directory" "$GAPDUMP" -R "$gf"
mkdir -p "$T/empty"
echo "just text" >"$T/empty/readme.txt"
bad R_no_records 2 "option -R: $T/empty: no gapflow record files in the tree" "$GAPDUMP" -R "$T/empty"
# -R reports an empty record file and one with damaged magic as -r does
# (status 2), reads the good one, and still passes over the note
mkdir -p "$T/dmg"
cp "$gf" "$T/dmg/good.gf"
: >"$T/dmg/empty.gf"
printf 'GFLX\r\n\032\n%040d' 0 >"$T/dmg/bad"
echo "just text" >"$T/dmg/readme.txt"
bad R_empty_file 2 "^gapdump: $T/dmg/empty.gf: empty input, not a gapflow record stream$" "$GAPDUMP" -R "$T/dmg"
expect_match R_damaged_magic "$err" "^gapdump: $T/dmg/bad: not a gapflow record stream \\(bad magic at offset 0\\)$"
expect_eq R_damaged_good_read "$(grep -c . "$T/out")" "$("$GAPDUMP" -r "$gf" | grep -c .)"
expect_eq R_damaged_note_quiet "$(printf '%s\n' "$err" | grep -c readme)" 0
bad no_input 2 "no input: give -r FILE \\(- for stdin\\), -R DIR or -S HOST:PORT" "$GAPDUMP" -m flow
# -S and the collector's options: the whole message, status 2; none
# connects to anything (the time limit only keeps a regression that
# would from hanging here)
LIVE="timeout 10 $GAPDUMP"
bad S_with_r 2 "^gapdump: option -S: live sensors cannot be combined with -r or -R \\(files\\)$" \
    $LIVE -S 127.0.0.1:561 -r "$gf"
bad S_with_R 2 "^gapdump: option -S: live sensors cannot be combined with -r or -R \\(files\\)$" \
    $LIVE -R "$T/empty/.." -S 127.0.0.1:561
bad S_no_port 2 "^gapdump: option -S: sensor1: not HOST:PORT$" $LIVE -S sensor1
bad S_bad_port 2 "^gapdump: option -S: 127\\.0\\.0\\.1:65536: not HOST:PORT$" \
    $LIVE -S 127.0.0.1:561 -S 127.0.0.1:65536
bad S_bare_v6 2 "^gapdump: option -S: ::1:561: not HOST:PORT$" $LIVE -S ::1:561
hosts=""
for i in $(seq 65); do hosts="$hosts -S 127.0.0.1:$i"; done
# shellcheck disable=SC2086
bad S_too_many 2 "^gapdump: option -S: at most 64 sensors$" $LIVE $hosts
bad rotate_without_S 2 "^gapdump: option --rotate: rotation is the collector's: give -S HOST:PORT and -w PATH$" \
    "$GAPDUMP" -r "$gf" -w "$T/r.gf" --rotate 5m
bad rotate_without_w 2 "^gapdump: option --rotate: rotation is the collector's: give -S HOST:PORT and -w PATH$" \
    $LIVE -S 127.0.0.1:561 --rotate 5m
bad rotate_size_without_S 2 "^gapdump: option --rotate-size: rotation is the collector's: give -S HOST:PORT and -w PATH$" \
    "$GAPDUMP" -r "$gf" --rotate-size 100M
bad rotate_stdout 2 "^gapdump: option --rotate: standard output \\(-w -\\) cannot be rotated$" \
    $LIVE -S 127.0.0.1:561 -w - --rotate 1h
bad rotate_garbage 2 "^gapdump: option --rotate: bad duration 'soon' \\(such as 30s, 5m, 1h, 1d; at least 1s\\)$" \
    $LIVE -S 127.0.0.1:561 -w "$T/c.gf" --rotate soon
bad rotate_too_short 2 "^gapdump: option --rotate: bad duration '500ms' \\(such as 30s, 5m, 1h, 1d; at least 1s\\)$" \
    $LIVE -S 127.0.0.1:561 -w "$T/c.gf" --rotate 500ms
bad rotate_size_garbage 2 "^gapdump: option --rotate-size: bad size '10X' \\(such as 100M, 1G, 512Mi; at least 1Mi\\)$" \
    $LIVE -S 127.0.0.1:561 -w "$T/c.gf" --rotate-size 10X
bad rotate_size_small 2 "^gapdump: option --rotate-size: bad size '1000' \\(such as 100M, 1G, 512Mi; at least 1Mi\\)$" \
    $LIVE -S 127.0.0.1:561 -w "$T/c.gf" --rotate-size 1000
# refused before the -w file was touched
expect_eq collector_file_untouched "$(ls "$T"/c.gf 2>/dev/null)" ""
# an archive that cannot be written: before any sensor is connected
bad collector_unwritable 2 "^gapdump: /nonexistent-dir/c\\.gf: cannot open for writing: No such file or directory$" \
    $LIVE -S 127.0.0.1:561 -w /nonexistent-dir/c.gf
# bad input files and -w with aggregation
bad m_bad_file 2 "missing.gf: cannot open" "$GAPDUMP" -r "$T/missing.gf" -m flow
echo "not records" >"$T/text.gf"
bad m_not_stream 2 "text.gf: not a gapflow record stream" "$GAPDUMP" -r "$T/text.gf" -b 1m
bad m_unwritable 2 "/nonexistent-dir/o.gf: cannot open for writing" \
    "$GAPDUMP" -r "$gf" -m flow -w /nonexistent-dir/o.gf
bad sort_bad_filter 2 "column 1: unknown word 'bogus'" "$GAPDUMP" -r "$gf" --sort bytes - bogus
# a damaged stream: status 2, and the message names the file and the
# offset
size=$(wc -c <"$gf")
head -c $((size - 40)) "$gf" >"$T/cut.gf"
bad m_truncated 2 "cut.gf: truncated block at offset [0-9]+" "$GAPDUMP" -r "$T/cut.gf" -m flow
# one good and one missing input: the good one is reported, status 2
run "$GAPDUMP" -r "$gf" -r "$T/missing.gf" -m flow -L0
expect_rc partial_inputs_rc $rc 2
n=$(wc -l <"$T/out")
want=$("$GAPDUMP" -r "$gf" -m flow -L0 | wc -l)
expect_eq partial_inputs_rows "$n" "$want"
# nothing matched: status 1, for every mode
run "$GAPDUMP" -r "$gf" -m flow - 'vlan 4000'
expect_rc m_nomatch_rc $rc 1
run "$GAPDUMP" -r "$gf" --top 5 - 'vlan 4000'
expect_rc top_nomatch_rc $rc 1
run "$GAPDUMP" -r "$gf" -b 1m -m none - 'vlan 4000'
expect_rc b_nomatch_rc $rc 1
run "$GAPDUMP" -r "$gf" --loss - 'sensorid = 4000'
expect_rc loss_nomatch_rc $rc 1
expect_eq loss_nomatch_empty "$(cat "$T/out")" ""
