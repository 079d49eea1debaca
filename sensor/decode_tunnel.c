/*
 * decode_tunnel.c - the tunnels: GRE and ERSPAN, the UDP-borne ones
 * (GTP-U, VXLAN, Geneve, GRE in UDP, Teredo), 802.1ah PBB and PPPoE
 * sessions.  Same discipline as decode.c (read its header): offsets from
 * data[0], every read behind have(), every failure one enum gf_bad reason
 * (the tunnel's own, GF_BAD_REASONS_TUNNEL in gapflow.h).
 *
 * Each tunnel is one encapsulation layer (deeper()), sets its GF_E_* bit,
 * and the first one with an id (VNI, TEID, I-SID) sets pkt->tunid.  A UDP
 * datagram is a tunnel when its ports say so (decode.* configuration;
 * port 0 switches one off): GTP-U on either port (both ends use 2152),
 * VXLAN, Geneve and GRE in UDP on the destination port (the source port
 * is flow entropy), Teredo on either port and only after validation.
 * Teredo relays talk to clients from any port, so a datagram on other
 * ports is Teredo too when it validates and one of its IPv6 addresses is
 * a Teredo (2001::/32) or link-local one (Zeek detects these by content
 * as well; Wireshark has the same heuristic).
 */
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "decode_int.h"

struct gf_decode_cfg gf_dcfg = {
	.gtpu_port = 2152, .vxlan_port = 4789, .geneve_port = 6081,
	.gre_udp_port = 4754, .teredo_port = 3544, .pbb = 1, .pppoe = 1,
};

void
gf_decode_cfg_defaults(struct gf_decode_cfg *c)
{
	c->gtpu_port = 2152;
	c->vxlan_port = 4789;
	c->geneve_port = 6081;
	c->gre_udp_port = 4754;
	c->teredo_port = 3544;
	c->pbb = 1;
	c->pppoe = 1;
}

void
gf_decode_configure(const struct gf_decode_cfg *c)
{
	gf_dcfg = *c;
}

/* The first tunnel id met is the outermost. */
static inline void
tunnel_id(struct gf_packet *pkt, uint32_t id)
{
	if (pkt->tunid == 0)
		pkt->tunid = id;
}

/*
 * GTP-U version 1 (3GPP TS 29.281):
 *	version(3)=1 PT(1)=1 spare(1) E(1) S(1) PN(1) | type(8) |
 *	length(16, bytes after these 8) | TEID(32)
 *	[seq(16) N-PDU(8) next extension type(8)] if any of E, S, PN
 *	extension headers: length(8, 4-byte units, all of it) ...
 *	    next type(8) as its last byte; 0 ends the chain
 * Only G-PDUs (type 255) carry user packets (a T-PDU, IPv4 or IPv6 by its
 * first nibble); other messages (echo, error indication, end marker) are
 * the tunnel's own UDP flow.  Version other than 1, PT 0 (GTP'), a length
 * beyond the datagram or a broken extension chain: bad_gtpu.
 */
static enum gf_decode_rc
dec_gtpu(struct dctx *d, uint32_t pos, uint32_t len)
{
	const uint8_t *h;
	uint32_t end, elen;
	uint8_t next;
	unsigned n;

	if (!have(d, pos, 8))
		return len >= 8 ? bad(d, GF_BAD_GTPU) : GF_DEC_NOT_TUNNEL;
	h = d->p + pos;
	if ((h[0] >> 5) != 1 || !(h[0] & 0x10))
		return bad(d, GF_BAD_GTPU);
	if (h[1] != 255)
		return GF_DEC_NOT_TUNNEL;
	if (gf_be16(h + 2) > len - 8)
		return bad(d, GF_BAD_GTPU);
	if (deeper(d))
		return bad(d, GF_BAD_DEEP_ENCAP);
	d->pkt->encaps |= GF_E_GTPU;
	tunnel_id(d->pkt, gf_be32(h + 4));
	end = pos + 8 + gf_be16(h + 2);
	pos += 8;
	if (h[0] & 0x07) {
		if (end - pos < 4 || !have(d, pos, 4))
			return bad(d, GF_BAD_GTPU);
		next = d->p[pos + 3];
		pos += 4;
		for (n = 0; next != 0; n++) {
			if (n >= 16 || !have(d, pos, 1))
				return bad(d, GF_BAD_GTPU);
			elen = (uint32_t)d->p[pos] * 4;
			if (elen == 0 || elen > end - pos || !have(d, pos, elen))
				return bad(d, GF_BAD_GTPU);
			next = d->p[pos + elen - 1];
			pos += elen;
		}
	}
	if (pos == end)
		return GF_DECODE_NONIP;		/* no T-PDU */
	if (!have(d, pos, 1))
		return bad(d, GF_BAD_GTPU);
	switch (d->p[pos] >> 4) {
	case 4:
		return gf_dec_ip(d, pos, 4);
	case 6:
		return gf_dec_ip(d, pos, 6);
	default:
		return GF_DECODE_NONIP;
	}
}

/*
 * VXLAN (RFC 7348): flags(8, I = 0x08) reserved(24) VNI(24) reserved(8),
 * then an Ethernet frame.  I clear: bad_vxlan.
 */
static enum gf_decode_rc
dec_vxlan(struct dctx *d, uint32_t pos)
{
	if (!have(d, pos, 8))
		return bad(d, GF_BAD_VXLAN);
	if (!(d->p[pos] & 0x08))
		return bad(d, GF_BAD_VXLAN);
	if (deeper(d))
		return bad(d, GF_BAD_DEEP_ENCAP);
	d->pkt->encaps |= GF_E_VXLAN;
	tunnel_id(d->pkt, gf_be32(d->p + pos + 4) >> 8);
	return gf_dec_ether(d, pos + 8, GF_BAD_VXLAN);
}

/*
 * Geneve (RFC 8926): ver(2)=0 optlen(6, 4-byte units) O(1) C(1) rsvd(6)
 * protocol(16) VNI(24) reserved(8), options, then by protocol an
 * Ethernet frame (0x6558) or an IP packet; other protocols are non-IP.
 */
static enum gf_decode_rc
dec_geneve(struct dctx *d, uint32_t pos)
{
	const uint8_t *h;
	uint32_t hl;
	uint16_t proto;

	if (!have(d, pos, 8))
		return bad(d, GF_BAD_GENEVE);
	h = d->p + pos;
	if ((h[0] >> 6) != 0)
		return bad(d, GF_BAD_GENEVE);
	hl = 8 + (uint32_t)(h[0] & 0x3f) * 4;
	if (!have(d, pos, hl))
		return bad(d, GF_BAD_GENEVE);
	if (deeper(d))
		return bad(d, GF_BAD_DEEP_ENCAP);
	d->pkt->encaps |= GF_E_GENEVE;
	tunnel_id(d->pkt, gf_be32(h + 4) >> 8);
	proto = gf_be16(h + 2);
	pos += hl;
	switch (proto) {
	case ET_TEB:
		return gf_dec_ether(d, pos, GF_BAD_GENEVE);
	case ET_IPV4:
		return gf_dec_ip(d, pos, 4);
	case ET_IPV6:
		return gf_dec_ip(d, pos, 6);
	default:
		return GF_DECODE_NONIP;
	}
}

/* A Teredo (2001:0::/32) or link-local (fe80::/10) IPv6 address. */
static int
teredo_addr(const uint8_t *a)
{
	return (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) ||
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/*
 * Teredo (RFC 4380): an IPv6 packet in UDP, optionally after an
 * authentication indicator (0x0001, client id length(8), auth value
 * length(8), client id, auth value, nonce(64), confirmation(8)) and an
 * origin indication (0x0000, port(16), address(32)).  Anything on port
 * 3544 could be anything, so, as Zeek does, it is Teredo only if what
 * follows the indicators is an IPv6 header of version 6 whose payload
 * length fills the datagram exactly; otherwise it is the plain UDP flow.
 * Indicators or the IPv6 header cut by the snaplen: bad_teredo on the
 * Teredo port, the plain UDP flow on any other.
 */
static enum gf_decode_rc
dec_teredo(struct dctx *d, uint32_t pos, uint32_t len, int anyport)
{
	uint32_t end = pos + len, n;
	const uint8_t *h;

	/* the cheap test first: IPv6 or an indicator's first byte */
	if (anyport && (len < 40 || !have(d, pos, 1) ||
	    ((d->p[pos] >> 4) != 6 && d->p[pos] != 0)))
		return GF_DEC_NOT_TUNNEL;

	if (end - pos >= 2 && !have(d, pos, 2))
		return anyport ? GF_DEC_NOT_TUNNEL : bad(d, GF_BAD_TEREDO);
	if (end - pos >= 4 && gf_be16(d->p + pos) == 0x0001) {
		if (!have(d, pos, 4))
			return anyport ? GF_DEC_NOT_TUNNEL : bad(d, GF_BAD_TEREDO);
		n = 4 + (uint32_t)d->p[pos + 2] + d->p[pos + 3] + 9;
		if (n > end - pos)
			return GF_DEC_NOT_TUNNEL;
		pos += n;
	}
	if (end - pos >= 8 && have(d, pos, 2) && gf_be16(d->p + pos) == 0)
		pos += 8;
	if (end - pos < 40)
		return GF_DEC_NOT_TUNNEL;
	if (!have(d, pos, 40))
		return anyport ? GF_DEC_NOT_TUNNEL : bad(d, GF_BAD_TEREDO);
	h = d->p + pos;
	if ((h[0] >> 4) != 6 || 40 + (uint32_t)gf_be16(h + 4) != end - pos)
		return GF_DEC_NOT_TUNNEL;
	if (anyport && !teredo_addr(h + 8) && !teredo_addr(h + 24))
		return GF_DEC_NOT_TUNNEL;
	if (deeper(d))
		return bad(d, GF_BAD_DEEP_ENCAP);
	d->pkt->encaps |= GF_E_TEREDO;
	return gf_dec_ip(d, pos, 6);
}

enum gf_decode_rc
gf_dec_udp_tunnel(struct dctx *d, uint32_t pos, uint32_t l4len,
    uint16_t sport, uint16_t dport)
{
	/* the UDP header (8 bytes) was read by the caller */
	pos += 8;
	l4len -= 8;
	if (port_is(gf_dcfg.gtpu_port, dport) || port_is(gf_dcfg.gtpu_port, sport))
		return dec_gtpu(d, pos, l4len);
	if (port_is(gf_dcfg.vxlan_port, dport))
		return dec_vxlan(d, pos);
	if (port_is(gf_dcfg.geneve_port, dport))
		return dec_geneve(d, pos);
	if (port_is(gf_dcfg.gre_udp_port, dport))
		return gf_dec_gre(d, pos);
	if (gf_dcfg.teredo_port == 0)
		return GF_DEC_NOT_TUNNEL;
	return dec_teredo(d, pos, l4len, !port_is(gf_dcfg.teredo_port, dport) &&
	    !port_is(gf_dcfg.teredo_port, sport));
}

/*
 * 802.1ah PBB (ethertype 0x88e7): I-TAG, PCP(3) DEI(1) UCA(1) res(3)
 * I-SID(24), then the customer frame's destination and source MAC and
 * its ethertype (and on).  Switched off (decode.pbb): non-IP.
 */
enum gf_decode_rc
gf_dec_pbb(struct dctx *d, uint32_t pos)
{
	if (!gf_dcfg.pbb)
		return GF_DECODE_NONIP;
	if (deeper(d))
		return bad(d, GF_BAD_DEEP_ENCAP);
	if (!have(d, pos, 4))
		return bad(d, GF_BAD_PBB);
	d->pkt->encaps |= GF_E_PBB;
	tunnel_id(d->pkt, gf_be32(d->p + pos) & 0x00ffffff);
	return gf_dec_ether(d, pos + 4, GF_BAD_PBB);
}

/*
 * PPPoE session stage (RFC 2516, ethertype 0x8864): ver(4)=1 type(4)=1
 * code(8)=0 session(16) length(16), then PPP: protocol 0x0021 IPv4,
 * 0x0057 IPv6 (or their one-byte compressed forms 0x21, 0x57); LCP, IPCP
 * and the rest are non-IP, as is the discovery stage (0x8863).  A wrong
 * version, type or code, a length beyond the frame, or a cut header:
 * bad_pppoe.  Switched off (decode.pppoe): non-IP.
 */
enum gf_decode_rc
gf_dec_pppoe(struct dctx *d, uint32_t pos)
{
	const uint8_t *h;
	uint16_t proto;

	if (!gf_dcfg.pppoe)
		return GF_DECODE_NONIP;
	if (deeper(d))
		return bad(d, GF_BAD_DEEP_ENCAP);
	if (!have(d, pos, 8))
		return bad(d, GF_BAD_PPPOE);
	h = d->p + pos;
	if (h[0] != 0x11 || h[1] != 0 ||
	    gf_be16(h + 4) > d->wend - pos - 6 || gf_be16(h + 4) < 2)
		return bad(d, GF_BAD_PPPOE);
	d->pkt->encaps |= GF_E_PPPOE;
	if (h[6] & 0x01) {	/* compressed protocol field */
		proto = h[6];
		pos += 7;
	} else {
		proto = gf_be16(h + 6);
		pos += 8;
	}
	switch (proto) {
	case 0x0021:
		return gf_dec_ip(d, pos, 4);
	case 0x0057:
		return gf_dec_ip(d, pos, 6);
	default:
		return GF_DECODE_NONIP;
	}
}

/*
 * GRE (RFC 2784, 2890):
 *	C(1) R(1) K(1) S(1) reserved(9) version(3) | protocol(16)
 *	[checksum(16) reserved(16)] if C, [key(32)] if K, [seq(32)] if S
 * Version 1 is PPTP's enhanced GRE carrying PPP: not IP to us.  R (RFC
 * 1701 source routing) is deprecated and must be zero: malformed.
 *
 * ERSPAN rides on GRE protocol 0x88be: with a sequence number it is type
 * II, with an 8-byte header; without, Cisco's type I, which has no
 * header at all.  Type III is 0x22eb with a 12-byte header and an
 * optional 8-byte platform subheader.  Both are followed by the mirrored
 * Ethernet frame (type III frame type 0; 2 is a bare IP packet).  Cisco
 * calls GRE+ERSPAN II "a 50-byte GRE header" counting Ethernet and IP.
 *
 *	II:  ver(4)=1 vlan(12) | cos(3) en(2) t(1) session(10)
 *	     reserved(12) index(20)
 *	III: ver(4)=2 vlan(12) | cos(3) bso(2) t(1) session(10)
 *	     timestamp(32)
 *	     sgt(16) | p(1) ft(5) hwid(6) d(1) gra(2) o(1)
 */
enum gf_decode_rc
gf_dec_gre(struct dctx *d, uint32_t pos)
{
	struct gf_packet *pkt = d->pkt;
	const uint8_t *h;
	uint16_t flags, proto;
	uint32_t hl;

	if (deeper(d))
		return bad(d, GF_BAD_DEEP_ENCAP);
	if (!have(d, pos, 4))
		return bad(d, GF_BAD_TRUNC_ENCAP);
	h = d->p + pos;
	flags = gf_be16(h);
	proto = gf_be16(h + 2);
	if ((flags & 0x0007) != 0)
		return GF_DECODE_NONIP;
	if (flags & 0x4000)
		return bad(d, GF_BAD_TRUNC_ENCAP);
	hl = 4;
	if (flags & 0x8000)
		hl += 4;
	if (flags & 0x2000)
		hl += 4;
	if (flags & 0x1000)
		hl += 4;
	if (!have(d, pos, hl))
		return bad(d, GF_BAD_TRUNC_ENCAP);
	pkt->encaps |= GF_E_GRE;
	pos += hl;

	switch (proto) {
	case ET_ERSPAN2:
		if (deeper(d))
			return bad(d, GF_BAD_DEEP_ENCAP);
		pkt->encaps |= GF_E_ERSPAN;
		if (flags & 0x1000) {
			if (!have(d, pos, 8) || (d->p[pos] >> 4) != 1)
				return bad(d, GF_BAD_TRUNC_ENCAP);
			pos += 8;
		}
		return gf_dec_ether(d, pos, GF_BAD_TRUNC_ENCAP);
	case ET_ERSPAN3:
		if (deeper(d))
			return bad(d, GF_BAD_DEEP_ENCAP);
		pkt->encaps |= GF_E_ERSPAN;
		if (!have(d, pos, 12) || (d->p[pos] >> 4) != 2)
			return bad(d, GF_BAD_TRUNC_ENCAP);
		h = d->p + pos;
		pos += 12;
		if (h[11] & 0x01) {
			if (!have(d, pos, 8))
				return bad(d, GF_BAD_TRUNC_ENCAP);
			pos += 8;
		}
		switch ((h[10] >> 2) & 0x1f) {
		case 0:
			return gf_dec_ether(d, pos, GF_BAD_TRUNC_ENCAP);
		case 2:
			return gf_dec_ip(d, pos, 0);
		default:
			return GF_DECODE_NONIP;
		}
	case ET_IPV4:
	case ET_IPV6:
	case ET_TEB:
	case ET_MPLS_UC:
	case ET_MPLS_MC:
		return gf_dec_etype(d, pos, proto, 1);
	default:
		return GF_DECODE_NONIP;
	}
}
