/*
 * capture.h - packet sources: capture files (pcap, pcapng; several merged
 * in timestamp order, "-" for stdin) and live interfaces, all through
 * libpcap, with an optional BPF capture filter.  Timestamps are in
 * nanoseconds whatever the file's precision.
 *
 * Files are read through capture_next(), which merges them in timestamp
 * order.  Any number of files may be given: each is looked at once at
 * start (opened, checked, its first packet's time noted, closed), and
 * opened again only when the merge reaches that time; it is closed at its
 * end.  So a day of consecutive files holds one or two open at a time,
 * and memory grows with the files that overlap in time, not with their
 * number.  Files may be gzip-compressed (capfile.h).  Live interfaces are read one per thread (the sensor's packet
 * threads) through capture_dispatch(), capture_wait_source() and
 * capture_source_drops(): each of those touches only its own source, so
 * that different sources may be used from different threads at once.
 */
#ifndef GF_CAPTURE_H
#define GF_CAPTURE_H

#include <pcap/pcap.h>
#include <stdint.h>

#include "config.h"
#include "gapflow.h"
#include "record.h"

/* What the end-of-run summary says about a source: written only by the
 * thread that decodes its frames, read once that thread has ended. */
struct capture_counts {
	uint64_t frames;                /* frames handed to the decoder */
	uint64_t nonip;                 /* of those, without IP */
	uint64_t bad[GF_BAD_COUNT];     /* of those, skipped by reason */
	int skipped;                    /* nonip or bad is non-zero */
};

struct capture_source {
	pcap_t *pcap;
	char *name;
	char *path;                     /* a file to open again; NULL: stdin
					   or live */
	int dlt;
	int live;
	int eof;
	int have;                       /* hdr/data hold the next packet */
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t ts;
	struct pcap_stat last;          /* stats at the last report */
	uint64_t kdrops, ifdrops;       /* since opened, across wraps */
	char *iobuf;                    /* stdio buffer of a capture file */
	void *gz;                       /* its zlib handle, if compressed */
	uint64_t first;                 /* a file's first packet time */
	/* the decoding thread's, a cache line away from the fields above,
	 * which a live source's packet thread uses */
	char pad[64];
	struct capture_counts cnt;
};

struct capture {
	struct capture_source *src;     /* files, then interfaces */
	int n;
	int live;
	int timeout_ms;                 /* the longest a live packet waits
					   in the kernel (0: immediate) */
	/* the merge: sources open now, and files still to open, in order of
	 * their first packet */
	struct capture_source **act, **wait;
	int nact, nwait, next_wait;
	char *filter;
	size_t bufsize;                 /* stdio buffer of each open file */
};

/* Open every source named in cfg.  -1 with a message naming the source
 * on failure (nothing left open). */
int capture_open(struct capture *c, const struct gf_config *cfg);
void capture_close(struct capture *c);

/*
 * Next packet in timestamp order across the sources.  1: *src, *hdr, *data
 * set (valid until the next call); 0: all sources at end; -1: a read error
 * (message printed, that source is closed, others go on); 2: no packet
 * within the live timeout (only for live capture).
 */
int capture_next(struct capture *c, struct capture_source **src,
    const struct pcap_pkthdr **hdr, const u_char **data, uint64_t *ts);

/* Add the drops since the last call (live sources) to s. */
void capture_stats(struct capture *c, struct gf_sensor *s);

/*
 * Live source: hand up to max waiting packets to cb (pcap_dispatch(3PCAP)
 * in non-blocking mode).  Returns the number handed, 0 if none waits, or
 * -1 on a read error (message printed; the source is then at its end).
 */
int capture_dispatch(struct capture_source *s, int max, pcap_handler cb,
    u_char *user);
/* Live source: wait at most timeout_ms for packets to read, or for fd
 * (-1: none) to be readable. */
void capture_wait_source(struct capture_source *s, int fd, int timeout_ms);
/* Live source: kernel and interface drops since it was opened. */
void capture_source_drops(struct capture_source *s, uint64_t *kdrops,
    uint64_t *ifdrops);

#endif
