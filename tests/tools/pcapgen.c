/*
 * pcapgen.c - write the synthetic decoder edge-case captures.
 *
 *	pcapgen OUTDIR
 *
 * Writes the files below into OUTDIR, a handful of packets each, built
 * with tests/lib/pktbuild.  Output is deterministic (fixed timestamps
 * from 2024-01-01 00:00:00 UTC, 1 ms apart), so regenerating
 * tests/captures/synth-*.pcap gives identical bytes.  Expected decode
 * (gf_decode) of every packet, also checked by test_decode.c:
 *
 * file                 #  content                                  result
 * synth-erspan2.pcap   1  ERSPAN II (GRE seq), inner VLAN 55,      OK ETHER|VLAN|GRE|ERSPAN
 *                         TCP SYN 10.0.0.1:1111 > 10.0.0.2:80         vlan 55, 50 bytes before
 *                                                                     the inner Ethernet
 *                      2  same flow, SYN-ACK                       OK
 *                      3  same flow, ACK + 100 bytes               OK payload 100
 * synth-erspan3.pcap   1  ERSPAN III, inner VLAN 100, TCP SYN      OK ETHER|VLAN|GRE|ERSPAN vlan 100
 *                      2  ERSPAN III + platform subheader (O),     OK ... |QINQ vlan 100
 *                         inner QinQ 100/200, SYN-ACK
 * synth-vlan-mpls.pcap 1  VLAN 10, MPLS 16/17/18, UDP v4           OK ETHER|VLAN|MPLS vlan 10
 *                      2  VLAN 10, MPLS 2 (v6 explicit null), TCP  OK family 6
 *                      3  MPLS 1000 (no VLAN), ICMP echo           OK ETHER|MPLS
 * synth-qinq.pcap      1  0x88a8 200 / 0x8100 300, UDP             OK ETHER|VLAN|QINQ vlan 200
 *                      2  0x9100 42 / 0x8100 43, TCP               OK vlan 42
 * synth-gre.pcap       1  GRE key 0xdeadbeef seq 1, TCP v4         OK ETHER|GRE
 *                      2  GRE key+seq+checksum, TCP v4 reply       OK ETHER|GRE
 *                      3  GRE over IPv6, inner UDP v4              OK ETHER|GRE
 *                      4  GRE 0x6558 (TEB), inner VLAN 7, TCP v6   OK ETHER|GRE|VLAN vlan 7
 * synth-ipip.pcap      1  4in4, UDP 10.0.0.1:1000 > 10.0.0.2:2000  OK ETHER|IPIP
 *                      2  6in4, TCP 2001:db8::1 > 2001:db8::2      OK ETHER|IPIP family 6
 *                      3  4in6, ICMP echo                          OK ETHER|IPIP
 * synth-frag4.pcap     1  UDP 1400 bytes id 0x1111: first (0..479) OK FRAG_FIRST, ports
 *                      2  middle (480..959)                        OK FRAG_LATER
 *                      3  last (960..1407)                         OK FRAG_LATER
 *                      4  id 0x2222: last fragment first (480..)   OK FRAG_LATER (orphan)
 *                      5  id 0x2222: first fragment (0..479)       OK FRAG_FIRST
 * synth-frag6.pcap     1  HBH + fragment hdr id 0xabcdef01, UDP,   OK FRAG_FIRST proto 17
 *                         first 1232 bytes
 *                      2  the rest (1232..1507)                    OK FRAG_LATER
 * synth-sll.pcap       1  Linux cooked v1, TCP SYN v4              OK SLL
 *                      2  Linux cooked v1, UDP v6                  OK SLL
 * synth-sll2.pcap      1  Linux cooked v2, TCP SYN v4              OK SLL
 *                      2  Linux cooked v2, UDP v6                  OK SLL
 * synth-null-le.pcap   1  BSD null AF 2 little-endian, TCP v4      OK NULL
 *                      2  AF 24 little-endian, TCP v6              OK NULL
 * synth-null-be.pcap   1  AF 2 big-endian, TCP v4                  OK NULL
 *                      2  AF 30 big-endian (macOS), TCP v6         OK NULL
 *                      3  AF 28 big-endian (FreeBSD), UDP v6       OK NULL
 * synth-raw.pcap       1  LINKTYPE_RAW, TCP v4 (nanosecond file)   OK RAW
 *                      2  LINKTYPE_RAW, UDP v6                     OK RAW
 * synth-trunc.pcap     1  snaplen 10: Ethernet cut                 BAD bad_link
 *                      2  VLAN tag cut (snaplen 16)                BAD bad_encap
 *                      3  IPv4 header cut (snaplen 30)             BAD bad_iphdr
 *                      4  IPv4 options cut (snaplen 40)            BAD bad_iphdr
 *                      5  TCP header cut (snaplen 50)              BAD bad_l4hdr
 *                      6  TCP options cut (snaplen 58): fine       OK mss 1460, no wscale
 *                      7  IPv4 total length 1 > the frame, cut     BAD bad_iplen
 *                         by a snaplen (caplen 53 of wire 54)
 *                      8  IPv4 total length < header               BAD bad_iplen
 *                      9  TCP data offset 4                        BAD bad_tcpoff
 *                     10  TCP data offset 15 > IP payload          BAD bad_tcpoff
 *                     11  ethertype IPv4, version 6                BAD bad_ipver
 *                     12  IPv6 extension chain cut (snaplen 63)    BAD bad_ip6ext
 *                     13  GRE key cut (snaplen 40)                 BAD bad_encap
 *                     14  ERSPAN II header cut (snaplen 45)        BAD bad_encap
 *                     15  UDP header cut (snaplen 40)              BAD bad_l4hdr
 *                     16  IPv6 payload length 1 > the frame, cut   BAD bad_iplen
 *                         by a snaplen (caplen 61 of wire 62)
 *                     17  snaplen 54 of a 1514-byte TCP segment    OK payload 1460
 *                     18  the same with its wire length lost       OK shortwire, wire 1514
 *                         (wire = caplen = 54, as dpkt writes)
 *                     19  IPv6 TCP 1000 bytes, wire = caplen = 74  OK shortwire, wire 1074
 * synth-vlan-split.pcap  one TCP connection 10.0.0.1:40000 > 10.0.0.2:80
 *                      whose client sends on VLAN 10 and server on VLAN 20
 *                      (router on a stick): SYN, SYN-ACK, ACK, 100 bytes,
 *                      ACK, 200 bytes, ACK, FIN, FIN-ACK, ACK: client 6
 *                      packets, server 4, no gap
 * Tunnels (issue 14); outer 192.0.2.1 > 192.0.2.2 (or 2001:db8:f::1 > ::2),
 * inner TCP 10.1.0.1:1000 > 10.2.0.1:80 SYN then its SYN-ACK, unless said:
 * synth-gtpu.pcap      1, 2  GTP-U TEID 0x1234 (both ports 2152)       OK T
 *                      3  seq + 2 extension headers, inner v6 UDP   OK T (6 in 4)
 *                         2001:db8:1::1:7701 > 2001:db8:2::1:7700
 *                      4  outer IPv6, inner v4 UDP 10.1.0.1:7701 >   OK T (4 in 6)
 *                         10.2.0.1:7700, TEID 7
 * synth-vxlan.pcap     1, 2  VNI 42, inner Ethernet + VLAN 7         OK X v
 *                      3  outer IPv6, inner v4 UDP as above, VNI 43 OK X
 * synth-geneve.pcap    1, 2  VNI 99, 8 option bytes, inner Ethernet  OK N
 *                      3  inner IP (no Ethernet), v6 UDP as above   OK N
 * synth-greudp.pcap    1, 2  GRE in UDP 4754, inner v4 TCP           OK G
 *                      3  inner v6 UDP as above                     OK G
 * synth-teredo.pcap    1  UDP 3544, inner v6 UDP                     OK D
 *                         2001:0:4136:e378::1:5000 > 2001:db8::9:6000
 *                      2  the reply, origin indication first        OK D
 *                      3  UDP 3544 whose payload is not IPv6        OK plain UDP
 * synth-pbb.pcap       1, 2  B-VLAN 100, I-SID 0x10203, C-VLAN 5     OK B v q
 * synth-pppoe.pcap     1, 2  PPPoE session 0x11, inner v4 TCP        OK P
 *                      3  QinQ 10/20 + PPPoE, inner v6 UDP as above OK P v q
 *                      4  PPPoE LCP echo                            NONIP
 * synth-tunbad.pcap    1  GTP-U header cut (snaplen 46)             BAD bad_gtpu
 *                      2  GTP-U version 2                           BAD bad_gtpu
 *                      3  VXLAN header cut (snaplen 46)             BAD bad_vxlan
 *                      4  VXLAN I flag clear                        BAD bad_vxlan
 *                      5  Geneve header cut (snaplen 46)            BAD bad_geneve
 *                      6  Geneve version 1                          BAD bad_geneve
 *                      7  GRE in UDP, GRE header cut (snaplen 44)   BAD bad_encap
 *                      8  GRE in UDP, routing bit set               BAD bad_encap
 *                      9  Teredo on 3544, IPv6 header cut (snap 62) BAD bad_teredo
 *                     10  PBB I-TAG cut (snaplen 16)                BAD bad_pbb
 *                     11  PBB customer MAC header cut (snaplen 28)  BAD bad_pbb
 *                     12  PPPoE header cut (snaplen 18)             BAD bad_pppoe
 *                     13  PPPoE version 2                           BAD bad_pppoe
 *                     14  GTP-U echo request (type 1)               OK plain UDP 2152
 *                     15  VXLAN inner Ethernet cut (snaplen 60)     BAD bad_vxlan
 *                     16  Teredo relay: UDP 32900 > 3797, inner v6  OK D (by content;
 *                         2001:db8::9:6000 > 2001:0:4136:e378::1:5000  tshark: plain UDP)
 * synth-tunfrag.pcap   GTP-U in IPv4 fragmented in two (id 0x77): TCP
 *                      10.1.0.1:1000 > 10.2.0.1:80, 1000 payload bytes:
 *                      1  first fragment (outer bytes 0..519)       OK, held
 *                      2  second fragment (544..)                   OK, completes
 *                      3  another datagram's first fragment (id     OK, held,
 *                         0x78) whose second fragment is missing       never done
 * synth-nonip.pcap     1  ARP request                              NONIP
 *                      2  LLDP (0x88cc)                            NONIP
 *                      3  802.3 length field + LLC                 NONIP
 * synth-icmp.pcap      1  ICMP echo request id 0x4242              OK icmp 8/0 id 0x4242
 *                      2  ICMP echo reply                          OK icmp 0/0 id 0x4242
 *                      3  UDP 10.0.0.2:5000 > 10.0.0.1:4000        OK
 *                      4  ICMP port unreachable quoting packet 3   OK icmp 3/3, quoted UDP
 *                                                                     10.0.0.2:5000 > 10.0.0.1:4000
 *                      5  ICMPv6 echo request id 7                 OK icmp 128/0 id 7
 *                      6  ICMPv6 echo reply                        OK icmp 129/0 id 7
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"

#define T0 1704067200000000000ull	/* 2024-01-01T00:00:00Z */

static const char *outdir;
static struct pw *cur;
static uint64_t ts;
static uint8_t buf[PB_MAXFRAME];

static void
file_open(const char *name, enum pb_link link, int nsec)
{
	struct pb_spec s;
	char path[4096];

	pb_spec_init(&s);
	s.link = link;
	if (snprintf(path, sizeof(path), "%s/%s", outdir, name) >=
	    (int)sizeof(path))
		errx(2, "path too long");
	if ((cur = pw_open(path, pb_linktype(&s), nsec)) == NULL)
		err(2, "%s", path);
	ts = T0;
}

static void
file_close(void)
{
	if (pw_close(cur) != 0)
		err(2, "write");
	cur = NULL;
}

/* Write s; lostwire records its wire length as its captured length, as
 * dpkt and some scapy versions write. */
static void
emit_as(const struct pb_spec *s, int lostwire)
{
	uint32_t wire;
	size_t cap;

	if ((cap = pb_build(s, buf, sizeof(buf), &wire)) == 0)
		errx(2, "pb_build failed (packet at %llu)",
		    (unsigned long long)ts);
	if (pw_write(cur, ts, buf, (uint32_t)cap,
	    lostwire ? (uint32_t)cap : wire) != 0)
		err(2, "write");
	ts += 1000000;
}

static void
emit(const struct pb_spec *s)
{
	emit_as(s, 0);
}

static void
erspan(void)
{
	struct pb_spec s;

	file_open("synth-erspan2.pcap", PB_LINK_ETHER, 0);
	pb_spec_tcp(&s, "10.0.0.1", 1111, "10.0.0.2", 80);
	s.encap = PB_ENC_ERSPAN2;
	s.outer_src = "172.16.0.1";
	s.outer_dst = "172.16.0.2";
	s.erspan_session = 100;
	s.inner_nvlan = 1;
	s.inner_vlan[0] = 55;
	s.flags = PB_SYN;
	s.seq = 1000;
	s.mss = 1460;
	s.gre_seq = 1;
	emit(&s);
	pb_spec_swap(&s);
	s.outer_src = "172.16.0.1";	/* the mirror always sends one way */
	s.outer_dst = "172.16.0.2";
	s.flags = PB_SYN | PB_ACK;
	s.seq = 5000;
	s.ack = 1001;
	s.gre_seq = 2;
	emit(&s);
	pb_spec_swap(&s);
	s.outer_src = "172.16.0.1";
	s.outer_dst = "172.16.0.2";
	s.flags = PB_ACK | PB_PSH;
	s.mss = 0;
	s.seq = 1001;
	s.ack = 5001;
	s.paylen = 100;
	s.gre_seq = 3;
	emit(&s);
	file_close();

	file_open("synth-erspan3.pcap", PB_LINK_ETHER, 0);
	pb_spec_tcp(&s, "10.0.0.1", 2222, "10.0.0.2", 443);
	s.encap = PB_ENC_ERSPAN3;
	s.outer_src = "172.16.0.1";
	s.outer_dst = "172.16.0.2";
	s.erspan_session = 200;
	s.inner_nvlan = 1;
	s.inner_vlan[0] = 100;
	s.flags = PB_SYN;
	s.seq = 1;
	s.gre_seq = 1;
	emit(&s);
	pb_spec_swap(&s);
	s.outer_src = "172.16.0.1";
	s.outer_dst = "172.16.0.2";
	s.erspan_o = 1;
	s.inner_nvlan = 2;
	s.inner_vlan[1] = 200;
	s.flags = PB_SYN | PB_ACK;
	s.seq = 9;
	s.ack = 2;
	s.gre_seq = 2;
	emit(&s);
	file_close();
}

static void
vlan_mpls_qinq(void)
{
	struct pb_spec s;

	file_open("synth-vlan-mpls.pcap", PB_LINK_ETHER, 0);
	pb_spec_udp(&s, "10.0.0.1", 1000, "10.0.0.2", 4000);
	s.paylen = 20;
	s.nvlan = 1;
	s.vlan[0] = 10;
	s.nmpls = 3;
	s.mpls[0] = 16;
	s.mpls[1] = 17;
	s.mpls[2] = 18;
	emit(&s);
	pb_spec_tcp(&s, "2001:db8::1", 40000, "2001:db8::2", 80);
	s.flags = PB_SYN;
	s.nvlan = 1;
	s.vlan[0] = 10;
	s.nmpls = 1;
	s.mpls[0] = 2;
	emit(&s);
	pb_spec_icmp(&s, "10.0.0.1", "10.0.0.2", 8, 0);
	s.icmp_id = 1;
	s.paylen = 8;
	s.nmpls = 1;
	s.mpls[0] = 1000;
	emit(&s);
	file_close();

	file_open("synth-qinq.pcap", PB_LINK_ETHER, 0);
	pb_spec_udp(&s, "10.0.0.1", 1000, "10.0.0.2", 4000);
	s.nvlan = 2;
	s.vlan[0] = 200;
	s.vlan[1] = 300;
	emit(&s);
	pb_spec_tcp(&s, "10.0.0.3", 3333, "10.0.0.4", 80);
	s.nvlan = 2;
	s.vlan[0] = 42;
	s.vlan[1] = 43;
	s.vlan_tpid[0] = 0x9100;
	s.flags = PB_SYN;
	emit(&s);
	file_close();
}

static void
gre_ipip(void)
{
	struct pb_spec s;

	file_open("synth-gre.pcap", PB_LINK_ETHER, 0);
	pb_spec_tcp(&s, "10.1.1.1", 40000, "10.2.2.2", 443);
	s.encap = PB_ENC_GRE;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	s.gre_key_on = 1;
	s.gre_key = 0xdeadbeef;
	s.gre_seq_on = 1;
	s.gre_seq = 1;
	s.flags = PB_SYN;
	emit(&s);
	pb_spec_swap(&s);
	s.gre_csum = 1;
	s.gre_seq = 2;
	s.flags = PB_SYN | PB_ACK;
	s.ack = 1;
	emit(&s);
	pb_spec_udp(&s, "10.1.1.1", 5000, "10.2.2.2", 4000);
	s.paylen = 30;
	s.encap = PB_ENC_GRE;
	s.outer_src = "2001:db8::a";
	s.outer_dst = "2001:db8::b";
	emit(&s);
	pb_spec_tcp(&s, "2001:db8:1::1", 50000, "2001:db8:2::2", 22);
	s.encap = PB_ENC_GRE;
	s.gre_teb = 1;
	s.inner_nvlan = 1;
	s.inner_vlan[0] = 7;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	s.flags = PB_SYN;
	emit(&s);
	file_close();

	file_open("synth-ipip.pcap", PB_LINK_ETHER, 0);
	pb_spec_udp(&s, "10.0.0.1", 1000, "10.0.0.2", 2000);
	s.paylen = 12;
	s.encap = PB_ENC_IPIP;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	emit(&s);
	pb_spec_tcp(&s, "2001:db8::1", 1000, "2001:db8::2", 80);
	s.encap = PB_ENC_IPIP;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	s.flags = PB_SYN;
	emit(&s);
	pb_spec_icmp(&s, "10.9.9.9", "10.8.8.8", 8, 0);
	s.icmp_id = 3;
	s.encap = PB_ENC_IPIP;
	s.outer_src = "2001:db8::1";
	s.outer_dst = "2001:db8::2";
	emit(&s);
	file_close();
}

static void
fragments(void)
{
	struct pb_spec s;

	/* One datagram in three, then one whose last fragment arrives
	 * before its first. */
	file_open("synth-frag4.pcap", PB_LINK_ETHER, 0);
	pb_spec_udp(&s, "10.0.0.1", 7000, "10.0.0.2", 9000);
	s.paylen = 1400;		/* 1408 bytes after the IP header */
	s.ipid = 0x1111;
	s.frag_len = 480;
	s.frag_off = 0;
	emit(&s);
	s.frag_off = 480;
	emit(&s);
	s.frag_off = 960;
	emit(&s);
	s.ipid = 0x2222;
	s.paylen = 900;			/* 908: 0..479 and 480..907 */
	s.frag_off = 480;
	emit(&s);
	s.frag_off = 0;
	emit(&s);
	file_close();

	file_open("synth-frag6.pcap", PB_LINK_ETHER, 0);
	pb_spec_udp(&s, "2001:db8::1", 7000, "2001:db8::2", 9000);
	s.paylen = 1500;		/* 1508 bytes fragmentable */
	s.hbh_len = 8;
	s.frag6 = 1;
	s.frag6_id = 0xabcdef01;
	s.frag_len = 1232;
	s.frag_off = 0;
	emit(&s);
	s.frag_off = 1232;
	emit(&s);
	file_close();
}

static void
links(void)
{
	struct pb_spec s;
	enum pb_link l;
	const char *name;
	int i;

	for (i = 0; i < 2; i++) {
		l = i == 0 ? PB_LINK_SLL : PB_LINK_SLL2;
		name = i == 0 ? "synth-sll.pcap" : "synth-sll2.pcap";
		file_open(name, l, 0);
		pb_spec_tcp(&s, "10.0.0.1", 1234, "10.0.0.2", 80);
		s.link = l;
		s.flags = PB_SYN;
		s.mss = 1460;
		emit(&s);
		pb_spec_udp(&s, "2001:db8::1", 5300, "2001:db8::2", 4000);
		s.link = l;
		s.paylen = 16;
		emit(&s);
		file_close();
	}

	file_open("synth-null-le.pcap", PB_LINK_NULL, 0);
	pb_spec_tcp(&s, "127.0.0.1", 1234, "127.0.0.1", 80);
	s.link = PB_LINK_NULL;
	s.flags = PB_SYN;
	emit(&s);
	pb_spec_tcp(&s, "::1", 1234, "::1", 80);
	s.link = PB_LINK_NULL;
	s.flags = PB_SYN;
	emit(&s);
	file_close();

	file_open("synth-null-be.pcap", PB_LINK_NULL, 0);
	pb_spec_tcp(&s, "127.0.0.1", 1234, "127.0.0.1", 80);
	s.link = PB_LINK_NULL;
	s.null_be = 1;
	s.flags = PB_SYN;
	emit(&s);
	pb_spec_tcp(&s, "::1", 1234, "::1", 80);
	s.link = PB_LINK_NULL;
	s.null_be = 1;
	s.null_af = 30;
	s.flags = PB_SYN;
	emit(&s);
	pb_spec_udp(&s, "::1", 1234, "::1", 4000);
	s.link = PB_LINK_NULL;
	s.null_be = 1;
	s.null_af = 28;
	emit(&s);
	file_close();

	file_open("synth-raw.pcap", PB_LINK_RAW, 1);
	pb_spec_tcp(&s, "10.0.0.1", 1234, "10.0.0.2", 80);
	s.link = PB_LINK_RAW;
	s.flags = PB_SYN;
	emit(&s);
	pb_spec_udp(&s, "2001:db8::1", 5300, "2001:db8::2", 4000);
	s.link = PB_LINK_RAW;
	s.paylen = 10;
	emit(&s);
	file_close();
}

static void
truncated(void)
{
	struct pb_spec s;

	file_open("synth-trunc.pcap", PB_LINK_ETHER, 0);
	pb_spec_tcp(&s, "10.0.0.1", 1234, "10.0.0.2", 80);
	s.snaplen = 10;
	emit(&s);					/* 1 */
	s.nvlan = 1;
	s.vlan[0] = 5;
	s.snaplen = 16;
	emit(&s);					/* 2 */
	s.nvlan = 0;
	s.snaplen = 30;
	emit(&s);					/* 3 */
	s.ipopt_len = 12;
	s.snaplen = 40;
	emit(&s);					/* 4 */
	s.ipopt_len = 0;
	s.snaplen = 50;
	emit(&s);					/* 5 */
	s.flags = PB_SYN;
	s.mss = 1460;
	s.wscale = 7;
	s.snaplen = 58;
	emit(&s);					/* 6 */
	pb_spec_tcp(&s, "10.0.0.1", 1234, "10.0.0.2", 80);
	s.ip_len_adj = 1;
	s.snaplen = 53;
	emit(&s);					/* 7 */
	s.snaplen = 0;
	s.ip_len_adj = -30;
	emit(&s);					/* 8 */
	s.ip_len_adj = 0;
	s.tcp_doff = 4;
	emit(&s);					/* 9 */
	s.tcp_doff = 15;
	emit(&s);					/* 10 */
	s.tcp_doff = 0;
	s.ip_version = 6;
	emit(&s);					/* 11 */
	pb_spec_tcp(&s, "2001:db8::1", 1234, "2001:db8::2", 80);
	s.hbh_len = 8;
	s.ndstopt = 1;
	s.snaplen = 63;		/* 1 byte of the dstopts header at 62 */
	emit(&s);					/* 12 */
	pb_spec_tcp(&s, "10.1.1.1", 40000, "10.2.2.2", 443);
	s.encap = PB_ENC_GRE;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	s.gre_key_on = 1;
	s.snaplen = 40;
	emit(&s);					/* 13 */
	s.encap = PB_ENC_ERSPAN2;
	s.gre_key_on = 0;
	s.snaplen = 45;
	emit(&s);					/* 14 */
	pb_spec_udp(&s, "10.0.0.1", 1000, "10.0.0.2", 4000);
	s.snaplen = 40;
	emit(&s);					/* 15 */
	pb_spec_udp(&s, "2001:db8::1", 1000, "2001:db8::2", 4000);
	s.ip_len_adj = 1;
	s.snaplen = 61;
	emit(&s);					/* 16 */
	pb_spec_tcp(&s, "10.0.0.1", 1234, "10.0.0.2", 80);
	s.paylen = 1460;
	s.snaplen = 54;
	emit(&s);					/* 17 */
	emit_as(&s, 1);				/* 18 */
	pb_spec_tcp(&s, "2001:db8::1", 1234, "2001:db8::2", 80);
	s.paylen = 1000;
	s.snaplen = 74;
	emit_as(&s, 1);				/* 19 */
	file_close();
}

/* s with byte off of the built frame set to v. */
static void
emit_patched(const struct pb_spec *s, size_t off, uint8_t v)
{
	uint32_t wire;
	size_t cap;

	if ((cap = pb_build(s, buf, sizeof(buf), &wire)) == 0 || off >= cap)
		errx(2, "pb_build failed (packet at %llu)",
		    (unsigned long long)ts);
	buf[off] = v;
	if (pw_write(cur, ts, buf, (uint32_t)cap, wire) != 0)
		err(2, "write");
	ts += 1000000;
}

/*
 * s (Ethernet, outer IPv4) with its outer datagram cut in two fragments
 * at payload byte at (a multiple of 8), IP id id; only the first when
 * first_only.
 */
static void
emit_outer_frags(const struct pb_spec *s, uint16_t id, uint32_t at,
    int first_only)
{
	static uint8_t f[PB_MAXFRAME];
	uint32_t wire, hl, tot, sum;
	size_t cap;
	int k;

	if ((cap = pb_build(s, buf, sizeof(buf), &wire)) == 0)
		errx(2, "pb_build failed (fragments)");
	hl = (uint32_t)(buf[14] & 0x0f) * 4;
	tot = (uint32_t)buf[16] << 8 | buf[17];
	for (k = 0; k < (first_only ? 1 : 2); k++) {
		uint32_t lo = k ? at : 0, hi = k ? tot - hl : at;
		uint8_t *h = f + 14;
		memcpy(f, buf, 14 + hl);
		memcpy(f + 14 + hl, buf + 14 + hl + lo, hi - lo);
		h[2] = (uint8_t)((hl + hi - lo) >> 8);
		h[3] = (uint8_t)(hl + hi - lo);
		h[4] = (uint8_t)(id >> 8);
		h[5] = (uint8_t)id;
		h[6] = (uint8_t)((k ? 0 : 0x20) | ((lo / 8) >> 8));
		h[7] = (uint8_t)(lo / 8);
		h[10] = h[11] = 0;
		sum = 0;
		for (uint32_t i = 0; i < hl; i += 2)
			sum += (uint32_t)h[i] << 8 | h[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		h[10] = (uint8_t)(~sum >> 8);
		h[11] = (uint8_t)~sum;
		if (pw_write(cur, ts, f, 14 + hl + hi - lo,
		    14 + hl + hi - lo) != 0)
			err(2, "write");
		ts += 1000000;
	}
}

/* Outer addresses and the inner TCP SYN of the tunnel captures. */
static void
tun_spec(struct pb_spec *s, enum pb_encap e, int outer6)
{
	pb_spec_tcp(s, "10.1.0.1", 1000, "10.2.0.1", 80);
	s->flags = PB_SYN;
	s->seq = 100;
	s->encap = e;
	s->outer_src = outer6 ? "2001:db8:f::1" : "192.0.2.1";
	s->outer_dst = outer6 ? "2001:db8:f::2" : "192.0.2.2";
}

/* The SYN of tun_spec, then its SYN-ACK (both directions swapped). */
static void
tun_pair(struct pb_spec *s)
{
	emit(s);
	pb_spec_swap(s);
	s->flags = PB_SYN | PB_ACK;
	s->seq = 500;
	s->ack = 101;
	emit(s);
	pb_spec_swap(s);
}

static void
tun_udp(struct pb_spec *s, enum pb_encap e, int outer6, int inner6)
{
	tun_spec(s, e, outer6);
	pb_spec_udp(s, inner6 ? "2001:db8:1::1" : "10.1.0.1", 7701,
	    inner6 ? "2001:db8:2::1" : "10.2.0.1", 7700);
	s->paylen = 20;
	s->encap = e;
	s->outer_src = outer6 ? "2001:db8:f::1" : "192.0.2.1";
	s->outer_dst = outer6 ? "2001:db8:f::2" : "192.0.2.2";
}

static void
tunnels(void)
{
	struct pb_spec s;
	static const uint8_t notv6[60] = { 'z', 'z', 'z', 'z' };
	static const uint8_t lcp[] = { 0x11, 0x00, 0x00, 0x11, 0x00, 0x0a,
	    0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 0, 0, 0, 0 };

	file_open("synth-gtpu.pcap", PB_LINK_ETHER, 0);
	tun_spec(&s, PB_ENC_GTPU, 0);
	s.tun_sport = 2152;
	s.tun_id = 0x1234;
	tun_pair(&s);
	tun_udp(&s, PB_ENC_GTPU, 0, 1);
	s.tun_sport = 2152;
	s.tun_id = 0x1234;
	s.gtp_seq = 1;
	s.gtp_ext = 2;
	emit(&s);
	tun_udp(&s, PB_ENC_GTPU, 1, 0);
	s.tun_sport = 2152;
	s.tun_id = 7;
	emit(&s);
	file_close();

	file_open("synth-vxlan.pcap", PB_LINK_ETHER, 0);
	tun_spec(&s, PB_ENC_VXLAN, 0);
	s.tun_id = 42;
	s.inner_nvlan = 1;
	s.inner_vlan[0] = 7;
	tun_pair(&s);
	tun_udp(&s, PB_ENC_VXLAN, 1, 0);
	s.tun_id = 43;
	emit(&s);
	file_close();

	file_open("synth-geneve.pcap", PB_LINK_ETHER, 0);
	tun_spec(&s, PB_ENC_GENEVE, 0);
	s.tun_id = 99;
	s.geneve_opt = 8;
	tun_pair(&s);
	tun_udp(&s, PB_ENC_GENEVE, 0, 1);
	s.tun_id = 99;
	s.geneve_ip = 1;
	emit(&s);
	file_close();

	file_open("synth-greudp.pcap", PB_LINK_ETHER, 0);
	tun_spec(&s, PB_ENC_GRE_UDP, 0);
	tun_pair(&s);
	tun_udp(&s, PB_ENC_GRE_UDP, 0, 1);
	emit(&s);
	file_close();

	file_open("synth-teredo.pcap", PB_LINK_ETHER, 0);
	tun_spec(&s, PB_ENC_TEREDO, 0);
	pb_spec_udp(&s, "2001:0:4136:e378::1", 5000, "2001:db8::9", 6000);
	s.paylen = 12;
	s.encap = PB_ENC_TEREDO;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	s.tun_sport = 3797;
	emit(&s);					/* 1 */
	pb_spec_swap(&s);
	s.tun_sport = 3544;
	s.tun_dport = 3797;
	s.teredo_origin = 1;
	emit(&s);					/* 2 */
	pb_spec_udp(&s, "192.0.2.1", 3797, "192.0.2.2", 3544);
	s.paylen = sizeof(notv6);
	s.payload = notv6;
	emit(&s);					/* 3 */
	file_close();

	file_open("synth-pbb.pcap", PB_LINK_ETHER, 0);
	pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
	s.flags = PB_SYN;
	s.seq = 100;
	s.nvlan = 1;
	s.vlan[0] = 100;
	s.vlan_tpid[0] = 0x88a8;
	s.pbb_isid = 0x10203;
	s.inner_nvlan = 1;
	s.inner_vlan[0] = 5;
	tun_pair(&s);
	file_close();

	file_open("synth-pppoe.pcap", PB_LINK_ETHER, 0);
	pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
	s.flags = PB_SYN;
	s.seq = 100;
	s.pppoe = 1;
	s.pppoe_session = 0x11;
	tun_pair(&s);
	pb_spec_udp(&s, "2001:db8:1::1", 7701, "2001:db8:2::1", 7700);
	s.paylen = 20;
	s.pppoe = 1;
	s.pppoe_session = 0x11;
	s.nvlan = 2;
	s.vlan[0] = 10;
	s.vlan[1] = 20;
	emit(&s);
	pb_spec_init(&s);
	s.src = "10.1.0.1";
	s.dst = "10.2.0.1";
	s.ethertype = 0x8864;
	s.payload = lcp;
	s.paylen = sizeof(lcp);
	emit(&s);
	file_close();

	file_open("synth-tunbad.pcap", PB_LINK_ETHER, 0);
	tun_spec(&s, PB_ENC_GTPU, 0);
	s.snaplen = 46;
	emit(&s);					/* 1 */
	s.snaplen = 0;
	emit_patched(&s, 42, 0x50);			/* 2 */
	tun_spec(&s, PB_ENC_VXLAN, 0);
	s.snaplen = 46;
	emit(&s);					/* 3 */
	s.snaplen = 0;
	emit_patched(&s, 42, 0x00);			/* 4 */
	tun_spec(&s, PB_ENC_GENEVE, 0);
	s.snaplen = 46;
	emit(&s);					/* 5 */
	s.snaplen = 0;
	emit_patched(&s, 42, 0x40);			/* 6 */
	tun_spec(&s, PB_ENC_GRE_UDP, 0);
	s.snaplen = 44;
	emit(&s);					/* 7 */
	s.snaplen = 0;
	emit_patched(&s, 42, 0x40);			/* 8 */
	tun_udp(&s, PB_ENC_TEREDO, 0, 1);
	s.tun_dport = 3544;
	s.snaplen = 62;
	emit(&s);					/* 9 */
	pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
	s.pbb_isid = 0x10203;
	s.snaplen = 16;
	emit(&s);					/* 10 */
	s.snaplen = 28;
	emit(&s);					/* 11 */
	s.pbb_isid = 0;
	s.pppoe = 1;
	s.snaplen = 18;
	emit(&s);					/* 12 */
	s.snaplen = 0;
	emit_patched(&s, 14, 0x21);			/* 13 */
	tun_spec(&s, PB_ENC_GTPU, 0);
	emit_patched(&s, 43, 1);			/* 14 */
	tun_spec(&s, PB_ENC_VXLAN, 0);
	s.snaplen = 60;
	emit(&s);					/* 15 */
	tun_spec(&s, PB_ENC_TEREDO, 0);
	pb_spec_udp(&s, "2001:db8::9", 6000, "2001:0:4136:e378::1", 5000);
	s.paylen = 12;
	s.encap = PB_ENC_TEREDO;
	s.outer_src = "192.0.2.2";
	s.outer_dst = "192.0.2.1";
	s.tun_sport = 32900;
	s.tun_dport = 3797;
	emit(&s);					/* 16 */
	file_close();

	file_open("synth-tunfrag.pcap", PB_LINK_ETHER, 0);
	tun_spec(&s, PB_ENC_GTPU, 0);
	s.flags = PB_ACK | PB_PSH;
	s.tun_sport = 2152;
	s.paylen = 1000;
	emit_outer_frags(&s, 0x77, 520, 0);		/* 1, 2 */
	s.seq += 1000;
	emit_outer_frags(&s, 0x78, 520, 1);		/* 3 */
	file_close();
}

/* One packet of the split-VLAN connection. */
static void
split_pkt(struct pb_spec *s, int client, uint8_t flags, uint32_t seq,
    uint32_t ack, uint32_t len)
{
	pb_spec_tcp(s, "10.0.0.1", 40000, "10.0.0.2", 80);
	if (!client)
		pb_spec_swap(s);
	s->nvlan = 1;
	s->vlan[0] = client ? 10 : 20;
	s->flags = flags;
	s->seq = seq;
	s->ack = ack;
	s->paylen = len;
	emit(s);
}

static void
vlan_split(void)
{
	struct pb_spec s;

	file_open("synth-vlan-split.pcap", PB_LINK_ETHER, 0);
	split_pkt(&s, 1, PB_SYN, 1000, 0, 0);
	split_pkt(&s, 0, PB_SYN | PB_ACK, 5000, 1001, 0);
	split_pkt(&s, 1, PB_ACK, 1001, 5001, 0);
	split_pkt(&s, 1, PB_ACK | PB_PSH, 1001, 5001, 100);
	split_pkt(&s, 0, PB_ACK, 5001, 1101, 0);
	split_pkt(&s, 0, PB_ACK | PB_PSH, 5001, 1101, 200);
	split_pkt(&s, 1, PB_ACK, 1101, 5201, 0);
	split_pkt(&s, 1, PB_FIN | PB_ACK, 1101, 5201, 0);
	split_pkt(&s, 0, PB_FIN | PB_ACK, 5201, 1102, 0);
	split_pkt(&s, 1, PB_ACK, 1102, 5202, 0);
	file_close();
}

static void
nonip_icmp(void)
{
	struct pb_spec s, q;

	file_open("synth-nonip.pcap", PB_LINK_ETHER, 0);
	pb_spec_init(&s);
	s.src = "10.0.0.1";
	s.dst = "10.0.0.2";
	s.ethertype = 0x0806;
	emit(&s);
	s.ethertype = 0x88cc;
	s.paylen = 30;
	emit(&s);
	s.ethertype = 46;		/* 802.3 length of what follows */
	s.paylen = 46;
	emit(&s);
	file_close();

	file_open("synth-icmp.pcap", PB_LINK_ETHER, 0);
	pb_spec_icmp(&s, "10.0.0.1", "10.0.0.2", 8, 0);
	s.icmp_id = 0x4242;
	s.icmp_seq = 1;
	s.paylen = 56;
	emit(&s);
	pb_spec_swap(&s);
	s.icmp_type = 0;
	emit(&s);
	pb_spec_udp(&q, "10.0.0.2", 5000, "10.0.0.1", 4000);
	q.paylen = 20;
	emit(&q);
	pb_spec_icmp(&s, "10.0.0.1", "10.0.0.2", 3, 3);
	s.quote = &q;
	emit(&s);
	pb_spec_icmp(&s, "2001:db8::1", "2001:db8::2", 128, 0);
	s.icmp_id = 7;
	s.icmp_seq = 1;
	s.paylen = 16;
	emit(&s);
	pb_spec_swap(&s);
	s.icmp_type = 129;
	emit(&s);
	file_close();
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: pcapgen outdir\n");
		return 2;
	}
	outdir = argv[1];
	erspan();
	vlan_mpls_qinq();
	gre_ipip();
	fragments();
	links();
	truncated();
	nonip_icmp();
	vlan_split();
	tunnels();
	return 0;
}
