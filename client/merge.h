/*
 * merge.h - combining records, and cutting one into time parts, by the
 * field registry's merge rules (fields.h).
 *
 * Promise: a merge plan is built once per record type from the registry
 * (one loop over gf_fields, nothing per field written by hand) and then
 * applied without allocating or failing:
 *   merge_add()   folds a record into an aggregate: SUM adds (saturating
 *                 at the field's width), MIN and MAX keep the extreme
 *                 (a zero time means "none" and never wins a MIN), OR
 *                 ors, LAST takes the value of the record that ends
 *                 later, FIRST of the one that starts earlier.  The flow
 *                 field 'kind' is final when any merged record was final.
 *                 Flow flags describing the whole row are then
 *                 recomputed from the merged counters (merge_flow_flags):
 *                 simplex (S) stays only while one direction has no
 *                 packets in the row; the other flags are ORed.
 *                 Derived fields (dur, rates, percentages) need nothing:
 *                 they are functions of the stored counters.
 *   merge_part()  copies the part of a record that falls in [from, to]:
 *                 every SUM field except 'trans' and 'flows' is scaled by the time
 *                 overlap with cumulative rounding, so the parts of one
 *                 record sum exactly to the whole; times are clamped.
 * Records are hostile input: nothing here trusts stime <= ltime or any
 * counter's size.
 */
#ifndef GF_MERGE_H
#define GF_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "record.h"

#define MERGE_MAX_OPS 128

struct merge_op {
	uint16_t offset;        /* in struct gf_flow / gf_sensor */
	uint8_t type;           /* enum gf_ftype */
	uint8_t rule;           /* enum gf_fmerge */
	uint8_t flags;          /* MOP_* */
};

#define MOP_TIME    0x01    /* a time: 0 means none */
#define MOP_NOSPLIT 0x02    /* a SUM a part keeps whole (trans, flows) */
#define MOP_KIND    0x04    /* flow kind: final wins */

/*
 * The ops that merge_add treats alike (same action, same width) lie
 * next to each other in op[]: a run, walked with its action and width
 * fixed (merge.c), so folding a record costs a few instructions a field.
 */
struct merge_run {
	uint8_t code;           /* action and width (merge.c) */
	uint8_t n;              /* ops in the run */
	uint8_t first;          /* index of its first op */
};

struct merge_plan {
	uint16_t rtype;
	int n;
	int flgs;               /* flgs is merged (not a key): fix it up */
	int nruns;
	struct merge_op op[MERGE_MAX_OPS];      /* grouped into runs */
	struct merge_run run[MERGE_MAX_OPS];
};

/*
 * Build the plan for records of rtype.  frozen, if not NULL, has one byte
 * per gf_fields entry: fields marked non-zero are left alone by
 * merge_add (aggregation keys and identity fields the aggregate zeroed).
 * Returns 0, or -1 if the registry has more fields than the plan holds.
 */
int merge_plan_init(struct merge_plan *p, uint16_t rtype,
    const uint8_t *frozen);

/*
 * The flags of a merged flow row that its counters decide: simplex only
 * if a part was simplex and one direction has no packets in the row (a
 * flow whose first status record held one direction, merged with the
 * rest, is not simplex).  Every other GF_F_* flag is the OR of the parts.
 */
void merge_flow_flags(struct gf_record *acc);

/* Fold r into acc; both of the plan's type. */
void merge_add(const struct merge_plan *p, struct gf_record *acc,
    const struct gf_record *r);

/*
 * Write to part the share of r that lies in [from, to], where
 * stime(r) <= from <= to <= ltime(r) and ltime(r) > stime(r).  Counters
 * are scaled by the cumulative share: floor(v * (to - s) / d) -
 * floor(v * (from - s) / d), so consecutive parts sum to v exactly.
 */
void merge_part(const struct merge_plan *p, const struct gf_record *r,
    uint64_t from, uint64_t to, struct gf_record *part);

/* The record's time span (flow or sensor). */
uint64_t record_stime(const struct gf_record *r);
uint64_t record_ltime(const struct gf_record *r);

#endif /* GF_MERGE_H */
