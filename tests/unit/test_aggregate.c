/*
 * test_aggregate.c - merging, splitting and aggregating records (-m, -b),
 * with expected values worked out by hand in the comments.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "aggregate.h"
#include "aggtab.h"
#include "flowset.h"
#include "merge.h"
#include "testlib.h"

#define S(x) ((uint64_t)(x) * 1000000000ull)    /* seconds to ns */
#define T0   S(1767225600)                      /* 2026-01-01T00:00:00Z */

/* What a stage handed on, for the checks. */
struct capture {
	struct gf_record rec[64];
	int n;
};

static void
capture_put(void *ctx, const struct gf_record *r)
{
	struct capture *c = ctx;
	if (c->n < 64)
		c->rec[c->n] = *r;
	c->n++;
}

static struct gf_record
flow(uint64_t flowid, const char *saddr, const char *daddr, uint64_t stime,
    uint64_t ltime)
{
	struct gf_record r;
	memset(&r, 0, sizeof(r));
	r.type = GF_RT_FLOW;
	r.u.flow.kind = GF_KIND_STATUS;
	r.u.flow.proto = 6;
	r.u.flow.sport = 40000;
	r.u.flow.dport = 443;
	r.u.flow.trans = 1;
	r.u.flow.flowid = flowid;
	r.u.flow.stime = r.u.flow.fstime = stime;
	r.u.flow.ltime = ltime;
	r.u.flow.src.stime = r.u.flow.dst.stime = stime;
	r.u.flow.src.ltime = r.u.flow.dst.ltime = ltime;
	r.u.flow.src.wscale = r.u.flow.dst.wscale = 255;
	gf_addr_parse(saddr, &r.u.flow.saddr);
	gf_addr_parse(daddr, &r.u.flow.daddr);
	return r;
}

static struct gf_stream_info
stream(uint32_t sensorid, uint64_t start, uint64_t interval, uint32_t flags)
{
	struct gf_stream_info info;
	memset(&info, 0, sizeof(info));
	info.sensorid = sensorid;
	info.start = start;
	info.interval = interval;
	info.flags = flags;
	return info;
}

static struct agg_stats
stat_of(const struct aggregate *a)
{
	struct agg_stats st;
	agg_get_stats(a, &st);
	return st;
}

static void
keys(struct agg_opts *o, const char *spec)
{
	char err[256];
	memset(o, 0, sizeof(*o));
	if (agg_parse_keys(o, spec, err, sizeof(err)) != 0)
		printf("  keys '%s': %s\n", spec, err);
}

/*
 * Three status records of one flow folded by the registry's rules:
 *   a [10, 12] spkts 5 sbytes 500 flags S, state REQ, dwin 100, mss 1460
 *   b [12, 15] spkts 7 sbytes 700 flags A, state EST, dwin 200, mss 0
 *   c [ 9, 11] spkts 1 sbytes  40 flags F, state FIN, dwin 300 (ends
 *     earlier than the others, so its LAST values lose), final, seq 2
 * sums 13 / 1240; stime min 9, ltime max 15; flags S|A|F; state and dwin
 * from b (latest ltime); mss max 1460; trans 3; kind final; seq max 2;
 * flgs OR; fstime min 9.
 */
TEST(merge_three_records)
{
	struct merge_plan p;
	struct gf_record a = flow(7, "10.0.0.1", "10.0.0.2", T0 + S(10),
	    T0 + S(12));
	struct gf_record b = flow(7, "10.0.0.1", "10.0.0.2", T0 + S(12),
	    T0 + S(15));
	struct gf_record c = flow(7, "10.0.0.1", "10.0.0.2", T0 + S(9),
	    T0 + S(11));
	struct gf_record acc;

	a.u.flow.src.pkts = 5; a.u.flow.src.bytes = 500;
	a.u.flow.src.flags = 0x02; a.u.flow.state = GF_ST_REQ;
	a.u.flow.dst.win = 100; a.u.flow.src.mss = 1460;
	a.u.flow.flgs = GF_F_SGAP;
	b.u.flow.src.pkts = 7; b.u.flow.src.bytes = 700;
	b.u.flow.src.flags = 0x10; b.u.flow.state = GF_ST_EST;
	b.u.flow.dst.win = 200; b.u.flow.seq = 1;
	b.u.flow.flgs = GF_F_SLOSS;
	c.u.flow.src.pkts = 1; c.u.flow.src.bytes = 40;
	c.u.flow.src.flags = 0x01; c.u.flow.state = GF_ST_FIN;
	c.u.flow.dst.win = 300; c.u.flow.seq = 2;
	c.u.flow.kind = GF_KIND_FINAL; c.u.flow.endreason = GF_END_FIN;

	CHECK(merge_plan_init(&p, GF_RT_FLOW, NULL) == 0);
	acc = a;
	merge_add(&p, &acc, &b);
	merge_add(&p, &acc, &c);
	CHECK_U64(acc.u.flow.src.pkts, 13);
	CHECK_U64(acc.u.flow.src.bytes, 1240);
	CHECK_U64(acc.u.flow.stime, T0 + S(9));
	CHECK_U64(acc.u.flow.ltime, T0 + S(15));
	CHECK_U64(acc.u.flow.fstime, T0 + S(9));
	CHECK_U64(acc.u.flow.src.stime, T0 + S(9));
	CHECK_U64(acc.u.flow.src.ltime, T0 + S(15));
	CHECK_U64(acc.u.flow.src.flags, 0x13);
	CHECK_U64(acc.u.flow.flgs, GF_F_SGAP | GF_F_SLOSS);
	CHECK_U64(acc.u.flow.state, GF_ST_EST);
	CHECK_U64(acc.u.flow.dst.win, 200);
	CHECK_U64(acc.u.flow.src.mss, 1460);
	CHECK_U64(acc.u.flow.trans, 3);
	CHECK_U64(acc.u.flow.seq, 2);
	CHECK_U64(acc.u.flow.kind, GF_KIND_FINAL);
	/* derived fields follow the merged counters: dur 6 s */
	CHECK(gf_field_num(gf_field_find_type("dur", GF_RT_FLOW), &acc) == 6.0);
	CHECK(gf_field_num(gf_field_find_type("pkts", GF_RT_FLOW), &acc) ==
	    13.0);
}

/*
 * Merged flags (issue 10 point 6): a connection whose first status
 * record held only the initiator's SYN (sensor: S, one direction seen)
 * merged with a later record carrying both directions is not simplex:
 * spkts 1 + 4 = 5, dpkts 0 + 3 = 3, both > 0.  Two simplex records of a
 * one-way UDP stream stay simplex (dpkts 0 + 0).  Other flags are ORed:
 * m (mid-stream) from the first, s (src loss) from the second.  As a
 * key (-m flgs) the flags are left alone.
 */
TEST(merge_flags_recomputed)
{
	struct merge_plan p, frozen_plan;
	struct gf_record a = flow(3, "10.0.0.1", "10.0.0.2", T0 + S(1),
	    T0 + S(2));
	struct gf_record b = flow(3, "10.0.0.1", "10.0.0.2", T0 + S(6),
	    T0 + S(7));
	struct gf_record u1 = flow(4, "10.0.0.1", "10.0.0.3", T0, T0 + S(1));
	struct gf_record u2 = flow(4, "10.0.0.1", "10.0.0.3", T0 + S(5),
	    T0 + S(6));
	struct gf_record acc;
	uint8_t *frozen = calloc(gf_nfields, 1);

	a.u.flow.src.pkts = 1; a.u.flow.dst.pkts = 0;
	a.u.flow.flgs = GF_F_SIMPLEX | GF_F_MIDSTREAM;
	b.u.flow.src.pkts = 4; b.u.flow.dst.pkts = 3;
	b.u.flow.flgs = GF_F_SLOSS;
	u1.u.flow.src.pkts = 2; u1.u.flow.dst.pkts = 0;
	u1.u.flow.flgs = GF_F_SIMPLEX;
	u2.u.flow.src.pkts = 3; u2.u.flow.dst.pkts = 0;
	u2.u.flow.flgs = GF_F_SIMPLEX;
	CHECK(merge_plan_init(&p, GF_RT_FLOW, NULL) == 0);
	acc = a;
	merge_add(&p, &acc, &b);
	CHECK_U64(acc.u.flow.flgs, GF_F_MIDSTREAM | GF_F_SLOSS);
	/* the order of the parts does not matter */
	acc = b;
	merge_add(&p, &acc, &a);
	CHECK_U64(acc.u.flow.flgs, GF_F_MIDSTREAM | GF_F_SLOSS);
	acc = u1;
	merge_add(&p, &acc, &u2);
	CHECK_U64(acc.u.flow.flgs, GF_F_SIMPLEX);
	CHECK_U64(acc.u.flow.src.pkts, 5);
	/* no part simplex: a row never becomes simplex by merging */
	b.u.flow.dst.pkts = 0;
	acc = b;
	merge_add(&p, &acc, &b);
	CHECK_U64(acc.u.flow.flgs, GF_F_SLOSS);
	/* flgs as a key is not merged at all */
	frozen[gf_field_find_type("flgs", GF_RT_FLOW) - gf_fields] = 1;
	CHECK(merge_plan_init(&frozen_plan, GF_RT_FLOW, frozen) == 0);
	acc = a;
	merge_add(&frozen_plan, &acc, &b);
	CHECK_U64(acc.u.flow.flgs, GF_F_SIMPLEX | GF_F_MIDSTREAM);
	free(frozen);
}

/*
 * The distinct-flow set: 20000 flows of two runs, every other one
 * forgotten (backward-shift deletion must keep the rest findable), rows
 * counted once each, beyond the three inline ones too.
 */
TEST(flowset_exact)
{
	struct flowset *s = flowset_new();
	int ok = 1;

	for (uint64_t i = 0; i < 10000; i++) {
		ok &= flowset_add(s, 1, 100, i * 7919, 0) == 1;
		ok &= flowset_add(s, 2, 100, i * 7919, 0) == 1;
	}
	CHECK(ok);
	CHECK_U64(flowset_count(s), 20000);
	for (uint64_t i = 0; i < 10000; i += 2)
		ok &= flowset_forget(s, 1, 100, i * 7919) == 1;
	CHECK(ok);
	CHECK_U64(flowset_count(s), 15000);
	CHECK(flowset_forget(s, 1, 100, 0) == 0);       /* gone already */
	for (uint64_t i = 0; i < 10000; i++) {
		ok &= flowset_add(s, 1, 100, i * 7919, 0) == (i % 2 == 0);
		ok &= flowset_add(s, 2, 100, i * 7919, 0) == 0;
	}
	CHECK(ok);
	/* rows: 1..6 new once each, then all seen */
	for (uint64_t r = 1; r <= 6; r++)
		CHECK(flowset_add(s, 3, 5, 42, r) == 1);
	for (uint64_t r = 1; r <= 6; r++)
		CHECK(flowset_add(s, 3, 5, 42, r) == 0);
	CHECK(flowset_forget(s, 3, 5, 42) == 1);
	CHECK(flowset_add(s, 3, 5, 42, 1) == 1);        /* a new life */
	flowset_free(s);
}

/* A zero time is "none": the dst side of a simplex record never wins
 * MIN, and SUMs saturate instead of wrapping. */
TEST(merge_zero_times_and_saturation)
{
	struct merge_plan p;
	struct gf_record a = flow(1, "10.0.0.1", "10.0.0.2", T0 + S(5),
	    T0 + S(6));
	struct gf_record b = flow(1, "10.0.0.1", "10.0.0.2", T0 + S(7),
	    T0 + S(8));

	a.u.flow.dst.stime = a.u.flow.dst.ltime = 0;
	a.u.flow.src.gapev = UINT32_MAX - 1;
	b.u.flow.src.gapev = 5;
	b.u.flow.src.pkts = UINT64_MAX;
	a.u.flow.src.pkts = 2;
	merge_plan_init(&p, GF_RT_FLOW, NULL);
	merge_add(&p, &a, &b);
	CHECK_U64(a.u.flow.dst.stime, T0 + S(7));
	CHECK_U64(a.u.flow.src.gapev, UINT32_MAX);
	CHECK_U64(a.u.flow.src.pkts, UINT64_MAX);
}

/*
 * A record [10, 40] s with spkts 10, sbytes 1000, dgap 7 cut at 20 and
 * 30 s: three parts of 10 s each.  Cumulative shares: spkts
 * floor(10*10/30) = 3, floor(10*20/30) - 3 = 6 - 3 = 3, 10 - 6 = 4;
 * sbytes 333, 666 - 333 = 333, 1000 - 666 = 334; dgap 2, 4 - 2 = 2,
 * 7 - 4 = 3.  trans stays 1 in each part.
 */
TEST(split_three_parts_exact)
{
	struct merge_plan p;
	struct gf_record r = flow(1, "10.0.0.1", "10.0.0.2", T0 + S(10),
	    T0 + S(40));
	struct gf_record part[3];
	uint64_t cut[4] = { T0 + S(10), T0 + S(20), T0 + S(30), T0 + S(40) };
	uint64_t want_pkts[3] = { 3, 3, 4 }, want_bytes[3] = { 333, 333, 334 };
	uint64_t want_gap[3] = { 2, 2, 3 };

	r.u.flow.src.pkts = 10;
	r.u.flow.src.bytes = 1000;
	r.u.flow.dst.gap = 7;
	r.u.flow.dst.stime = T0 + S(25);        /* dst only in parts 2, 3 */
	merge_plan_init(&p, GF_RT_FLOW, NULL);
	for (int i = 0; i < 3; i++) {
		merge_part(&p, &r, cut[i], cut[i + 1], &part[i]);
		CHECK_U64(part[i].u.flow.src.pkts, want_pkts[i]);
		CHECK_U64(part[i].u.flow.src.bytes, want_bytes[i]);
		CHECK_U64(part[i].u.flow.dst.gap, want_gap[i]);
		CHECK_U64(part[i].u.flow.trans, 1);
		CHECK_U64(part[i].u.flow.stime, cut[i]);
		CHECK_U64(part[i].u.flow.ltime, cut[i + 1]);
	}
	CHECK_U64(part[0].u.flow.dst.stime, 0);
	CHECK_U64(part[1].u.flow.dst.stime, T0 + S(25));
	CHECK_U64(part[2].u.flow.dst.stime, T0 + S(30));
}

/* Huge counters and spans: parts still sum exactly (128-bit products). */
TEST(split_large_values_sum_exactly)
{
	struct merge_plan p;
	struct gf_record r = flow(1, "10.0.0.1", "10.0.0.2", 3, UINT64_MAX);
	uint64_t sum = 0, prev = 3;

	r.u.flow.src.bytes = UINT64_MAX - 12345;
	merge_plan_init(&p, GF_RT_FLOW, NULL);
	for (int i = 1; i <= 7; i++) {
		struct gf_record part;
		uint64_t to = i == 7 ? UINT64_MAX : 3 + (UINT64_MAX / 7) * i;
		merge_part(&p, &r, prev, to, &part);
		sum += part.u.flow.src.bytes;
		prev = to;
	}
	CHECK_U64(sum, UINT64_MAX - 12345);
}

/* -b 10s -m none over the 30 s record above: three bins, in time order,
 * whose counters sum to the record's. */
TEST(bins_split_record_over_three_bins)
{
	struct capture cap = { .n = 0 };
	struct sink out = { capture_put, &cap };
	struct gf_stream_info info = stream(1, T0, S(5), 0);
	struct gf_record r = flow(1, "10.0.0.1", "10.0.0.2", T0 + S(10),
	    T0 + S(40));
	struct agg_opts o;
	struct aggregate *a;

	r.u.flow.src.pkts = 10;
	r.u.flow.src.bytes = 1000;
	keys(&o, "none");
	o.binwidth = S(10);
	a = agg_new(&o, out);
	agg_begin_input(a, &info);
	agg_put(a, &r);
	agg_finish(a);
	CHECK(cap.n == 3);
	if (cap.n == 3) {
		CHECK_U64(cap.rec[0].u.flow.src.pkts, 3);
		CHECK_U64(cap.rec[1].u.flow.src.pkts, 3);
		CHECK_U64(cap.rec[2].u.flow.src.pkts, 4);
		CHECK_U64(cap.rec[0].u.flow.src.bytes +
		    cap.rec[1].u.flow.src.bytes + cap.rec[2].u.flow.src.bytes,
		    1000);
		CHECK_U64(cap.rec[0].u.flow.stime, T0 + S(10));
		CHECK_U64(cap.rec[2].u.flow.ltime, T0 + S(40));
	}
	CHECK_U64(stat_of(a).split, 1);
	agg_free(a);
}

/* A stream whose intervals are aligned to a divisor of the bin width:
 * records go whole to the bin of their start. */
TEST(bins_aligned_stream_not_split)
{
	struct capture cap = { .n = 0 };
	struct sink out = { capture_put, &cap };
	struct gf_stream_info info = stream(1, T0, S(5), GF_HDR_ALIGNED);
	struct gf_record r = flow(1, "10.0.0.1", "10.0.0.2", T0 + S(8),
	    T0 + S(12));
	struct agg_opts o;
	struct aggregate *a;

	r.u.flow.src.pkts = 10;
	keys(&o, "none");
	o.binwidth = S(10);
	a = agg_new(&o, out);
	agg_begin_input(a, &info);
	agg_put(a, &r);
	agg_finish(a);
	CHECK(cap.n == 1);
	CHECK_U64(cap.rec[0].u.flow.src.pkts, 10);
	CHECK_U64(stat_of(a).split, 0);
	agg_free(a);
}

/*
 * Streaming: with 5 s status intervals and 10 s bins, bin [0, 10) is
 * handed on once a record ends after 15 s, before the input ends.  A
 * record that then reaches into [0, 10) is late: merged into that bin
 * again (a second row) and counted; a packetless final record (an end
 * marker) goes to the oldest open bin instead.
 */
TEST(bins_stream_and_late_records)
{
	struct capture cap = { .n = 0 };
	struct sink out = { capture_put, &cap };
	struct gf_stream_info info = stream(1, T0, S(5), 0);
	struct gf_record r1 = flow(1, "10.0.0.1", "10.0.0.2", T0 + S(1),
	    T0 + S(4));
	struct gf_record r2 = flow(2, "10.0.0.1", "10.0.0.2", T0 + S(14),
	    T0 + S(16));
	struct gf_record late = flow(3, "10.0.0.1", "10.0.0.2", T0 + S(2),
	    T0 + S(3));
	struct gf_record marker = flow(1, "10.0.0.1", "10.0.0.2", T0 + S(4),
	    T0 + S(4));
	struct agg_opts o;
	struct aggregate *a;

	r1.u.flow.src.pkts = 1;
	r2.u.flow.src.pkts = 2;
	late.u.flow.src.pkts = 4;
	marker.u.flow.kind = GF_KIND_FINAL;
	keys(&o, "none");
	o.binwidth = S(10);
	a = agg_new(&o, out);
	agg_begin_input(a, &info);
	agg_put(a, &r1);
	CHECK(cap.n == 0);
	agg_put(a, &r2);        /* ends at 16: 16 - 5 = 11 closes [0, 10) */
	CHECK(cap.n == 1);
	CHECK_U64(cap.rec[0].u.flow.src.pkts, 1);
	agg_put(a, &late);
	agg_put(a, &marker);
	agg_finish(a);
	CHECK(cap.n == 3);
	if (cap.n == 3) {
		/* the late bin again, then [10, 20) with the marker */
		CHECK_U64(cap.rec[1].u.flow.src.pkts, 4);
		CHECK_U64(cap.rec[1].u.flow.stime, T0 + S(2));
		CHECK_U64(cap.rec[2].u.flow.src.pkts, 2);
		CHECK_U64(cap.rec[2].u.flow.trans, 2);
		CHECK_U64(cap.rec[2].u.flow.kind, GF_KIND_FINAL);
		CHECK_U64(cap.rec[2].u.flow.stime, T0 + S(10));
	}
	CHECK_U64(stat_of(a).late, 1);
	CHECK_U64(stat_of(a).moved, 1);
	agg_free(a);
}

/*
 * -m saddr/24: 10.1.2.3 and 10.1.2.200 share 10.1.2.0/24, 10.1.3.1 does
 * not.  The aggregate keeps the masked key and zeroes the identity
 * fields that are not keys (daddr, ports, proto, flowid).
 */
TEST(keys_saddr_prefix)
{
	struct capture cap = { .n = 0 };
	struct sink out = { capture_put, &cap };
	struct gf_stream_info info = stream(1, T0, S(5), 0);
	struct gf_record r[3] = {
		flow(1, "10.1.2.3", "192.0.2.1", T0 + S(1), T0 + S(2)),
		flow(2, "10.1.3.1", "192.0.2.1", T0 + S(1), T0 + S(2)),
		flow(3, "10.1.2.200", "192.0.2.9", T0 + S(3), T0 + S(4)),
	};
	struct agg_opts o;
	struct aggregate *a;
	char buf[64];

	r[0].u.flow.src.pkts = 1;
	r[1].u.flow.src.pkts = 10;
	r[2].u.flow.src.pkts = 100;
	keys(&o, "saddr/24");
	a = agg_new(&o, out);
	agg_begin_input(a, &info);
	for (int i = 0; i < 3; i++)
		agg_put(a, &r[i]);
	agg_finish(a);
	CHECK(cap.n == 2);
	gf_addr_format(&cap.rec[0].u.flow.saddr, buf, sizeof(buf));
	CHECK_STR(buf, "10.1.2.0");
	CHECK_U64(cap.rec[0].u.flow.src.pkts, 101);
	CHECK_U64(cap.rec[0].u.flow.trans, 2);
	CHECK_U64(cap.rec[0].u.flow.daddr.family, 0);
	CHECK_U64(cap.rec[0].u.flow.dport, 0);
	CHECK_U64(cap.rec[0].u.flow.proto, 0);
	CHECK_U64(cap.rec[0].u.flow.flowid, 0);
	CHECK_U64(cap.rec[0].u.flow.stime, T0 + S(1));
	CHECK_U64(cap.rec[0].u.flow.ltime, T0 + S(4));
	gf_addr_format(&cap.rec[1].u.flow.saddr, buf, sizeof(buf));
	CHECK_STR(buf, "10.1.3.0");
	CHECK_U64(cap.rec[1].u.flow.src.pkts, 10);
	agg_free(a);
}

/* Two keys, one of them a protocol: the key values stay, the rest is
 * zeroed; an IPv6 address with /24 keeps its first 24 bits. */
TEST(keys_two_fields_and_ipv6)
{
	struct capture cap = { .n = 0 };
	struct sink out = { capture_put, &cap };
	struct gf_stream_info info = stream(1, T0, S(5), 0);
	struct gf_record r[3] = {
		flow(1, "fd77::1", "fd77::2", T0 + S(1), T0 + S(2)),
		flow(2, "fd77:ff::1", "fd77::3", T0 + S(1), T0 + S(2)),
		flow(3, "fd77::1", "fd77::2", T0 + S(1), T0 + S(2)),
	};
	struct agg_opts o;
	struct aggregate *a;
	char buf[64];

	r[2].u.flow.proto = 17;
	keys(&o, "saddr/24,proto");
	a = agg_new(&o, out);
	agg_begin_input(a, &info);
	for (int i = 0; i < 3; i++)
		agg_put(a, &r[i]);
	agg_finish(a);
	CHECK(cap.n == 2);
	gf_addr_format(&cap.rec[0].u.flow.saddr, buf, sizeof(buf));
	CHECK_STR(buf, "fd77::");
	CHECK_U64(cap.rec[0].u.flow.proto, 6);
	CHECK_U64(cap.rec[0].u.flow.trans, 2);
	CHECK_U64(cap.rec[1].u.flow.proto, 17);
	agg_free(a);
}

/*
 * -m flow: one flow per (sensor id, stream start, flowid).  A flow is
 * handed on when its final record arrives; the same flowid of another
 * sensor run stays separate; a flow never finished comes at the end.
 */
TEST(flow_streaming_and_run_identity)
{
	struct capture cap = { .n = 0 };
	struct sink out = { capture_put, &cap };
	struct gf_stream_info run1 = stream(1, T0, S(5), 0);
	struct gf_stream_info run2 = stream(1, T0 + S(3600), S(5), 0);
	struct gf_record a1 = flow(5, "10.0.0.1", "10.0.0.2", T0 + S(1),
	    T0 + S(2));
	struct gf_record a2 = a1, b1 = a1;
	struct agg_opts o;
	struct aggregate *a;

	a1.u.flow.src.pkts = 1;
	a2.u.flow.src.pkts = 2;
	a2.u.flow.kind = GF_KIND_FINAL;
	b1.u.flow.src.pkts = 40;
	keys(&o, "flow");
	a = agg_new(&o, out);
	agg_begin_input(a, &run1);
	agg_put(a, &a1);
	agg_begin_input(a, &run2);
	agg_put(a, &b1);                /* flowid 5 of another run */
	agg_begin_input(a, &run1);
	agg_put(a, &a2);                /* final: run 1's flow 5 is done */
	CHECK(cap.n == 1);
	CHECK_U64(cap.rec[0].u.flow.src.pkts, 3);
	CHECK_U64(cap.rec[0].u.flow.trans, 2);
	CHECK_U64(cap.rec[0].u.flow.kind, GF_KIND_FINAL);
	CHECK_U64(cap.rec[0].u.flow.flowid, 5);
	agg_finish(a);
	CHECK(cap.n == 2);
	CHECK_U64(cap.rec[1].u.flow.src.pkts, 40);
	CHECK_U64(stat_of(a).peak, 2);
	agg_free(a);
}

/* Option errors name the key. */
TEST(key_errors)
{
	struct agg_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	CHECK(agg_parse_keys(&o, "saddr,bogus", err, sizeof(err)) == -1);
	CHECK(strstr(err, "unknown key field 'bogus'") != NULL);
	memset(&o, 0, sizeof(o));
	CHECK(agg_parse_keys(&o, "dport/24", err, sizeof(err)) == -1);
	CHECK(strstr(err, "applies to addresses") != NULL);
	memset(&o, 0, sizeof(o));
	CHECK(agg_parse_keys(&o, "saddr/129", err, sizeof(err)) == -1);
	CHECK(strstr(err, "bad prefix length") != NULL);
	memset(&o, 0, sizeof(o));
	CHECK(agg_parse_keys(&o, "dur", err, sizeof(err)) == -1);
	CHECK(strstr(err, "computed") != NULL);
	memset(&o, 0, sizeof(o));
	CHECK(agg_parse_keys(&o, "flow,saddr", err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot be combined") != NULL);
	memset(&o, 0, sizeof(o));
	CHECK(agg_parse_keys(&o, "srcip,dstport", err, sizeof(err)) == 0);
	CHECK(o.nkeys == 2);
}

/* The table against a plain array: random inserts and removals keep
 * every live key findable (backward-shift deletion) and groups ordered. */
TEST(aggtab_random_against_reference)
{
	struct aggtab *t = aggtab_new(8, gf_record_size(GF_RT_FLOW));
	struct agg_group g;
	enum { N = 5000 };
	static uint8_t live[N];
	static struct agg_entry *ent[N];
	unsigned seed = 12345;
	size_t nlive = 0;

	agg_group_init(&g);
	memset(live, 0, sizeof(live));
	for (int step = 0; step < 60000; step++) {
		uint64_t k;
		int created;
		seed = seed * 1103515245u + 12345u;
		k = (seed >> 8) % N;
		if (live[k] && (seed & 1)) {
			aggtab_remove(t, ent[k], &g);
			live[k] = 0;
			nlive--;
			continue;
		}
		ent[k] = aggtab_get(t, &k, &g, &created);
		CHECK(created == !live[k]);
		if (created) {
			ent[k]->rec.u.flow.flowid = k;
			live[k] = 1;
			nlive++;
		}
		CHECK_U64(ent[k]->rec.u.flow.flowid, k);
	}
	CHECK_U64(aggtab_count(t), nlive);
	CHECK_U64(g.count, nlive);
	for (uint64_t k = 0; k < N; k++) {
		int created;
		if (!live[k])
			continue;
		CHECK(aggtab_get(t, &k, &g, &created) == ent[k]);
		CHECK(created == 0);
	}
	aggtab_free(t);
}

int
main(void)
{
	RUN(merge_three_records);
	RUN(merge_flags_recomputed);
	RUN(flowset_exact);
	RUN(merge_zero_times_and_saturation);
	RUN(split_three_parts_exact);
	RUN(split_large_values_sum_exactly);
	RUN(bins_split_record_over_three_bins);
	RUN(bins_aligned_stream_not_split);
	RUN(bins_stream_and_late_records);
	RUN(keys_saddr_prefix);
	RUN(keys_two_fields_and_ipv6);
	RUN(flow_streaming_and_run_identity);
	RUN(key_errors);
	RUN(aggtab_random_against_reference);
	return test_summary();
}
