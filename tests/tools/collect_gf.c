/*
 * collect_gf - the record collector (common/collect.c into
 * common/archive.c), as gapdump -S ... -w will run it; for the tests.
 *
 *   collect_gf -S HOST:PORT [-S HOST:PORT ...] [-f EXPR] -w PATH
 *              [--rotate SECONDS] [--once] [-t SECONDS]
 *
 * Reads the live record streams of the sensors (each asked for the
 * records matching EXPR), merges them into the archive PATH (a file, a
 * pattern, or - for stdout), reconnecting to a sensor that restarts,
 * until SIGTERM/SIGINT, or SECONDS pass, or (--once) every stream ended.
 * With one sensor the archive carries that sensor's stream header; with
 * several, a header of its own (sensor id 0, name "collector", started
 * when the collector started).  Exit status 0, or 2 on errors.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive.h"
#include "collect.h"
#include "gapflow.h"
#include "log.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * GF_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	const char *hosts[GF_COLLECT_MAX], *filter = NULL, *out = NULL;
	int n = 0, once = 0, status = GF_EXIT_OK, started = 0;
	double limit = 0, rotate = 0;
	struct gf_stream_info info;
	struct gf_collect *c;
	struct gf_archive *ar;
	struct sigaction sa;
	char err[512];
	uint64_t t0 = wall_ns(), now = t0;

	gf_log_init("collect_gf");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-S") == 0 && i + 1 < argc &&
		    n < GF_COLLECT_MAX)
			hosts[n++] = argv[++i];
		else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			filter = argv[++i];
		else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--rotate") == 0 && i + 1 < argc)
			rotate = atof(argv[++i]);
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			limit = atof(argv[++i]);
		else if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else
			gf_fatal(2, "usage: collect_gf -S HOST:PORT ... [-f EXPR] "
			    "-w PATH [--rotate SECONDS] [--once] [-t SECONDS]");
	}
	if (n == 0 || out == NULL)
		gf_fatal(2, "give -S HOST:PORT and -w PATH");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&info, 0, sizeof(info));
	info.start = t0;
	snprintf(info.name, sizeof(info.name), "collector");
	ar = gf_archive_open(out, &info, 1, (uint64_t)(rotate * 1e9), 0,
	    GF_AR_LIVE, err, sizeof(err));
	if (ar == NULL)
		gf_fatal(2, "%s", err);
	c = gf_collect_open(hosts, n, filter, once ? GF_COLLECT_ONCE : 0, err,
	    sizeof(err));
	if (c == NULL)
		gf_fatal(2, "%s", err);
	while (!stop) {
		struct gf_record r;
		int from, rc = gf_collect_next(c, &r, &from, 200);
		now = wall_ns();
		if (rc == 0)
			break;
		if (rc == 1) {
			/* one sensor: its own header, so the archive reads
			 * like the sensor's (same start, id, name) */
			if (!started && n == 1 &&
			    gf_collect_info(c, from, &info) == 0)
				gf_archive_set_info(ar, &info);
			started = 1;
			gf_archive_put(ar, &r, now);
		}
		gf_archive_tick(ar, now);
		if (limit > 0 && now >= t0 + (uint64_t)(limit * 1e9))
			break;
	}
	if (gf_collect_close(c) != 0)
		status = GF_EXIT_ERROR;
	if (gf_archive_close(ar, now, NULL, NULL) != 0)
		status = GF_EXIT_ERROR;
	return status;
}
