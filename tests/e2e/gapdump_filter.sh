# gapdump filters against an independent count: tshark's display filter
# with the same condition on the capture the records came from.  Flows
# are counted after -m flow (one row per connection) and compared with
# tshark's conversation index; packets and wire bytes are the sums of the
# flows' counters against tshark's frames and frame lengths.
. tests/e2e/lib.sh
if ! have tshark; then
	skip all "tshark is needed for the independent count"
	exit 0
fi

# check NAME CAPTURE GAPDUMP-FILTER TSHARK-FILTER STREAM-FIELD
# (STREAM-FIELD empty: no flow count, e.g. ICMP has no stream index)
check() {
	name=$1 cap=$2 gfilter=$3 tfilter=$4 stream=$5
	gf=$T/$(basename "$cap" .pcap).gf
	[ -f "$gf" ] || "$GAPFLOW" -r "$cap" -S 0.001 -w "$gf" 2>/dev/null
	got=$("$GAPDUMP" -r "$gf" -m flow -L0 -o csv -s pkts,bytes - "$gfilter" |
	    awk -F, '{ n++; p += $1; b += $2 } END { print n + 0, p + 0, b + 0 }')
	tshark -r "$cap" -Y "$tfilter" -T fields -e frame.len ${stream:+-e $stream} \
	    2>/dev/null >"$T/tshark.txt"
	want=$(awk -v s="$stream" '{ p++; b += $1; if (s != "") f[$2] = 1 }
	    END { n = 0; for (k in f) n++; print (s != "" ? n : "-"), p + 0, b + 0 }' "$T/tshark.txt")
	if [ -z "$stream" ]; then
		got=$(echo "$got" | awk '{ print "-", $2, $3 }')
	fi
	expect_eq "$name" "$got" "$want"
}

mixed=$CAP/real-mixed.pcap
check mixed_tcp_dport_7700 $mixed 'tcp and dst port 7700' 'tcp.port == 7700' tcp.stream
check mixed_tcp_port_7701 $mixed 'tcp and port 7701' 'tcp.port == 7701' tcp.stream
check mixed_tcp_port_7799 $mixed 'tcp and dst port 7799' 'tcp.port == 7799' tcp.stream
check mixed_udp $mixed 'udp' 'udp' udp.stream
check mixed_udp_v6 $mixed 'udp and ip6' 'udp and ipv6' udp.stream
check mixed_tcp_v6 $mixed 'ip6 and tcp' 'ipv6 and tcp' tcp.stream
check mixed_icmp $mixed 'icmp' 'icmp or icmpv6' ''
check mixed_not_7700 $mixed 'tcp and not port 7700' 'tcp and not tcp.port == 7700' tcp.stream
check mixed_host_range $mixed 'tcp and host 10.77.0.2 and portrange 7700-7701' \
    'ip.addr == 10.77.0.2 and tcp.port >= 7700 and tcp.port <= 7701' tcp.stream
check mixed_net $mixed 'tcp and net fd77::/16' 'ipv6.addr == fd77::/16 and tcp' tcp.stream
check mixed_all_ip $mixed 'ip or ip6' 'ip or ipv6' ''
for cap in $CAP/demo.pcap $CAP/real-tcp4.pcap $CAP/real-tcp6.pcap $CAP/real-loss.pcap; do
	name=$(basename "$cap" .pcap)
	check "${name}_tcp_7700" "$cap" 'tcp and dst port 7700' \
	    'tcp.dstport == 7700 or tcp.srcport == 7700' tcp.stream
done

# flows with a reset, by stream: the filter selects the records with RST
gf=$T/real-mixed.gf
got=$("$GAPDUMP" -r "$gf" -m flow -L0 - 'tcp and rst' | wc -l)
want=$(tshark -r $mixed -Y 'tcp.flags.reset == 1' -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
expect_eq mixed_rst_flows "$got" "$want"
# the same count through a filter on a field, and on a record kind
got=$("$GAPDUMP" -r "$gf" -m flow -L0 - 'final and end rst' | wc -l)
expect_eq mixed_end_rst_flows "$got" "$want"
# flows with a FIN, and IPv6 flows without one, by stream
got=$("$GAPDUMP" -r "$T/real-mixed.gf" -m flow -L0 - 'tcp and fin' | wc -l)
want=$(tshark -r $mixed -Y 'tcp.flags.fin == 1' -T fields -e tcp.stream 2>/dev/null | sort -u | wc -l)
expect_eq mixed_fin_flows "$got" "$want"
