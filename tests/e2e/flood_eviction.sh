# A SYN flood does not cost an established connection its flow (issue
# 13.3): tools/synflood writes 1,000,000 SYNs at 500,000/s (1 to 3 s),
# each from its own source, and one connection (10.0.0.1:40000 ->
# 10.0.0.2:80, from 0 s) exchanging 100 and 200 bytes every 0.3 s until
# 12.3 s: client 44 packets (SYN, ACK, 40 requests, FIN, ACK), 4000
# payload bytes; server 42 (SYN-ACK, 40 answers, FIN), 8000 bytes.
# With --max-flows 1000 the connection holds one entry and the flood the
# other 999, so every SYN after the first 999 evicts one SYN-only flow:
# 1,000,000 - 999 = 999,001 evictions, all of SYN-only flows.  The table
# reaches 900 flows (90 %) once: emergency mode is entered once, and left
# once when the flood's flows time out (5 s of emergency timeout after
# 3 s, while the connection still sends).
. tests/e2e/lib.sh
N=1000000
if ! "$TOOLS/synflood" "$T/flood.pcap" --syns $N --rate 500000 \
    --start 1000 --exchanges 40 >/dev/null; then
	fail all "synflood failed"
	exit 0
fi
"$GAPFLOW" -r "$T/flood.pcap" --max-flows 1000 -w "$T/out.gf" 2>"$T/err"
expect_rc gapflow $? 0

# the connection: one flowid, every packet and byte, neither simplex (S)
# nor mid-stream (m), ended by its FINs
"$GAPDUMP" -r "$T/out.gf" -n -o csv \
    -s flowid,saddr,sport,spkts,dpkts,sappbytes,dappbytes,flgs,kind,end \
    - 'host 10.0.0.1' >"$T/conn.csv"
expect_eq connection_one_flow "$(awk -F, 'NR > 1 { print $1 }' "$T/conn.csv" | sort -u | wc -l)" 1
expect_eq connection_counts "$(awk -F, 'NR > 1 && $2 == "10.0.0.1" && $3 == 40000 {
	sp += $4; dp += $5; sa += $6; da += $7 } END { print sp, dp, sa, da }' "$T/conn.csv")" \
    "44 42 4000 8000"
expect_eq connection_flags "$("$GAPDUMP" -r "$T/out.gf" -m flow -L0 -s flgs - 'host 10.0.0.1' | tr -d ' ')" "-"
expect_eq connection_end "$(awk -F, 'NR > 1 && $9 == 2 { print $10 }' "$T/conn.csv")" 1

# evictions: counted in SENSOR records and as FINAL records, SYN-only
expect_eq sensor_counts "$("$GAPDUMP" -r "$T/out.gf" -n -o csv \
    -s evicted,emergin,emergout,newflows - sensor | awk -F, 'NR > 1 {
	e += $1; i += $2; o += $3; n += $4 } END { print e, i, o, n }')" \
    "$((N - 999)) 1 1 $((N + 1))"
expect_eq evicted_records "$("$GAPDUMP" -r "$T/out.gf" -n -o csv -s state \
    - 'final and end evicted' | tail -n +2 | sort | uniq -c | tr -s ' ')" \
    " $((N - 999)) 1"

# said on stderr: one entry, one exit
expect_eq stderr_entry "$(grep -c 'emergency mode, new flows' "$T/err")" 1
expect_match stderr_exit "$(cat "$T/err")" \
    "flow table down to 1 of 1000 flows \(low-water mark 750\): emergency mode left after [0-9.]+ s, $((N - 999)) flows evicted during it"
