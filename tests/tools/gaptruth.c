/*
 * gaptruth - ground truth of TCP capture gaps, the contract the sensor's
 * sgap/dgap are measured against (tests/accuracy).
 *
 *   gaptruth [--header] ORIGINAL.pcap ANALYZED.pcap
 *
 * ANALYZED is ORIGINAL with packets removed (and possibly reordered, with
 * timestamps kept), e.g. by pcapcut.  gaptruth prints one CSV line per TCP
 * connection of ANALYZED and direction:
 *
 *   proto,saddr,sport,daddr,dport,dir,truth_gap,truth_retrans,simplex
 *
 * saddr/sport is the initiator: the sender of the first SYN (without ACK)
 * in ANALYZED; else the receiver of the first SYN-ACK; else the sender of
 * the connection's first packet.  dir is s for the data sent by the
 * initiator, d for the data sent by the responder.
 *
 * DEFINITION (per TCP connection of the analyzed capture and direction X,
 * the data sender, with peer Y):
 *
 *  - base_X: the sequence number where X's countable data starts: isn+1 if
 *    X's SYN is present in the analyzed capture, else the seq of X's first
 *    packet present in the analyzed capture; if X has no packet at all,
 *    the first ACK value Y sent (in the analyzed capture).
 *  - ACKed_X: the highest ACK number Y sent in the analyzed capture
 *    (ignoring RST packets), in unwrapped 64-bit sequence space.
 *  - Payload positions: sequence numbers that carried X's payload bytes in
 *    the ORIGINAL capture (before removal); the SYN's and the FIN's
 *    sequence numbers are never payload.
 *  - Present_X: payload sequence numbers carried by X's packets present in
 *    the analyzed capture (retransmissions count as present).
 *  - Duplex (Y has at least one packet in the analyzed capture):
 *      truth_gap_X = | {payload positions p : base_X <= p < ACKed_X}
 *                      \ Present_X |
 *  - Simplex (Y has no packet in the analyzed capture; the sensor flags
 *    these as inferred without ACK):
 *      truth_gap_X = | {payload positions p : base_X <= p < high_X}
 *                      \ Present_X |
 *    where high_X = the highest seq+len among X's packets present.
 *  - truth_retrans_X (information only): X packets of the ORIGINAL capture
 *    whose payload overlaps payload X sent earlier in the original.
 *  - simplex: 1 when Y has no packet in the analyzed capture.
 *
 * How: whole-file knowledge in two passes, independent of the sensor.
 * Pass 1 reads ORIGINAL: packets are grouped by unordered 4-tuple and
 * split into connections (a SYN with a new ISN after a FIN/RST, or with an
 * ISN different from the connection's, starts a new one); sequence and
 * acknowledgement numbers of each direction are unwrapped into 64-bit
 * space (each value is placed within 2^31 of the previous value of the
 * same sequence space); payload intervals are kept as sorted, merged
 * interval sets.  Pass 2 reads ANALYZED: each packet goes to the
 * connection of its 4-tuple that started last at or before its timestamp,
 * and is unwrapped starting from the original's value nearest in time, so
 * both files share one unwrapped space.  Then the sets are intersected.
 *
 * Link types: Ethernet (VLAN/QinQ tags), Linux cooked v1/v2, raw IP, BSD
 * null/loop; IPv4 and IPv6 (extension headers skipped).  Payload lengths
 * come from the IP header, so snaplen-truncated captures count fully.
 * IP fragments are ignored.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

static void
die(const char *m)
{
	fprintf(stderr, "gaptruth: %s\n", m);
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die("out of memory");
	return p;
}

/* ------------------------------------------------------------ packets */

struct pkt {
	uint8_t family;
	uint8_t fl;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack, len;
	uint64_t ts;            /* ns */
};

struct pktv {
	struct pkt *p;
	size_t n, cap;
};

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Decode one frame; returns 1 and fills k for a TCP segment. */
static int
decode(const uint8_t *p, uint32_t caplen, int dlt, struct pkt *k)
{
	const uint8_t *end = p + caplen;
	uint16_t et;
	int nh;
	uint32_t iplen;         /* bytes of L4 (header + payload) */

	switch (dlt) {
	case DLT_EN10MB:
		if (caplen < 14)
			return 0;
		et = rd16(p + 12);
		p += 14;
		while ((et == 0x8100 || et == 0x88a8 || et == 0x9100) &&
		    end - p >= 4) {
			et = rd16(p + 2);
			p += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (caplen < 16)
			return 0;
		et = rd16(p + 14);
		p += 16;
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (caplen < 20)
			return 0;
		et = rd16(p);
		p += 20;
		break;
#endif
	case DLT_NULL:
	case DLT_LOOP:
		if (caplen < 5)
			return 0;
		p += 4;
		et = (*p >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	case DLT_RAW:
	case 101:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		if (caplen < 1)
			return 0;
		et = (*p >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	default:
		return 0;
	}
	memset(k->src, 0, sizeof(k->src));
	memset(k->dst, 0, sizeof(k->dst));
	if (et == 0x0800) {
		int ihl;
		uint32_t tot;
		if (end - p < 20 || (p[0] >> 4) != 4)
			return 0;
		ihl = (p[0] & 15) * 4;
		tot = rd16(p + 2);
		if (ihl < 20 || end - p < ihl || tot < (uint32_t)ihl)
			return 0;
		if (rd16(p + 6) & 0x3fff)
			return 0;       /* a fragment (MF or offset) */
		nh = p[9];
		k->family = 4;
		memcpy(k->src, p + 12, 4);
		memcpy(k->dst, p + 16, 4);
		iplen = tot - (uint32_t)ihl;
		p += ihl;
	} else if (et == 0x86dd) {
		uint32_t pl;
		const uint8_t *ip = p;
		if (end - p < 40 || (p[0] >> 4) != 6)
			return 0;
		nh = p[6];
		pl = rd16(p + 4);
		k->family = 6;
		memcpy(k->src, p + 8, 16);
		memcpy(k->dst, p + 24, 16);
		p += 40;
		for (int i = 0; i < 8; i++) {
			if (nh == 0 || nh == 43 || nh == 60) {
				if (end - p < 8)
					return 0;
				nh = p[0];
				p += (p[1] + 1) * 8;
			} else if (nh == 44) {
				if (end - p < 8)
					return 0;
				if ((rd16(p + 2) & 0xfff9) != 0)
					return 0;   /* a fragment */
				nh = p[0];
				p += 8;
			} else if (nh == 51) {
				if (end - p < 8)
					return 0;
				nh = p[0];
				p += (p[1] + 2) * 4;
			} else {
				break;
			}
		}
		if ((uint32_t)(p - ip - 40) > pl)
			return 0;
		iplen = pl - (uint32_t)(p - ip - 40);
	} else {
		return 0;
	}
	if (nh != 6 || p > end || end - p < 20)
		return 0;
	{
		uint32_t doff = (uint32_t)(p[12] >> 4) * 4;
		if (doff < 20 || doff > iplen)
			return 0;
		k->sport = rd16(p);
		k->dport = rd16(p + 2);
		k->seq = rd32(p + 4);
		k->ack = rd32(p + 8);
		k->fl = p[13];
		k->len = iplen - doff;
	}
	return 1;
}

static void
read_file(const char *path, struct pktv *v)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc, dlt;

	pc = pcap_open_offline_with_tstamp_precision(path,
	    PCAP_TSTAMP_PRECISION_NANO, err);
	if (pc == NULL) {
		fprintf(stderr, "gaptruth: %s\n", err);
		exit(2);
	}
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		struct pkt k;
		if (!decode(d, h->caplen, dlt, &k))
			continue;
		k.ts = (uint64_t)h->ts.tv_sec * 1000000000u +
		    (uint64_t)h->ts.tv_usec;
		if (v->n == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 4096;
			v->p = xrealloc(v->p, v->cap * sizeof(*v->p));
		}
		v->p[v->n++] = k;
	}
	if (rc == -1) {
		fprintf(stderr, "gaptruth: %s: %s\n", path, pcap_geterr(pc));
		exit(2);
	}
	pcap_close(pc);
}

/* ------------------------------------------------------ interval sets */

struct iv {
	uint64_t lo, hi;        /* [lo, hi) */
};

struct ivset {
	struct iv *v;
	size_t n, cap;
};

static void
iv_push(struct ivset *s, uint64_t lo, uint64_t hi)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n].lo = lo;
	s->v[s->n].hi = hi;
	s->n++;
}

/*
 * Add [lo, hi) to the sorted, merged set s; returns whether it overlapped
 * what was there.
 */
static int
iv_add(struct ivset *s, uint64_t lo, uint64_t hi)
{
	size_t a, b, i;
	int overlap = 0;

	if (lo >= hi)
		return 0;
	if (s->n == 0 || lo > s->v[s->n - 1].hi) {
		iv_push(s, lo, hi);
		return 0;
	}
	if (lo == s->v[s->n - 1].hi) {
		s->v[s->n - 1].hi = hi;
		return 0;
	}
	/* first interval with hi >= lo */
	a = 0;
	b = s->n;
	while (a < b) {
		size_t m = (a + b) / 2;
		if (s->v[m].hi < lo)
			a = m + 1;
		else
			b = m;
	}
	i = a;
	/* intervals i..j-1 touch [lo, hi] */
	{
		size_t j = i;
		uint64_t nlo = lo, nhi = hi;
		while (j < s->n && s->v[j].lo <= hi) {
			if (s->v[j].lo < hi && s->v[j].hi > lo)
				overlap = 1;
			if (s->v[j].lo < nlo)
				nlo = s->v[j].lo;
			if (s->v[j].hi > nhi)
				nhi = s->v[j].hi;
			j++;
		}
		if (j == i) {
			iv_push(s, 0, 0);
			memmove(&s->v[i + 1], &s->v[i],
			    (s->n - 1 - i) * sizeof(*s->v));
		} else if (j > i + 1) {
			memmove(&s->v[i + 1], &s->v[j],
			    (s->n - j) * sizeof(*s->v));
			s->n -= j - i - 1;
		}
		s->v[i].lo = nlo;
		s->v[i].hi = nhi;
	}
	return overlap;
}

static uint64_t
iv_measure(const struct ivset *s, uint64_t a, uint64_t b)
{
	uint64_t m = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t lo = s->v[i].lo > a ? s->v[i].lo : a;
		uint64_t hi = s->v[i].hi < b ? s->v[i].hi : b;
		if (lo < hi)
			m += hi - lo;
	}
	return m;
}

/* |x ∩ y ∩ [a, b)| for sorted merged sets */
static uint64_t
iv_inter(const struct ivset *x, const struct ivset *y, uint64_t a, uint64_t b)
{
	size_t i = 0, j = 0;
	uint64_t m = 0;
	while (i < x->n && j < y->n) {
		uint64_t lo = x->v[i].lo > y->v[j].lo ? x->v[i].lo : y->v[j].lo;
		uint64_t hi = x->v[i].hi < y->v[j].hi ? x->v[i].hi : y->v[j].hi;
		if (lo < a)
			lo = a;
		if (hi > b)
			hi = b;
		if (lo < hi)
			m += hi - lo;
		if (x->v[i].hi < y->v[j].hi)
			i++;
		else
			j++;
	}
	return m;
}

/* -------------------------------------------------------- connections */

struct ckpt {
	uint64_t ts, anchor;
};

struct side {
	/* original */
	int anch_ok;
	uint64_t anchor;        /* last unwrapped value of this space */
	struct ckpt *ck;        /* anchor after each original packet */
	size_t nck, capck;
	struct ivset payload;   /* payload positions */
	uint64_t retrans;
	int has_syn;
	uint32_t syn_seq;
	/* analyzed */
	int a_anch_ok;
	uint64_t a_anchor;
	struct ivset present;
	int a_pkt, a_syn, a_ack_seen;
	uint64_t a_isn, a_first, a_high;
	uint64_t a_first_ack, a_max_ack;    /* ACKs the peer sent for us */
};

struct conn {
	int family;
	uint8_t ep[2][16];
	uint16_t port[2];
	uint64_t start;
	int fin_rst;
	struct side s[2];
	/* analyzed */
	long a_order;           /* first appearance in ANALYZED, -1 none */
	int a_init;             /* initiator side: -1 unknown */
	int a_init_rank;        /* 3 SYN, 2 SYN-ACK, 1 first packet */
};

struct tuple {
	uint8_t key[37];
	int used;
	size_t *conns;
	size_t nconns;
};

static struct conn *conns;
static size_t nconn, capconn;
static struct tuple *tab;
static size_t tabsz;

static void
make_key(const struct pkt *p, uint8_t key[37], int *side)
{
	uint8_t a[18], b[18];
	memcpy(a, p->src, 16);
	a[16] = (uint8_t)(p->sport >> 8);
	a[17] = (uint8_t)p->sport;
	memcpy(b, p->dst, 16);
	b[16] = (uint8_t)(p->dport >> 8);
	b[17] = (uint8_t)p->dport;
	key[0] = p->family;
	if (memcmp(a, b, 18) <= 0) {
		memcpy(key + 1, a, 18);
		memcpy(key + 19, b, 18);
		*side = 0;
	} else {
		memcpy(key + 1, b, 18);
		memcpy(key + 19, a, 18);
		*side = 1;
	}
}

static uint64_t
hash_key(const uint8_t *k)
{
	uint64_t h = 1469598103934665603ULL;
	for (int i = 0; i < 37; i++) {
		h ^= k[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct tuple *
tuple_find(const uint8_t key[37], int create)
{
	size_t i = (size_t)(hash_key(key) & (tabsz - 1));
	for (;;) {
		struct tuple *t = &tab[i];
		if (!t->used) {
			if (!create)
				return NULL;
			t->used = 1;
			memcpy(t->key, key, 37);
			return t;
		}
		if (memcmp(t->key, key, 37) == 0)
			return t;
		i = (i + 1) & (tabsz - 1);
	}
}

static size_t
conn_new(struct tuple *t, const uint8_t key[37], uint64_t ts)
{
	struct conn *c;
	if (nconn == capconn) {
		capconn = capconn ? capconn * 2 : 256;
		conns = xrealloc(conns, capconn * sizeof(*conns));
	}
	c = &conns[nconn];
	memset(c, 0, sizeof(*c));
	c->family = key[0];
	memcpy(c->ep[0], key + 1, 16);
	c->port[0] = (uint16_t)(key[17] << 8 | key[18]);
	memcpy(c->ep[1], key + 19, 16);
	c->port[1] = (uint16_t)(key[35] << 8 | key[36]);
	c->start = ts;
	c->a_order = -1;
	c->a_init = -1;
	t->conns = xrealloc(t->conns, (t->nconns + 1) * sizeof(size_t));
	t->conns[t->nconns++] = nconn;
	return nconn++;
}

/* Place the 32-bit v within 2^31 of *anchor and move the anchor there. */
static uint64_t
unwrap(uint64_t *anchor, int *ok, uint32_t v)
{
	if (!*ok) {
		*anchor = (1ULL << 32) | v;
		*ok = 1;
		return *anchor;
	}
	*anchor = (uint64_t)((int64_t)*anchor +
	    (int32_t)(v - (uint32_t)*anchor));
	return *anchor;
}

static void
checkpoint(struct side *s, uint64_t ts)
{
	if (s->nck == s->capck) {
		s->capck = s->capck ? s->capck * 2 : 16;
		s->ck = xrealloc(s->ck, s->capck * sizeof(*s->ck));
	}
	s->ck[s->nck].ts = ts;
	s->ck[s->nck].anchor = s->anchor;
	s->nck++;
}

static void
pass_original(const struct pktv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct pkt *p = &v->p[i];
		uint8_t key[37];
		int x, y;
		struct tuple *t;
		struct conn *c;
		struct side *sx, *sy;
		size_t ci;
		int rst = (p->fl & TH_RST) != 0;
		int syn = (p->fl & TH_SYN) != 0;

		make_key(p, key, &x);
		y = !x;
		t = tuple_find(key, 1);
		if (t->nconns == 0) {
			ci = conn_new(t, key, p->ts);
		} else {
			ci = t->conns[t->nconns - 1];
			c = &conns[ci];
			if ((p->fl & (TH_SYN | TH_ACK)) == TH_SYN &&
			    ((c->s[x].has_syn && c->s[x].syn_seq != p->seq) ||
			    (!c->s[x].has_syn && c->fin_rst)))
				ci = conn_new(t, key, p->ts);
		}
		c = &conns[ci];
		sx = &c->s[x];
		sy = &c->s[y];
		if (p->fl & (TH_FIN | TH_RST))
			c->fin_rst = 1;
		if ((p->fl & (TH_SYN | TH_ACK)) == TH_SYN && !sx->has_syn) {
			sx->has_syn = 1;
			sx->syn_seq = p->seq;
		}
		{
			uint64_t u;
			if (rst) {
				/* an RST's numbers do not move the anchor */
				uint64_t save = sx->anchor;
				int ok = sx->anch_ok;
				u = unwrap(&sx->anchor, &sx->anch_ok, p->seq);
				if (ok)
					sx->anchor = save;
			} else {
				u = unwrap(&sx->anchor, &sx->anch_ok, p->seq);
			}
			checkpoint(sx, p->ts);
			if (p->len > 0) {
				uint64_t ds = u + (syn ? 1 : 0);
				if (iv_add(&sx->payload, ds, ds + p->len))
					sx->retrans++;
			}
		}
		if ((p->fl & TH_ACK) && !rst) {
			unwrap(&sy->anchor, &sy->anch_ok, p->ack);
			checkpoint(sy, p->ts);
		}
	}
}

/* The original's anchor of side s nearest before ts (or the first). */
static uint64_t
anchor_at(const struct side *s, uint64_t ts)
{
	size_t a = 0, b = s->nck;
	if (s->nck == 0)
		return s->anchor;
	while (a < b) {
		size_t m = (a + b) / 2;
		if (s->ck[m].ts <= ts)
			a = m + 1;
		else
			b = m;
	}
	return s->ck[a ? a - 1 : 0].anchor;
}

static uint64_t
unwrap_an(struct side *s, uint32_t v, uint64_t ts)
{
	if (!s->a_anch_ok) {
		s->a_anchor = anchor_at(s, ts);
		s->a_anch_ok = s->anch_ok;
	}
	return unwrap(&s->a_anchor, &s->a_anch_ok, v);
}

static long nunknown;

static void
pass_analyzed(const struct pktv *v)
{
	long order = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct pkt *p = &v->p[i];
		uint8_t key[37];
		int x, y;
		struct tuple *t;
		struct conn *c;
		struct side *sx, *sy;
		size_t ci, k;
		uint64_t u;
		int rst = (p->fl & TH_RST) != 0;
		int syn = (p->fl & TH_SYN) != 0;

		make_key(p, key, &x);
		y = !x;
		t = tuple_find(key, 0);
		if (t == NULL || t->nconns == 0) {
			nunknown++;
			continue;
		}
		/* the connection that started last at or before ts */
		ci = t->conns[0];
		for (k = 0; k < t->nconns; k++)
			if (conns[t->conns[k]].start <= p->ts)
				ci = t->conns[k];
		c = &conns[ci];
		sx = &c->s[x];
		sy = &c->s[y];
		if (c->a_order < 0)
			c->a_order = order++;
		/* initiator */
		if ((p->fl & (TH_SYN | TH_ACK)) == TH_SYN) {
			if (c->a_init_rank < 3) {
				c->a_init = x;
				c->a_init_rank = 3;
			}
		} else if (syn && (p->fl & TH_ACK)) {
			if (c->a_init_rank < 2) {
				c->a_init = y;
				c->a_init_rank = 2;
			}
		} else if (c->a_init_rank < 1) {
			c->a_init = x;
			c->a_init_rank = 1;
		}

		if (rst && sx->a_anch_ok) {
			uint64_t save = sx->a_anchor;
			u = unwrap_an(sx, p->seq, p->ts);
			sx->a_anchor = save;
		} else {
			u = unwrap_an(sx, p->seq, p->ts);
		}
		if (syn && !rst && !sx->a_syn) {
			/* X's SYN (a SYN-ACK for the responder) */
			sx->a_syn = 1;
			sx->a_isn = u;
		}
		if (!sx->a_pkt) {
			sx->a_pkt = 1;
			sx->a_first = u;
			sx->a_high = u + p->len;
		}
		if (u + p->len > sx->a_high)
			sx->a_high = u + p->len;
		if (p->len > 0) {
			uint64_t ds = u + (syn ? 1 : 0);
			iv_add(&sx->present, ds, ds + p->len);
		}
		if ((p->fl & TH_ACK) && !rst) {
			uint64_t a = unwrap_an(sy, p->ack, p->ts);
			if (!sy->a_ack_seen) {
				sy->a_ack_seen = 1;
				sy->a_first_ack = a;
				sy->a_max_ack = a;
			}
			if (a > sy->a_max_ack)
				sy->a_max_ack = a;
		}
	}
}

/* ------------------------------------------------------------- output */

static void
fmt_addr(int family, const uint8_t *a, char *buf, size_t n)
{
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf,
	    (socklen_t)n) == NULL)
		snprintf(buf, n, "?");
}

static uint64_t
truth_gap(const struct conn *c, int x, int *simplex)
{
	const struct side *sx = &c->s[x], *sy = &c->s[!x];
	uint64_t base, lim, total, present;

	*simplex = !sy->a_pkt;
	if (sx->a_syn)
		base = sx->a_isn + 1;
	else if (sx->a_pkt)
		base = sx->a_first;
	else if (sx->a_ack_seen)
		base = sx->a_first_ack;
	else
		return 0;
	if (!*simplex) {
		if (!sx->a_ack_seen)
			return 0;
		lim = sx->a_max_ack;
	} else {
		if (!sx->a_pkt)
			return 0;
		lim = sx->a_high;
	}
	if (lim <= base)
		return 0;
	total = iv_measure(&sx->payload, base, lim);
	present = iv_inter(&sx->payload, &sx->present, base, lim);
	return total - present;
}

static int
cmp_order(const void *a, const void *b)
{
	const struct conn *x = &conns[*(const size_t *)a];
	const struct conn *y = &conns[*(const size_t *)b];
	return (x->a_order > y->a_order) - (x->a_order < y->a_order);
}

int
main(int argc, char **argv)
{
	struct pktv orig = { 0 }, an = { 0 };
	int header = 0, ai = 1;
	size_t *idx, nidx = 0;

	if (argc > 1 && !strcmp(argv[1], "--header")) {
		header = 1;
		ai++;
	}
	if (argc - ai != 2) {
		fprintf(stderr,
		    "usage: gaptruth [--header] ORIGINAL.pcap ANALYZED.pcap\n");
		return 2;
	}
	read_file(argv[ai], &orig);
	read_file(argv[ai + 1], &an);
	tabsz = 1024;
	while (tabsz < orig.n * 2)
		tabsz *= 2;
	tab = calloc(tabsz, sizeof(*tab));
	if (tab == NULL)
		die("out of memory");
	pass_original(&orig);
	pass_analyzed(&an);
	if (nunknown)
		fprintf(stderr, "gaptruth: %ld analyzed TCP packets have no "
		    "connection in the original; ignored\n", nunknown);

	idx = xrealloc(NULL, nconn * sizeof(*idx));
	for (size_t i = 0; i < nconn; i++)
		if (conns[i].a_order >= 0)
			idx[nidx++] = i;
	qsort(idx, nidx, sizeof(*idx), cmp_order);
	if (header)
		printf("proto,saddr,sport,daddr,dport,dir,truth_gap,"
		    "truth_retrans,simplex\n");
	for (size_t k = 0; k < nidx; k++) {
		const struct conn *c = &conns[idx[k]];
		int si = c->a_init < 0 ? 0 : c->a_init;
		char sa[64], da[64];
		fmt_addr(c->family, c->ep[si], sa, sizeof(sa));
		fmt_addr(c->family, c->ep[!si], da, sizeof(da));
		for (int d = 0; d < 2; d++) {
			int x = d == 0 ? si : !si, simplex;
			uint64_t g = truth_gap(c, x, &simplex);
			printf("tcp,%s,%u,%s,%u,%c,%" PRIu64 ",%" PRIu64 ",%d\n",
			    sa, c->port[si], da, c->port[!si], d ? 'd' : 's', g,
			    c->s[x].retrans, simplex);
		}
	}
	free(idx);
	free(orig.p);
	free(an.p);
	for (size_t i = 0; i < nconn; i++) {
		for (int x = 0; x < 2; x++) {
			free(conns[i].s[x].ck);
			free(conns[i].s[x].payload.v);
			free(conns[i].s[x].present.v);
		}
	}
	free(conns);
	for (size_t i = 0; i < tabsz; i++)
		free(tab[i].conns);
	free(tab);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
}
