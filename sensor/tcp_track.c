/*
 * tcp_track.c - TCP state machine and gap/loss/reorder inference (see
 * tcp_track.h for the model).
 *
 * Sequence arithmetic is modulo 2^32 (RFC 793 comparisons), so wrap needs
 * no special case.  Counters go to the flow's interval counters of the
 * direction whose data they describe.
 */
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "tcp_track.h"

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* An ACK further than this past what is known is garbage, not progress. */
#define ACK_SANE_SPAN (1u << 30)

static uint32_t
us32(uint64_t ns)
{
	return (uint32_t)(ns / 1000);
}

int
tcp_ctx_init(struct tcp_ctx *c, uint32_t nsets, uint64_t reorder_ns,
    uint64_t skew_ns, uint64_t simplex_ns)
{
	memset(c, 0, sizeof(*c));
	if (nsets == 0)
		nsets = 1;
	/* calloc: untouched pages cost no memory until holes are used */
	c->sets = calloc(nsets, sizeof(*c->sets));
	if (c->sets == NULL)
		return -1;
	c->nsets = nsets;
	c->free_head = UINT32_MAX;
	c->reorder_us = us32(reorder_ns);
	c->skew_us = us32(skew_ns);
	c->simplex_ns = simplex_ns;
	return 0;
}

void
tcp_ctx_free(struct tcp_ctx *c)
{
	free(c->sets);
	c->sets = NULL;
}

static struct tcp_holeset *
holeset_get(struct tcp_ctx *c, struct tcp_dir *t)
{
	return t->holeset ? &c->sets[t->holeset - 1] : NULL;
}

static struct tcp_holeset *
holeset_alloc(struct tcp_ctx *c, struct tcp_dir *t)
{
	uint32_t i;
	if (c->free_head != UINT32_MAX) {
		i = c->free_head;
		c->free_head = c->sets[i].next_free;
	} else if (c->fresh < c->nsets) {
		i = c->fresh++;
	} else {
		return NULL;
	}
	c->sets[i].n = 0;
	t->holeset = i + 1;
	return &c->sets[i];
}

static void
holeset_release(struct tcp_ctx *c, struct tcp_dir *t)
{
	uint32_t i;
	if (t->holeset == 0)
		return;
	i = t->holeset - 1;
	c->sets[i].next_free = c->free_head;
	c->free_head = i;
	t->holeset = 0;
}

static void
hole_delete(struct tcp_holeset *hs, int i)
{
	memmove(&hs->h[i], &hs->h[i + 1],
	    (size_t)(hs->n - i - 1) * sizeof(hs->h[0]));
	hs->n--;
}

static void
hole_insert(struct tcp_holeset *hs, int i, const struct tcp_hole *h)
{
	memmove(&hs->h[i + 1], &hs->h[i], (size_t)(hs->n - i) * sizeof(hs->h[0]));
	hs->h[i] = *h;
	hs->n++;
}

/*
 * Record a new hole [lo, hi) above every existing one.  A full list
 * absorbs it into its last hole (the bytes seen between them would then
 * count as unseen if acknowledged), and the flow is flagged.
 */
static void
hole_open(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t, uint32_t lo,
    uint32_t hi, const struct gf_packet *p, int acked, int ev)
{
	struct tcp_holeset *hs = holeset_get(c, t);
	struct tcp_hole h = { lo, hi, us32(p->ts), us32(p->ts), (uint8_t)acked,
	    (uint8_t)ev, !acked && p->family == 4, p->ipid };

	if (hs == NULL && (hs = holeset_alloc(c, t)) == NULL) {
		c->st.pool_full++;
		f->flgs |= GF_F_HOLES_FULL;
		return;
	}
	if (hs->n > 0) {
		struct tcp_hole *last = &hs->h[hs->n - 1];
		/* adjacent and of the same kind: extend */
		if (last->hi == lo && last->acked == h.acked) {
			last->hi = hi;
			if (last->ev + ev <= UINT8_MAX)
				last->ev = (uint8_t)(last->ev + ev);
			return;
		}
	}
	if (hs->n == TCP_MAX_HOLES) {
		f->flgs |= GF_F_HOLES_FULL;
		hs->h[hs->n - 1].hi = hi;
		return;
	}
	hs->h[hs->n++] = h;
}

/* Add committed gap bytes to direction x of f: ev ACK events revealed
 * them (0 for a gap inferred without ACK, which counts as one event). */
static void
gap_commit(struct tcp_ctx *c, struct flow *f, int x, uint32_t bytes,
    int noack, unsigned ev)
{
	struct flow_dir *d = &f->d[x];
	d->gap += bytes;
	d->gapev += noack ? 1 : ev;
	if (noack) {
		f->flgs |= x == 0 ? GF_F_SGAP_NOACK : GF_F_DGAP_NOACK;
	} else if (f->d[0].seen && f->d[1].seen) {
		/* the same flows as the ACK events: duplex ones */
		c->st.gapev += ev;
		c->st.gapbytes += bytes;
	}
	f->flgs |= x == 0 ? GF_F_SGAP : GF_F_DGAP;
}

/* What the holes a segment fills say about it. */
struct fill_info {
	int pending;            /* an ACK already passed it: feed skew */
	uint32_t oldest;        /* earliest opening time of the holes */
	int has_ipid;           /* IPv4 id of the packet that opened the */
	uint16_t ipid;          /* first hole touched */
};

/*
 * Remove [lo, hi) from the holes of t.  Returns the bytes that were in
 * holes and describes those holes in *fi.
 */
static uint32_t
holes_fill(struct tcp_ctx *c, struct tcp_dir *t, uint32_t lo, uint32_t hi,
    struct fill_info *fi)
{
	struct tcp_holeset *hs = holeset_get(c, t);
	uint32_t filled = 0;

	memset(fi, 0, sizeof(*fi));
	if (hs == NULL)
		return 0;
	for (int i = 0; i < hs->n; i++) {
		struct tcp_hole *h = &hs->h[i];
		uint32_t a, b;
		if (SEQ_GEQ(h->lo, hi))
			break;
		if (SEQ_LEQ(h->hi, lo))
			continue;
		a = SEQ_GT(lo, h->lo) ? lo : h->lo;
		b = SEQ_LT(hi, h->hi) ? hi : h->hi;
		if (filled == 0) {
			fi->oldest = h->t_open;
			fi->has_ipid = h->has_ipid;
			fi->ipid = h->ipid;
		} else if ((int32_t)(fi->oldest - h->t_open) > 0) {
			fi->oldest = h->t_open;
		}
		filled += b - a;
		if (h->acked)
			fi->pending = 1;
		if (a == h->lo && b == h->hi) {
			hole_delete(hs, i);
			i--;
		} else if (a == h->lo) {
			h->lo = b;
		} else if (b == h->hi) {
			h->hi = a;
		} else if (hs->n < TCP_MAX_HOLES) {
			struct tcp_hole right = *h;
			right.lo = b;
			h->hi = a;
			hole_insert(hs, i + 1, &right);
			i++;
		} else {
			/* no room to split: keep the larger part as the hole */
			if (a - h->lo >= h->hi - b)
				h->hi = a;
			else
				h->lo = b;
		}
	}
	if (hs->n == 0)
		holeset_release(c, t);
	return filled;
}

/* Mark the unacknowledged parts of holes below ack as acknowledged now.
 * Returns 1 if any was (the ACK's one gap event is given to the first). */
static int
holes_ack(struct tcp_ctx *c, struct tcp_dir *t, uint32_t ack, uint64_t now)
{
	struct tcp_holeset *hs = holeset_get(c, t);
	int event = 1;  /* one ACK is one gap event, however many holes */
	if (hs == NULL)
		return 0;
	for (int i = 0; i < hs->n; i++) {
		struct tcp_hole *h = &hs->h[i];
		if (SEQ_GEQ(h->lo, ack))
			break;
		if (h->acked)
			continue;
		if (SEQ_GT(h->hi, ack)) {
			if (hs->n < TCP_MAX_HOLES) {
				struct tcp_hole right = *h;
				right.lo = ack;
				h->hi = ack;
				hole_insert(hs, i + 1, &right);
			}
			/* else: count the whole hole once the ACK passes it */
			else
				continue;
		}
		h->acked = 1;
		h->t_ack = us32(now);
		h->ev = (uint8_t)event;
		event = 0;
	}
	return !event;
}

void
tcp_commit(struct tcp_ctx *c, struct flow *f, uint64_t now, int final)
{
	uint32_t nowus = us32(now);

	for (int x = 0; x < 2; x++) {
		struct tcp_dir *t = &f->d[x].tcp;
		struct tcp_holeset *hs = holeset_get(c, t);
		int simplex = !f->d[!x].seen;
		if (hs == NULL)
			continue;
		for (int i = 0; i < hs->n; i++) {
			struct tcp_hole *h = &hs->h[i];
			int take = 0, noack = 0;
			if (h->acked && (t->st & TD_BASE_ACK)) {
				/* acknowledged before this direction showed a
				 * packet: its base may still move past them */
				take = final || (uint64_t)(nowus - h->t_ack) *
				    1000 >= c->simplex_ns;
			} else if (h->acked) {
				take = final || nowus - h->t_ack >= c->skew_us;
			} else if (simplex) {
				noack = 1;
				take = final || (uint64_t)(nowus - h->t_open) *
				    1000 >= c->simplex_ns;
			} else if (final) {
				/* never acknowledged: not a capture gap */
				hole_delete(hs, i--);
				continue;
			}
			if (!take)
				continue;
			gap_commit(c, f, x, h->hi - h->lo, noack, h->ev);
			hole_delete(hs, i--);
		}
		if (hs->n == 0)
			holeset_release(c, t);
	}
}

void
tcp_release(struct tcp_ctx *c, struct flow *f)
{
	holeset_release(c, &f->d[0].tcp);
	holeset_release(c, &f->d[1].tcp);
}

void
tcp_flow_init(struct flow *f)
{
	for (int x = 0; x < 2; x++) {
		memset(&f->d[x].tcp, 0, sizeof(f->d[x].tcp));
		f->d[x].tcp.wscale = 0xff;
	}
}

int
tcp_is_reuse(const struct flow *f, int dir, const struct gf_packet *p)
{
	const struct tcp_dir *t = &f->d[dir].tcp;
	if ((p->tcpflags & (GF_TH_SYN | GF_TH_ACK)) != GF_TH_SYN)
		return 0;
	if (f->state != GF_ST_CLO && f->state != GF_ST_RST &&
	    f->state != GF_ST_FIN)
		return 0;
	/* the same SYN again is a retransmission, not a new connection */
	return !((t->st & TD_SYN) && p->seq + 1 == t->high);
}

uint32_t
tcp_window(const struct flow *f, int dir)
{
	const struct tcp_dir *t = &f->d[dir].tcp;
	if ((t->st & TD_WSCALE_OK) && t->wscale != 0xff && t->wscale <= 14)
		return (uint32_t)t->win << t->wscale;
	return t->win;
}

/* Drop the parts of t's holes below seq (before a direction's base). */
static void
holes_trim_below(struct tcp_ctx *c, struct tcp_dir *t, uint32_t seq)
{
	struct tcp_holeset *hs = holeset_get(c, t);
	if (hs == NULL)
		return;
	for (int i = 0; i < hs->n; i++) {
		struct tcp_hole *h = &hs->h[i];
		if (SEQ_GEQ(h->lo, seq))
			break;
		if (SEQ_LEQ(h->hi, seq))
			hole_delete(hs, i--);
		else
			h->lo = seq;
	}
	if (hs->n == 0)
		holeset_release(c, t);
}

/* The byte presumed a missed FIN was payload after all: a hole. */
static void
fin_guess_disprove(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t,
    const struct gf_packet *p)
{
	if (!(t->st & TD_FIN_GUESS))
		return;
	hole_open(c, f, t, t->high - 1, t->high, p,
	    (t->st & TD_GUESS_ACK) != 0, 0);
	if (t->st & TD_GUESS_ACK) {
		/* the ACK that covered it acknowledged one payload byte
		 * more than was counted */
		struct flow_dir *d = t == &f->d[0].tcp ? &f->d[0] : &f->d[1];
		d->ackbytes++;
		if (f->d[0].seen && f->d[1].seen)
			c->st.ackbytes++;
	}
	t->st &= (uint8_t)~(TD_FIN_GUESS | TD_GUESS_ACK | TD_FIN);
}

/*
 * The sequence space [high, upto) of t exists but was never seen: the peer
 * acknowledged it (acked), or a later packet of t starts beyond it.  Its
 * last sequence number may be a FIN the sensor missed, which is not
 * payload, so that one is presumed the FIN until t shows sequence space
 * beyond it.
 */
static void
reveal_unseen(struct tcp_ctx *c, struct flow *f, struct tcp_dir *t,
    uint32_t upto, const struct gf_packet *p, int acked, int ev)
{
	fin_guess_disprove(c, f, t, p);
	if (t->st & TD_FIN) {
		/* past a FIN the sensor saw: nothing is payload there */
		hole_open(c, f, t, t->high, upto, p, acked, ev);
	} else {
		if (upto - t->high > 1)
			hole_open(c, f, t, t->high, upto - 1, p, acked, ev);
		t->st |= TD_FIN_GUESS | TD_FIN;
		if (acked)
			t->st |= TD_GUESS_ACK;
	}
	t->high = upto;
}

static uint32_t
sat_ns(uint64_t ns)
{
	return ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

/* Handshake steps and the flow state machine. */
static void
track_state(struct flow *f, int dir, const struct gf_packet *p)
{
	uint8_t fl = p->tcpflags;
	struct tcp_dir *me = &f->d[dir].tcp, *peer = &f->d[!dir].tcp;

	if (fl & GF_TH_RST) {
		f->state = GF_ST_RST;
		return;
	}
	if ((fl & (GF_TH_SYN | GF_TH_ACK)) == GF_TH_SYN) {
		if (!(f->hs & HS_SYN))
			f->hs_time = p->ts;
		f->hs |= HS_SYN;
		if (f->state == GF_ST_NONE)
			f->state = GF_ST_REQ;
	} else if ((fl & (GF_TH_SYN | GF_TH_ACK)) == (GF_TH_SYN | GF_TH_ACK)) {
		if ((f->hs & HS_SYN) && !(f->hs & HS_SYNACK) &&
		    p->ts >= f->hs_time)
			f->synack = sat_ns(p->ts - f->hs_time);
		if (!(f->hs & HS_SYNACK))
			f->hs_time = p->ts;
		f->hs |= HS_SYNACK;
		if (f->state < GF_ST_ACC)
			f->state = GF_ST_ACC;
		if ((me->st & TD_SYN) && (peer->st & TD_SYN) &&
		    me->wscale != 0xff && peer->wscale != 0xff) {
			me->st |= TD_WSCALE_OK;
			peer->st |= TD_WSCALE_OK;
		}
	} else if (fl & GF_TH_ACK) {
		if ((f->hs & (HS_SYNACK | HS_ACK)) == HS_SYNACK && dir == 0) {
			if (p->ts >= f->hs_time)
				f->ackdat = sat_ns(p->ts - f->hs_time);
			f->hs |= HS_ACK;
		}
		if (f->state < GF_ST_EST)
			f->state = GF_ST_EST;
	}
	if (fl & GF_TH_FIN) {
		if (f->state == GF_ST_FIN && !(me->st & TD_FIN))
			f->state = GF_ST_CLO;
		else if (f->state < GF_ST_FIN)
			f->state = GF_ST_FIN;
	}
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
	if (!(t->st & TD_INIT) || ((t->st & TD_BASE_ACK) && SEQ_GT(s, t->high))) {
		/* first packet of this direction (or first after the peer's
		 * ACKs gave a provisional base): nothing before it counts */
		t->high = s;
		t->acked = s;
		t->st |= TD_INIT;
		t->st &= (uint8_t)~(TD_FIN_GUESS | TD_GUESS_ACK | TD_FIN);
	}
	if (t->st & TD_BASE_ACK) {
		/* the provisional base ends: acknowledged space before this
		 * direction's first packet was sent before capture began */
		holes_trim_below(c, t, s);
		if ((t->st & TD_FIN_GUESS) && SEQ_LT(t->high - 1, s))
			t->st &= (uint8_t)~(TD_FIN_GUESS | TD_GUESS_ACK |
			    TD_FIN);
		t->st &= (uint8_t)~TD_BASE_ACK;
	}
	if (t->st & TD_FIN_GUESS) {
		uint32_t guess = t->high - 1;
		if (fin && s + len == guess)
			/* the FIN itself, at the presumed place */
			t->st &= (uint8_t)~(TD_FIN_GUESS | TD_GUESS_ACK);
		else if ((len > 0 && SEQ_LEQ(s, guess) && SEQ_GT(s + len, guess))
		    || (SEQ_GEQ(s, t->high) && e != s))
			/* payload on it, or sequence space beyond it */
			fin_guess_disprove(c, f, t, p);
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
		if (SEQ_LEQ(s, t->high)) {
			t->high = e;
			if (SEQ_LT(t->acked, s + 1) || t->acked == s)
				t->acked = s + 1;
			return;
		}
	}
	if (e == s) {
		/* a pure ACK: no sequence space, but its number shows what
		 * this direction sent before it */
		if (SEQ_GT(s, t->high))
			reveal_unseen(c, f, t, s, p, 0, 0);
		return;
	}
	if (fin)
		t->st |= TD_FIN;
	if (SEQ_GEQ(s, t->high)) {
		if (SEQ_GT(s, t->high))
			hole_open(c, f, t, t->high, s, p, 0, 0);
		t->high = e;
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
		uint32_t filled = holes_fill(c, t, s, top, &fi);
		uint32_t old = top - s;
		int peer_win0 = f->d[!x].tcp.win == 0 && f->d[!x].seen;

		if (SEQ_GT(e, t->high))
			t->high = e;
		if (filled == old && filled > 0) {
			/* fills a hole: reordering if an ACK overtook it, or
			 * if it was sent before the packet that opened the
			 * hole (IPv4 ids count up per sender), or, without
			 * ids, if it came soon; else a retransmission of
			 * data lost upstream of the sensor */
			int reordered;
			if (fi.pending)
				reordered = 1;
			else if (fi.has_ipid && p->family == 4 &&
			    (p->ipid != 0 || fi.ipid != 0))
				reordered = (int16_t)(p->ipid - fi.ipid) < 0;
			else
				reordered = us32(p->ts) - fi.oldest <=
				    c->reorder_us;
			if (reordered) {
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

/* The ACK in packet p (sent by direction !x) acknowledges x's data. */
static void
track_ack(struct tcp_ctx *c, struct flow *f, int x, const struct gf_packet *p)
{
	struct flow_dir *d = &f->d[x];
	struct tcp_dir *t = &d->tcp;
	uint32_t a = p->ack, adv;
	int duplex, revealed;

	if (!(p->tcpflags & GF_TH_ACK) || (p->tcpflags & GF_TH_RST))
		return;
	if (!(t->st & TD_INIT)) {
		/* x has shown nothing yet: the ACK is a provisional base */
		t->high = a;
		t->acked = a;
		t->st |= TD_INIT | TD_BASE_ACK;
		return;
	}
	if (!SEQ_GT(a, t->acked))
		return;
	if ((uint32_t)(a - t->high) < ACK_SANE_SPAN || SEQ_LEQ(a, t->high)) {
		/* plausible: at most ACK_SANE_SPAN beyond what exists */
	} else {
		return;
	}
	adv = a - t->acked;
	revealed = holes_ack(c, t, a, p->ts);
	if (SEQ_GT(a, t->high)) {
		reveal_unseen(c, f, t, a, p, 1, !revealed);
		if ((t->st & TD_FIN_GUESS) && f->state != GF_ST_RST) {
			/* the FIN the sensor missed closes x's side */
			if (f->d[!x].tcp.st & TD_FIN)
				f->state = GF_ST_CLO;
			else if (f->state < GF_ST_FIN)
				f->state = GF_ST_FIN;
		}
	}
	if ((t->st & TD_FIN) && a == t->high && adv > 0)
		adv--;          /* the FIN's sequence number is not payload */
	t->acked = a;
	d->ackev++;
	d->ackbytes += adv;
	duplex = f->d[0].seen && f->d[1].seen;
	if (duplex) {
		c->st.ackev++;
		c->st.ackbytes += adv;
	}
}

void
tcp_track_packet(struct tcp_ctx *c, struct flow *f, int dir,
    const struct gf_packet *p)
{
	struct tcp_dir *t = &f->d[dir].tcp;

	track_state(f, dir, p);
	track_seq(c, f, dir, p);
	track_ack(c, f, !dir, p);
	if (!(p->tcpflags & GF_TH_RST)) {
		t->win = p->win;
		if (p->win == 0)
			f->flgs |= dir == 0 ? GF_F_SWIN0 : GF_F_DWIN0;
	}
	/* commit acknowledged holes whose skew tolerance has passed */
	if (f->d[0].tcp.holeset || f->d[1].tcp.holeset)
		tcp_commit(c, f, p->ts, 0);
}
