/*
 * ipfix.c - IPFIX message encoder (see ipfix.h).
 */
#include <stddef.h>
#include <string.h>

#include "bytes.h"
#include "gapflow.h"
#include "ipfix.h"

#define FO(m) (uint16_t)offsetof(struct gf_flow, m), \
	(uint8_t)sizeof(((struct gf_flow *)0)->m)

/*
 * The flow templates, in record order: one list that makes both the
 * element table, gf_ipfix_elements[] (templates, definition files), and
 * the record encoder, enc_flow() (straight-line code, no table walk per
 * record), so that the two cannot disagree.  A row is one of
 *   STD(name, id, len, member, type, field)      IANA element
 *   REV(...)                                     IANA id under PEN 29305
 *   ENT(...)                                     gapflow's, under the PEN
 *   PAIR(name, rname, id, len, m, type, sf, df)  gapflow's per direction:
 *                                forward src.m as id, reverse dst.m as
 *                                id | 0x4000 (RFC 5103 §6.1)
 *   SPECIAL(name, id, len, source, templates, type, field)
 *   TIME(name, id, member, field)                ns member as ms
 * Element ids of gapflow's own elements are stable: never renumber, only
 * append.  They start at 1001, clear of every IANA id in the templates:
 * pmacct 1.7 files an enterprise element under its bare id, so one
 * numbered like an IANA element of the same template (1 octetDeltaCount,
 * 2 packetDeltaCount...) reads as 0.
 */
#define FLOW_ELEMENTS(STD, REV, ENT, PAIR, SPECIAL, TIME) \
	SPECIAL("sourceIPv4Address", 8, 4, GF_IS_SADDR, GF_IPFIX_IN_V4, \
	    "ipv4Address", "saddr") \
	SPECIAL("destinationIPv4Address", 12, 4, GF_IS_DADDR, GF_IPFIX_IN_V4, \
	    "ipv4Address", "daddr") \
	SPECIAL("sourceIPv6Address", 27, 16, GF_IS_SADDR, GF_IPFIX_IN_V6, \
	    "ipv6Address", "saddr") \
	SPECIAL("destinationIPv6Address", 28, 16, GF_IS_DADDR, GF_IPFIX_IN_V6, \
	    "ipv6Address", "daddr") \
	STD("sourceTransportPort", 7, 2, sport, "unsigned16", "sport") \
	STD("destinationTransportPort", 11, 2, dport, "unsigned16", "dport") \
	STD("protocolIdentifier", 4, 1, proto, "unsigned8", "proto") \
	STD("tcpControlBits", 6, 2, src.flags, "unsigned16", "stcpflags") \
	REV("reverseTcpControlBits", 6, 2, dst.flags, "unsigned16", \
	    "dtcpflags") \
	STD("vlanId", 58, 2, vlan, "unsigned16", "vlan") \
	SPECIAL("biflowDirection", 239, 1, GF_IS_BIFLOWDIR, GF_IPFIX_IN_ALL, \
	    "unsigned8", "orient") \
	SPECIAL("flowEndReason", 136, 1, GF_IS_ENDREASON, GF_IPFIX_IN_ALL, \
	    "unsigned8", "kind, end") \
	TIME("flowStartMilliseconds", 152, stime, "stime") \
	TIME("flowEndMilliseconds", 153, ltime, "ltime") \
	STD("octetDeltaCount", 1, 8, src.ipbytes, "unsigned64", "sipbytes") \
	STD("packetDeltaCount", 2, 8, src.pkts, "unsigned64", "spkts") \
	REV("reverseOctetDeltaCount", 1, 8, dst.ipbytes, "unsigned64", \
	    "dipbytes") \
	REV("reversePacketDeltaCount", 2, 8, dst.pkts, "unsigned64", "dpkts") \
	STD("layer2OctetDeltaCount", 352, 8, src.bytes, "unsigned64", \
	    "sbytes") \
	REV("reverseLayer2OctetDeltaCount", 352, 8, dst.bytes, "unsigned64", \
	    "dbytes") \
	STD("flowId", 148, 8, flowid, "unsigned64", "flowid") \
	PAIR("captureGapOctetDeltaCount", "reverseCaptureGapOctetDeltaCount", \
	    1001, 8, gap, "unsigned64", "sgap", "dgap") \
	PAIR("retransmittedPacketDeltaCount", \
	    "reverseRetransmittedPacketDeltaCount", 1002, 4, loss, "unsigned32", \
	    "sloss", "dloss") \
	PAIR("retransmittedOctetDeltaCount", \
	    "reverseRetransmittedOctetDeltaCount", 1003, 8, lossbytes, \
	    "unsigned64", "slossbytes", "dlossbytes") \
	PAIR("outOfOrderPacketDeltaCount", \
	    "reverseOutOfOrderPacketDeltaCount", 1004, 4, ooo, "unsigned32", \
	    "sooo", "dooo") \
	PAIR("captureGapEventDeltaCount", "reverseCaptureGapEventDeltaCount", \
	    1005, 4, gapev, "unsigned32", "sgapev", "dgapev") \
	PAIR("ackedOctetDeltaCount", "reverseAckedOctetDeltaCount", 1006, 8, \
	    ackbytes, "unsigned64", "sackbytes", "dackbytes") \
	PAIR("duplicatePacketDeltaCount", "reverseDuplicatePacketDeltaCount", \
	    1007, 4, dups, "unsigned32", "sdups", "ddups") \
	PAIR("payloadOctetDeltaCount", "reversePayloadOctetDeltaCount", 1008, 8, \
	    appbytes, "unsigned64", "sappbytes", "dappbytes") \
	ENT("gapflowRecordKind", 1009, 1, kind, "unsigned8", "kind") \
	ENT("gapflowFlags", 1010, 4, flgs, "unsigned32", "flgs")

/* The table: name, id, space, wire length, source, templates, member,
 * type, field. */
#define T_MEMBER(sp, n, id, len, m, ty, fld) \
	{ n, id, sp, len, GF_IS_MEMBER, GF_IPFIX_IN_ALL, FO(m), ty, fld },
#define T_STD(n, id, len, m, ty, fld) \
	T_MEMBER(GF_IE_IANA, n, id, len, m, ty, fld)
#define T_REV(n, id, len, m, ty, fld) \
	T_MEMBER(GF_IE_IANA_REV, n, id, len, m, ty, fld)
#define T_ENT(n, id, len, m, ty, fld) \
	T_MEMBER(GF_IE_PEN, n, id, len, m, ty, fld)
#define T_PAIR(n, rn, id, len, m, ty, sf, df) \
	T_MEMBER(GF_IE_PEN, n, id, len, src.m, ty, sf) \
	T_MEMBER(GF_IE_PEN_REV, rn, id, len, dst.m, ty, df)
#define T_SPECIAL(n, id, len, src, in, ty, fld) \
	{ n, id, GF_IE_IANA, len, src, in, 0, 0, ty, fld },
#define T_TIME(n, id, m, fld) \
	{ n, id, GF_IE_IANA, 8, GF_IS_MS, GF_IPFIX_IN_ALL, FO(m), \
	  "dateTimeMilliseconds", fld },

const struct gf_ipfix_element gf_ipfix_elements[] = {
	FLOW_ELEMENTS(T_STD, T_REV, T_ENT, T_PAIR, T_SPECIAL, T_TIME)
};
const size_t gf_ipfix_nelements =
    sizeof(gf_ipfix_elements) / sizeof(gf_ipfix_elements[0]);
_Static_assert(sizeof(gf_ipfix_elements) / sizeof(gf_ipfix_elements[0]) <=
    GF_IPFIX_MAX_ELEMENTS, "GF_IPFIX_MAX_ELEMENTS too small");

const struct gf_ipfix_optelem gf_ipfix_optelems[] = {
	{ "observationDomainId", 149, 4 },      /* scope */
	{ "exportedFlowRecordTotalCount", 42, 8 },
	{ "droppedPacketTotalCount", 135, 8 },
	{ "ignoredPacketTotalCount", 164, 8 },
	{ "notSentFlowTotalCount", 166, 8 },
};
const size_t gf_ipfix_noptelems =
    sizeof(gf_ipfix_optelems) / sizeof(gf_ipfix_optelems[0]);

#define OPTS_RECLEN     36      /* 4 + 4 * 8 */

static int
in_template(const struct gf_ipfix_element *el, int v6)
{
	return (el->in & (v6 ? GF_IPFIX_IN_V6 : GF_IPFIX_IN_V4)) != 0;
}

void
gf_ipfix_init(struct gf_ipfix *e, uint32_t pen, uint32_t domain, size_t mtu)
{
	memset(e, 0, offsetof(struct gf_ipfix, own));
	e->pen = pen;
	e->domain = domain;
	e->msg = e->own;
	gf_ipfix_set_mtu(e, mtu);
	for (int v6 = 0; v6 < 2; v6++)
		for (size_t i = 0; i < gf_ipfix_nelements; i++)
			if (in_template(&gf_ipfix_elements[i], v6))
				e->reclen[v6] = (uint16_t)(e->reclen[v6] +
				    gf_ipfix_elements[i].len);
	gf_ipfix_reset(e);
}

void
gf_ipfix_set_mtu(struct gf_ipfix *e, size_t mtu)
{
	e->mtu = mtu < GF_IPFIX_MTU_MIN ? GF_IPFIX_MTU_MIN :
	    mtu > GF_IPFIX_MTU_MAX ? GF_IPFIX_MTU_MAX : mtu;
}

void
gf_ipfix_set_buffer(struct gf_ipfix *e, uint8_t *buf)
{
	e->msg = buf != NULL ? buf : e->own;
}

void
gf_ipfix_reset(struct gf_ipfix *e)
{
	e->seq = 0;
	e->want_templates = 1;
	e->len = e->set_off = 0;
	e->set_id = 0;
	e->nrec = e->nflow = 0;
}

void
gf_ipfix_want_templates(struct gf_ipfix *e)
{
	e->want_templates = 1;
}

uint8_t
gf_ipfix_end_reason(const struct gf_flow *f)
{
	if (f->kind != GF_KIND_FINAL)
		return 2;               /* activeTimeout */
	switch (f->endreason) {
	case GF_END_IDLE:
		return 1;               /* idleTimeout */
	case GF_END_FIN:
	case GF_END_RST:
	case GF_END_REUSE:
		return 3;               /* endOfFlowDetected */
	case GF_END_EVICTED:
		return 5;               /* lackOfResources */
	default:
		return 4;               /* forcedEnd: end of input, shutdown */
	}
}

/* ---- building ------------------------------------------------------------ */

static inline void
put_be(uint8_t *p, uint64_t v, unsigned len)
{
	switch (len) {
	case 1: p[0] = (uint8_t)v; break;
	case 2: gf_put_be16(p, (uint16_t)v); break;
	case 4: gf_put_be32(p, (uint32_t)v); break;
	case 8: gf_put_be64(p, v); break;
	default:
		for (unsigned i = len; i > 0; i--) {
			p[i - 1] = (uint8_t)v;
			v >>= 8;
		}
	}
}

/* An unsigned member of size bytes at m. */
static inline uint64_t
get_member(const void *m, unsigned size)
{
	const uint8_t *p = m;

	switch (size) {
	case 1: return *p;
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

/* Close the open set: pad to 4 bytes, write its length. */
static void
close_set(struct gf_ipfix *e)
{
	if (e->set_off == 0)
		return;
	while ((e->len - e->set_off) % 4 != 0)
		e->msg[e->len++] = 0;
	gf_put_be16(e->msg + e->set_off + 2, (uint16_t)(e->len - e->set_off));
	e->set_off = 0;
	e->set_id = 0;
}

static void
open_set(struct gf_ipfix *e, uint16_t id)
{
	e->set_off = e->len;
	e->set_id = id;
	gf_put_be16(e->msg + e->len, id);
	gf_put_be16(e->msg + e->len + 2, 0);
	e->len += 4;
}

static void
put_field_spec(struct gf_ipfix *e, uint16_t id, int enterprise, uint32_t pen,
    uint16_t len)
{
	gf_put_be16(e->msg + e->len, (uint16_t)(id | (enterprise ? 0x8000 : 0)));
	gf_put_be16(e->msg + e->len + 2, len);
	e->len += 4;
	if (enterprise) {
		gf_put_be32(e->msg + e->len, pen);
		e->len += 4;
	}
}

/* Template set (256, 257) and options template set (258); they take
 * well under GF_IPFIX_MTU_MIN bytes. */
static void
put_templates(struct gf_ipfix *e)
{
	open_set(e, 2);
	for (int v6 = 0; v6 < 2; v6++) {
		size_t cnt = e->len + 2;
		uint16_t n = 0;
		gf_put_be16(e->msg + e->len, v6 ? GF_IPFIX_TID_V6 :
		    GF_IPFIX_TID_V4);
		e->len += 4;
		for (size_t i = 0; i < gf_ipfix_nelements; i++) {
			const struct gf_ipfix_element *el = &gf_ipfix_elements[i];
			if (!in_template(el, v6))
				continue;
			switch (el->space) {
			case GF_IE_IANA:
				put_field_spec(e, el->id, 0, 0, el->len);
				break;
			case GF_IE_IANA_REV:
				put_field_spec(e, el->id, 1,
				    GF_IPFIX_PEN_REVERSE, el->len);
				break;
			case GF_IE_PEN:
				put_field_spec(e, el->id, 1, e->pen, el->len);
				break;
			default:
				put_field_spec(e, (uint16_t)(el->id | 0x4000),
				    1, e->pen, el->len);
				break;
			}
			n++;
		}
		gf_put_be16(e->msg + cnt, n);
	}
	close_set(e);
	open_set(e, 3);
	gf_put_be16(e->msg + e->len, GF_IPFIX_TID_OPTS);
	gf_put_be16(e->msg + e->len + 2, (uint16_t)gf_ipfix_noptelems);
	gf_put_be16(e->msg + e->len + 4, 1);    /* scope field count */
	e->len += 6;
	for (size_t i = 0; i < gf_ipfix_noptelems; i++)
		put_field_spec(e, gf_ipfix_optelems[i].id, 0, 0,
		    gf_ipfix_optelems[i].len);
	close_set(e);
}

/*
 * Room for one record of reclen bytes in set id: begins the message (and
 * the templates) if none is, opens the set.  0, or 1 if the message is
 * full.
 */
static int
make_room(struct gf_ipfix *e, uint16_t id, size_t reclen,
    uint32_t export_time)
{
	size_t need;

	if (e->len == 0) {
		memset(e->msg, 0, GF_IPFIX_HDR);
		gf_put_be16(e->msg, GF_IPFIX_VERSION);
		gf_put_be32(e->msg + 4, export_time);
		gf_put_be32(e->msg + 12, e->domain);
		e->len = GF_IPFIX_HDR;
		e->nrec = e->nflow = 0;
		if (e->want_templates) {
			put_templates(e);
			e->want_templates = 0;
		}
	}
	/* the record and up to 3 bytes to pad its set; in a new set, also
	 * the open set's padding and the new set's header */
	need = reclen + 3;
	if (e->set_id != id)
		need += 4 + (e->set_off != 0 ?
		    (4 - (e->len - e->set_off) % 4) % 4 : 0);
	if (e->len + need > e->mtu)
		return e->nrec == 0 && e->len == GF_IPFIX_HDR ? -1 : 1;
	if (e->set_id != id) {
		close_set(e);
		open_set(e, id);
	}
	return 0;
}

/* ---- the record encoder, from FLOW_ELEMENTS --------------------------- */

/* An unsigned member of size bytes at m, len bytes big-endian at p;
 * inlined with constant size and len, a load, a byte swap and a store. */
static inline uint8_t *
put_member(uint8_t *p, const void *m, unsigned size, unsigned len)
{
	put_be(p, get_member(m, size), len);
	return p + len;
}

static inline uint8_t *
put_special(uint8_t *p, const struct gf_flow *f, enum gf_ipfix_src src,
    unsigned len)
{
	switch (src) {
	case GF_IS_SADDR:
		memcpy(p, f->saddr.a, len);
		break;
	case GF_IS_DADDR:
		memcpy(p, f->daddr.a, len);
		break;
	case GF_IS_ENDREASON:
		*p = gf_ipfix_end_reason(f);
		break;
	case GF_IS_BIFLOWDIR:
		/* 1 initiator when a handshake said so, else 0 arbitrary
		 * (RFC 5103 §5.2) */
		*p = f->orient == GF_ORIENT_SYN ||
		    f->orient == GF_ORIENT_SYNACK ? 1 : 0;
		break;
	default:
		break;
	}
	return p + len;
}

#define E_MEMBER(n, id, len, m, ty, fld) \
	p = put_member(p, &f->m, sizeof(f->m), len);
#define E_PAIR(n, rn, id, len, m, ty, sf, df) \
	E_MEMBER(n, id, len, src.m, ty, sf) E_MEMBER(rn, id, len, dst.m, ty, df)
#define E_SPECIAL(n, id, len, src, in, ty, fld) \
	if ((in) & tmpl) \
		p = put_special(p, f, src, len);
#define E_TIME(n, id, m, fld) \
	gf_put_be64(p, f->m / 1000000u); \
	p += 8;

/* One data record of template tmpl (GF_IPFIX_IN_V4 or _V6, a constant
 * where it is inlined) at p; returns its end. */
static inline uint8_t *
enc_flow(uint8_t *p, const struct gf_flow *f, unsigned tmpl)
{
	FLOW_ELEMENTS(E_MEMBER, E_MEMBER, E_MEMBER, E_PAIR, E_SPECIAL, E_TIME)
	return p;
}

int
gf_ipfix_add_flow(struct gf_ipfix *e, const struct gf_flow *f,
    uint32_t export_time)
{
	int v6, rc;
	uint8_t *p;

	if (f->saddr.family != f->daddr.family ||
	    (f->saddr.family != 4 && f->saddr.family != 6))
		return -1;
	v6 = f->saddr.family == 6;
	rc = make_room(e, v6 ? GF_IPFIX_TID_V6 : GF_IPFIX_TID_V4,
	    e->reclen[v6], export_time);
	if (rc != 0)
		return rc;
	p = e->msg + e->len;
	p = v6 ? enc_flow(p, f, GF_IPFIX_IN_V6) : enc_flow(p, f, GF_IPFIX_IN_V4);
	e->len = (size_t)(p - e->msg);
	e->nrec++;
	e->nflow++;
	return 0;
}

int
gf_ipfix_add_stats(struct gf_ipfix *e, const struct gf_ipfix_stats *s,
    uint32_t export_time)
{
	int rc = make_room(e, GF_IPFIX_TID_OPTS, OPTS_RECLEN, export_time);
	uint8_t *p;

	if (rc != 0)
		return rc;
	p = e->msg + e->len;
	gf_put_be32(p, e->domain);
	gf_put_be64(p + 4, s->exported);
	gf_put_be64(p + 12, s->dropped);
	gf_put_be64(p + 20, s->ignored);
	gf_put_be64(p + 28, s->notsent);
	e->len += OPTS_RECLEN;
	e->nrec++;
	return 0;
}

size_t
gf_ipfix_take(struct gf_ipfix *e, uint32_t *nflow)
{
	size_t len = e->len;

	*nflow = 0;
	if (len == 0)
		return 0;
	close_set(e);
	len = e->len;
	gf_put_be16(e->msg + 2, (uint16_t)len);
	gf_put_be32(e->msg + 8, e->seq);
	*nflow = e->nflow;
	e->seq += e->nrec;
	e->len = 0;
	e->nrec = e->nflow = 0;
	return len;
}
