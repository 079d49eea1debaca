# gapdump's CSV and JSON parse with Python's standard parsers, plain and
# aggregated, with the header line that -L0 turns off; the fast printing
# path agrees with the registry's own formatting.
. tests/e2e/lib.sh
if ! have python3; then
	skip all "python3 parses the output"
	exit 0
fi
gf=$T/mixed.gf
"$GAPFLOW" -r $CAP/real-mixed.pcap -S 0.001 -w "$gf" 2>/dev/null
ALL=$("$GAPDUMP" --fields | awk '$1 == "flow" { printf "%s%s", (n++ ? "," : ""), $2 }')

for args in "" "-m flow" "-b 2ms -m proto" "-m saddr/24 --sort bytes:desc" "--top 3" "-s $ALL" "-n -s $ALL"; do
	tag=$(echo "x $args" | tr -c 'a-zA-Z0-9\n' _ | cut -c1-40)
	"$GAPDUMP" -r "$gf" $args -o csv >"$T/out.csv"
	"$GAPDUMP" -r "$gf" $args -o csv -L0 >"$T/out0.csv"
	"$GAPDUMP" -r "$gf" $args -o json >"$T/out.json"
	out=$(python3 - "$T/out.csv" "$T/out0.csv" "$T/out.json" <<'PY'
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1])))
rows0 = list(csv.reader(open(sys.argv[2])))
objs = [json.loads(l) for l in open(sys.argv[3])]
hdr = rows[0]
bad = []
if rows[1:] != rows0: bad.append("-L0 is not the rows without the header")
if any(len(r) != len(hdr) for r in rows): bad.append("ragged CSV")
if len(objs) != len(rows) - 1: bad.append("JSON lines %d != CSV rows %d" % (len(objs), len(rows) - 1))
for o, r in zip(objs, rows[1:]):
    if o["type"] != "flow": bad.append("type")
    for k, v in zip(hdr, r):
        if k == "type": continue
        j = o[k]
        if isinstance(j, (int, float)):
            if float(v) != float(j): bad.append("%s: %r vs %r" % (k, v, j))
        elif str(j) != v: bad.append("%s: %r vs %r" % (k, v, j))
    for k in ("spkts", "sbytes", "trans"):
        if k in o and not isinstance(o[k], int): bad.append(k + " not a number")
print("ok" if not bad and len(objs) > 0 else "; ".join(bad[:3]) or "empty")
PY
)
	expect_eq "csv_json_$tag" "$out" ok
done

# text and CSV have a header line; -L0 drops it
n=$("$GAPDUMP" -r "$gf" -m flow | head -1 | awk '{ print $1, $NF }')
expect_eq text_header "$n" "stime trans"
n=$("$GAPDUMP" -r "$gf" -m flow -o csv -c ';' | head -1)
expect_match csv_header_delim "$n" '^stime;dur;proto;saddr;'
n=$("$GAPDUMP" -r "$gf" -m flow -L0 | head -1 | awk '{ print $1 }')
expect_match text_no_header "$n" '^20[0-9][0-9]-'

# durations agree with the times they come from; local time in UTC is
# UTC (test_output checks the fast path against the registry's formatter)
"$GAPDUMP" -r "$gf" -L0 -o csv -u -s stime,ltime,dur >"$T/u.csv"
bad=$(awk -F, 'function us(t, a) { split(t, a, "."); return a[1] * 1000000 + a[2] }
    { d = us($2) - us($1); if (sprintf("%.6f", d / 1000000) != $3) n++ } END { print n + 0 }' "$T/u.csv")
expect_eq dur_matches_times "$bad" 0
a=$("$GAPDUMP" -r "$gf" -L0 -s stime | head -3)
b=$(TZ=UTC "$GAPDUMP" -r "$gf" -L0 --localtime -s stime | head -3 | sed 's/+00:00$/Z/')
expect_eq localtime_utc_equal "$b" "$a"
