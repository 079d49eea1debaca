/*
 * aggtab.c - the aggregate table (see aggtab.h).
 */
#include <stdlib.h>
#include <string.h>

#include "aggtab.h"
#include "gapflow.h"
#include "log.h"
#include "siphash.h"

#define CHUNK_SHIFT 12                  /* 4096 entries per chunk */
#define CHUNK_LEN   (1u << CHUNK_SHIFT)
#define MIN_SLOTS   1024u
#define MAX_ENTRIES (AGG_NONE - 1)

/* A slot: entry index + 1 (0 empty), and the hash's top bits to skip
 * most key compares without touching the entry. */
struct slot {
	uint32_t idx1;
	uint32_t tag;
};

struct aggtab {
	struct gf_sipkey sip;
	size_t keylen;
	size_t keyoff;                  /* the key's offset in an entry */
	size_t stride;                  /* bytes per entry, aligned */
	struct slot *slots;
	size_t mask;                    /* nslots - 1 */
	unsigned char **chunks;
	size_t nchunks;
	uint32_t nentries;              /* entries ever carved from chunks */
	uint32_t freelist;              /* removed entries, via 'next' */
	size_t live;
};

struct aggtab *
aggtab_new(size_t keylen, size_t recsize)
{
	struct aggtab *t;

	if (keylen == 0 || keylen > AGGTAB_MAX_KEY || recsize == 0 ||
	    recsize > sizeof(struct gf_record))
		return NULL;
	t = gf_xcalloc(1, sizeof(*t));
	gf_sipkey_random(&t->sip);
	t->keylen = keylen;
	t->keyoff = offsetof(struct agg_entry, rec) + recsize;
	t->stride = (t->keyoff + keylen + 7) & ~(size_t)7;
	t->slots = gf_xcalloc(MIN_SLOTS, sizeof(*t->slots));
	t->mask = MIN_SLOTS - 1;
	t->freelist = AGG_NONE;
	return t;
}

void
aggtab_free(struct aggtab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->slots);
	free(t);
}

void
agg_group_init(struct agg_group *g)
{
	g->head = g->tail = AGG_NONE;
	g->count = 0;
}

struct agg_entry *
aggtab_at(const struct aggtab *t, uint32_t idx)
{
	return (struct agg_entry *)(t->chunks[idx >> CHUNK_SHIFT] +
	    (size_t)(idx & (CHUNK_LEN - 1)) * t->stride);
}

size_t
aggtab_count(const struct aggtab *t)
{
	return t->live;
}

static unsigned char *
key_of(const struct aggtab *t, struct agg_entry *e)
{
	return (unsigned char *)e + t->keyoff;
}

static uint32_t
tag_of(uint64_t h)
{
	return (uint32_t)(h >> 32);
}

static void
grow(struct aggtab *t)
{
	size_t n = (t->mask + 1) * 2;
	struct slot *old = t->slots;
	size_t oldn = t->mask + 1;

	t->slots = gf_xcalloc(n, sizeof(*t->slots));
	t->mask = n - 1;
	for (size_t i = 0; i < oldn; i++) {
		size_t j;
		if (old[i].idx1 == 0)
			continue;
		j = aggtab_at(t, old[i].idx1 - 1)->hash & t->mask;
		while (t->slots[j].idx1 != 0)
			j = (j + 1) & t->mask;
		t->slots[j] = old[i];
	}
	free(old);
}

static struct agg_entry *
entry_alloc(struct aggtab *t)
{
	uint32_t idx;
	struct agg_entry *e;

	if (t->freelist != AGG_NONE) {
		idx = t->freelist;
		e = aggtab_at(t, idx);
		t->freelist = e->next;
		return e;
	}
	if (t->nentries == MAX_ENTRIES)
		gf_fatal(GF_EXIT_ERROR, "aggregation: more than %u aggregates",
		    MAX_ENTRIES);
	idx = t->nentries;
	if ((idx >> CHUNK_SHIFT) >= t->nchunks) {
		t->chunks = gf_xrealloc(t->chunks,
		    (t->nchunks + 1) * sizeof(*t->chunks));
		t->chunks[t->nchunks++] = gf_xmalloc(CHUNK_LEN * t->stride);
	}
	t->nentries++;
	e = aggtab_at(t, idx);
	e->self = idx;
	return e;
}

struct agg_entry *
aggtab_get(struct aggtab *t, const void *key, struct agg_group *g,
    int *created)
{
	uint64_t h = gf_siphash(&t->sip, key, t->keylen);
	uint32_t tag = tag_of(h);
	size_t j = h & t->mask;
	struct agg_entry *e;

	for (;;) {
		struct slot *s = &t->slots[j];
		if (s->idx1 == 0)
			break;
		if (s->tag == tag) {
			e = aggtab_at(t, s->idx1 - 1);
			if (memcmp(key_of(t, e), key, t->keylen) == 0) {
				*created = 0;
				return e;
			}
		}
		j = (j + 1) & t->mask;
	}
	e = entry_alloc(t);
	e->hash = h;
	memcpy(key_of(t, e), key, t->keylen);
	t->slots[j].idx1 = e->self + 1;
	t->slots[j].tag = tag;
	/* append to the group */
	e->next = AGG_NONE;
	e->prev = g->tail;
	if (g->tail != AGG_NONE)
		aggtab_at(t, g->tail)->next = e->self;
	else
		g->head = e->self;
	g->tail = e->self;
	g->count++;
	if (++t->live * 2 > t->mask + 1)
		grow(t);
	*created = 1;
	return e;
}

void
aggtab_remove(struct aggtab *t, struct agg_entry *e, struct agg_group *g)
{
	size_t i = e->hash & t->mask, j;

	/* find e's slot, then shift the rest of its cluster back */
	while (t->slots[i].idx1 != e->self + 1)
		i = (i + 1) & t->mask;
	j = i;
	for (;;) {
		size_t home;
		j = (j + 1) & t->mask;
		if (t->slots[j].idx1 == 0)
			break;
		home = aggtab_at(t, t->slots[j].idx1 - 1)->hash & t->mask;
		/* the entry at j may move to i if its home is not in (i, j] */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].idx1 = 0;
	t->slots[i].tag = 0;

	if (e->prev != AGG_NONE)
		aggtab_at(t, e->prev)->next = e->next;
	else
		g->head = e->next;
	if (e->next != AGG_NONE)
		aggtab_at(t, e->next)->prev = e->prev;
	else
		g->tail = e->prev;
	g->count--;
	t->live--;
	e->next = t->freelist;
	e->prev = AGG_NONE;
	t->freelist = e->self;
}
