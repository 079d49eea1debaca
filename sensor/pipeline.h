/*
 * pipeline.h - the sensor's threads: packets in, records out, and the
 * rings between them.
 *
 * Live capture (Gulp's lesson: a reader that waits on writes drops
 * packets):
 *   packet threads, one per interface: libpcap -> that interface's
 *     packet ring.  They never wait on anything but the kernel; a full
 *     ring drops the packet and counts it (SENSOR ringdrops).
 *   the flow thread: merges the packet rings in timestamp order, runs the
 *     flow engine, hands records to the record ring.  A packet is taken
 *     when every other ring has a later packet, or its reader has ended,
 *     or it has waited input.merge_skew (so an idle interface never
 *     stalls the others).  A full record ring drops the FLOW record and
 *     counts it (SENSOR recdrops); a SENSOR record is never dropped: it
 *     waits, merged with later ones, so no counter is ever lost.
 *   the output thread: the archive, the live service and the IPFIX
 *     exporter.  It may wait on the disk; only the record ring fills
 *     meanwhile.  It never waits on a collector (ipfix_export.h).
 * Capture files: the calling thread reads and merges the files and runs
 *   the flow engine; it waits for room in the record ring instead of
 *   dropping, because offline input must be lossless.
 *
 * Every counter the flow thread reports from another thread is an atomic
 * written by that thread alone.
 */
#ifndef GF_PIPELINE_H
#define GF_PIPELINE_H

#include <signal.h>
#include <stdint.h>

#include "archive.h"
#include "capture.h"
#include "config.h"
#include "service.h"

/* Bytes of each packet a packet ring keeps: every header the decoder
 * reads fits (it takes lengths from the IP headers, so a short capture
 * loses no count); payload bytes are never used. */
#define GF_PKT_SLOT     512
#define GF_PKT_SNAP     (GF_PKT_SLOT - 16)

struct pipeline;

/*
 * Set up rings and the flow engine for cfg's sources in cap.  ar and svc
 * (either may be NULL) belong to the pipeline from now on.  info is the
 * header of every file and client stream; its start is filled in when
 * known (start != 0: live, the run's start).  NULL with a message printed
 * if memory is short.
 */
struct pipeline *pipeline_new(const struct gf_config *cfg,
    struct capture *cap, struct gf_archive *ar, struct service *svc,
    const struct gf_stream_info *info);

/* The IPFIX exporter (NULL none), the pipeline's from now on: the output
 * thread feeds it every record.  Before pipeline_start(). */
struct gf_ipfix_exp;
void pipeline_set_ipfix(struct pipeline *pl, struct gf_ipfix_exp *ipx);

/* Live: start the packet threads (before giving up root: real-time
 * priority needs it).  -1 with a message printed. */
int pipeline_start_readers(struct pipeline *pl);
/* Start the output thread, and for live capture the flow thread. */
int pipeline_start(struct pipeline *pl);

/*
 * Capture files: read them all through the flow engine in this thread.
 * *stop (a signal) ends the input early (flows end with reason shutdown);
 * *rotate asks for a new output file.  Returns when the input is done.
 */
void pipeline_run_files(struct pipeline *pl, volatile sig_atomic_t *stop,
    volatile sig_atomic_t *rotate);

/* Live: stop reading; the rest drains and ends.  Any thread. */
void pipeline_stop(struct pipeline *pl);
/* Live: whether any packet thread still reads. */
int pipeline_reading(struct pipeline *pl);
/* Finish the current output file now (SIGHUP).  Any thread. */
void pipeline_rotate(struct pipeline *pl);
/*
 * Apply the reloadable keys of cfg (SIGHUP): flows.timeouts.*,
 * output.rotate_interval, output.rotate_size, service.allow.  Any thread.
 */
void pipeline_reload(struct pipeline *pl, const struct gf_config *cfg);

/*
 * Wait until everything is written and closed.  Returns GF_EXIT_OK, 1 if
 * some input was damaged, or GF_EXIT_ERROR if records were lost on the
 * way to the output or the output could not be finished.
 */
int pipeline_join(struct pipeline *pl);
void pipeline_free(struct pipeline *pl);

/* After pipeline_join(): the end-of-run lines on stderr (summary.h);
 * totals: with the line of totals. */
void pipeline_summary(struct pipeline *pl, int totals);

/* For -v: packets read, records written, records lost. */
void pipeline_totals(struct pipeline *pl, uint64_t *packets,
    uint64_t *written, uint64_t *lost);

#endif /* GF_PIPELINE_H */
