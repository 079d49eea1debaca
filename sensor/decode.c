/*
 * decode.c - one captured frame -> struct gf_packet (see decode.h).
 *
 * Promises: never reads a byte at or past caplen; takes lengths from the
 * IP headers and checks them against the wire length; allocates nothing;
 * copies only the addresses; every frame ends as OK, NONIP or BAD with
 * exactly one enum gf_bad reason.
 *
 * Bounds are kept as byte offsets from data[0], never as pointers, so no
 * comparison can overflow or be optimised away:
 *
 *	cend	end of the bytes we may read: caplen, then clipped to the
 *		end of each IP datagram so link padding (Ethernet's 60-byte
 *		minimum, FCS) is never parsed as options or a quoted packet;
 *	wend	end of what the wire carried for the current layer: wire_len,
 *		then the end of each IP datagram as its header says.
 *
 * cend <= wend always holds.  Every read goes through have(pos, n), which
 * is written so that it cannot overflow either.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "decode_int.h"

static enum gf_decode_rc dec_mpls(struct dctx *, uint32_t);
static enum gf_decode_rc dec_ip4(struct dctx *, uint32_t);
static enum gf_decode_rc dec_ip6(struct dctx *, uint32_t);
static enum gf_decode_rc dec_l4(struct dctx *, uint32_t, uint32_t);
static enum gf_decode_rc dec_tcp(struct dctx *, uint32_t, uint32_t);
static void dec_quoted(struct dctx *, uint32_t, int);
static enum gf_decode_rc dec_link(struct dctx *, int);

/*
 * An IP datagram at ip claims len bytes but the wire length ends first.
 * When the frame says it was captured whole (caplen == wire length) and
 * this is its first IP layer, the writer lost the wire length (dpkt,
 * some scapy versions and slicing appliances record wire = caplen =
 * snaplen): the wire carried the link header and the whole datagram, so
 * take that as the wire length, as tcpdump, Wireshark, argus and Zeek
 * do.  Reads stay within cend (caplen).  Returns 0 when it is not this
 * case (the length is then simply inconsistent: GF_BAD_IP_LEN).
 */
static int
wire_lost(struct dctx *d, uint32_t ip, uint64_t len)
{
	if (!d->lostwire || len > UINT32_MAX - ip)
		return 0;
	d->wend = ip + (uint32_t)len;
	d->pkt->wire_len = d->wend;
	d->pkt->shortwire = 1;
	return 1;
}

/*
 * Set every field the decoder owns, cheaper than a memset of the whole
 * struct (the address arrays are written whenever family is set).
 */
static void
pkt_reset(struct gf_packet *pkt, uint32_t wire_len)
{
	pkt->wire_len = wire_len;
	pkt->ip_len = 0;
	pkt->payload = 0;
	pkt->encaps = 0;
	pkt->vlan = 0;
	pkt->family = 0;
	pkt->proto = 0;
	pkt->frag = GF_FRAG_NONE;
	pkt->ipopts = 0;
	pkt->frag_id = 0;
	pkt->ipid = 0;
	pkt->sport = 0;
	pkt->dport = 0;
	pkt->seq = 0;
	pkt->ack = 0;
	pkt->win = 0;
	pkt->tcpflags = 0;
	pkt->wscale = 0xff;
	pkt->mss = 0;
	pkt->sackok = 0;
	pkt->icmp_type = 0;
	pkt->icmp_code = 0;
	pkt->icmp_id = 0;
	pkt->quoted.family = 0;
	pkt->quoted.proto = 0;
	pkt->quoted.sport = 0;
	pkt->quoted.dport = 0;
	pkt->l4sum = 0;
	pkt->feed = 0;
	pkt->bad = 0;
	pkt->shortwire = 0;
	pkt->tunid = 0;
	pkt->reasm = 0;
	pkt->frag_more = 0;
	pkt->frag_hdr = 0;
	pkt->frag_off = 0;
	pkt->frag_len = 0;
	pkt->held_bytes = 0;
}

int
gf_decode_linktype_supported(int dlt)
{
	switch (dlt) {
	case L_NULL:
	case L_EN10MB:
	case L_RAW:
	case L_LINKTYPE_RAW:
	case L_LOOP:
	case L_LINUX_SLL:
	case L_IPV4:
	case L_IPV6:
	case L_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

/*
 * BSD loopback: a 4-byte address family in the byte order of the host
 * that wrote it (DLT_NULL) or in network order (DLT_LOOP); files travel,
 * so accept either for both.  AF_INET is 2 everywhere; AF_INET6 is 24
 * (NetBSD/OpenBSD), 28 (FreeBSD) or 30 (macOS).
 */
static int
null_af_version(uint32_t af)
{
	switch (af) {
	case 2:
		return 4;
	case 24:
	case 28:
	case 30:
		return 6;
	default:
		return 0;
	}
}

enum gf_decode_rc
gf_decode(int dlt, const uint8_t *data, uint32_t caplen, uint32_t wire_len,
    struct gf_packet *pkt)
{
	return gf_decode_clipped(dlt, data, caplen, caplen, wire_len, pkt);
}

enum gf_decode_rc
gf_decode_clipped(int dlt, const uint8_t *data, uint32_t kept,
    uint32_t caplen, uint32_t wire_len, struct gf_packet *pkt)
{
	struct dctx d;

	pkt_reset(pkt, wire_len);
	d.p = data;
	d.cend = kept < caplen ? kept : caplen;
	d.wend = wire_len;
	d.depth = 0;
	d.lostwire = caplen == wire_len;
	d.reasm = 0;
	d.nip = 0;
	d.pkt = pkt;
	if (caplen > wire_len)
		return bad(&d, GF_BAD_CAPLEN);
	return dec_link(&d, dlt);
}

enum gf_decode_rc
gf_decode_reasm(int dlt, const uint8_t *data, uint32_t kept, uint32_t total,
    uint32_t wire_len, struct gf_packet *pkt)
{
	struct dctx d;
	enum gf_decode_rc rc;

	pkt_reset(pkt, wire_len);
	d.p = data;
	d.cend = kept;
	d.wend = UINT32_MAX;	/* the first IP header's (reasm) rules */
	d.depth = 0;
	d.lostwire = 0;
	d.reasm = total ? total : 1;
	d.nip = 0;
	d.pkt = pkt;
	rc = dec_link(&d, dlt);
	pkt->wire_len = wire_len;
	return rc;
}

/* The link layer of frame d (type dlt), then everything inside. */
static enum gf_decode_rc
dec_link(struct dctx *d, int dlt)
{
	const uint8_t *data = d->p;
	struct gf_packet *pkt = d->pkt;
	int v;

	switch (dlt) {
	case L_EN10MB:
		pkt->encaps |= GF_E_ETHER;
		return gf_dec_ether(d, 0, GF_BAD_TRUNC_LINK);

	case L_LINUX_SLL:
		/*
		 * pkttype(2) hatype(2) halen(2) addr(8) protocol(2).
		 * protocol is an ethertype, or a small number (< 0x600)
		 * naming 802.3/802.2/CAN etc.: those fall to NONIP.
		 */
		pkt->encaps |= GF_E_SLL;
		if (!have(d, 0, 16))
			return bad(d, GF_BAD_TRUNC_LINK);
		if (gf_be16(data + 2) == ARPHRD_NETLINK)
			return GF_DECODE_NONIP;
		return gf_dec_etype(d, 16, gf_be16(data + 14), 0);

	case L_LINUX_SLL2:
		/*
		 * protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
		 * halen(1) addr(8).
		 */
		pkt->encaps |= GF_E_SLL;
		if (!have(d, 0, 20))
			return bad(d, GF_BAD_TRUNC_LINK);
		if (gf_be16(data + 8) == ARPHRD_NETLINK)
			return GF_DECODE_NONIP;
		return gf_dec_etype(d, 20, gf_be16(data), 0);

	case L_NULL:
	case L_LOOP:
		pkt->encaps |= GF_E_NULL;
		if (!have(d, 0, 4))
			return bad(d, GF_BAD_TRUNC_LINK);
		v = null_af_version(gf_le32(data));
		if (v == 0)
			v = null_af_version(gf_be32(data));
		if (v == 0)
			return GF_DECODE_NONIP;
		return gf_dec_ip(d, 4, v);

	case L_RAW:
	case L_LINKTYPE_RAW:
		pkt->encaps |= GF_E_RAW;
		return gf_dec_ip(d, 0, 0);
	case L_IPV4:
		pkt->encaps |= GF_E_RAW;
		return gf_dec_ip(d, 0, 4);
	case L_IPV6:
		pkt->encaps |= GF_E_RAW;
		return gf_dec_ip(d, 0, 6);

	default:
		return bad(d, GF_BAD_LINKTYPE);
	}
}

/*
 * Ethernet II: dst(6) src(6) type(2).  A type <= 1500 is an 802.3
 * length followed by LLC, which carries IP only as SNAP with a zero OUI
 * (RFC 1042): DSAP 0xaa SSAP 0xaa control 0x03, OUI 00-00-00, type(2).
 * trunc is the reason to give if the header is cut: the outer frame's
 * is a link problem, a frame inside ERSPAN, GRE or a pseudowire an
 * encapsulation one.
 */
enum gf_decode_rc
gf_dec_ether(struct dctx *d, uint32_t pos, enum gf_bad trunc)
{
	static const uint8_t snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
	uint16_t type;

	if (!have(d, pos, 14))
		return bad(d, trunc);
	type = gf_be16(d->p + pos + 12);
	pos += 14;
	if (type <= 1500) {
		if (!have(d, pos, 8) || memcmp(d->p + pos, snap, 6) != 0)
			return GF_DECODE_NONIP;
		type = gf_be16(d->p + pos + 6);
		pos += 8;
	}
	return gf_dec_etype(d, pos, type, 0);
}

/*
 * Dispatch on an ethertype at pos.  VLAN tags are peeled here, in a
 * loop: TPID(2, already read as type) TCI(2) type(2).  Every tag counts
 * as GF_E_VLAN; an S-tag TPID or a second tag in the same frame also as
 * GF_E_QINQ.  pkt->vlan keeps the first nonzero id (the outermost; id 0
 * is a priority tag, not a VLAN).  from_gre allows the types that only
 * mean something as a GRE protocol.
 */
enum gf_decode_rc
gf_dec_etype(struct dctx *d, uint32_t pos, uint16_t type, int from_gre)
{
	struct gf_packet *pkt = d->pkt;
	unsigned ntags = 0;
	uint16_t id;

	for (;;) {
		switch (type) {
		case ET_IPV4:
			return gf_dec_ip(d, pos, 4);
		case ET_IPV6:
			return gf_dec_ip(d, pos, 6);
		case ET_VLAN:
		case ET_QINQ:
		case ET_QINQ_OLD:
			if (deeper(d))
				return bad(d, GF_BAD_DEEP_ENCAP);
			if (!have(d, pos, 4))
				return bad(d, GF_BAD_TRUNC_ENCAP);
			id = gf_be16(d->p + pos) & 0x0fff;
			if (pkt->vlan == 0)
				pkt->vlan = id;
			pkt->encaps |= GF_E_VLAN;
			if (type != ET_VLAN || ++ntags > 1)
				pkt->encaps |= GF_E_QINQ;
			type = gf_be16(d->p + pos + 2);
			pos += 4;
			continue;
		case ET_MPLS_UC:
		case ET_MPLS_MC:
			return dec_mpls(d, pos);
		case ET_PBB:
			return gf_dec_pbb(d, pos);
		case ET_PPPOE_S:
			return gf_dec_pppoe(d, pos);
		case ET_TEB:
			if (!from_gre)
				return GF_DECODE_NONIP;
			return gf_dec_ether(d, pos, GF_BAD_TRUNC_ENCAP);
		default:
			return GF_DECODE_NONIP;
		}
	}
}

/*
 * MPLS label stack entries: label(20) TC(3) S(1) TTL(8).  Nothing says
 * what follows the bottom of the stack; like everyone else we guess from
 * the first nibble: 4 or 6 is IP, 0 is a pseudowire control word (RFC
 * 4385, 4 bytes) and we try an Ethernet pseudowire behind it (RFC 4448),
 * the common kind; a frame whose type we do not know stays NONIP.  One
 * stack counts as one layer, but a stack longer than GF_MAX_ENCAP_DEPTH
 * labels is not followed.
 */
static enum gf_decode_rc
dec_mpls(struct dctx *d, uint32_t pos)
{
	unsigned n;

	if (deeper(d))
		return bad(d, GF_BAD_DEEP_ENCAP);
	d->pkt->encaps |= GF_E_MPLS;
	for (n = 0;; n++) {
		if (n >= GF_MAX_ENCAP_DEPTH)
			return bad(d, GF_BAD_DEEP_ENCAP);
		if (!have(d, pos, 4))
			return bad(d, GF_BAD_TRUNC_ENCAP);
		pos += 4;
		if (d->p[pos - 2] & 0x01)
			break;
	}
	if (!have(d, pos, 1))
		return bad(d, GF_BAD_TRUNC_ENCAP);
	switch (d->p[pos] >> 4) {
	case 4:
		return gf_dec_ip(d, pos, 4);
	case 6:
		return gf_dec_ip(d, pos, 6);
	case 0:
		/* Only a whole control word and Ethernet header count as
		 * a guess worth reporting truncation for. */
		if (!have(d, pos, 4 + 14))
			return GF_DECODE_NONIP;
		return gf_dec_ether(d, pos + 4, GF_BAD_TRUNC_ENCAP);
	default:
		return GF_DECODE_NONIP;
	}
}

/* IP of version ver (4 or 6), or 0: whichever the first nibble says. */
enum gf_decode_rc
gf_dec_ip(struct dctx *d, uint32_t pos, int ver)
{
	if (ver == 0) {
		if (!have(d, pos, 1))
			return bad(d, GF_BAD_TRUNC_IP);
		ver = d->p[pos] >> 4;
		if (ver != 4 && ver != 6)
			return bad(d, GF_BAD_IP_VERSION);
	}
	return ver == 4 ? dec_ip4(d, pos) : dec_ip6(d, pos);
}

/*
 * IPv4 (RFC 791):
 *	ver(4) ihl(4) tos(8) total length(16)
 *	id(16) flags(3) fragment offset(13)
 *	ttl(8) protocol(8) checksum(16)
 *	source(32) destination(32) [options]
 */
static enum gf_decode_rc
dec_ip4(struct dctx *d, uint32_t ip)
{
	struct gf_packet *pkt = d->pkt;
	const uint8_t *h;
	uint32_t hl, tot;
	uint16_t fo;

	if (!have(d, ip, 20))
		return bad(d, GF_BAD_TRUNC_IP);
	h = d->p + ip;
	if ((h[0] >> 4) != 4)
		return bad(d, GF_BAD_IP_VERSION);
	hl = (uint32_t)(h[0] & 0x0f) * 4;
	tot = gf_be16(h + 2);
	fo = gf_be16(h + 6);
	d->nip++;
	if (d->reasm) {
		/* a reassembled datagram: its length, and no fragment */
		tot = d->reasm;
		d->reasm = 0;
		fo = 0;
	}
	/* Linux BIG TCP hands over IPv4 packets larger than 64 KiB with a
	 * total length of 0: the frame gives the length then. */
	if (tot == 0 && d->wend - ip > 65535)
		tot = d->wend - ip;
	/* ip <= cend <= wend, so wend - ip cannot wrap. */
	if (hl < 20 || tot < hl ||
	    (tot > d->wend - ip && !wire_lost(d, ip, tot)))
		return bad(d, GF_BAD_IP_LEN);
	if (!have(d, ip, hl))
		return bad(d, GF_BAD_TRUNC_IP);

	pkt->family = 4;
	pkt->proto = h[9];
	pkt->ip_len = tot;
	pkt->ipid = gf_be16(h + 4);
	pkt->frag_id = pkt->ipid;
	pkt->ipopts = hl > 20;
	if ((fo & 0x1fff) != 0)
		pkt->frag = GF_FRAG_LATER;
	else if (fo & 0x2000)
		pkt->frag = GF_FRAG_FIRST;
	else
		pkt->frag = GF_FRAG_NONE;
	if (pkt->frag != GF_FRAG_NONE && d->nip == 1) {
		pkt->reasm = GF_REASM_OUTER;
		pkt->frag_more = (fo & 0x2000) != 0;
		pkt->frag_hdr = (uint16_t)hl;
		pkt->frag_off = (uint32_t)(fo & 0x1fff) * 8;
		pkt->frag_len = tot - hl;
	}
	memcpy(pkt->src, h + 12, 4);
	memset(pkt->src + 4, 0, 12);
	memcpy(pkt->dst, h + 16, 4);
	memset(pkt->dst + 4, 0, 12);

	/* From here on the datagram is the world (tcpdump's push_snaplen). */
	d->lostwire = 0;
	d->wend = ip + tot;
	if (d->cend > d->wend)
		d->cend = d->wend;
	if (pkt->frag == GF_FRAG_LATER) {
		pkt->payload = tot - hl;
		return GF_DECODE_OK;
	}
	return dec_l4(d, ip + hl, pkt->proto);
}

/*
 * Walk an IPv6 extension header chain from pos, next header *nh, up to
 * the datagram end `end` (wire-consistent) reading only what was
 * captured.  Stops at the first upper-layer protocol, or after a
 * fragment header with a nonzero offset (the rest is not ours to read).
 * Returns GF_BAD_COUNT when fine, else the reason.
 *
 *	generic (0, 43, 60):	next(8) len(8, 8-byte units not counting
 *				the first 8) ...
 *	fragment (44):		next(8) res(8) offset(13) res(2) M(1) id(32)
 *	AH (51):		next(8) len(8, 4-byte units minus 2) ...
 */
struct frag6 {
	uint8_t frag, more;
	uint32_t id, off;
	uint32_t fpart;		/* offset of the fragmentable part */
};

static enum gf_bad
ip6_walk(const struct dctx *d, uint32_t *posp, uint32_t end, uint8_t *nhp,
    struct frag6 *f)
{
	const uint8_t *h;
	uint32_t pos = *posp, len;
	uint8_t nh = *nhp;
	unsigned n;
	uint16_t fo;

	f->frag = GF_FRAG_NONE;
	f->id = 0;
	for (n = 0;; n++) {
		switch (nh) {
		case 0:		/* hop-by-hop options */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 44:	/* fragment */
		case 51:	/* authentication header */
			break;
		default:
			*posp = pos;
			*nhp = nh;
			return GF_BAD_COUNT;
		}
		if (n >= IP6_MAX_EXT)
			return GF_BAD_IP6_EXT;
		if (!have(d, pos, nh == 44 ? 8 : 2))
			return GF_BAD_IP6_EXT;
		h = d->p + pos;
		if (nh == 44)
			len = 8;
		else if (nh == 51)
			len = ((uint32_t)h[1] + 2) * 4;
		else
			len = ((uint32_t)h[1] + 1) * 8;
		/* pos <= end: we only advanced by checked lengths. */
		if (len > end - pos)
			return GF_BAD_IP_LEN;
		if (nh == 44) {
			fo = gf_be16(h + 2);
			f->id = gf_be32(h + 4);
			f->off = fo & 0xfff8;
			f->more = fo & 0x0001;
			f->fpart = pos + len;
			if ((fo & 0xfff8) != 0) {
				f->frag = GF_FRAG_LATER;
				*posp = pos + len;
				*nhp = h[0];
				return GF_BAD_COUNT;
			}
			/* An atomic fragment (offset 0, no M) is whole. */
			if (fo & 0x0001)
				f->frag = GF_FRAG_FIRST;
		}
		nh = h[0];
		pos += len;
	}
}

/*
 * RFC 2675 jumbogram: payload length 0 and a hop-by-hop header with a
 * Jumbo Payload option (type 0xc2, length 4) holding a length > 65535.
 * Returns that length, or 0 if there is no valid one; *trunc is set when
 * the hop-by-hop header was not captured, so we cannot tell.
 */
static uint32_t
ip6_jumbo(const struct dctx *d, uint32_t hbh, int *trunc)
{
	const uint8_t *h;
	uint32_t len, i, j;

	*trunc = 0;
	if (!have(d, hbh, 2)) {
		*trunc = 1;
		return 0;
	}
	len = ((uint32_t)d->p[hbh + 1] + 1) * 8;
	if (!have(d, hbh, len)) {
		*trunc = 1;
		return 0;
	}
	h = d->p + hbh;
	for (i = 2; i < len;) {
		if (h[i] == 0) {	/* Pad1 */
			i++;
			continue;
		}
		if (len - i < 2 || h[i + 1] > len - i - 2)
			return 0;
		if (h[i] == 0xc2 && h[i + 1] == 4) {
			j = gf_be32(h + i + 2);
			return j > 65535 ? j : 0;
		}
		i += 2 + (uint32_t)h[i + 1];
	}
	return 0;
}

/*
 * IPv6 (RFC 8200):
 *	ver(4) class(8) flow(20) | payload length(16) next(8) hops(8)
 *	source(128) destination(128), then extension headers.
 */
static enum gf_decode_rc
dec_ip6(struct dctx *d, uint32_t ip)
{
	struct gf_packet *pkt = d->pkt;
	const uint8_t *h;
	uint64_t iplen;
	uint32_t pos, jumbo;
	struct frag6 f;
	uint8_t nh;
	enum gf_bad why;
	int trunc, reasm = d->reasm != 0;

	if (!have(d, ip, 40))
		return bad(d, GF_BAD_TRUNC_IP);
	h = d->p + ip;
	if ((h[0] >> 4) != 6)
		return bad(d, GF_BAD_IP_VERSION);
	nh = h[6];
	iplen = 40 + (uint64_t)gf_be16(h + 4);
	d->nip++;
	if (reasm) {
		/* a reassembled datagram: its length (fragment header
		 * included), and no fragment */
		iplen = d->reasm;
		d->reasm = 0;
	}
	if (iplen == 40 && !reasm) {
		/* Length 0 is only legal for a jumbogram. */
		if (nh != 0)
			return bad(d, GF_BAD_IP_LEN);
		jumbo = ip6_jumbo(d, ip + 40, &trunc);
		if (trunc)
			return bad(d, GF_BAD_IP6_EXT);
		if (jumbo == 0)
			return bad(d, GF_BAD_IP_LEN);
		iplen = 40 + (uint64_t)jumbo;
	}
	/* 64-bit, as 40 + a jumbo length can exceed UINT32_MAX. */
	if (iplen > d->wend - ip && !wire_lost(d, ip, iplen))
		return bad(d, GF_BAD_IP_LEN);

	pkt->family = 6;
	pkt->ip_len = (uint32_t)iplen;
	pkt->ipid = 0;
	pkt->ipopts = 0;
	memcpy(pkt->src, h + 8, 16);
	memcpy(pkt->dst, h + 24, 16);
	d->lostwire = 0;
	d->wend = ip + (uint32_t)iplen;
	if (d->cend > d->wend)
		d->cend = d->wend;

	pos = ip + 40;
	why = ip6_walk(d, &pos, d->wend, &nh, &f);
	if (why != GF_BAD_COUNT)
		return bad(d, why);
	if (reasm)
		f.frag = GF_FRAG_NONE;
	pkt->proto = nh;
	pkt->frag = f.frag;
	pkt->frag_id = f.id;
	if (f.frag != GF_FRAG_NONE && d->nip == 1) {
		pkt->reasm = GF_REASM_OUTER;
		pkt->frag_more = f.more;
		pkt->frag_hdr = (uint16_t)(f.fpart - ip);
		pkt->frag_off = f.off;
		pkt->frag_len = d->wend - f.fpart;
	}
	if (f.frag == GF_FRAG_LATER) {
		pkt->payload = d->wend - pos;
		return GF_DECODE_OK;
	}
	return dec_l4(d, pos, nh);
}

/*
 * The transport layer at pos, up to the datagram end d->wend.  Tunnels
 * (IP-in-IP, GRE) are peeled here, unless the outer packet is a
 * fragment: then the tunnel itself is the flow, as we cannot see inside.
 */
static enum gf_decode_rc
dec_l4(struct dctx *d, uint32_t pos, uint32_t proto)
{
	struct gf_packet *pkt = d->pkt;
	uint32_t l4len = d->wend - pos;
	const uint8_t *h;

	switch (proto) {
	case 4:		/* IPv4 in IP */
	case 41:	/* IPv6 in IP */
		if (pkt->frag != GF_FRAG_NONE) {
			if (pkt->frag == GF_FRAG_FIRST)
				pkt->reasm |= pkt->reasm ? GF_REASM_TUNNEL : 0;
			break;
		}
		if (deeper(d))
			return bad(d, GF_BAD_DEEP_ENCAP);
		pkt->encaps |= GF_E_IPIP;
		return gf_dec_ip(d, pos, proto == 4 ? 4 : 6);
	case 47: {
		enum gf_decode_rc rc;
		uint16_t vlan = pkt->vlan;
		if (pkt->frag != GF_FRAG_NONE) {
			if (pkt->frag == GF_FRAG_FIRST)
				pkt->reasm |= pkt->reasm ? GF_REASM_TUNNEL : 0;
			break;
		}
		rc = gf_dec_gre(d, pos);
		if (rc != GF_DECODE_NONIP)
			return rc;
		/* GRE carrying what is not IP (PPP, bridged STP, ...):
		 * the tunnel itself is the flow, as for a fragment */
		pkt->vlan = vlan;
		break;
	}
	case 6:
		return dec_tcp(d, pos, l4len);
	case 17:
		/* src(16) dst(16) length(16) checksum(16) */
		if (!have(d, pos, 8))
			return bad(d, GF_BAD_TRUNC_L4);
		h = d->p + pos;
		pkt->sport = gf_be16(h);
		pkt->dport = gf_be16(h + 2);
		pkt->l4sum = gf_be16(h + 6);
		/* have() implies l4len >= 8: cend <= wend. */
		pkt->payload = l4len - 8;
		if (pkt->frag != GF_FRAG_NONE) {
			if (pkt->frag == GF_FRAG_FIRST && pkt->reasm &&
			    gf_udp_tunnel_port(pkt->sport, pkt->dport))
				pkt->reasm |= GF_REASM_TUNNEL;
		} else if (l4len >= 16 && have(d, pos, 9) &&
		    gf_udp_maybe_tunnel(pkt->sport, pkt->dport, h[8])) {
			uint16_t sp = pkt->sport, dp = pkt->dport;
			enum gf_decode_rc rc;
			/* the inner packet's ports, not the tunnel's, even
			 * when it has none (a later fragment, ESP, ...) */
			pkt->sport = pkt->dport = 0;
			rc = gf_dec_udp_tunnel(d, pos, l4len, sp, dp);
			if (rc != GF_DEC_NOT_TUNNEL)
				return rc;
			pkt->sport = sp;
			pkt->dport = dp;
		}
		return GF_DECODE_OK;
	case 1:
	case 58:
		/* ICMP in IPv6 or ICMPv6 in IPv4 is nonsense: plain proto. */
		if ((proto == 1) != (pkt->family == 4))
			break;
		/* type(8) code(8) checksum(16) id(16) seq(16), or 4 more */
		if (!have(d, pos, 8))
			return bad(d, GF_BAD_TRUNC_L4);
		h = d->p + pos;
		pkt->icmp_type = h[0];
		pkt->icmp_code = h[1];
		pkt->l4sum = gf_be16(h + 2);
		pkt->payload = l4len - 8;
		if (proto == 1) {
			switch (h[0]) {
			case 0:
			case 8:
				pkt->icmp_id = gf_be16(h + 4);
				break;
			case 3:
			case 4:
			case 5:
			case 11:
			case 12:
				dec_quoted(d, pos + 8, 4);
				break;
			}
		} else {
			switch (h[0]) {
			case 128:
			case 129:
				pkt->icmp_id = gf_be16(h + 4);
				break;
			case 1:
			case 2:
			case 3:
			case 4:
				dec_quoted(d, pos + 8, 6);
				break;
			}
		}
		return GF_DECODE_OK;
	}
	pkt->payload = l4len;
	return GF_DECODE_OK;
}

/*
 * TCP (RFC 9293): sport(16) dport(16) seq(32) ack(32) off(4) res(4)
 * flags(8) window(16) checksum(16) urgent(16) [options].  Options are
 * read only as far as captured: a cut option area is normal with a
 * short snaplen, and an option that overruns it simply ends the parse.
 */
static enum gf_decode_rc
dec_tcp(struct dctx *d, uint32_t pos, uint32_t l4len)
{
	struct gf_packet *pkt = d->pkt;
	const uint8_t *h;
	uint32_t thl, o, oend, olen;

	if (!have(d, pos, 20))
		return bad(d, GF_BAD_TRUNC_L4);
	h = d->p + pos;
	thl = (uint32_t)(h[12] >> 4) * 4;
	/*
	 * have() above implies l4len >= 20.  In a first fragment the
	 * options may go on in the next fragment (a fragmented SYN): not
	 * malformed, the fragment just holds no payload.
	 */
	if (thl < 20 || (thl > l4len && pkt->frag != GF_FRAG_FIRST))
		return bad(d, GF_BAD_TCP_OFF);
	pkt->sport = gf_be16(h);
	pkt->dport = gf_be16(h + 2);
	pkt->seq = gf_be32(h + 4);
	pkt->ack = gf_be32(h + 8);
	pkt->tcpflags = h[13];
	pkt->win = gf_be16(h + 14);
	pkt->l4sum = gf_be16(h + 16);
	pkt->payload = thl < l4len ? l4len - thl : 0;

	o = pos + 20;
	oend = pos + thl;
	if (oend > d->cend)
		oend = d->cend;
	while (o < oend) {
		if (d->p[o] == 0)		/* end of option list */
			break;
		if (d->p[o] == 1) {		/* NOP */
			o++;
			continue;
		}
		if (oend - o < 2)
			break;
		olen = d->p[o + 1];
		if (olen < 2 || olen > oend - o)
			break;
		switch (d->p[o]) {
		case 2:
			if (olen == 4)
				pkt->mss = gf_be16(d->p + o + 2);
			break;
		case 3:
			/* RFC 7323: a shift over 14 MUST be used as 14. */
			if (olen == 3)
				pkt->wscale = d->p[o + 2] > 14 ? 14 :
				    d->p[o + 2];
			break;
		case 4:
			if (olen == 2)
				pkt->sackok = 1;
			break;
		}
		o += olen;
	}
	return GF_DECODE_OK;
}

/*
 * The packet an ICMP error quotes, at pos: its IP header and the start
 * of its transport header, as its sender sent it.  Lengths inside the
 * quote describe the original packet, not the quote, so only the capture
 * bounds apply.  Anything short or odd leaves quoted.family 0: a quote
 * is a hint, never a reason to reject the ICMP packet.
 */
static void
dec_quoted(struct dctx *d, uint32_t pos, int ver)
{
	struct gf_packet *pkt = d->pkt;
	const uint8_t *h;
	uint32_t hl;
	struct frag6 f;
	uint8_t proto;

	if (ver == 4) {
		if (!have(d, pos, 20))
			return;
		h = d->p + pos;
		hl = (uint32_t)(h[0] & 0x0f) * 4;
		if ((h[0] >> 4) != 4 || hl < 20 || !have(d, pos, hl))
			return;
		/* A later fragment has no ports to quote. */
		if ((gf_be16(h + 6) & 0x1fff) != 0)
			return;
		proto = h[9];
		memcpy(pkt->quoted.src, h + 12, 4);
		memset(pkt->quoted.src + 4, 0, 12);
		memcpy(pkt->quoted.dst, h + 16, 4);
		memset(pkt->quoted.dst + 4, 0, 12);
		pos += hl;
	} else {
		if (!have(d, pos, 40))
			return;
		h = d->p + pos;
		if ((h[0] >> 4) != 6)
			return;
		proto = h[6];
		memcpy(pkt->quoted.src, h + 8, 16);
		memcpy(pkt->quoted.dst, h + 24, 16);
		pos += 40;
		if (ip6_walk(d, &pos, d->cend, &proto, &f) !=
		    GF_BAD_COUNT || f.frag == GF_FRAG_LATER)
			return;
	}
	if (proto == 6 || proto == 17) {
		if (!have(d, pos, 4))
			return;
		pkt->quoted.sport = gf_be16(d->p + pos);
		pkt->quoted.dport = gf_be16(d->p + pos + 2);
	} else if ((proto == 1 && ver == 4) || (proto == 58 && ver == 6)) {
		/*
		 * A quoted ICMP packet (an echo that met a TTL limit) gets
		 * the ports the flow table gives ICMP flows: 0 and the echo
		 * id for echoes, type and code otherwise.
		 */
		if (!have(d, pos, 6))
			return;
		h = d->p + pos;
		if (ver == 4 ? (h[0] == 0 || h[0] == 8) :
		    (h[0] == 128 || h[0] == 129)) {
			pkt->quoted.sport = 0;
			pkt->quoted.dport = gf_be16(h + 4);
		} else {
			pkt->quoted.sport = h[0];
			pkt->quoted.dport = h[1];
		}
	}
	pkt->quoted.proto = proto;
	pkt->quoted.family = (uint8_t)ver;
}
