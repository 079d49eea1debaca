/*
 * reasm.c - outer datagram reassembly for tunnels (see reasm.h).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "reasm.h"

struct range {
	uint32_t lo, hi;        /* fragmentable bytes [lo, hi) seen */
};

struct slot {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t family, proto, used, nr;
	int dlt;
	uint64_t ts;            /* first fragment's time */
	uint32_t total;         /* fragmentable length, 0 until the last */
	uint32_t hdr;           /* IP header bytes before the fragmentable part */
	uint32_t kept;          /* frame bytes kept */
	uint32_t wire;          /* wire bytes of the fragments held */
	uint32_t nfrags;
	struct range r[REASM_RANGES];
	uint8_t frame[REASM_KEEP];
};

struct reasm {
	struct slot *s;
	uint32_t n;
	uint64_t timeout;
};

struct reasm *
reasm_new(uint32_t slots, uint64_t timeout_ns, int *oom)
{
	struct reasm *r;

	*oom = 0;
	if (slots == 0)
		return NULL;
	if (slots > REASM_MAX_SLOTS)
		slots = REASM_MAX_SLOTS;
	r = calloc(1, sizeof(*r));
	if (r != NULL)
		r->s = calloc(slots, sizeof(*r->s));
	if (r == NULL || r->s == NULL) {
		free(r);
		*oom = 1;
		return NULL;
	}
	r->n = slots;
	r->timeout = timeout_ns;
	return r;
}

void
reasm_free(struct reasm *r)
{
	if (r == NULL)
		return;
	free(r->s);
	free(r);
}

static size_t
alen(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

static int
same(const struct slot *s, const struct gf_packet *p)
{
	return s->used && s->id == p->frag_id && s->family == p->family &&
	    s->proto == p->proto &&
	    memcmp(s->src, p->src, alen(p->family)) == 0 &&
	    memcmp(s->dst, p->dst, alen(p->family)) == 0;
}

static void
drop(struct slot *s, struct gf_sensor *st)
{
	st->reasm_lost += s->nfrags;
	s->used = 0;
}

/*
 * Add [lo, hi) to the slot's ranges, merging what touches.  -1 when the
 * datagram cannot be completed any more: too many pieces.
 */
static int
add_range(struct slot *s, uint32_t lo, uint32_t hi)
{
	unsigned i, j;

	if (lo == hi)
		return 0;
	for (i = 0; i < s->nr; i++) {
		if (hi < s->r[i].lo)
			break;
		if (lo > s->r[i].hi)
			continue;
		/* overlaps or touches r[i]: absorb it and those after */
		if (s->r[i].lo < lo)
			lo = s->r[i].lo;
		for (j = i; j < s->nr && s->r[j].lo <= hi; j++)
			if (s->r[j].hi > hi)
				hi = s->r[j].hi;
		memmove(&s->r[i + 1], &s->r[j], (s->nr - j) * sizeof(s->r[0]));
		s->nr = (uint8_t)(s->nr - (j - i) + 1);
		s->r[i].lo = lo;
		s->r[i].hi = hi;
		return 0;
	}
	if (s->nr == REASM_RANGES)
		return -1;
	memmove(&s->r[i + 1], &s->r[i], (s->nr - i) * sizeof(s->r[0]));
	s->r[i].lo = lo;
	s->r[i].hi = hi;
	s->nr++;
	return 0;
}

static struct slot *
find(struct reasm *r, const struct gf_packet *p)
{
	for (uint32_t i = 0; i < r->n; i++)
		if (same(&r->s[i], p))
			return &r->s[i];
	return NULL;
}

/* A free slot, reclaiming timed-out ones; NULL when all are busy. */
static struct slot *
free_slot(struct reasm *r, struct gf_sensor *st, uint64_t now)
{
	struct slot *got = NULL;

	for (uint32_t i = 0; i < r->n; i++) {
		struct slot *s = &r->s[i];
		if (s->used && now >= s->ts && now - s->ts > r->timeout)
			drop(s, st);
		if (!s->used && got == NULL)
			got = s;
	}
	return got;
}

enum gf_decode_rc
reasm_frame(struct reasm *r, struct gf_sensor *st, int dlt,
    const uint8_t *data, uint32_t kept, enum gf_decode_rc rc,
    struct gf_packet *p)
{
	struct slot *s;
	uint32_t hi, wire;
	uint64_t ts;

	if (r == NULL || rc != GF_DECODE_OK || !(p->reasm & GF_REASM_OUTER))
		return rc;
	s = find(r, p);
	if (s == NULL) {
		if (p->frag != GF_FRAG_FIRST || !(p->reasm & GF_REASM_TUNNEL))
			return rc;
		if ((s = free_slot(r, st, p->ts)) == NULL) {
			st->reasm_full++;
			return rc;
		}
		memset(s, 0, offsetof(struct slot, frame));
		memcpy(s->src, p->src, 16);
		memcpy(s->dst, p->dst, 16);
		s->id = p->frag_id;
		s->family = p->family;
		s->proto = p->proto;
		s->used = 1;
		s->dlt = dlt;
		s->ts = p->ts;
	}
	if (p->frag == GF_FRAG_FIRST && s->kept == 0) {
		s->kept = kept < REASM_KEEP ? kept : REASM_KEEP;
		memcpy(s->frame, data, s->kept);
		s->hdr = p->frag_hdr;
	}
	st->reasm_held++;
	s->nfrags++;
	s->wire += p->wire_len;
	hi = p->frag_off + p->frag_len;
	if (hi < p->frag_off || hi > 65535 || add_range(s, p->frag_off, hi)) {
		drop(s, st);
		return GF_DECODE_HELD;
	}
	if (!p->frag_more) {
		if (s->total != 0 && s->total != hi) {
			drop(s, st);
			return GF_DECODE_HELD;
		}
		s->total = hi;
	}
	if (s->total == 0 || s->kept == 0 || s->nr != 1 || s->r[0].lo != 0 ||
	    s->r[0].hi != s->total)
		return GF_DECODE_HELD;
	/* complete: one packet, decoded from the first fragment's frame */
	ts = p->ts;
	wire = p->wire_len;
	rc = gf_decode_reasm(s->dlt, s->frame, s->kept, s->hdr + s->total,
	    s->wire, p);
	p->ts = ts;
	p->held_bytes = s->wire - wire;
	s->used = 0;
	st->reasm_done++;
	return rc;
}

void
reasm_flush(struct reasm *r, struct gf_sensor *st)
{
	if (r == NULL)
		return;
	for (uint32_t i = 0; i < r->n; i++)
		if (r->s[i].used)
			drop(&r->s[i], st);
}
