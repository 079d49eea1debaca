# VLAN ids and the flow key (issue 9): one TCP connection whose client
# sends on VLAN 10 and server on VLAN 20 (tests/captures/synth-vlan-split,
# made by pcapgen; its packets are listed in pcapgen.c) is one flow by
# default, with no gap and no simplex flag, and each direction's VLAN;
# with flows.key_vlan it is two flows.  Expected values by hand from the
# capture's design: client 6 packets and 100 payload bytes, server 4 and
# 200; the VLAN of each direction is checked against tshark's dissection.
. tests/e2e/lib.sh
cap=$CAP/synth-vlan-split.pcap
f=saddr,sport,daddr,dport,spkts,dpkts,sappbytes,dappbytes,sgap,dgap,vlan,dvlan,flgs

"$GAPFLOW" -r "$cap" -w "$T/d.gf"
got=$("$GAPDUMP" -r "$T/d.gf" -n -o csv -s "$f" | tail -n +2)
expect_eq one-flow "$got" "10.0.0.1,40000,10.0.0.2,80,6,4,100,200,0,0,10,20,0"

if have tshark; then
	tv=$(tshark -r "$cap" -T fields -e tcp.srcport -e vlan.id 2>/dev/null |
	    sort -u | tr '\t\n' ':,')
	expect_eq tshark-vlans "$tv" "40000:10,80:20,"
else
	skip tshark-vlans "tshark not installed"
fi

"$GAPFLOW" --set flows.key_vlan=true -r "$cap" -w "$T/k.gf"
got=$("$GAPDUMP" -r "$T/k.gf" -n -o csv -s spkts,dpkts,vlan,dvlan | tail -n +2 |
    sort | tr '\n' ' ')
# one flow per VLAN: the client's 6 packets on 10, the server's 4 on 20
expect_eq key-vlan-two-flows "$got" "0,4,0,20 6,0,10,0 "

# A real capture (Zeek's test suite, IPv6 LDAP whose directions carry
# VLANs 81 and 80) with one real 1,342-byte capture gap (Zeek's baseline):
# only that gap, in one flow.
ldap=../shared/pcaps/zeek_ldap_gap-data-missing.pcapng
if [ -f "$ldap" ] && have editcap; then
	editcap -F pcap -T ether "$ldap" "$T/ldap.pcap"
	"$GAPFLOW" -r "$T/ldap.pcap" -w "$T/l.gf"
	got=$("$GAPDUMP" -r "$T/l.gf" -n -o csv -s sport,dport,sgap,dgap,vlan,dvlan |
	    tail -n +2 | tr '\n' ' ')
	expect_eq ldap-real-gap-only "$got" "49980,389,0,1342,81,80 "
else
	skip ldap-real-gap-only "../shared/pcaps/zeek_ldap_gap-data-missing.pcapng or editcap absent"
fi
