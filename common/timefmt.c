/*
 * timefmt.c - time and duration text forms.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gapflow.h"
#include "timefmt.h"

static enum gf_time_mode time_mode = GF_TIME_UTC;

void
gf_time_set_mode(enum gf_time_mode mode)
{
	time_mode = mode;
}

int
gf_time_format(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / GF_NS_PER_SEC);
	unsigned usec = (unsigned)((ns % GF_NS_PER_SEC) / 1000);
	struct tm tm;
	char date[40];

	if (time_mode == GF_TIME_EPOCH)
		return snprintf(buf, len, "%" PRIu64 ".%06u",
		    (uint64_t)(ns / GF_NS_PER_SEC), usec);
	if (time_mode == GF_TIME_LOCAL) {
		char zone[32];
		long off;
		if (localtime_r(&sec, &tm) == NULL)
			return snprintf(buf, len, "-");
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
		off = tm.tm_gmtoff / 60;
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld",
		    off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
		return snprintf(buf, len, "%s.%06u%s", date, usec, zone);
	}
	if (gmtime_r(&sec, &tm) == NULL)
		return snprintf(buf, len, "-");
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	return snprintf(buf, len, "%s.%06uZ", date, usec);
}

int
gf_duration_parse(const char *s, uint64_t *ns)
{
	char *end;
	double v, mult = 1.0;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v) || v < 0)
		return -1;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mult = 1.0;
	else if (strcmp(end, "ms") == 0)
		mult = 1e-3;
	else if (strcmp(end, "m") == 0)
		mult = 60.0;
	else if (strcmp(end, "h") == 0)
		mult = 3600.0;
	else if (strcmp(end, "d") == 0)
		mult = 86400.0;
	else
		return -1;
	v = v * mult * 1e9;
	if (v >= 1.8e19)
		return -1;
	*ns = (uint64_t)(v + 0.5);    /* v < 1.8e19: fits, unlike llround */
	return 0;
}

int
gf_size_parse(const char *s, uint64_t *v)
{
	char *end;
	double d, mult = 1.0;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(d) || d < 0)
		return -1;
	if (*end != '\0') {
		const char *u = "KMGT";
		const char *p = strchr(u, end[0]);
		if (p == NULL || end[0] == '\0')
			return -1;
		int pow = (int)(p - u) + 1;
		double base = 1000.0;
		if (end[1] == 'i' && end[2] == '\0')
			base = 1024.0;
		else if (end[1] != '\0')
			return -1;
		for (int i = 0; i < pow; i++)
			mult *= base;
	}
	d *= mult;
	if (d >= 1.8e19)
		return -1;
	*v = (uint64_t)(d + 0.5);
	return 0;
}

uint64_t
gf_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * GF_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}
