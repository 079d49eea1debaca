/*
 * flow_proc.h - packets in, flow and sensor records out.
 *
 * The per-packet path: run expiry and interval reports that are due
 * (packet time drives the clock), then one hash lookup, direction, counters
 * and TCP tracking.  Records go to a sink callback (the writer, or a ring
 * to the writer thread).  Status reports follow one sensor-wide schedule:
 * every flow active in an interval emits one STATUS record at the
 * interval's end; boundaries are multiples of the interval since the
 * epoch when aligned, else since the first packet.  Every flow ends with a
 * FINAL record carrying its end reason.
 */
#ifndef GF_FLOW_PROC_H
#define GF_FLOW_PROC_H

#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "flow.h"
#include "frag.h"
#include "record.h"
#include "tcp_track.h"

typedef void (*flow_sink_fn)(void *ctx, const struct gf_record *r);
/* Fills capture statistics (drops) of the interval into s. */
typedef void (*flow_stats_fn)(void *ctx, struct gf_sensor *s);

struct flow_proc {
	struct flow_table table;
	struct tcp_ctx tcp;
	struct frag_cache *frags;
	flow_sink_fn sink;
	void *sink_ctx;
	flow_stats_fn stats_hook;
	void *stats_ctx;
	uint64_t timeout[FC_COUNT];
	uint64_t interval;              /* status interval, ns */
	uint64_t sensor_interval;       /* SENSOR record interval, ns */
	uint64_t skew;                  /* handshake skew tolerance, ns */
	int align;
	uint32_t sensor_id;
	uint32_t nsources;
	int started;
	uint64_t next_report;           /* next status boundary */
	uint64_t next_sensor;           /* next SENSOR boundary */
	uint64_t sensor_start;          /* start of the SENSOR interval */
	uint64_t now;                   /* latest packet or tick time */
	struct gf_sensor st;            /* SENSOR counters of the interval */
	uint32_t *ipbytes;              /* [flow index * 2 + dir]: IP bytes of
	                                   the interval; beside struct flow,
	                                   which is at its 256-byte budget */
	uint64_t total_records;
};

int flow_proc_init(struct flow_proc *fp, const struct gf_config *cfg,
    flow_sink_fn sink, void *sink_ctx);
void flow_proc_free(struct flow_proc *fp);

/* One decoded packet (rc from gf_decode; pkt->ts and wire_len set). */
void flow_proc_packet(struct flow_proc *fp, enum gf_decode_rc rc,
    const struct gf_packet *pkt);
/* Advance the clock without a packet (live capture, idle link). */
void flow_proc_tick(struct flow_proc *fp, uint64_t now);
/* End every flow with reason (GF_END_EOF or GF_END_SHUTDOWN) and emit
 * the last SENSOR record. */
void flow_proc_finish(struct flow_proc *fp, int reason);

#endif
