/*
 * log.c - diagnostics to stderr or syslog.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "gapflow.h"
#include "log.h"

static const char *prog = "gapflow";
static int to_syslog;
static int verbose;

void
gf_log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');
	prog = slash ? slash + 1 : progname;
}

void
gf_log_use_syslog(void)
{
	openlog(prog, LOG_PID, LOG_DAEMON);
	to_syslog = 1;
}

void
gf_log_set_verbose(int level)
{
	verbose = level;
}

int
gf_log_verbose(void)
{
	return verbose;
}

static void
vlog(int prio, const char *what, const char *fmt, va_list ap)
{
	if (to_syslog) {
		vsyslog(prio, fmt, ap);
		return;
	}
	/* one line, whole, when other threads log too (gapdump -S) */
	flockfile(stderr);
	fprintf(stderr, "%s: %s", prog, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void
gf_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERR, "", fmt, ap);
	va_end(ap);
}

void
gf_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

void
gf_info(const char *fmt, ...)
{
	va_list ap;
	if (verbose == 0)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void
gf_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_NOTICE, "", fmt, ap);
	va_end(ap);
}

void
gf_fatal(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERR, "", fmt, ap);
	va_end(ap);
	exit(status);
}

static void *
check_alloc(void *p)
{
	if (p == NULL)
		gf_fatal(GF_EXIT_ERROR, "out of memory");
	return p;
}

void *
gf_xmalloc(size_t n)
{
	return check_alloc(malloc(n ? n : 1));
}

void *
gf_xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *
gf_xrealloc(void *p, size_t n)
{
	return check_alloc(realloc(p, n ? n : 1));
}

char *
gf_xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}
