/*
 * alerts.h - what the SENSOR records say is lost, said on stderr while
 * the sensor runs (issue 13: no silent loss).
 *
 * Promises:
 *   - The first flow eviction (table full) and the first record drop of a
 *     run are warned at once, with the count of their interval and the
 *     setting that cures them.
 *   - After that, evictions and drops are summed and said at most once a
 *     minute (of record time for capture files, of wall time live), one
 *     line for both, only when there was any.
 *   - Driven by the output thread, from the SENSOR records it writes: the
 *     same numbers as the archive's, nothing counted twice.
 * Not thread-safe: one thread owns a struct alerts.
 */
#ifndef GF_ALERTS_H
#define GF_ALERTS_H

#include <stdint.h>

#include "record.h"

#define GF_ALERT_PERIOD_NS (60ull * 1000000000ull)

struct alerts {
	uint64_t max_flows;             /* for the eviction message */
	int evict_warned, drop_warned;
	uint64_t evicted, recdrops;     /* since the last line */
	uint64_t since;                 /* when the pending sums began */
};

void alerts_init(struct alerts *a, uint64_t max_flows);
/* One SENSOR record, at time now (ns). */
void alerts_sensor(struct alerts *a, const struct gf_sensor *s, uint64_t now);

#endif /* GF_ALERTS_H */
