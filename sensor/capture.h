/*
 * capture.h - packet sources: capture files (pcap, pcapng; several merged
 * in timestamp order, "-" for stdin) and live interfaces, all through
 * libpcap, with an optional BPF capture filter.  Timestamps are in
 * nanoseconds whatever the file's precision.
 */
#ifndef GF_CAPTURE_H
#define GF_CAPTURE_H

#include <pcap/pcap.h>
#include <stdint.h>

#include "config.h"
#include "record.h"

struct capture_source {
	pcap_t *pcap;
	char *name;
	int dlt;
	int live;
	int eof;
	int have;                       /* hdr/data hold the next packet */
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t ts;
	struct pcap_stat last;          /* stats at the last report */
	char *iobuf;                    /* stdio buffer of a capture file */
};

struct capture {
	struct capture_source src[2 * GF_CFG_MAX_SOURCES];
	int n;
	int live;
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

#endif
