# Losses said on stderr while running (issue 13): the first eviction at
# once, with the count of its interval as the SENSOR record has it, then
# one summary a minute (of record time, for a capture file) whose counts
# are those of the SENSOR records of that minute.  A capture made by the
# repo's generator: 2,000 flows over 100 s through a table of 100.
. tests/e2e/lib.sh
"$TOOLS/biggen" "$T/ev.pcap" --packets 20000 --flows 2000 --duration 100 --seed 3 >/dev/null
"$GAPFLOW" -r "$T/ev.pcap" -S 1 --set flows.max_flows=100 -w "$T/ev.gf" 2>"$T/err"
expect_rc exit_0 $? 0
"$GAPDUMP" -r "$T/ev.gf" -o csv -L0 -s evicted,ltime - sensor >"$T/s.csv"
first=$(awk -F, '$1 > 0 { print $1 "," $2; exit }' "$T/s.csv")
n=${first%%,*} when=${first#*,}
expect_match first_eviction_warned "$(grep "flow table full" "$T/err" | head -n 1)" \
    "^gapflow: warning: flow table full \\(flows\\.max_flows 100\\): $n flows evicted before their end in the interval to $when; further evictions are summed up once a minute$"
expect_eq first_warned_once "$(grep -c 'flow table full' "$T/err")" 1
# every summary line covers SENSOR records after the first warning; the
# sums of the summaries never exceed what the records say, and the
# records not yet summed up are less than a minute's
total=$(awk -F, 'NR > 0 { s += $1 } END { print s }' "$T/s.csv")
said=$(sed -n 's/^gapflow: warning: in the last [0-9]* s: \([0-9]*\) flows evicted.*/\1/p' "$T/err" | awk '{ s += $1 } END { print s + 0 }')
lines=$(grep -c 'in the last' "$T/err")
if [ "$lines" -ge 1 ] && [ $((n + said)) -le "$total" ]; then pass summaries_consistent
else fail summaries_consistent "first $n, summaries $said in $lines lines, records $total"; fi
# 100 s of records: at most one summary a minute after the first warning
if [ "$lines" -le 2 ]; then pass summary_once_a_minute; else fail summary_once_a_minute "$lines lines"; fi
