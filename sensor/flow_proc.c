/*
 * flow_proc.c - the flow engine (see flow_proc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_proc.h"
#include "log.h"

static void feed_sample(void *ctx, int data_feed, int ack_feed,
    int64_t ack_minus_data);

/* Flags that describe the flow as a whole and survive a status cut. */
#define PERSISTENT_FLAGS (GF_F_MIDSTREAM | GF_F_SKEW | GF_F_REUSE | \
	GF_F_HOLES_FULL)

#define FRAG_TTL_NS (30ull * GF_NS_PER_SEC)

/* ---- flow lifetime: timeouts per class, emergency mode ----------------- */

void
flow_timeouts(const struct gf_config *cfg, uint64_t timeout[FC_COUNT])
{
	timeout[FC_TCP_SYN] = cfg->timeout_tcp_syn;
	timeout[FC_TCP_HALF] = cfg->timeout_tcp_half_open;
	timeout[FC_UDP_ONE] = timeout[FC_UDP] = cfg->timeout_udp;
	timeout[FC_ICMP_ONE] = timeout[FC_ICMP] = cfg->timeout_icmp;
	timeout[FC_OTHER_ONE] = timeout[FC_OTHER] = cfg->timeout_other;
	timeout[FC_TCP_CLOSED] = cfg->timeout_tcp_closed;
	timeout[FC_TCP_ONEWAY] = timeout[FC_TCP] = cfg->timeout_tcp;
}

/* Emergency mode shortens the timeouts of tier 0 (new flows with no
 * state worth keeping) to flows.emergency.timeout, never lengthens one.
 * No flow ends sooner than the skew tolerance after its last packet:
 * another input can still deliver one of its packets until then. */
static void
apply_timeouts(struct flow_proc *fp)
{
	for (int c = 0; c < FC_COUNT; c++) {
		uint64_t t = fp->timeout_base[c];
		if (fp->emergency && c < FC_TIER1 && fp->emerg_timeout < t)
			t = fp->emerg_timeout;
		fp->timeout[c] = t > fp->skew ? t : fp->skew;
	}
	fp->expire_at = 0;      /* a shorter timeout: look again */
}

void
flow_proc_set_timeouts(struct flow_proc *fp, const uint64_t timeout[FC_COUNT])
{
	memcpy(fp->timeout_base, timeout, sizeof(fp->timeout_base));
	apply_timeouts(fp);
}

/* Flows in a table of max flows at pct percent, rounded up. */
static uint32_t
water_mark(uint32_t max, uint64_t pct)
{
	return (uint32_t)(((uint64_t)max * pct + 99) / 100);
}

static void
emergency_init(struct flow_proc *fp, const struct gf_config *cfg)
{
	uint64_t hi = cfg->emergency_high, lo = cfg->emergency_low;

	if (lo >= hi) {
		gf_warn("flows.emergency.low_water %llu is not below "
		    "flows.emergency.high_water %llu; using %llu",
		    (unsigned long long)lo, (unsigned long long)hi,
		    (unsigned long long)(hi - 1));
		lo = hi - 1;
	}
	fp->emerg_hi = water_mark(fp->table.max, hi);
	fp->emerg_lo = water_mark(fp->table.max, lo);
	fp->emerg_timeout = cfg->emergency_timeout;
	flow_timeouts(cfg, fp->timeout_base);
	apply_timeouts(fp);
}

static void
fmt_secs(uint64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%llu.%03llu s", (unsigned long long)(ns /
	    GF_NS_PER_SEC), (unsigned long long)(ns % GF_NS_PER_SEC / 1000000));
}

/*
 * Enter emergency mode when the table holds flows.emergency.high_water
 * percent of its capacity, leave it below low_water percent: the gap
 * between the two keeps entries rare, so each is counted (SENSOR emergin,
 * emergout) and said on stderr.  Checked after every expiry pass, that is
 * before every packet: one comparison while nothing changes.
 */
static void
emergency_update(struct flow_proc *fp, uint64_t now)
{
	uint32_t used = fp->table.used;
	char t[32], d[32];

	if (!fp->emergency) {
		if (used < fp->emerg_hi)
			return;
		fp->emergency = 1;
		fp->emerg_since = now;
		fp->emerg_evicted = fp->evicted_total;
		fp->st.emergin++;
		apply_timeouts(fp);
		fmt_secs(fp->emerg_timeout, t, sizeof(t));
		gf_warn("flow table holds %u of %u flows (high-water mark "
		    "%u): emergency mode, new flows with no state worth "
		    "keeping time out after %s", used, fp->table.max,
		    fp->emerg_hi, t);
	} else if (used < fp->emerg_lo) {
		fp->emergency = 0;
		fp->st.emergout++;
		apply_timeouts(fp);
		fmt_secs(now - fp->emerg_since, d, sizeof(d));
		gf_warn("flow table down to %u of %u flows (low-water mark "
		    "%u): emergency mode left after %s, %llu flows evicted "
		    "during it", used, fp->table.max, fp->emerg_lo, d,
		    (unsigned long long)(fp->evicted_total -
		    fp->emerg_evicted));
	}
}

int
flow_proc_init(struct flow_proc *fp, const struct gf_config *cfg,
    flow_sink_fn sink, void *sink_ctx)
{
	uint64_t maxf = cfg->max_flows;

	memset(fp, 0, sizeof(*fp));
	if (maxf > FLOW_TABLE_MAX) {
		gf_warn("flows.max_flows %llu is more than the flow table "
		    "holds; using %u", (unsigned long long)maxf,
		    (unsigned)FLOW_TABLE_MAX);
		maxf = FLOW_TABLE_MAX;
	}
	if (flow_table_init(&fp->table, (uint32_t)maxf) != 0)
		return -1;
	/* one hole list header per four flows: holes are rare and
	 * short-lived; the nodes are a pool of their own */
	if (tcp_ctx_init(&fp->tcp, (uint32_t)(maxf / 4 + 64),
	    (uint32_t)cfg->hole_pool, (uint32_t)cfg->max_holes,
	    cfg->reorder_window, cfg->handshake_skew,
	    cfg->simplex_hole_timeout) != 0) {
		flow_table_free(&fp->table);
		return -1;
	}
	fp->tcp.feeds = feed_sample;
	fp->tcp.feeds_ctx = fp;
	fp->dup_us = (uint32_t)(cfg->dup_window / 1000);
	if (fp->dup_us > 0 && ((fp->dups = calloc(1, sizeof(*fp->dups))) ==
	    NULL || (fp->dupcnt = calloc((size_t)maxf * 2,
	    sizeof(*fp->dupcnt))) == NULL)) {
		flow_proc_free(fp);
		return -1;
	}
	fp->frags = malloc(sizeof(*fp->frags));
	if (fp->frags == NULL) {
		flow_proc_free(fp);
		return -1;
	}
	frag_init(fp->frags, FRAG_TTL_NS);
	if (flow_frame_init(fp, cfg) != 0) {
		flow_proc_free(fp);
		return -1;
	}
	fp->sink = sink;
	fp->sink_ctx = sink_ctx;
	fp->skew = cfg->handshake_skew;
	emergency_init(fp, cfg);
	fp->interval = cfg->status_interval ? cfg->status_interval :
	    5 * GF_NS_PER_SEC;
	fp->sensor_interval = cfg->sensor_interval ? cfg->sensor_interval :
	    fp->interval;
	fp->align = cfg->align_intervals;
	fp->key_vlan = cfg->key_vlan;
	fp->sensor_id = cfg->sensor_id;
	fp->nsources = (uint32_t)(cfg->nfiles + cfg->nifaces);
	return 0;
}

void
flow_proc_free(struct flow_proc *fp)
{
	flow_table_free(&fp->table);
	tcp_ctx_free(&fp->tcp);
	free(fp->frags);
	fp->frags = NULL;
	free(fp->dups);
	fp->dups = NULL;
	flow_frame_free(fp);
	free(fp->dupcnt);
	fp->dupcnt = NULL;
}

/* ---- records ------------------------------------------------------------ */

static void
emit(struct flow_proc *fp, const struct gf_record *r)
{
	fp->total_records++;
	if (r->type == GF_RT_FLOW)
		fp->st.records++;
	fp->sink(fp->sink_ctx, r);
}

static int
icmp_echo_key(const struct flow *f)
{
	return (f->key.proto == 1 || f->key.proto == 58) && f->key.port_a == 0;
}

static void
fill_dir(const struct flow *f, int x, struct gf_dir *o)
{
	const struct flow_dir *d = &f->d[x];
	o->ipbytes = d->ipbytes;
	o->pkts = d->pkts;
	o->bytes = d->bytes;
	o->appbytes = d->appbytes;
	o->stime = d->pkts ? d->first : 0;
	o->ltime = d->pkts ? d->last : 0;
	o->gap = d->gap;
	o->lossbytes = d->lossbytes;
	o->ackbytes = d->ackbytes;
	o->gapev = d->gapev;
	o->loss = d->loss;
	o->ooo = d->ooo;
	o->ackev = d->ackev;
	o->win = tcp_window(f, x);
	o->mss = d->tcp.mss;
	o->flags = d->flags;
	o->wscale = d->tcp.wscale;
}

static void
record_of(struct flow_proc *fp, const struct flow *f, int kind, int end,
    struct gf_record *r)
{
	struct gf_flow *o = &r->u.flow;
	size_t alen = f->key.family == 4 ? 4 : 16;
	int a_is_src = f->src_is_a;

	memset(r, 0, sizeof(*r));
	r->type = GF_RT_FLOW;
	o->kind = (uint8_t)kind;
	o->endreason = (uint8_t)end;
	o->orient = f->orient;
	o->proto = f->key.proto;
	o->vlan = flow_vlan_of(f, a_is_src);
	o->dvlan = flow_vlan_of(f, !a_is_src);
	o->tunid = flow_tunid_of(&fp->tags, &fp->table, f);
	o->encaps = f->encaps;
	o->seq = f->recno;
	o->flgs = f->flgs;
	o->frags = f->frags;
	o->icmperr = f->icmperr;
	o->trans = 1;
	o->flowid = flow_id(&fp->table, f);
	o->fstime = f->fstime;
	o->synack = f->synack;
	o->ackdat = f->ackdat;
	o->saddr.family = o->daddr.family = f->key.family;
	memcpy(o->saddr.a, a_is_src ? f->key.a : f->key.b, alen);
	memcpy(o->daddr.a, a_is_src ? f->key.b : f->key.a, alen);
	if (icmp_echo_key(f)) {
		o->sport = f->key.family == 4 ? 8 : 128;
		o->dport = f->key.port_b;
	} else if (f->key.proto == 1 || f->key.proto == 58) {
		o->sport = f->key.port_a;
		o->dport = f->key.port_b;
	} else {
		o->sport = a_is_src ? f->key.port_a : f->key.port_b;
		o->dport = a_is_src ? f->key.port_b : f->key.port_a;
	}
	fill_dir(f, 0, &o->src);
	fill_dir(f, 1, &o->dst);
	if (fp->any_dups) {
		o->src.dups = fp->dupcnt[2 * (size_t)flow_index(&fp->table, f)];
		o->dst.dups = fp->dupcnt[2 *
		    (size_t)flow_index(&fp->table, f) + 1];
	}
	if (!f->d[0].seen || !f->d[1].seen)
		o->flgs |= GF_F_SIMPLEX;
	/* record time span: first and last packet of the interval */
	if (o->src.pkts && o->dst.pkts) {
		o->stime = o->src.stime < o->dst.stime ? o->src.stime : o->dst.stime;
		o->ltime = o->src.ltime > o->dst.ltime ? o->src.ltime : o->dst.ltime;
	} else if (o->src.pkts) {
		o->stime = o->src.stime;
		o->ltime = o->src.ltime;
	} else if (o->dst.pkts) {
		o->stime = o->dst.stime;
		o->ltime = o->dst.ltime;
	} else {
		o->stime = o->ltime = flow_last(f);
	}
	if (f->key.proto == 6) {
		o->state = f->state;
	} else {
		o->state = f->d[0].seen && f->d[1].seen ? GF_ST_CON : GF_ST_INT;
	}
}

/* Zero the interval counters; sequence state stays. */
static void
cut_counters(struct flow *f)
{
	for (int x = 0; x < 2; x++) {
		struct flow_dir *d = &f->d[x];
		d->first = 0;
		d->pkts = d->bytes = d->appbytes = 0;
		d->gap = d->lossbytes = d->ackbytes = 0;
		d->ackev = d->ipbytes = 0;
		d->loss = d->ooo = d->gapev = 0;
		d->flags = 0;
	}
	f->frags = f->icmperr = 0;
	f->flgs &= PERSISTENT_FLAGS;
}

static void
emit_flow(struct flow_proc *fp, struct flow *f, int kind, int end,
    uint64_t now)
{
	struct gf_record r;

	if (f->key.proto == 6)
		tcp_commit(&fp->tcp, f, now, kind == GF_KIND_FINAL);
	record_of(fp, f, kind, end, &r);
	if (r.u.flow.src.gap || r.u.flow.dst.gap)
		fp->st.gapflows++;
	if (r.u.flow.flgs & GF_F_SIMPLEX)
		fp->st.simplexflows++;
	emit(fp, &r);
	f->recno++;
	f->report_held = 0;
	cut_counters(f);
	if (fp->any_dups) {
		uint32_t *dc = &fp->dupcnt[2 * (size_t)flow_index(&fp->table,
		    f)];
		if ((dc[0] | dc[1]) != 0)
			dc[0] = dc[1] = 0;
	}
}

static int
end_reason_of(const struct flow *f)
{
	if (f->key.proto == 6) {
		if (f->state == GF_ST_RST)
			return GF_END_RST;
		if (f->state == GF_ST_CLO)
			return GF_END_FIN;
	}
	return GF_END_IDLE;
}

static void
end_flow(struct flow_proc *fp, struct flow *f, int reason, uint64_t now)
{
	emit_flow(fp, f, GF_KIND_FINAL, reason, now);
	tcp_release(&fp->tcp, f);
	flow_table_remove(&fp->table, f);
}

/* ---- clock: expiry and reports ----------------------------------------- */

/*
 * End the flows idle for their class's timeout at now.  fp->expire_at is
 * a lower bound on the next expiry: each class's list head expires first
 * in its class, a packet only moves its flow later or into a class it
 * then bounds (touch()), and a timeout change clears it; so the lists are
 * looked at only when something can have expired, not at every packet.
 */
static void
expire(struct flow_proc *fp, uint64_t now)
{
	if (now >= fp->expire_at) {
		fp->expire_at = UINT64_MAX;
		for (int c = 0; c < FC_COUNT; c++) {
			struct flow *f;
			while ((f = flow_lru_head(&fp->table, c)) != NULL) {
				uint64_t at = flow_last(f) + fp->timeout[c];
				if (at > now) {
					if (at < fp->expire_at)
						fp->expire_at = at;
					break;
				}
				end_flow(fp, f, end_reason_of(f), at);
			}
		}
	}
	emergency_update(fp, now);
}

/* ---- clock offsets between inputs ---------------------------------------- */

/* An ACK on input ack_feed came ack_minus_data ns (by the two clocks)
 * after the data on input data_feed that it acknowledges: the true times
 * are in that order, so (ack input's clock) - (data input's clock) is
 * at most ack_minus_data. */
static void
feed_sample(void *ctx, int data_feed, int ack_feed, int64_t ack_minus_data)
{
	struct flow_proc *fp = ctx;
	struct feed_bounds *b;
	if (data_feed >= FP_FEEDS || ack_feed >= FP_FEEDS)
		return;
	if (ack_feed > data_feed) {
		b = &fp->feeds[data_feed][ack_feed];
		if (!b->have_upper || ack_minus_data < b->upper)
			b->upper = ack_minus_data;
		b->have_upper = 1;
	} else {
		b = &fp->feeds[ack_feed][data_feed];
		if (!b->have_lower || -ack_minus_data > b->lower)
			b->lower = -ack_minus_data;
		b->have_lower = 1;
	}
}

static void
fmt_ms(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.3f ms", (double)ns / 1e6);
}

/* The interval's largest measured offset into s (and a warning, once per
 * pair, when it is more than the skew tolerance). */
static void
feed_report(struct flow_proc *fp, struct gf_sensor *s)
{
	uint64_t best = 0;
	for (int i = 0; i < FP_FEEDS; i++) {
		for (int j = i + 1; j < FP_FEEDS; j++) {
			struct feed_bounds *b = &fp->feeds[i][j];
			int64_t mid;
			uint64_t mag;
			if (!b->have_lower || !b->have_upper)
				continue;
			mid = b->lower / 2 + b->upper / 2;
			mag = mid < 0 ? (uint64_t)-mid : (uint64_t)mid;
			if (mag >= best) {
				best = mag;
				s->feedoff = mag;
				s->feedlate = (uint32_t)(mid >= 0 ? j + 1 : i + 1);
				s->feedref = (uint32_t)(mid >= 0 ? i + 1 : j + 1);
			}
			if (mag > fp->skew && !fp->feed_warned[i][j]) {
				char a[32], t[32], need[32];
				fp->feed_warned[i][j] = 1;
				fmt_ms(a, sizeof(a), mag);
				fmt_ms(t, sizeof(t), fp->skew);
				/* the offset plus what it may still grow */
				fmt_ms(need, sizeof(need), mag + mag / 4 + 1000000);
				gf_warn("input %d's timestamps are %s %s than "
				    "input %d's, more than tcp.handshake_skew "
				    "(%s) tolerates: raise tcp.handshake_skew "
				    "to at least %s", mid >= 0 ? j + 1 : i + 1,
				    a, "later", mid >= 0 ? i + 1 : j + 1, t,
				    need);
			}
		}
	}
	memset(fp->feeds, 0, sizeof(fp->feeds));
}

/* ---- SENSOR records ------------------------------------------------------- */

/* The SENSOR interval ending at 'end' is over: its counters wait one skew
 * tolerance for ACK figures still to be taken back. */
static void emit_pending(struct flow_proc *fp);

static void
close_sensor(struct flow_proc *fp, uint64_t end)
{
	if (fp->sensor_pending)
		emit_pending(fp);
	fp->st.stime = fp->sensor_start;
	fp->st.ltime = end;
	fp->st.flows = fp->table.used;
	fp->st.sensorid = fp->sensor_id;
	fp->st.ifaces = fp->nsources;
	feed_report(fp, &fp->st);
	if (fp->stats_hook != NULL)
		fp->stats_hook(fp->stats_ctx, &fp->st);
	fp->pst = fp->st;
	memset(&fp->st, 0, sizeof(fp->st));
	tcp_stats_close(&fp->tcp);
	fp->sensor_pending = 1;
	fp->sensor_due = end + fp->skew;
	fp->sensor_start = end;
}

static void
emit_pending(struct flow_proc *fp)
{
	struct gf_record r;
	struct gf_sensor *s = &r.u.sensor;

	memset(&r, 0, sizeof(r));
	r.type = GF_RT_SENSOR;
	*s = fp->pst;
	s->ackev = fp->tcp.pst.ackev;
	s->gapev = fp->tcp.pst.gapev;
	s->ackbytes = fp->tcp.pst.ackbytes;
	s->gapbytes = fp->tcp.pst.gapbytes;
	s->holesfull = fp->tcp.pst.holesfull;
	s->ackbad = fp->tcp.pst.ackbad;
	fp->sensor_pending = 0;
	fp->tcp.pending = 0;
	emit(fp, &r);
}

/*
 * Status records for every flow with packets since 'since'.
 *
 * A TCP flow known closed (both FINs, or a RST) that will end before the
 * next boundary is not reported here: its FINAL record carries the
 * interval's counts, so that a connection that closes within one
 * interval is one record and not a STATUS followed by an empty FINAL,
 * and no record comes more than an interval late (what gapdump -b holds
 * bins open for).
 * Should a packet come first, the held report is written before the
 * packet is counted (flow_proc_packet), so no record spans a boundary.
 */
static void
report(struct flow_proc *fp, uint64_t since, uint64_t at)
{
	for (int c = 0; c < FC_COUNT; c++) {
		struct flow *f = flow_lru_tail(&fp->table, c);
		while (f != NULL && flow_last(f) >= since) {
			struct flow *prev = flow_lru_prev(&fp->table, f);
			if (c == FC_TCP_CLOSED &&
			    flow_last(f) + fp->timeout[c] <= at + fp->interval)
				f->report_held = 1;
			else
				emit_flow(fp, f, GF_KIND_STATUS, GF_END_NONE,
				    at);
			f = prev;
		}
	}
}

static uint64_t
next_boundary(uint64_t t, uint64_t step, int align, uint64_t origin)
{
	if (align)
		return (t / step + 1) * step;
	return origin + ((t - origin) / step + 1) * step;
}

static void
start_clock(struct flow_proc *fp, uint64_t t)
{
	fp->started = 1;
	fp->sensor_start = t;
	fp->next_report = next_boundary(t, fp->interval, fp->align, t);
	fp->next_sensor = next_boundary(t, fp->sensor_interval, fp->align, t);
}

static void
advance_clock(struct flow_proc *fp, uint64_t now)
{
	if (!fp->started)
		start_clock(fp, now);
	if (now < fp->now)
		now = fp->now;  /* a source a little behind: keep time monotonic */
	fp->now = now;
	for (;;) {
		if (fp->sensor_pending && now >= fp->sensor_due &&
		    fp->sensor_due <= fp->next_report &&
		    fp->sensor_due <= fp->next_sensor) {
			emit_pending(fp);
		} else if (now >= fp->next_report &&
		    fp->next_report <= fp->next_sensor) {
			uint64_t b = fp->next_report;
			expire(fp, b);
			report(fp, b - fp->interval, b);
			fp->next_report = now >= b + fp->interval ?
			    next_boundary(now, fp->interval, fp->align,
			    b - fp->interval) : b + fp->interval;
		} else if (now >= fp->next_sensor) {
			uint64_t b = fp->next_sensor;
			expire(fp, b);
			close_sensor(fp, b);
			fp->next_sensor = now >= b + fp->sensor_interval ?
			    next_boundary(now, fp->sensor_interval, fp->align,
			    b - fp->sensor_interval) : b + fp->sensor_interval;
		} else {
			break;
		}
	}
	expire(fp, now);
}

void
flow_proc_tick(struct flow_proc *fp, uint64_t now)
{
	if (fp->started)
		advance_clock(fp, now);
}

/* ---- per packet --------------------------------------------------------- */

/*
 * The class of f after a packet (flow.h): its timeout and eviction tier.
 * Called per packet: reads only the flow.  "One packet" is recno 0 with
 * one packet counted, since the first interval counts every packet.
 */
static int
class_of(const struct flow *f)
{
	int one = f->recno == 0 && f->d[0].pkts + f->d[1].pkts == 1;

	switch (f->key.proto) {
	case 6:
		switch (f->state) {
		case GF_ST_CLO:
		case GF_ST_RST:
			return FC_TCP_CLOSED;
		case GF_ST_REQ:
			return FC_TCP_SYN;
		case GF_ST_ACC:
			return FC_TCP_HALF;
		default:
			if (one)
				return FC_TCP_HALF;
			return f->d[0].seen && f->d[1].seen ? FC_TCP :
			    FC_TCP_ONEWAY;
		}
	case 17:
		return one ? FC_UDP_ONE : FC_UDP;
	case 1:
	case 58:
		return one ? FC_ICMP_ONE : FC_ICMP;
	default:
		return one ? FC_OTHER_ONE : FC_OTHER;
	}
}

/* After a packet at ts: f to the tail of its class's list, and the
 * bound on the next expiry (expire()) no later than f's. */
static void
touch(struct flow_proc *fp, struct flow *f, uint64_t ts)
{
	int c = class_of(f);
	uint64_t at = ts + fp->timeout[c];

	flow_lru_touch(&fp->table, f, c);
	if (at < fp->expire_at)
		fp->expire_at = at;
}

/*
 * Make room: evict the least recently active flow of the first tier that
 * has one (flow.h), so that a flood of new flows evicts its own kind and
 * established TCP flows go last.
 */
static void
evict_one(struct flow_proc *fp)
{
	static const int tier_end[] = { FC_TIER1, FC_TIER2, FC_COUNT };
	struct flow *victim = NULL;
	int c = 0;

	for (size_t i = 0; i < sizeof(tier_end) / sizeof(tier_end[0]) &&
	    victim == NULL; i++) {
		for (; c < tier_end[i]; c++) {
			struct flow *f = flow_lru_head(&fp->table, c);
			if (f != NULL && (victim == NULL ||
			    flow_last(f) < flow_last(victim)))
				victim = f;
		}
	}
	if (victim != NULL) {
		fp->st.evicted++;
		fp->evicted_total++;
		end_flow(fp, victim, GF_END_EVICTED, fp->now);
	}
}

static void
swap_dirs(struct flow_proc *fp, struct flow *f)
{
	if (fp->any_dups) {
		uint32_t *dc = &fp->dupcnt[2 * (size_t)flow_index(&fp->table,
		    f)], t = dc[0];
		dc[0] = dc[1];
		dc[1] = t;
	}
	struct flow_dir tmp = f->d[0];
	f->d[0] = f->d[1];
	f->d[1] = tmp;
	f->src_is_a = !f->src_is_a;
}

/* Choose src for a new flow from its first packet (sent by endpoint a
 * if from_a). */
static void
orient_new(struct flow *f, const struct gf_packet *p, int from_a)
{
	int sender_is_src = 1;

	f->orient = GF_ORIENT_UNKNOWN;
	if (p->proto == 6) {
		uint8_t fl = p->tcpflags & (GF_TH_SYN | GF_TH_ACK | GF_TH_RST);
		if (fl == GF_TH_SYN) {
			f->orient = GF_ORIENT_SYN;
		} else if (fl == (GF_TH_SYN | GF_TH_ACK)) {
			f->orient = GF_ORIENT_SYNACK;
			sender_is_src = 0;
		} else {
			f->flgs |= GF_F_MIDSTREAM;
			if (p->sport < 1024 && p->dport >= 1024) {
				f->orient = GF_ORIENT_PORT;
				sender_is_src = 0;
			} else if (p->dport < 1024 && p->sport >= 1024) {
				f->orient = GF_ORIENT_PORT;
			}
		}
	} else if (p->proto == 1 || p->proto == 58) {
		/* an echo reply seen first: its receiver asked */
		if ((p->family == 4 && p->icmp_type == 0) ||
		    (p->family == 6 && p->icmp_type == 129))
			sender_is_src = 0;
	}
	f->src_is_a = (uint8_t)(sender_is_src ? from_a : !from_a);
}

/*
 * A handshake packet seen after the flow began (two tap feeds with skew):
 * within the skew tolerance, and before a record fixed the orientation,
 * it decides src — swapping directions if the SYN came from dst or the
 * SYN-ACK from src — and raises the orientation's confidence.
 */
static int
orient_fix(struct flow_proc *fp, struct flow *f, int dir,
    const struct gf_packet *p)
{
	uint8_t fl = p->tcpflags & (GF_TH_SYN | GF_TH_ACK | GF_TH_RST);
	int target, wrong;

	if (fl == GF_TH_SYN) {
		target = GF_ORIENT_SYN;
		wrong = dir == 1;
	} else if (fl == (GF_TH_SYN | GF_TH_ACK)) {
		target = GF_ORIENT_SYNACK;
		wrong = dir == 0;
	} else {
		return dir;
	}
	if (f->orient >= target || f->recno != 0 ||
	    p->ts > f->fstime + fp->skew)
		return dir;
	if (wrong) {
		swap_dirs(fp, f);
		dir = !dir;
	}
	f->orient = (uint8_t)target;
	f->flgs |= GF_F_SKEW;
	f->flgs &= ~GF_F_MIDSTREAM;
	return dir;
}

/* Counters would not hold one more packet: cut a record now.  Counters
 * and lengths all below 2^31 (nearly always) cannot wrap with one packet,
 * nor the 16-bit ones below 2^15. */
static int
near_wrap(const struct flow_dir *d, const struct gf_packet *p)
{
	const uint32_t big = UINT32_MAX - (1u << 31);
	if (((d->pkts | d->bytes | d->appbytes | d->ipbytes | d->gap |
	    d->ackbytes | d->lossbytes | d->ackev | p->wire_len | p->payload |
	    p->ip_len) >> 31) == 0 && ((d->loss | d->ooo | d->gapev) >> 15) == 0)
		return 0;
	return d->pkts == UINT32_MAX || d->bytes > UINT32_MAX - p->wire_len ||
	    d->appbytes > UINT32_MAX - p->payload || d->gap > big ||
	    d->ackbytes > big || d->lossbytes > big ||
	    d->loss == UINT16_MAX || d->ooo == UINT16_MAX ||
	    d->gapev == UINT16_MAX || d->ackev > big ||
	    d->ipbytes > UINT32_MAX - p->ip_len;
}

static struct flow *
new_flow(struct flow_proc *fp, const struct flow_key *k, uint64_t h,
    const struct gf_packet *p, int from_a)
{
	struct flow *f = flow_table_insert(&fp->table, k, h);
	if (f == NULL) {
		evict_one(fp);
		f = flow_table_insert(&fp->table, k, h);
		if (f == NULL)
			return NULL;
	}
	fp->st.newflows++;
	f->fstime = p->ts;
	f->d[0].last = f->d[1].last = p->ts;
	tcp_flow_init(f);
	orient_new(f, p, from_a);
	return f;
}

static void
count_packet(struct flow *f, int dir, const struct gf_packet *p)
{
	struct flow_dir *d = &f->d[dir];
	if (d->pkts == 0)
		d->first = p->ts;
	d->last = p->ts;
	d->pkts++;
	d->bytes += p->wire_len;
	d->appbytes += p->payload;
	d->ipbytes += p->ip_len;
	d->seen = 1;
	if (p->proto == 6 && p->frag != GF_FRAG_LATER)
		d->flags |= p->tcpflags;
	f->encaps |= p->encaps;
	if (p->ipopts)
		f->flgs |= GF_F_IPOPT;
	if (p->frag != GF_FRAG_NONE) {
		f->frags++;
		f->flgs |= GF_F_FRAG;
	}
}

/*
 * SPAN duplicates.  A packet's signature mixes its flow (the key's hash),
 * the endpoint that sent it, and what differs between two packets of one
 * flow: sequence and acknowledgment numbers, IPv4 id, the transport
 * checksum (standing for the payload), length and flags.  So a
 * retransmission whose bytes, IPv4 id or TCP timestamp differ is no
 * duplicate.  The signature is known before the flow lookup, so the
 * cache set is fetched while the lookup runs.  0: never a duplicate.
 */
static uint64_t
dup_sig(uint64_t keyhash, int from_a, const struct gf_packet *p)
{
	uint64_t h;

	/* two equal pure ACKs from an IPv4 sender whose ids are 0 are
	 * likelier a receiver's duplicate ACKs than one frame copied: with
	 * nothing to tell them apart, both count */
	if (p->proto == 6 && p->payload == 0 && p->family == 4 &&
	    p->ipid == 0 && !(p->tcpflags & (GF_TH_SYN | GF_TH_FIN |
	    GF_TH_RST)))
		return 0;
	/* each part spread by its own odd constant: the high half of the
	 * sum depends on every input bit (the tag), bits 20 to 31 on the low
	 * halves (the set) */
	h = (keyhash ^ (unsigned)from_a) * 0x9e3779b97f4a7c15ULL;
	h ^= ((uint64_t)p->seq << 32 | p->ack) * 0xc2b2ae3d27d4eb4fULL;
	h ^= ((uint64_t)p->ipid | (uint64_t)p->l4sum << 16 |
	    (uint64_t)p->payload << 32) * 0x165667b19e3779f9ULL;
	h ^= ((uint64_t)p->tcpflags | (uint64_t)p->frag << 8 |
	    (uint64_t)p->icmp_type << 16) * 0x27d4eb2f165667c5ULL;
	return h | 1;
}

static uint64_t *
dup_set(const struct flow_proc *fp, uint64_t sig)
{
	return fp->dups->e[(sig >> 20) & (DUP_SETS - 1)];
}

/* Whether the packet with signature sig, seen at ts, repeats one seen
 * within the duplicate window (a SPAN copy); if not, remember it. */
static int
is_dup(struct flow_proc *fp, uint64_t sig, uint64_t ts)
{
	uint64_t *set = dup_set(fp, sig);
	uint32_t tag = (uint32_t)(sig >> 32) | 1, nowus = (uint32_t)(ts / 1000);
	uint32_t oldest_age = 0;
	int oldest = 0;

	if (sig == 0)
		return 0;
	for (int w = 0; w < DUP_WAYS; w++) {
		uint64_t e = set[w];
		uint32_t age = e != 0 ? nowus - (uint32_t)e : UINT32_MAX;
		if ((uint32_t)(e >> 32) == tag && age <= fp->dup_us) {
			set[w] = 0;     /* a third copy is a packet again */
			return 1;
		}
		if (age >= oldest_age) {        /* empty ways first */
			oldest_age = age;
			oldest = w;
		}
	}
	set[oldest] = (uint64_t)tag << 32 | nowus;
	return 0;
}

static void
icmp_error(struct flow_proc *fp, const struct gf_packet *p, int *handled)
{
	struct flow_key k;
	int from_a;
	struct flow *f;

	*handled = 0;
	if (p->quoted.family == 0)
		return;
	flow_key_quoted(p, &k, &from_a);
	flow_key_zone(&k, fp->key_vlan, &fp->zones, p->tunid);
	f = flow_table_lookup(&fp->table, &k, flow_key_hash(&fp->table, &k));
	if (f == NULL)
		return;
	if (f->icmperr < UINT16_MAX)
		f->icmperr++;
	f->flgs |= GF_F_ICMPERR;
	*handled = 1;
}

void
flow_proc_packet(struct flow_proc *fp, enum gf_decode_rc rc,
    const struct gf_packet *p)
{
	struct gf_packet local;
	struct flow_key k;
	struct flow *f;
	uint64_t h, sig = 0;
	int from_a, dir;

	advance_clock(fp, p->ts);
	fp->st.pkts++;
	fp->st.bytes += p->wire_len - p->held_bytes;
	fp->st.shortwire += p->shortwire;
	if (rc == GF_DECODE_HELD)
		return;
	if (rc == GF_DECODE_NONIP) {
		fp->st.nonip++;
		return;
	}
	if (rc != GF_DECODE_OK) {
		if (p->bad < GF_BAD_COUNT)
			fp->st.bad[p->bad]++;
		return;
	}
	if (p->quoted.family != 0) {
		int handled;
		icmp_error(fp, p, &handled);
		if (handled)
			return;
	}
	if (p->frag == GF_FRAG_FIRST) {
		frag_remember(fp->frags, p);
	} else if (p->frag == GF_FRAG_LATER) {
		/* the copy is the rare path: later fragments only */
		local = *p;
		local.orphan = 0;
		if (!frag_lookup(fp->frags, &local)) {
			/* an orphan: its own flow, never an echo's */
			local.sport = local.dport = 0;
			local.icmp_type = 0xff;
			local.icmp_code = 0;
			local.orphan = 1;
		}
		p = &local;
	}
	flow_key_make(p, &k, &from_a);
	flow_key_zone(&k, fp->key_vlan, &fp->zones, p->tunid);
	h = flow_key_hash(&fp->table, &k);
	if (fp->dups != NULL) {
		sig = dup_sig(h, from_a, p);
		__builtin_prefetch(dup_set(fp, sig));
	}
	f = flow_table_lookup(&fp->table, &k, h);
	if (f != NULL) {
		/* the lookup read the key's line; every other line of the
		 * flow is read below: fetch them together, not in turn */
		__builtin_prefetch((const char *)f + 64);
		__builtin_prefetch((const char *)f + 128);
		__builtin_prefetch((const char *)f + 192);
	}
	if (f != NULL && p->proto == 6 && p->frag != GF_FRAG_LATER) {
		int d0 = (from_a == f->src_is_a) ? 0 : 1;
		if (tcp_is_reuse(&fp->tcp, f, d0, p)) {
			end_flow(fp, f, GF_END_REUSE, p->ts);
			f = NULL;
			if ((f = new_flow(fp, &k, h, p, from_a)) != NULL)
				f->flgs |= GF_F_REUSE;
			else
				return;
		}
	}
	if (f == NULL && (f = new_flow(fp, &k, h, p, from_a)) == NULL)
		return;
	if (f->report_held)
		emit_flow(fp, f, GF_KIND_STATUS, GF_END_NONE, p->ts);
	dir = (from_a == f->src_is_a) ? 0 : 1;
	if (p == &local && local.orphan)
		f->flgs |= GF_F_FRAG_ORPHAN;
	if (p->proto == 6 && p->frag != GF_FRAG_LATER)
		dir = orient_fix(fp, f, dir, p);
	/* a new flow's first packet is no copy (its original's flow was
	 * evicted or ended): the flow must reach an LRU list */
	if (fp->dups != NULL && is_dup(fp, sig, p->ts) &&
	    (f->d[0].seen | f->d[1].seen)) {
		uint32_t *dc = &fp->dupcnt[2 * (size_t)flow_index(&fp->table,
		    f) + (size_t)dir];
		if (*dc == UINT32_MAX)
			emit_flow(fp, f, GF_KIND_STATUS, GF_END_NONE, p->ts);
		(*dc)++;
		fp->any_dups = 1;
		fp->st.dups++;
		return;
	}
	if (near_wrap(&f->d[dir], p) || f->frags == UINT16_MAX)
		emit_flow(fp, f, GF_KIND_STATUS, GF_END_NONE, p->ts);
	count_packet(f, dir, p);
	if ((p->vlan | p->tunid) != 0)
		flow_tags_note(&fp->tags, &fp->table, f, from_a, p);
	if (p->proto == 6 && p->frag != GF_FRAG_LATER)
		tcp_track_packet(&fp->tcp, f, dir, p);
	touch(fp, f, p->ts);
}

void
flow_proc_finish(struct flow_proc *fp, int reason)
{
	if (!fp->started)
		return;
	reasm_flush(fp->reasm, &fp->st);
	for (int c = 0; c < FC_COUNT; c++) {
		struct flow *f;
		/* a TCP flow that closed or reset already ended that way;
		 * the end of input only cut its closing grace period */
		while ((f = flow_lru_head(&fp->table, c)) != NULL)
			end_flow(fp, f, c == FC_TCP_CLOSED ?
			    end_reason_of(f) : reason, fp->now);
	}
	close_sensor(fp, fp->now);
	emit_pending(fp);
}
