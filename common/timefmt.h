/*
 * timefmt.h - times (ns since the epoch) and durations as text.
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

/*
 * Parse a duration: a decimal number of seconds with an optional unit
 * suffix ms, s, m, h, d ("0.1", "30s", "5m", "1h", "1d").  Result in ns.
 * Returns 0, or -1 for garbage, negatives and overflow.
 */
int gf_duration_parse(const char *s, uint64_t *ns);

/* Parse a size with optional K, M, G, T suffix (powers of 1000, or of
 * 1024 with "Ki" etc.).  Returns 0 or -1. */
int gf_size_parse(const char *s, uint64_t *v);

#endif
