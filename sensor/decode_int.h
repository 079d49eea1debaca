/*
 * decode_int.h - what decode.c and decode_tunnel.c share: the decoding
 * context (offsets, never pointers past bounds: see decode.c) and the
 * layer decoders each file offers the other.  Not for other modules.
 */
#ifndef GF_DECODE_INT_H
#define GF_DECODE_INT_H

#include <stdint.h>

#include "decode.h"

/*
 * libpcap DLT_ values, by number so the decoder (and its fuzzer) does not
 * need libpcap's headers.  DLT_RAW is 12 except on OpenBSD (14); files
 * say LINKTYPE_RAW (101), which libpcap maps to DLT_RAW, but a caller
 * handing us the file's value must work too.
 */
#define L_NULL		0
#define L_EN10MB	1
#ifdef __OpenBSD__
#define L_RAW		14
#else
#define L_RAW		12
#endif
#define L_LINKTYPE_RAW	101
#define L_LOOP		108
#define L_LINUX_SLL	113
#define L_IPV4		228
#define L_IPV6		229
#define L_LINUX_SLL2	276

#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_VLAN		0x8100
#define ET_QINQ		0x88a8
#define ET_QINQ_OLD	0x9100
#define ET_MPLS_UC	0x8847
#define ET_MPLS_MC	0x8848
#define ET_TEB		0x6558	/* transparent Ethernet bridging (GRE) */
#define ET_ERSPAN2	0x88be	/* also type I, when GRE has no sequence */
#define ET_ERSPAN3	0x22eb
#define ET_PBB		0x88e7	/* 802.1ah I-TAG */
#define ET_PPPOE_S	0x8864	/* PPPoE session stage */

#define ARPHRD_NETLINK	824

/* More IPv6 extension headers than any sane packet carries. */
#define IP6_MAX_EXT	16

struct dctx {
	const uint8_t *p;
	uint32_t cend;		/* readable end, see above */
	uint32_t wend;		/* wire end of the current layer */
	unsigned depth;		/* encapsulation layers peeled so far */
	int lostwire;		/* the frame claims caplen == wire length and
				 * no IP layer has bounded wend yet: an IP
				 * length past wend means the writer lost the
				 * wire length (see wire_lost()) */
	uint32_t reasm;		/* nonzero: the first IP header is that of a
				 * reassembled datagram of this total length
				 * (gf_decode_reasm); cleared when used */
	unsigned nip;		/* IP layers met so far */
	struct gf_packet *pkt;
};

/* Whether n bytes at offset pos were captured (and lie inside the clip). */
static inline int
have(const struct dctx *d, uint32_t pos, uint32_t n)
{
	return pos <= d->cend && d->cend - pos >= n;
}

static inline enum gf_decode_rc
bad(struct dctx *d, enum gf_bad why)
{
	d->pkt->bad = (uint8_t)why;
	return GF_DECODE_BAD;
}

/* Count one more encapsulation layer; nonzero when over the cap. */
static inline int
deeper(struct dctx *d)
{
	return ++d->depth > GF_MAX_ENCAP_DEPTH;
}


/* decode.c */
enum gf_decode_rc gf_dec_ether(struct dctx *, uint32_t, enum gf_bad);
enum gf_decode_rc gf_dec_etype(struct dctx *, uint32_t, uint16_t, int);
enum gf_decode_rc gf_dec_ip(struct dctx *, uint32_t, int);
/* decode_tunnel.c */
enum gf_decode_rc gf_dec_gre(struct dctx *, uint32_t);
enum gf_decode_rc gf_dec_pbb(struct dctx *, uint32_t);
enum gf_decode_rc gf_dec_pppoe(struct dctx *, uint32_t);
/* The UDP datagram at pos (header captured, l4len wire bytes with its
 * header) from port sport to dport: a tunnel's inner packet, or
 * GF_DEC_NOT_TUNNEL, with pkt untouched, when no tunnel port matches or
 * the contents say it is no tunnel (a plain UDP flow then). */
#define GF_DEC_NOT_TUNNEL ((enum gf_decode_rc)4)
enum gf_decode_rc gf_dec_udp_tunnel(struct dctx *, uint32_t, uint32_t,
    uint16_t, uint16_t);
/* The decoder's configuration (decode_tunnel.c; gf_decode_configure). */
extern struct gf_decode_cfg gf_dcfg;

/* A configured port (0: that tunnel is off) matched by p. */
static inline int
port_is(uint16_t conf, uint16_t p)
{
	return conf != 0 && p == conf;
}

/* Whether a UDP datagram between these ports is a tunnel by its ports
 * (for a first fragment: worth reassembling). */
static inline int
gf_udp_tunnel_port(uint16_t sport, uint16_t dport)
{
	return port_is(gf_dcfg.gtpu_port, dport) ||
	    port_is(gf_dcfg.gtpu_port, sport) ||
	    port_is(gf_dcfg.vxlan_port, dport) ||
	    port_is(gf_dcfg.geneve_port, dport) ||
	    port_is(gf_dcfg.gre_udp_port, dport) ||
	    port_is(gf_dcfg.teredo_port, dport) ||
	    port_is(gf_dcfg.teredo_port, sport);
}

/* Whether gf_dec_udp_tunnel could find a tunnel in a UDP datagram whose
 * payload starts with byte b: by its ports, or Teredo on another port
 * (IPv6, or an indicator's zero first byte).  The cheap test first. */
static inline int
gf_udp_maybe_tunnel(uint16_t sport, uint16_t dport, uint8_t b)
{
	return gf_udp_tunnel_port(sport, dport) ||
	    (gf_dcfg.teredo_port != 0 && ((b >> 4) == 6 || b == 0));
}

#endif
