/*
 * live.h - gapdump -S: the records of live sensors (gapflow -P), handed
 * out as the same events readahead.h gives for files, and the signals
 * that end a live run or rotate its archive.
 *
 * Promises:
 *   - Every sensor is asked for the records matching filter (the
 *     sensor applies it); select() is applied here as well, on the
 *     caller's thread, as for files.
 *   - RA_INPUT comes before the first selected record of each stream,
 *     and again whenever the next one comes from another stream than the
 *     record before it (another sensor, or the same one restarted): *info
 *     is that stream's header, so that aggregation tells runs apart as it
 *     does for files.  RA_RECORD follows with the record.
 *   - RA_IDLE when no record was handed out for timeout_ms, so that the
 *     caller can flush its output and tick its archive.
 *   - RA_END once every stream has ended (without LIVE_COLLECT a stream
 *     is read once, and a sensor that cannot be reached is an error), or
 *     after SIGINT or SIGTERM, which live_open() catches: the records
 *     already received are handed out first.  A second signal kills.
 *   - With LIVE_COLLECT, streams that end are reconnected until a signal
 *     stops the run, and SIGHUP is caught: live_rotate_asked() says so.
 */
#ifndef GF_LIVE_H
#define GF_LIVE_H

#include <stddef.h>

#include "readahead.h"
#include "record.h"
#include "stream.h"

#define LIVE_COLLECT    0x0001  /* collector mode: -S ... -w */

struct live;

/* NULL with a message naming the sensor in err if a HOST:PORT is bad. */
struct live *live_open(const char *const *hosts, int n, const char *filter,
    int flags, int (*select)(void *ctx, const struct gf_record *r),
    void *ctx, char *err, size_t errlen);
/* The next event; *r and *info stay valid until the next call. */
enum ra_event live_next(struct live *lv, const struct gf_record **r,
    const struct gf_stream_info **info, int timeout_ms);
/* The index (in the -S order) of the sensor whose stream the last
 * RA_INPUT announced. */
int live_source(const struct live *lv);
/* Whether SIGHUP came since the last call. */
int live_rotate_asked(struct live *lv);
/* Stop and free.  Returns the number of errors: sensors not reached
 * (without LIVE_COLLECT), damaged or cut-short streams. */
int live_close(struct live *lv);

#endif /* GF_LIVE_H */
