/*
 * tcp_track.h - TCP state, handshake timing, and the inference of capture
 * gaps, network loss and reordering from sequence and acknowledgement
 * numbers (gapflow(8), CAPTURE GAPS, is the normative description).
 *
 * Per direction X the tracker keeps 'high' (the sequence number after the
 * highest byte of X known to exist: seen, or acknowledged by the peer) and
 * 'acked' (the peer's highest ACK for X), plus a small sorted list of
 * holes below 'high' that the sensor has not seen.  When the peer's ACK
 * passes a hole, the hole is acknowledged-but-unseen: a capture gap.  It
 * is committed after the feed-skew tolerance, so an ACK that overtakes its
 * data between two tap feeds is not a gap.  A hole filled by data soon
 * after it opened is reordering; filled later, a retransmission (network
 * loss upstream of the sensor).  Data seen twice is a retransmission.
 * Status records cut counters, never this state.  Hole lists come from a
 * fixed pool; when a list or the pool is full the tracker flags the flow
 * instead of allocating.
 */
#ifndef GF_TCP_TRACK_H
#define GF_TCP_TRACK_H

#include <stdint.h>

#include "decode.h"

#define TCP_MAX_HOLES 16

/* struct tcp_dir st bits */
#define TD_INIT      0x01   /* high/acked are valid */
#define TD_SYN       0x02   /* SYN seen from this direction */
#define TD_FIN       0x04   /* FIN seen (high includes it) */
#define TD_BASE_ACK  0x08   /* initialised from the peer's ACK, no packet yet */
#define TD_FIN_GUESS 0x10   /* high - 1 is presumed a FIN the sensor missed
                               (not payload) until more sequence space
                               shows up beyond it */
#define TD_WSCALE_OK 0x20   /* both SYNs carried window scale */
#define TD_GUESS_ACK 0x40   /* that presumed FIN was acknowledged */

struct tcp_dir {
	uint32_t high;
	uint32_t acked;
	uint32_t holeset;       /* pool index + 1, 0 none */
	uint16_t win;           /* raw window of the last packet */
	uint16_t mss;
	uint8_t wscale;         /* 0xff: no option */
	uint8_t st;
};

/* struct flow hs bits */
#define HS_SYN     0x01
#define HS_SYNACK  0x02
#define HS_ACK     0x04     /* third handshake packet seen */

struct tcp_hole {
	uint32_t lo, hi;        /* unseen sequence range [lo, hi) */
	uint32_t t_open;        /* µs, truncated: only ages are compared */
	uint32_t t_ack;         /* when an ACK passed it, if acked */
	uint8_t acked;
	uint8_t ev;             /* ACK events that revealed it (saturating) */
	uint8_t has_ipid;
	uint16_t ipid;          /* IPv4 id of the packet that opened it */
};

struct tcp_holeset {
	struct tcp_hole h[TCP_MAX_HOLES];
	uint8_t n;
	uint32_t next_free;
};

/* Sensor-wide ACK accounting of the current interval (SENSOR record):
 * duplex flows only. */
struct tcp_stats {
	uint64_t ackev, gapev, ackbytes, gapbytes;
	uint64_t pool_full;     /* holes not tracked: pool exhausted */
};

struct tcp_ctx {
	struct tcp_holeset *sets;
	uint32_t nsets, free_head, fresh;
	uint32_t reorder_us;    /* fill within this = reordering */
	uint32_t skew_us;       /* ACK-before-data tolerance */
	uint64_t simplex_ns;    /* unacked hole age that makes a simplex gap */
	struct tcp_stats st;
};

struct flow;

int tcp_ctx_init(struct tcp_ctx *c, uint32_t nsets, uint64_t reorder_ns,
    uint64_t skew_ns, uint64_t simplex_ns);
void tcp_ctx_free(struct tcp_ctx *c);

/* Initialise the per-direction state of a new flow. */
void tcp_flow_init(struct flow *f);

/* Update f with a TCP packet sent by direction dir (0 src, 1 dst). */
void tcp_track_packet(struct tcp_ctx *c, struct flow *f, int dir,
    const struct gf_packet *p);

/*
 * Commit pending gaps before a record is cut: acknowledged holes older
 * than the skew tolerance (all of them if final), and for a simplex flow
 * unacknowledged holes older than the simplex timeout (all if final).
 */
void tcp_commit(struct tcp_ctx *c, struct flow *f, uint64_t now, int final);

/* Return f's hole lists to the pool. */
void tcp_release(struct tcp_ctx *c, struct flow *f);

/* Whether a SYN from dir on f starts a new connection (port reuse). */
int tcp_is_reuse(const struct flow *f, int dir, const struct gf_packet *p);

/* Scaled window of direction dir for records. */
uint32_t tcp_window(const struct flow *f, int dir);

#endif
