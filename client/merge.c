/*
 * merge.c - registry-driven merging and splitting of records (see merge.h).
 */
#include <string.h>

#include "gapflow.h"
#include "merge.h"

/* 64 x 64 -> 128-bit products keep the split exact for any counter. */
__extension__ typedef unsigned __int128 u128;

/*
 * What merge_add does with a field: the action of its rule, for the
 * field's width (a run's code).  KIND keeps the larger value (final
 * outranks status) as MAX does; an address is only ever copied (FIRST,
 * LAST), other rules leave it alone.
 */
enum { MA_SUM, MA_MIN, MA_MINTIME, MA_MAX, MA_OR, MA_LAST, MA_FIRST,
    MA_NONE };
#define MERGE_CODE(act, type) ((act) << 3 | (type))
#define CODE_ACT(code) ((code) >> 3)

static uint8_t
op_code(const struct merge_op *op)
{
	int act;

	switch (op->rule) {
	case GF_MG_SUM: act = MA_SUM; break;
	case GF_MG_MIN: act = op->flags & MOP_TIME ? MA_MINTIME : MA_MIN; break;
	case GF_MG_MAX: act = MA_MAX; break;
	case GF_MG_OR: act = MA_OR; break;
	case GF_MG_LAST: act = MA_LAST; break;
	case GF_MG_FIRST: act = MA_FIRST; break;
	default: act = MA_NONE; break;
	}
	if (op->flags & MOP_KIND)
		act = MA_MAX;
	if (op->type == GF_FT_ADDR && act != MA_LAST && act != MA_FIRST)
		act = MA_NONE;
	return (uint8_t)MERGE_CODE(act, op->type);
}

/* Order op[] by code (stably: registry order within a run) and cut it
 * into runs. */
static void
plan_runs(struct merge_plan *p)
{
	uint8_t code[MERGE_MAX_OPS];

	for (int i = 0; i < p->n; i++)
		code[i] = op_code(&p->op[i]);
	for (int i = 1; i < p->n; i++) {
		struct merge_op op = p->op[i];
		uint8_t c = code[i];
		int j = i;
		for (; j > 0 && code[j - 1] > c; j--) {
			p->op[j] = p->op[j - 1];
			code[j] = code[j - 1];
		}
		p->op[j] = op;
		code[j] = c;
	}
	p->nruns = 0;
	for (int i = 0; i < p->n; i++) {
		struct merge_run *run;
		if (CODE_ACT(code[i]) == MA_NONE)
			continue;
		run = &p->run[p->nruns];
		if (p->nruns > 0 && run[-1].code == code[i]) {
			run[-1].n++;
			continue;
		}
		run->code = code[i];
		run->first = (uint8_t)i;
		run->n = 1;
		p->nruns++;
	}
}

int
merge_plan_init(struct merge_plan *p, uint16_t rtype, const uint8_t *frozen)
{
	memset(p, 0, sizeof(*p));
	p->rtype = rtype;
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		struct merge_op *op;

		if (f->rtype != rtype || f->wire == 0 || f->merge == GF_MG_NONE)
			continue;
		if (frozen != NULL && frozen[i])
			continue;
		if (p->n == MERGE_MAX_OPS)
			return -1;
		op = &p->op[p->n++];
		op->offset = f->offset;
		op->type = f->type;
		op->rule = f->merge;
		if (f->show == GF_SH_TIME)
			op->flags |= MOP_TIME;
		if (rtype == GF_RT_FLOW && (strcmp(f->name, "trans") == 0 ||
		    strcmp(f->name, "flows") == 0))
			op->flags |= MOP_NOSPLIT;
		if (rtype == GF_RT_FLOW && strcmp(f->name, "kind") == 0)
			op->flags |= MOP_KIND;
		if (rtype == GF_RT_FLOW && strcmp(f->name, "flgs") == 0)
			p->flgs = 1;
	}
	plan_runs(p);
	return 0;
}

uint64_t
record_stime(const struct gf_record *r)
{
	return r->type == GF_RT_SENSOR ? r->u.sensor.stime : r->u.flow.stime;
}

uint64_t
record_ltime(const struct gf_record *r)
{
	return r->type == GF_RT_SENSOR ? r->u.sensor.ltime : r->u.flow.ltime;
}

static inline uint64_t
get_uint(const unsigned char *p, uint8_t type)
{
	switch (type) {
	case GF_FT_U8: { uint8_t v; memcpy(&v, p, 1); return v; }
	case GF_FT_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
	case GF_FT_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static inline void
set_uint(unsigned char *p, uint8_t type, uint64_t v)
{
	switch (type) {
	case GF_FT_U8: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
	case GF_FT_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case GF_FT_U32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

static inline uint64_t
type_max(uint8_t type)
{
	switch (type) {
	case GF_FT_U8: return UINT8_MAX;
	case GF_FT_U16: return UINT16_MAX;
	case GF_FT_U32: return UINT32_MAX;
	default: return UINT64_MAX;
	}
}

/* One run: n ops of action act on integers of the given type; both are
 * constants where this is inlined, so the loop is the action alone. */
static inline __attribute__((always_inline)) void
run_apply(const struct merge_op *op, int n, unsigned char *a,
    const unsigned char *b, int act, uint8_t type)
{
	uint64_t max = type_max(type);

	for (int i = 0; i < n; i++) {
		unsigned char *pa = a + op[i].offset;
		uint64_t va = get_uint(pa, type);
		uint64_t vb = get_uint(b + op[i].offset, type);

		switch (act) {
		case MA_SUM:
			va = vb > max - va ? max : va + vb;
			break;
		case MA_MIN:
			if (vb < va)
				va = vb;
			break;
		case MA_MINTIME:
			if (vb != 0 && (va == 0 || vb < va))
				va = vb;
			break;
		case MA_MAX:
			if (vb > va)
				va = vb;
			break;
		case MA_OR:
			va |= vb;
			break;
		default:                /* LAST, FIRST: taken (merge_add) */
			va = vb;
			break;
		}
		set_uint(pa, type, va);
	}
}

#define RUN_CASE(act, type) \
	case MERGE_CODE(act, type): \
		run_apply(op, run->n, a, b, act, type); \
		break;
#define RUN_CASES(act) \
	RUN_CASE(act, GF_FT_U8) RUN_CASE(act, GF_FT_U16) \
	RUN_CASE(act, GF_FT_U32) RUN_CASE(act, GF_FT_U64)

void
merge_add(const struct merge_plan *p, struct gf_record *acc,
    const struct gf_record *r)
{
	unsigned char *a = gf_record_body_mut(acc);
	const unsigned char *b = gf_record_body(r);
	/* decided before the times below are merged */
	int take_last = record_ltime(r) >= record_ltime(acc);
	int take_first = record_stime(r) < record_stime(acc);

	for (int k = 0; k < p->nruns; k++) {
		const struct merge_run *run = &p->run[k];
		const struct merge_op *op = &p->op[run->first];
		int act = CODE_ACT(run->code);

		if ((act == MA_LAST && !take_last) ||
		    (act == MA_FIRST && !take_first))
			continue;
		switch (run->code) {
		RUN_CASES(MA_SUM)
		RUN_CASES(MA_MIN)
		RUN_CASES(MA_MINTIME)
		RUN_CASES(MA_MAX)
		RUN_CASES(MA_OR)
		RUN_CASES(MA_LAST)
		RUN_CASES(MA_FIRST)
		case MERGE_CODE(MA_LAST, GF_FT_ADDR):
		case MERGE_CODE(MA_FIRST, GF_FT_ADDR):
			for (int i = 0; i < run->n; i++)
				memcpy(a + op[i].offset, b + op[i].offset,
				    sizeof(struct gf_addr));
			break;
		default:
			break;
		}
	}
	if (p->flgs)
		merge_flow_flags(acc);
}

void
merge_flow_flags(struct gf_record *acc)
{
	struct gf_flow *f = &acc->u.flow;

	if (acc->type == GF_RT_FLOW && (f->flgs & GF_F_SIMPLEX) &&
	    f->src.pkts > 0 && f->dst.pkts > 0)
		f->flgs &= ~GF_F_SIMPLEX;
}

/* floor(v * num / den) without overflow; num <= den, den > 0. */
static uint64_t
scale(uint64_t v, uint64_t num, uint64_t den)
{
	return (uint64_t)((u128)v * num / den);
}

static void
clamp_dir(struct gf_dir *d, uint64_t from, uint64_t to)
{
	if (d->stime == 0 && d->ltime == 0)
		return;
	if (d->ltime < from || d->stime > to) {
		/* this direction sent nothing in the part */
		d->stime = d->ltime = 0;
		return;
	}
	if (d->stime < from)
		d->stime = from;
	if (d->ltime > to)
		d->ltime = to;
}

void
merge_part(const struct merge_plan *p, const struct gf_record *r,
    uint64_t from, uint64_t to, struct gf_record *part)
{
	uint64_t s = record_stime(r), l = record_ltime(r), d = l - s;
	const unsigned char *src = gf_record_body(r);
	unsigned char *dst;

	*part = *r;
	if (l <= s || from < s || to > l || from > to)
		return;         /* not a part: the caller's contract */
	dst = gf_record_body_mut(part);
	for (int i = 0; i < p->n; i++) {
		const struct merge_op *op = &p->op[i];
		uint64_t v;

		if (op->rule != GF_MG_SUM || op->type == GF_FT_ADDR ||
		    (op->flags & MOP_NOSPLIT))
			continue;
		v = get_uint(src + op->offset, op->type);
		set_uint(dst + op->offset, op->type,
		    scale(v, to - s, d) - scale(v, from - s, d));
	}
	if (part->type == GF_RT_SENSOR) {
		part->u.sensor.stime = from;
		part->u.sensor.ltime = to;
	} else {
		part->u.flow.stime = from;
		part->u.flow.ltime = to;
		clamp_dir(&part->u.flow.src, from, to);
		clamp_dir(&part->u.flow.dst, from, to);
	}
}
