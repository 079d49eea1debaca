/*
 * gapflow.h - constants shared by the sensor and the client.
 *
 * Everything that both programs must agree on and that is not a record
 * field lives here, once: format magic and version, limits, and the enum
 * values that appear on the wire.  Wire values never change meaning; new
 * values are appended.  man/gapflow-records.5 is the normative text.
 */
#ifndef GAPFLOW_H
#define GAPFLOW_H

#include <stdint.h>

#define GF_VERSION_STRING "0.1.0"

/* Stream header: 8 magic bytes; the CR LF and ^Z in it expose text-mode
 * (newline-translating) copies of a file. */
#define GF_MAGIC            "GFLW\r\n\x1a\n"
#define GF_MAGIC_LEN        8
#define GF_FORMAT_MAJOR     2   /* incompatible changes */
#define GF_FORMAT_MINOR     1   /* compatible additions (fields, types);
                                 * 1: block numbers, end-of-stream block */
#define GF_HEADER_MIN_LEN   80
#define GF_HEADER_MAX_LEN   4096
#define GF_SENSOR_NAME_LEN  32

#define GF_BLOCK_MAGIC      0x4b424647u /* "GFBK" read little-endian */
#define GF_BLOCK_HDR_LEN    24
#define GF_BLOCK_MAX_RAW    (1u << 20)  /* decompressed payload bound */
#define GF_BLOCK_MAX_STORED (GF_BLOCK_MAX_RAW + (GF_BLOCK_MAX_RAW >> 8) + 64)
#define GF_BLOCK_ZLIB       0x0001u
#define GF_BLOCK_SEQ_OFF    18          /* 2.1: u16 block number (mod 2^16) */
#define GF_HEADER_SEQ_OFF   72          /* 2.1: u32 number of the first block */

#define GF_RECORD_HDR_LEN   4           /* u16 type, u16 length */
#define GF_RECORD_MAX_LEN   65535

/* Header flag bits. */
#define GF_HDR_ALIGNED      0x0001u     /* status intervals aligned to clock */

/* Record types (u16 on the wire). */
enum gf_rtype {
	GF_RT_FLOW = 1,
	GF_RT_SENSOR = 2,
};

/* FLOW record kinds. */
enum gf_kind {
	GF_KIND_STATUS = 1,     /* interval report of a flow still active */
	GF_KIND_FINAL = 2,      /* last record of a flow, with an end reason */
};

/* End reasons of a FINAL record (0 in STATUS records). */
enum gf_end {
	GF_END_NONE = 0,
	GF_END_FIN = 1,         /* both FINs seen (or FIN then idle grace) */
	GF_END_RST = 2,
	GF_END_IDLE = 3,        /* idle timeout */
	GF_END_REUSE = 4,       /* new SYN on a closed flow */
	GF_END_EOF = 5,         /* end of input files */
	GF_END_SHUTDOWN = 6,    /* sensor stopped (signal) */
	GF_END_EVICTED = 7,     /* flow table full, oldest idle flow evicted */
};

/* How sure the sensor is that src is the initiator. */
enum gf_orient {
	GF_ORIENT_UNKNOWN = 0,  /* first packet's sender, nothing better */
	GF_ORIENT_PORT = 1,     /* mid-stream TCP, port heuristic */
	GF_ORIENT_SYNACK = 2,   /* SYN-ACK seen, SYN not seen */
	GF_ORIENT_SYN = 3,      /* SYN (without ACK) seen from src */
};

/* Flow states, argus-like names in output. */
enum gf_state {
	GF_ST_NONE = 0,
	GF_ST_REQ = 1,          /* TCP: SYN seen, no SYN-ACK */
	GF_ST_ACC = 2,          /* TCP: SYN-ACK seen */
	GF_ST_EST = 3,          /* TCP: data or handshake completed */
	GF_ST_FIN = 4,          /* TCP: one side sent FIN */
	GF_ST_CLO = 5,          /* TCP: both sides sent FIN */
	GF_ST_RST = 6,          /* TCP: reset */
	GF_ST_INT = 7,          /* non-TCP: one direction only so far */
	GF_ST_CON = 8,          /* non-TCP: both directions */
};

/* Indicator bits of the flow 'flgs' field (u32).  One meaning per bit. */
#define GF_F_SIMPLEX        0x00000001u /* only one direction seen */
#define GF_F_SGAP           0x00000002u /* src capture gap in this record */
#define GF_F_DGAP           0x00000004u
#define GF_F_SGAP_NOACK     0x00000008u /* src gap inferred without ACK */
#define GF_F_DGAP_NOACK     0x00000010u
#define GF_F_SLOSS          0x00000020u /* src retransmissions */
#define GF_F_DLOSS          0x00000040u
#define GF_F_SOOO           0x00000080u /* src out of order */
#define GF_F_DOOO           0x00000100u
#define GF_F_HOLES_FULL     0x00000200u /* hole table full: gaps approximate */
#define GF_F_MIDSTREAM      0x00000400u /* TCP picked up without handshake */
#define GF_F_SKEW           0x00000800u /* handshake seen out of order, fixed */
#define GF_F_FRAG           0x00001000u /* IP fragments seen */
#define GF_F_FRAG_ORPHAN    0x00002000u /* later fragment before its first */
#define GF_F_IPOPT          0x00004000u /* IPv4 options present */
#define GF_F_ICMPERR        0x00008000u /* ICMP error quoted this flow */
#define GF_F_SWIN0          0x00010000u /* src advertised zero window */
#define GF_F_DWIN0          0x00020000u
#define GF_F_REUSE          0x00040000u /* flow follows a port reuse */

/* Encapsulation bits of the flow 'encaps' field (u16). */
#define GF_E_ETHER          0x0001u
#define GF_E_VLAN           0x0002u
#define GF_E_QINQ           0x0004u
#define GF_E_MPLS           0x0008u
#define GF_E_SLL            0x0010u
#define GF_E_NULL           0x0020u     /* BSD loopback */
#define GF_E_RAW            0x0040u
#define GF_E_GRE            0x0080u
#define GF_E_ERSPAN         0x0100u
#define GF_E_IPIP           0x0200u     /* IP in IP (4in4, 6in4, ...) */
#define GF_E_GTPU           0x0400u     /* GTP-U (TEID in tunid) */
#define GF_E_VXLAN          0x0800u     /* VXLAN (VNI in tunid) */
#define GF_E_GENEVE         0x1000u     /* Geneve (VNI in tunid) */
#define GF_E_TEREDO         0x2000u     /* Teredo (IPv6 in UDP) */
#define GF_E_PBB            0x4000u     /* 802.1ah PBB (I-SID in tunid) */
#define GF_E_PPPOE          0x8000u     /* PPPoE session */
/* GRE over UDP (RFC 8086) sets GF_E_GRE: the same header, in UDP. */

/*
 * Reasons a packet is not turned into a flow update.  One X-macro list
 * feeds the enum, the SENSOR record fields and their descriptions.
 * X(enum suffix, field name, description)
 */
#define GF_BAD_REASONS(X) \
	X(TRUNC_LINK, "bad_link", "link-layer header truncated") \
	X(LINKTYPE, "bad_linktype", "unsupported link type") \
	X(TRUNC_ENCAP, "bad_encap", "VLAN/MPLS/GRE/ERSPAN header truncated or malformed") \
	X(DEEP_ENCAP, "bad_deep", "more nested encapsulations than the decoder follows") \
	X(TRUNC_IP, "bad_iphdr", "IP header truncated") \
	X(IP_VERSION, "bad_ipver", "IP version field wrong for the ethertype") \
	X(IP_LEN, "bad_iplen", "IP total/payload length inconsistent") \
	X(IP6_EXT, "bad_ip6ext", "IPv6 extension header chain truncated or too long") \
	X(TRUNC_L4, "bad_l4hdr", "TCP/UDP/ICMP header truncated") \
	X(TCP_OFF, "bad_tcpoff", "TCP data offset out of range") \
	X(CAPLEN, "bad_caplen", "captured length larger than wire length")

/*
 * Reasons added later: their SENSOR fields come after shortwire in wire
 * order (the registry is append-only), their enum values after CAPLEN.
 */
#define GF_BAD_REASONS_TUNNEL(X) \
	X(GTPU, "bad_gtpu", "GTP-U header truncated or malformed") \
	X(VXLAN, "bad_vxlan", "VXLAN header or its Ethernet frame truncated, or I flag clear") \
	X(GENEVE, "bad_geneve", "Geneve header, options or inner frame truncated, or version not 0") \
	X(TEREDO, "bad_teredo", "Teredo indicators or IPv6 header cut by the snaplen") \
	X(PBB, "bad_pbb", "802.1ah I-TAG or customer MAC header truncated") \
	X(PPPOE, "bad_pppoe", "PPPoE session or PPP header truncated or malformed")

enum gf_bad {
#define GF_BAD_ENUM(e, n, d) GF_BAD_##e,
	GF_BAD_REASONS(GF_BAD_ENUM)
	GF_BAD_REASONS_TUNNEL(GF_BAD_ENUM)
#undef GF_BAD_ENUM
	GF_BAD_COUNT
};

/* Exit statuses, documented in gapflow(8) and gapdump(1). */
#define GF_EXIT_OK        0
#define GF_EXIT_NOMATCH   1   /* gapdump: no record matched */
#define GF_EXIT_ERROR     2   /* bad usage, unreadable input, write error */
#define GF_EXIT_THRESHOLD 3   /* gapdump --loss-threshold crossed */

#define GF_NS_PER_SEC 1000000000ull

#endif /* GAPFLOW_H */
