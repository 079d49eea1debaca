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
 * FINAL record carrying its end reason.  A SENSOR record goes out one skew
 * tolerance after its interval ends, when no ACK of the interval can still
 * turn out to have overtaken its data between two inputs (tcp_track.h).
 *
 * A frame equal to one of the same flow and direction seen within
 * input.dup_window (same IPv4 id, sequence and acknowledgement numbers,
 * length, flags and transport checksum) is a SPAN copy: counted in
 * sdups/ddups and otherwise ignored.
 *
 * With several inputs, ACKs that acknowledge a packet seen on another
 * input bound the offset between the two inputs' clocks; each SENSOR
 * record reports the largest offset measured in its interval.
 */
#ifndef GF_FLOW_PROC_H
#define GF_FLOW_PROC_H

#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "flow.h"
#include "frag.h"
#include "reasm.h"
#include "record.h"
#include "flow_tag.h"
#include "tcp_track.h"

typedef void (*flow_sink_fn)(void *ctx, const struct gf_record *r);

/* Inputs whose clock offsets are measured (the first ones of a run). */
#define FP_FEEDS 8

/* Bounds on the clock offset between two inputs in one SENSOR interval:
 * (input hi's timestamps) - (input lo's) lies in [lower, upper]. */
struct feed_bounds {
	int64_t lower, upper;
	uint8_t have_lower, have_upper;
};

/* SPAN duplicates: a small set-associative cache of recent packets'
 * signatures and times (µs). */
#define DUP_SETS 4096
#define DUP_WAYS 4
struct dup_cache {
	uint64_t e[DUP_SETS][DUP_WAYS];
};
/* Fills capture statistics (drops) of the interval into s. */
typedef void (*flow_stats_fn)(void *ctx, struct gf_sensor *s);

struct flow_proc {
	struct flow_table table;
	struct tcp_ctx tcp;
	struct frag_cache *frags;
	struct reasm *reasm;            /* NULL: reassembly off */
	struct flow_tags tags;
	struct flow_zones zones;        /* flows.key_tunnel, else no map */
	flow_sink_fn sink;
	void *sink_ctx;
	flow_stats_fn stats_hook;
	void *stats_ctx;
	uint64_t timeout[FC_COUNT];     /* in force (emergency: shorter) */
	uint64_t expire_at;             /* no flow expires earlier */
	uint64_t interval;              /* status interval, ns */
	uint64_t sensor_interval;       /* SENSOR record interval, ns */
	uint64_t skew;                  /* handshake skew tolerance, ns */
	uint32_t dup_us;                /* duplicate window, µs, 0 off */
	struct dup_cache *dups;
	struct feed_bounds feeds[FP_FEEDS][FP_FEEDS];   /* [lo][hi] */
	uint8_t feed_warned[FP_FEEDS][FP_FEEDS];
	int align;
	int key_vlan;                   /* flows.key_vlan */
	uint32_t sensor_id;
	uint32_t nsources;
	int started;
	uint64_t next_report;           /* next status boundary */
	uint64_t next_sensor;           /* next SENSOR boundary */
	uint64_t sensor_start;          /* start of the SENSOR interval */
	uint64_t now;                   /* latest packet or tick time */
	struct gf_sensor st;            /* SENSOR counters of the interval */
	struct gf_sensor pst;           /* the interval before, until its
	                                   skew tolerance has passed */
	int sensor_pending;
	uint64_t sensor_due;
	uint32_t *dupcnt;               /* [flow index * 2 + dir]: duplicate
	                                   frames of the interval, beside
	                                   struct flow (at its 256-byte
	                                   budget): only duplicates and
	                                   records touch it; NULL without
	                                   input.dup_window */
	int any_dups;                   /* dupcnt holds a count: records
	                                   read it from then on */
	uint64_t total_records;
	/* emergency mode (flow_proc.c, "flow lifetime") */
	uint64_t timeout_base[FC_COUNT];        /* configured timeouts */
	uint64_t emerg_timeout;
	uint32_t emerg_hi, emerg_lo;    /* enter at >= hi flows, leave < lo */
	int emergency;
	uint64_t emerg_since;           /* packet time it was entered */
	uint64_t evicted_total;         /* whole run */
	uint64_t emerg_evicted;         /* evicted_total when entered */
};

int flow_proc_init(struct flow_proc *fp, const struct gf_config *cfg,
    flow_sink_fn sink, void *sink_ctx);
/* The idle timeout of every flow class from cfg's flows.timeouts.* */
void flow_timeouts(const struct gf_config *cfg, uint64_t timeout[FC_COUNT]);
/* Configured timeouts changed (SIGHUP): in force at once, emergency mode
 * still shortening those of tier 0. */
void flow_proc_set_timeouts(struct flow_proc *fp,
    const uint64_t timeout[FC_COUNT]);
void flow_proc_free(struct flow_proc *fp);

/* One decoded packet (rc from gf_decode; pkt->ts and wire_len set). */
void flow_proc_packet(struct flow_proc *fp, enum gf_decode_rc rc,
    const struct gf_packet *pkt);
/* One captured frame from input feed (0-based): decode (kept of its
 * caplen bytes at data), outer reassembly, then flow_proc_packet
 * (frame.c).  Returns the decoder's verdict, with the bad-frame reason
 * in *bad. */
enum gf_decode_rc flow_proc_frame(struct flow_proc *fp, int dlt,
    const uint8_t *data, uint32_t kept, uint32_t caplen, uint32_t wire_len,
    uint64_t ts, int feed, uint8_t *bad);
/* The decoder's configuration, reassembly and tunnel ids (frame.c):
 * called by flow_proc_init and flow_proc_free. */
int flow_frame_init(struct flow_proc *fp, const struct gf_config *cfg);
void flow_frame_free(struct flow_proc *fp);
/* Advance the clock without a packet (live capture, idle link). */
void flow_proc_tick(struct flow_proc *fp, uint64_t now);
/* End every flow with reason (GF_END_EOF or GF_END_SHUTDOWN) and emit
 * the last SENSOR record. */
void flow_proc_finish(struct flow_proc *fp, int reason);

#endif
