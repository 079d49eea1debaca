/*
 * tcp_track.h - TCP state, handshake timing, and the inference of capture
 * gaps, network loss and reordering from sequence and acknowledgement
 * numbers (gapflow(8), CAPTURE GAPS, is the normative description).
 *
 * Per direction X the tracker keeps 'high' (the sequence number after the
 * highest byte of X known to exist: seen, or acknowledged by the peer) and
 * 'acked' (the peer's highest ACK for X), plus a sorted list of holes
 * below 'high' that the sensor has not seen.  When the peer's ACK passes
 * a hole, the hole is acknowledged-but-unseen: a capture gap.  It is
 * committed after the feed-skew tolerance, so an ACK that overtakes its
 * data between two tap feeds is not a gap.  A hole filled by data before
 * then is reordering; filled later, a retransmission (network loss
 * upstream of the sensor).  Data seen twice is a retransmission.
 *
 * Holes are exact: a list never merges holes that have seen bytes between
 * them.  Lists grow from one sensor-wide pool of hole nodes, one node per
 * hole, up to tcp.max_holes per direction and tcp.hole_pool in all.  A
 * hole that finds no node is not tracked: its bytes can then never count
 * as a gap (under-counting, never over-counting), the flow is flagged 'h'
 * and the SENSOR record counts it.  Flows without holes hold no node.
 *
 * An ACK counts only when TCP's own rules allow it (RFC 793 3.9, RFC
 * 5961): while the peer's SYN is unanswered it must acknowledge that SYN,
 * and it may not pass what its peer can have sent: the highest sequence
 * seen plus the receiver's largest advertised window, scaled (the largest
 * scale when the handshake was not seen).  A RST counts only when its
 * sequence number lies in the window its receiver accepts.  What the rules
 * reject is counted (SENSOR ackbad) and never becomes a gap.
 *
 * Reordering or retransmission: IPv4 ids decide only for a sender whose
 * ids are seen to count up within the flow; otherwise the time since the
 * hole opened decides against tcp.reorder_window, unless the receiver
 * sent three duplicate ACKs for the hole (a fast retransmission).
 *
 * The SENSOR record's ACK figures (ackev, ackbytes, gapev, gapbytes) are
 * counted together at each ACK event of a duplex flow: the gap bytes an
 * ACK reveals are at most the bytes it acknowledges, so both loss
 * percentages are at most 100 % by construction.  A revealed hole filled
 * within the skew tolerance (feed skew) is taken back from the interval
 * of its ACK; for that, a SENSOR record goes out one skew tolerance after
 * its interval ends (flow_proc.c).
 *
 * Status records cut counters, never this state.
 */
#ifndef GF_TCP_TRACK_H
#define GF_TCP_TRACK_H

#include <stdint.h>

#include "decode.h"

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
#define TD_FIN_SEEN  0x80   /* a FIN packet of this direction was seen */

/* struct tcp_dir ids: IPv4 id trust, 0..3, used from 2 up */
#define TD_IDS_MAX   3
#define TD_IDS_TRUST 2

struct tcp_dir {
	uint32_t high;
	uint32_t acked;
	uint32_t holeset;       /* list header index + 1, 0 none */
	uint16_t win;           /* raw window of the last packet */
	uint16_t maxwin;        /* largest raw window advertised */
	uint16_t mss;
	uint16_t ipid;          /* IPv4 id of the last packet */
	uint8_t wscale;         /* 0xff: no option */
	uint8_t st;
	uint8_t ids;            /* IPv4 id trust, TD_IDS_*; duplicate ACKs
	                           the peer sent at 'acked' (0..3); whether
	                           the last packet ended at 'high' */
	uint8_t feed;           /* input of the last packet */
};

/* struct flow hs bits */
#define HS_SYN     0x01
#define HS_SYNACK  0x02
#define HS_ACK     0x04     /* third handshake packet seen */
#define HS_GUESSED 0x08     /* FIN/CLO state came from a presumed FIN */

/* A hole: the unseen sequence range [lo, hi), a node of the pool. */
struct tcp_hole {
	uint32_t lo, hi;
	uint32_t t_open;        /* µs, truncated: only ages are compared */
	uint32_t t_ack;         /* when an ACK passed it, if acked */
	uint32_t next, prev;    /* list links: node index + 1, 0 none */
	uint16_t ipid;          /* IPv4 id of the packet that opened it */
	uint8_t fl;             /* HOLE_* */
	uint8_t ev : 1;         /* the ACK event that revealed it */
	uint8_t feed : 7;       /* the input that ACK came from */
};

#define HOLE_ACKED  0x01
#define HOLE_IPID   0x02    /* ipid is valid */
#define HOLE_SENSOR 0x04    /* counted in a SENSOR interval at its ACK */
#define HOLE_EPOCH  0x08    /* parity of that interval */

/* A direction's hole list; headers come from a pool too. */
struct tcp_holeset {
	uint32_t head, tail;    /* node index + 1, 0 none */
	uint32_t unacked;       /* first unacknowledged hole, 0 none */
	uint32_t n;             /* holes in the list; free list link */
};

/* SENSOR figures of one interval: duplex flows only. */
struct tcp_stats {
	uint64_t ackev, gapev, ackbytes, gapbytes;
	uint64_t holesfull;     /* holes not tracked: a bound was reached */
	uint64_t ackbad;        /* ACKs and RSTs TCP's rules reject */
};

/* Called with an ACK that acknowledged exactly the last packet of the
 * data's direction, from different inputs: the ACK came ack_minus_data
 * ns after the data by the two inputs' clocks (flow_proc.c bounds the
 * inputs' clock offset with it). */
typedef void (*tcp_feed_fn)(void *ctx, int data_feed, int ack_feed,
    int64_t ack_minus_data);

struct tcp_ctx {
	struct tcp_holeset *sets;
	struct tcp_hole *nodes;
	uint32_t nsets, set_free, set_fresh;
	uint32_t nnodes, node_free, node_fresh;
	uint32_t max_per_dir;   /* tcp.max_holes */
	uint32_t reorder_us;    /* fill within this = reordering */
	uint32_t skew_us;       /* ACK-before-data tolerance */
	uint64_t simplex_ns;    /* unacked hole age that makes a simplex gap */
	struct tcp_stats st;    /* the current SENSOR interval */
	struct tcp_stats pst;   /* the previous one, until it is reported */
	int pending;            /* pst is not reported yet */
	unsigned epoch;         /* SENSOR intervals begun */
	tcp_feed_fn feeds;      /* NULL: one input */
	void *feeds_ctx;
};

struct flow;

int tcp_ctx_init(struct tcp_ctx *c, uint32_t nsets, uint32_t nnodes,
    uint32_t max_per_dir, uint64_t reorder_ns, uint64_t skew_ns,
    uint64_t simplex_ns);
void tcp_ctx_free(struct tcp_ctx *c);

/* A SENSOR interval ends: its figures move to pst until it is reported
 * (taken back by fills within the skew tolerance until then). */
void tcp_stats_close(struct tcp_ctx *c);

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

/*
 * Whether a SYN from dir on f starts a new connection: the flow closed,
 * reset or never got past an unanswered SYN, and the SYN is neither a
 * retransmission of dir's SYN nor the SYN that the peer's SYN-ACK (seen
 * first, feed skew) answered.
 */
int tcp_is_reuse(struct tcp_ctx *c, const struct flow *f, int dir,
    const struct gf_packet *p);

/* Scaled window of direction dir for records. */
uint32_t tcp_window(const struct flow *f, int dir);

#endif
