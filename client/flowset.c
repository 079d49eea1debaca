/*
 * flowset.c - distinct (flow, row) pairs (see flowset.h).
 *
 * Slots are 16 bytes (flowid, run index, rows index) so that the table
 * of open flows stays small in cache; the run (sensor id and stream
 * start) is an index into a short list, and the rows a flow was counted
 * in live in a side pool that only row-counting callers (-m KEYS) fill.
 */
#include <stdlib.h>
#include <string.h>

#include "flowset.h"
#include "log.h"
#include "siphash.h"

#define MIN_SLOTS 1024u
#define INLINE_ROWS 3

struct slot {
	uint64_t flowid;
	uint32_t run1;                  /* run index + 1; 0 empty */
	uint32_t rows1;                 /* rows index + 1; 0 none */
};

struct rows {
	uint32_t n, cap;                /* rows counted; heap capacity */
	uint64_t row[INLINE_ROWS];
	uint64_t *more;                 /* rows beyond the inline ones */
	uint32_t nextfree;
};

struct run {
	uint32_t sensorid;
	uint64_t start;
};

struct flowset {
	struct gf_sipkey sip;
	struct slot *s;
	size_t mask, count;
	struct run *runs;
	uint32_t nruns, capruns, lastrun;
	struct rows *rows;
	uint32_t nrows, caprows, freerows;      /* free list: index + 1 */
};

struct flowset *
flowset_new(void)
{
	struct flowset *s = gf_xcalloc(1, sizeof(*s));

	gf_sipkey_random(&s->sip);
	s->s = gf_xcalloc(MIN_SLOTS, sizeof(*s->s));
	s->mask = MIN_SLOTS - 1;
	return s;
}

void
flowset_free(struct flowset *s)
{
	if (s == NULL)
		return;
	for (uint32_t i = 0; i < s->nrows; i++)
		free(s->rows[i].more);
	free(s->rows);
	free(s->runs);
	free(s->s);
	free(s);
}

size_t
flowset_count(const struct flowset *s)
{
	return s->count;
}

/* The run's index + 1; runs are few (one per input stream). */
static uint32_t
run_of(struct flowset *s, uint32_t sensorid, uint64_t start)
{
	if (s->lastrun > 0 && s->runs[s->lastrun - 1].sensorid == sensorid &&
	    s->runs[s->lastrun - 1].start == start)
		return s->lastrun;
	for (uint32_t i = 0; i < s->nruns; i++)
		if (s->runs[i].sensorid == sensorid &&
		    s->runs[i].start == start)
			return s->lastrun = i + 1;
	if (s->nruns == s->capruns) {
		s->capruns = s->capruns ? s->capruns * 2 : 8;
		s->runs = gf_xrealloc(s->runs, s->capruns * sizeof(*s->runs));
	}
	s->runs[s->nruns].sensorid = sensorid;
	s->runs[s->nruns].start = start;
	return s->lastrun = ++s->nruns;
}

static size_t
home(const struct flowset *s, uint64_t flowid, uint32_t run1)
{
	unsigned char b[12];

	memcpy(b, &flowid, 8);
	memcpy(b + 8, &run1, 4);
	return (size_t)gf_siphash(&s->sip, b, sizeof(b)) & s->mask;
}

static void
grow(struct flowset *s)
{
	struct slot *old = s->s;
	size_t n = s->mask + 1;

	s->s = gf_xcalloc(n * 2, sizeof(*s->s));
	s->mask = n * 2 - 1;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		if (old[i].run1 == 0)
			continue;
		for (j = home(s, old[i].flowid, old[i].run1); s->s[j].run1;
		    j = (j + 1) & s->mask)
			;
		s->s[j] = old[i];
	}
	free(old);
}

/* The flow's slot; created (empty of rows) if create, else NULL if
 * absent. */
static struct slot *
find(struct flowset *s, uint64_t flowid, uint32_t run1, int create)
{
	size_t j;

	if (create && (s->count + 1) * 2 > s->mask + 1)
		grow(s);
	for (j = home(s, flowid, run1); s->s[j].run1 != 0;
	    j = (j + 1) & s->mask)
		if (s->s[j].flowid == flowid && s->s[j].run1 == run1)
			return &s->s[j];
	if (!create)
		return NULL;
	s->s[j].flowid = flowid;
	s->s[j].run1 = run1;
	s->s[j].rows1 = 0;
	s->count++;
	return &s->s[j];
}

static struct rows *
new_rows(struct flowset *s, struct slot *e)
{
	uint32_t i;

	if (s->freerows != 0) {
		i = s->freerows - 1;
		s->freerows = s->rows[i].nextfree;
	} else {
		if (s->nrows == s->caprows) {
			s->caprows = s->caprows ? s->caprows * 2 : 256;
			s->rows = gf_xrealloc(s->rows, s->caprows *
			    sizeof(*s->rows));
		}
		i = s->nrows++;
	}
	memset(&s->rows[i], 0, sizeof(s->rows[i]));
	e->rows1 = i + 1;
	return &s->rows[i];
}

int
flowset_add(struct flowset *s, uint32_t sensorid, uint64_t start,
    uint64_t flowid, uint64_t row)
{
	uint32_t run1 = run_of(s, sensorid, start);
	size_t before = s->count;
	struct slot *e = find(s, flowid, run1, 1);
	struct rows *r;

	if (row == 0)
		return s->count > before;       /* presence only */
	r = e->rows1 != 0 ? &s->rows[e->rows1 - 1] : new_rows(s, e);
	for (uint32_t i = 0; i < r->n; i++)
		if ((i < INLINE_ROWS ? r->row[i] : r->more[i - INLINE_ROWS]) ==
		    row)
			return 0;
	if (r->n < INLINE_ROWS) {
		r->row[r->n++] = row;
		return 1;
	}
	if (r->n - INLINE_ROWS == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		r->more = gf_xrealloc(r->more, r->cap * sizeof(*r->more));
	}
	r->more[r->n - INLINE_ROWS] = row;
	r->n++;
	return 1;
}

int
flowset_forget(struct flowset *s, uint32_t sensorid, uint64_t start,
    uint64_t flowid)
{
	uint32_t run1 = run_of(s, sensorid, start);
	struct slot *e = find(s, flowid, run1, 0);
	size_t i, j;

	if (e == NULL)
		return 0;
	if (e->rows1 != 0) {
		struct rows *r = &s->rows[e->rows1 - 1];
		free(r->more);
		r->more = NULL;
		r->nextfree = s->freerows;
		s->freerows = e->rows1;
	}
	e->run1 = 0;
	s->count--;
	/* backward-shift: pull later entries of the run into the hole */
	i = (size_t)(e - s->s);
	for (j = (i + 1) & s->mask; s->s[j].run1 != 0; j = (j + 1) & s->mask) {
		size_t h = home(s, s->s[j].flowid, s->s[j].run1);
		/* e[j] may move to i if its home is not in (i, j] */
		if ((j > i && (h <= i || h > j)) ||
		    (j < i && (h <= i && h > j))) {
			s->s[i] = s->s[j];
			s->s[j].run1 = 0;
			i = j;
		}
	}
	return 1;
}
