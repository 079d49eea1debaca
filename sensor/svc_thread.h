/*
 * svc_thread.h - the live record service on a thread of its own, so that
 * serving clients never costs the archive (issue 13).
 *
 * Promises:
 *   - The output thread hands each record over with svc_thread_put(),
 *     which copies it into a bounded ring and returns: it never waits on
 *     the service (live capture).  With capture files it waits for room,
 *     as the flow thread waits for the output: nothing is lost then, and
 *     the service thread itself never waits on a client.
 *   - When the ring is full (live), the record is not served; every
 *     client then streaming is cut off (it would miss records), counted
 *     in the SENSOR field clientdrops and logged.  A record is never
 *     served to a client out of order or twice.
 *   - While no client is streaming, records are not copied at all.
 *   - The service thread owns the service: it polls the listening and
 *     client sockets, applies filters, encodes and sends blocks, and
 *     closes everything at the end (svc_thread_finish).
 * The output thread alone calls the other functions.
 */
#ifndef GF_SVC_THREAD_H
#define GF_SVC_THREAD_H

#include <stdint.h>

#include "config.h"
#include "record.h"
#include "service.h"
#include "stream.h"

struct svc_thread;

/* live: drop (and cut clients off) rather than wait.  slots: the ring's
 * records, a power of two; as many as the record ring's, since a status
 * interval's end sends a record of every active flow at once.  NULL on
 * error (message printed); svc is then still the caller's. */
struct svc_thread *svc_thread_new(struct service *svc, int live,
    size_t slots);
int svc_thread_start(struct svc_thread *t);
/* The stream header and zlib level: clients are served from now on. */
void svc_thread_begin(struct svc_thread *t, const struct gf_stream_info *info,
    int level);
void svc_thread_set_allow(struct svc_thread *t,
    const struct gf_netprefix *allow, int nallow);
/* One record, at time now (record time for files, wall time live). */
void svc_thread_put(struct svc_thread *t, const struct gf_record *r,
    uint64_t now);
/* Clients cut off so far (slow, over a cap, or the ring overflowed). */
uint64_t svc_thread_cutoff(const struct svc_thread *t);
/* Serve what is queued (at most linger_ms), close everything, join and
 * free.  Also for a thread never started. */
void svc_thread_finish(struct svc_thread *t, int linger_ms);

#endif /* GF_SVC_THREAD_H */
