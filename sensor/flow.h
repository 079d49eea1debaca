/*
 * flow.h - a flow's state in the sensor and the flow table that holds it.
 *
 * The table is a chained hash over a preallocated array of flows (indices,
 * not pointers, so links are 4 bytes).  Keys are canonical (the lower
 * endpoint first) so both directions of a conversation find one entry with
 * one lookup; each flow remembers which endpoint is its src.  The hash is
 * SipHash with a random per-process key.  Flows live on one LRU list per
 * timeout class, so idle expiry and eviction are O(1) per flow and status
 * reports walk only flows active in the interval.  Nothing here allocates
 * after flow_table_init().
 */
#ifndef GF_FLOW_H
#define GF_FLOW_H

#include <stdint.h>

#include "decode.h"
#include "siphash.h"
#include "tcp_track.h"

#define FLOW_NIL UINT32_MAX
/* Largest table: indices must stay below FLOW_NIL with room to spare. */
#define FLOW_TABLE_MAX ((UINT32_MAX >> 2) - 1)

/* Canonical flow key: endpoint a sorts before endpoint b. */
struct flow_key {
	uint8_t a[16], b[16];
	uint16_t port_a, port_b;
	uint16_t vlan;
	uint8_t proto;
	uint8_t family;
};

/*
 * Timeout classes, one LRU list each (all flows of a class share its
 * timeout, so the list head is the next to expire).  A flow's class
 * follows its state (class_of() in flow_proc.c); the order below is the
 * eviction order: when the table is full, the least recently active flow
 * of the first tier that has one is evicted.
 *   tier 0, no state worth keeping: SYN only (embryonic); SYN-ACK without
 *	the handshake's ACK, or a lone TCP packet (half-open); one packet of
 *	UDP, ICMP or another protocol;
 *   tier 1: TCP closed (both FINs or a RST), TCP seen in one direction
 *	only, UDP, ICMP, other;
 *   tier 2, last: TCP seen both ways (established).
 */
enum flow_class {
	FC_TCP_SYN, FC_TCP_HALF, FC_UDP_ONE, FC_ICMP_ONE, FC_OTHER_ONE,
	FC_TCP_CLOSED, FC_TCP_ONEWAY, FC_UDP, FC_ICMP, FC_OTHER,
	FC_TCP,
	FC_COUNT
};
_Static_assert(FC_COUNT <= 16, "struct flow keeps the class in 4 bits");
#define FC_TIER1 FC_TCP_CLOSED  /* first class of tier 1 */
#define FC_TIER2 FC_TCP         /* first class of tier 2 */

/* Per-direction counters of the current interval, and TCP state. */
struct flow_dir {
	uint64_t first, last;           /* first packet in the interval and
	                                   last packet ever, ns */
	uint32_t pkts, bytes, appbytes; /* u32: a record is cut before they wrap */
	uint32_t gap, lossbytes, ackbytes;
	uint32_t ackev;
	uint32_t ipbytes;               /* IP-layer bytes (headers and
	                                   payload, no link layer) */
	uint16_t loss, ooo, gapev;
	uint8_t flags;                  /* TCP flags OR-ed in the interval */
	uint8_t seen;                   /* any packet ever in this direction */
	struct tcp_dir tcp;
};

struct flow {
	struct flow_key key;
	uint32_t hnext;                 /* hash chain */
	uint32_t lprev, lnext;          /* LRU list of the timeout class */
	uint32_t gen;                   /* flowid = gen << 32 | index */
	uint64_t fstime;                /* first packet of the flow */
	uint32_t hs_off;                /* time of the last handshake step,
	                                   ns after fstime; UINT32_MAX: later
	                                   than 4.29 s, not timed */
	uint32_t synack, ackdat;        /* ns, saturated at 4.29 s */
	uint32_t recno;                 /* records emitted so far */
	uint32_t flgs;                  /* GF_F_* for the interval */
	uint16_t frags, icmperr;        /* interval counts */
	uint16_t encaps;
	uint8_t state : 4;              /* enum gf_state */
	uint8_t cls : 4;                /* enum flow_class */
	uint8_t hs;                     /* handshake bits, tcp_track.h */
	uint8_t orient : 2;             /* enum gf_orient */
	uint8_t src_is_a : 1;           /* src endpoint is key.a */
	uint8_t in_use : 1;
	uint8_t report_held : 1;        /* counts of an interval already
	                                   past, not reported (flow_proc.c) */
	uint8_t vlans[3];               /* first VLAN id sent by endpoint a
	                                   and by b, 12 bits each (flow_tag.h) */
	struct flow_dir d[2];           /* [0] src, [1] dst */
};

/* The flow's last packet (d[].last outlives status cuts). */
static inline uint64_t
flow_last(const struct flow *f)
{
	return f->d[0].last > f->d[1].last ? f->d[0].last : f->d[1].last;
}

struct flow_table {
	struct flow *flows;             /* max entries, calloc'd: pages are
	                                   touched only as flows are used */
	uint32_t *buckets;              /* nbuckets chain heads */
	uint32_t nbuckets, mask;
	uint32_t max, used;
	uint32_t free_head;             /* free list through hnext */
	uint32_t fresh;                 /* next never-used index */
	uint32_t lhead[FC_COUNT], ltail[FC_COUNT];
	struct gf_sipkey sipkey;
};

int flow_table_init(struct flow_table *t, uint32_t max_flows);
void flow_table_free(struct flow_table *t);

/* Build the canonical key of pkt; *from_a = pkt was sent by endpoint a.
 * For ICMP, ports are (0, echo id) or (type, code) and order only the
 * addresses; for ICMP errors the caller uses the quoted key instead. */
void flow_key_make(const struct gf_packet *pkt, struct flow_key *k,
    int *from_a);
/* The key of the packet an ICMP error quotes. */
void flow_key_quoted(const struct gf_packet *pkt, struct flow_key *k,
    int *from_a);

uint64_t flow_key_hash(const struct flow_table *t, const struct flow_key *k);
/* Find the flow with key k (hash h); NULL if none. */
struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *k,
    uint64_t h);
/* Insert a new zeroed flow for k; NULL if the table is full. */
struct flow *flow_table_insert(struct flow_table *t, const struct flow_key *k,
    uint64_t h);
/* Unlink f from its chain and LRU list and free it. */
void flow_table_remove(struct flow_table *t, struct flow *f);

uint32_t flow_index(const struct flow_table *t, const struct flow *f);
static inline uint64_t
flow_id(const struct flow_table *t, const struct flow *f)
{
	return ((uint64_t)f->gen << 32) | flow_index(t, f);
}

/* LRU lists: append f at the tail of class c (unlinking it first). */
void flow_lru_touch(struct flow_table *t, struct flow *f, int c);
static inline struct flow *
flow_lru_head(struct flow_table *t, int c)
{
	return t->lhead[c] == FLOW_NIL ? NULL : &t->flows[t->lhead[c]];
}
static inline struct flow *
flow_lru_prev(struct flow_table *t, const struct flow *f)
{
	return f->lprev == FLOW_NIL ? NULL : &t->flows[f->lprev];
}
static inline struct flow *
flow_lru_tail(struct flow_table *t, int c)
{
	return t->ltail[c] == FLOW_NIL ? NULL : &t->flows[t->ltail[c]];
}
static inline struct flow *
flow_lru_next(struct flow_table *t, const struct flow *f)
{
	return f->lnext == FLOW_NIL ? NULL : &t->flows[f->lnext];
}

#endif
