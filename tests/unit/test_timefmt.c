/*
 * test_timefmt.c - reading times, ranges and ISO 8601 durations
 * (common/timefmt.c): gapdump -t and times in filters.
 *
 * Every epoch value below was computed with GNU date, e.g.
 * date -u -d '2026-11-22 03:18:27' +%s = 1795317507.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gapflow.h"
#include "testlib.h"
#include "timefmt.h"

#define S(x)    ((uint64_t)(x) * GF_NS_PER_SEC)
#define T1      1795317507ull           /* 2026-11-22T03:18:27Z */
#define DAY1    1795305600ull           /* 2026-11-22T00:00:00Z */
#define NOW     S(1796354280ull + 17)   /* 2026-12-04T03:18:17Z */

static const struct {
	const char *text;
	uint64_t ns, unit;
} times[] = {
	{ "1795317507", S(T1), S(1) },
	{ "1795317507.25", S(T1) + 250000000, 1 },
	{ "2026-11-22T03:18:27Z", S(T1), S(1) },
	{ "2026-11-22T03:18:27", S(T1), S(1) },         /* UTC by default */
	{ "2026-11-22T03:18:27.000000001Z", S(T1) + 1, 1 },
	{ "2026-11-22T04:18:27+01:00", S(T1), S(1) },
	{ "2026-11-22T04:18:27+0100", S(T1), S(1) },
	{ "2026-11-21T22:18:27-05", S(T1), S(1) },
	{ "2026-11-22T03:18Z", S(T1 - 27), S(60) },
	{ "2026-11-22", S(DAY1), S(86400) },
	{ "2026/11/22", S(DAY1), S(86400) },
	{ "2026/11/22.03", S(DAY1 + 3 * 3600), S(3600) },
	{ "2026/11/22.03:18", S(T1 - 27), S(60) },
	{ "2026/11/22.03:18:27", S(T1), S(1) },
	{ "2026/11/22.03:18:27.5", S(T1) + 500000000, 1 },
	{ "2000-02-29T00:00:00Z", S(951782400ull), S(1) },
	{ "2024-12-31T23:59:59Z", S(1735689599ull), S(1) },
	{ "2100-03-01", S(4107542400ull), S(86400) },
	/* a time of day alone is on NOW's day, 2026-12-04 */
	{ "03:18", S(1796354280ull), S(60) },
	{ "3:18", S(1796354280ull), S(60) },
	{ "03:18:27", S(1796354280ull + 27), S(1) },
	{ "03:18:27.1", S(1796354280ull + 27) + 100000000, 1 },
	{ "03:18Z", S(1796354280ull), S(60) },
};

static const char *const bad_times[] = {
	"", "x", "2026-13-01", "2026-02-29", "2026-11-31", "2026/11/22.24",
	"2026-11-22T03:60Z", "2026-11-22T03:18:61", "1969-12-31",
	"2026-11-22T03:18:27.1234567890Z", "2026-11-22T03", "03:18x",
	"2026/11/22.03:18:27 ", "2026-11-22T03:18:27+25:00", "123456789012",
	"2026-1-22", "2026/11/22.3",
	"99999999999", "9999-12-31",            /* past 2^64 ns */
};

TEST(times)
{
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		uint64_t ns = 0, unit = 0;
		int rc = gf_time_parse(times[i].text, NOW, &ns, &unit);
		if (rc != 0 || ns != times[i].ns || unit != times[i].unit)
			printf("  '%s': rc %d ns %llu unit %llu\n",
			    times[i].text, rc, (unsigned long long)ns,
			    (unsigned long long)unit);
		CHECK(rc == 0);
		CHECK_U64(ns, times[i].ns);
		CHECK_U64(unit, times[i].unit);
	}
	for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]);
	    i++) {
		uint64_t ns;
		if (gf_time_parse(bad_times[i], NOW, &ns, NULL) == 0)
			printf("  '%s' accepted\n", bad_times[i]);
		CHECK(gf_time_parse(bad_times[i], NOW, &ns, NULL) != 0);
	}
}

static const struct {
	const char *text;
	uint64_t from, to;
} ranges[] = {
	{ "2026/11/22.03:18:27+2s", S(T1), S(T1 + 2) },
	{ "2026/11/22.03:18:27+PT2S", S(T1), S(T1 + 2) },
	{ "2026/11/22.03:18:27-2026/11/22.03:19", S(T1), S(T1 + 33) },
	{ "2026/11/22.03:18:27-03:19", S(T1), S(T1 + 33) },    /* same day */
	{ "2026/11/22.03", S(DAY1 + 3 * 3600), S(DAY1 + 4 * 3600) },
	{ "2026/11/22", S(DAY1), S(DAY1 + 86400) },
	{ "2026-11-22T03:18:27Z/2026-11-22T03:18:29Z", S(T1), S(T1 + 2) },
	{ "2026-11-22T03:18:27Z/PT1H30M", S(T1), S(T1 + 5400) },
	{ "2026-11-22T03:18:27Z/P1DT1S", S(T1), S(T1 + 86401) },
	{ "2026-11-22T03:18:27Z/PT0.5S", S(T1), S(T1) + 500000000 },
	{ "2026-11-22T03:18:27Z/30s", S(T1), S(T1 + 30) },
	{ "1795317507+5m", S(T1), S(T1 + 300) },
	{ "1795317507-1795317510", S(T1), S(T1 + 3) },
	{ "03:18-03:19", S(1796354280ull), S(1796354340ull) },
};

static const struct {
	const char *text, *err;
} bad_ranges[] = {
	{ "soon", "'soon' does not start with a time (such as "
	  "2026/11/22.03:18:27, 2026-11-22T03:18:27Z, 03:18 or seconds since "
	  "the epoch)" },
	{ "2026/11/22+2x", "'2026/11/22+2x': '2x' after '+' is not a "
	  "duration (such as 2s, 5m, 1h, 1d, PT2S)" },
	{ "2026-11-22T03:18:27Z/PT", "'2026-11-22T03:18:27Z/PT': 'PT' is not "
	  "an ISO 8601 duration (such as PT2S, PT1H30M, P1D)" },
	{ "2026-11-22T03:18:27Z/P1H", "'2026-11-22T03:18:27Z/P1H': 'P1H' is "
	  "not an ISO 8601 duration (such as PT2S, PT1H30M, P1D)" },
	{ "2026-11-22T03:18:27Z/PT1S1M", "'2026-11-22T03:18:27Z/PT1S1M': "
	  "'PT1S1M' is not an ISO 8601 duration (such as PT2S, PT1H30M, "
	  "P1D)" },
	{ "2026/11/22-x", "'2026/11/22-x': 'x' after '-' is not a time" },
	{ "2026/11/22.05-2026/11/22.04", "'2026/11/22.05-2026/11/22.04': the "
	  "range ends before it starts" },
	{ "2026/11/22+0s", "'2026/11/22+0s': the range ends before it "
	  "starts" },
	{ "2026/11/22+200000d", "'2026/11/22+200000d': the range ends after "
	  "the year 2554" },
	{ "2026/11/22x", "'2026/11/22x': unexpected 'x' after the start time "
	  "(a range is START-END, START+DURATION, START/END or "
	  "START/DURATION)" },
};

TEST(ranges)
{
	char err[256];

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		uint64_t from = 0, to = 0;
		int rc = gf_time_range_parse(ranges[i].text, NOW, &from, &to,
		    err, sizeof(err));
		if (rc != 0)
			printf("  '%s': %s\n", ranges[i].text, err);
		CHECK(rc == 0);
		CHECK_U64(from, ranges[i].from);
		CHECK_U64(to, ranges[i].to);
	}
	for (size_t i = 0; i < sizeof(bad_ranges) / sizeof(bad_ranges[0]);
	    i++) {
		uint64_t from, to;
		err[0] = '\0';
		CHECK(gf_time_range_parse(bad_ranges[i].text, NOW, &from, &to,
		    err, sizeof(err)) != 0);
		CHECK_STR(err, bad_ranges[i].err);
	}
}

TEST(local_time)
{
	uint64_t ns;

	/* New York is UTC-4 in July: date -d '2026-07-01 12:00:00' +%s
	 * with TZ=America/New_York gives 1782921600 */
	setenv("TZ", "America/New_York", 1);
	tzset();
	gf_time_set_mode(GF_TIME_LOCAL);
	CHECK(gf_time_parse("2026-07-01T12:00:00", NOW, &ns, NULL) == 0);
	CHECK_U64(ns, S(1782921600ull));
	CHECK(gf_time_parse("2026/07/01.12:00:00", NOW, &ns, NULL) == 0);
	CHECK_U64(ns, S(1782921600ull));
	/* an explicit zone wins */
	CHECK(gf_time_parse("2026-07-01T16:00:00Z", NOW, &ns, NULL) == 0);
	CHECK_U64(ns, S(1782921600ull));
	gf_time_set_mode(GF_TIME_UTC);
}

int
main(void)
{
	RUN(times);
	RUN(ranges);
	RUN(local_time);
	return test_summary();
}
