/*
 * tcp_track.c - TCP state machine and gap/loss/reorder inference (see
 * tcp_track.h for the model).
 *
 * Sequence arithmetic is modulo 2^32 (RFC 793 comparisons), so wrap needs
 * no special case.  Counters go to the flow's interval counters of the
 * direction whose data they describe.
 *
 * Hole lists are doubly linked through the node pool, in sequence order.
 * Holes only ever open above every other hole (at 'high'), and ACKs only
 * move up, so the acknowledged holes are a prefix of the list: 'unacked'
 * points at the first hole an ACK has not passed, commits pop acknowledged
 * holes from the head, and neither walks the list.  Fills search from the
 * nearer end (retransmissions fill near the head, reordering near the
 * tail).
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "tcp_track.h"

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* Window scale assumed when the handshake was not seen (RFC 7323's
 * largest). */
#define WSCALE_UNKNOWN 14

/* tcp_dir.ids bits: IPv4 id trust (0..3), duplicate ACKs (0..3), and
 * whether the direction's last packet ended at 'high'. */
#define IDS_TRUST_MASK 0x03
#define IDS_DUP_SHIFT  2
#define IDS_DUP_MASK   0x0c
#define IDS_LASTHIGH   0x10
#define IDS_POSTSYN    0x20    /* sent a packet other than its SYN */

static uint32_t
us32(uint64_t ns)
{
	return (uint32_t)(ns / 1000);
}

/* ---- pools ---------------------------------------------------------------- */

int
tcp_ctx_init(struct tcp_ctx *c, uint32_t nsets, uint32_t nnodes,
    uint32_t max_per_dir, uint64_t reorder_ns, uint64_t skew_ns,
    uint64_t simplex_ns)
{
	memset(c, 0, sizeof(*c));
	if (nsets == 0)
		nsets = 1;
	if (nnodes == 0)
		nnodes = 1;
	/* calloc: untouched pages cost no memory until holes are used */
	c->sets = calloc(nsets, sizeof(*c->sets));
	c->nodes = calloc(nnodes, sizeof(*c->nodes));
	if (c->sets == NULL || c->nodes == NULL) {
		tcp_ctx_free(c);
		return -1;
	}
	c->nsets = nsets;
	c->nnodes = nnodes;
	c->max_per_dir = max_per_dir ? max_per_dir : 1;
	c->reorder_us = us32(reorder_ns);
	c->skew_us = us32(skew_ns);
	c->simplex_ns = simplex_ns;
	return 0;
}

void
tcp_ctx_free(struct tcp_ctx *c)
{
	free(c->sets);
	free(c->nodes);
	c->sets = NULL;
	c->nodes = NULL;
}

void
tcp_stats_close(struct tcp_ctx *c)
{
	c->pst = c->st;
	c->pending = 1;
	memset(&c->st, 0, sizeof(c->st));
	c->epoch++;
}

static struct tcp_hole *
N(struct tcp_ctx *c, uint32_t i)
{
	return &c->nodes[i - 1];
}

static struct tcp_holeset *
set_get(struct tcp_ctx *c, const struct tcp_dir *t)
{
	return t->holeset ? &c->sets[t->holeset - 1] : NULL;
}

static struct tcp_holeset *
set_alloc(struct tcp_ctx *c, struct tcp_dir *t)
{
	uint32_t i;
	if (c->set_free != 0) {
		i = c->set_free;
		c->set_free = c->sets[i - 1].n;
	} else if (c->set_fresh < c->nsets) {
		i = ++c->set_fresh;
	} else {
		return NULL;
	}
	memset(&c->sets[i - 1], 0, sizeof(c->sets[0]));
	t->holeset = i;
	return &c->sets[i - 1];
}

static void
set_release(struct tcp_ctx *c, struct tcp_dir *t)
{
	struct tcp_holeset *hs = set_get(c, t);
	uint32_t x, next;
	if (hs == NULL)
		return;
	for (x = hs->head; x != 0; x = next) {
		next = N(c, x)->next;
		N(c, x)->next = c->node_free;
		c->node_free = x;
	}
	hs->n = c->set_free;
	c->set_free = t->holeset;
	t->holeset = 0;
}

/* A node for a new hole of hs, 0 when a bound is reached. */
static uint32_t
node_alloc(struct tcp_ctx *c, struct tcp_holeset *hs)
{
	uint32_t i;
	if (hs->n >= c->max_per_dir)
		return 0;
	if (c->node_free != 0) {
		i = c->node_free;
		c->node_free = N(c, i)->next;
	} else if (c->node_fresh < c->nnodes) {
		i = ++c->node_fresh;
	} else {
		return 0;
	}
	hs->n++;
	return i;
}

/* Link node x after node 'at' (0: at the head). */
static void
list_insert(struct tcp_ctx *c, struct tcp_holeset *hs, uint32_t at,
    uint32_t x)
{
	struct tcp_hole *h = N(c, x);
	h->prev = at;
	h->next = at ? N(c, at)->next : hs->head;
	if (h->next)
		N(c, h->next)->prev = x;
	else
		hs->tail = x;
	if (at)
		N(c, at)->next = x;
	else
		hs->head = x;
}

/* Unlink node x and return it to the pool. */
static void
list_delete(struct tcp_ctx *c, struct tcp_holeset *hs, uint32_t x)
{
	struct tcp_hole *h = N(c, x);
	if (h->prev)
		N(c, h->prev)->next = h->next;
	else
		hs->head = h->next;
	if (h->next)
		N(c, h->next)->prev = h->prev;
	else
		hs->tail = h->prev;
	if (hs->unacked == x)
		hs->unacked = h->next;
	h->next = c->node_free;
	c->node_free = x;
	hs->n--;
}

static void
set_release_if_empty(struct tcp_ctx *c, struct tcp_dir *t)
{
	struct tcp_holeset *hs = set_get(c, t);
	if (hs != NULL && hs->n == 0)
		set_release(c, t);
}

/* A hole could not be tracked: its bytes will never count as a gap. */
static void
holes_full(struct tcp_ctx *c, struct flow *f)
{
	c->st.holesfull++;
	f->flgs |= GF_F_HOLES_FULL;
}

/* ---- SENSOR figures of ACK events --------------------------------------- */

/* One ACK event: what it acknowledges is counted once, with the gap
 * bytes it reveals. */
struct ack_event {
	uint64_t now;
	uint8_t feed;           /* the input of the ACK */
	int counted;            /* a duplex flow: SENSOR figures */
	int event;              /* the ACK's one gap event is still to give */
	uint32_t gapbytes;      /* hole bytes it revealed */
};

/* The SENSOR interval a hole's ACK was counted in, if still open. */
static struct tcp_stats *
hole_stats(struct tcp_ctx *c, const struct tcp_hole *h)
{
	unsigned parity = (h->fl & HOLE_EPOCH) ? 1 : 0;
	if (!(h->fl & HOLE_SENSOR))
		return NULL;
	if (parity == (c->epoch & 1))
		return &c->st;
	if (c->pending)
		return &c->pst;
	return NULL;
}

/* Take back from the SENSOR figures bytes (and an event) of an
 * acknowledged hole that turned out seen: the ACK overtook its data. */
static void
sensor_takeback(struct tcp_ctx *c, const struct tcp_hole *h, uint32_t bytes,
    int ev)
{
	struct tcp_stats *s = hole_stats(c, h);
	if (s == NULL)
		return;
	s->gapbytes -= bytes < s->gapbytes ? bytes : s->gapbytes;
	if (ev && s->gapev > 0)
		s->gapev--;
}

/* Mark hole h acknowledged by ACK event ae. */
static void
hole_mark_acked(struct tcp_ctx *c, struct tcp_hole *h, struct ack_event *ae)
{
	h->fl |= HOLE_ACKED;
	h->t_ack = us32(ae->now);
	h->ev = ae->event ? 1 : 0;
	h->feed = ae->feed < 127 ? ae->feed : 127;
	ae->event = 0;
	if (ae->counted) {
		h->fl |= HOLE_SENSOR;
		if (c->epoch & 1)
			h->fl |= HOLE_EPOCH;
	}
	ae->gapbytes += h->hi - h->lo;
}

/* ---- holes ---------------------------------------------------------------- */

/*
 * Record a new hole [lo, hi) above every existing one: unseen sequence
 * space below a packet (ae NULL) or acknowledged by ACK event ae.
 */
static void
hole_open(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t, uint32_t lo,
    uint32_t hi, const struct gf_packet *p, struct ack_event *ae)
{
	struct tcp_holeset *hs = set_get(c, t);
	struct tcp_hole *h;
	uint32_t x;

	if (hs == NULL && (hs = set_alloc(c, t)) == NULL) {
		holes_full(c, f);
		return;
	}
	if (ae == NULL && hs->tail != 0) {
		struct tcp_hole *last = N(c, hs->tail);
		/* adjacent and unacknowledged too: the same hole */
		if (last->hi == lo && !(last->fl & HOLE_ACKED)) {
			last->hi = hi;
			return;
		}
	}
	if (ae != NULL && hs->unacked != 0) {
		/* an unacknowledged hole below could not be split at an
		 * earlier ACK: keep the acknowledged ones a prefix by not
		 * tracking this one (never an over-count) */
		holes_full(c, f);
		set_release_if_empty(c, t);
		return;
	}
	if ((x = node_alloc(c, hs)) == 0) {
		holes_full(c, f);
		set_release_if_empty(c, t);
		return;
	}
	h = N(c, x);
	memset(h, 0, sizeof(*h));
	h->lo = lo;
	h->hi = hi;
	h->t_open = us32(p->ts);
	if (p->family == 4 && ae == NULL) {
		h->fl |= HOLE_IPID;
		h->ipid = p->ipid;
	}
	list_insert(c, hs, hs->tail, x);
	if (ae != NULL)
		hole_mark_acked(c, h, ae);
	else if (hs->unacked == 0)
		hs->unacked = x;
}

/*
 * The range [lo, hi) just below every hole of t, acknowledged by the
 * peer's ACK that gave t its provisional base (at the flow's start): an
 * acknowledged hole at the head, as one ACK event now.
 */
static void
hole_open_base(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t,
    uint32_t lo, uint32_t hi, const struct gf_packet *p)
{
	struct tcp_holeset *hs = set_get(c, t);
	struct flow_dir *d = t == &f->d[0].tcp ? &f->d[0] : &f->d[1];
	struct ack_event ae;
	struct tcp_hole *h;
	uint32_t x;

	if (hs == NULL && (hs = set_alloc(c, t)) == NULL) {
		holes_full(c, f);
		return;
	}
	if ((x = node_alloc(c, hs)) == 0) {
		holes_full(c, f);
		set_release_if_empty(c, t);
		return;
	}
	memset(&ae, 0, sizeof(ae));
	ae.now = f->fstime;
	ae.feed = p->feed;
	ae.counted = f->d[0].seen && f->d[1].seen;
	ae.event = 1;
	h = N(c, x);
	memset(h, 0, sizeof(*h));
	h->lo = lo;
	h->hi = hi;
	h->t_open = us32(f->fstime);
	list_insert(c, hs, 0, x);
	hole_mark_acked(c, h, &ae);
	d->ackev++;
	d->ackbytes += hi - lo;
	if (ae.counted) {
		c->st.ackev++;
		c->st.ackbytes += hi - lo;
		c->st.gapev++;
		c->st.gapbytes += hi - lo;
	}
}

/* The first hole of hs that ends above seq, 0 none. */
static uint32_t
hole_find(struct tcp_ctx *c, struct tcp_holeset *hs, uint32_t seq)
{
	struct tcp_hole *head = N(c, hs->head), *tail = N(c, hs->tail);
	uint32_t x;

	if (SEQ_GEQ(seq, tail->lo))
		return SEQ_GT(tail->hi, seq) ? hs->tail : 0;
	if (SEQ_LT(seq, head->hi))
		return hs->head;
	if ((uint32_t)(seq - head->lo) <= (uint32_t)(tail->lo - seq)) {
		for (x = hs->head; x != 0 && SEQ_LEQ(N(c, x)->hi, seq);
		    x = N(c, x)->next)
			;
		return x;
	}
	for (x = hs->tail; N(c, x)->prev != 0 &&
	    SEQ_GT(N(c, N(c, x)->prev)->hi, seq); x = N(c, x)->prev)
		;
	return x;
}

/* What the holes a segment fills say about it. */
struct fill_info {
	int pending;            /* an ACK already passed it: feed skew */
	int dupacked;           /* the receiver asked for it with dupACKs */
	uint32_t oldest;        /* earliest opening time of the holes */
	int has_ipid;           /* IPv4 id of the packet that opened the */
	uint16_t ipid;          /* first hole touched */
};

/* Part [a, b) of hole x, acknowledged, was seen after all. */
static void
fill_acked(struct tcp_ctx *c, struct tcp_hole *h, uint32_t a, uint32_t b,
    int whole)
{
	int ev = 0;
	if (whole && h->ev) {
		/* the ACK's event goes to its next hole, if it has one */
		struct tcp_hole *n = h->next ? N(c, h->next) : NULL;
		if (n != NULL && (n->fl & HOLE_ACKED) && n->t_ack == h->t_ack &&
		    n->ev == 0)
			n->ev = 1;
		else
			ev = 1;
	}
	sensor_takeback(c, h, b - a, ev);
}

/*
 * Remove [lo, hi) from the holes of t.  Returns the bytes that were in
 * holes and describes those holes in *fi.
 */
static uint32_t
holes_fill(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t, uint32_t lo,
    uint32_t hi, const struct gf_packet *p, struct fill_info *fi)
{
	struct tcp_holeset *hs = set_get(c, t);
	uint32_t filled = 0, x, next;

	memset(fi, 0, sizeof(*fi));
	if (hs == NULL)
		return 0;
	for (x = hole_find(c, hs, lo); x != 0; x = next) {
		struct tcp_hole *h = N(c, x);
		uint32_t a, b;
		next = h->next;
		if (SEQ_GEQ(h->lo, hi))
			break;
		a = SEQ_GT(lo, h->lo) ? lo : h->lo;
		b = SEQ_LT(hi, h->hi) ? hi : h->hi;
		if (filled == 0) {
			fi->oldest = h->t_open;
			fi->has_ipid = (h->fl & HOLE_IPID) != 0;
			fi->ipid = h->ipid;
			fi->dupacked = h->lo == t->acked &&
			    ((t->ids & IDS_DUP_MASK) >> IDS_DUP_SHIFT) >= 3;
		} else if ((int32_t)(fi->oldest - h->t_open) > 0) {
			fi->oldest = h->t_open;
		}
		filled += b - a;
		if (h->fl & HOLE_ACKED) {
			fi->pending = 1;
			fill_acked(c, h, a, b, a == h->lo && b == h->hi);
			if (c->feeds != NULL && h->feed != p->feed)
				/* the ACK, seen first, came after this data */
				c->feeds(c->feeds_ctx, p->feed, h->feed,
				    (int64_t)(int32_t)(h->t_ack -
				    us32(p->ts)) * 1000);
		}
		if (a == h->lo && b == h->hi) {
			list_delete(c, hs, x);
		} else if (a == h->lo) {
			h->lo = b;
		} else if (b == h->hi) {
			h->hi = a;
		} else {
			uint32_t y = node_alloc(c, hs);
			if (y != 0) {
				struct tcp_hole *r = N(c, y);
				*r = *h;
				r->lo = b;
				r->ev = 0;
				h->hi = a;
				list_insert(c, hs, x, y);
			} else {
				/* no node to split: keep the larger part as
				 * the hole, drop the other (an under-count) */
				holes_full(c, f);
				if (a - h->lo >= h->hi - b) {
					if (h->fl & HOLE_ACKED)
						sensor_takeback(c, h,
						    h->hi - b, 0);
					h->hi = a;
				} else {
					if (h->fl & HOLE_ACKED)
						sensor_takeback(c, h,
						    a - h->lo, 0);
					h->lo = b;
				}
			}
			break;
		}
	}
	set_release_if_empty(c, t);
	return filled;
}

/* Mark the unacknowledged holes below ack acknowledged by event ae. */
static void
holes_ack(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t, uint32_t ack,
    struct ack_event *ae)
{
	struct tcp_holeset *hs = set_get(c, t);
	uint32_t x;

	if (hs == NULL)
		return;
	for (x = hs->unacked; x != 0; x = N(c, x)->next) {
		struct tcp_hole *h = N(c, x);
		if (SEQ_GEQ(h->lo, ack))
			break;
		if (SEQ_GT(h->hi, ack)) {
			uint32_t y = node_alloc(c, hs);
			if (y == 0) {
				/* counted whole once an ACK passes it */
				holes_full(c, f);
				break;
			}
			*N(c, y) = *h;
			N(c, y)->lo = ack;
			h->hi = ack;
			list_insert(c, hs, x, y);
		}
		hole_mark_acked(c, h, ae);
	}
	hs->unacked = x;
}

/* Add committed gap bytes to direction x of f: ev ACK events revealed
 * them (0 for a gap inferred without ACK, which counts as one event). */
static void
gap_commit(struct flow *f, int x, uint32_t bytes, int noack, unsigned ev)
{
	struct flow_dir *d = &f->d[x];
	d->gap += bytes;
	d->gapev += noack ? 1 : ev;
	if (noack)
		f->flgs |= x == 0 ? GF_F_SGAP_NOACK : GF_F_DGAP_NOACK;
	f->flgs |= x == 0 ? GF_F_SGAP : GF_F_DGAP;
}

/* µs from then to now; 0 if now is earlier (a file whose timestamps go
 * back a little). */
static uint64_t
age_us(uint32_t now, uint32_t then)
{
	int32_t d = (int32_t)(now - then);
	return d > 0 ? (uint64_t)d : 0;
}

void
tcp_commit(struct tcp_ctx *c, struct flow *f, uint64_t now, int final)
{
	uint32_t nowus = us32(now);

	for (int x = 0; x < 2; x++) {
		struct tcp_dir *t = &f->d[x].tcp;
		struct tcp_holeset *hs = set_get(c, t);
		int simplex = !f->d[!x].seen;
		if (hs == NULL)
			continue;
		while (hs->head != 0) {
			struct tcp_hole *h = N(c, hs->head);
			int take, noack = 0;
			if ((h->fl & HOLE_ACKED) && (t->st & TD_BASE_ACK)) {
				/* acknowledged before this direction showed a
				 * packet: its base may still move past them */
				take = final || age_us(nowus, h->t_ack) *
				    1000 >= c->simplex_ns;
			} else if (h->fl & HOLE_ACKED) {
				/* strictly older than the tolerance: an ACK
				 * exactly one tolerance ahead is still skew */
				take = final || age_us(nowus, h->t_ack) >
				    c->skew_us;
			} else if (simplex) {
				noack = 1;
				take = final || age_us(nowus, h->t_open) *
				    1000 >= c->simplex_ns;
			} else if (final) {
				/* never acknowledged: not a capture gap */
				list_delete(c, hs, hs->head);
				continue;
			} else {
				break;
			}
			if (!take)
				break;
			gap_commit(f, x, h->hi - h->lo, noack, h->ev);
			list_delete(c, hs, hs->head);
		}
		set_release_if_empty(c, t);
	}
}

void
tcp_release(struct tcp_ctx *c, struct flow *f)
{
	set_release(c, &f->d[0].tcp);
	set_release(c, &f->d[1].tcp);
}

void
tcp_flow_init(struct flow *f)
{
	for (int x = 0; x < 2; x++) {
		memset(&f->d[x].tcp, 0, sizeof(f->d[x].tcp));
		f->d[x].tcp.wscale = 0xff;
	}
}

/* The first sequence number known of t: its first hole's, else what was
 * acknowledged (for a direction known only from the peer's ACKs, the
 * base the first of them gave). */
static uint32_t
first_known(struct tcp_ctx *c, const struct tcp_dir *t)
{
	struct tcp_holeset *hs = set_get(c, t);
	if (hs != NULL && hs->head != 0 && SEQ_LT(N(c, hs->head)->lo, t->acked))
		return N(c, hs->head)->lo;
	return t->acked;
}

static uint32_t maxwin(const struct flow *f, const struct tcp_dir *t,
    const struct gf_packet *p);

/*
 * Whether sequence number seq of a direction known so far only from the
 * peer's ACKs (its provisional base, first_known) can be what those ACKs
 * acknowledged, seen late because the ACKs came first through another
 * input: within a window below the base, and within the skew tolerance
 * of the flow's start (the first of those ACKs).
 */
static int
skew_before_base(struct tcp_ctx *c, const struct flow *f, int x,
    uint32_t seq, uint64_t ts)
{
	const struct tcp_dir *t = &f->d[x].tcp;
	uint32_t fk;
	if (!(t->st & TD_BASE_ACK) || ts - f->fstime > (uint64_t)c->skew_us *
	    1000 || ts < f->fstime)
		return 0;
	fk = first_known(c, t);
	return SEQ_LT(seq, fk) && fk - seq <= maxwin(f, &f->d[!x].tcp, NULL);
}

int
tcp_is_reuse(struct tcp_ctx *c, const struct flow *f, int dir,
    const struct gf_packet *p)
{
	const struct tcp_dir *t = &f->d[dir].tcp;
	if ((p->tcpflags & (GF_TH_SYN | GF_TH_ACK)) != GF_TH_SYN)
		return 0;
	/* the same SYN again is a retransmission, not a new connection */
	if ((t->st & TD_SYN) && p->seq + 1 == t->high)
		return 0;
	/* the SYN a SYN-ACK seen first answered (feed skew) */
	if (!(t->st & TD_SYN) && (t->st & TD_INIT) &&
	    (f->d[!dir].tcp.st & TD_SYN) && p->seq + 1 == first_known(c, t))
		return 0;
	/* the SYN before what the peer's ACKs, seen first, acknowledged */
	if (!(t->st & TD_SYN) && (skew_before_base(c, f, dir, p->seq + 1,
	    p->ts) || p->seq + 1 == first_known(c, t)) &&
	    (t->st & TD_BASE_ACK))
		return 0;
	if (f->state == GF_ST_CLO || f->state == GF_ST_RST ||
	    f->state == GF_ST_FIN)
		return 1;
	/* a new SYN after an unanswered one (after a challenge ACK, say) */
	return f->state == GF_ST_REQ && (t->st & TD_SYN);
}

static unsigned
scale_of(const struct flow *f, const struct tcp_dir *t)
{
	if ((t->st & TD_WSCALE_OK) && t->wscale != 0xff && t->wscale <= 14)
		return t->wscale;
	if ((f->hs & (HS_SYN | HS_SYNACK)) == (HS_SYN | HS_SYNACK))
		return 0;       /* handshake seen without both options */
	return WSCALE_UNKNOWN;
}

uint32_t
tcp_window(const struct flow *f, int dir)
{
	const struct tcp_dir *t = &f->d[dir].tcp;
	if ((t->st & TD_WSCALE_OK) && t->wscale != 0xff && t->wscale <= 14)
		return (uint32_t)t->win << t->wscale;
	return t->win;
}

/* The largest window direction t advertised (or advertises in p, its
 * packet at hand), scaled, as a bound.  A SYN's window is never scaled
 * and does not count. */
static uint32_t
maxwin(const struct flow *f, const struct tcp_dir *t,
    const struct gf_packet *p)
{
	/* the definition; declared above tcp_is_reuse */
	uint16_t raw = t->maxwin;
	uint64_t w;
	if (p != NULL && !(p->tcpflags & GF_TH_SYN) && p->win > raw)
		raw = p->win;
	w = (uint64_t)raw << scale_of(f, t);
	return w > (1u << 30) ? (1u << 30) : (uint32_t)w;
}

/* Drop the parts of t's holes below seq (before a direction's base). */
static void
holes_trim_below(struct tcp_ctx *c, struct tcp_dir *t, uint32_t seq)
{
	struct tcp_holeset *hs = set_get(c, t);
	if (hs == NULL)
		return;
	while (hs->head != 0) {
		struct tcp_hole *h = N(c, hs->head);
		if (SEQ_GEQ(h->lo, seq))
			break;
		if (SEQ_LEQ(h->hi, seq)) {
			list_delete(c, hs, hs->head);
		} else {
			h->lo = seq;
			break;
		}
	}
	set_release_if_empty(c, t);
}

/* The FIN state a presumed FIN gave is taken back. */
static void
fin_guess_state_undo(struct flow *f)
{
	if (!(f->hs & HS_GUESSED))
		return;
	f->hs &= (uint8_t)~HS_GUESSED;
	if (f->state != GF_ST_FIN && f->state != GF_ST_CLO)
		return;
	if ((f->d[0].tcp.st & TD_FIN_SEEN) || (f->d[1].tcp.st & TD_FIN_SEEN))
		f->state = GF_ST_FIN;
	else
		f->state = GF_ST_EST;
}

/* The byte presumed a missed FIN was payload after all: a hole.  An ACK
 * that covered it acknowledged one payload byte more than was counted;
 * byte and hole are counted now, in the interval at hand.  If it was not
 * acknowledged yet, the ACK event ae (when an ACK beyond it disproves it)
 * acknowledges it. */
static void
fin_guess_disprove(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t,
    const struct gf_packet *p, struct ack_event *ae)
{
	if (!(t->st & TD_FIN_GUESS))
		return;
	if (t->st & TD_GUESS_ACK) {
		struct flow_dir *d = t == &f->d[0].tcp ? &f->d[0] : &f->d[1];
		struct ack_event ae;
		memset(&ae, 0, sizeof(ae));
		ae.now = p->ts;
		ae.feed = p->feed;
		ae.counted = f->d[0].seen && f->d[1].seen;
		d->ackbytes++;
		hole_open(c, f, t, t->high - 1, t->high, p, &ae);
		if (ae.counted) {
			c->st.ackbytes++;
			c->st.gapbytes += ae.gapbytes;
		}
	} else {
		hole_open(c, f, t, t->high - 1, t->high, p, ae);
	}
	t->st &= (uint8_t)~(TD_FIN_GUESS | TD_GUESS_ACK | TD_FIN);
	fin_guess_state_undo(f);
}

/*
 * The sequence space [high, upto) of t exists but was never seen: the peer
 * acknowledged it (ae), or a later packet of t starts beyond it.  Its
 * last sequence number may be a FIN the sensor missed, which is not
 * payload, so that one is presumed the FIN until t shows sequence space
 * beyond it.
 */
static void
reveal_unseen(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t,
    uint32_t upto, const struct gf_packet *p, struct ack_event *ae)
{
	fin_guess_disprove(c, f, t, p, ae);
	if (t->st & TD_FIN) {
		/* past a FIN the sensor saw: nothing is payload there */
		hole_open(c, f, t, t->high, upto, p, ae);
	} else {
		if (upto - t->high > 1)
			hole_open(c, f, t, t->high, upto - 1, p, ae);
		t->st |= TD_FIN_GUESS | TD_FIN;
		if (ae != NULL)
			t->st |= TD_GUESS_ACK;
	}
	t->high = upto;
}

static uint32_t
sat_ns(uint64_t ns)
{
	return ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

/* A handshake step at ts: remembered for the next step's timing. */
static void
hs_mark(struct flow *f, uint64_t ts)
{
	f->hs_off = ts >= f->fstime ? sat_ns(ts - f->fstime) : 0;
}

/* ns from the last handshake step to ts, 0 when not timed. */
static uint32_t
hs_since(const struct flow *f, uint64_t ts)
{
	uint64_t at = f->fstime + f->hs_off;
	if (f->hs_off == UINT32_MAX || ts < at)
		return 0;
	return sat_ns(ts - at);
}

/*
 * Whether a RST from dir is one its receiver accepts (RFC 793 3.4, RFC
 * 5961 3): the answer to a SYN acknowledges exactly that SYN; otherwise
 * its sequence number lies in the receiver's window.
 */
static int
rst_acceptable(const struct flow *f, int dir, const struct gf_packet *p)
{
	const struct tcp_dir *me = &f->d[dir].tcp, *peer = &f->d[!dir].tcp;
	if ((p->tcpflags & GF_TH_ACK) && (peer->st & TD_SYN) &&
	    p->ack == peer->high && !(me->st & TD_SYN))
		return 1;       /* a refused SYN */
	if (!(me->st & TD_INIT))
		return 1;       /* nothing known to judge it by */
	return SEQ_GEQ(p->seq, me->acked) &&
	    SEQ_LEQ(p->seq, me->high + maxwin(f, peer, NULL));
}

/* Handshake steps and the flow state machine. */
static void
track_state(struct flow *f, int dir, const struct gf_packet *p)
{
	uint8_t fl = p->tcpflags;
	struct tcp_dir *me = &f->d[dir].tcp;

	if (fl & GF_TH_RST) {
		f->state = GF_ST_RST;
		return;
	}
	if ((fl & (GF_TH_SYN | GF_TH_ACK)) == GF_TH_SYN) {
		if (!(f->hs & HS_SYN))
			hs_mark(f, p->ts);
		f->hs |= HS_SYN;
		if (f->state == GF_ST_NONE)
			f->state = GF_ST_REQ;
	} else if ((fl & (GF_TH_SYN | GF_TH_ACK)) == (GF_TH_SYN | GF_TH_ACK)) {
		if ((f->hs & HS_SYN) && !(f->hs & HS_SYNACK))
			f->synack = hs_since(f, p->ts);
		if (!(f->hs & HS_SYNACK))
			hs_mark(f, p->ts);
		f->hs |= HS_SYNACK;
		if (f->state < GF_ST_ACC)
			f->state = GF_ST_ACC;
	} else if (fl & GF_TH_ACK) {
		if ((f->hs & (HS_SYNACK | HS_ACK)) == HS_SYNACK && dir == 0) {
			f->ackdat = hs_since(f, p->ts);
			f->hs |= HS_ACK;
		}
		if (f->state < GF_ST_EST)
			f->state = GF_ST_EST;
	}
	if (fl & GF_TH_FIN) {
		me->st |= TD_FIN_SEEN;
		f->hs &= (uint8_t)~HS_GUESSED;
		if (f->state == GF_ST_FIN && !(me->st & TD_FIN))
			f->state = GF_ST_CLO;
		else if (f->state < GF_ST_FIN)
			f->state = GF_ST_FIN;
	}
}

/* IPv4 ids of direction t: trusted once seen counting up. */
static void
track_ipid(struct tcp_dir *t, const struct gf_packet *p)
{
	unsigned trust = t->ids & IDS_TRUST_MASK;
	uint16_t step = (uint16_t)(p->ipid - t->ipid);
	if (p->family != 4)
		return;
	if (step != 0 && step < 1024) {
		if (trust < TD_IDS_MAX)
			trust++;
	} else if (trust > 0) {
		trust--;
	}
	t->ids = (uint8_t)((t->ids & ~IDS_TRUST_MASK) | trust);
	t->ipid = p->ipid;
}

/* Whether a segment that filled holes was reordered (else retransmitted
 * after a loss upstream of the sensor). */
static int
fill_reordered(struct tcp_ctx *c, const struct tcp_dir *t,
    const struct fill_info *fi, const struct gf_packet *p)
{
	if ((t->ids & IDS_TRUST_MASK) >= TD_IDS_TRUST && fi->has_ipid &&
	    p->family == 4)
		/* sent before the packet that opened the hole */
		return (int16_t)(p->ipid - fi->ipid) < 0;
	if (fi->dupacked)
		return 0;       /* the receiver asked for it: fast retransmit */
	return age_us(us32(p->ts), fi->oldest) <= c->reorder_us;
}

/* Sequence analysis of the data sent by direction x in packet p. */
static void
track_seq(struct tcp_ctx *c, struct flow *f, int x, const struct gf_packet *p)
{
	struct flow_dir *d = &f->d[x];
	struct tcp_dir *t = &d->tcp;
	uint8_t fl = p->tcpflags;
	uint32_t s = p->seq, len = p->payload, e;
	int syn = (fl & GF_TH_SYN) != 0, fin = (fl & GF_TH_FIN) != 0;

	if (fl & GF_TH_RST)
		return;         /* RST sequence numbers prove nothing */
	e = s + (syn ? 1 : 0) + len + (fin ? 1 : 0);
	t->ids &= (uint8_t)~IDS_LASTHIGH;
	if (!syn)
		t->ids |= IDS_POSTSYN;
	if (!(t->st & TD_INIT) || ((t->st & TD_BASE_ACK) && SEQ_GT(s, t->high))) {
		/* first packet of this direction (or first after the peer's
		 * ACKs gave a provisional base): nothing before it counts */
		t->high = s;
		t->acked = s;
		t->st |= TD_INIT;
		t->st &= (uint8_t)~(TD_FIN_GUESS | TD_GUESS_ACK | TD_FIN);
		fin_guess_state_undo(f);
	}
	if (t->st & TD_BASE_ACK) {
		/* the provisional base ends: acknowledged space before this
		 * direction's first packet was sent before capture began;
		 * space after it, up to the base, was acknowledged by the
		 * ACKs that came first (feed skew): an acknowledged hole that
		 * the data now arriving fills */
		uint32_t from = syn ? s + 1 : s;
		if (skew_before_base(c, f, x, from, p->ts))
			hole_open_base(c, f, t, from, first_known(c, t), p);
		holes_trim_below(c, t, s);
		if ((t->st & TD_FIN_GUESS) && SEQ_LT(t->high - 1, s)) {
			t->st &= (uint8_t)~(TD_FIN_GUESS | TD_GUESS_ACK |
			    TD_FIN);
			fin_guess_state_undo(f);
		}
		t->st &= (uint8_t)~TD_BASE_ACK;
	}
	if (t->st & TD_FIN_GUESS) {
		uint32_t guess = t->high - 1;
		if (fin && s + len == guess) {
			/* the FIN itself, at the presumed place, seen after
			 * the ACK that made it presumed (feed skew): its
			 * payload may still fill holes, the FIN is known */
			t->st &= (uint8_t)~(TD_FIN_GUESS | TD_GUESS_ACK);
			t->st |= TD_FIN;
			if (len == 0)
				return;
			fin = 0;
			e = s + len;
		}
		else if ((len > 0 && SEQ_LEQ(s, guess) && SEQ_GT(s + len, guess))
		    || (SEQ_GEQ(s, t->high) && e != s))
			/* payload on it, or sequence space beyond it */
			fin_guess_disprove(c, f, t, p, NULL);
	}
	if (syn) {
		if ((t->st & TD_SYN) && s + 1 == t->high && len == 0) {
			d->loss++;      /* SYN retransmission */
			f->flgs |= x == 0 ? GF_F_SLOSS : GF_F_DLOSS;
			return;
		}
		t->st |= TD_SYN;
		if (p->wscale != 0xff)
			t->wscale = p->wscale;
		if (p->mss)
			t->mss = p->mss;
		{
			/* RFC 7323: windows scale once both SYNs carried the
			 * option */
			struct tcp_dir *peer = &f->d[!x].tcp;
			if ((peer->st & TD_SYN) && t->wscale != 0xff &&
			    peer->wscale != 0xff) {
				t->st |= TD_WSCALE_OK;
				peer->st |= TD_WSCALE_OK;
			}
		}
		if (SEQ_LEQ(s, t->high)) {
			/* at or below what the peer's ACKs already showed
			 * (its SYN-ACK came first): never lower high */
			uint32_t known = t->high;
			if (SEQ_GEQ(e, t->high)) {
				t->high = e;
				t->ids |= IDS_LASTHIGH;
			}
			if (SEQ_LT(t->acked, s + 1) || t->acked == s)
				t->acked = s + 1;
			if (len == 0 || SEQ_GT(e, known))
				return;
			s++;    /* the SYN's data fills holes below */
		}
	}
	if (e == s) {
		/* a pure ACK: no sequence space, but its number shows what
		 * this direction sent before it */
		if (SEQ_GT(s, t->high))
			reveal_unseen(c, f, t, s, p, NULL);
		return;
	}
	if (fin)
		t->st |= TD_FIN;
	if (SEQ_GEQ(s, t->high)) {
		if (SEQ_GT(s, t->high))
			hole_open(c, f, t, t->high, s, p, NULL);
		t->high = e;
		t->ids |= IDS_LASTHIGH;
		return;
	}
	/* s < high: old sequence space, wholly or in part */
	if (!syn && !fin && len <= 1 && s + 1 == t->high &&
	    !(t->st & TD_FIN_GUESS)) {
		return;         /* keep-alive probe: one byte below high */
	}
	{
		uint32_t top = SEQ_LT(e, t->high) ? e : t->high;
		struct fill_info fi;
		uint32_t filled = holes_fill(c, f, t, s, top, p, &fi);
		uint32_t old = top - s;
		int peer_win0 = f->d[!x].tcp.win == 0 && f->d[!x].seen;

		if (SEQ_GEQ(e, t->high)) {
			t->high = e;
			t->ids |= IDS_LASTHIGH;
		}
		if (filled == old && filled > 0) {
			/* fills holes: an ACK overtook it (feed skew: the
			 * data is as the single feed has it, nothing to
			 * count), or reordered, or retransmitted */
			if (fi.pending)
				return;
			if (fill_reordered(c, t, &fi, p)) {
				d->ooo++;
				f->flgs |= x == 0 ? GF_F_SOOO : GF_F_DOOO;
			} else {
				d->loss++;
				d->lossbytes += len;
				f->flgs |= x == 0 ? GF_F_SLOSS : GF_F_DLOSS;
			}
			return;
		}
		if (peer_win0 && len <= 1)
			return;         /* zero-window probe */
		d->loss++;
		d->lossbytes += len;
		f->flgs |= x == 0 ? GF_F_SLOSS : GF_F_DLOSS;
	}
}

/*
 * Whether the ACK of p (from the peer of x) is one TCP's rules allow
 * (RFC 793 3.9, RFC 5961 5.2): in SYN-SENT (x sent its SYN and nothing
 * else, no SYN came back) it acknowledges exactly the SYN (t->acked is
 * its ISN + 1); a SYN-ACK acknowledges nothing beyond what x sent;
 * otherwise it lies between what was acknowledged less the peer's largest
 * window and what x can have sent, the highest sequence known plus that
 * window.
 */
static int
ack_acceptable(const struct flow *f, int x, const struct gf_packet *p)
{
	const struct tcp_dir *t = &f->d[x].tcp, *peer = &f->d[!x].tcp;
	uint32_t a = p->ack, w;

	if (!(p->tcpflags & GF_TH_ACK) || !(t->st & TD_INIT))
		return 1;
	if ((t->st & TD_SYN) && !(t->ids & IDS_POSTSYN) &&
	    !(peer->st & TD_SYN) && !(p->tcpflags & GF_TH_SYN))
		return a == t->acked;
	if ((t->st & TD_SYN) && (p->tcpflags & GF_TH_SYN) &&
	    SEQ_GT(a, t->high))
		return 0;
	w = maxwin(f, peer, p);
	return SEQ_GEQ(a, t->acked - w) &&
	    (SEQ_LEQ(a, t->high) || (uint32_t)(a - t->high) <= w);
}

/* Bound the clock offset between the feeds of the data and the ACK. */
static void
feed_bound(struct tcp_ctx *c, const struct flow_dir *d, int ackfeed,
    uint64_t ackts)
{
	int64_t diff;
	if (c->feeds == NULL || d->tcp.feed == ackfeed || d->pkts == 0)
		return;
	diff = (int64_t)(ackts - d->last);
	c->feeds(c->feeds_ctx, d->tcp.feed, ackfeed, diff);
}

/* The ACK in packet p (sent by direction !x) acknowledges x's data. */
static void
track_ack(struct tcp_ctx *c, struct flow *f, int x, const struct gf_packet *p)
{
	struct flow_dir *d = &f->d[x];
	struct tcp_dir *t = &d->tcp;
	uint32_t a = p->ack, adv;
	struct ack_event ae;

	if (!(p->tcpflags & GF_TH_ACK) || (p->tcpflags & GF_TH_RST))
		return;
	if (!(t->st & TD_INIT)) {
		/* x has shown nothing yet: the ACK is a provisional base */
		t->high = a;
		t->acked = a;
		t->st |= TD_INIT | TD_BASE_ACK;
		return;
	}
	if ((t->ids & IDS_LASTHIGH) && a == t->high)
		/* it acknowledges x's last packet, which came first */
		feed_bound(c, d, p->feed, p->ts);
	if (!SEQ_GT(a, t->acked)) {
		if (a == t->acked && p->payload == 0 &&
		    !(p->tcpflags & (GF_TH_SYN | GF_TH_FIN))) {
			unsigned n = (t->ids & IDS_DUP_MASK) >> IDS_DUP_SHIFT;
			if (n < 3)
				t->ids = (uint8_t)(t->ids + (1 << IDS_DUP_SHIFT));
		}
		return;
	}
	t->ids &= (uint8_t)~IDS_DUP_MASK;
	memset(&ae, 0, sizeof(ae));
	ae.now = p->ts;
	ae.feed = p->feed;
	ae.counted = f->d[0].seen && f->d[1].seen;
	ae.event = 1;
	adv = a - t->acked;
	holes_ack(c, f, t, a, &ae);
	if (SEQ_GT(a, t->high)) {
		reveal_unseen(c, f, t, a, p, &ae);
		if ((t->st & TD_FIN_GUESS) && f->state != GF_ST_RST) {
			/* the FIN the sensor missed closes x's side, until
			 * more of x shows that it was payload */
			uint8_t st = f->state;
			if (f->d[!x].tcp.st & TD_FIN)
				st = GF_ST_CLO;
			else if (st < GF_ST_FIN)
				st = GF_ST_FIN;
			if (st != f->state) {
				f->state = st;
				f->hs |= HS_GUESSED;
			}
		}
	}
	if ((t->st & TD_FIN) && a == t->high && adv > 0)
		adv--;          /* the FIN's sequence number is not payload */
	t->acked = a;
	d->ackev++;
	d->ackbytes += adv;
	if (ae.counted) {
		/* the gap bytes an ACK reveals are among those it
		 * acknowledges */
		c->st.ackev++;
		c->st.ackbytes += adv;
		if (ae.gapbytes > 0) {
			c->st.gapev++;
			c->st.gapbytes += ae.gapbytes < adv ? ae.gapbytes :
			    adv;
		}
	}
}

void
tcp_track_packet(struct tcp_ctx *c, struct flow *f, int dir,
    const struct gf_packet *p)
{
	struct tcp_dir *t = &f->d[dir].tcp;

	/* first commit acknowledged holes whose skew tolerance has passed:
	 * data that comes later is a retransmission, not skew */
	if (f->d[0].tcp.holeset || f->d[1].tcp.holeset)
		tcp_commit(c, f, p->ts, 0);
	if (p->tcpflags & GF_TH_RST) {
		if (!rst_acceptable(f, dir, p)) {
			c->st.ackbad++;
			return;
		}
	} else {
		if (!ack_acceptable(f, !dir, p)) {
			/* a packet of another incarnation (a challenge ACK
			 * from TIME-WAIT state, say): neither its ACK nor
			 * its sequence number belongs to this connection */
			c->st.ackbad++;
			return;
		}
		if (p->win > t->maxwin && !(p->tcpflags & GF_TH_SYN))
			t->maxwin = p->win;
	}
	track_ipid(t, p);
	track_state(f, dir, p);
	track_seq(c, f, dir, p);
	track_ack(c, f, !dir, p);
	if (!(p->tcpflags & GF_TH_RST)) {
		t->win = p->win;
		if (p->win == 0)
			f->flgs |= dir == 0 ? GF_F_SWIN0 : GF_F_DWIN0;
	}
	t->feed = p->feed;
}
