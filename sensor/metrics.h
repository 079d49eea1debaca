/*
 * metrics.h - the sensor's counters as a Prometheus text-format file
 * (gapflow --metrics FILE, output.metrics), the way node_exporter's
 * textfile collector reads them.
 *
 * The file is written whole under FILE.tmp and renamed over FILE, so a
 * reader never sees half a file: at start (every counter 0), at every
 * SENSOR record (each status interval) and at exit.  Counters are totals
 * since the sensor started; the two capture-loss ratios are those of the
 * last interval.  Every sample carries the label sensor="NAME" (sensor.name,
 * or the decimal sensor.id when the name is empty).  The metric names and
 * their meaning are listed in gapflow(8), METRICS.
 *
 * Only the output thread calls these, and never per packet.  A failed
 * write is warned once, and again only after a write succeeded.
 */
#ifndef GF_METRICS_H
#define GF_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct metrics;

/* Write the first file (all zero).  The label is name, or id when name
 * is empty.  NULL with a message in err. */
struct metrics *metrics_open(const char *path, const char *name, uint32_t id,
    char *err, size_t errlen);
/* A SENSOR record: add it up and write the file. */
void metrics_put(struct metrics *m, const struct gf_record *r);
/* The last write (recdrops_late: records lost after the last SENSOR
 * record), then free.  NULL is fine. */
void metrics_close(struct metrics *m, uint64_t recdrops_late);

#endif
