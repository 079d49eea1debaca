/*
 * merge.c - registry-driven merging and splitting of records (see merge.h).
 */
#include <string.h>

#include "gapflow.h"
#include "merge.h"

/* 64 x 64 -> 128-bit products keep the split exact for any counter. */
__extension__ typedef unsigned __int128 u128;

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

static uint64_t
get_uint(const unsigned char *p, uint8_t type)
{
	switch (type) {
	case GF_FT_U8: { uint8_t v; memcpy(&v, p, 1); return v; }
	case GF_FT_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
	case GF_FT_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static void
set_uint(unsigned char *p, uint8_t type, uint64_t v)
{
	switch (type) {
	case GF_FT_U8: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
	case GF_FT_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case GF_FT_U32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

static uint64_t
type_max(uint8_t type)
{
	switch (type) {
	case GF_FT_U8: return UINT8_MAX;
	case GF_FT_U16: return UINT16_MAX;
	case GF_FT_U32: return UINT32_MAX;
	default: return UINT64_MAX;
	}
}

void
merge_add(const struct merge_plan *p, struct gf_record *acc,
    const struct gf_record *r)
{
	unsigned char *a = gf_record_body_mut(acc);
	const unsigned char *b = gf_record_body(r);
	/* decided before the times below are merged */
	int take_last = record_ltime(r) >= record_ltime(acc);
	int take_first = record_stime(r) < record_stime(acc);

	for (int i = 0; i < p->n; i++) {
		const struct merge_op *op = &p->op[i];
		unsigned char *pa = a + op->offset;
		const unsigned char *pb = b + op->offset;
		uint64_t va, vb;

		if (op->type == GF_FT_ADDR) {
			/* addresses merge only by FIRST or LAST */
			if ((op->rule == GF_MG_FIRST && take_first) ||
			    (op->rule == GF_MG_LAST && take_last))
				memcpy(pa, pb, sizeof(struct gf_addr));
			continue;
		}
		va = get_uint(pa, op->type);
		vb = get_uint(pb, op->type);
		if (op->flags & MOP_KIND) {
			/* final (2) outranks status (1): a flow that ended */
			if (vb > va)
				set_uint(pa, op->type, vb);
			continue;
		}
		switch (op->rule) {
		case GF_MG_SUM: {
			uint64_t max = type_max(op->type);
			va = vb > max - va ? max : va + vb;
			break;
		}
		case GF_MG_MIN:
			if (op->flags & MOP_TIME) {
				if (vb != 0 && (va == 0 || vb < va))
					va = vb;
			} else if (vb < va) {
				va = vb;
			}
			break;
		case GF_MG_MAX:
			if (vb > va)
				va = vb;
			break;
		case GF_MG_OR:
			va |= vb;
			break;
		case GF_MG_LAST:
			if (take_last)
				va = vb;
			break;
		case GF_MG_FIRST:
			if (take_first)
				va = vb;
			break;
		default:
			break;
		}
		set_uint(pa, op->type, va);
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
