# Tunnels (issue 14).  Synthetic captures from pcapgen (the packets are
# listed in tests/tools/pcapgen.c): the flow is the inner conversation and
# tunid the outermost tunnel id, checked against tshark's dissection; an
# outer datagram fragmented in two is reassembled into one packet of its
# inner flow (hand-computed sizes), one never completed is counted as
# lost.  Then, when ../shared/pcaps is there, the public captures of
# issue 14 give the inner flows, packets and gaps of Zeek's own baselines
# (testing/btest/Baseline of github.com/zeek/zeek).
. tests/e2e/lib.sh

# the tunnel ids of the flows are the ids tshark dissects
if have tshark; then
	for c in "gtpu gtp.teid" "vxlan vxlan.vni" "geneve geneve.vni" \
	    "pbb ieee8021ah.isid"; do
		set -- $c
		"$GAPFLOW" -r "$CAP/synth-$1.pcap" -w "$T/$1.gf"
		got=$("$GAPDUMP" -r "$T/$1.gf" -m flow -o csv -s tunid |
		    tail -n +2 | sort -n | uniq | tr '\n' ' ')
		want=$(tshark -r "$CAP/synth-$1.pcap" -T fields -e "$2" \
		    2>/dev/null | sort -u | while read -r x; do
			printf '%d\n' "$x"; done | sort -n | uniq | tr '\n' ' ')
		expect_eq "tunid-$1" "$got" "$want"
	done
else
	skip tunid "tshark not installed"
fi

# reassembly: frames of 554 and 570 bytes make one 1090-byte datagram
# whose inner TCP segment carries 1000 bytes; the third frame's datagram
# never completes
"$GAPFLOW" -r "$CAP/synth-tunfrag.pcap" -w "$T/f.gf"
got=$("$GAPDUMP" -r "$T/f.gf" -n -o csv -s saddr,sport,daddr,dport,spkts,sbytes,sappbytes,encaps,tunid | tail -n +2)
# encaps 1025: Ethernet 0x0001 + GTP-U 0x0400; no TEID set (0)
expect_eq reasm-flow "$got" "10.1.0.1,1000,10.2.0.1,80,1,1124,1000,1025,0"
got=$("$GAPDUMP" -r "$T/f.gf" -o csv -s pkts,bytes,reasm_held,reasm_done,reasm_lost,reasm_full - sensor | tail -n 1)
expect_eq reasm-counts "$got" "3,1678,3,1,1,0"
# reassembly off: the three fragments are the outer UDP flow of GTP-U
"$GAPFLOW" --set decode.reassembly.slots=0 -r "$CAP/synth-tunfrag.pcap" -w "$T/g.gf"
got=$("$GAPDUMP" -r "$T/g.gf" -n -o csv -s proto,saddr,sport,daddr,dport,spkts,frags | tail -n +2)
expect_eq reasm-off "$got" "17,192.0.2.1,2152,192.0.2.2,2152,3,3"

# the public captures: CAPTURE FILTER FIELDS EXPECTED (Zeek's conn.log)
P=../shared/pcaps
if [ ! -d "$P" ]; then
	skip zeek-captures "../shared/pcaps absent"
	exit 0
fi
zeek_case() {
	name=$1 flt=$2 want=$3
	if [ ! -f "$P/$name.pcap" ]; then
		skip "$name" "$P/$name.pcap absent"
		return
	fi
	"$GAPFLOW" -r "$P/$name.pcap" -w "$T/z.gf" 2>/dev/null
	# packets and gap summed over the records of the inner flow
	got=$("$GAPDUMP" -r "$T/z.gf" -n -o csv -s spkts,dpkts,sgap,dgap - "$flt" |
	    awk -F, 'NR > 1 { a += $1; b += $2; g += $3 + $4 }
	    END { printf "%d,%d,%d", a, b, g }')
	expect_eq "$name" "$got" "$want"
}
# orig pkts, resp pkts, missed bytes
zeek_case zeek_tunnels_gtp1_gn_normal_incl_fragmentation \
    "host 10.131.47.185 and port 1923" 27,41,5760
zeek_case zeek_tunnels_vxlan-encapsulated-http \
    "host 172.16.11.201 and port 40354" 7,5,0
zeek_case zeek_tunnels_Teredo \
    "host 2001:0:4137:9e50:8000:f12a:b9c8:2815 and port 1286" 10,12,0
zeek_case zeek_tunnels_gre-over-udp-4754 "host 172.17.0.2 and port 36518" 6,4,0
zeek_case zeek_tunnels_gre-over-udp-4754 "host 172.17.0.2 and port 51714" 2,2,0
zeek_case zeek_pbb "host 10.199.249.11 and port 49601" 5,3,0
zeek_case zeek_pppoe-over-qinq "host 1.1.1.1 and port 20394" 44,42,0
zeek_case zeek_tunnels_geneve "host 30.0.0.1 and proto 1" 3,3,0
