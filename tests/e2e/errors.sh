# Every error path: the message names the thing, the exit status is the
# documented one (gapflow(8), gapdump(1)).
. tests/e2e/lib.sh

# run CMD...: sets $rc and $err (stderr)
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; err=$(cat "$T/err"); }

# ---- gapflow ----
echo "not a capture" >"$T/text.pcap"
run "$GAPFLOW" -r "$T/text.pcap" -w "$T/o.gf"
expect_rc gapflow_not_capture_rc $rc 2
expect_match gapflow_not_capture_msg "$err" "text.pcap: cannot read as a capture file"

run "$GAPFLOW" -r "$T/missing.pcap" -w "$T/o.gf"
expect_rc gapflow_missing_rc $rc 2
expect_match gapflow_missing_msg "$err" "missing.pcap"

run "$GAPFLOW" -w "$T/o.gf"
expect_rc gapflow_no_input_rc $rc 2
expect_match gapflow_no_input_msg "$err" "no input"

run "$GAPFLOW" -r $CAP/demo.pcap -S abc -w "$T/o.gf"
expect_rc gapflow_bad_interval_rc $rc 2
expect_match gapflow_bad_interval_msg "$err" "option -S"

run "$GAPFLOW" -r $CAP/demo.pcap --bogus
expect_rc gapflow_unknown_option_rc $rc 2

printf 'flows:\n  status_interval: 5s\n  bogus_key: 1\n' >"$T/bad.yaml"
run "$GAPFLOW" -c "$T/bad.yaml" -r $CAP/demo.pcap -w "$T/o.gf"
expect_rc gapflow_bad_config_rc $rc 2
expect_match gapflow_bad_config_msg "$err" "bad.yaml:3: key 'flows.bogus_key'"

run "$GAPFLOW" -r $CAP/demo.pcap -w /nonexistent-dir/o.gf
expect_rc gapflow_unwritable_rc $rc 2
expect_match gapflow_unwritable_msg "$err" "/nonexistent-dir/o.gf: cannot open for writing"

run "$GAPFLOW" -r $CAP/demo.pcap -w "$T/o.gf" 'tcp and and'
expect_rc gapflow_bad_bpf_rc $rc 2
expect_match gapflow_bad_bpf_msg "$err" "bad capture filter 'tcp and and'"

# a capture cut in the middle of a packet: records of everything before
# it, and exit status 1 (damaged input)
size=$(wc -c <$CAP/demo.pcap)
head -c $((size - 100)) $CAP/demo.pcap >"$T/cut.pcap"
run "$GAPFLOW" -r "$T/cut.pcap" -w "$T/cut.gf"
expect_rc gapflow_truncated_rc $rc 1
expect_match gapflow_truncated_msg "$err" "cut.pcap: read error"
n=$("$GAPDUMP" -r "$T/cut.gf" -L0 | wc -l | tr -d ' ')
expect_eq gapflow_truncated_records "$n" 9

# an unsupported link type (DLT 147, user 0) is refused by name
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\223\000\000\000' >"$T/dlt.pcap"
run "$GAPFLOW" -r "$T/dlt.pcap" -w "$T/o.gf"
expect_rc gapflow_linktype_rc $rc 2
expect_match gapflow_linktype_msg "$err" "dlt.pcap: link type .* is not supported"

# ---- gapdump ----
"$GAPFLOW" -r $CAP/demo.pcap -w "$T/demo.gf"
run "$GAPDUMP" -r "$T/missing.gf"
expect_rc gapdump_missing_rc $rc 2
expect_match gapdump_missing_msg "$err" "missing.gf: cannot open"

run "$GAPDUMP" -r "$T/text.pcap"
expect_rc gapdump_not_stream_rc $rc 2
expect_match gapdump_not_stream_msg "$err" "text.pcap: not a gapflow record stream"

run "$GAPDUMP" -r "$T/demo.gf" - 'tcp and sgapp > 0'
expect_rc gapdump_bad_filter_rc $rc 2
expect_match gapdump_bad_filter_msg "$err" "column 9: unknown word 'sgapp'"

run "$GAPDUMP" -r "$T/demo.gf" -s saddr,nosuchfield
expect_rc gapdump_bad_field_rc $rc 2
expect_match gapdump_bad_field_msg "$err" "unknown field 'nosuchfield'"

run "$GAPDUMP" -r "$T/demo.gf" -o xml
expect_rc gapdump_bad_format_rc $rc 2
expect_match gapdump_bad_format_msg "$err" "option -o: unknown format 'xml'"

run "$GAPDUMP" -r "$T/demo.gf" - 'sgap > 0'
expect_rc gapdump_no_match_rc $rc 1

run "$GAPDUMP" -r "$T/demo.gf" - tcp
expect_rc gapdump_match_rc $rc 0
# the header, 5 TCP flows, the summary line
expect_eq gapdump_match_rows "$(wc -l <"$T/out" | tr -d ' ')" 7

run "$GAPDUMP"
expect_rc gapdump_no_input_rc $rc 2

# a damaged block: message with file and offset, the other records kept
"$GAPFLOW" -r $CAP/real-tcp4.pcap -S 0.001 -Z off -w "$T/big.gf"
total=$("$GAPDUMP" -r "$T/big.gf" -L0 | wc -l)
printf 'X' | dd of="$T/big.gf" bs=1 seek=200 conv=notrunc 2>/dev/null
run "$GAPDUMP" -r "$T/big.gf" -L0
expect_rc gapdump_damaged_rc $rc 2
expect_match gapdump_damaged_msg "$err" "big.gf: block CRC mismatch at offset 80"
# only one block, so its records are gone; a second stream appended keeps
# the reader going (two files)
run "$GAPDUMP" -r "$T/big.gf" -r "$T/demo.gf" -L0
expect_rc gapdump_damaged_then_good_rc $rc 2
expect_eq gapdump_damaged_then_good_rows "$(wc -l <"$T/out" | tr -d ' ')" 9
[ "$total" -gt 9 ] && pass damaged_had_records || fail damaged_had_records "$total"

# ---- output formats parse with standard parsers ----
if have python3; then
	"$GAPDUMP" -r "$T/demo.gf" -o json >"$T/j"
	if python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 9, len(rows)
assert all(isinstance(r["spkts"], int) for r in rows)
assert all(isinstance(r["dur"], float) for r in rows)
assert {r["proto"] for r in rows} == {"tcp", "udp", "icmp", "icmp6"}, rows
' "$T/j"; then pass json_parses; else fail json_parses; fi
	"$GAPDUMP" -r "$T/demo.gf" -o csv -c ';' >"$T/c"
	if python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter=";"))
assert len(rows) == 9
assert sum(int(r["spkts"]) + int(r["dpkts"]) for r in rows) == 138
' "$T/c"; then pass csv_parses; else fail csv_parses; fi
else
	skip json_parses "python3 not installed"
fi
