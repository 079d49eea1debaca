/*
 * sort.c - sorting and top-N (see sort.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "sort.h"

/* A kept record and its arrival number, the last tie-break. */
struct item {
	uint64_t seq;
	struct gf_record rec;
};

struct sorter {
	struct sort_spec spec;
	struct sink out;
	uint64_t top;                   /* 0: everything */
	struct item *items;
	size_t n, cap;
	uint64_t seq;
};

int
sort_parse(struct sort_spec *s, const char *spec, char *err, size_t errlen)
{
	char *copy = gf_xstrdup(spec), *save = NULL, *tok;
	int rc = 0, any = 0;

	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		struct sort_key k;
		char *colon = strchr(tok, ':');
		int found = 0;

		any = 1;
		memset(&k, 0, sizeof(k));
		if (colon != NULL) {
			*colon = '\0';
			if (strcmp(colon + 1, "desc") == 0) {
				k.desc = 1;
			} else if (strcmp(colon + 1, "asc") != 0) {
				snprintf(err, errlen, "option --sort: '%s:%s': "
				    "the order is :asc or :desc", tok,
				    colon + 1);
				rc = -1;
				break;
			}
		}
		if (s->n == SORT_MAX_KEYS) {
			snprintf(err, errlen, "option --sort: more than %d "
			    "keys", SORT_MAX_KEYS);
			rc = -1;
			break;
		}
		for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++) {
			k.f[t] = gf_field_find_type(tok, t);
			found |= k.f[t] != NULL;
		}
		if (!found) {
			snprintf(err, errlen, "option --sort: unknown field "
			    "'%s' (gapdump --fields lists them)", tok);
			rc = -1;
			break;
		}
		s->k[s->n++] = k;
	}
	if (rc == 0 && !any) {
		snprintf(err, errlen, "option --sort: no field given");
		rc = -1;
	}
	free(copy);
	return rc;
}

static int
cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

static int
cmp_double(double a, double b)
{
	return (a > b) - (a < b);
}

static int
key_cmp(const struct sort_key *k, const struct gf_record *a,
    const struct gf_record *b)
{
	const struct gf_field *fa = NULL, *fb = NULL;
	int c;

	if (a->type == GF_RT_FLOW || a->type == GF_RT_SENSOR)
		fa = k->f[a->type];
	if (b->type == GF_RT_FLOW || b->type == GF_RT_SENSOR)
		fb = k->f[b->type];
	/* absent fields go last, whatever the direction */
	if (fa == NULL || fb == NULL)
		return (fa == NULL) - (fb == NULL);
	if (fa->type == GF_FT_ADDR || fb->type == GF_FT_ADDR) {
		struct gf_addr none = { 0, { 0 } };
		const struct gf_addr *x = &none, *y = &none;
		if (fa->type == GF_FT_ADDR)
			x = (const struct gf_addr *)((const unsigned char *)
			    gf_record_body(a) + fa->offset);
		if (fb->type == GF_FT_ADDR)
			y = (const struct gf_addr *)((const unsigned char *)
			    gf_record_body(b) + fb->offset);
		c = gf_addr_cmp(x, y);
		c = (c > 0) - (c < 0);
	} else if (fa->wire == 0 || fb->wire == 0) {
		c = cmp_double(gf_field_num(fa, a), gf_field_num(fb, b));
	} else {
		/* integers exactly: ns times do not fit a double */
		c = cmp_u64(gf_field_u64(fa, a), gf_field_u64(fb, b));
	}
	return k->desc ? -c : c;
}

int
sort_cmp(const struct sort_spec *s, const struct gf_record *a,
    const struct gf_record *b)
{
	for (int i = 0; i < s->n; i++) {
		int c = key_cmp(&s->k[i], a, b);
		if (c != 0)
			return c;
	}
	return 0;
}

static int
item_cmp(const void *x, const void *y, void *arg)
{
	const struct item *a = x, *b = y;
	int c = sort_cmp(arg, &a->rec, &b->rec);
	return c != 0 ? c : cmp_u64(a->seq, b->seq);
}

struct sorter *
sorter_new(const struct sort_spec *s, uint64_t top, struct sink out)
{
	struct sorter *st = gf_xcalloc(1, sizeof(*st));
	st->spec = *s;
	st->top = top;
	st->out = out;
	return st;
}

void
sorter_free(struct sorter *st)
{
	if (st == NULL)
		return;
	free(st->items);
	free(st);
}

static void
reserve(struct sorter *st)
{
	size_t cap;

	if (st->n < st->cap)
		return;
	cap = st->cap ? st->cap * 2 : 1024;
	if (st->top > 0 && cap > st->top)
		cap = (size_t)st->top;
	st->items = gf_xrealloc(st->items, cap * sizeof(*st->items));
	st->cap = cap;
}

/* The heap keeps its worst item (last in sort order) at the root. */
static void
sift_up(struct sorter *st, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct item tmp;
		if (item_cmp(&st->items[p], &st->items[i], &st->spec) >= 0)
			break;
		tmp = st->items[p];
		st->items[p] = st->items[i];
		st->items[i] = tmp;
		i = p;
	}
}

static void
sift_down(struct sorter *st, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct item tmp;
		if (l < st->n &&
		    item_cmp(&st->items[l], &st->items[m], &st->spec) > 0)
			m = l;
		if (r < st->n &&
		    item_cmp(&st->items[r], &st->items[m], &st->spec) > 0)
			m = r;
		if (m == i)
			break;
		tmp = st->items[m];
		st->items[m] = st->items[i];
		st->items[i] = tmp;
		i = m;
	}
}

void
sorter_put(void *ctx, const struct gf_record *r)
{
	struct sorter *st = ctx;
	uint64_t seq = st->seq++;

	if (st->top > 0 && st->n == st->top) {
		/* a later record beats the root only if strictly better:
		 * ties keep the earlier, as a stable sort would */
		if (sort_cmp(&st->spec, r, &st->items[0].rec) >= 0)
			return;
		st->items[0].seq = seq;
		st->items[0].rec = *r;
		sift_down(st, 0);
		return;
	}
	reserve(st);
	st->items[st->n].seq = seq;
	st->items[st->n].rec = *r;
	st->n++;
	if (st->top > 0)
		sift_up(st, st->n - 1);
}

void
sorter_finish(struct sorter *st)
{
	if (st->n > 1)
		qsort_r(st->items, st->n, sizeof(*st->items), item_cmp,
		    &st->spec);
	for (size_t i = 0; i < st->n; i++)
		sink_put(&st->out, &st->items[i].rec);
	st->n = 0;
}
