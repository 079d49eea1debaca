/*
 * aggregate.h - gapdump -m and -b: merge the records that share key
 * values, per time bin if asked, and hand the aggregates on in order.
 *
 * Promise:
 *   -m flow   merges a flow's records, identified by the run (sensor id
 *             and start time of the stream header the record came from)
 *             and flowid.  Without bins a flow is handed on as soon as
 *             its final record is merged, so memory holds active flows
 *             only; flows never finished are handed on at the end, in
 *             the order they were first seen.
 *   -m KEYS   merges by the values of registry fields (addresses may be
 *             masked: saddr/24).  Identity fields that are not keys
 *             (addresses, ports, proto, vlan, flowid; a sensor's id) are
 *             zeroed in the aggregate, as racluster does.  Aggregates are
 *             handed on at the end, in first-seen order.
 *   -b WIDTH  one aggregate per key and bin [k*WIDTH, (k+1)*WIDTH) of
 *             epoch time.  A record that spans bins is cut in proportion
 *             to its time in each (merge_part: parts sum exactly), unless
 *             its stream was written with intervals aligned to a divisor
 *             of WIDTH, when it goes whole to the bin of its start.  Bins
 *             are handed on in time order once the input has moved one
 *             hold time past their end (records are in time order up to
 *             one status interval), so memory holds the open bins only.
 *             A record that reaches into a bin already handed on is still
 *             merged (its bin appears again) and counted as late; a
 *             final flow record without packets, which only marks a flow's
 *             end, goes to the oldest open bin instead.
 * The merge rules are the registry's (merge.h); 'trans' counts records.
 * 'flows' counts distinct flows: a row of -m flow is one flow; a row of
 * -m KEYS counts each flow (run and flowid) merged into it once, however
 * many of its records it holds (flowset.h); records that are aggregates
 * already add their own 'flows'.  %flows, %bytes and %gap are a row's
 * share of the totals of all rows of its bin (of the whole run without
 * -b), computed when the bin is handed on (agg_share).
 */
#ifndef GF_AGGREGATE_H
#define GF_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "sink.h"
#include "stream.h"

#define AGG_MAX_KEYS 32

struct agg_key {
	const struct gf_field *f[3];    /* by record type; NULL: absent */
	int bits;                       /* address prefix, -1 whole */
};

struct agg_opts {
	int set;                        /* -m given (or implied by -b) */
	int flow;                       /* -m flow */
	int nkeys;                      /* 0 with !flow: -m none */
	struct agg_key key[AGG_MAX_KEYS];
	uint64_t binwidth;              /* -b, ns; 0 no bins */
	uint64_t hold;                  /* -B, ns */
	int hold_set;
};

/*
 * Add one -m argument (keys separated by commas or blanks) to o.
 * Returns 0, or -1 with a message naming the key in err.
 */
int agg_parse_keys(struct agg_opts *o, const char *spec, char *err,
    size_t errlen);

struct agg_stats {
	uint64_t records;               /* records put */
	uint64_t out;                   /* aggregates handed on */
	uint64_t split;                 /* records cut over several bins */
	uint64_t late;                  /* records reaching a bin handed on */
	uint64_t moved;                 /* end markers moved to an open bin */
	uint64_t unsplit;               /* records spanning too many bins */
	uint64_t hold;                  /* hold time used, ns; 0 unbounded */
	size_t peak;                    /* most aggregates held at once */
};

struct aggregate;

struct aggregate *agg_new(const struct agg_opts *o, struct sink out);
/* Tell the aggregate which stream the next records come from. */
void agg_begin_input(struct aggregate *a, const struct gf_stream_info *info);
void agg_put(struct aggregate *a, const struct gf_record *r);
/* Hand on everything still held. */
void agg_finish(struct aggregate *a);
void agg_get_stats(const struct aggregate *a, struct agg_stats *st);
void agg_free(struct aggregate *a);
/* The share (percent) of a row of the live aggregate: GF_SHARE_*. */
double agg_share(const struct gf_record *r, int which);

#endif /* GF_AGGREGATE_H */
