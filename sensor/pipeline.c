/*
 * pipeline.c - packet threads, flow thread, output thread (see
 * pipeline.h).
 *
 * Ownership: a packet thread owns its capture source and the producer
 * end of its packet ring; the flow thread owns the flow engine, the
 * consumer ends of the packet rings and the producer end of the record
 * ring; the output thread owns the archive, the IPFIX exporter
 * (non-blocking sockets, bounded queues: a slow collector costs records,
 * counted, never a wait), the consumer end of the record ring and the
 * producer end of the service's ring; the service thread (svc_thread.c)
 * owns the service, so clients never slow the archive.
 * What crosses threads is the rings, doorbells and atomics below; the
 * reload mailbox alone takes a mutex, and only on SIGHUP.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "daemon.h"
#include "decode.h"
#include "fields.h"
#include "flow_proc.h"
#include "gapflow.h"
#include "ipfix_export.h"
#include "log.h"
#include "timefmt.h"
#include "metrics.h"
#include "pipeline.h"
#include "ring.h"
#include "summary.h"
#include "svc_thread.h"

#define MS              1000000ull
#define IDLE_NS         (100 * MS)      /* flow engine tick when idle */
#define OUT_POLL_MS     100
#define WAKE_BATCH      256             /* records per output wake-up */
#define READ_BATCH      256             /* packets per pcap_dispatch */
#define FLOW_BATCH      1024            /* packets between clock reads */
#define OUT_BATCH       512             /* records between socket polls */
#define STATS_NS        (1000 * MS)     /* pcap_stats period */
#define SHUTDOWN_LINGER_MS 2000         /* to send clients their last blocks */
/* A packet stamped before a reader looked may reach its ring just after:
 * a reader vouches only for packets this much older than its look. */
#define MARK_SLACK      (1 * MS)
#define LATE_LOG_NS     (60000 * MS)
/* Capture files: the flow thread waits for room instead of dropping, so
 * the record ring holds a status interval's burst of records while the
 * output thread compresses (5M-packet bench, 874k records in bursts of
 * up to 70k: with 16384 records the flow thread waited 0.2 s in 206
 * sleeps, with 65536 never); a live ring (service.ring_size) is sized
 * for a burst at line rate. */
#define FILE_REC_RING   65536

struct pkt_slot {
	uint64_t ts;
	uint32_t caplen;
	uint32_t wirelen;
	uint8_t data[GF_PKT_SNAP];
};

struct reader {
	struct pipeline *pl;
	struct capture_source *src;
	struct gf_ring *ring;
	pthread_t th;
	int started;
	int micro;                      /* timestamps in microseconds */
	int pushed;                     /* this dispatch pushed a packet */
	uint64_t ringdrops_mine;        /* the thread's own count */
	/* written by the packet thread, read by the flow thread */
	atomic_uint_fast64_t ringdrops, kdrops, ifdrops;
	atomic_uint_fast64_t mark;      /* every packet older is pushed */
	atomic_int done;
	atomic_int failed;
	struct gf_bell bell;            /* the flow thread asks for a mark */
	/* the flow thread's: last reports, last request */
	uint64_t seen_ringdrops, seen_kdrops, seen_ifdrops;
	uint64_t asked_mark;
	int asked;
};

struct reload {
	uint64_t timeout[FC_COUNT];
	uint64_t rotate_interval, rotate_size;
	struct gf_netprefix allow[GF_CFG_MAX_ALLOW];
	int nallow;
};

struct pipeline {
	const struct gf_config *cfg;
	struct capture *cap;
	int live;
	uint64_t skew;                  /* merge window, ns */
	uint64_t hold;                  /* how far the idle clock lags */

	struct reader rd[2 * GF_CFG_MAX_SOURCES];
	int nrd;

	struct gf_ring *rec;            /* flow -> output: struct gf_record */
	struct gf_bell flow_bell;       /* the flow thread sleeps here */
	struct gf_bell out_bell;        /* the output thread sleeps here */
	struct gf_bell room_bell;       /* a blocked flow thread waits here */

	atomic_int stop;                /* packet threads: stop reading */
	atomic_int flow_done;           /* all records are in the ring */
	atomic_int rotate;              /* output: finish the file now */
	atomic_uint_fast64_t start;     /* the run's start, once known */
	atomic_int start_known;

	pthread_mutex_t mu;             /* guards rl */
	struct reload rl;
	atomic_uint gen;                /* bumped after each rl update */

	/* the flow thread (the calling thread for capture files) */
	pthread_t flow_th;
	int flow_started;
	struct flow_proc fp;
	unsigned flow_gen;
	int blocking;                   /* wait for room, never drop */
	unsigned unrung;                /* records pushed since a wake-up */
	uint64_t recdrops;              /* FLOW records dropped, unreported */
	struct gf_record pending;       /* a SENSOR record waiting for room */
	int have_pending;
	uint64_t hold_since;            /* when the head packet began waiting */
	uint64_t late, late_logged;     /* merge window overruns */
	uint64_t packets;
	struct summary sum;             /* the end-of-run totals */
	int damaged;
	uint64_t seen_arlost, seen_cutoff;

	/* the output thread */
	pthread_t out_th;
	int out_started;
	struct gf_archive *ar;
	struct service *svc;            /* until its thread takes it */
	struct svc_thread *st;
	struct metrics *metrics;        /* --metrics, or NULL */
	struct gf_ipfix_exp *ipx;
	struct gf_stream_info info;
	unsigned out_gen;
	uint64_t rec_clock;             /* latest record time (files) */
	struct alerts alerts;           /* evictions and drops on stderr */
	atomic_uint_fast64_t ar_lost, cutoff, written;
	uint64_t ipfix_told;            /* ipfixnotsent in SENSOR records */
	int out_status;
};

/* Threads other than the main one take no signal: the main thread waits
 * for them (live) or a handler sets a flag in it (files). */
static void
block_signals(void)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
}

static void
set_start(struct pipeline *pl, uint64_t t)
{
	if (atomic_load_explicit(&pl->start_known, memory_order_relaxed))
		return;
	atomic_store_explicit(&pl->start, t, memory_order_relaxed);
	/* release: whoever sees start_known sees start */
	atomic_store_explicit(&pl->start_known, 1, memory_order_release);
}

/* ---- records: flow thread -> output thread ----------------------------- */

/*
 * The output thread is woken once per WAKE_BATCH records, not per record:
 * a wake-up costs more than writing a record.  Stragglers wait at most
 * its poll timeout (OUT_POLL_MS); a SENSOR record, rare, wakes it at once.
 */
static int
push_record(struct pipeline *pl, const struct gf_record *r)
{
	struct gf_record *slot = gf_ring_wslot(pl->rec);
	if (slot == NULL)
		return -1;
	memcpy(slot, r, sizeof(*r));
	gf_ring_push(pl->rec);
	if (++pl->unrung >= WAKE_BATCH || r->type == GF_RT_SENSOR) {
		gf_bell_ring(&pl->out_bell);
		pl->unrung = 0;
	}
	return 0;
}

/* Capture files and shutdown: wait for the output thread to make room. */
static void
push_record_wait(struct pipeline *pl, const struct gf_record *r)
{
	while (push_record(pl, r) != 0) {
		gf_bell_ring(&pl->out_bell);
		gf_bell_announce(&pl->room_bell);
		if (gf_ring_wslot(pl->rec) != NULL) {
			gf_bell_cancel(&pl->room_bell);
			continue;
		}
		gf_bell_sleep(&pl->room_bell, (long long)IDLE_NS);
	}
}

static void
sink(void *ctx, const struct gf_record *r)
{
	struct pipeline *pl = ctx;

	summary_record(&pl->sum, r);
	if (pl->blocking) {
		if (pl->have_pending) {
			push_record_wait(pl, &pl->pending);
			pl->have_pending = 0;
		}
		push_record_wait(pl, r);
		return;
	}
	if (pl->have_pending && push_record(pl, &pl->pending) == 0)
		pl->have_pending = 0;
	if (!pl->have_pending && push_record(pl, r) == 0)
		return;
	if (r->type == GF_RT_SENSOR) {
		if (pl->have_pending)
			gf_sensor_merge(&pl->pending, r);
		else
			pl->pending = *r;
		pl->have_pending = 1;
		return;
	}
	pl->recdrops++;
}

/* SENSOR record: the counters kept by other threads. */
static void
stats_hook(void *ctx, struct gf_sensor *s)
{
	struct pipeline *pl = ctx;
	uint64_t v;

	for (int i = 0; i < pl->nrd; i++) {
		struct reader *r = &pl->rd[i];
		v = atomic_load_explicit(&r->kdrops, memory_order_relaxed);
		s->kdrops += v - r->seen_kdrops;
		r->seen_kdrops = v;
		v = atomic_load_explicit(&r->ifdrops, memory_order_relaxed);
		s->ifdrops += v - r->seen_ifdrops;
		r->seen_ifdrops = v;
		v = atomic_load_explicit(&r->ringdrops, memory_order_relaxed);
		s->ringdrops += v - r->seen_ringdrops;
		r->seen_ringdrops = v;
	}
	s->recdrops += pl->recdrops;
	pl->recdrops = 0;
	v = atomic_load_explicit(&pl->ar_lost, memory_order_relaxed);
	s->recdrops += v - pl->seen_arlost;
	pl->seen_arlost = v;
	v = atomic_load_explicit(&pl->cutoff, memory_order_relaxed);
	s->clientdrops += v - pl->seen_cutoff;
	pl->seen_cutoff = v;
}

/* ---- reload mailbox ----------------------------------------------------- */

void
pipeline_reload(struct pipeline *pl, const struct gf_config *cfg)
{
	pthread_mutex_lock(&pl->mu);
	flow_timeouts(cfg, pl->rl.timeout);
	pl->rl.rotate_interval = cfg->rotate_interval;
	pl->rl.rotate_size = cfg->rotate_size;
	memcpy(pl->rl.allow, cfg->allow, sizeof(pl->rl.allow));
	pl->rl.nallow = cfg->nallow;
	atomic_fetch_add_explicit(&pl->gen, 1, memory_order_release);
	pthread_mutex_unlock(&pl->mu);
	gf_bell_ring_always(&pl->flow_bell);
	gf_bell_ring_always(&pl->out_bell);
}

static void
flow_reload(struct pipeline *pl)
{
	unsigned g = atomic_load_explicit(&pl->gen, memory_order_acquire);
	if (g == pl->flow_gen)
		return;
	pthread_mutex_lock(&pl->mu);
	flow_proc_set_timeouts(&pl->fp, pl->rl.timeout);
	pl->flow_gen = g;
	pthread_mutex_unlock(&pl->mu);
}

static void
out_reload(struct pipeline *pl)
{
	unsigned g = atomic_load_explicit(&pl->gen, memory_order_acquire);
	if (g == pl->out_gen)
		return;
	pthread_mutex_lock(&pl->mu);
	if (pl->ar != NULL)
		gf_archive_set_rotation(pl->ar, pl->rl.rotate_interval,
		    pl->rl.rotate_size);
	if (pl->st != NULL)
		svc_thread_set_allow(pl->st, pl->rl.allow, pl->rl.nallow);
	pl->out_gen = g;
	pthread_mutex_unlock(&pl->mu);
}

/* ---- packet threads ---------------------------------------------------- */

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct reader *r = (struct reader *)(void *)user;
	struct pkt_slot *p = gf_ring_wslot(r->ring);
	uint32_t keep;

	if (p == NULL) {
		r->ringdrops_mine++;
		atomic_store_explicit(&r->ringdrops, r->ringdrops_mine,
		    memory_order_relaxed);
		return;
	}
	keep = h->caplen < GF_PKT_SNAP ? h->caplen : GF_PKT_SNAP;
	p->ts = (uint64_t)h->ts.tv_sec * GF_NS_PER_SEC +
	    (uint64_t)h->ts.tv_usec * (r->micro ? 1000u : 1u);
	/* the recorded caplen, of which keep bytes are kept: the decoder
	 * rejects one above the wire length (bad_caplen) and tells a lost
	 * wire length from a snaplen cut by it */
	p->caplen = h->caplen;
	p->wirelen = h->len;
	memcpy(p->data, bytes, keep);
	gf_ring_push(r->ring);
	r->pushed = 1;
}

static void
reader_stats(struct reader *r)
{
	uint64_t k, i;
	capture_source_drops(r->src, &k, &i);
	atomic_store_explicit(&r->kdrops, k, memory_order_relaxed);
	atomic_store_explicit(&r->ifdrops, i, memory_order_relaxed);
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct pipeline *pl = r->pl;
	uint64_t next_stats = gf_mono_ns() + STATS_NS;

	block_signals();
	while (!atomic_load_explicit(&pl->stop, memory_order_relaxed)) {
		uint64_t t0 = gf_wall_ns();
		int n;

		r->pushed = 0;
		n = capture_dispatch(r->src, READ_BATCH, on_packet,
		    (u_char *)r);
		if (n < 0) {
			atomic_store(&r->failed, 1);
			break;
		}
		/* drained: every packet the kernel stamped before t0 is in
		 * the ring (release: after those pushes) */
		if (n < READ_BATCH)
			atomic_store_explicit(&r->mark, t0 - MARK_SLACK,
			    memory_order_release);
		gf_bell_ring(&pl->flow_bell);
		if (n == 0) {
			capture_wait_source(r->src, gf_bell_fd(&r->bell),
			    (int)(IDLE_NS / MS));
			gf_bell_clear(&r->bell);
		}
		if (gf_mono_ns() >= next_stats) {
			reader_stats(r);
			next_stats += STATS_NS;
		}
	}
	reader_stats(r);
	/* release: the flow thread that sees done sees every push */
	atomic_store_explicit(&r->done, 1, memory_order_release);
	gf_bell_ring_always(&pl->flow_bell);
	return NULL;
}

/* ---- the flow thread --------------------------------------------------- */

/*
 * A reader did not answer within the merge window: the packet is taken
 * anyway, possibly before an older one of that interface.  Say so, at
 * most once a minute: the cure is a larger input.merge_skew or a reader
 * that gets the CPU (service.cpu, service.realtime_priority).
 */
static void
merge_late(struct pipeline *pl, struct reader *r, uint64_t now)
{
	pl->late++;
	if (now < pl->late_logged + LATE_LOG_NS)
		return;
	gf_warn("%s: its packet thread did not keep up within "
	    "input.merge_skew (%llu ms): %llu packets merged without "
	    "waiting for it, maybe out of order", r->src->name,
	    (unsigned long long)(pl->skew / MS),
	    (unsigned long long)pl->late);
	pl->late_logged = now;
	pl->late = 0;
}

/* Ask reader r to look at its interface and publish a new mark. */
static void
ask(struct reader *r, uint64_t mark)
{
	if (r->asked && r->asked_mark == mark)
		return;
	r->asked = 1;
	r->asked_mark = mark;
	gf_bell_ring_always(&r->bell);
}

/*
 * The ring whose head packet comes next, or -1 with *wait_ns set to how
 * long to sleep (-1: until woken; no packet at all).
 *
 * The head with the smallest timestamp is taken when every other ring
 * has a packet at least as late, or its reader has ended, or its reader
 * has looked at its interface since (its mark is later): then no older
 * packet can still come from it.  A reader that is idle is asked to look;
 * one that does not answer within the merge window (input.merge_skew) is
 * passed over, so a stalled interface never stalls the others longer.
 */
static int
pick(struct pipeline *pl, uint64_t now, long long *wait_ns)
{
	int best, tries = 0;
	uint64_t bts, due;

	*wait_ns = -1;
again:
	best = -1;
	bts = 0;
	for (int i = 0; i < pl->nrd; i++) {
		struct pkt_slot *p = gf_ring_rslot(pl->rd[i].ring);
		if (p != NULL && (best < 0 || p->ts < bts)) {
			best = i;
			bts = p->ts;
		}
	}
	if (best < 0 || pl->nrd == 1)
		return best;
	due = UINT64_MAX;
	for (int j = 0; j < pl->nrd; j++) {
		struct reader *r = &pl->rd[j];
		uint64_t mark, t;
		if (j == best || gf_ring_rslot(r->ring) != NULL)
			continue;       /* its head is not older than ours */
		if (atomic_load_explicit(&r->done, memory_order_acquire))
			mark = UINT64_MAX;
		else
			mark = atomic_load_explicit(&r->mark,
			    memory_order_acquire);
		if (mark >= bts) {
			/* a packet pushed before the mark is visible now */
			if (gf_ring_rslot(r->ring) != NULL && tries++ < 4)
				goto again;
			continue;
		}
		/* j may still deliver an older packet */
		if (pl->hold_since == 0)
			pl->hold_since = now;
		if (now >= bts + pl->skew || now >= pl->hold_since + pl->skew) {
			merge_late(pl, r, now);
			return best;
		}
		if (now >= bts + MARK_SLACK)
			ask(r, mark);
		t = bts + MARK_SLACK > now ? bts + MARK_SLACK : bts + pl->skew;
		if (pl->hold_since + pl->skew < t)
			t = pl->hold_since + pl->skew;
		if (t < due)
			due = t;
	}
	if (due == UINT64_MAX)
		return best;
	*wait_ns = (long long)(due - now);
	return -1;
}

static void
take(struct pipeline *pl, int i)
{
	struct reader *r = &pl->rd[i];
	struct pkt_slot *p = gf_ring_rslot(r->ring);
	enum gf_decode_rc rc;
	uint8_t bad;

	rc = flow_proc_frame(&pl->fp, r->src->dlt, p->data,
	    p->caplen < GF_PKT_SNAP ? p->caplen : GF_PKT_SNAP, p->caplen,
	    p->wirelen, p->ts, i, &bad);
	r->src->cnt.frames++;
	if (rc != GF_DECODE_OK)
		summary_skip(r->src, rc == GF_DECODE_NONIP, bad);
	gf_ring_pop(r->ring);
	pl->hold_since = 0;
	pl->packets++;
}

static int
all_done(struct pipeline *pl)
{
	for (int i = 0; i < pl->nrd; i++)
		if (!atomic_load_explicit(&pl->rd[i].done,
		    memory_order_acquire))
			return 0;
	return 1;
}

static int
all_empty(struct pipeline *pl)
{
	for (int i = 0; i < pl->nrd; i++)
		if (gf_ring_rslot(pl->rd[i].ring) != NULL)
			return 0;
	return 1;
}

/* The last records: nothing may be dropped now that no packet comes. */
static void
flow_finish(struct pipeline *pl, int reason)
{
	pl->blocking = 1;
	flow_proc_finish(&pl->fp, reason);
	if (pl->have_pending) {
		push_record_wait(pl, &pl->pending);
		pl->have_pending = 0;
	}
	/* release: the output thread that sees flow_done sees every push */
	atomic_store_explicit(&pl->flow_done, 1, memory_order_release);
	gf_bell_ring_always(&pl->out_bell);
}

static void *
flow_main(void *arg)
{
	struct pipeline *pl = arg;
	uint64_t last_tick = 0;

	block_signals();
	for (;;) {
		long long wait_ns;
		uint64_t now = gf_wall_ns();
		int n = 0, i;

		flow_reload(pl);
		while (n < FLOW_BATCH && (i = pick(pl, now, &wait_ns)) >= 0) {
			take(pl, i);
			n++;
		}
		if (n > 0)
			continue;
		if (all_empty(pl)) {
			if (all_done(pl) && all_empty(pl))
				break;
			/* idle: time still passes for the flow engine, but
			 * behind the wall clock by as much as a packet may
			 * still be on its way */
			if (now >= last_tick + IDLE_NS && now > pl->hold) {
				flow_proc_tick(&pl->fp, now - pl->hold);
				last_tick = now;
			}
		}
		gf_bell_announce(&pl->flow_bell);
		if (pick(pl, gf_wall_ns(), &wait_ns) >= 0 ||
		    (all_done(pl) && all_empty(pl)) ||
		    atomic_load_explicit(&pl->gen, memory_order_relaxed) !=
		    pl->flow_gen) {
			gf_bell_cancel(&pl->flow_bell);
			continue;
		}
		gf_bell_sleep(&pl->flow_bell,
		    wait_ns >= 0 && wait_ns < (long long)IDLE_NS ? wait_ns :
		    (long long)IDLE_NS);
	}
	flow_finish(pl, GF_END_SHUTDOWN);
	return NULL;
}

void
pipeline_run_files(struct pipeline *pl, volatile sig_atomic_t *stop,
    volatile sig_atomic_t *rotate)
{
	pl->blocking = 1;
	for (;;) {
		struct capture_source *src;
		const struct pcap_pkthdr *hdr;
		const u_char *data;
		enum gf_decode_rc rc;
		uint8_t bad;
		uint64_t ts;
		int n;

		if (*stop)
			break;
		if (*rotate) {
			*rotate = 0;
			pipeline_rotate(pl);
		}
		n = capture_next(pl->cap, &src, &hdr, &data, &ts);
		if (n == 0)
			break;
		if (n < 0) {
			pl->damaged = 1;
			continue;
		}
		if (n == 2)
			continue;
		/* a file's run starts at its first packet */
		set_start(pl, ts);
		rc = flow_proc_frame(&pl->fp, src->dlt, data, hdr->caplen,
		    hdr->caplen, hdr->len, ts, (int)(src - pl->cap->src), &bad);
		src->cnt.frames++;
		if (rc != GF_DECODE_OK)
			summary_skip(src, rc == GF_DECODE_NONIP, bad);
		pl->packets++;
	}
	flow_finish(pl, *stop ? GF_END_SHUTDOWN : GF_END_EOF);
}

/* ---- the output thread -------------------------------------------------- */

static uint64_t
record_time(const struct gf_record *r)
{
	return r->type == GF_RT_SENSOR ? r->u.sensor.ltime : r->u.flow.ltime;
}

static void
out_started(struct pipeline *pl, int *started)
{
	if (*started || !atomic_load_explicit(&pl->start_known,
	    memory_order_acquire))
		return;
	pl->info.start = atomic_load_explicit(&pl->start,
	    memory_order_relaxed);
	if (pl->ar != NULL)
		gf_archive_set_start(pl->ar, pl->info.start);
	if (pl->st != NULL)
		svc_thread_begin(pl->st, &pl->info, pl->cfg->compression);
	*started = 1;
}

static void
out_publish(struct pipeline *pl)
{
	if (pl->ar != NULL) {
		atomic_store_explicit(&pl->ar_lost, gf_archive_lost(pl->ar),
		    memory_order_relaxed);
		atomic_store_explicit(&pl->written,
		    gf_archive_records(pl->ar), memory_order_relaxed);
	}
	if (pl->st != NULL)
		atomic_store_explicit(&pl->cutoff, svc_thread_cutoff(pl->st),
		    memory_order_relaxed);
}

/* A SENSOR record leaving: IPFIX records refused since the last one are
 * counted in it here, by the thread that refused them, so that it counts
 * exactly the FLOW records before it. */
static void
out_count_ipfix(struct pipeline *pl, struct gf_record *r)
{
	uint64_t n;

	if (pl->ipx == NULL || r->type != GF_RT_SENSOR)
		return;
	n = gf_ipfix_exp_notsent(pl->ipx);
	r->u.sensor.ipfixnotsent += n - pl->ipfix_told;
	pl->ipfix_told = n;
}

static void *
out_main(void *arg)
{
	struct pipeline *pl = arg;
	struct pollfd pfd[1];
	int started = 0;

	block_signals();
	for (;;) {
		struct gf_record *r;
		uint64_t now;
		int n = 0, np = 0, busy;

		out_reload(pl);
		out_started(pl, &started);
		now = pl->live ? gf_wall_ns() : pl->rec_clock;
		if (atomic_exchange(&pl->rotate, 0) && pl->ar != NULL)
			gf_archive_rotate(pl->ar, now);
		while (n < OUT_BATCH && (r = gf_ring_rslot(pl->rec)) != NULL) {
			/* a record implies a start: set before its push */
			out_started(pl, &started);
			if (!pl->live && record_time(r) > pl->rec_clock)
				pl->rec_clock = record_time(r);
			now = pl->live ? now : pl->rec_clock;
			out_count_ipfix(pl, r);
			if (r->type == GF_RT_SENSOR)
				alerts_sensor(&pl->alerts, &r->u.sensor, now);
			if (pl->ar != NULL)
				gf_archive_put(pl->ar, r, now);
			if (pl->st != NULL)
				svc_thread_put(pl->st, r, now);
			if (pl->metrics != NULL && r->type == GF_RT_SENSOR)
				metrics_put(pl->metrics, r);
			gf_ipfix_exp_put(pl->ipx, r);
			gf_ring_pop(pl->rec);
			n++;
		}
		if (n > 0)
			gf_bell_ring(&pl->room_bell);
		if (pl->live)
			now = gf_wall_ns();
		if (pl->ar != NULL)
			gf_archive_tick(pl->ar, now);
		gf_ipfix_exp_tick(pl->ipx);
		out_publish(pl);
		busy = n == OUT_BATCH;
		if (!busy && atomic_load_explicit(&pl->flow_done,
		    memory_order_acquire) && gf_ring_rslot(pl->rec) == NULL)
			break;
		pfd[np].fd = gf_bell_fd(&pl->out_bell);
		pfd[np].events = POLLIN;
		pfd[np++].revents = 0;
		if (!busy) {
			gf_bell_announce(&pl->out_bell);
			if (gf_ring_rslot(pl->rec) != NULL ||
			    atomic_load_explicit(&pl->flow_done,
			    memory_order_acquire) ||
			    atomic_load(&pl->rotate)) {
				gf_bell_cancel(&pl->out_bell);
				busy = 1;
			}
		}
		if (poll(pfd, (nfds_t)np, busy ? 0 : OUT_POLL_MS) < 0 &&
		    errno != EINTR)
			gf_warn("poll: %s", strerror(errno));
		if (!busy)
			gf_bell_clear(&pl->out_bell);
	}
	out_started(pl, &started);
	if (pl->ar != NULL) {
		uint64_t now = pl->live ? gf_wall_ns() : pl->rec_clock;
		uint64_t written, lost;
		if (gf_archive_close(pl->ar, now, &written, &lost) != 0)
			pl->out_status = -1;
		pl->ar = NULL;
		/* the totals, the close's own blocks included (read after
		 * the join) */
		atomic_store(&pl->written, written);
		atomic_store(&pl->ar_lost, lost);
	}
	out_publish(pl);
	if (pl->st != NULL) {
		svc_thread_finish(pl->st, SHUTDOWN_LINGER_MS);
		pl->st = NULL;
	}
	/* the flow thread has ended (flow_done): seen_arlost is final */
	if (pl->metrics != NULL) {
		uint64_t lost = atomic_load(&pl->ar_lost);
		metrics_close(pl->metrics, lost > pl->seen_arlost ?
		    lost - pl->seen_arlost : 0);
		pl->metrics = NULL;
	}
	if (pl->ipx != NULL) {
		gf_ipfix_exp_close(pl->ipx, SHUTDOWN_LINGER_MS);
		pl->ipx = NULL;
	}
	return NULL;
}

/* ---- the API ------------------------------------------------------------ */

struct pipeline *
pipeline_new(const struct gf_config *cfg, struct capture *cap,
    struct gf_archive *ar, struct service *svc,
    const struct gf_stream_info *info)
{
	struct pipeline *pl = gf_xcalloc(1, sizeof(*pl));
	uint64_t timeout_ns;

	pl->cfg = cfg;
	pl->cap = cap;
	pl->live = cap->live;
	pl->ar = ar;
	pl->svc = svc;                  /* closed by pipeline_free */
	if (svc != NULL) {
		if ((pl->st = svc_thread_new(svc, pl->live, pl->live ?
		    (size_t)cfg->ring_size : FILE_REC_RING)) == NULL)
			goto fail;
		pl->svc = NULL;         /* its thread's now */
	}
	pl->info = *info;
	pl->skew = cfg->merge_skew;
	alerts_init(&pl->alerts, cfg->max_flows);
	timeout_ns = (uint64_t)cap->timeout_ms * MS;
	pl->hold = pl->skew > timeout_ns ? pl->skew : timeout_ns;
	pthread_mutex_init(&pl->mu, NULL);
	atomic_init(&pl->stop, 0);
	atomic_init(&pl->flow_done, 0);
	atomic_init(&pl->rotate, 0);
	atomic_init(&pl->start, 0);
	atomic_init(&pl->start_known, 0);
	atomic_init(&pl->gen, 0);
	atomic_init(&pl->ar_lost, 0);
	atomic_init(&pl->cutoff, 0);
	atomic_init(&pl->written, 0);
	pl->flow_bell.fd = pl->out_bell.fd = pl->room_bell.fd = -1;
	if (gf_bell_init(&pl->flow_bell) != 0 ||
	    gf_bell_init(&pl->out_bell) != 0 ||
	    gf_bell_init(&pl->room_bell) != 0) {
		gf_err("cannot create an eventfd: %s", strerror(errno));
		goto fail;
	}
	/* a burst of STATUS records at an interval's end is as large as the
	 * number of active flows: the record ring is as deep as the packet
	 * rings */
	pl->rec = gf_ring_new(pl->live ? (size_t)cfg->ring_size :
	    FILE_REC_RING, sizeof(struct gf_record));
	if (pl->rec == NULL) {
		gf_err("cannot allocate the record ring (service.ring_size "
		    "%llu)", (unsigned long long)cfg->ring_size);
		goto fail;
	}
	if (pl->live) {
		for (int i = 0; i < cap->n; i++) {
			struct reader *r = &pl->rd[pl->nrd];
			if (!cap->src[i].live)
				continue;
			r->pl = pl;
			r->src = &cap->src[i];
			r->micro = pcap_get_tstamp_precision(r->src->pcap) !=
			    PCAP_TSTAMP_PRECISION_NANO;
			atomic_init(&r->ringdrops, 0);
			atomic_init(&r->kdrops, 0);
			atomic_init(&r->ifdrops, 0);
			atomic_init(&r->mark, 0);
			atomic_init(&r->done, 0);
			atomic_init(&r->failed, 0);
			r->bell.fd = -1;
			pl->nrd++;
			if (gf_bell_init(&r->bell) != 0) {
				gf_err("cannot create an eventfd: %s",
				    strerror(errno));
				goto fail;
			}
			r->ring = gf_ring_new((size_t)cfg->ring_size,
			    sizeof(struct pkt_slot));
			if (r->ring == NULL) {
				gf_err("%s: cannot allocate the packet ring "
				    "(service.ring_size %llu)", r->src->name,
				    (unsigned long long)cfg->ring_size);
				goto fail;
			}
		}
	}
	if (flow_proc_init(&pl->fp, cfg, sink, pl) != 0) {
		gf_err("cannot allocate the flow table for %llu flows "
		    "(flows.max_flows)", (unsigned long long)cfg->max_flows);
		goto fail;
	}
	pl->fp.stats_hook = stats_hook;
	pl->fp.stats_ctx = pl;
	summary_init(&pl->sum, pl->fp.table.max);
	if (cfg->metrics != NULL) {
		char err[PATH_MAX + 128];
		pl->metrics = metrics_open(cfg->metrics, cfg->sensor_name,
		    cfg->sensor_id, err, sizeof(err));
		if (pl->metrics == NULL) {
			gf_err("%s", err);
			goto fail;
		}
	}
	if (info->start != 0 || pl->live)
		set_start(pl, info->start);
	return pl;
fail:
	pipeline_free(pl);
	return NULL;
}

void
pipeline_set_ipfix(struct pipeline *pl, struct gf_ipfix_exp *ipx)
{
	pl->ipx = ipx;
}

int
pipeline_start_readers(struct pipeline *pl)
{
	char err[256];
	int rc;

	for (int i = 0; i < pl->nrd; i++) {
		struct reader *r = &pl->rd[i];
		if ((rc = pthread_create(&r->th, NULL, reader_main, r)) != 0) {
			gf_err("cannot start a packet thread: %s", strerror(rc));
			return -1;
		}
		r->started = 1;
		if (pl->cfg->cpu >= 0 &&
		    daemon_pin_cpu(r->th, pl->cfg->cpu, err, sizeof(err)) != 0)
			gf_warn("%s: %s", r->src->name, err);
		if (pl->cfg->realtime &&
		    daemon_realtime(r->th, err, sizeof(err)) != 0)
			gf_warn("%s: %s (service.realtime_priority)",
			    r->src->name, err);
	}
	return 0;
}

int
pipeline_start(struct pipeline *pl)
{
	char err[256];
	int rc;

	if (pl->st != NULL && svc_thread_start(pl->st) != 0)
		return -1;
	if ((rc = pthread_create(&pl->out_th, NULL, out_main, pl)) != 0) {
		gf_err("cannot start the output thread: %s", strerror(rc));
		return -1;
	}
	pl->out_started = 1;
	if (pl->cfg->cpu >= 0 &&
	    daemon_avoid_cpu(pl->out_th, pl->cfg->cpu, err, sizeof(err)) != 0)
		gf_warn("%s", err);
	if (!pl->live)
		return 0;
	if ((rc = pthread_create(&pl->flow_th, NULL, flow_main, pl)) != 0) {
		gf_err("cannot start the flow thread: %s", strerror(rc));
		return -1;
	}
	pl->flow_started = 1;
	if (pl->cfg->cpu >= 0 &&
	    daemon_avoid_cpu(pl->flow_th, pl->cfg->cpu, err, sizeof(err)) != 0)
		gf_warn("%s", err);
	return 0;
}

void
pipeline_stop(struct pipeline *pl)
{
	atomic_store(&pl->stop, 1);
}

int
pipeline_reading(struct pipeline *pl)
{
	for (int i = 0; i < pl->nrd; i++)
		if (!atomic_load(&pl->rd[i].done))
			return 1;
	return 0;
}

void
pipeline_rotate(struct pipeline *pl)
{
	atomic_store(&pl->rotate, 1);
	gf_bell_ring_always(&pl->out_bell);
}

int
pipeline_join(struct pipeline *pl)
{
	int damaged = pl->damaged;

	pipeline_stop(pl);
	for (int i = 0; i < pl->nrd; i++) {
		if (pl->rd[i].started)
			pthread_join(pl->rd[i].th, NULL);
		pl->rd[i].started = 0;
		if (atomic_load(&pl->rd[i].failed))
			damaged = 1;
	}
	if (pl->flow_started) {
		pthread_join(pl->flow_th, NULL);
		pl->flow_started = 0;
	} else if (pl->live && !atomic_load(&pl->flow_done)) {
		/* the flow thread never ran: let the output thread end */
		atomic_store(&pl->flow_done, 1);
		gf_bell_ring_always(&pl->out_bell);
	}
	if (pl->out_started) {
		pthread_join(pl->out_th, NULL);
		pl->out_started = 0;
	}
	if (pl->out_status != 0)
		return GF_EXIT_ERROR;
	return damaged ? 1 : GF_EXIT_OK;
}

void
pipeline_totals(struct pipeline *pl, uint64_t *packets, uint64_t *written,
    uint64_t *lost)
{
	*packets = pl->packets;
	*written = atomic_load(&pl->written);
	*lost = atomic_load(&pl->ar_lost);
}

void
pipeline_summary(struct pipeline *pl, int totals)
{
	uint64_t lost = atomic_load(&pl->ar_lost);
	summary_print(&pl->sum, pl->cap, totals,
	    lost > pl->seen_arlost ? lost - pl->seen_arlost : 0);
}

void
pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	for (int i = 0; i < pl->nrd; i++) {
		gf_ring_free(pl->rd[i].ring);
		gf_bell_free(&pl->rd[i].bell);
	}
	gf_ring_free(pl->rec);
	flow_proc_free(&pl->fp);
	summary_free(&pl->sum);
	metrics_close(pl->metrics, 0);
	gf_bell_free(&pl->flow_bell);
	gf_bell_free(&pl->out_bell);
	gf_bell_free(&pl->room_bell);
	pthread_mutex_destroy(&pl->mu);
	/* never started (an error at start-up): write nothing more */
	gf_archive_discard(pl->ar);
	svc_thread_finish(pl->st, 0);
	service_close(pl->svc, 0);
	gf_ipfix_exp_close(pl->ipx, 0);
	free(pl);
}
