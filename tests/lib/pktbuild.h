/*
 * pktbuild.h - synthetic frames and pcap files for tests and benchmarks.
 *
 * pb_build() turns a struct pb_spec (one packet, described by value) into
 * the bytes of one frame, with correct IPv4 header, TCP, UDP, ICMP and
 * ICMPv6 checksums, so tshark and the sensor see well-formed traffic
 * unless a "damage" field asks otherwise.  It allocates nothing and keeps
 * no state: a generator can reuse one spec and one buffer for millions
 * of packets.  pw_*() write classic little-endian pcap files.
 *
 *	struct pb_spec s;
 *	uint8_t buf[PB_MAXFRAME];
 *	uint32_t wire;
 *	size_t cap;
 *	struct pw *pw = pw_open("x.pcap", pb_linktype(&s), 0);
 *
 *	pb_spec_tcp(&s, "10.0.0.1", 1234, "10.0.0.2", 80);
 *	s.flags = PB_SYN;
 *	s.seq = 1000;
 *	s.mss = 1460;
 *	cap = pb_build(&s, buf, sizeof(buf), &wire);
 *	pw_write(pw, ts_ns, buf, cap, wire);
 *	pb_spec_swap(&s);		the reply: addresses and ports swapped
 *
 * Layout of a built frame, outside in:
 *	link (Ethernet | Linux SLL | SLL2 | BSD null | raw)
 *	[VLAN tags] [MPLS labels]
 *	[PBB I-TAG + customer MACs [+ inner VLANs]] [PPPoE + PPP]
 *	[outer IP + GRE [+ ERSPAN II/III + inner Ethernet [+ inner VLANs]]
 *	 | outer IP (IP-in-IP)
 *	 | outer IP + UDP + GTP-U/VXLAN/Geneve/GRE/Teredo [+ Ethernet]]
 *	IP [+ options | v6 extension headers] transport [payload]
 * Addresses of the outer IP come from outer_src/outer_dst; MAC addresses
 * are derived from the IP addresses (02:00 + last four bytes).
 */
#ifndef GF_PKTBUILD_H
#define GF_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

/* Big enough for any frame pb_build() makes from a 64 KiB datagram. */
#define PB_MAXFRAME	66000

/* TCP flags (as on the wire). */
#define PB_FIN	0x01
#define PB_SYN	0x02
#define PB_RST	0x04
#define PB_PSH	0x08
#define PB_ACK	0x10
#define PB_URG	0x20

/* Transport protocols (IANA numbers; any other value is accepted too). */
#define PB_TCP		6
#define PB_UDP		17
#define PB_ICMP		1
#define PB_ICMP6	58

enum pb_link {
	PB_LINK_ETHER = 0,	/* DLT_EN10MB */
	PB_LINK_SLL,		/* Linux cooked v1 */
	PB_LINK_SLL2,		/* Linux cooked v2 */
	PB_LINK_NULL,		/* BSD loopback, 4-byte AF */
	PB_LINK_RAW,		/* bare IP, LINKTYPE_RAW */
};

enum pb_encap {
	PB_ENC_NONE = 0,
	PB_ENC_GRE,		/* outer IP, GRE, inner IP (or Ethernet) */
	PB_ENC_ERSPAN2,		/* outer IP, GRE+seq, ERSPAN II, Ethernet */
	PB_ENC_ERSPAN3,		/* outer IP, GRE+seq, ERSPAN III, Ethernet */
	PB_ENC_IPIP,		/* outer IP, inner IP (4in4, 6in4, 4in6...) */
	/* outer IP, UDP (tun_sport > port), then: */
	PB_ENC_GTPU,		/* GTP-U G-PDU (TEID tun_id), inner IP */
	PB_ENC_VXLAN,		/* VXLAN (VNI tun_id), inner Ethernet */
	PB_ENC_GENEVE,		/* Geneve (VNI tun_id), Ethernet or IP */
	PB_ENC_GRE_UDP,		/* GRE in UDP (RFC 8086), inner IP */
	PB_ENC_TEREDO,		/* Teredo: inner IPv6 */
};

/*
 * One packet.  Start from pb_spec_init()/pb_spec_tcp()/... and change
 * fields; zero means "absent" or "the default" everywhere except wscale.
 */
struct pb_spec {
	/* Link layer. */
	enum pb_link link;
	int null_be;		/* NULL: AF in big-endian (DLT_LOOP order) */
	uint32_t null_af;	/* NULL: AF value; 0 = 2 or 24 by family */
	int nvlan;		/* 0..2 VLAN tags, outermost first */
	uint16_t vlan[2];
	uint16_t vlan_tpid[2];	/* 0 = 0x8100 (0x88a8 for the outer of two) */
	int nmpls;		/* 0..4 MPLS labels, top first */
	uint32_t mpls[4];
	uint16_t ethertype;	/* non-IP frame of this type (0x0806 = an
				 * ARP request); the IP fields are unused */
	uint32_t pad_to;	/* zero-pad the frame to this many bytes */

	/* Outer encapsulation; outer_* addresses pick its family. */
	enum pb_encap encap;
	const char *outer_src, *outer_dst;
	int gre_csum;		/* GRE: checksum present (C) */
	int gre_key_on;		/* GRE: key present (K) */
	uint32_t gre_key;
	int gre_seq_on;		/* GRE: sequence present (S); ERSPAN always */
	uint32_t gre_seq;
	int gre_teb;		/* GRE: carry Ethernet (0x6558), not IP */
	uint16_t erspan_session;
	int erspan_o;		/* ERSPAN III: 8-byte platform subheader */
	int inner_nvlan;	/* VLAN tags of the inner Ethernet frame */
	uint16_t inner_vlan[2];
	/* UDP tunnels: outer UDP source port (0 = 40000), destination port
	 * (0 = the tunnel's well-known one), tunnel id (VNI, TEID). */
	uint16_t tun_sport, tun_dport;
	uint32_t tun_id;
	int gtp_ext;		/* GTP-U: 0..2 extension headers (4 bytes) */
	int gtp_seq;		/* GTP-U: S flag, 4-byte optional fields */
	int geneve_opt;		/* Geneve: option bytes (multiple of 4) */
	int geneve_ip;		/* Geneve: inner IP, not Ethernet */
	int teredo_origin;	/* Teredo: origin indication first */
	/* Layer 2 inside the link (after its VLAN tags): */
	uint32_t pbb_isid;	/* != 0: 802.1ah I-TAG with this I-SID and
				 * the customer MAC header (inner_nvlan tags) */
	int pppoe;		/* PPPoE session header and PPP protocol */
	uint16_t pppoe_session;

	/* IP. */
	int family;		/* 4 or 6; 0 = from the src string */
	const char *src, *dst;
	uint8_t proto;		/* PB_TCP, PB_UDP, PB_ICMP, PB_ICMP6, ... */
	uint8_t ttl;		/* 0 = 64 */
	uint16_t ipid;
	int df;
	int mf;			/* more-fragments flag (v4 and v6 frag hdr) */
	uint16_t frag_off;	/* fragment offset in bytes, multiple of 8 */
	uint16_t frag_len;	/* 0: write frag_off/mf as given, with the
				 * whole transport packet.  >0: build the
				 * whole datagram, emit only bytes
				 * [frag_off, frag_off + frag_len) of its
				 * fragmentable part; MF set unless the slice
				 * reaches the end (or mf is set) */
	int ipopt_len;		/* v4 options bytes (NOPs), 4..40 step 4 */
	int hbh_len;		/* v6 hop-by-hop header bytes, step 8 */
	int frag6;		/* v6 fragment header (frag_* and mf) */
	uint32_t frag6_id;
	int ah;			/* v6 authentication header (24 bytes) */
	int ndstopt;		/* v6 8-byte destination options headers */

	/* Deliberate damage, for decoder tests. */
	int ip_len_adj;		/* added to v4 total / v6 payload length */
	int ip_version;		/* version nibble written; 0 = family */
	int tcp_doff;		/* TCP data offset (words); 0 = true one */
	uint32_t snaplen;	/* captured bytes; 0 = whole frame */

	/* Transport. */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;		/* PB_SYN | PB_ACK ... */
	uint16_t win;
	uint16_t mss;		/* MSS option, 0 = absent */
	int wscale;		/* window scale shift, -1 = absent */
	int sackok;		/* SACK-permitted option */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	const struct pb_spec *quote;	/* ICMP error: the quoted packet */
	uint32_t quote_len;	/* bytes of it quoted; 0 = IP hdr + 8 */

	/* Payload: paylen bytes, from payload or, if NULL, a pattern. */
	uint32_t paylen;
	const uint8_t *payload;
};

/*
 * Initialisers: every field zero except ttl 64, win 65535, wscale -1,
 * link Ethernet.  The address strings are kept by pointer, not copied.
 */
void pb_spec_init(struct pb_spec *s);
void pb_spec_tcp(struct pb_spec *s, const char *src, uint16_t sport,
    const char *dst, uint16_t dport);		/* flags = ACK */
void pb_spec_udp(struct pb_spec *s, const char *src, uint16_t sport,
    const char *dst, uint16_t dport);
/* ICMP or ICMPv6 by the family of src. */
void pb_spec_icmp(struct pb_spec *s, const char *src, const char *dst,
    uint8_t type, uint8_t code);
/* Swap src/dst, sport/dport (and outer_src/outer_dst): the reverse
 * direction of the same flow. */
/* splitmix64: the next pseudo-random number of *state (deterministic). */
uint64_t pb_rand(uint64_t *state);

void pb_spec_swap(struct pb_spec *s);

/*
 * Build the frame into buf (cap bytes).  Returns the captured length
 * (min(snaplen, wire length)) and sets *wirelen, or returns 0 if the
 * spec is invalid (bad address, too many tags...) or buf too small; buf
 * must hold the whole wire frame, the snaplen cut only shortens caplen.
 */
size_t pb_build(const struct pb_spec *s, uint8_t *buf, size_t cap,
    uint32_t *wirelen);

/* The pcap LINKTYPE_ value for a spec's link (1, 113, 276, 0, 101). */
int pb_linktype(const struct pb_spec *s);

/*
 * The payload pattern: byte i of a pattern started at seed.  TCP
 * payloads use seed = seq, so a retransmission carries the same bytes
 * and byte n of a stream is pb_pattern(isn + 1 + n) (wherever segments
 * start); other payloads use seed 0.
 */
static inline uint8_t
pb_pattern(uint32_t x)
{
	return (uint8_t)('a' + x % 26);
}

/*
 * pcap writer.  pw_open() returns NULL (errno set) on failure; nsec
 * selects the nanosecond magic 0xa1b23c4d.  pw_write() returns 0 or -1
 * (caplen is clipped to the 262144-byte snaplen); pw_close() returns 0
 * or -1 if anything failed to reach the file.
 */
struct pw;
struct pw *pw_open(const char *path, int linktype, int nsec);
int pw_write(struct pw *pw, uint64_t ts_ns, const uint8_t *frame,
    uint32_t caplen, uint32_t wirelen);
int pw_close(struct pw *pw);

#endif
