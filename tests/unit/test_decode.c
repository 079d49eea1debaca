/*
 * test_decode.c - gf_decode() against frames built with pktbuild, every
 * expected value worked out by hand from the layout pktbuild documents
 * (the arithmetic is in the comments), plus the pcap writer and the
 * builder's checksums checked by independent code.
 *
 * Sizes used throughout: Ethernet 14, VLAN tag 4, MPLS label 4, SLL 16,
 * SLL2 20, NULL 4, IPv4 20, IPv6 40, TCP 20, UDP 8, ICMP 8, GRE 4 (+4 per
 * C/K/S), ERSPAN II 8, III 12 (+8 with O).
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "decode.h"
#include "pktbuild.h"
#include "reasm.h"
#include "testlib.h"

static uint8_t frame[PB_MAXFRAME];
static size_t fcap;
static uint32_t fwire;
static struct gf_packet pkt;

/* Build s into frame and decode it with the spec's link type. */
static int
run_spec(const struct pb_spec *s)
{
	fcap = pb_build(s, frame, sizeof(frame), &fwire);
	CHECK(fcap > 0);
	if (fcap == 0)
		return -1;
	return (int)gf_decode(pb_linktype(s), frame, (uint32_t)fcap, fwire,
	    &pkt);
}

/* Build only. */
static void
build(const struct pb_spec *s)
{
	fcap = pb_build(s, frame, sizeof(frame), &fwire);
	CHECK(fcap > 0);
}

static int
redecode(int dlt)
{
	return (int)gf_decode(dlt, frame, (uint32_t)fcap, fwire, &pkt);
}

static int
addr_eq(const uint8_t *a, const char *s)
{
	uint8_t b[16];

	memset(b, 0, sizeof(b));
	if (inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, b) != 1)
		return 0;
	return memcmp(a, b, 16) == 0;
}

static int
bad_is(int rc, enum gf_bad why)
{
	return rc == GF_DECODE_BAD && pkt.bad == why;
}

/* A TCP SYN with MSS 1460, SACK-permitted and window scale 7. */
static void
syn_spec(struct pb_spec *s)
{
	pb_spec_tcp(s, "10.0.0.1", 1234, "10.0.0.2", 80);
	s->flags = PB_SYN;
	s->seq = 1000;
	s->win = 29200;
	s->mss = 1460;
	s->sackok = 1;
	s->wscale = 7;
}

TEST(tcp_syn_options)
{
	struct pb_spec s;

	syn_spec(&s);
	/* Options: MSS 4 + SACKOK 2 + NOP,WS 4 = 10, padded to 12: TCP
	 * header 32, IP 20 + 32 = 52, frame 14 + 52 = 66. */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 66);
	CHECK_U64(pkt.wire_len, 66);
	CHECK_U64(pkt.family, 4);
	CHECK_U64(pkt.proto, 6);
	CHECK_U64(pkt.ip_len, 52);
	CHECK_U64(pkt.payload, 0);
	CHECK_U64(pkt.encaps, GF_E_ETHER);
	CHECK_U64(pkt.vlan, 0);
	CHECK_U64(pkt.frag, GF_FRAG_NONE);
	CHECK_U64(pkt.ipopts, 0);
	CHECK(addr_eq(pkt.src, "10.0.0.1"));
	CHECK(addr_eq(pkt.dst, "10.0.0.2"));
	CHECK_U64(pkt.sport, 1234);
	CHECK_U64(pkt.dport, 80);
	CHECK_U64(pkt.seq, 1000);
	CHECK_U64(pkt.ack, 0);
	CHECK_U64(pkt.win, 29200);
	CHECK_U64(pkt.tcpflags, GF_TH_SYN);
	CHECK_U64(pkt.mss, 1460);
	CHECK_U64(pkt.wscale, 7);
	CHECK_U64(pkt.sackok, 1);
	CHECK_U64(pkt.quoted.family, 0);
}

TEST(tcp_data_no_options)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "192.168.1.10", 51000, "192.168.1.20", 22);
	s.flags = PB_PSH | PB_ACK;
	s.seq = 0x80000000u;
	s.ack = 0xfffffff0u;
	s.win = 512;
	s.ipid = 0xbeef;
	s.paylen = 100;
	/* IP 20 + TCP 20 + 100 = 140; frame 154. */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 154);
	CHECK_U64(pkt.ip_len, 140);
	CHECK_U64(pkt.payload, 100);
	CHECK_U64(pkt.seq, 0x80000000u);
	CHECK_U64(pkt.ack, 0xfffffff0u);
	CHECK_U64(pkt.win, 512);
	CHECK_U64(pkt.tcpflags, 0x18);
	CHECK_U64(pkt.ipid, 0xbeef);
	CHECK_U64(pkt.frag_id, 0xbeef);
	CHECK_U64(pkt.mss, 0);
	CHECK_U64(pkt.wscale, 0xff);
	CHECK_U64(pkt.sackok, 0);
	CHECK(addr_eq(pkt.src, "192.168.1.10"));
}

TEST(tcp_wscale_clamped)
{
	struct pb_spec s;

	syn_spec(&s);
	s.wscale = 20;		/* RFC 7323: use 14 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.wscale, 14);
	s.wscale = 0;		/* a real shift of 0, not "absent" */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.wscale, 0);
}

TEST(ethernet_padding_not_payload)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.pad_to = 60;
	/* IP 40, frame padded from 54 to 60: the 6 pad bytes are not
	 * payload. */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 60);
	CHECK_U64(pkt.ip_len, 40);
	CHECK_U64(pkt.payload, 0);
	/* Total length may claim up to the 46 bytes the frame holds... */
	s.ip_len_adj = 6;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.ip_len, 46);
	CHECK_U64(pkt.payload, 6);
	/* ...but not one more when the frame was cut (caplen 59 of 60);
	 * captured whole, 47 is a lost wire length (lost_wire_length). */
	s.ip_len_adj = 7;
	s.snaplen = 59;
	CHECK(bad_is(run_spec(&s), GF_BAD_IP_LEN));
}

TEST(snaplen_lengths_from_ip)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.paylen = 1000;
	s.snaplen = 54;		/* exactly Ethernet + IP + TCP */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fcap, 54);
	CHECK_U64(fwire, 1054);
	CHECK_U64(pkt.ip_len, 1040);
	CHECK_U64(pkt.payload, 1000);
}

/*
 * A lost wire length: the writer recorded wire = caplen = snaplen.  The
 * frame decodes with the IP length, its wire length becomes link header
 * + IP length, and shortwire says so.  A frame whose caplen is below its
 * (recorded) wire length was cut by a snaplen: an IP length beyond that
 * wire length stays inconsistent.
 */
TEST(lost_wire_length)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.paylen = 1000;
	s.snaplen = 54;
	build(&s);
	/* IP 20 + TCP 20 + 1000 = 1040; wire 14 + 1040 = 1054. */
	CHECK_U64(gf_decode(1, frame, 54, 54, &pkt), GF_DECODE_OK);
	CHECK_U64(pkt.shortwire, 1);
	CHECK_U64(pkt.wire_len, 1054);
	CHECK_U64(pkt.ip_len, 1040);
	CHECK_U64(pkt.payload, 1000);
	CHECK_U64(pkt.sport, 1);
	/* 60 bytes kept: the 6 past the TCP header are payload, not read
	 * as anything; the same with a ring that kept only 54 of 60. */
	CHECK_U64(gf_decode(1, frame, 60, 60, &pkt), GF_DECODE_OK);
	CHECK_U64(pkt.wire_len, 1054);
	CHECK_U64(gf_decode_clipped(1, frame, 54, 60, 60, &pkt),
	    GF_DECODE_OK);
	CHECK_U64(pkt.shortwire, 1);
	CHECK_U64(pkt.wire_len, 1054);
	/* snaplen cut (caplen 54 < wire 60): inconsistent, not lost. */
	CHECK(bad_is((int)gf_decode(1, frame, 54, 60, &pkt), GF_BAD_IP_LEN));
	CHECK_U64(pkt.shortwire, 0);
	/* the true wire length: nothing to fix */
	CHECK_U64(gf_decode(1, frame, 54, 1054, &pkt), GF_DECODE_OK);
	CHECK_U64(pkt.shortwire, 0);
	CHECK_U64(pkt.wire_len, 1054);
	/* TCP header cut by the snaplen stays truncated L4 */
	CHECK(bad_is((int)gf_decode(1, frame, 50, 50, &pkt), GF_BAD_TRUNC_L4));

	/* Two VLAN tags: link header 14 + 8. */
	s.nvlan = 2;
	s.vlan[0] = 10;
	s.vlan[1] = 20;
	s.snaplen = 62;
	build(&s);
	CHECK_U64(gf_decode(1, frame, 62, 62, &pkt), GF_DECODE_OK);
	CHECK_U64(pkt.shortwire, 1);
	CHECK_U64(pkt.wire_len, 22 + 1040);

	/* IPv6: 40 + 20 + 1000 = 1060, wire 1074. */
	pb_spec_tcp(&s, "2001:db8::1", 1, "2001:db8::2", 2);
	s.paylen = 1000;
	s.snaplen = 74;
	build(&s);
	CHECK_U64(gf_decode(1, frame, 74, 74, &pkt), GF_DECODE_OK);
	CHECK_U64(pkt.shortwire, 1);
	CHECK_U64(pkt.wire_len, 1074);
	CHECK_U64(pkt.payload, 1000);

	/* Ethernet padding (wire 60 > 14 + 40) is not a lost length. */
	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.pad_to = 60;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.shortwire, 0);
	CHECK_U64(pkt.wire_len, 60);

	/* Only the first IP layer: an inner datagram longer than the outer
	 * one that carries it is malformed.  IP-in-IP, outer 20 + inner 40,
	 * frame 74; the inner total says 41. */
	pb_spec_tcp(&s, "10.1.0.1", 1, "10.1.0.2", 2);
	s.encap = PB_ENC_IPIP;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	s.ip_len_adj = 1;
	build(&s);
	CHECK(bad_is(redecode(1), GF_BAD_IP_LEN));
	CHECK_U64(pkt.shortwire, 0);
}

/*
 * The tunnels, built by pktbuild; sizes by hand: Ethernet 14, IPv4 20,
 * IPv6 40, UDP 8, GTP-U 8 (+4 optional fields, +4 per extension), VXLAN
 * 8, Geneve 8 + options, GRE 4, I-TAG 4 + customer MACs 12 + type 2,
 * PPPoE 6 + PPP 2, TCP 20.  The inner packet is always a TCP SYN
 * 10.1.0.1:1000 > 10.2.0.1:80 (IP length 40) or, for Teredo, a UDP
 * datagram with 12 payload bytes (IP length 60).
 */
TEST(tunnels)
{
	static const struct {
		enum pb_encap enc;
		int outer6, opt;        /* opt: GTP ext headers, Geneve bytes */
		uint32_t id;
		uint32_t wire, tunid;
		uint16_t encaps;
	} t[] = {
		/* 14 + 20 + 8 + 8 + 40 */
		{ PB_ENC_GTPU, 0, 0, 0x1234, 90, 0x1234, GF_E_GTPU },
		/* + 4 optional + 2 * 4 extension */
		{ PB_ENC_GTPU, 0, 2, 0x1234, 102, 0x1234, GF_E_GTPU },
		/* 14 + 40 + 8 + 8 + 40 */
		{ PB_ENC_GTPU, 1, 0, 7, 110, 7, GF_E_GTPU },
		/* 14 + 20 + 8 + 8 + 14 + 40 */
		{ PB_ENC_VXLAN, 0, 0, 42, 104, 42, GF_E_VXLAN },
		/* 14 + 20 + 8 + 8 + 8 + 14 + 40 */
		{ PB_ENC_GENEVE, 0, 8, 99, 112, 99, GF_E_GENEVE },
		/* 14 + 20 + 8 + 4 + 40 */
		{ PB_ENC_GRE_UDP, 0, 0, 0, 86, 0, GF_E_GRE },
		/* 14 + 20 + 8 + 40 + 8 + 12 */
		{ PB_ENC_TEREDO, 0, 0, 0, 102, 0, GF_E_TEREDO },
	};
	struct pb_spec s;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].enc == PB_ENC_TEREDO) {
			pb_spec_udp(&s, "2001:0:4136:e378::1", 5000,
			    "2001:db8::9", 6000);
			s.paylen = 12;
		} else {
			pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
			s.flags = PB_SYN;
		}
		s.encap = t[i].enc;
		s.outer_src = t[i].outer6 ? "2001:db8:f::1" : "192.0.2.1";
		s.outer_dst = t[i].outer6 ? "2001:db8:f::2" : "192.0.2.2";
		s.tun_id = t[i].id;
		if (t[i].enc == PB_ENC_GTPU) {
			s.gtp_ext = t[i].opt;
			s.gtp_seq = t[i].opt != 0;
		}
		if (t[i].enc == PB_ENC_GENEVE)
			s.geneve_opt = t[i].opt;
		CHECK_U64(run_spec(&s), GF_DECODE_OK);
		CHECK_U64(fwire, t[i].wire);
		CHECK_U64(pkt.wire_len, t[i].wire);
		CHECK_U64(pkt.encaps, GF_E_ETHER | t[i].encaps);
		CHECK_U64(pkt.tunid, t[i].tunid);
		if (t[i].enc == PB_ENC_TEREDO) {
			CHECK_U64(pkt.family, 6);
			CHECK_U64(pkt.ip_len, 60);
			CHECK_U64(pkt.payload, 12);
			CHECK(addr_eq(pkt.src, "2001:0:4136:e378::1"));
			CHECK_U64(pkt.dport, 6000);
		} else {
			CHECK_U64(pkt.family, 4);
			CHECK_U64(pkt.proto, 6);
			CHECK_U64(pkt.ip_len, 40);
			CHECK(addr_eq(pkt.src, "10.1.0.1"));
			CHECK(addr_eq(pkt.dst, "10.2.0.1"));
			CHECK_U64(pkt.sport, 1000);
			CHECK_U64(pkt.dport, 80);
			CHECK_U64(pkt.tcpflags, GF_TH_SYN);
		}
		/* every header cut: the tunnel's own reason (GRE: encap) */
		if (t[i].enc != PB_ENC_TEREDO) {
			s.snaplen = (t[i].outer6 ? 54 : 34) + 8 + 3;
			CHECK(bad_is(run_spec(&s), t[i].enc == PB_ENC_GTPU ?
			    GF_BAD_GTPU : t[i].enc == PB_ENC_VXLAN ?
			    GF_BAD_VXLAN : t[i].enc == PB_ENC_GENEVE ?
			    GF_BAD_GENEVE : GF_BAD_TRUNC_ENCAP));
		}
	}

	/* An inner later fragment has no ports: not the tunnel's UDP ones
	 * (found by the fuzzer).  Inner IP 20 + the 20-byte TCP header as
	 * data at offset 64. */
	pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
	s.encap = PB_ENC_GTPU;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	s.tun_sport = 2152;
	s.frag_off = 64;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.frag, GF_FRAG_LATER);
	CHECK_U64(pkt.sport, 0);
	CHECK_U64(pkt.dport, 0);
	CHECK_U64(pkt.payload, 20);
	CHECK_U64(pkt.reasm, 0);	/* not the outer IP's fragment */

	/* PBB: 14 + S-tag 4 + I-TAG 4 + 12 + 2 + C-tag 4 + 40 = 80 */
	pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
	s.nvlan = 1;
	s.vlan[0] = 100;
	s.vlan_tpid[0] = 0x88a8;
	s.pbb_isid = 0x10203;
	s.inner_nvlan = 1;
	s.inner_vlan[0] = 5;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 80);
	CHECK_U64(pkt.tunid, 0x10203);
	CHECK_U64(pkt.vlan, 100);
	CHECK_U64(pkt.sport, 1000);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_VLAN | GF_E_QINQ | GF_E_PBB);

	/* PPPoE: 14 + 8 + 40 = 62; the compressed PPP protocol 0x21 */
	pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
	s.pppoe = 1;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 62);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_PPPOE);
	CHECK_U64(pkt.dport, 80);
	/* PPPoE length (offset 18) says 42 = 2 + 40 */
	CHECK_U64(gf_be16(frame + 18), 42);
	gf_put_be16(frame + 18, 62);	/* beyond the frame */
	CHECK(bad_is(redecode(1), GF_BAD_PPPOE));

	/* Switched off: PPPoE and PBB become non-IP, a UDP port a flow. */
	{
		struct gf_decode_cfg c;
		gf_decode_cfg_defaults(&c);
		c.pppoe = 0;
		c.pbb = 0;
		c.vxlan_port = 0;
		gf_decode_configure(&c);
		CHECK_U64(run_spec(&s), GF_DECODE_NONIP);
		pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
		s.pbb_isid = 1;
		CHECK_U64(run_spec(&s), GF_DECODE_NONIP);
		pb_spec_tcp(&s, "10.1.0.1", 1000, "10.2.0.1", 80);
		s.encap = PB_ENC_VXLAN;
		s.outer_src = "192.0.2.1";
		s.outer_dst = "192.0.2.2";
		CHECK_U64(run_spec(&s), GF_DECODE_OK);
		CHECK_U64(pkt.proto, 17);
		CHECK_U64(pkt.dport, 4789);
		CHECK_U64(pkt.encaps, GF_E_ETHER);
		/* another port */
		c.vxlan_port = 9999;
		gf_decode_configure(&c);
		s.tun_dport = 9999;
		CHECK_U64(run_spec(&s), GF_DECODE_OK);
		CHECK_U64(pkt.proto, 6);
		gf_decode_cfg_defaults(&c);
		gf_decode_configure(&c);
	}
}

TEST(snaplen_cuts_tcp_options)
{
	struct pb_spec s;

	/* Option bytes at frame offset 54: [2 4 05 b4] [4 2] [1] [3 3 7]
	 * [0 0]. */
	syn_spec(&s);
	s.snaplen = 54;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.mss, 0);
	CHECK_U64(pkt.sackok, 0);
	CHECK_U64(pkt.wscale, 0xff);
	CHECK_U64(pkt.payload, 0);
	s.snaplen = 58;		/* MSS whole */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.mss, 1460);
	CHECK_U64(pkt.sackok, 0);
	s.snaplen = 60;		/* + SACKOK */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.sackok, 1);
	CHECK_U64(pkt.wscale, 0xff);
	s.snaplen = 63;		/* WS kind and length, value cut */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.wscale, 0xff);
	s.snaplen = 64;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.wscale, 7);
}

TEST(tcp_doff)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.tcp_doff = 4;
	CHECK(bad_is(run_spec(&s), GF_BAD_TCP_OFF));
	s.tcp_doff = 15;	/* 60 bytes, but IP holds only 20 */
	CHECK(bad_is(run_spec(&s), GF_BAD_TCP_OFF));
	/* With 40 payload bytes, 60 fit exactly; the payload bytes are
	 * then read as options ('a' = 0x61 with length 'b' = 98, too long
	 * to parse), and the payload is 0. */
	s.paylen = 40;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.payload, 0);
	CHECK_U64(pkt.mss, 0);
	s.paylen = 39;
	CHECK(bad_is(run_spec(&s), GF_BAD_TCP_OFF));
}

TEST(udp_ipv6)
{
	struct pb_spec s;

	pb_spec_udp(&s, "2001:db8::1", 5353, "2001:db8::2", 53);
	s.paylen = 30;
	/* 40 + 8 + 30 = 78; frame 92. */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 92);
	CHECK_U64(pkt.family, 6);
	CHECK_U64(pkt.proto, 17);
	CHECK_U64(pkt.ip_len, 78);
	CHECK_U64(pkt.payload, 30);
	CHECK_U64(pkt.sport, 5353);
	CHECK_U64(pkt.dport, 53);
	CHECK_U64(pkt.ipid, 0);
	CHECK(addr_eq(pkt.src, "2001:db8::1"));
	CHECK(addr_eq(pkt.dst, "2001:db8::2"));
	CHECK_U64(pkt.wscale, 0xff);
}

TEST(vlan_and_qinq)
{
	struct pb_spec s;

	pb_spec_udp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.nvlan = 1;
	s.vlan[0] = 100;
	/* 14 + 4 + 28 = 46 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 46);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_VLAN);
	CHECK_U64(pkt.vlan, 100);
	CHECK_U64(pkt.ip_len, 28);

	s.nvlan = 2;		/* 0x88a8 200, then 0x8100 300 */
	s.vlan[0] = 200;
	s.vlan[1] = 300;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 50);
	CHECK_U64(frame[12], 0x88);
	CHECK_U64(frame[13], 0xa8);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_VLAN | GF_E_QINQ);
	CHECK_U64(pkt.vlan, 200);

	s.nvlan = 1;		/* a lone old-style S-tag */
	s.vlan[0] = 42;
	s.vlan_tpid[0] = 0x9100;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_VLAN | GF_E_QINQ);
	CHECK_U64(pkt.vlan, 42);

	s.nvlan = 2;		/* priority tag outside: id 0 is no VLAN */
	s.vlan[0] = 0;
	s.vlan[1] = 5;
	s.vlan_tpid[0] = 0x8100;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.vlan, 5);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_VLAN | GF_E_QINQ);
}

TEST(mpls)
{
	struct pb_spec s;

	pb_spec_udp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.paylen = 4;
	s.nvlan = 1;
	s.vlan[0] = 10;
	s.nmpls = 3;
	s.mpls[0] = 16;
	s.mpls[1] = 17;
	s.mpls[2] = 18;
	/* 14 + 4 + 12 + (20 + 8 + 4 = 32) = 62 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 62);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_VLAN | GF_E_MPLS);
	CHECK_U64(pkt.vlan, 10);
	CHECK_U64(pkt.ip_len, 32);
	CHECK_U64(pkt.payload, 4);
	CHECK_U64(pkt.dport, 2);

	pb_spec_tcp(&s, "2001:db8::1", 1, "2001:db8::2", 2);
	s.nmpls = 1;
	s.mpls[0] = 2;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_MPLS);
	CHECK_U64(pkt.family, 6);
	CHECK_U64(pkt.ip_len, 60);

	/* After the bottom label a nibble that is neither 4, 6 nor 0 (here
	 * 1, an associated channel): not IP.  Labels end at 14 + 4. */
	frame[18] = 0x10;
	CHECK_U64(redecode(1), GF_DECODE_NONIP);
}

TEST(mpls_pseudowire_ethernet)
{
	struct pb_spec s;
	uint32_t wire;
	size_t n;

	/* Ethernet 14, one label 4, control word 4, then a whole Ethernet
	 * frame (14 + tag 4 + IP 40 = 58): 80 bytes. */
	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.nvlan = 1;
	s.vlan[0] = 77;
	n = pb_build(&s, frame + 22, sizeof(frame) - 22, &wire);
	CHECK_U64(n, 58);
	memset(frame, 0, 22);
	gf_put_be16(frame + 12, 0x8847);
	gf_put_be32(frame + 14, 100u << 12 | 0x100 | 64);
	n += 22;
	CHECK_U64(gf_decode(1, frame, (uint32_t)n, (uint32_t)n, &pkt),
	    GF_DECODE_OK);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_MPLS | GF_E_VLAN);
	CHECK_U64(pkt.vlan, 77);
	CHECK_U64(pkt.ip_len, 40);
	CHECK_U64(pkt.dport, 2);
	/* Less than a control word and an Ethernet header (18 + 4 + 14 =
	 * 36 bytes): no guess. */
	CHECK_U64(gf_decode(1, frame, 35, (uint32_t)n, &pkt),
	    GF_DECODE_NONIP);
	/* With them, the guessed frame's tag (36..39) cut is truncation. */
	CHECK(bad_is(gf_decode(1, frame, 39, (uint32_t)n, &pkt),
	    GF_BAD_TRUNC_ENCAP));
	/* A guessed frame of unknown type: not IP. */
	gf_put_be16(frame + 22 + 12, 0x1234);
	CHECK_U64(gf_decode(1, frame, (uint32_t)n, (uint32_t)n, &pkt),
	    GF_DECODE_NONIP);
}

TEST(llc_snap)
{
	struct pb_spec s;
	uint32_t wire;
	size_t n;

	/* 802.3: MACs 12, length 2, SNAP aa aa 03 00 00 00 08 00, then a
	 * 40-byte IPv4 packet: 62 bytes. */
	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.link = PB_LINK_RAW;
	n = pb_build(&s, frame + 22, sizeof(frame) - 22, &wire);
	CHECK_U64(n, 40);
	memset(frame, 0, 12);
	gf_put_be16(frame + 12, 48);
	memcpy(frame + 14, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
	CHECK_U64(gf_decode(1, frame, 62, 62, &pkt), GF_DECODE_OK);
	CHECK_U64(pkt.encaps, GF_E_ETHER);
	CHECK_U64(pkt.ip_len, 40);
	CHECK_U64(pkt.sport, 1);
	CHECK_U64(gf_decode(1, frame, 21, 62, &pkt), GF_DECODE_NONIP);
	frame[19] = 0x0c;	/* Cisco OUI: not RFC 1042 */
	CHECK_U64(gf_decode(1, frame, 62, 62, &pkt), GF_DECODE_NONIP);
	frame[19] = 0;
	frame[14] = frame[15] = 0x42;	/* STP's LLC */
	CHECK_U64(gf_decode(1, frame, 62, 62, &pkt), GF_DECODE_NONIP);
}

static void
gre_spec(struct pb_spec *s)
{
	pb_spec_tcp(s, "10.1.1.1", 40000, "10.2.2.2", 443);
	s->paylen = 10;
	s->encap = PB_ENC_GRE;
	s->outer_src = "192.0.2.1";
	s->outer_dst = "192.0.2.2";
}

TEST(gre)
{
	struct pb_spec s;

	gre_spec(&s);
	s.gre_key_on = 1;
	s.gre_key = 0xdeadbeef;
	s.gre_seq_on = 1;
	s.gre_seq = 5;
	/* 14 + 20 + GRE (4 + 4 + 4) + inner (20 + 20 + 10 = 50) = 96 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 96);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_GRE);
	CHECK(addr_eq(pkt.src, "10.1.1.1"));
	CHECK(addr_eq(pkt.dst, "10.2.2.2"));
	CHECK_U64(pkt.sport, 40000);
	CHECK_U64(pkt.dport, 443);
	CHECK_U64(pkt.ip_len, 50);
	CHECK_U64(pkt.payload, 10);
	CHECK_U64(pkt.proto, 6);

	s.gre_csum = 1;		/* + 4 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 100);
	CHECK_U64(pkt.sport, 40000);

	gre_spec(&s);		/* over IPv6: 14 + 40 + 4 + 50 = 108 */
	s.outer_src = "2001:db8::a";
	s.outer_dst = "2001:db8::b";
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 108);
	CHECK_U64(pkt.family, 4);
	CHECK(addr_eq(pkt.src, "10.1.1.1"));
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_GRE);
}

TEST(gre_teb_and_erspan_type1)
{
	struct pb_spec s;

	gre_spec(&s);
	s.paylen = 0;
	s.gre_teb = 1;
	s.inner_nvlan = 1;
	s.inner_vlan[0] = 7;
	/* 14 + 20 + 4 + 14 + 4 + 40 = 96 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 96);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_GRE | GF_E_VLAN);
	CHECK_U64(pkt.vlan, 7);
	CHECK_U64(pkt.sport, 40000);

	/* The same with GRE protocol 0x88be and no sequence: ERSPAN
	 * type I, whose payload is the Ethernet frame itself.  GRE's
	 * protocol is at 14 + 20 + 2. */
	CHECK_U64(frame[36], 0x65);
	frame[36] = 0x88;
	frame[37] = 0xbe;
	CHECK_U64(redecode(1), GF_DECODE_OK);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_GRE | GF_E_ERSPAN |
	    GF_E_VLAN);
	CHECK_U64(pkt.sport, 40000);

	/* A GRE protocol we do not follow (PPP 0x880b): the tunnel is
	 * the flow, proto 47, payload 96 - 14 - 20 = 62, outer VLAN 0 */
	frame[36] = 0x88;
	frame[37] = 0x0b;
	CHECK_U64(redecode(1), GF_DECODE_OK);
	CHECK_U64(pkt.proto, 47);
	CHECK_U64(pkt.payload, 62);
	CHECK_U64(pkt.vlan, 0);
	CHECK_U64(pkt.sport, 0);
	/* GRE version 1 (PPTP): the same */
	frame[35] = 0x01;
	frame[36] = 0x65;
	frame[37] = 0x58;
	CHECK_U64(redecode(1), GF_DECODE_OK);
	CHECK_U64(pkt.proto, 47);
	/* Routing present (R): malformed. */
	frame[34] = 0x40;
	frame[35] = 0x00;
	CHECK(bad_is(redecode(1), GF_BAD_TRUNC_ENCAP));
}

static void
erspan_spec(struct pb_spec *s, enum pb_encap e)
{
	pb_spec_tcp(s, "10.0.0.1", 1111, "10.0.0.2", 80);
	s->encap = e;
	s->outer_src = "172.16.0.1";
	s->outer_dst = "172.16.0.2";
	s->gre_seq = 77;
	s->erspan_session = 100;
}

TEST(erspan2)
{
	struct pb_spec s;

	erspan_spec(&s, PB_ENC_ERSPAN2);
	s.inner_nvlan = 1;
	s.inner_vlan[0] = 55;
	/* Cisco's "50-byte GRE header": 14 + 20 + GRE 8 (seq) + ERSPAN 8
	 * = 50, then inner Ethernet 14 + tag 4 + IP 40: 108. */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 108);
	CHECK_U64(gf_be16(frame + 50 + 12), 0x8100);	/* inner tag */
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_GRE | GF_E_ERSPAN |
	    GF_E_VLAN);
	CHECK_U64(pkt.vlan, 55);
	CHECK(addr_eq(pkt.src, "10.0.0.1"));
	CHECK_U64(pkt.sport, 1111);
	CHECK_U64(pkt.ip_len, 40);

	s.nvlan = 1;		/* outer tag 10 wins: outermost */
	s.vlan[0] = 10;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.vlan, 10);
	CHECK_U64(fwire, 112);

	/* ERSPAN version field not 1: malformed.  Header at 14+4+20+8. */
	frame[46] = 0x20;
	CHECK(bad_is(redecode(1), GF_BAD_TRUNC_ENCAP));

	s.nvlan = 0;		/* cut inside ERSPAN (50 - 1) */
	s.snaplen = 49;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
	s.snaplen = 63;		/* cut inside the inner Ethernet header */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
	s.snaplen = 67;		/* cut inside the inner tag (64..67) */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
	s.snaplen = 71;		/* inner IP cut (50 + 18 + 3) */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_IP));
}

TEST(erspan3)
{
	struct pb_spec s;

	erspan_spec(&s, PB_ENC_ERSPAN3);
	s.inner_nvlan = 2;
	s.inner_vlan[0] = 100;
	s.inner_vlan[1] = 200;
	/* 14 + 20 + 8 + 12 = 54, inner 14 + 8 + 40 = 62: 116. */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 116);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_GRE | GF_E_ERSPAN |
	    GF_E_VLAN | GF_E_QINQ);
	CHECK_U64(pkt.vlan, 100);
	CHECK_U64(pkt.dport, 80);

	s.erspan_o = 1;		/* + 8-byte platform subheader: 124 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 124);
	CHECK_U64(gf_be16(frame + 62 + 12), 0x88a8);
	CHECK_U64(pkt.vlan, 100);
	CHECK_U64(pkt.dport, 80);

	s.snaplen = 61;		/* subheader cut */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
	s.snaplen = 53;		/* ERSPAN III header cut */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
}

TEST(ip_in_ip)
{
	struct pb_spec s;

	pb_spec_udp(&s, "10.0.0.1", 1000, "10.0.0.2", 2000);
	s.paylen = 12;
	s.encap = PB_ENC_IPIP;
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	/* inner 20 + 8 + 12 = 40; 14 + 20 + 40 = 74 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 74);
	CHECK_U64(frame[14 + 9], 4);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_IPIP);
	CHECK_U64(pkt.ip_len, 40);
	CHECK_U64(pkt.payload, 12);
	CHECK(addr_eq(pkt.src, "10.0.0.1"));
	CHECK_U64(pkt.sport, 1000);

	/* An inner version that disagrees with protocol 4. */
	frame[34] = 0x65;
	CHECK(bad_is(redecode(1), GF_BAD_IP_VERSION));

	pb_spec_tcp(&s, "2001:db8::1", 1000, "2001:db8::2", 80);
	s.encap = PB_ENC_IPIP;	/* 6in4: 14 + 20 + 60 = 94 */
	s.outer_src = "192.0.2.1";
	s.outer_dst = "192.0.2.2";
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 94);
	CHECK_U64(frame[14 + 9], 41);
	CHECK_U64(pkt.family, 6);
	CHECK_U64(pkt.ip_len, 60);
	CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_IPIP);
	CHECK(addr_eq(pkt.dst, "2001:db8::2"));

	pb_spec_tcp(&s, "10.9.9.9", 1, "10.8.8.8", 2);
	s.encap = PB_ENC_IPIP;	/* 4in6 */
	s.outer_src = "2001:db8::1";
	s.outer_dst = "2001:db8::2";
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.family, 4);
	CHECK(addr_eq(pkt.src, "10.9.9.9"));
}

/* Raw IPv4 frame of depth nested IP-in-IP headers around a UDP packet. */
static size_t
nested_ipip(int depth)
{
	struct pb_spec s;
	uint32_t wire;
	size_t n, i;
	int k;

	pb_spec_udp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.link = PB_LINK_RAW;
	n = pb_build(&s, frame + 20 * (size_t)depth, sizeof(frame) - 200,
	    &wire);
	for (k = depth - 1; k >= 0; k--) {
		uint8_t *h = frame + 20 * (size_t)k;
		memset(h, 0, 20);
		h[0] = 0x45;
		n += 20;
		gf_put_be16(h + 2, (uint16_t)n);
		h[8] = 64;
		h[9] = 4;
		for (i = 12; i < 20; i++)
			h[i] = (uint8_t)i;
	}
	return n;
}

TEST(deep_encap)
{
	uint8_t *p;
	size_t n, i;
	int rc;

	n = nested_ipip(8);
	rc = gf_decode(101, frame, (uint32_t)n, (uint32_t)n, &pkt);
	CHECK_U64(rc, GF_DECODE_OK);
	CHECK_U64(pkt.encaps, GF_E_RAW | GF_E_IPIP);
	CHECK_U64(pkt.ip_len, 28);
	CHECK_U64(pkt.dport, 2);
	n = nested_ipip(9);
	rc = gf_decode(101, frame, (uint32_t)n, (uint32_t)n, &pkt);
	CHECK(bad_is(rc, GF_BAD_DEEP_ENCAP));

	/* Eight 802.1Q tags are followed; nine are not. */
	for (int tags = 8; tags <= 9; tags++) {
		memset(frame, 0, 14);
		p = frame + 12;
		for (i = 0; i < (size_t)tags; i++) {
			gf_put_be16(p, 0x8100);
			gf_put_be16(p + 2, (uint16_t)(i + 1));
			p += 4;
		}
		gf_put_be16(p, 0x0800);
		p += 2;
		memset(p, 0, 20);
		p[0] = 0x45;
		p[3] = 20;
		p[9] = 99;
		n = (size_t)(p + 20 - frame);
		rc = gf_decode(1, frame, (uint32_t)n, (uint32_t)n, &pkt);
		if (tags == 8) {
			CHECK_U64(rc, GF_DECODE_OK);
			CHECK_U64(pkt.vlan, 1);
			CHECK_U64(pkt.proto, 99);
			CHECK_U64(pkt.payload, 0);
		} else
			CHECK(bad_is(rc, GF_BAD_DEEP_ENCAP));
	}

	/* Eight MPLS labels are followed; nine are not. */
	for (int labels = 8; labels <= 9; labels++) {
		memset(frame, 0, 14);
		gf_put_be16(frame + 12, 0x8847);
		p = frame + 14;
		for (i = 0; i < (size_t)labels; i++) {
			gf_put_be32(p, (uint32_t)(100 + i) << 12 |
			    (i + 1 == (size_t)labels ? 0x100 : 0) | 64);
			p += 4;
		}
		memset(p, 0, 20);
		p[0] = 0x45;
		p[3] = 20;
		n = (size_t)(p + 20 - frame);
		rc = gf_decode(1, frame, (uint32_t)n, (uint32_t)n, &pkt);
		if (labels == 8)
			CHECK_U64(rc, GF_DECODE_OK);
		else
			CHECK(bad_is(rc, GF_BAD_DEEP_ENCAP));
	}
}

TEST(ipv4_options)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.ipopt_len = 8;
	/* 28 + 20 = 48 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.ipopts, 1);
	CHECK_U64(pkt.ip_len, 48);
	CHECK_U64(pkt.payload, 0);
	CHECK_U64(pkt.sport, 1);
	s.snaplen = 14 + 24;	/* options cut */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_IP));
}

TEST(ipv4_fragments)
{
	struct pb_spec s;

	/* UDP datagram: 8 + 100 = 108 bytes after the IP header. */
	pb_spec_udp(&s, "10.0.0.1", 7, "10.0.0.2", 9);
	s.paylen = 100;
	s.ipid = 0x1234;
	s.frag_len = 48;

	s.frag_off = 0;		/* bytes 0..47, MF: IP 68 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(gf_be16(frame + 14 + 6), 0x2000);
	CHECK_U64(pkt.frag, GF_FRAG_FIRST);
	CHECK_U64(pkt.frag_id, 0x1234);
	CHECK_U64(pkt.ip_len, 68);
	CHECK_U64(pkt.payload, 40);	/* 68 - 20 - 8 */
	CHECK_U64(pkt.sport, 7);
	CHECK_U64(pkt.dport, 9);

	s.frag_off = 48;	/* 48..95, MF, offset field 6 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(gf_be16(frame + 14 + 6), 0x2006);
	CHECK_U64(pkt.frag, GF_FRAG_LATER);
	CHECK_U64(pkt.frag_id, 0x1234);
	CHECK_U64(pkt.proto, 17);
	CHECK_U64(pkt.ip_len, 68);
	CHECK_U64(pkt.payload, 48);
	CHECK_U64(pkt.sport, 0);
	CHECK_U64(pkt.dport, 0);

	s.frag_off = 96;	/* 96..107, last: no MF, IP 32 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(gf_be16(frame + 14 + 6), 0x000c);
	CHECK_U64(pkt.frag, GF_FRAG_LATER);
	CHECK_U64(pkt.ip_len, 32);
	CHECK_U64(pkt.payload, 12);

	s.frag_len = 0;		/* MF on a whole datagram: first */
	s.frag_off = 0;
	s.mf = 1;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.frag, GF_FRAG_FIRST);
	CHECK_U64(pkt.payload, 100);

	/* A fragmented SYN whose options go on in the next fragment:
	 * TCP header 32 (MSS, SACKOK, NOP+WS, pad), first fragment holds
	 * 24 of it.  Fine: MSS is inside, SACKOK is not, no payload. */
	syn_spec(&s);
	s.ipid = 7;
	s.frag_len = 24;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.frag, GF_FRAG_FIRST);
	CHECK_U64(pkt.ip_len, 44);
	CHECK_U64(pkt.payload, 0);
	CHECK_U64(pkt.sport, 1234);
	CHECK_U64(pkt.tcpflags, GF_TH_SYN);
	CHECK_U64(pkt.seq, 1000);
	CHECK_U64(pkt.mss, 1460);
	CHECK_U64(pkt.sackok, 0);
	s.frag_off = 24;	/* the other 8 bytes */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.frag, GF_FRAG_LATER);
	CHECK_U64(pkt.payload, 8);
	s.frag_off = 0;
	s.frag_len = 16;	/* not even the fixed header */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_L4));

	/* A fragmented GRE packet: the tunnel is the flow. */
	gre_spec(&s);
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	frame[14 + 6] = 0x20;	/* outer MF */
	CHECK_U64(redecode(1), GF_DECODE_OK);
	CHECK_U64(pkt.proto, 47);
	CHECK_U64(pkt.encaps, GF_E_ETHER);
	CHECK(addr_eq(pkt.src, "192.0.2.1"));
	CHECK_U64(pkt.payload, 54);	/* outer 20 + 4 + 50, less 20 */
}

TEST(ipv6_hbh_fragment)
{
	struct pb_spec s;

	/* HBH 8, fragment header 8, fragmentable part UDP 108. */
	pb_spec_udp(&s, "2001:db8::1", 7, "2001:db8::2", 9);
	s.paylen = 100;
	s.hbh_len = 8;
	s.frag6 = 1;
	s.frag6_id = 0xabcdef01;
	s.frag_len = 64;

	s.frag_off = 0;		/* 8 + 8 + 64 = 80: IP 120 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(frame[14 + 6], 0);		/* HBH */
	CHECK_U64(frame[54], 44);		/* -> fragment */
	CHECK_U64(frame[62], 17);		/* -> UDP */
	CHECK_U64(pkt.frag, GF_FRAG_FIRST);
	CHECK_U64(pkt.frag_id, 0xabcdef01);
	CHECK_U64(pkt.proto, 17);
	CHECK_U64(pkt.ip_len, 120);
	CHECK_U64(pkt.payload, 56);		/* 120 - 40 - 16 - 8 */
	CHECK_U64(pkt.sport, 7);

	s.frag_off = 64;	/* 64..107 = 44 bytes: IP 40 + 16 + 44 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.frag, GF_FRAG_LATER);
	CHECK_U64(pkt.frag_id, 0xabcdef01);
	CHECK_U64(pkt.proto, 17);
	CHECK_U64(pkt.ip_len, 100);
	CHECK_U64(pkt.payload, 44);
	CHECK_U64(pkt.sport, 0);

	/* Atomic fragment (offset 0, no M): whole. */
	s.frag_len = 0;
	s.frag_off = 0;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.frag, GF_FRAG_NONE);
	CHECK_U64(pkt.frag_id, 0xabcdef01);
	CHECK_U64(pkt.payload, 100);
}

TEST(ipv6_ah_dstopts_chain)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "2001:db8::1", 1, "2001:db8::2", 2);
	s.ah = 1;
	s.ndstopt = 2;
	s.paylen = 5;
	/* 40 + 24 + 16 + 20 + 5 = 105 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.ip_len, 105);
	CHECK_U64(pkt.payload, 5);
	CHECK_U64(pkt.proto, 6);
	CHECK_U64(pkt.sport, 1);

	s.ah = 0;
	s.ndstopt = 16;		/* sixteen headers: followed */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.ip_len, 40 + 128 + 25);
	s.ndstopt = 17;
	CHECK(bad_is(run_spec(&s), GF_BAD_IP6_EXT));

	/* HBH at 54, dstopt at 62, dstopt at 70: the third cut. */
	s.hbh_len = 8;
	s.ndstopt = 2;
	s.snaplen = 71;
	CHECK(bad_is(run_spec(&s), GF_BAD_IP6_EXT));
	s.snaplen = 78;		/* chain whole, TCP not */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_L4));

	/* An extension header longer than the payload length says. */
	s.snaplen = 0;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	frame[63] = 20;		/* second header's length: 168 bytes */
	CHECK(bad_is(redecode(1), GF_BAD_IP_LEN));
}

TEST(ipv6_jumbo)
{
	struct pb_spec s;

	pb_spec_udp(&s, "2001:db8::1", 7, "2001:db8::2", 9);
	s.hbh_len = 8;
	s.paylen = 8;
	/* IPv6 at 14, HBH at 54, UDP at 62: 78 bytes. */
	build(&s);
	CHECK_U64(fcap, 78);
	/* Payload length 0 and no jumbo option: bad. */
	frame[18] = frame[19] = 0;
	CHECK(bad_is(redecode(1), GF_BAD_IP_LEN));
	/* Jumbo option 70000 (0x11170) in the HBH header. */
	frame[56] = 0xc2;
	frame[57] = 4;
	gf_put_be32(frame + 58, 70000);
	fwire = 14 + 40 + 70000;
	CHECK_U64(redecode(1), GF_DECODE_OK);
	CHECK_U64(pkt.ip_len, 70040);
	CHECK_U64(pkt.payload, 69984);		/* 70000 - 8 - 8 */
	CHECK_U64(pkt.sport, 7);
	fwire--;
	CHECK(bad_is(redecode(1), GF_BAD_IP_LEN));
	fwire++;
	gf_put_be32(frame + 58, 65535);		/* not a jumbo length */
	CHECK(bad_is(redecode(1), GF_BAD_IP_LEN));
	/* Payload length 0 without a HBH header. */
	pb_spec_udp(&s, "2001:db8::1", 7, "2001:db8::2", 9);
	s.ip_len_adj = -8;
	CHECK(bad_is(run_spec(&s), GF_BAD_IP_LEN));
}

TEST(linux_cooked)
{
	struct pb_spec s;

	pb_spec_udp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.link = PB_LINK_SLL;	/* 16 + 28 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 44);
	CHECK_U64(pkt.encaps, GF_E_SLL);
	CHECK_U64(pkt.dport, 2);
	s.snaplen = 15;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_LINK));

	s.snaplen = 0;
	s.link = PB_LINK_SLL2;	/* 20 + 28 */
	s.nvlan = 1;
	s.vlan[0] = 3;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 52);
	CHECK_U64(pkt.encaps, GF_E_SLL | GF_E_VLAN);
	CHECK_U64(pkt.vlan, 3);
	s.snaplen = 19;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_LINK));

	/* Protocol 4 (802.2 LLC) is not an ethertype: not IP. */
	pb_spec_init(&s);
	s.link = PB_LINK_SLL;
	s.ethertype = 0x0004;
	s.paylen = 10;
	CHECK_U64(run_spec(&s), GF_DECODE_NONIP);
}

TEST(bsd_null)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "127.0.0.1", 1, "127.0.0.1", 2);
	s.link = PB_LINK_NULL;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 44);
	CHECK_U64(frame[0], 2);
	CHECK_U64(pkt.encaps, GF_E_NULL);
	CHECK_U64(pkt.dport, 2);
	s.null_be = 1;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(frame[3], 2);
	CHECK_U64(pkt.dport, 2);
	CHECK_U64(redecode(108), GF_DECODE_OK);	/* DLT_LOOP */

	pb_spec_tcp(&s, "::1", 1, "::1", 2);
	s.link = PB_LINK_NULL;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);	/* AF 24, LE */
	CHECK_U64(pkt.family, 6);
	s.null_be = 1;
	s.null_af = 28;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.family, 6);
	s.null_af = 30;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.family, 6);
	CHECK_U64(redecode(108), GF_DECODE_OK);
	s.null_af = 7;
	CHECK_U64(run_spec(&s), GF_DECODE_NONIP);
	s.null_af = 2;		/* says IPv4, is IPv6 */
	CHECK(bad_is(run_spec(&s), GF_BAD_IP_VERSION));
	s.snaplen = 3;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_LINK));
}

TEST(raw_ip)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.link = PB_LINK_RAW;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);	/* 101 */
	CHECK_U64(fwire, 40);
	CHECK_U64(pkt.encaps, GF_E_RAW);
	CHECK_U64(redecode(12), GF_DECODE_OK);
	CHECK_U64(redecode(228), GF_DECODE_OK);
	CHECK(bad_is(redecode(229), GF_BAD_IP_VERSION));
	frame[0] = 0x55;
	CHECK(bad_is(redecode(12), GF_BAD_IP_VERSION));

	pb_spec_tcp(&s, "2001:db8::1", 1, "2001:db8::2", 2);
	s.link = PB_LINK_RAW;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.family, 6);
	CHECK_U64(redecode(229), GF_DECODE_OK);
	CHECK(bad_is(redecode(228), GF_BAD_IP_VERSION));
	CHECK(bad_is(gf_decode(101, frame, 0, 0, &pkt), GF_BAD_TRUNC_IP));
}

TEST(icmp_echo)
{
	struct pb_spec s;

	pb_spec_icmp(&s, "10.0.0.1", "10.0.0.2", 8, 0);
	s.icmp_id = 0x4242;
	s.icmp_seq = 1;
	s.paylen = 56;
	/* 20 + 8 + 56 = 84 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.proto, 1);
	CHECK_U64(pkt.ip_len, 84);
	CHECK_U64(pkt.payload, 56);
	CHECK_U64(pkt.icmp_type, 8);
	CHECK_U64(pkt.icmp_code, 0);
	CHECK_U64(pkt.icmp_id, 0x4242);
	CHECK_U64(pkt.sport, 0);
	CHECK_U64(pkt.dport, 0);
	CHECK_U64(pkt.quoted.family, 0);
	s.snaplen = 14 + 20 + 7;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_L4));

	pb_spec_icmp(&s, "2001:db8::1", "2001:db8::2", 129, 0);
	s.icmp_id = 7;
	s.paylen = 10;
	/* 40 + 8 + 10 = 58 */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.proto, 58);
	CHECK_U64(pkt.ip_len, 58);
	CHECK_U64(pkt.payload, 10);
	CHECK_U64(pkt.icmp_type, 129);
	CHECK_U64(pkt.icmp_id, 7);
}

TEST(icmp_error_quotes)
{
	struct pb_spec s, q;

	pb_spec_udp(&q, "10.0.0.2", 5000, "10.0.0.1", 53);
	q.paylen = 20;
	pb_spec_icmp(&s, "10.0.0.1", "10.0.0.2", 3, 3);
	s.quote = &q;
	/* Quote 20 + 8 = 28: ICMP 36, IP 56, frame 70. */
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(fwire, 70);
	CHECK_U64(pkt.ip_len, 56);
	CHECK_U64(pkt.payload, 28);
	CHECK_U64(pkt.icmp_type, 3);
	CHECK_U64(pkt.icmp_code, 3);
	CHECK_U64(pkt.icmp_id, 0);
	CHECK_U64(pkt.quoted.family, 4);
	CHECK_U64(pkt.quoted.proto, 17);
	CHECK(addr_eq(pkt.quoted.src, "10.0.0.2"));
	CHECK(addr_eq(pkt.quoted.dst, "10.0.0.1"));
	CHECK_U64(pkt.quoted.sport, 5000);
	CHECK_U64(pkt.quoted.dport, 53);
	/* Quoted ports at 14 + 20 + 8 + 20 = 62..65. */
	s.snaplen = 65;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.quoted.family, 0);
	CHECK_U64(pkt.ip_len, 56);
	s.snaplen = 66;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.quoted.family, 4);
	CHECK_U64(pkt.quoted.dport, 53);

	/* Time exceeded quoting TCP. */
	pb_spec_tcp(&q, "10.0.0.2", 6000, "10.9.9.9", 443);
	pb_spec_icmp(&s, "10.1.1.1", "10.0.0.2", 11, 0);
	s.quote = &q;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.quoted.family, 4);
	CHECK_U64(pkt.quoted.proto, 6);
	CHECK_U64(pkt.quoted.sport, 6000);
	CHECK_U64(pkt.quoted.dport, 443);
	CHECK(addr_eq(pkt.quoted.dst, "10.9.9.9"));

	/* Time exceeded quoting an echo request (ICMP traceroute): the
	 * echo flow's key, port 0 and the echo id. */
	pb_spec_icmp(&q, "10.0.0.2", "10.9.9.9", 8, 0);
	q.icmp_id = 0x99;
	q.ttl = 1;
	pb_spec_icmp(&s, "10.1.1.1", "10.0.0.2", 11, 0);
	s.quote = &q;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.quoted.family, 4);
	CHECK_U64(pkt.quoted.proto, 1);
	CHECK_U64(pkt.quoted.sport, 0);
	CHECK_U64(pkt.quoted.dport, 0x99);
	/* ...and quoting an ICMP that is not an echo: type and code. */
	q.icmp_type = 13;
	q.icmp_code = 0;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.quoted.sport, 13);
	CHECK_U64(pkt.quoted.dport, 0);

	/* ICMPv6 unreachable quoting TCP with a HBH header: quote 48 + 8 =
	 * 56, ICMP 64, IP 104. */
	pb_spec_tcp(&q, "2001:db8::1", 4444, "2001:db8::2", 80);
	q.hbh_len = 8;
	pb_spec_icmp(&s, "2001:db8::ff", "2001:db8::1", 1, 4);
	s.quote = &q;
	CHECK_U64(run_spec(&s), GF_DECODE_OK);
	CHECK_U64(pkt.ip_len, 104);
	CHECK_U64(pkt.payload, 56);
	CHECK_U64(pkt.icmp_type, 1);
	CHECK_U64(pkt.icmp_code, 4);
	CHECK_U64(pkt.quoted.family, 6);
	CHECK_U64(pkt.quoted.proto, 6);
	CHECK_U64(pkt.quoted.sport, 4444);
	CHECK_U64(pkt.quoted.dport, 80);
	CHECK(addr_eq(pkt.quoted.src, "2001:db8::1"));
	CHECK(addr_eq(pkt.quoted.dst, "2001:db8::2"));
}

TEST(non_ip)
{
	struct pb_spec s;

	pb_spec_init(&s);
	s.src = "10.0.0.1";
	s.dst = "10.0.0.2";
	s.ethertype = 0x0806;
	CHECK_U64(run_spec(&s), GF_DECODE_NONIP);
	CHECK_U64(fwire, 42);
	CHECK_U64(pkt.encaps, GF_E_ETHER);
	s.ethertype = 0x88cc;	/* LLDP, behind a VLAN tag */
	s.paylen = 20;
	s.nvlan = 1;
	s.vlan[0] = 9;
	CHECK_U64(run_spec(&s), GF_DECODE_NONIP);
	CHECK_U64(pkt.vlan, 9);
	s.nvlan = 0;
	s.ethertype = 38;	/* an 802.3 length */
	CHECK_U64(run_spec(&s), GF_DECODE_NONIP);
	s.ethertype = 0x6558;	/* only meaningful inside GRE */
	CHECK_U64(run_spec(&s), GF_DECODE_NONIP);
}

TEST(bad_link_and_caplen)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	build(&s);
	CHECK(bad_is(gf_decode(147, frame, (uint32_t)fcap, fwire, &pkt),
	    GF_BAD_LINKTYPE));
	CHECK(bad_is(gf_decode(1, frame, 55, 54, &pkt), GF_BAD_CAPLEN));
	CHECK_U64(gf_decode_linktype_supported(1), 1);
	CHECK_U64(gf_decode_linktype_supported(276), 1);
	CHECK_U64(gf_decode_linktype_supported(147), 0);
	s.snaplen = 13;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_LINK));
	s.snaplen = 14;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_IP));
}

TEST(bad_encap_truncation)
{
	struct pb_spec s;

	pb_spec_udp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.nvlan = 1;
	s.vlan[0] = 1;
	s.snaplen = 17;		/* tag is 14..17 */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));

	s.nvlan = 0;
	s.nmpls = 2;
	s.snaplen = 20;		/* second label cut */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
	s.snaplen = 22;		/* labels whole, nothing after */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
	s.snaplen = 23;		/* one byte of IP: version 4, then cut */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_IP));

	gre_spec(&s);
	s.gre_key_on = 1;
	s.snaplen = 14 + 20 + 3;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
	s.snaplen = 14 + 20 + 7;	/* key cut */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_ENCAP));
	s.snaplen = 14 + 20 + 8 + 19;	/* inner IP cut */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_IP));
	s.snaplen = 14 + 20 + 8 + 20 + 19;	/* inner TCP cut */
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_L4));
}

TEST(big_tcp_total_length_zero)
{
	/* Linux BIG TCP: a 70054-byte frame whose IPv4 total length is 0;
	 * captured 54 bytes.  Length from the frame: 70040, payload 70000 */
	struct pb_spec s;
	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	build(&s);
	CHECK_U64(fcap, 54);
	frame[16] = 0;
	frame[17] = 0;
	CHECK_U64(gf_decode(pb_linktype(&s), frame, 54, 70054, &pkt),
	    GF_DECODE_OK);
	CHECK_U64(pkt.ip_len, 70040);
	CHECK_U64(pkt.payload, 70000);
	/* a small frame with length 0 is still wrong */
	CHECK(bad_is(gf_decode(pb_linktype(&s), frame, 54, 54, &pkt),
	    GF_BAD_IP_LEN));
}

TEST(bad_ip)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.snaplen = 14 + 19;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_IP));
	s.snaplen = 0;
	s.ip_version = 6;	/* ethertype says IPv4 */
	CHECK(bad_is(run_spec(&s), GF_BAD_IP_VERSION));
	s.ip_version = 0;
	s.ip_len_adj = 1;	/* total 41 > 40 on the wire */
	s.snaplen = 14 + 20;	/* cut by a snaplen: not a lost wire length */
	CHECK(bad_is(run_spec(&s), GF_BAD_IP_LEN));
	s.snaplen = 0;
	s.ip_len_adj = -21;	/* total 19 < header 20 */
	CHECK(bad_is(run_spec(&s), GF_BAD_IP_LEN));
	s.ip_len_adj = 0;
	build(&s);
	frame[14] = 0x44;	/* IHL 4 */
	CHECK(bad_is(redecode(1), GF_BAD_IP_LEN));

	pb_spec_tcp(&s, "2001:db8::1", 1, "2001:db8::2", 2);
	s.snaplen = 14 + 39;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_IP));
	s.snaplen = 0;
	s.ip_version = 4;
	CHECK(bad_is(run_spec(&s), GF_BAD_IP_VERSION));
	s.ip_version = 0;
	s.ip_len_adj = 1;
	s.snaplen = 14 + 40;
	CHECK(bad_is(run_spec(&s), GF_BAD_IP_LEN));
}

TEST(bad_l4)
{
	struct pb_spec s;

	pb_spec_tcp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.paylen = 100;
	s.snaplen = 14 + 20 + 19;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_L4));

	pb_spec_udp(&s, "10.0.0.1", 1, "10.0.0.2", 2);
	s.snaplen = 14 + 20 + 7;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_L4));
	/* IP total 27 leaves 7 bytes for an 8-byte UDP header. */
	s.snaplen = 0;
	s.ip_len_adj = -1;
	CHECK(bad_is(run_spec(&s), GF_BAD_TRUNC_L4));
}

/* Independent checksum: sum of 16-bit big-endian words of the
 * concatenation a|b; returns the folded sum (0xffff when valid). */
static unsigned
ones_sum(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	unsigned long sum = 0;
	uint8_t w[2];
	size_t i, k = 0;

	for (i = 0; i < an + bn; i++) {
		w[k++] = i < an ? a[i] : b[i - an];
		if (k == 2) {
			sum += (unsigned long)w[0] * 256 + w[1];
			k = 0;
		}
	}
	if (k == 1)
		sum += (unsigned long)w[0] * 256;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned)sum;
}

TEST(builder_checksums)
{
	struct pb_spec s;
	uint8_t ph[40];
	size_t l4, i, bad;

	pb_spec_tcp(&s, "10.0.0.1", 1234, "10.0.0.2", 80);
	s.paylen = 33;		/* odd */
	s.mss = 1460;
	build(&s);
	CHECK_U64(ones_sum(frame + 14, 20, NULL, 0), 0xffff);
	l4 = 24 + 33;		/* TCP header 20 + MSS 4, payload 33 */
	memcpy(ph, frame + 26, 8);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = (uint8_t)(l4 >> 8);
	ph[11] = (uint8_t)l4;
	CHECK_U64(ones_sum(ph, 12, frame + 34, l4), 0xffff);
	/* Payload pattern from the sequence number (0): "abc..." */
	CHECK_U64(frame[14 + 20 + 24], 'a');
	CHECK_U64(frame[14 + 20 + 24 + 27], 'b');

	/* Every payload byte is pb_pattern(seq + i). */
	pb_spec_tcp(&s, "10.0.0.1", 1234, "10.0.0.2", 80);
	s.seq = 12345;
	s.paylen = 1001;
	build(&s);
	for (i = 0, bad = 0; i < 1001; i++)
		bad += frame[54 + i] != pb_pattern(12345 + (uint32_t)i);
	CHECK_U64(bad, 0);
	CHECK_U64(ones_sum(frame + 14, 20, NULL, 0), 0xffff);
	memcpy(ph, frame + 26, 8);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = (uint8_t)(1021 >> 8);
	ph[11] = (uint8_t)1021;
	CHECK_U64(ones_sum(ph, 12, frame + 34, 1021), 0xffff);

	pb_spec_udp(&s, "2001:db8::1", 1, "2001:db8::2", 2);
	s.paylen = 7;
	build(&s);
	memcpy(ph, frame + 22, 32);
	memset(ph + 32, 0, 8);
	ph[35] = 15;
	ph[39] = 17;
	CHECK_U64(ones_sum(ph, 40, frame + 54, 15), 0xffff);

	pb_spec_icmp(&s, "2001:db8::1", "2001:db8::2", 128, 0);
	s.paylen = 9;
	build(&s);
	memcpy(ph, frame + 22, 32);
	memset(ph + 32, 0, 8);
	ph[35] = 17;
	ph[39] = 58;
	CHECK_U64(ones_sum(ph, 40, frame + 54, 17), 0xffff);

	pb_spec_icmp(&s, "10.0.0.1", "10.0.0.2", 8, 0);
	s.paylen = 9;
	build(&s);
	CHECK_U64(ones_sum(frame + 34, 17, NULL, 0), 0xffff);

	/* Outer IPv4 header of a GRE frame, and the GRE checksum. */
	gre_spec(&s);
	s.gre_csum = 1;
	build(&s);
	CHECK_U64(ones_sum(frame + 14, 20, NULL, 0), 0xffff);
	CHECK_U64(ones_sum(frame + 34, fwire - 34, NULL, 0), 0xffff);
}

TEST(pcap_writer)
{
	char path[] = "/tmp/test_decode.XXXXXX";
	char errbuf[PCAP_ERRBUF_SIZE];
	uint8_t h[64];
	struct pcap_pkthdr *ph;
	const u_char *data;
	struct pw *pw;
	pcap_t *pc;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	pw = pw_open(path, 276, 1);
	CHECK(pw != NULL);
	if (pw == NULL)
		return;
	CHECK_U64(pw_write(pw, 1700000000123456789ull, (const uint8_t *)"abcd",
	    3, 4), 0);
	CHECK_U64(pw_close(pw), 0);

	fp = fopen(path, "rb");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	CHECK_U64(fread(h, 1, sizeof(h), fp), 24 + 16 + 3);
	fclose(fp);
	CHECK_U64(gf_le32(h), 0xa1b23c4d);
	CHECK_U64(gf_le16(h + 4), 2);
	CHECK_U64(gf_le16(h + 6), 4);
	CHECK_U64(gf_le32(h + 16), 262144);
	CHECK_U64(gf_le32(h + 20), 276);
	CHECK_U64(gf_le32(h + 24), 1700000000u);
	CHECK_U64(gf_le32(h + 28), 123456789u);
	CHECK_U64(gf_le32(h + 32), 3);
	CHECK_U64(gf_le32(h + 36), 4);
	CHECK(memcmp(h + 40, "abc", 3) == 0);

	/* Microsecond file, read back through libpcap. */
	pw = pw_open(path, 1, 0);
	CHECK(pw != NULL);
	if (pw == NULL)
		return;
	CHECK_U64(pw_write(pw, 1700000000123456789ull, (const uint8_t *)"xy",
	    2, 60), 0);
	CHECK_U64(pw_close(pw), 0);
	pc = pcap_open_offline(path, errbuf);
	CHECK(pc != NULL);
	if (pc != NULL) {
		CHECK_U64(pcap_datalink(pc), 1);
		CHECK_U64(pcap_next_ex(pc, &ph, &data), 1);
		CHECK_U64(ph->ts.tv_sec, 1700000000u);
		CHECK_U64(ph->ts.tv_usec, 123456);
		CHECK_U64(ph->caplen, 2);
		CHECK_U64(ph->len, 60);
		pcap_close(pc);
	}
	unlink(path);
}

/*
 * The committed synthetic captures (tests/captures/synth-*.pcap, made by
 * tests/tools/pcapgen.c): every packet's outcome, as in pcapgen's table.
 */
struct want {
	int rc, bad;
};
#define WANT_OK		{ GF_DECODE_OK, 0 }
#define WANT_NONIP		{ GF_DECODE_NONIP, 0 }
#define WANT_BAD(r)	{ GF_DECODE_BAD, GF_BAD_##r }

static const struct synth {
	const char *file;
	uint16_t encaps1;	/* encaps of the first OK packet */
	const char *frag;	/* per packet: - none, F first, L later */
	int n;
	struct want w[20];
} synth[] = {
	{ "synth-erspan2.pcap", GF_E_ETHER | GF_E_VLAN | GF_E_GRE |
	    GF_E_ERSPAN, "---", 3, { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-erspan3.pcap", GF_E_ETHER | GF_E_VLAN | GF_E_GRE |
	    GF_E_ERSPAN, "--", 2, { WANT_OK, WANT_OK } },
	{ "synth-vlan-mpls.pcap", GF_E_ETHER | GF_E_VLAN | GF_E_MPLS, "---",
	    3, { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-qinq.pcap", GF_E_ETHER | GF_E_VLAN | GF_E_QINQ, "--", 2,
	    { WANT_OK, WANT_OK } },
	{ "synth-gre.pcap", GF_E_ETHER | GF_E_GRE, "----", 4,
	    { WANT_OK, WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-ipip.pcap", GF_E_ETHER | GF_E_IPIP, "---", 3,
	    { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-frag4.pcap", GF_E_ETHER, "FLLLF", 5,
	    { WANT_OK, WANT_OK, WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-frag6.pcap", GF_E_ETHER, "FL", 2, { WANT_OK, WANT_OK } },
	{ "synth-sll.pcap", GF_E_SLL, "--", 2, { WANT_OK, WANT_OK } },
	{ "synth-sll2.pcap", GF_E_SLL, "--", 2, { WANT_OK, WANT_OK } },
	{ "synth-null-le.pcap", GF_E_NULL, "--", 2, { WANT_OK, WANT_OK } },
	{ "synth-null-be.pcap", GF_E_NULL, "---", 3, { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-raw.pcap", GF_E_RAW, "--", 2, { WANT_OK, WANT_OK } },
	{ "synth-trunc.pcap", GF_E_ETHER, "-------------------", 19, {
	    WANT_BAD(TRUNC_LINK), WANT_BAD(TRUNC_ENCAP), WANT_BAD(TRUNC_IP),
	    WANT_BAD(TRUNC_IP), WANT_BAD(TRUNC_L4), WANT_OK, WANT_BAD(IP_LEN),
	    WANT_BAD(IP_LEN), WANT_BAD(TCP_OFF), WANT_BAD(TCP_OFF),
	    WANT_BAD(IP_VERSION), WANT_BAD(IP6_EXT), WANT_BAD(TRUNC_ENCAP),
	    WANT_BAD(TRUNC_ENCAP), WANT_BAD(TRUNC_L4), WANT_BAD(IP_LEN), WANT_OK,
	    WANT_OK, WANT_OK } },
	{ "synth-nonip.pcap", 0, "---", 3, { WANT_NONIP, WANT_NONIP, WANT_NONIP } },
	{ "synth-vlan-split.pcap", GF_E_ETHER | GF_E_VLAN, "----------", 10,
	    { WANT_OK, WANT_OK, WANT_OK, WANT_OK, WANT_OK, WANT_OK, WANT_OK,
	    WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-gtpu.pcap", GF_E_ETHER | GF_E_GTPU, "----", 4,
	    { WANT_OK, WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-vxlan.pcap", GF_E_ETHER | GF_E_VXLAN | GF_E_VLAN, "---", 3,
	    { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-geneve.pcap", GF_E_ETHER | GF_E_GENEVE, "---", 3,
	    { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-greudp.pcap", GF_E_ETHER | GF_E_GRE, "---", 3,
	    { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-teredo.pcap", GF_E_ETHER | GF_E_TEREDO, "---", 3,
	    { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-pbb.pcap", GF_E_ETHER | GF_E_VLAN | GF_E_QINQ | GF_E_PBB,
	    "--", 2, { WANT_OK, WANT_OK } },
	{ "synth-pppoe.pcap", GF_E_ETHER | GF_E_PPPOE, "----", 4,
	    { WANT_OK, WANT_OK, WANT_OK, WANT_NONIP } },
	{ "synth-tunbad.pcap", GF_E_ETHER, "----------------", 16, {
	    WANT_BAD(GTPU), WANT_BAD(GTPU), WANT_BAD(VXLAN), WANT_BAD(VXLAN),
	    WANT_BAD(GENEVE), WANT_BAD(GENEVE), WANT_BAD(TRUNC_ENCAP),
	    WANT_BAD(TRUNC_ENCAP), WANT_BAD(TEREDO), WANT_BAD(PBB),
	    WANT_BAD(PBB), WANT_BAD(PPPOE), WANT_BAD(PPPOE), WANT_OK,
	    WANT_BAD(VXLAN), WANT_OK } },
	{ "synth-tunfrag.pcap", GF_E_ETHER, "FLF", 3,
	    { WANT_OK, WANT_OK, WANT_OK } },
	{ "synth-icmp.pcap", GF_E_ETHER, "------", 6,
	    { WANT_OK, WANT_OK, WANT_OK, WANT_OK, WANT_OK, WANT_OK } },
};

/*
 * Outer reassembly over synth-tunfrag.pcap (pcapgen.c): a GTP-U datagram
 * of 14 + 20 + 8 + 8 + 20 + 20 + 1000 = 1090 bytes, whose outer payload
 * (1056 bytes) is cut at 520: frames of 14 + 20 + 520 = 554 and
 * 14 + 20 + 536 = 570 bytes; then a first fragment whose second never
 * comes.
 */
TEST(reassembly)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	struct gf_sensor st;
	struct reasm *r;
	pcap_t *pc;
	int rc, oom, i = 0, want[3] = { GF_DECODE_HELD, GF_DECODE_OK,
	    GF_DECODE_HELD };

	memset(&st, 0, sizeof(st));
	r = reasm_new(4, 30 * 1000000000ull, &oom);
	CHECK(r != NULL);
	pc = pcap_open_offline("tests/captures/synth-tunfrag.pcap", errbuf);
	CHECK(pc != NULL);
	if (r == NULL || pc == NULL)
		return;
	while (pcap_next_ex(pc, &ph, &data) == 1 && i < 3) {
		rc = gf_decode(1, data, ph->caplen, ph->len, &pkt);
		pkt.ts = (uint64_t)i;
		CHECK_U64(rc, GF_DECODE_OK);
		CHECK_U64(pkt.reasm, i == 1 ? GF_REASM_OUTER :
		    GF_REASM_OUTER | GF_REASM_TUNNEL);
		rc = reasm_frame(r, &st, 1, data, ph->caplen, rc, &pkt);
		CHECK_U64(rc, want[i]);
		if (i == 1) {
			CHECK_U64(pkt.encaps, GF_E_ETHER | GF_E_GTPU);
			CHECK_U64(pkt.frag, GF_FRAG_NONE);
			CHECK(addr_eq(pkt.src, "10.1.0.1"));
			CHECK_U64(pkt.sport, 1000);
			CHECK_U64(pkt.dport, 80);
			CHECK_U64(pkt.ip_len, 1040);
			CHECK_U64(pkt.payload, 1000);
			CHECK_U64(pkt.wire_len, 554 + 570);
			CHECK_U64(pkt.held_bytes, 554);
			CHECK_U64(pkt.ts, 1);
		}
		i++;
	}
	CHECK_U64(i, 3);
	CHECK_U64(st.reasm_held, 3);
	CHECK_U64(st.reasm_done, 1);
	CHECK_U64(st.reasm_lost, 0);
	reasm_flush(r, &st);
	CHECK_U64(st.reasm_lost, 1);
	pcap_close(pc);
	reasm_free(r);
}

static void
check_synth(const struct synth *sy)
{
	char path[256], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	pcap_t *pc;
	int i, rc, first = 1;

	snprintf(path, sizeof(path), "tests/captures/%s", sy->file);
	if ((pc = pcap_open_offline(path, errbuf)) == NULL) {
		printf("  %s: %s\n", path, errbuf);
		CHECK(pc != NULL);
		return;
	}
	for (i = 0; pcap_next_ex(pc, &ph, &data) == 1; i++) {
		if (i >= sy->n)
			continue;
		rc = gf_decode(pcap_datalink(pc), data, ph->caplen, ph->len,
		    &pkt);
		if (rc != sy->w[i].rc ||
		    (rc == GF_DECODE_BAD && pkt.bad != sy->w[i].bad)) {
			printf("  %s packet %d: rc %d bad %d, want %d %d\n",
			    sy->file, i + 1, rc, pkt.bad, sy->w[i].rc,
			    sy->w[i].bad);
			CHECK(!"synthetic capture outcome");
		}
		if (rc == GF_DECODE_OK && first) {
			CHECK_U64(pkt.encaps, sy->encaps1);
			first = 0;
		}
		if (rc == GF_DECODE_OK)
			CHECK_U64(pkt.frag, sy->frag[i] == 'F' ?
			    GF_FRAG_FIRST : sy->frag[i] == 'L' ?
			    GF_FRAG_LATER : GF_FRAG_NONE);
		if (strcmp(sy->file, "synth-trunc.pcap") == 0 && i >= 17) {
			/* 14 + 20 + 20 + 1460; 14 + 40 + 20 + 1000 */
			CHECK_U64(pkt.shortwire, 1);
			CHECK_U64(pkt.wire_len, i == 17 ? 1514 : 1074);
		}
		if (strcmp(sy->file, "synth-icmp.pcap") == 0 && i == 3) {
			CHECK_U64(pkt.quoted.family, 4);
			CHECK_U64(pkt.quoted.sport, 5000);
			CHECK_U64(pkt.quoted.dport, 4000);
		}
	}
	CHECK_U64(i, sy->n);
	pcap_close(pc);
}

TEST(synth_captures)
{
	size_t i;

	for (i = 0; i < sizeof(synth) / sizeof(synth[0]); i++)
		check_synth(&synth[i]);
}

int
main(void)
{
	RUN(tcp_syn_options);
	RUN(tcp_data_no_options);
	RUN(tcp_wscale_clamped);
	RUN(ethernet_padding_not_payload);
	RUN(snaplen_lengths_from_ip);
	RUN(lost_wire_length);
	RUN(tunnels);
	RUN(snaplen_cuts_tcp_options);
	RUN(tcp_doff);
	RUN(udp_ipv6);
	RUN(vlan_and_qinq);
	RUN(mpls);
	RUN(mpls_pseudowire_ethernet);
	RUN(llc_snap);
	RUN(gre);
	RUN(gre_teb_and_erspan_type1);
	RUN(erspan2);
	RUN(erspan3);
	RUN(ip_in_ip);
	RUN(deep_encap);
	RUN(ipv4_options);
	RUN(ipv4_fragments);
	RUN(ipv6_hbh_fragment);
	RUN(ipv6_ah_dstopts_chain);
	RUN(ipv6_jumbo);
	RUN(linux_cooked);
	RUN(bsd_null);
	RUN(raw_ip);
	RUN(icmp_echo);
	RUN(icmp_error_quotes);
	RUN(non_ip);
	RUN(bad_link_and_caplen);
	RUN(bad_encap_truncation);
	RUN(big_tcp_total_length_zero);
	RUN(bad_ip);
	RUN(bad_l4);
	RUN(builder_checksums);
	RUN(pcap_writer);
	if (access("tests/captures/synth-trunc.pcap", R_OK) == 0) {
		RUN(synth_captures);
		RUN(reassembly);
	} else
		printf("SKIP %s:synth_captures: run from the repository "
		    "root\n", __FILE__);
	return test_summary();
}
