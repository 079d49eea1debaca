# gapdump --loss on a capture with gaps made by removing packets: totals
# equal the per-flow counters of the same run, the threshold sets exit
# status 3, JSON and CSV parse, the SVG chart parses (and renders when
# rsvg-convert is installed).
. tests/e2e/lib.sh

src=$CAP/real-tcp4.pcap
if ! have tshark || ! have editcap; then
	skip all "tshark and editcap make the capture with gaps"
	exit 0
fi
# every 10th TCP segment with payload never reaches the sensor; the
# receivers' ACKs still cover it: capture gaps the sensor must report
drop=$(tshark -r "$src" -Y 'tcp.len > 0' -T fields -e frame.number 2>/dev/null |
    awk 'NR % 10 == 0' | tr '\n' ' ')
editcap "$src" "$T/gappy.pcap" $drop
gf=$T/gappy.gf
"$GAPFLOW" -r "$T/gappy.pcap" -S 0.002 -w "$gf" 2>/dev/null
ndrop=$(echo $drop | wc -w)

# the expected totals, from the flow records: gap and acked bytes, gap
# and ACK events, flow records with a gap, simplex flow records
want=$("$GAPDUMP" -r "$gf" -L0 -o csv -n \
    -s sgap,dgap,sackbytes,dackbytes,sgapev,dgapev,sackev,dackev,flgs |
    awk -F, '{ g += $1 + $2; a += $3 + $4; ge += $5 + $6; ae += $7 + $8
	if ($1 + $2 > 0) gf++; if ($9 % 2) sf++ }
	END { print a, g, ge, ae, gf + 0, sf + 0 }')
got=$("$GAPDUMP" -r "$gf" --loss -o csv -L0 | awk -F, '$1 == "total" { print $3, $4, $5, $6, $11, $12 }')
expect_eq loss_totals_equal_flows "$got" "$want"
gap=$(echo "$got" | awk '{ print $2 }')
if [ "${gap:-0}" -gt 0 ]; then pass loss_has_gaps; else fail loss_has_gaps "no gap bytes after removing $ndrop segments"; fi
# the gap bytes are the payload of the removed segments
removed=$(tshark -r "$src" -Y 'tcp.len > 0' -T fields -e tcp.len 2>/dev/null |
    awk 'NR % 10 == 0 { s += $1 } END { print s }')
expect_eq loss_gap_is_removed_payload "$gap" "$removed"
# rows: one per SENSOR record, and they sum to the total
n=$("$GAPDUMP" -r "$gf" -L0 - sensor | wc -l)
rows=$("$GAPDUMP" -r "$gf" --loss -L0 | grep -vc '^total')
expect_eq loss_rows_per_interval "$rows" "$n"
got=$("$GAPDUMP" -r "$gf" --loss -o csv -L0 | awk -F, '$1 != "total" { a += $3; g += $4 } END { print a, g }')
expect_eq loss_rows_sum "$got" "$(echo "$want" | awk '{ print $1, $2 }')"
# percentages of the total: by bytes and by events
got=$("$GAPDUMP" -r "$gf" --loss -o csv -L0 | awk -F, '$1 == "total" { print $7, $8 }')
want_pct=$(echo "$want" | awk '{ printf "%.3f %.3f\n", 100 * $2 / $1, 100 * $3 / $4 }')
expect_eq loss_total_pct "$got" "$want_pct"
# header line, and -L0 without it
hdr=$("$GAPDUMP" -r "$gf" --loss | head -1 | tr -s ' ')
expect_eq loss_header "$hdr" "stime dur ackbytes gapbytes gapev ackev lossbytes_pct lossev_pct kdrops ifdrops gapflows simplexflows note"

# threshold: crossed -> 3 with a message; not crossed -> 0
"$GAPDUMP" -r "$gf" --loss --loss-threshold 1 >/dev/null 2>"$T/err"
expect_rc loss_threshold_crossed_rc $? 3
expect_match loss_threshold_msg "$(cat "$T/err")" "reached the threshold of 1% in [0-9]+ of $n intervals; first at .*% by (bytes|events)"
"$GAPDUMP" -r "$gf" --loss --loss-threshold 100.5 >/dev/null 2>"$T/err"
expect_rc loss_threshold_not_crossed_rc $? 0
# a capture without gaps never crosses any threshold above 0
"$GAPFLOW" -r "$src" -S 0.002 -w "$T/clean.gf" 2>/dev/null
"$GAPDUMP" -r "$T/clean.gf" --loss -o csv -L0 --loss-threshold 0.001 >"$T/clean.csv"
expect_rc loss_clean_rc $? 0
got=$(awk -F, '$1 == "total" { print $4, $5 }' "$T/clean.csv")
expect_eq loss_clean_zero "$got" "0 0"
# a file with no SENSOR record: nothing matched
"$GAPDUMP" -r "$gf" -w "$T/flows.gf" - flow
"$GAPDUMP" -r "$T/flows.gf" --loss >/dev/null 2>&1
expect_rc loss_no_sensor_rc $? 1

# -b: the intervals binned; the bins sum to the same total
got=$("$GAPDUMP" -r "$gf" --loss -b 1ms -o csv -L0 | awk -F, '$1 == "total" { print $3, $4, $5, $6 }')
expect_eq loss_bins_total "$got" "$(echo "$want" | awk '{ print $1, $2, $3, $4 }')"
# several files: one report over all of them
got=$("$GAPDUMP" -r "$gf" -r "$T/clean.gf" --loss -o csv -L0 | awk -F, '$1 == "total" { print $3 }')
want2=$("$GAPDUMP" -r "$T/clean.gf" --loss -o csv -L0 | awk -F, -v a="$(echo "$want" | awk '{ print $1 }')" '$1 == "total" { print $3 + a }')
expect_eq loss_two_files "$got" "$want2"

# Zeek's capture_loss.log: the header Zeek writes, one line per interval
# whose gaps and acks are the intervals' gap and ACK events
"$GAPDUMP" -r "$gf" --loss -o zeek >"$T/capture_loss.log"
expect_eq zeek_fields "$(grep '^#fields' "$T/capture_loss.log")" "$(printf '#fields\tts\tts_delta\tpeer\tgaps\tacks\tpercent_lost')"
expect_eq zeek_types "$(grep '^#types' "$T/capture_loss.log")" "$(printf '#types\ttime\tinterval\tstring\tcount\tcount\tdouble')"
expect_eq zeek_separator "$(head -1 "$T/capture_loss.log")" '#separator \x09'
got=$(awk -F'\t' '!/^#/ { n++; g += $4; a += $5; if (NF != 6) bad++ } END { print n, g, a, bad + 0 }' "$T/capture_loss.log")
expect_eq zeek_rows_and_sums "$got" "$n $(echo "$want" | awk '{ print $3, $4 }') 0"
# percent_lost = 100 * gaps / acks, never above 100
got=$(awk -F'\t' '!/^#/ && $5 > 0 { d = $6 - 100 * $4 / $5; if (d > 0.000001 || d < -0.000001 || $6 > 100) bad++ } END { print bad + 0 }' "$T/capture_loss.log")
expect_eq zeek_percent "$got" 0

if have python3; then
	"$GAPDUMP" -r "$gf" --loss -o json --loss-threshold 1 >"$T/loss.json" 2>/dev/null
	out=$(python3 - "$T/loss.json" "$want" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
a, g, ge, ae, gf, sf = map(int, sys.argv[2].split())
tot = rows[-1]
ok = (tot["type"] == "total" and all(r["type"] == "interval" for r in rows[:-1])
      and tot["ackbytes"] == a and tot["gapbytes"] == g and tot["gapev"] == ge
      and tot["ackev"] == ae and tot["gapflows"] == gf and tot["simplexflows"] == sf
      and tot["intervals"] == len(rows) - 1 and tot["threshold_pct"] == 1
      and sum(r["gapbytes"] for r in rows[:-1]) == g
      and abs(tot["lossbytes_pct"] - 100.0 * g / a) < 0.001)
print("ok" if ok else "bad: %r" % tot)
PY
)
	expect_eq loss_json_parses "$out" ok
	"$GAPDUMP" -r "$gf" --loss -o csv >"$T/loss.csv"
	out=$(python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("ok" if rows[-1]["stime"] == "total" and len(rows[0]) == 13 and all(len(r) == 13 for r in rows) else "bad")' "$T/loss.csv")
	expect_eq loss_csv_parses "$out" ok

	"$GAPDUMP" -r "$gf" --loss --loss-threshold 5 --plot "$T/loss.svg" >/dev/null 2>&1
	expect_rc loss_plot_rc $? 3
	out=$(python3 -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
paths = r.findall(ns + "path")
texts = " ".join(t.text or "" for t in r.iter(ns + "text"))
# the loss axis labels (left of the upper panel, which ends at y 442)
# never pass 100
ylab = [float(t.text) for t in r.iter(ns + "text")
        if t.get("text-anchor") == "end" and float(t.get("y", "999")) <= 442
        and (t.text or "").replace(".", "", 1).isdigit()]
print("ok" if r.tag == ns + "svg" and len(paths) >= 2 and "threshold 5 %" in texts
      and "capture loss, %" in texts and "time (UTC)" in texts
      and "loss by bytes: gap / acknowledged bytes" in texts
      and "loss by events: gap / ACK events" in texts
      and "over the threshold (" in texts and "packets/s read (lower panel)" in texts
      and "kernel + interface drops/s" in texts and ylab and max(ylab) <= 100
      else "bad")' "$T/loss.svg")
	expect_eq loss_plot_svg_parses "$out" ok
	if have rsvg-convert; then
		rsvg-convert "$T/loss.svg" -o "$T/loss.png" 2>"$T/err"
		expect_rc loss_plot_renders $? 0
	else
		skip loss_plot_renders "rsvg-convert (librsvg2-bin) not installed"
	fi
fi
