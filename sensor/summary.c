/*
 * summary.c - a run's totals and its last lines on stderr (see
 * summary.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "gapflow.h"
#include "log.h"
#include "summary.h"

static const char *const bad_desc[GF_BAD_COUNT] = {
#define GF_BAD_DESC(e, n, d) d,
	GF_BAD_REASONS(GF_BAD_DESC)
#undef GF_BAD_DESC
};

void
gf_sensor_merge(struct gf_record *a, const struct gf_record *b)
{
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		uint64_t x, y, v;
		if (f->rtype != GF_RT_SENSOR || f->wire == 0)
			continue;
		x = gf_field_u64(f, a);
		y = gf_field_u64(f, b);
		switch (f->merge) {
		case GF_MG_SUM: v = x + y; break;
		case GF_MG_MIN: v = x < y ? x : y; break;
		case GF_MG_MAX: v = x > y ? x : y; break;
		case GF_MG_FIRST: v = x; break;
		default: v = y; break;
		}
		gf_field_set_u64(f, a, v);
	}
}

void
summary_init(struct summary *s, uint64_t max_flows)
{
	memset(s, 0, sizeof(*s));
	s->tot.type = GF_RT_SENSOR;
	/* calloc'd: pages are touched only as flow indexes are used */
	s->nflowidx = max_flows;
	s->gapbit = gf_xcalloc((size_t)(max_flows / 8 + 1), 1);
}

void
summary_free(struct summary *s)
{
	free(s->gapbit);
	s->gapbit = NULL;
}

void
summary_record(struct summary *s, const struct gf_record *r)
{
	const struct gf_flow *f;
	uint64_t idx;
	uint8_t bit;
	int gap;

	if (r->type == GF_RT_SENSOR) {
		if (s->have_sensor)
			gf_sensor_merge(&s->tot, r);
		else
			s->tot = *r;
		s->have_sensor = 1;
		return;
	}
	if (r->type != GF_RT_FLOW)
		return;
	f = &r->u.flow;
	gap = f->src.gap != 0 || f->dst.gap != 0;
	idx = f->flowid & UINT32_MAX;
	if (idx >= s->nflowidx) {
		/* not from this table: count it on its own record */
		if (f->kind == GF_KIND_FINAL) {
			s->flows++;
			s->gapflows += gap;
			s->simplexflows += (f->flgs & GF_F_SIMPLEX) != 0;
		}
		return;
	}
	bit = (uint8_t)(1u << (idx & 7));
	if (gap)
		s->gapbit[idx / 8] |= bit;
	if (f->kind != GF_KIND_FINAL)
		return;
	/* the index is free for another flow after its FINAL record */
	s->flows++;
	if (s->gapbit[idx / 8] & bit)
		s->gapflows++;
	s->gapbit[idx / 8] &= (uint8_t)~bit;
	if (f->flgs & GF_F_SIMPLEX)
		s->simplexflows++;
}

void
summary_skip(struct capture_source *src, int nonip, unsigned bad)
{
	src->cnt.skipped = 1;
	if (nonip)
		src->cnt.nonip++;
	else if (bad < GF_BAD_COUNT)
		src->cnt.bad[bad]++;
}

const char *
summary_count(uint64_t n, char *buf, size_t len)
{
	char digits[24];
	int nd = snprintf(digits, sizeof(digits), "%" PRIu64, n);
	size_t o = 0;

	for (int i = 0; i < nd && o + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Append ", WHAT N" (or "WHAT N" first) to line. */
static void
add_reason(char *line, size_t len, const char *what, uint64_t n)
{
	char num[32];
	size_t o = strlen(line);
	if (n == 0)
		return;
	snprintf(line + o, len - o, "%s%s %s", line[o - 1] == ':' ? " " : ", ",
	    what, summary_count(n, num, sizeof(num)));
}

static void
source_line(const struct capture_source *src)
{
	const struct capture_counts *c = &src->cnt;
	char line[2048], a[32], b[32];
	uint64_t skipped = c->nonip;

	for (int i = 0; i < GF_BAD_COUNT; i++)
		skipped += c->bad[i];
	if (skipped == 0)
		return;
	snprintf(line, sizeof(line), "%s: %s of %s frames skipped:", src->name,
	    summary_count(skipped, a, sizeof(a)),
	    summary_count(c->frames, b, sizeof(b)));
	for (int i = 0; i < GF_BAD_COUNT; i++)
		add_reason(line, sizeof(line), bad_desc[i], c->bad[i]);
	add_reason(line, sizeof(line), "not IP (ARP, LLDP, ...)", c->nonip);
	gf_note("%s", line);
}

void
summary_print(const struct summary *s, const struct capture *cap,
    int totals, uint64_t recdrops_late)
{
	const struct gf_sensor *t = &s->tot.u.sensor;
	char n1[32], n2[32], n3[32], n4[32], n5[32], n6[32], n7[32], n8[32];
	char pct[32];
	uint64_t skipped = t->nonip;

	for (int i = 0; i < cap->n; i++)
		if (cap->src[i].cnt.skipped)
			source_line(&cap->src[i]);
	if (t->shortwire > 0)
		gf_note("%s frames were decoded with the length in their IP "
		    "header: the capture recorded a wire length shorter than "
		    "the IP datagram (its writer lost the original lengths), "
		    "so they are kept in their flows as sent",
		    summary_count(t->shortwire, n1, sizeof(n1)));
	if (!totals)
		return;
	for (int i = 0; i < GF_BAD_COUNT; i++)
		skipped += t->bad[i];
	if (t->ackbytes > 0)
		snprintf(pct, sizeof(pct), "%.3f %%",
		    100.0 * (double)t->gapbytes / (double)t->ackbytes);
	else
		snprintf(pct, sizeof(pct), "no bytes acknowledged");
	gf_note("%s packets, %s flows, %s with gaps, gap %s bytes (%s), "
	    "%s simplex, %s frames skipped, %s flows evicted, %s records "
	    "dropped",
	    summary_count(t->pkts, n1, sizeof(n1)),
	    summary_count(s->flows, n2, sizeof(n2)),
	    summary_count(s->gapflows, n3, sizeof(n3)),
	    summary_count(t->gapbytes, n4, sizeof(n4)), pct,
	    summary_count(s->simplexflows, n5, sizeof(n5)),
	    summary_count(skipped, n6, sizeof(n6)),
	    summary_count(t->evicted, n7, sizeof(n7)),
	    summary_count(t->recdrops + recdrops_late, n8, sizeof(n8)));
}
