/*
 * collect.h - records from live sensors (gapflow -P), for gapdump -S.
 *
 * Promises:
 *   - gf_collect_open() connects to every HOST:PORT, asks each for the
 *     records matching an optional filter ("FILTER <expr>" line, applied
 *     by the sensor), and hands the records of all of them out one at a
 *     time through gf_collect_next(), in the order they arrive.
 *   - A sensor that cannot be reached, or whose stream ends (a restart),
 *     is tried again with a backoff of 1 s doubling to 30 s, forever,
 *     each attempt bounded in time; every loss and reconnection is logged
 *     once, naming the sensor.  With GF_COLLECT_ONCE, a stream that ends
 *     is not reconnected, a sensor that cannot be reached at the start is
 *     an error (reported, not tried again), and gf_collect_next() returns
 *     0 once every stream has ended (gapdump -S without -w: read, print,
 *     end).
 *   - One thread per sensor reads its socket, so a slow or silent sensor
 *     never holds up the others; records reach the caller through one
 *     bounded SPSC ring per sensor; a full ring makes that sensor's
 *     thread wait (the sensor cuts it off if it falls too far behind).
 *   - gf_collect_stop() may be called from any thread (not from a signal
 *     handler); gf_collect_next() then returns 0 promptly.
 */
#ifndef GF_COLLECT_H
#define GF_COLLECT_H

#include <stdint.h>

#include "record.h"
#include "stream.h"

#define GF_COLLECT_MAX          64
#define GF_COLLECT_ONCE         0x0001

struct gf_collect;

/* Whether gf_collect_open() would take the arguments: 0, or -1 with a
 * message in err (not HOST:PORT, too many); nothing is connected. */
int gf_collect_check(const char *const *hosts, int n, const char *filter,
    char *err, size_t errlen);
/* NULL with a message in err if an argument is bad (as
 * gf_collect_check()); unreachable sensors are not an error here. */
struct gf_collect *gf_collect_open(const char *const *hosts, int n,
    const char *filter, int flags, char *err, size_t errlen);
/*
 * Next record: 1 (*r set, *from the index of its sensor), 0 after
 * gf_collect_stop() or, with GF_COLLECT_ONCE, when every stream has
 * ended.  Waits at most timeout_ms (then -1: nothing yet), so the caller
 * can rotate files and look at its signals.
 */
int gf_collect_next(struct gf_collect *c, struct gf_record *r, int *from,
    int timeout_ms);
/* The header of sensor i's latest stream into *info: 0, or -1 before its
 * first one. */
int gf_collect_info(struct gf_collect *c, int i, struct gf_stream_info *info);
void gf_collect_stop(struct gf_collect *c);
/* Stop, join the threads, free.  Returns the number of errors: damaged
 * blocks (a stream cut short ends in one) and, with GF_COLLECT_ONCE,
 * sensors never reached. */
int gf_collect_close(struct gf_collect *c);

#endif /* GF_COLLECT_H */
