/*
 * svc_thread.c - the service's own thread (see svc_thread.h).
 *
 * The output thread is the ring's producer, the service thread its
 * consumer.  Control (the stream start, a reloaded allow-list, the end)
 * goes through a mutex-guarded mailbox and a generation counter, touched
 * only on those rare events.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ring.h"
#include "svc_thread.h"
#include "timefmt.h"

#define WAKE_BATCH 256          /* records per wake-up */
#define BATCH 512               /* records between socket polls */
#define POLL_MS 100

struct slot {
	uint64_t now;
	struct gf_record r;
};

struct svc_thread {
	struct service *svc;
	int live;
	struct gf_ring *ring;
	struct gf_bell bell;            /* the service thread sleeps here */
	struct gf_bell room;            /* a waiting producer sleeps here */
	pthread_t th;
	int started;
	unsigned unrung;

	pthread_mutex_t mu;             /* guards the mailbox */
	struct gf_stream_info info;
	int level, begin;
	struct gf_netprefix allow[GF_CFG_MAX_ALLOW];
	int nallow, new_allow;
	atomic_uint gen;
	atomic_int finish;
	int linger_ms;

	atomic_int streaming;           /* clients being served, published */
	atomic_uint_fast64_t lost;      /* records the ring had no room for */
	atomic_uint_fast64_t cutoff;    /* published by the service thread */
	uint64_t lost_seen;             /* the service thread's */
	unsigned gen_seen;
	uint64_t clock;                 /* latest record time seen */
};

static void
mailbox(struct svc_thread *t)
{
	unsigned g = atomic_load_explicit(&t->gen, memory_order_acquire);
	if (g == t->gen_seen)
		return;
	pthread_mutex_lock(&t->mu);
	if (t->new_allow) {
		service_set_allow(t->svc, t->allow, t->nallow);
		t->new_allow = 0;
	}
	if (t->begin == 1) {
		service_start(t->svc, &t->info, t->level);
		t->begin = 2;
	}
	t->gen_seen = g;
	pthread_mutex_unlock(&t->mu);
}

static void
publish(struct svc_thread *t)
{
	atomic_store_explicit(&t->streaming, service_streaming(t->svc),
	    memory_order_relaxed);
	atomic_store_explicit(&t->cutoff, service_cutoff(t->svc),
	    memory_order_relaxed);
}

static void *
svc_main(void *arg)
{
	struct svc_thread *t = arg;
	struct pollfd pfd[2 + GF_SVC_MAX_CLIENTS];
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct slot *s;
		uint64_t now, lost;
		int n = 0, np = 0, busy, fin;

		mailbox(t);
		/* records the ring had no room for: whoever streams now
		 * would miss them */
		lost = atomic_load_explicit(&t->lost, memory_order_relaxed);
		if (lost != t->lost_seen) {
			(void)service_cut_all(t->svc, "the service "
			    "fell behind the sensor's records (its ring was "
			    "full)");
			t->lost_seen = lost;
		}
		while (n < BATCH && (s = gf_ring_rslot(t->ring)) != NULL) {
			if (s->now > t->clock)
				t->clock = s->now;
			service_put(t->svc, &s->r, s->now);
			gf_ring_pop(t->ring);
			n++;
		}
		if (n > 0)
			gf_bell_ring(&t->room);
		now = t->live ? gf_wall_ns() : t->clock;
		service_tick(t->svc, now);
		publish(t);
		fin = atomic_load_explicit(&t->finish, memory_order_acquire);
		busy = n == BATCH;
		if (!busy && fin && gf_ring_rslot(t->ring) == NULL)
			break;
		pfd[np].fd = gf_bell_fd(&t->bell);
		pfd[np].events = POLLIN;
		pfd[np++].revents = 0;
		np += service_pollfds(t->svc, pfd + np,
		    (int)(sizeof(pfd) / sizeof(pfd[0])) - np);
		if (!busy) {
			gf_bell_announce(&t->bell);
			if (gf_ring_rslot(t->ring) != NULL ||
			    atomic_load(&t->finish) ||
			    atomic_load(&t->gen) != t->gen_seen) {
				gf_bell_cancel(&t->bell);
				busy = 1;
			}
		}
		if (poll(pfd, (nfds_t)np, busy ? 0 : POLL_MS) < 0 &&
		    errno != EINTR)
			gf_warn("service: poll: %s", strerror(errno));
		if (!busy)
			gf_bell_clear(&t->bell);
		service_events(t->svc, pfd + 1, np - 1,
		    t->live ? gf_wall_ns() : t->clock);
	}
	mailbox(t);
	service_close(t->svc, t->linger_ms);
	t->svc = NULL;
	return NULL;
}

struct svc_thread *
svc_thread_new(struct service *svc, int live, size_t slots)
{
	struct svc_thread *t = gf_xcalloc(1, sizeof(*t));

	t->svc = svc;
	t->live = live;
	t->bell.fd = t->room.fd = -1;
	pthread_mutex_init(&t->mu, NULL);
	atomic_init(&t->gen, 0);
	atomic_init(&t->finish, 0);
	atomic_init(&t->streaming, 0);
	atomic_init(&t->lost, 0);
	atomic_init(&t->cutoff, 0);
	t->ring = gf_ring_new_lazy(slots, sizeof(struct slot));
	if (t->ring == NULL || gf_bell_init(&t->bell) != 0 ||
	    gf_bell_init(&t->room) != 0) {
		gf_err("service: cannot set up its thread: %s",
		    t->ring == NULL ? "out of memory" : strerror(errno));
		gf_ring_free(t->ring);
		gf_bell_free(&t->bell);
		gf_bell_free(&t->room);
		pthread_mutex_destroy(&t->mu);
		free(t);
		return NULL;
	}
	return t;
}

int
svc_thread_start(struct svc_thread *t)
{
	int rc = pthread_create(&t->th, NULL, svc_main, t);
	if (rc != 0) {
		gf_err("cannot start the service thread: %s", strerror(rc));
		return -1;
	}
	t->started = 1;
	return 0;
}

static void
mail(struct svc_thread *t)
{
	atomic_fetch_add_explicit(&t->gen, 1, memory_order_release);
	gf_bell_ring_always(&t->bell);
}

void
svc_thread_begin(struct svc_thread *t, const struct gf_stream_info *info,
    int level)
{
	pthread_mutex_lock(&t->mu);
	t->info = *info;
	t->level = level;
	t->begin = 1;
	pthread_mutex_unlock(&t->mu);
	mail(t);
}

void
svc_thread_set_allow(struct svc_thread *t, const struct gf_netprefix *allow,
    int nallow)
{
	pthread_mutex_lock(&t->mu);
	if (nallow > GF_CFG_MAX_ALLOW)
		nallow = GF_CFG_MAX_ALLOW;
	if (nallow > 0)
		memcpy(t->allow, allow, (size_t)nallow * sizeof(*allow));
	t->nallow = nallow;
	t->new_allow = 1;
	pthread_mutex_unlock(&t->mu);
	mail(t);
}

void
svc_thread_put(struct svc_thread *t, const struct gf_record *r, uint64_t now)
{
	struct slot *s;

	if (atomic_load_explicit(&t->streaming, memory_order_relaxed) == 0 &&
	    t->live)
		return;         /* nobody to serve: nothing to copy */
	while ((s = gf_ring_wslot(t->ring)) == NULL) {
		if (t->live) {
			atomic_fetch_add_explicit(&t->lost, 1,
			    memory_order_relaxed);
			gf_bell_ring(&t->bell);
			return;
		}
		/* files: wait for the service thread, which never waits */
		gf_bell_ring_always(&t->bell);
		gf_bell_announce(&t->room);
		if (gf_ring_wslot(t->ring) != NULL) {
			gf_bell_cancel(&t->room);
			continue;
		}
		gf_bell_sleep(&t->room, 100 * 1000000ll);
	}
	s->now = now;
	s->r = *r;
	gf_ring_push(t->ring);
	if (++t->unrung >= WAKE_BATCH || r->type == GF_RT_SENSOR) {
		gf_bell_ring(&t->bell);
		t->unrung = 0;
	}
}

uint64_t
svc_thread_cutoff(const struct svc_thread *t)
{
	return atomic_load_explicit(&t->cutoff, memory_order_relaxed);
}

void
svc_thread_finish(struct svc_thread *t, int linger_ms)
{
	if (t == NULL)
		return;
	t->linger_ms = linger_ms;
	if (t->started) {
		atomic_store_explicit(&t->finish, 1, memory_order_release);
		gf_bell_ring_always(&t->bell);
		pthread_join(t->th, NULL);
	} else {
		service_close(t->svc, 0);
	}
	gf_ring_free(t->ring);
	gf_bell_free(&t->bell);
	gf_bell_free(&t->room);
	pthread_mutex_destroy(&t->mu);
	free(t);
}
