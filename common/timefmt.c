/*
 * timefmt.c - time and duration text forms, printed and read (see
 * timefmt.h).  Reading never trusts the text: every number is bounded
 * before it is used, and dates are converted by arithmetic (UTC) or
 * mktime (local time), never by scanf.
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
static int parse_local;         /* times without a zone are local */

void
gf_time_set_mode(enum gf_time_mode mode)
{
	time_mode = mode;
	/* -u prints epoch seconds; times read stay as --localtime said */
	if (mode != GF_TIME_EPOCH)
		parse_local = mode == GF_TIME_LOCAL;
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

uint64_t
gf_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * GF_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ---- reading times -------------------------------------------------- */

#define NS_DAY (86400ull * GF_NS_PER_SEC)

/* A time as read: which parts were given decides its precision. */
struct tparts {
	int y, mo, d, h, mi, sec;
	uint32_t frac;                  /* ns */
	int has_date, has_zone;
	long zone;                      /* seconds east of UTC */
	uint64_t unit;                  /* precision, ns */
	int epoch;                      /* seconds since the epoch */
	uint64_t epoch_ns;
};

/* Exactly n digits (n <= 4) at *p. */
static int
take_digits(const char **p, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (c - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ".digits" (1-9 of them) at *p, if there; as ns. */
static int
take_frac(const char **p, uint32_t *ns, int *given)
{
	const char *q = *p;
	uint32_t v = 0;
	int n = 0;

	*given = 0;
	if (*q != '.' || !is_digit(q[1]))
		return 0;
	for (q++; is_digit(*q); q++) {
		if (++n > 9)
			return -1;
		v = v * 10 + (uint32_t)(*q - '0');
	}
	for (int i = n; i < 9; i++)
		v *= 10;
	*ns = v;
	*given = 1;
	*p = q;
	return 0;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* HH:MM[:SS[.frac]] or, argus after a date, HH[:MM[:SS[.frac]]]. */
static int
take_clock(const char **p, struct tparts *t, int hour_alone)
{
	int given;

	if (take_digits(p, 2, &t->h) != 0 || t->h > 23)
		return -1;
	t->unit = 3600 * GF_NS_PER_SEC;
	if (**p != ':')
		return hour_alone ? 0 : -1;
	(*p)++;
	if (take_digits(p, 2, &t->mi) != 0 || t->mi > 59)
		return -1;
	t->unit = 60 * GF_NS_PER_SEC;
	if (**p != ':')
		return 0;
	(*p)++;
	if (take_digits(p, 2, &t->sec) != 0 || t->sec > 60)
		return -1;
	t->unit = GF_NS_PER_SEC;
	if (take_frac(p, &t->frac, &given) != 0)
		return -1;
	if (given)
		t->unit = 1;
	return 0;
}

/* Z, +HH, +HH:MM, +HHMM (or -). */
static int
take_zone(const char **p, struct tparts *t)
{
	int sign, hh, mm = 0;

	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		t->has_zone = 1;
		t->zone = 0;
		return 0;
	}
	if ((**p != '+' && **p != '-') || !is_digit((*p)[1]))
		return 0;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (take_digits(p, 2, &hh) != 0 || hh > 23)
		return -1;
	if (**p == ':')
		(*p)++;
	if (is_digit(**p) && (take_digits(p, 2, &mm) != 0 || mm > 59))
		return -1;
	t->has_zone = 1;
	t->zone = sign * (hh * 3600L + mm * 60L);
	return 0;
}

/* One time at *p, as far as its form goes. */
static int
take_time(const char **p, struct tparts *t)
{
	const char *q = *p;
	size_t nd = 0;

	memset(t, 0, sizeof(*t));
	while (is_digit(q[nd]))
		nd++;
	if (nd == 4 && (q[4] == '-' || q[4] == '/')) {
		char sep = q[4];
		if (take_digits(&q, 4, &t->y) != 0 || *q++ != sep ||
		    take_digits(&q, 2, &t->mo) != 0 || *q++ != sep ||
		    take_digits(&q, 2, &t->d) != 0)
			return -1;
		if (t->y < 1970 || t->mo < 1 || t->mo > 12 || t->d < 1 ||
		    t->d > month_days(t->y, t->mo))
			return -1;
		t->has_date = 1;
		t->unit = NS_DAY;
		if (sep == '-' && (*q == 'T' || *q == 't')) {
			q++;
			if (take_clock(&q, t, 0) != 0)
				return -1;
		} else if (sep == '/' && *q == '.' && is_digit(q[1])) {
			q++;
			if (take_clock(&q, t, 1) != 0)
				return -1;
		}
		if (sep == '-' && take_zone(&q, t) != 0)
			return -1;
	} else if ((nd == 1 || nd == 2) && q[nd] == ':') {
		if (nd == 1) {
			/* 3:18 */
			t->h = q[0] - '0';
			q++;
			if (*q++ != ':' || take_digits(&q, 2, &t->mi) != 0 ||
			    t->mi > 59)
				return -1;
			t->unit = 60 * GF_NS_PER_SEC;
			if (*q == ':') {
				int given;
				q++;
				if (take_digits(&q, 2, &t->sec) != 0 ||
				    t->sec > 60 ||
				    take_frac(&q, &t->frac, &given) != 0)
					return -1;
				t->unit = given ? 1 : GF_NS_PER_SEC;
			}
		} else if (take_clock(&q, t, 0) != 0) {
			return -1;
		}
		/* Z only: a '-' after a time of day starts an argus range */
		if (*q == 'Z' && take_zone(&q, t) != 0)
			return -1;
	} else if (nd > 0 && nd <= 11) {
		uint64_t sec = 0;
		uint32_t frac = 0;
		int given;
		for (size_t i = 0; i < nd; i++)
			sec = sec * 10 + (uint64_t)(q[i] - '0');
		q += nd;
		if (take_frac(&q, &frac, &given) != 0)
			return -1;
		if (sec > (UINT64_MAX - frac) / GF_NS_PER_SEC)
			return -1;
		t->epoch = 1;
		t->epoch_ns = sec * GF_NS_PER_SEC + frac;
		t->unit = given ? 1 : GF_NS_PER_SEC;
	} else {
		return -1;
	}
	*p = q;
	return 0;
}

/* The time t stands for; ref gives the day of a time of day alone. */
static int
resolve(struct tparts *t, uint64_t ref, uint64_t *ns)
{
	int64_t sec;

	if (t->epoch) {
		*ns = t->epoch_ns;
		return 0;
	}
	if (!t->has_date) {
		time_t r = (time_t)(ref / GF_NS_PER_SEC);
		struct tm tm;
		if (t->has_zone)
			r += t->zone;
		if ((parse_local && !t->has_zone ? localtime_r(&r, &tm) :
		    gmtime_r(&r, &tm)) == NULL)
			return -1;
		t->y = tm.tm_year + 1900;
		t->mo = tm.tm_mon + 1;
		t->d = tm.tm_mday;
	}
	if (parse_local && !t->has_zone) {
		struct tm tm;
		time_t r;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = t->y - 1900;
		tm.tm_mon = t->mo - 1;
		tm.tm_mday = t->d;
		tm.tm_hour = t->h;
		tm.tm_min = t->mi;
		tm.tm_sec = t->sec;
		tm.tm_isdst = -1;
		if ((r = mktime(&tm)) == (time_t)-1)
			return -1;
		sec = (int64_t)r;
	} else {
		sec = days_from_civil(t->y, t->mo, t->d) * 86400 +
		    t->h * 3600 + t->mi * 60 + t->sec - t->zone;
	}
	if (sec < 0 || (uint64_t)sec > (UINT64_MAX - t->frac) / GF_NS_PER_SEC)
		return -1;
	*ns = (uint64_t)sec * GF_NS_PER_SEC + t->frac;
	return 0;
}

int
gf_time_parse(const char *s, uint64_t now, uint64_t *ns, uint64_t *unit)
{
	struct tparts t;
	const char *p = s;

	if (s == NULL || take_time(&p, &t) != 0 || *p != '\0' ||
	    resolve(&t, now, ns) != 0)
		return -1;
	if (unit != NULL)
		*unit = t.unit;
	return 0;
}

int
gf_iso_duration_parse(const char *s, uint64_t *ns)
{
	uint64_t total = 0;
	int in_time = 0, any = 0;
	char last = 0;

	if (s == NULL || *s++ != 'P')
		return -1;
	while (*s != '\0') {
		uint64_t v = 0, mult;
		uint32_t frac = 0;
		int nd = 0, given = 0;
		if (*s == 'T') {
			if (in_time)
				return -1;
			in_time = 1;
			s++;
			continue;
		}
		for (; is_digit(*s); s++) {
			if (++nd > 12)
				return -1;
			v = v * 10 + (uint64_t)(*s - '0');
		}
		if (nd == 0)
			return -1;
		if (take_frac(&s, &frac, &given) != 0)
			return -1;
		switch (*s) {
		case 'W': mult = 7 * NS_DAY; break;
		case 'D': mult = NS_DAY; break;
		case 'H': mult = 3600 * GF_NS_PER_SEC; break;
		case 'M': mult = 60 * GF_NS_PER_SEC; break;
		case 'S': mult = GF_NS_PER_SEC; break;
		default: return -1;
		}
		/* days and weeks before T, the rest after; no fraction but
		 * of seconds; each designator once, in order */
		if ((in_time != (*s == 'H' || *s == 'M' || *s == 'S')) ||
		    (given && *s != 'S') || (last != 0 &&
		    strchr("WDHMS", *s) <= strchr("WDHMS", last)))
			return -1;
		last = *s++;
		if (v > (UINT64_MAX / 2) / mult ||
		    v * mult + frac > UINT64_MAX - total)
			return -1;
		total += v * mult + frac;
		any = 1;
	}
	if (!any)
		return -1;
	*ns = total;
	return 0;
}

/* A length after '+' (argus) or '/' (ISO): PT2S, or 2s, 5m, 1h, 1d. */
static int
take_length(const char *s, uint64_t *ns)
{
	if (*s == 'P')
		return gf_iso_duration_parse(s, ns);
	return gf_duration_parse(s, ns);
}

int
gf_time_range_parse(const char *s, uint64_t now, uint64_t *from,
    uint64_t *to, char *err, size_t errlen)
{
	struct tparts a, b;
	const char *p = s, *rest;
	uint64_t len;
	char sep;

	if (take_time(&p, &a) != 0 || resolve(&a, now, from) != 0) {
		snprintf(err, errlen, "'%s' does not start with a time "
		    "(such as 2026/11/22.03:18:27, 2026-11-22T03:18:27Z, "
		    "03:18 or seconds since the epoch)", s);
		return -1;
	}
	sep = *p;
	rest = sep != '\0' ? p + 1 : p;
	switch (sep) {
	case '\0':
		if (a.unit > UINT64_MAX - *from)
			goto overflow;
		*to = *from + a.unit;
		return 0;
	case '+':
		if (take_length(rest, &len) != 0) {
			snprintf(err, errlen, "'%s': '%s' after '+' is not a "
			    "duration (such as 2s, 5m, 1h, 1d, PT2S)", s, rest);
			return -1;
		}
		if (len > UINT64_MAX - *from)
			goto overflow;
		*to = *from + len;
		break;
	case '-':
	case '/':
		if (sep == '/' && *rest == 'P') {
			if (gf_iso_duration_parse(rest, &len) != 0) {
				snprintf(err, errlen, "'%s': '%s' is not an "
				    "ISO 8601 duration (such as PT2S, PT1H30M, "
				    "P1D)", s, rest);
				return -1;
			}
			if (len > UINT64_MAX - *from)
				goto overflow;
			*to = *from + len;
			break;
		}
		p = rest;
		if (take_time(&p, &b) == 0 && *p == '\0' &&
		    resolve(&b, *from, to) == 0)
			break;
		if (sep == '/' && gf_duration_parse(rest, &len) == 0) {
			if (len > UINT64_MAX - *from)
				goto overflow;
			*to = *from + len;
			break;
		}
		snprintf(err, errlen, "'%s': '%s' after '%c' is not a time%s",
		    s, rest, sep, sep == '/' ? " or a duration" : "");
		return -1;
	default:
		snprintf(err, errlen, "'%s': unexpected '%s' after the start "
		    "time (a range is START-END, START+DURATION, START/END or "
		    "START/DURATION)", s, p);
		return -1;
	}
	if (*to <= *from) {
		snprintf(err, errlen, "'%s': the range ends before it starts",
		    s);
		return -1;
	}
	return 0;
overflow:
	snprintf(err, errlen, "'%s': the range ends after the year 2554", s);
	return -1;
}
