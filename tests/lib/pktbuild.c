/*
 * pktbuild.c - synthetic frames and a pcap writer (see pktbuild.h).
 *
 * Frames are written front to back into the caller's buffer; lengths
 * and checksums that depend on what follows are filled in afterwards.
 * Every write is checked against the buffer's capacity first, and any
 * problem makes pb_build() return 0 rather than a half-built frame.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "pktbuild.h"

#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_ARP		0x0806
#define ET_VLAN		0x8100
#define ET_QINQ		0x88a8
#define ET_MPLS		0x8847
#define ET_TEB		0x6558
#define ET_ERSPAN2	0x88be
#define ET_ERSPAN3	0x22eb

#define PB_MAX_DSTOPT	32
#define PB_ERR		((size_t)-1)

struct addrs {
	int family;
	uint8_t src[16], dst[16];
};

void
pb_spec_init(struct pb_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->link = PB_LINK_ETHER;
	s->ttl = 64;
	s->win = 65535;
	s->wscale = -1;
}

void
pb_spec_tcp(struct pb_spec *s, const char *src, uint16_t sport,
    const char *dst, uint16_t dport)
{
	pb_spec_init(s);
	s->src = src;
	s->dst = dst;
	s->sport = sport;
	s->dport = dport;
	s->proto = PB_TCP;
	s->flags = PB_ACK;
}

void
pb_spec_udp(struct pb_spec *s, const char *src, uint16_t sport,
    const char *dst, uint16_t dport)
{
	pb_spec_init(s);
	s->src = src;
	s->dst = dst;
	s->sport = sport;
	s->dport = dport;
	s->proto = PB_UDP;
}

void
pb_spec_icmp(struct pb_spec *s, const char *src, const char *dst,
    uint8_t type, uint8_t code)
{
	pb_spec_init(s);
	s->src = src;
	s->dst = dst;
	s->proto = (src != NULL && strchr(src, ':') != NULL) ? PB_ICMP6 :
	    PB_ICMP;
	s->icmp_type = type;
	s->icmp_code = code;
}

void
pb_spec_swap(struct pb_spec *s)
{
	const char *t;
	uint16_t p;

	t = s->src;
	s->src = s->dst;
	s->dst = t;
	t = s->outer_src;
	s->outer_src = s->outer_dst;
	s->outer_dst = t;
	p = s->sport;
	s->sport = s->dport;
	s->dport = p;
}

int
pb_linktype(const struct pb_spec *s)
{
	switch (s->link) {
	case PB_LINK_ETHER:
		return 1;
	case PB_LINK_SLL:
		return 113;
	case PB_LINK_SLL2:
		return 276;
	case PB_LINK_NULL:
		return 0;
	case PB_LINK_RAW:
		return 101;
	}
	return -1;
}

static int
parse_addrs(int family, const char *src, const char *dst, struct addrs *a)
{
	int af;

	if (src == NULL || dst == NULL)
		return -1;
	if (family == 0)
		family = strchr(src, ':') != NULL ? 6 : 4;
	if (family != 4 && family != 6)
		return -1;
	af = family == 4 ? AF_INET : AF_INET6;
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (inet_pton(af, src, a->src) != 1 || inet_pton(af, dst, a->dst) != 1)
		return -1;
	return 0;
}

/*
 * One's complement sum of n bytes as big-endian 16-bit words, added to
 * acc; only the last piece summed may have odd length.  The sum is taken
 * 32 bits at a time in host order and swapped once at the end (RFC 1071:
 * the sum does not depend on byte order), as generators call this over
 * every payload byte of millions of packets.
 */
static uint64_t
sum_bytes(uint64_t acc, const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	uint32_t w;
	uint16_t h;
	size_t i = 0;

	for (; n - i >= 4; i += 4) {
		memcpy(&w, p + i, 4);
		s += w;
	}
	if (n - i >= 2) {
		memcpy(&h, p + i, 2);
		s += h;
		i += 2;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = ((s & 0xff) << 8) | (s >> 8);
#endif
	acc += s;
	if (i < n)
		acc += (uint32_t)p[i] << 8;
	return acc;
}

static uint16_t
fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static uint64_t
pseudo_sum(const struct addrs *a, uint8_t proto, uint32_t len)
{
	uint64_t acc = 0;
	int alen = a->family == 4 ? 4 : 16;

	acc = sum_bytes(acc, a->src, (size_t)alen);
	acc = sum_bytes(acc, a->dst, (size_t)alen);
	return acc + proto + (len & 0xffff) + (len >> 16);
}

/* 'a'..'z' repeated, so the pattern is copied in chunks. */
static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz";

static void
fill_payload(uint8_t *p, uint32_t n, uint32_t seed, const uint8_t *src)
{
	uint32_t c, k;

	if (src != NULL) {
		memcpy(p, src, n);
		return;
	}
	c = seed % 26;
	k = n < 26 - c ? n : 26 - c;
	memcpy(p, alphabet + c, k);
	if (n <= k)
		return;
	/* Then whole alphabets, then a doubling copy of what is there. */
	for (; k < n && k < 26 - c + 26; k++)
		p[k] = (uint8_t)alphabet[(c + k) % 26];
	while (k < n) {
		uint32_t m = (k - (26 - c)) / 26 * 26;	/* whole cycles */
		if (m > n - k)
			m = n - k;
		memcpy(p + k, p + (26 - c), m);
		k += m;
	}
}

static void
mac_from(uint8_t *mac, const uint8_t *addr, int family)
{
	const uint8_t *tail = addr + (family == 6 ? 12 : 0);

	mac[0] = 0x02;
	mac[1] = 0x00;
	memcpy(mac + 2, tail, 4);
}

static size_t put_ip(const struct pb_spec *, uint8_t *, size_t, int,
    size_t *);

/*
 * The transport header and payload at b.  Returns its length (0 is a
 * valid empty payload of another protocol), or PB_ERR if it does not
 * fit.  The checksum covers the pseudo-header of a.
 */
static size_t
put_l4(const struct pb_spec *s, const struct addrs *a, uint8_t *b,
    size_t cap, int depth)
{
	size_t hl = 0, n, ql, qhl;
	uint64_t acc;
	uint16_t ck;
	uint8_t opt[40];

	switch (s->proto) {
	case PB_TCP:
		if (s->mss) {
			opt[hl++] = 2;
			opt[hl++] = 4;
			gf_put_be16(opt + hl, s->mss);
			hl += 2;
		}
		if (s->sackok) {
			opt[hl++] = 4;
			opt[hl++] = 2;
		}
		if (s->wscale >= 0) {
			opt[hl++] = 1;
			opt[hl++] = 3;
			opt[hl++] = 3;
			opt[hl++] = (uint8_t)s->wscale;
		}
		while (hl % 4)
			opt[hl++] = 0;
		hl += 20;
		if (cap < hl || cap - hl < s->paylen)
			return PB_ERR;
		gf_put_be16(b, s->sport);
		gf_put_be16(b + 2, s->dport);
		gf_put_be32(b + 4, s->seq);
		gf_put_be32(b + 8, s->ack);
		b[12] = (uint8_t)((s->tcp_doff ? s->tcp_doff : (int)hl / 4)
		    << 4);
		b[13] = s->flags;
		gf_put_be16(b + 14, s->win);
		gf_put_be16(b + 16, 0);
		gf_put_be16(b + 18, 0);
		memcpy(b + 20, opt, hl - 20);
		fill_payload(b + hl, s->paylen, s->seq, s->payload);
		n = hl + s->paylen;
		acc = pseudo_sum(a, PB_TCP, (uint32_t)n);
		gf_put_be16(b + 16, fold(sum_bytes(acc, b, n)));
		return n;

	case PB_UDP:
		if (cap < 8 || cap - 8 < s->paylen || s->paylen > 65527)
			return PB_ERR;
		n = 8 + s->paylen;
		gf_put_be16(b, s->sport);
		gf_put_be16(b + 2, s->dport);
		gf_put_be16(b + 4, (uint16_t)n);
		gf_put_be16(b + 6, 0);
		fill_payload(b + 8, s->paylen, 0, s->payload);
		acc = pseudo_sum(a, PB_UDP, (uint32_t)n);
		ck = fold(sum_bytes(acc, b, n));
		gf_put_be16(b + 6, ck == 0 ? 0xffff : ck);
		return n;

	case PB_ICMP:
	case PB_ICMP6:
		if (cap < 8)
			return PB_ERR;
		b[0] = s->icmp_type;
		b[1] = s->icmp_code;
		gf_put_be16(b + 2, 0);
		gf_put_be16(b + 4, s->icmp_id);
		gf_put_be16(b + 6, s->icmp_seq);
		if (s->quote != NULL && depth == 0) {
			ql = put_ip(s->quote, b + 8, cap - 8, depth + 1, &qhl);
			if (ql == 0)
				return PB_ERR;
			if (s->quote_len != 0 && s->quote_len < ql)
				ql = s->quote_len;
			else if (s->quote_len == 0 && qhl + 8 < ql)
				ql = qhl + 8;
			n = 8 + ql;
		} else {
			if (cap - 8 < s->paylen)
				return PB_ERR;
			fill_payload(b + 8, s->paylen, 0, s->payload);
			n = 8 + s->paylen;
		}
		acc = s->proto == PB_ICMP6 ?
		    pseudo_sum(a, PB_ICMP6, (uint32_t)n) : 0;
		gf_put_be16(b + 2, fold(sum_bytes(acc, b, n)));
		return n;

	default:
		if (cap < s->paylen)
			return PB_ERR;
		fill_payload(b, s->paylen, 0, s->payload);
		return s->paylen;
	}
}

/*
 * Cut a built datagram down to one fragment: keep bytes [off, off+len)
 * of the full fragmentable part (full bytes at p).  Returns the kept
 * length and sets *mf, or returns PB_ERR if the slice is empty.
 */
static size_t
slice(const struct pb_spec *s, uint8_t *p, size_t full, int *mf)
{
	size_t off = s->frag_off, n = s->frag_len;

	if (off % 8 != 0 || off >= full)
		return PB_ERR;
	if (n > full - off)
		n = full - off;
	memmove(p, p + off, n);
	*mf = s->mf || off + n < full;
	return n;
}

/*
 * The IP datagram of spec s at b.  Returns its length (0 on error) and
 * sets *hlen to the length of its IP headers (v6: with extension
 * headers), the offset of the transport header.
 */
static size_t
put_ip(const struct pb_spec *s, uint8_t *b, size_t cap, int depth,
    size_t *hlen)
{
	struct addrs a;
	size_t hl, l4, plen, pos, i;
	uint8_t chain[3 + PB_MAX_DSTOPT];
	int nchain = 0, mf, j, ver;
	uint32_t fl;
	uint16_t tot;

	if (parse_addrs(s->family, s->src, s->dst, &a) != 0)
		return 0;
	ver = s->ip_version ? s->ip_version : a.family;

	if (a.family == 4) {
		if (s->ipopt_len < 0 || s->ipopt_len > 40 ||
		    s->ipopt_len % 4 != 0)
			return 0;
		hl = 20 + (size_t)s->ipopt_len;
		if (cap < hl)
			return 0;
		l4 = put_l4(s, &a, b + hl, cap - hl, depth);
		if (l4 == PB_ERR)
			return 0;
		mf = s->mf;
		plen = l4;
		if (s->frag_len != 0) {
			plen = slice(s, b + hl, l4, &mf);
			if (plen == PB_ERR)
				return 0;
		}
		if (hl + plen > 65535)
			return 0;
		tot = (uint16_t)(hl + plen + (size_t)s->ip_len_adj);
		b[0] = (uint8_t)(ver << 4 | (int)(hl / 4));
		b[1] = 0;
		gf_put_be16(b + 2, tot);
		gf_put_be16(b + 4, s->ipid);
		gf_put_be16(b + 6, (uint16_t)((s->df ? 0x4000 : 0) |
		    (mf ? 0x2000 : 0) | ((s->frag_off / 8) & 0x1fff)));
		b[8] = s->ttl ? s->ttl : 64;
		b[9] = s->proto;
		gf_put_be16(b + 10, 0);
		memcpy(b + 12, a.src, 4);
		memcpy(b + 16, a.dst, 4);
		/* NOPs, then end-of-list in the last byte. */
		for (i = 20; i < hl; i++)
			b[i] = i + 1 == hl ? 0 : 1;
		gf_put_be16(b + 10, fold(sum_bytes(0, b, hl)));
		*hlen = hl;
		return hl + plen;
	}

	/* IPv6: HBH, fragment, AH, destination options..., transport. */
	if (s->hbh_len < 0 || s->hbh_len % 8 != 0 || s->hbh_len > 2048 ||
	    s->ndstopt < 0 || s->ndstopt > PB_MAX_DSTOPT ||
	    (s->frag_len != 0 && !s->frag6))
		return 0;
	if (s->hbh_len)
		chain[nchain++] = 0;
	if (s->frag6)
		chain[nchain++] = 44;
	if (s->ah)
		chain[nchain++] = 51;
	for (j = 0; j < s->ndstopt; j++)
		chain[nchain++] = 60;
	hl = 40 + (size_t)s->hbh_len + (s->frag6 ? 8 : 0) + (s->ah ? 24 : 0) +
	    (size_t)s->ndstopt * 8;
	if (cap < hl)
		return 0;
	l4 = put_l4(s, &a, b + hl, cap - hl, depth);
	if (l4 == PB_ERR)
		return 0;

	pos = 40;
	for (j = 0; j < nchain; j++) {
		uint8_t next = j + 1 < nchain ? chain[j + 1] : s->proto;
		uint8_t *h = b + pos;
		switch (chain[j]) {
		case 0:
			h[0] = next;
			h[1] = (uint8_t)(s->hbh_len / 8 - 1);
			h[2] = 1;	/* PadN over the rest */
			h[3] = (uint8_t)(s->hbh_len - 4);
			memset(h + 4, 0, (size_t)s->hbh_len - 4);
			pos += (size_t)s->hbh_len;
			break;
		case 44:
			pos += 8;	/* written below, once mf is known */
			break;
		case 51:
			h[0] = next;
			h[1] = 4;	/* (4 + 2) * 4 = 24 bytes */
			gf_put_be16(h + 2, 0);
			gf_put_be32(h + 4, 0x100);	/* SPI */
			gf_put_be32(h + 8, 1);		/* sequence */
			memset(h + 12, 0, 12);		/* ICV */
			pos += 24;
			break;
		case 60:
			h[0] = next;
			h[1] = 0;
			h[2] = 1;
			h[3] = 4;
			memset(h + 4, 0, 4);
			pos += 8;
			break;
		}
	}

	/* The fragmentable part starts after the fragment header. */
	mf = s->mf;
	plen = hl - 40 + l4;
	if (s->frag6) {
		size_t fstart = 40 + (size_t)s->hbh_len + 8;
		size_t full = hl - fstart + l4, n = full;
		uint8_t *fh = b + fstart - 8;
		if (s->frag_len != 0) {
			n = slice(s, b + fstart, full, &mf);
			if (n == PB_ERR)
				return 0;
		}
		plen = fstart - 40 + n;
		fh[0] = nchain > 1 + (s->hbh_len ? 1 : 0) ?
		    chain[1 + (s->hbh_len ? 1 : 0)] : s->proto;
		fh[1] = 0;
		gf_put_be16(fh + 2, (uint16_t)((s->frag_off & 0xfff8) |
		    (mf ? 1 : 0)));
		gf_put_be32(fh + 4, s->frag6_id);
	}
	if (plen > 65535)
		return 0;
	fl = (uint32_t)ver << 28;
	gf_put_be32(b, fl);
	gf_put_be16(b + 4, (uint16_t)(plen + (size_t)s->ip_len_adj));
	b[6] = nchain ? chain[0] : s->proto;
	b[7] = s->ttl ? s->ttl : 64;
	memcpy(b + 8, a.src, 16);
	memcpy(b + 24, a.dst, 16);
	*hlen = hl;
	return 40 + plen;
}

static uint16_t
tag_tpid(const uint16_t *tpid, int i, int n)
{
	if (tpid[i] != 0)
		return tpid[i];
	return n == 2 && i == 0 ? ET_QINQ : ET_VLAN;
}

/* The type in the link header: first tag, MPLS, or the payload's. */
static uint16_t
chain_first(int nvlan, const uint16_t *tpid, int nmpls, uint16_t final)
{
	if (nvlan > 0)
		return tag_tpid(tpid, 0, nvlan);
	return nmpls > 0 ? ET_MPLS : final;
}

/*
 * VLAN tags then MPLS labels at b, the last one announcing final.
 * Returns the bytes written or PB_ERR.
 */
static size_t
put_chain(uint8_t *b, size_t cap, int nvlan, const uint16_t *vlan,
    const uint16_t *tpid, int nmpls, const uint32_t *mpls, uint16_t final)
{
	size_t n = 0;
	int i;

	if (nvlan < 0 || nvlan > 2 || nmpls < 0 || nmpls > 4 ||
	    cap < (size_t)(nvlan + nmpls) * 4)
		return PB_ERR;
	for (i = 0; i < nvlan; i++) {
		gf_put_be16(b + n, vlan[i] & 0x0fff);
		gf_put_be16(b + n + 2, i + 1 < nvlan ?
		    tag_tpid(tpid, i + 1, nvlan) : nmpls ? ET_MPLS : final);
		n += 4;
	}
	for (i = 0; i < nmpls; i++) {
		gf_put_be32(b + n, (mpls[i] & 0xfffff) << 12 |
		    (i + 1 == nmpls ? 0x100u : 0) | 64);
		n += 4;
	}
	return n;
}

/*
 * The inner Ethernet header of a tunnel (GRE/TEB, ERSPAN, VXLAN, Geneve)
 * and its VLAN tags, announcing the inner IP.  Bytes written or PB_ERR.
 */
static size_t
put_inner_ether(const struct pb_spec *s, const struct addrs *in, uint8_t *b,
    size_t cap)
{
	uint16_t ft = in->family == 6 ? ET_IPV6 : ET_IPV4;
	size_t n;

	if (cap < 14)
		return PB_ERR;
	mac_from(b, in->dst, in->family);
	mac_from(b + 6, in->src, in->family);
	gf_put_be16(b + 12, chain_first(s->inner_nvlan,
	    (const uint16_t[2]){ 0, 0 }, 0, ft));
	n = put_chain(b + 14, cap - 14, s->inner_nvlan, s->inner_vlan,
	    (const uint16_t[2]){ 0, 0 }, 0, NULL, ft);
	return n == PB_ERR ? PB_ERR : 14 + n;
}

static size_t
put_arp(const struct pb_spec *s, uint8_t *b, size_t cap)
{
	struct addrs a;

	if (cap < 28)
		return 0;
	if (parse_addrs(4, s->src, s->dst, &a) != 0)
		memset(&a, 0, sizeof(a));
	gf_put_be16(b, 1);		/* Ethernet */
	gf_put_be16(b + 2, ET_IPV4);
	b[4] = 6;
	b[5] = 4;
	gf_put_be16(b + 6, 1);		/* request */
	mac_from(b + 8, a.src, 4);
	memcpy(b + 14, a.src, 4);
	memset(b + 18, 0, 6);
	memcpy(b + 24, a.dst, 4);
	return 28;
}

size_t
pb_build(const struct pb_spec *s, uint8_t *buf, size_t cap,
    uint32_t *wirelen)
{
	struct addrs in, out, *l2a;
	uint16_t final, first, ck;
	size_t off = 0, n, o = 0, gre = 0, hl;
	int encap = s->encap != PB_ENC_NONE && s->ethertype == 0;
	int udptun = s->encap >= PB_ENC_GTPU && encap;
	int ofam;
	uint32_t af;
	size_t udp = 0, pppoe = 0, gtp = 0;
	uint16_t l2final;

	*wirelen = 0;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	if (s->ethertype == 0 &&
	    parse_addrs(s->family, s->src, s->dst, &in) != 0)
		return 0;
	if (s->ethertype != 0)
		(void)parse_addrs(s->family, s->src, s->dst, &in);
	if (encap && parse_addrs(0, s->outer_src, s->outer_dst, &out) != 0)
		return 0;
	l2a = encap ? &out : &in;
	ofam = l2a->family;
	final = s->ethertype ? s->ethertype : ofam == 6 ? ET_IPV6 : ET_IPV4;
	l2final = s->pbb_isid ? 0x88e7 : s->pppoe ? 0x8864 : final;
	first = chain_first(s->nvlan, s->vlan_tpid, s->nmpls, l2final);
	if (s->nmpls && s->ethertype)
		return 0;

	switch (s->link) {
	case PB_LINK_ETHER:
		if (cap < 14)
			return 0;
		mac_from(buf, l2a->dst, l2a->family);
		mac_from(buf + 6, l2a->src, l2a->family);
		gf_put_be16(buf + 12, first);
		off = 14;
		break;
	case PB_LINK_SLL:
		if (cap < 16)
			return 0;
		gf_put_be16(buf, 0);		/* sent to us */
		gf_put_be16(buf + 2, 1);	/* ARPHRD_ETHER */
		gf_put_be16(buf + 4, 6);
		mac_from(buf + 6, l2a->src, l2a->family);
		gf_put_be16(buf + 12, 0);
		gf_put_be16(buf + 14, first);
		off = 16;
		break;
	case PB_LINK_SLL2:
		if (cap < 20)
			return 0;
		gf_put_be16(buf, first);
		gf_put_be16(buf + 2, 0);
		gf_put_be32(buf + 4, 1);	/* ifindex */
		gf_put_be16(buf + 8, 1);	/* ARPHRD_ETHER */
		buf[10] = 0;
		buf[11] = 6;
		mac_from(buf + 12, l2a->src, l2a->family);
		gf_put_be16(buf + 18, 0);
		off = 20;
		break;
	case PB_LINK_NULL:
		if (cap < 4 || s->nvlan || s->nmpls || s->ethertype)
			return 0;
		af = s->null_af ? s->null_af : ofam == 6 ? 24 : 2;
		if (s->null_be)
			gf_put_be32(buf, af);
		else
			gf_put_le32(buf, af);
		off = 4;
		break;
	case PB_LINK_RAW:
		if (s->nvlan || s->nmpls || s->ethertype)
			return 0;
		break;
	default:
		return 0;
	}
	n = put_chain(buf + off, cap - off, s->nvlan, s->vlan, s->vlan_tpid,
	    s->nmpls, s->mpls, l2final);
	if (n == PB_ERR)
		return 0;
	off += n;
	if (s->pbb_isid) {
		uint16_t t = s->pppoe ? 0x8864 : final;
		if (cap - off < 4 + 12 + 2 + 8)
			return 0;
		gf_put_be32(buf + off, s->pbb_isid & 0xffffff);
		mac_from(buf + off + 4, l2a->dst, l2a->family);
		mac_from(buf + off + 10, l2a->src, l2a->family);
		buf[off + 4] |= 0x04;	/* customer MACs differ from B-MACs */
		gf_put_be16(buf + off + 16, chain_first(s->inner_nvlan,
		    (const uint16_t[2]){ 0, 0 }, 0, t));
		off += 18;
		n = put_chain(buf + off, cap - off, s->inner_nvlan,
		    s->inner_vlan, (const uint16_t[2]){ 0, 0 }, 0, NULL, t);
		if (n == PB_ERR)
			return 0;
		off += n;
	}
	if (s->pppoe) {
		if (cap - off < 8)
			return 0;
		pppoe = off;
		buf[off] = 0x11;
		buf[off + 1] = 0;
		gf_put_be16(buf + off + 2, s->pppoe_session);
		gf_put_be16(buf + off + 6, final == ET_IPV6 ? 0x0057 : 0x0021);
		off += 8;
	}

	if (s->ethertype != 0) {
		if (s->ethertype == ET_ARP)
			n = put_arp(s, buf + off, cap - off);
		else if (cap - off < s->paylen)
			return 0;
		else {
			fill_payload(buf + off, s->paylen, 0, s->payload);
			n = s->paylen;
		}
		if (n == 0 && s->paylen != 0)
			return 0;
		off += n;
		goto done;
	}

	if (encap) {
		o = off;
		hl = out.family == 4 ? 20 : 40;
		if (cap - off < hl)
			return 0;
		off += hl;
	}
	if (udptun) {
		static const uint16_t wk[] = { 2152, 4789, 6081, 4754, 3544 };
		if (s->geneve_opt < 0 || s->geneve_opt % 4 != 0 ||
		    cap - off < 8 + 16 + (size_t)s->geneve_opt + 14 + 8)
			return 0;
		udp = off;
		gf_put_be16(buf + off, s->tun_sport ? s->tun_sport : 40000);
		gf_put_be16(buf + off + 2, s->tun_dport ? s->tun_dport :
		    wk[s->encap - PB_ENC_GTPU]);
		off += 8;
		switch (s->encap) {
		case PB_ENC_GTPU:
			gtp = off;
			buf[off] = (uint8_t)(0x30 | (s->gtp_ext ? 0x04 : 0) |
			    (s->gtp_seq ? 0x02 : 0));
			buf[off + 1] = 255;
			gf_put_be32(buf + off + 4, s->tun_id);
			off += 8;
			if (s->gtp_ext || s->gtp_seq) {
				gf_put_be16(buf + off, 1);	/* sequence */
				buf[off + 2] = 0;
				buf[off + 3] = s->gtp_ext ? 0x85 : 0;
				off += 4;
				for (int i = 0; i < s->gtp_ext; i++) {
					/* PDU session container, 4 bytes */
					buf[off] = 1;
					buf[off + 1] = 0x10;
					buf[off + 2] = 9;	/* QFI */
					buf[off + 3] = i + 1 < s->gtp_ext ?
					    0x85 : 0;
					off += 4;
				}
			}
			break;
		case PB_ENC_VXLAN:
			gf_put_be32(buf + off, 0x08000000);
			gf_put_be32(buf + off + 4, s->tun_id << 8);
			off += 8;
			break;
		case PB_ENC_GENEVE:
			buf[off] = (uint8_t)(s->geneve_opt / 4);
			buf[off + 1] = 0;
			gf_put_be16(buf + off + 2, s->geneve_ip ? (in.family == 6 ?
			    ET_IPV6 : ET_IPV4) : ET_TEB);
			gf_put_be32(buf + off + 4, s->tun_id << 8);
			off += 8;
			for (int i = 0; i < s->geneve_opt; i += 4) {
				/* an option class 0x0103, type 0x80, no data */
				gf_put_be32(buf + off, 0x01038000u);
				off += 4;
			}
			break;
		case PB_ENC_GRE_UDP:
			gf_put_be16(buf + off, 0);
			gf_put_be16(buf + off + 2, in.family == 6 ? ET_IPV6 :
			    ET_IPV4);
			off += 4;
			break;
		case PB_ENC_TEREDO:
			if (s->teredo_origin) {
				gf_put_be16(buf + off, 0);
				gf_put_be16(buf + off + 2, 0xffff ^ 40000);
				gf_put_be32(buf + off + 4, 0xffffffffu ^ 0xc0000201u);
				off += 8;
			}
			break;
		default:
			break;
		}
		if (s->encap == PB_ENC_VXLAN ||
		    (s->encap == PB_ENC_GENEVE && !s->geneve_ip)) {
			if ((n = put_inner_ether(s, &in, buf + off,
			    cap - off)) == PB_ERR)
				return 0;
			off += n;
		}
	}
	if (s->encap == PB_ENC_GRE || s->encap == PB_ENC_ERSPAN2 ||
	    s->encap == PB_ENC_ERSPAN3) {
		int erspan = s->encap != PB_ENC_GRE;
		int teb = erspan || s->gre_teb;
		uint16_t flags = 0, proto;

		if (s->gre_csum)
			flags |= 0x8000;
		if (s->gre_key_on)
			flags |= 0x2000;
		if (s->gre_seq_on || erspan)
			flags |= 0x1000;
		proto = s->encap == PB_ENC_ERSPAN2 ? ET_ERSPAN2 :
		    s->encap == PB_ENC_ERSPAN3 ? ET_ERSPAN3 :
		    teb ? ET_TEB : in.family == 6 ? ET_IPV6 : ET_IPV4;
		if (cap - off < 16 + 20 + 14 + 8)
			return 0;
		gre = off;
		gf_put_be16(buf + off, flags);
		gf_put_be16(buf + off + 2, proto);
		off += 4;
		if (flags & 0x8000) {
			gf_put_be32(buf + off, 0);
			off += 4;
		}
		if (flags & 0x2000) {
			gf_put_be32(buf + off, s->gre_key);
			off += 4;
		}
		if (flags & 0x1000) {
			gf_put_be32(buf + off, s->gre_seq);
			off += 4;
		}
		if (s->encap == PB_ENC_ERSPAN2) {
			gf_put_be16(buf + off, 0x1000);	/* ver 1, vlan 0 */
			gf_put_be16(buf + off + 2, s->erspan_session & 0x3ff);
			gf_put_be32(buf + off + 4, 0);	/* index */
			off += 8;
		} else if (s->encap == PB_ENC_ERSPAN3) {
			gf_put_be16(buf + off, 0x2000);	/* ver 2, vlan 0 */
			gf_put_be16(buf + off + 2, s->erspan_session & 0x3ff);
			gf_put_be32(buf + off + 4, 0x12345678);	/* timestamp */
			gf_put_be16(buf + off + 8, 0);	/* SGT */
			buf[off + 10] = 0;		/* P, FT 0 Ethernet */
			buf[off + 11] = s->erspan_o ? 1 : 0;
			off += 12;
			if (s->erspan_o) {
				/* Platform ID 3: sizes/port and timestamp. */
				gf_put_be32(buf + off, 3u << 26);
				gf_put_be32(buf + off + 4, 0);
				off += 8;
			}
		}
		if (teb) {
			if ((n = put_inner_ether(s, &in, buf + off,
			    cap - off)) == PB_ERR)
				return 0;
			off += n;
		}
	}

	n = put_ip(s, buf + off, cap - off, 0, &hl);
	if (n == 0)
		return 0;
	off += n;

	if (encap) {
		size_t tot = off - o;
		uint8_t *h = buf + o;
		uint8_t proto = udptun ? 17 : s->encap == PB_ENC_IPIP ?
		    (in.family == 6 ? 41 : 4) : 47;
		if (tot > 65535 + (out.family == 6 ? 40u : 0u))
			return 0;
		if (gre != 0 && s->gre_csum) {
			ck = fold(sum_bytes(0, buf + gre, off - gre));
			gf_put_be16(buf + gre + 4, ck);
		}
		if (gtp != 0)
			gf_put_be16(buf + gtp + 2, (uint16_t)(off - gtp - 8));
		if (udp != 0) {
			gf_put_be16(buf + udp + 4, (uint16_t)(off - udp));
			gf_put_be16(buf + udp + 6, 0);
			ck = fold(sum_bytes(pseudo_sum(&out, PB_UDP,
			    (uint32_t)(off - udp)), buf + udp, off - udp));
			gf_put_be16(buf + udp + 6, ck ? ck : 0xffff);
		}
		if (out.family == 4) {
			h[0] = 0x45;
			h[1] = 0;
			gf_put_be16(h + 2, (uint16_t)tot);
			gf_put_be16(h + 4, 0);
			gf_put_be16(h + 6, 0x4000);
			h[8] = 64;
			h[9] = proto;
			gf_put_be16(h + 10, 0);
			memcpy(h + 12, out.src, 4);
			memcpy(h + 16, out.dst, 4);
			gf_put_be16(h + 10, fold(sum_bytes(0, h, 20)));
		} else {
			gf_put_be32(h, 6u << 28);
			gf_put_be16(h + 4, (uint16_t)(tot - 40));
			h[6] = proto;
			h[7] = 64;
			memcpy(h + 8, out.src, 16);
			memcpy(h + 24, out.dst, 16);
		}
	}

	if (pppoe != 0)
		gf_put_be16(buf + pppoe + 4, (uint16_t)(off - pppoe - 6));
done:
	if (s->pad_to > off) {
		if (cap < s->pad_to)
			return 0;
		memset(buf + off, 0, s->pad_to - off);
		off = s->pad_to;
	}
	if (off > UINT32_MAX)
		return 0;
	*wirelen = (uint32_t)off;
	if (s->snaplen != 0 && s->snaplen < off)
		return s->snaplen;
	return off;
}

/* pcap writer. */

struct pw {
	FILE *fp;
	int nsec;
	int err;
	char buf[1 << 16];
};

#define PW_SNAPLEN 262144

struct pw *
pw_open(const char *path, int linktype, int nsec)
{
	struct pw *pw;
	uint8_t h[24];

	if ((pw = calloc(1, sizeof(*pw))) == NULL)
		return NULL;
	if ((pw->fp = fopen(path, "wb")) == NULL) {
		free(pw);
		return NULL;
	}
	setvbuf(pw->fp, pw->buf, _IOFBF, sizeof(pw->buf));
	pw->nsec = nsec;
	gf_put_le32(h, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	gf_put_le16(h + 4, 2);
	gf_put_le16(h + 6, 4);
	gf_put_le32(h + 8, 0);		/* thiszone */
	gf_put_le32(h + 12, 0);		/* sigfigs */
	gf_put_le32(h + 16, PW_SNAPLEN);
	gf_put_le32(h + 20, (uint32_t)linktype);
	if (fwrite(h, sizeof(h), 1, pw->fp) != 1)
		pw->err = 1;
	return pw;
}

int
pw_write(struct pw *pw, uint64_t ts_ns, const uint8_t *frame,
    uint32_t caplen, uint32_t wirelen)
{
	uint8_t h[16];
	uint64_t sec = ts_ns / 1000000000u, frac = ts_ns % 1000000000u;

	if (caplen > PW_SNAPLEN)
		caplen = PW_SNAPLEN;
	gf_put_le32(h, (uint32_t)sec);
	gf_put_le32(h + 4, (uint32_t)(pw->nsec ? frac : frac / 1000));
	gf_put_le32(h + 8, caplen);
	gf_put_le32(h + 12, wirelen);
	if (fwrite(h, sizeof(h), 1, pw->fp) != 1 ||
	    (caplen && fwrite(frame, caplen, 1, pw->fp) != 1)) {
		pw->err = 1;
		return -1;
	}
	return 0;
}

int
pw_close(struct pw *pw)
{
	int rc;

	if (pw == NULL)
		return 0;
	rc = pw->err ? -1 : 0;
	if (fclose(pw->fp) != 0)
		rc = -1;
	free(pw);
	return rc;
}

uint64_t
pb_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
