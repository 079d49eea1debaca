/*
 * timefmt.h - times (ns since the epoch) and durations as text, both ways.
 *
 * Reading a time (gf_time_parse) accepts, for gapdump -t and filters:
 *   seconds since the epoch      1795341600, 1795341600.25
 *   ISO 8601                     2026-11-22, 2026-11-22T03:18,
 *                                2026-11-22T03:18:27.5Z, ...+01:00, ...+0100
 *   argus                        2026/11/22, 2026/11/22.03, 2026/11/22.03:18:27
 *   a time of day alone (today)  03:18, 03:18:27, 03:18:27.5
 * A time without a zone is UTC, or local time after gf_time_set_mode
 * (GF_TIME_LOCAL).  Fields are range-checked (month 1-12, day within
 * the month, 23:59:60 at most); nothing partial is accepted.
 */
#ifndef GF_TIMEFMT_H
#define GF_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

enum gf_time_mode {
	GF_TIME_UTC,            /* 2026-11-22T10:00:00.123456Z (default) */
	GF_TIME_LOCAL,          /* 2026-11-22T11:00:00.123456+01:00 */
	GF_TIME_EPOCH,          /* 1795341600.123456 */
};

/* Process-wide choice of the printed form (gapdump -u, --localtime). */
void gf_time_set_mode(enum gf_time_mode mode);
int gf_time_format(uint64_t ns, char *buf, size_t len);
/* The wall clock (CLOCK_REALTIME) in ns since the epoch. */
uint64_t gf_wall_ns(void);
/* The monotonic clock (CLOCK_MONOTONIC) in ns. */
uint64_t gf_mono_ns(void);

/*
 * Parse a duration: a decimal number of seconds with an optional unit
 * suffix ms, s, m, h, d ("0.1", "30s", "5m", "1h", "1d").  Result in ns.
 * Returns 0, or -1 for garbage, negatives and overflow.
 */
int gf_duration_parse(const char *s, uint64_t *ns);

/*
 * Parse one time (forms above) into *ns.  If unit is not NULL it gets the
 * time's precision: one day for a date alone, an hour for 2026/11/22.03,
 * a minute, a second, or 1 ns for fractions and epoch seconds.  "now" is
 * the clock used for a time of day alone.  Returns 0 or -1.
 */
int gf_time_parse(const char *s, uint64_t now, uint64_t *ns, uint64_t *unit);

/*
 * Parse a time range [*from, *to) (gapdump -t):
 *   T             the span of T's precision (2026/11/22.03: that hour)
 *   T-T           argus: from one time to the other (the end's precision
 *                 included: ...-03:19 ends at 03:20)
 *   T+DURATION    argus: 2026/11/22.03:18:27+2s (s, m, h, d)
 *   T/T, T/DUR    ISO 8601: START/END, START/DURATION (PT2S, P1D,
 *                 PT1H30M, or 30s as above)
 * A time of day alone as the end means the day of the start.  Returns 0,
 * or -1 with a message naming the bad part in err.
 */
int gf_time_range_parse(const char *s, uint64_t now, uint64_t *from,
    uint64_t *to, char *err, size_t errlen);

/* ISO 8601 duration: P[nD][T[nH][nM][n[.f]S]] (no years or months). */
int gf_iso_duration_parse(const char *s, uint64_t *ns);

/* Parse a size with optional K, M, G, T suffix (powers of 1000, or of
 * 1024 with "Ki" etc.).  Returns 0 or -1. */
int gf_size_parse(const char *s, uint64_t *v);

#endif
