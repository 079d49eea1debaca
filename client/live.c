/*
 * live.c - live sensors as gapdump's input (see live.h), on top of the
 * record collector (common/collect.c).
 *
 * Signal handlers only set flags: gf_collect_stop() may not be called
 * from one.  live_next() looks at the flags each time the collector
 * returns, which it does at least every timeout_ms, and stops it then.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect.h"
#include "live.h"
#include "log.h"

static volatile sig_atomic_t got_stop, got_hup;

struct live {
	struct gf_collect *c;
	int (*select)(void *ctx, const struct gf_record *r);
	void *ctx;
	int stopped;
	struct gf_record rec;
	int pending;                    /* rec comes after the RA_INPUT given */
	int cur;                        /* sensor of the last RA_INPUT */
	struct gf_stream_info info;     /* that stream's header */
};

static void
on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

static void
catch_signal(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

struct live *
live_open(const char *const *hosts, int n, const char *filter, int flags,
    int (*select)(void *ctx, const struct gf_record *r), void *ctx,
    char *err, size_t errlen)
{
	struct live *lv;
	struct gf_collect *c;

	/* before the collector's threads exist, so that a signal reaching
	 * one before it blocks them only sets the flag; SA_RESETHAND: a
	 * second INT or TERM kills */
	got_stop = got_hup = 0;
	catch_signal(SIGINT, on_stop, SA_RESETHAND);
	catch_signal(SIGTERM, on_stop, SA_RESETHAND);
	if (flags & LIVE_COLLECT)
		catch_signal(SIGHUP, on_hup, SA_RESTART);
	c = gf_collect_open(hosts, n, filter,
	    (flags & LIVE_COLLECT) ? 0 : GF_COLLECT_ONCE, err, errlen);
	if (c == NULL)
		return NULL;
	lv = gf_xcalloc(1, sizeof(*lv));
	lv->c = c;
	lv->select = select;
	lv->ctx = ctx;
	lv->cur = -1;
	return lv;
}

/*
 * Whether the record just taken from sensor i starts another stream than
 * the one announced last.  The collector keeps only each sensor's latest
 * header: records still queued from before a restart are taken for the
 * new run's, which can only happen when gapdump lags a whole reconnection
 * (at least a second) behind.
 */
static int
new_stream(struct live *lv, int i)
{
	struct gf_stream_info si;

	if (gf_collect_info(lv->c, i, &si) != 0)
		return 0;       /* not reached: a record came */
	if (i == lv->cur && si.start == lv->info.start &&
	    si.sensorid == lv->info.sensorid)
		return 0;
	lv->cur = i;
	lv->info = si;
	return 1;
}

enum ra_event
live_next(struct live *lv, const struct gf_record **r,
    const struct gf_stream_info **info, int timeout_ms)
{
	time_t began = time(NULL);
	int from, rc;

	if (lv->pending) {
		lv->pending = 0;
		*r = &lv->rec;
		return RA_RECORD;
	}
	for (;;) {
		if (got_stop && !lv->stopped) {
			gf_collect_stop(lv->c);
			lv->stopped = 1;
		}
		rc = gf_collect_next(lv->c, &lv->rec, &from, timeout_ms);
		if (rc == 0)
			return RA_END;
		if (rc < 0)
			return RA_IDLE;
		if (!lv->select(lv->ctx, &lv->rec)) {
			/* records keep coming but none is selected: the
			 * caller still flushes and ticks every second */
			if (time(NULL) != began)
				return RA_IDLE;
			continue;
		}
		if (new_stream(lv, from)) {
			lv->pending = 1;
			*info = &lv->info;
			return RA_INPUT;
		}
		*r = &lv->rec;
		return RA_RECORD;
	}
}

int
live_source(const struct live *lv)
{
	return lv->cur;
}

int
live_rotate_asked(struct live *lv)
{
	int asked = got_hup;

	(void)lv;
	if (asked)
		got_hup = 0;
	return asked;
}

int
live_close(struct live *lv)
{
	int errors;

	if (lv == NULL)
		return 0;
	errors = gf_collect_close(lv->c);
	/* finishing the output after the run: a signal now ends it at once
	 * (SIGHUP stays caught until the archive is closed) */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	free(lv);
	return errors;
}
