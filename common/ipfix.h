/*
 * ipfix.h - IPFIX (RFC 7011) messages from gapflow records, one RFC 5103
 * biflow data record per FLOW record; used by gapflow and gapdump.
 *
 * What it promises:
 * - A message is at most the MTU given (576 to 65535 bytes), starts with
 *   the 16-byte header (version 10, length, export time, sequence number,
 *   observation domain id) and holds whole sets; every set is padded with
 *   zeros to a multiple of 4 bytes (RFC 7011 §3.3.1).
 * - The sequence number is the count, modulo 2^32, of data records in the
 *   messages this encoder handed out before (RFC 7011 §3.1: template
 *   records do not count).  gf_ipfix_reset() starts a new transport
 *   session: sequence 0, templates again.
 * - Templates (IPv4 flow 256, IPv6 flow 257, options 258) open the first
 *   message, and again after gf_ipfix_want_templates() (UDP refresh,
 *   RFC 7011 §8.4; a new TCP connection).
 * - Fixed-length records only; the field layout is gf_ipfix_elements[],
 *   which also feeds the definition files' test.  Forward elements are the
 *   source (initiator); reverse ones are the IANA element under PEN 29305,
 *   or for an enterprise element its id with bit 0x4000 (RFC 5103 §6.1).
 * - Nothing here does I/O or allocates; ipfix_export.c sends.
 */
#ifndef GF_IPFIX_H
#define GF_IPFIX_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define GF_IPFIX_VERSION        10
#define GF_IPFIX_PEN_DEFAULT    32473   /* RFC 5612: for documentation */
#define GF_IPFIX_PEN_REVERSE    29305   /* RFC 5103 */
#define GF_IPFIX_MTU_MIN        576     /* the templates take 532 */
#define GF_IPFIX_MTU_MAX        65535
/* output.ipfix_mtu: the largest; over UDP the path MTU bounds it */
#define GF_IPFIX_MTU_DEFAULT    GF_IPFIX_MTU_MAX
#define GF_IPFIX_TID_V4         256
#define GF_IPFIX_TID_V6         257
#define GF_IPFIX_TID_OPTS       258
#define GF_IPFIX_HDR            16
#define GF_IPFIX_MAX_ELEMENTS   64      /* of gf_ipfix_elements[] */

/* Whose number an element is. */
enum gf_ipfix_space {
	GF_IE_IANA,             /* IANA, no enterprise bit */
	GF_IE_IANA_REV,         /* IANA id under PEN 29305 */
	GF_IE_PEN,              /* gapflow's, under output.ipfix_pen */
	GF_IE_PEN_REV,          /* gapflow's id | 0x4000, same PEN */
};

/* Where a value comes from. */
enum gf_ipfix_src {
	GF_IS_SADDR, GF_IS_DADDR,       /* 4 or 16 bytes per template */
	GF_IS_MEMBER,           /* unsigned member of struct gf_flow at off */
	GF_IS_MS,               /* ns member at off, as milliseconds */
	GF_IS_ENDREASON,        /* RFC 7012 flowEndReason from kind/end */
	GF_IS_BIFLOWDIR,        /* RFC 5103 biflowDirection from orient */
};

/* Which templates an element is in. */
#define GF_IPFIX_IN_V4  1
#define GF_IPFIX_IN_V6  2
#define GF_IPFIX_IN_ALL 3

struct gf_ipfix_element {
	const char *name;       /* IANA name, or gapflow's stable name */
	uint16_t id;            /* without the enterprise bit */
	uint8_t space;          /* enum gf_ipfix_space */
	uint8_t len;            /* bytes on the wire, big-endian */
	uint8_t src;            /* enum gf_ipfix_src */
	uint8_t in;             /* GF_IPFIX_IN_* */
	uint16_t off;           /* offset in struct gf_flow */
	uint8_t size;           /* the member's size */
	const char *type;       /* IPFIX abstract data type */
	const char *field;      /* the gapflow field (gapflow-records(5)) */
};

extern const struct gf_ipfix_element gf_ipfix_elements[];
extern const size_t gf_ipfix_nelements;

/* Options template 258's elements, scope first (observationDomainId). */
struct gf_ipfix_optelem {
	const char *name;
	uint16_t id;
	uint8_t len;
};
extern const struct gf_ipfix_optelem gf_ipfix_optelems[];
extern const size_t gf_ipfix_noptelems;

/* Exporter statistics for an options data record (totals). */
struct gf_ipfix_stats {
	uint64_t exported;      /* exportedFlowRecordTotalCount (42) */
	uint64_t dropped;       /* droppedPacketTotalCount (135): kernel */
	uint64_t ignored;       /* ignoredPacketTotalCount (164): skipped */
	uint64_t notsent;       /* notSentFlowTotalCount (166) */
};

struct gf_ipfix {
	uint32_t pen;
	uint32_t domain;        /* observation domain id: the sensor id */
	size_t mtu;
	uint32_t seq;           /* data records handed out, this session */
	int want_templates;
	uint16_t reclen[2];     /* data record bytes: [0] v4, [1] v6 */
	/* the message being built, in msg: own, or the caller's
	 * (gf_ipfix_set_buffer) */
	uint8_t *msg;
	size_t len;             /* 0: none begun */
	size_t set_off;         /* the open set's header, 0 none */
	uint16_t set_id;
	uint32_t nrec;          /* data records in it */
	uint32_t nflow;         /* of those, flow records */
	uint8_t own[GF_IPFIX_MTU_MAX];
};

/* pen: output.ipfix_pen; mtu clamped to [GF_IPFIX_MTU_MIN, _MAX].
 * Messages are built in the encoder's own buffer. */
void gf_ipfix_init(struct gf_ipfix *e, uint32_t pen, uint32_t domain,
    size_t mtu);
/* The largest message from the next one on, clamped as above; only
 * between messages (none being built). */
void gf_ipfix_set_mtu(struct gf_ipfix *e, size_t mtu);
/* Build the next message in buf (room for e->mtu bytes; NULL: the
 * encoder's own), so that a sender need not copy it; only between
 * messages.  The message stays there until the next add. */
void gf_ipfix_set_buffer(struct gf_ipfix *e, uint8_t *buf);
/* A new transport session: sequence 0, templates first; drops any
 * message being built. */
void gf_ipfix_reset(struct gf_ipfix *e);
/* The next message starts with the templates again. */
void gf_ipfix_want_templates(struct gf_ipfix *e);

/*
 * Append one FLOW record (r->type GF_RT_FLOW).  Returns 0; 1 if the
 * message is full (take it, then add again); -1 if the record cannot be
 * exported at all (no IPv4 or IPv6 addresses), not added.  export_time
 * goes in the header of a message the record begins (unused otherwise).
 */
int gf_ipfix_add_flow(struct gf_ipfix *e, const struct gf_flow *f,
    uint32_t export_time);
/* Append an options data record of exporter statistics; as above. */
int gf_ipfix_add_stats(struct gf_ipfix *e, const struct gf_ipfix_stats *s,
    uint32_t export_time);
/*
 * Close the message being built: its length and sequence number are
 * written, the sequence advances by its data records; *nflow is the
 * number of flow records in it (options records not counted).  Returns
 * the message length (0 if there is none), message in e->msg until the
 * next add or gf_ipfix_set_buffer.
 */
size_t gf_ipfix_take(struct gf_ipfix *e, uint32_t *nflow);
/* Bytes in the message being built (0 none). */
static inline size_t
gf_ipfix_pending(const struct gf_ipfix *e)
{
	return e->len;
}

/* RFC 7012 flowEndReason for a record: 2 status, 1 idle, 3 fin/rst/
 * reuse, 4 end of input or shutdown, 5 evicted. */
uint8_t gf_ipfix_end_reason(const struct gf_flow *f);

#endif /* GF_IPFIX_H */
