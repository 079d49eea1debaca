/*
 * decode.h - one captured frame -> the facts the flow table needs.
 *
 * The decoder peels link layers and encapsulations (Ethernet, Linux
 * cooked v1/v2, raw IP, BSD null/loopback; 802.1Q/QinQ, 802.1ah PBB,
 * PPPoE, MPLS, GRE, ERSPAN II/III, IP-in-IP; in UDP: GTP-U, VXLAN,
 * Geneve, GRE, Teredo), then reads IPv4/IPv6 and the transport header.  It
 * reads only what was captured (caplen), never past it, and takes lengths
 * from the IP headers, so a short snaplen loses no counts.  It allocates
 * nothing and copies only the addresses.  Anything it cannot use is
 * classified: non-IP (counted, not an error) or a bad-packet reason
 * (enum gf_bad in gapflow.h).
 */
#ifndef GF_DECODE_H
#define GF_DECODE_H

#include <stdint.h>
#include "gapflow.h"

/* Result of gf_decode(): GF_DECODE_OK, GF_DECODE_NONIP, or
 * GF_DECODE_BAD with pkt->bad set. */
enum gf_decode_rc {
	GF_DECODE_OK = 0,
	GF_DECODE_NONIP = 1,
	GF_DECODE_BAD = 2,
	GF_DECODE_HELD = 3,     /* a fragment held for reassembly (reasm.h):
	                           counted as read, nothing else yet */
};

/* Fragment state of an IPv4/IPv6 packet. */
enum gf_frag {
	GF_FRAG_NONE = 0,
	GF_FRAG_FIRST = 1,      /* offset 0, more fragments: has the ports */
	GF_FRAG_LATER = 2,      /* offset > 0: no transport header */
};

#define GF_MAX_ENCAP_DEPTH 8

/* gf_packet.reasm bits */
#define GF_REASM_OUTER  0x01    /* a fragment of the outermost IP layer */
#define GF_REASM_TUNNEL 0x02    /* and a first fragment whose contents are
                                   a tunnel the decoder would peel */

/* Which encapsulations the decoder peels: UDP ports (0: off) and
 * switches, from the decode.* configuration keys. */
struct gf_decode_cfg {
	uint16_t gtpu_port;     /* 2152 */
	uint16_t vxlan_port;    /* 4789 */
	uint16_t geneve_port;   /* 6081 */
	uint16_t gre_udp_port;  /* 4754 */
	uint16_t teredo_port;   /* 3544 */
	uint8_t pbb;            /* 1 */
	uint8_t pppoe;          /* 1 */
};

struct gf_packet {
	uint64_t ts;            /* ns since epoch */
	uint32_t wire_len;      /* pcap original length (see shortwire) */
	uint32_t ip_len;        /* IP total length (v6: 40 + payload length) */
	uint32_t payload;       /* transport payload bytes per IP lengths */
	uint16_t encaps;        /* GF_E_* */
	uint16_t vlan;          /* outermost VLAN id, 0 none */
	uint8_t family;         /* 4 or 6 */
	uint8_t proto;          /* transport protocol (after v6 ext headers) */
	uint8_t frag;           /* enum gf_frag */
	uint8_t ipopts;         /* IPv4 options present */
	uint32_t frag_id;       /* IPv4 id, or IPv6 fragment id */
	uint16_t ipid;          /* IPv4 identification, 0 for v6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;  /* host order; see ICMP below */
	/* TCP */
	uint32_t seq, ack;
	uint16_t win;
	uint8_t tcpflags;
	uint8_t wscale;         /* 0xff if no option */
	uint16_t mss;           /* 0 if no option */
	uint8_t sackok;
	/* ICMP / ICMPv6 */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;       /* echo identifier */
	/*
	 * ICMP error quoting a packet: the quoted packet's flow key, as the
	 * quoted packet's sender sent it.  family 0 if not an error or the
	 * quote is too short to hold the ports.
	 */
	struct {
		uint8_t family, proto;
		uint8_t src[16], dst[16];
		uint16_t sport, dport;
	} quoted;
	uint16_t l4sum;         /* TCP/UDP/ICMP checksum field: a cheap
	                           fingerprint of the payload */
	uint8_t feed;           /* the input it came from (caller's) */
	uint32_t tunid;         /* outermost tunnel id: VXLAN/Geneve VNI,
	                           GTP-U TEID, PBB I-SID; 0 none */
	/* An outermost IP fragment (reasm != 0): where its bytes go. */
	uint8_t reasm;          /* GF_REASM_* bits */
	uint8_t frag_more;      /* more fragments follow */
	uint16_t frag_hdr;      /* IP header bytes before the fragmentable
	                           part (v4 header, v6 up to the frag hdr) */
	uint32_t frag_off;      /* byte offset in the fragmentable part */
	uint32_t frag_len;      /* fragmentable bytes this fragment carries */
	uint32_t held_bytes;    /* reassembled: wire bytes of the fragments
	                           held before this one (counted already) */
	uint8_t bad;            /* enum gf_bad when GF_DECODE_BAD */
	uint8_t shortwire;      /* the recorded wire length was shorter than
	                           the IP datagram of a frame captured whole:
	                           wire_len is link header + IP length */
	uint8_t orphan;         /* flow engine: a later fragment whose first
	                           fragment it has not seen */
};

/* TCP flag bits as on the wire. */
#define GF_TH_FIN 0x01
#define GF_TH_SYN 0x02
#define GF_TH_RST 0x04
#define GF_TH_PSH 0x08
#define GF_TH_ACK 0x10
#define GF_TH_URG 0x20
#define GF_TH_ECE 0x40
#define GF_TH_CWR 0x80

/* The defaults above; set the decoder's (before any decoding starts:
 * read without locks by the decoding thread). */
void gf_decode_cfg_defaults(struct gf_decode_cfg *c);
void gf_decode_configure(const struct gf_decode_cfg *c);

/* Whether the decoder knows this libpcap DLT_ value. */
int gf_decode_linktype_supported(int dlt);

/*
 * Decode one frame.  caplen bytes at data were captured of a wire_len
 * byte frame of link type dlt.  Fills *pkt (ts is the caller's).
 */
enum gf_decode_rc gf_decode(int dlt, const uint8_t *data, uint32_t caplen,
    uint32_t wire_len, struct gf_packet *pkt);

/*
 * The same for a frame of which only the first kept of its caplen
 * captured bytes were kept (a packet ring's slot): reads stay within
 * kept, while caplen, as the capture recorded it, decides whether the
 * frame was captured whole (a lost wire length, see shortwire).
 */
enum gf_decode_rc gf_decode_clipped(int dlt, const uint8_t *data,
    uint32_t kept, uint32_t caplen, uint32_t wire_len,
    struct gf_packet *pkt);

/*
 * A reassembled outer datagram: kept bytes at data are the first
 * fragment's frame as captured; its first IP header is taken as that of
 * an unfragmented datagram of total bytes (header included).  wire_len
 * becomes pkt->wire_len (the fragments' wire bytes).
 */
enum gf_decode_rc gf_decode_reasm(int dlt, const uint8_t *data,
    uint32_t kept, uint32_t total, uint32_t wire_len,
    struct gf_packet *pkt);

#endif
