# Sensor input paths give the same flows: merged simplex feeds, stdin,
# pcapng, nanosecond pcap, short snaplen; BPF filters; status intervals
# cut records but not totals; configuration file and flag precedence.
. tests/e2e/lib.sh
X=$CAP/real-tcp4.pcap
FIELDS=proto,saddr,sport,daddr,dport,spkts,dpkts,sbytes,dbytes,sappbytes,dappbytes,sgap,dgap,sloss,dloss,state

# per-flow totals, one line per flow, sorted: independent of how records
# were cut
totals() {
	"$GAPDUMP" -r "$1" -n -o csv -L0 -s "flowid,$FIELDS" | awk -F, '
	{ k = $1; key[k] = $2","$3","$4","$5","$6; st[k] = $17
	  for (i = 7; i <= 16; i++) s[k, i] += $i }
	END { for (k in key) { line = key[k]
	        for (i = 7; i <= 16; i++) line = line "," s[k, i]
	        print line "," st[k] } }' | sort
}

"$GAPFLOW" -r "$X" -w "$T/ref.gf"
totals "$T/ref.gf" >"$T/ref.txt"
expect_eq reference_has_20_flows "$(wc -l <"$T/ref.txt" | tr -d ' ')" 20

# stdin
"$GAPFLOW" -r - -w "$T/stdin.gf" <"$X"
totals "$T/stdin.gf" >"$T/stdin.txt"
expect_eq stdin "$(cmp -s "$T/ref.txt" "$T/stdin.txt" && echo same)" same

if have tcpdump; then
	# two simplex feeds of one link, merged in timestamp order
	tcpdump -r "$X" -w "$T/a.pcap" src host 10.77.0.1 2>/dev/null
	tcpdump -r "$X" -w "$T/b.pcap" src host 10.77.0.2 2>/dev/null
	"$GAPFLOW" -r "$T/a.pcap" -r "$T/b.pcap" -w "$T/merged.gf"
	totals "$T/merged.gf" >"$T/merged.txt"
	expect_eq merged_feeds "$(cmp -s "$T/ref.txt" "$T/merged.txt" && echo same)" same
	# one feed alone: every flow simplex
	"$GAPFLOW" -r "$T/a.pcap" -w "$T/a.gf"
	n=$("$GAPDUMP" -r "$T/a.gf" -o csv -L0 -s flgs - final | grep -vc S)
	expect_eq one_feed_all_simplex "$n" 0
else
	skip merged_feeds "tcpdump not installed"
fi

if have editcap; then
	editcap -F pcapng "$X" "$T/x.pcapng"
	"$GAPFLOW" -r "$T/x.pcapng" -w "$T/ng.gf"
	totals "$T/ng.gf" >"$T/ng.txt"
	expect_eq pcapng "$(cmp -s "$T/ref.txt" "$T/ng.txt" && echo same)" same
	editcap -F nsecpcap "$X" "$T/x.ns.pcap"
	"$GAPFLOW" -r "$T/x.ns.pcap" -w "$T/ns.gf"
	totals "$T/ns.gf" >"$T/ns.txt"
	expect_eq nsec_pcap "$(cmp -s "$T/ref.txt" "$T/ns.txt" && echo same)" same
	# 64-byte snaplen: headers cut, counts from the IP lengths unchanged
	editcap -s 64 "$X" "$T/short.pcap"
	"$GAPFLOW" -r "$T/short.pcap" -w "$T/short.gf"
	totals "$T/short.gf" >"$T/short.txt"
	expect_eq short_snaplen "$(cmp -s "$T/ref.txt" "$T/short.txt" && echo same)" same
else
	skip pcapng "editcap (wireshark-common) not installed"
fi

# BPF capture filter: demo.pcap has 2 UDP flows and 9 flows in all
"$GAPFLOW" -r $CAP/demo.pcap -w "$T/udp.gf" udp
expect_eq bpf_udp "$("$GAPDUMP" -r "$T/udp.gf" -n -o csv -L0 -s proto | sort -u)" 17
expect_eq bpf_udp_count "$("$GAPDUMP" -r "$T/udp.gf" -o csv -L0 -s saddr | wc -l | tr -d ' ')" 2

# status intervals cut records, never totals
"$GAPFLOW" -r "$X" -S 0.001 -w "$T/s001.gf"
"$GAPFLOW" -r "$X" -S 60 -w "$T/s60.gf"
totals "$T/s001.gf" >"$T/s001.txt"
totals "$T/s60.gf" >"$T/s60.txt"
expect_eq interval_totals "$(cmp -s "$T/s001.txt" "$T/s60.txt" && echo same)" same
n001=$("$GAPDUMP" -r "$T/s001.gf" -L0 -o csv -s seq | wc -l)
n60=$("$GAPDUMP" -r "$T/s60.gf" -L0 -o csv -s seq | wc -l)
expect_eq interval_60s_one_record_per_flow "$n60" 20
if [ "$n001" -gt "$n60" ]; then pass interval_10ms_more_records; else fail interval_10ms_more_records "$n001 <= $n60"; fi
# every flow ends with exactly one final record
expect_eq one_final_per_flow "$("$GAPDUMP" -r "$T/s001.gf" -o csv -L0 -s flowid - final | sort | uniq -d | wc -l | tr -d ' ')" 0
expect_eq final_count "$("$GAPDUMP" -r "$T/s001.gf" -o csv -L0 -s flowid - final | wc -l | tr -d ' ')" 20

# configuration file, and flags over it
cat >"$T/c.yaml" <<YAML
flows:
  status_interval: 1ms
YAML
"$GAPFLOW" -c "$T/c.yaml" -r "$X" -w "$T/c.gf"
expect_eq config_interval "$("$GAPDUMP" -r "$T/c.gf" -L0 -o csv -s seq | wc -l | tr -d ' ')" "$n001"
"$GAPFLOW" -c "$T/c.yaml" -S 60 -r "$X" -w "$T/c60.gf"
expect_eq flag_overrides_config "$("$GAPDUMP" -r "$T/c60.gf" -L0 -o csv -s seq | wc -l | tr -d ' ')" 20
"$GAPFLOW" -c "$T/c.yaml" -S 2 --print-config >"$T/p.yaml"
"$GAPFLOW" -c "$T/p.yaml" --print-config >"$T/p2.yaml"
expect_eq print_config_round_trip "$(cmp -s "$T/p.yaml" "$T/p2.yaml" && echo same)" same
expect_match print_config_has_flag_value "$(cat "$T/p.yaml")" 'status_interval: *2(\.0+)?s'

# sensor records: one per interval with the packet count of the file
pk=$("$GAPDUMP" -r "$T/ref.gf" -o csv -L0 -s pkts - sensor | awk '{ s += $1 } END { print s }')
if have capinfos; then
	expect_eq sensor_packets "$pk" "$(capinfos -M -c "$X" | awk '/Number of packets/ { print $NF }')"
fi
