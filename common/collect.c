/*
 * collect.c - records from live sensors (see collect.h).
 *
 * Each sensor's thread owns its connection: a socket it keeps (so that
 * gf_collect_stop() can shut it down under the mutex, waking a blocked
 * read) and a dup of it that the stream reader owns and closes.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "log.h"
#include "netio.h"
#include "ring.h"

#define RING_RECORDS    4096
#define CONNECT_MS      5000
#define BACKOFF_MIN_NS  (1000000000LL)
#define BACKOFF_MAX_NS  (30 * 1000000000LL)
#define STEADY_NS       (10 * 1000000000LL)     /* a stream this long resets
						   the backoff */

struct upstream {
	struct gf_collect *c;
	char *host;
	pthread_t th;
	int started;
	struct gf_ring *ring;           /* this thread -> the caller */
	struct gf_bell room;            /* this thread waits for room */
	struct gf_bell wake;            /* this thread's backoff sleep */
	pthread_mutex_t mu;             /* guards fd, info, have_info */
	int fd;
	struct gf_stream_info info;
	int have_info;
	atomic_int done;
	atomic_int errors;
};

struct gf_collect {
	struct upstream *u;
	int n;
	int flags;
	char *hello;                    /* the FILTER line */
	atomic_int stop;
	struct gf_bell bell;            /* the caller sleeps here */
	int next;                       /* round robin */
};

static long long
mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
stopping(struct gf_collect *c)
{
	return atomic_load_explicit(&c->stop, memory_order_acquire);
}

static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sleep ns unless stopped meanwhile. */
static void
pause_ns(struct upstream *u, long long ns)
{
	gf_bell_announce(&u->wake);
	if (stopping(u->c)) {
		gf_bell_cancel(&u->wake);
		return;
	}
	gf_bell_sleep(&u->wake, ns);
}

/* Hand r to the caller, waiting for room.  -1 if stopped meanwhile. */
static int
deliver(struct upstream *u, const struct gf_record *r)
{
	struct gf_record *slot;

	while ((slot = gf_ring_wslot(u->ring)) == NULL) {
		gf_bell_ring(&u->c->bell);
		gf_bell_announce(&u->room);
		if (stopping(u->c)) {
			gf_bell_cancel(&u->room);
			return -1;
		}
		if (gf_ring_wslot(u->ring) != NULL) {
			gf_bell_cancel(&u->room);
			continue;
		}
		gf_bell_sleep(&u->room, 100 * 1000000LL);
	}
	memcpy(slot, r, sizeof(*r));
	gf_ring_push(u->ring);
	gf_bell_ring(&u->c->bell);
	return 0;
}

/* One connection: its records until the stream ends.  Returns 1 if the
 * stream was read (connected, header good), else 0 (err set). */
static int
one_stream(struct upstream *u, int *down, char *err, size_t errlen)
{
	struct gf_reader *rd;
	struct gf_record r;
	int fd, rfd, rc;

	fd = gf_net_connect(u->host, CONNECT_MS, err, errlen);
	if (fd < 0)
		return 0;
	pthread_mutex_lock(&u->mu);
	u->fd = fd;
	pthread_mutex_unlock(&u->mu);
	rfd = dup(fd);
	if (rfd < 0 || send_all(fd, u->c->hello, strlen(u->c->hello)) != 0) {
		snprintf(err, errlen, "%s: %s", u->host, strerror(errno));
		if (rfd >= 0)
			close(rfd);
		rd = NULL;
		goto out;
	}
	/* the reader prints its own message for a bad header */
	rd = gf_reader_open_fd(rfd, u->host);
	if (rd == NULL) {
		snprintf(err, errlen, "%s: no record stream", u->host);
		goto out;
	}
	pthread_mutex_lock(&u->mu);
	u->info = *gf_reader_info(rd);
	u->have_info = 1;
	pthread_mutex_unlock(&u->mu);
	if (*down)
		gf_warn("%s: connected again", u->host);
	*down = 0;
	while ((rc = gf_reader_next(rd, &r)) != 0 && !stopping(u->c)) {
		if (rc < 0) {
			atomic_fetch_add(&u->errors, 1);
			continue;
		}
		if (deliver(u, &r) != 0)
			break;
	}
	gf_reader_close(rd);
out:
	pthread_mutex_lock(&u->mu);
	close(u->fd);
	u->fd = -1;
	pthread_mutex_unlock(&u->mu);
	return rd != NULL;
}

static void *
upstream_main(void *arg)
{
	struct upstream *u = arg;
	struct gf_collect *c = u->c;
	long long backoff = BACKOFF_MIN_NS;
	int down = 0;
	sigset_t all;

	/* the caller's thread takes the signals */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!stopping(c)) {
		char err[512];
		long long t0 = mono_ns();
		int ok = one_stream(u, &down, err, sizeof(err));

		if (stopping(c))
			break;
		if (ok) {
			if (c->flags & GF_COLLECT_ONCE)
				break;
			if (mono_ns() - t0 >= STEADY_NS)
				backoff = BACKOFF_MIN_NS;
			gf_warn("%s: the stream ended (sensor stopped or "
			    "restarting); reconnecting", u->host);
			down = 1;       /* one message for the outage */
		} else if (c->flags & GF_COLLECT_ONCE) {
			/* one stream was asked for and there is none: an
			 * error, not a reason to wait */
			gf_err("%s", err);
			atomic_fetch_add(&u->errors, 1);
			break;
		} else if (!down) {
			gf_warn("%s; trying again, every %llds at most",
			    err, BACKOFF_MAX_NS / 1000000000LL);
			down = 1;
		}
		pause_ns(u, backoff);
		backoff = backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS :
		    backoff * 2;
	}
	atomic_store_explicit(&u->done, 1, memory_order_release);
	gf_bell_ring_always(&c->bell);
	return NULL;
}

int
gf_collect_check(const char *const *hosts, int n, const char *filter,
    char *err, size_t errlen)
{
	if (n < 1 || n > GF_COLLECT_MAX) {
		snprintf(err, errlen, "from 1 to %d sensors, not %d",
		    GF_COLLECT_MAX, n);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char h[256], p[8];
		if (gf_net_split(hosts[i], NULL, h, sizeof(h), p,
		    sizeof(p)) != 0) {
			snprintf(err, errlen, "%s: not HOST:PORT", hosts[i]);
			return -1;
		}
	}
	if (filter != NULL && strchr(filter, '\n') != NULL) {
		snprintf(err, errlen, "the remote filter has a newline");
		return -1;
	}
	return 0;
}

struct gf_collect *
gf_collect_open(const char *const *hosts, int n, const char *filter,
    int flags, char *err, size_t errlen)
{
	struct gf_collect *c;
	size_t len;

	if (gf_collect_check(hosts, n, filter, err, errlen) != 0)
		return NULL;
	c = gf_xcalloc(1, sizeof(*c));
	c->n = n;
	c->flags = flags;
	atomic_init(&c->stop, 0);
	len = (filter ? strlen(filter) : 0) + 16;
	c->hello = gf_xmalloc(len);
	snprintf(c->hello, len, "%s%s\n", filter ? "FILTER " : "",
	    filter ? filter : "");
	c->u = gf_xcalloc((size_t)n, sizeof(*c->u));
	if (gf_bell_init(&c->bell) != 0)
		gf_fatal(GF_EXIT_ERROR, "cannot create an eventfd: %s",
		    strerror(errno));
	for (int i = 0; i < n; i++) {
		struct upstream *u = &c->u[i];
		int rc;
		u->c = c;
		u->host = gf_xstrdup(hosts[i]);
		u->fd = -1;
		atomic_init(&u->done, 0);
		atomic_init(&u->errors, 0);
		pthread_mutex_init(&u->mu, NULL);
		u->ring = gf_ring_new(RING_RECORDS, sizeof(struct gf_record));
		if (u->ring == NULL || gf_bell_init(&u->room) != 0 ||
		    gf_bell_init(&u->wake) != 0)
			gf_fatal(GF_EXIT_ERROR, "out of memory or descriptors");
		if ((rc = pthread_create(&u->th, NULL, upstream_main, u)) != 0)
			gf_fatal(GF_EXIT_ERROR, "cannot start a thread: %s",
			    strerror(rc));
		u->started = 1;
	}
	return c;
}

/* Whether a ring has records, or another thread is done, since a scan
 * that found none and `done` threads done. */
static int
changed(struct gf_collect *c, int done)
{
	int now_done = 0;
	for (int i = 0; i < c->n; i++) {
		if (gf_ring_rslot(c->u[i].ring) != NULL)
			return 1;
		if (atomic_load_explicit(&c->u[i].done, memory_order_acquire))
			now_done++;
	}
	return now_done != done || stopping(c);
}

int
gf_collect_next(struct gf_collect *c, struct gf_record *r, int *from,
    int timeout_ms)
{
	int slept = 0;

	for (;;) {
		int done = 0;
		for (int k = 0; k < c->n; k++) {
			int i = (c->next + k) % c->n;
			struct upstream *u = &c->u[i];
			struct gf_record *slot = gf_ring_rslot(u->ring);
			if (slot == NULL) {
				/* acquire: a done thread's pushes are seen */
				if (atomic_load_explicit(&u->done,
				    memory_order_acquire) &&
				    gf_ring_rslot(u->ring) == NULL)
					done++;
				continue;
			}
			memcpy(r, slot, sizeof(*r));
			gf_ring_pop(u->ring);
			gf_bell_ring(&u->room);
			*from = i;
			c->next = i + 1;
			return 1;
		}
		if (stopping(c) || done == c->n)
			return 0;
		if (slept)
			return -1;
		gf_bell_announce(&c->bell);
		if (changed(c, done)) {
			gf_bell_cancel(&c->bell);
			continue;
		}
		gf_bell_sleep(&c->bell, (long long)timeout_ms * 1000000LL);
		slept = 1;
	}
}

int
gf_collect_info(struct gf_collect *c, int i, struct gf_stream_info *info)
{
	struct upstream *u = &c->u[i];
	int have;
	pthread_mutex_lock(&u->mu);
	have = u->have_info;
	if (have)
		*info = u->info;
	pthread_mutex_unlock(&u->mu);
	return have ? 0 : -1;
}

void
gf_collect_stop(struct gf_collect *c)
{
	atomic_store_explicit(&c->stop, 1, memory_order_release);
	for (int i = 0; i < c->n; i++) {
		struct upstream *u = &c->u[i];
		pthread_mutex_lock(&u->mu);
		if (u->fd >= 0)
			shutdown(u->fd, SHUT_RDWR);
		pthread_mutex_unlock(&u->mu);
		gf_bell_ring_always(&u->wake);
		gf_bell_ring_always(&u->room);
	}
	gf_bell_ring_always(&c->bell);
}

int
gf_collect_close(struct gf_collect *c)
{
	int errors = 0;

	if (c == NULL)
		return 0;
	gf_collect_stop(c);
	for (int i = 0; i < c->n; i++) {
		struct upstream *u = &c->u[i];
		if (u->started)
			pthread_join(u->th, NULL);
		errors += atomic_load(&u->errors);
		gf_ring_free(u->ring);
		gf_bell_free(&u->room);
		gf_bell_free(&u->wake);
		pthread_mutex_destroy(&u->mu);
		free(u->host);
	}
	gf_bell_free(&c->bell);
	free(c->u);
	free(c->hello);
	free(c);
	return errors;
}
