/*
 * summary.c - the closing summary (see summary.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flowset.h"
#include "gapflow.h"
#include "log.h"
#include "summary.h"
#include "timefmt.h"

/*
 * Open flows of the current run, by the sensor's flowid layout (flowid =
 * generation << 32 | flow-table slot, sensor/flow.h): one open flow per
 * slot at a time, so a direct array of slot -> generation + 1 answers
 * "was this flow counted" without hashing.  Slots past MARK_MAX (not
 * made by a gapflow table) use the hash set.
 */
#define MARK_MAX (1u << 22)

struct runmarks {
	uint32_t sensorid;
	uint64_t start;
	uint32_t *gen1;
	uint32_t cap;
};

struct summary {
	struct flowset *seen;
	struct runmarks *runs, *cur;
	size_t nruns;
	uint32_t sensorid;
	uint64_t start;
	uint64_t flows, pkts, bytes, gap, ackbytes;
	uint64_t stime, ltime;
	int any;
};

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

struct summary *
summary_new(void)
{
	struct summary *s = gf_xcalloc(1, sizeof(*s));
	s->seen = flowset_new();
	return s;
}

void
summary_free(struct summary *s)
{
	if (s == NULL)
		return;
	flowset_free(s->seen);
	for (size_t i = 0; i < s->nruns; i++)
		free(s->runs[i].gen1);
	free(s->runs);
	free(s);
}

void
summary_begin_input(struct summary *s, const struct gf_stream_info *in)
{
	s->sensorid = in->sensorid;
	s->start = in->start;
	s->cur = NULL;
	for (size_t i = 0; i < s->nruns; i++)
		if (s->runs[i].sensorid == in->sensorid &&
		    s->runs[i].start == in->start)
			s->cur = &s->runs[i];
	if (s->cur == NULL) {
		s->runs = gf_xrealloc(s->runs, (s->nruns + 1) *
		    sizeof(*s->runs));
		s->cur = &s->runs[s->nruns++];
		memset(s->cur, 0, sizeof(*s->cur));
		s->cur->sensorid = in->sensorid;
		s->cur->start = in->start;
	}
}

/* Flow operations: MARK (remember as counted), TEST, CLEAR; 1 if the
 * flow was remembered before. */
enum { F_MARK, F_FORGET };
static int
flow_op(struct summary *s, uint64_t flowid, int op)
{
	uint32_t slot = (uint32_t)flowid, gen1 = (uint32_t)(flowid >> 32) + 1;
	struct runmarks *m = s->cur;

	if (m == NULL || slot >= MARK_MAX || gen1 == 0) {
		if (op == F_FORGET)
			return flowset_forget(s->seen, s->sensorid, s->start,
			    flowid);
		return !flowset_add(s->seen, s->sensorid, s->start, flowid,
		    0);
	}
	if (slot >= m->cap) {
		uint32_t cap = m->cap ? m->cap : 4096;
		while (cap <= slot)
			cap *= 2;
		m->gen1 = gf_xrealloc(m->gen1, cap * sizeof(*m->gen1));
		memset(m->gen1 + m->cap, 0, (cap - m->cap) * sizeof(*m->gen1));
		m->cap = cap;
	}
	if (op == F_FORGET) {
		if (m->gen1[slot] != gen1)
			return 0;
		m->gen1[slot] = 0;
		return 1;
	}
	if (m->gen1[slot] == gen1)
		return 1;
	m->gen1[slot] = gen1;
	return 0;
}

void
summary_put(struct summary *s, const struct gf_record *r)
{
	const struct gf_flow *f = &r->u.flow;

	if (r->type != GF_RT_FLOW)
		return;
	if (f->flows > 0) {
		s->flows = sat_add(s->flows, f->flows);
	} else if (f->seq == 0) {
		/* a flow's first record: counted here; only a flow that
		 * goes on is remembered, so that its later records are not
		 * counted again */
		s->flows++;
		if (f->kind != GF_KIND_FINAL)
			flow_op(s, f->flowid, F_MARK);
	} else if (f->kind == GF_KIND_FINAL) {
		/* its end: forget it, or count it if its start was not
		 * selected or not in the input (a file cut by rotation) */
		if (!flow_op(s, f->flowid, F_FORGET))
			s->flows++;
	} else if (!flow_op(s, f->flowid, F_MARK)) {
		s->flows++;
	}
	s->pkts = sat_add(s->pkts, sat_add(f->src.pkts, f->dst.pkts));
	s->bytes = sat_add(s->bytes, sat_add(f->src.bytes, f->dst.bytes));
	s->gap = sat_add(s->gap, sat_add(f->src.gap, f->dst.gap));
	s->ackbytes = sat_add(s->ackbytes, sat_add(f->src.ackbytes,
	    f->dst.ackbytes));
	if (!s->any || (f->stime != 0 && f->stime < s->stime))
		s->stime = f->stime;
	if (f->ltime > s->ltime)
		s->ltime = f->ltime;
	s->any = 1;
}

void
summary_print(const struct summary *s, FILE *fp, int json)
{
	char from[64] = "-", to[64] = "-", pct[32];
	double span = s->ltime > s->stime ?
	    (double)(s->ltime - s->stime) / 1e9 : 0.0;

	if (s->any) {
		gf_time_format(s->stime, from, sizeof(from));
		gf_time_format(s->ltime, to, sizeof(to));
	}
	/* a gap beyond the acknowledged bytes is damaged input: no share */
	if (s->gap > s->ackbytes)
		snprintf(pct, sizeof(pct), json ? "null" : "-");
	else
		snprintf(pct, sizeof(pct), "%.3f", s->ackbytes > 0 ?
		    100.0 * (double)s->gap / (double)s->ackbytes : 0.0);
	if (json) {
		fprintf(fp, "{\"type\":\"summary\",\"flows\":%" PRIu64
		    ",\"pkts\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"gap\":%"
		    PRIu64 ",\"ackbytes\":%" PRIu64 ",\"pgap\":%s,\"stime\":"
		    "\"%s\",\"ltime\":\"%s\",\"dur\":%.6f}\n", s->flows,
		    s->pkts, s->bytes, s->gap, s->ackbytes, pct, from, to,
		    span);
		return;
	}
	fprintf(fp, "Summary: %" PRIu64 " flows, %" PRIu64 " packets, %"
	    PRIu64 " bytes, gap %" PRIu64 " bytes = %s %% of %" PRIu64
	    " acknowledged; %s to %s (%.6f s)\n", s->flows, s->pkts, s->bytes,
	    s->gap, pct, s->ackbytes, from, to, span);
}
