/*
 * fields.c - the field registry (see fields.h) and generic field access.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "fields.h"
#include "names.h"
#include "timefmt.h"

/* ---- derived values ---------------------------------------------------- */

static double
ns_to_s(uint64_t ns)
{
	return (double)ns / 1e9;
}

static double
der_flow_dur(const struct gf_record *r)
{
	const struct gf_flow *f = &r->u.flow;
	return f->ltime > f->stime ? ns_to_s(f->ltime - f->stime) : 0.0;
}

static double
der_sensor_dur(const struct gf_record *r)
{
	const struct gf_sensor *s = &r->u.sensor;
	return s->ltime > s->stime ? ns_to_s(s->ltime - s->stime) : 0.0;
}

#define DER_SUM(fn, a, b) \
	static double fn(const struct gf_record *r) \
	{ return (double)r->u.flow.src.a + (double)r->u.flow.dst.b; }
DER_SUM(der_pkts, pkts, pkts)
DER_SUM(der_bytes, bytes, bytes)
DER_SUM(der_appbytes, appbytes, appbytes)
DER_SUM(der_gap, gap, gap)
DER_SUM(der_loss, loss, loss)
DER_SUM(der_ooo, ooo, ooo)
#undef DER_SUM

static double
ratio_pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0.0;
}

/* Retransmitted packets over packets seen; the retransmissions are among
 * the packets counted, so this is not argus's loss/(pkts+loss). */
static double
der_ploss(const struct gf_record *r)
{
	const struct gf_flow *f = &r->u.flow;
	return ratio_pct((double)f->src.loss + f->dst.loss,
	    (double)f->src.pkts + f->dst.pkts);
}

static double
der_pgap(const struct gf_record *r)
{
	const struct gf_flow *f = &r->u.flow;
	return ratio_pct((double)f->src.gap + f->dst.gap,
	    (double)f->src.ackbytes + f->dst.ackbytes);
}

static double
der_rate(const struct gf_record *r)
{
	double d = der_flow_dur(r);
	return d > 0 ? der_pkts(r) / d : 0.0;
}

static double
der_load(const struct gf_record *r)
{
	double d = der_flow_dur(r);
	return d > 0 ? der_bytes(r) * 8.0 / d : 0.0;
}

static double
der_dir(const struct gf_record *r)
{
	/* 3 both, 1 src only, 2 dst only; shown as an arrow */
	return (r->u.flow.src.pkts ? 1 : 0) + (r->u.flow.dst.pkts ? 2 : 0);
}

static double
der_rtype(const struct gf_record *r)
{
	return r->type;
}

static double
der_loss_bytes_pct(const struct gf_record *r)
{
	return ratio_pct((double)r->u.sensor.gapbytes, (double)r->u.sensor.ackbytes);
}

static double
der_loss_events_pct(const struct gf_record *r)
{
	return ratio_pct((double)r->u.sensor.gapev, (double)r->u.sensor.ackev);
}

double (*gf_share_fn)(const struct gf_record *r, int which);

static double
der_share_flows(const struct gf_record *r)
{
	return gf_share_fn != NULL ? gf_share_fn(r, GF_SHARE_FLOWS) : 0.0;
}

static double
der_share_bytes(const struct gf_record *r)
{
	return gf_share_fn != NULL ? gf_share_fn(r, GF_SHARE_BYTES) : 0.0;
}

static double
der_share_gap(const struct gf_record *r)
{
	return gf_share_fn != NULL ? gf_share_fn(r, GF_SHARE_GAP) : 0.0;
}

/* ---- the table ---------------------------------------------------------- */

#define FL(m) offsetof(struct gf_flow, m)
#define SN(m) offsetof(struct gf_sensor, m)
#define SZ(t, m) ((uint8_t)sizeof(((t *)0)->m))

/* wire fields: name, argus, type, member, show, merge, width, desc */
#define FW(n, ar, ty, m, sh, mg, w, d) \
	{ n, ar, GF_RT_FLOW, GF_FT_##ty, SZ(struct gf_flow, m), GF_SH_##sh, \
	  GF_MG_##mg, w, FL(m), NULL, d }
#define SW(n, ar, ty, m, sh, mg, w, d) \
	{ n, ar, GF_RT_SENSOR, GF_FT_##ty, SZ(struct gf_sensor, m), GF_SH_##sh, \
	  GF_MG_##mg, w, SN(m), NULL, d }
/* derived fields: name, argus, record type, show, width, function, desc */
#define FD(n, ar, rt, sh, w, fn, d) \
	{ n, ar, rt, GF_FT_DOUBLE, 0, GF_SH_##sh, GF_MG_NONE, w, 0, fn, d }

/* One direction's wire fields, for src (s) and dst (d). */
#define DIRF(p, P, who) \
	FW(p "pkts", NULL, U64, who.pkts, NUM, SUM, 9, P " packets"), \
	FW(p "bytes", NULL, U64, who.bytes, NUM, SUM, 11, P " wire bytes (captured frame's original length)"), \
	FW(p "appbytes", NULL, U64, who.appbytes, NUM, SUM, 11, P " transport payload bytes, from IP header lengths"), \
	FW(p "stime", NULL, U64, who.stime, TIME, MIN, 26, P " first packet time in the record"), \
	FW(p "ltime", NULL, U64, who.ltime, TIME, MAX, 26, P " last packet time in the record"), \
	FW(p "gap", NULL, U64, who.gap, NUM, SUM, 8, P " capture gap: payload bytes acknowledged by the peer (or, simplex, never filled) that the sensor never saw"), \
	FW(p "lossbytes", NULL, U64, who.lossbytes, NUM, SUM, 9, P " retransmitted payload bytes (network loss)"), \
	FW(p "ackbytes", NULL, U64, who.ackbytes, NUM, SUM, 11, P " payload bytes newly acknowledged by the peer"), \
	FW(p "gapev", NULL, U32, who.gapev, NUM, SUM, 6, P " ACK events that revealed a capture gap"), \
	FW(p "loss", NULL, U32, who.loss, NUM, SUM, 6, P " retransmitted packets (network loss)"), \
	FW(p "ooo", NULL, U32, who.ooo, NUM, SUM, 5, P " out-of-order packets"), \
	FW(p "ackev", NULL, U32, who.ackev, NUM, SUM, 7, P " ACK events that advanced the peer's acknowledgement of this direction"), \
	FW(p "win", NULL, U32, who.win, NUM, LAST, 7, P " last advertised TCP window, scaled when the scale is known"), \
	FW(p "mss", NULL, U16, who.mss, NUM, MAX, 5, P " TCP MSS option, 0 if not seen"), \
	FW(p "tcpflags", NULL, U8, who.flags, TCPFLAGS, OR, 8, P " TCP flags seen (FSRPAUEC)"), \
	FW(p "wscale", NULL, U8, who.wscale, NUM, MAX, 3, P " TCP window scale option, 255 if not seen")

const struct gf_field gf_fields[] = {
	/* FLOW, wire order */
	FW("kind", NULL, U8, kind, KIND, LAST, 6, "record kind: status (interval report) or final"),
	FW("end", NULL, U8, endreason, END, LAST, 8, "end reason of a final record: fin, rst, idle, reuse, eof, shutdown, evicted"),
	FW("orient", NULL, U8, orient, ORIENT, MAX, 6, "how src was chosen as initiator: syn, synack, port, first"),
	FW("state", NULL, U8, state, STATE, LAST, 5, "flow state: REQ ACC EST FIN CLO RST (TCP), INT CON (others)"),
	FW("proto", NULL, U8, proto, PROTO, FIRST, 5, "IP protocol"),
	FW("vlan", NULL, U16, vlan, NUM, FIRST, 4, "source's VLAN id: outermost 802.1Q tag of its first tagged packet, 0 if none"),
	FW("encaps", NULL, U16, encaps, ENCAPS, OR, 6, "encapsulations seen (e ethernet, v vlan, q qinq, m mpls, S sll, n null, r raw, G gre, E erspan, 4 ip-in-ip, T gtp-u, X vxlan, N geneve, D teredo, B pbb, P pppoe)"),
	FW("sport", NULL, U16, sport, PORT, FIRST, 5, "source port; ICMP: type of the first packet"),
	FW("dport", NULL, U16, dport, PORT, FIRST, 5, "destination port; ICMP: echo identifier, else code"),
	FW("seq", NULL, U32, seq, NUM, MAX, 4, "record number within the flow, from 0"),
	FW("flgs", NULL, U32, flgs, FLGS, OR, 8, "indicators: S simplex, g gap, G gap without ACK, s/d loss, i/r out of order, h hole table full, m mid-stream, k handshake skew, F fragments, f orphan fragment, O ip options, I icmp error, w/W zero window, R port reuse"),
	FW("frags", NULL, U32, frags, NUM, SUM, 5, "IP fragments counted to the flow"),
	FW("icmperr", NULL, U32, icmperr, NUM, SUM, 5, "ICMP errors that quoted this flow"),
	FW("flowid", NULL, U64, flowid, NUM, FIRST, 8, "flow identifier, unique within a sensor run"),
	FW("fstime", NULL, U64, fstime, TIME, MIN, 26, "flow start: time of the flow's first packet"),
	FW("stime", NULL, U64, stime, TIME, MIN, 26, "first packet time of the record"),
	FW("ltime", NULL, U64, ltime, TIME, MAX, 26, "last packet time of the record"),
	FW("synack", NULL, U64, synack, DUR, MAX, 9, "TCP SYN to SYN-ACK time (seconds), 0 unknown"),
	FW("ackdat", NULL, U64, ackdat, DUR, MAX, 9, "TCP SYN-ACK to ACK time (seconds), 0 unknown"),
	FW("saddr", NULL, ADDR, saddr, ADDR, FIRST, 15, "source (initiator) address"),
	FW("daddr", NULL, ADDR, daddr, ADDR, FIRST, 15, "destination (responder) address"),
	DIRF("s", "source", src),
	DIRF("d", "destination", dst),
	FW("trans", NULL, U32, trans, NUM, SUM, 5, "number of records merged into this one (1 from the sensor)"),
	FW("sdups", NULL, U32, src.dups, NUM, SUM, 5, "source duplicate frames (SPAN copies within the duplicate window), not counted in spkts or sbytes"),
	FW("ddups", NULL, U32, dst.dups, NUM, SUM, 5, "destination duplicate frames, not counted in dpkts or dbytes"),
	FW("dvlan", NULL, U16, dvlan, NUM, FIRST, 5, "destination's VLAN id: outermost 802.1Q tag of its first tagged packet, 0 if none"),
	FW("tunid", NULL, U32, tunid, NUM, FIRST, 8, "outermost tunnel id of the flow's first tunnelled packet: VXLAN or Geneve VNI, GTP-U TEID, PBB I-SID; 0 if none"),
	FW("flows", NULL, U32, flows, NUM, SUM, 6, "distinct flows merged into this aggregate (gapdump -m); 0 in the sensor's records, each one flow's"),
	FW("sipbytes", NULL, U64, src.ipbytes, NUM, SUM, 11, "source IP-layer bytes (IP header and payload, from IP lengths; IPFIX octetDeltaCount)"),
	FW("dipbytes", NULL, U64, dst.ipbytes, NUM, SUM, 11, "destination IP-layer bytes (IPFIX reverseOctetDeltaCount)"),
	/* FLOW, derived */
	FD("dur", NULL, GF_RT_FLOW, SECS, 10, der_flow_dur, "record duration, ltime - stime, seconds"),
	FD("pkts", NULL, GF_RT_FLOW, FLOAT, 9, der_pkts, "packets, both directions"),
	FD("bytes", NULL, GF_RT_FLOW, FLOAT, 11, der_bytes, "wire bytes, both directions"),
	FD("appbytes", NULL, GF_RT_FLOW, FLOAT, 11, der_appbytes, "payload bytes, both directions"),
	FD("gap", NULL, GF_RT_FLOW, FLOAT, 8, der_gap, "capture gap bytes, both directions"),
	FD("loss", NULL, GF_RT_FLOW, FLOAT, 6, der_loss, "retransmitted packets, both directions"),
	FD("ooo", NULL, GF_RT_FLOW, FLOAT, 5, der_ooo, "out-of-order packets, both directions"),
	FD("ploss", NULL, GF_RT_FLOW, FLOAT, 6, der_ploss, "retransmitted packets over packets, percent"),
	FD("pgap", NULL, GF_RT_FLOW, FLOAT, 6, der_pgap, "capture gap bytes over acknowledged bytes, percent"),
	FD("rate", NULL, GF_RT_FLOW, FLOAT, 9, der_rate, "packets per second over the record"),
	FD("load", NULL, GF_RT_FLOW, FLOAT, 11, der_load, "bits per second over the record"),
	FD("dir", NULL, GF_RT_FLOW, DIR, 3, der_dir, "directions seen: <-> both, -> src only, <- dst only"),
	FD("type", NULL, GF_RT_FLOW, RTYPE, 6, der_rtype, "record type"),
	FD("%flows", NULL, GF_RT_FLOW, FLOAT, 7, der_share_flows, "aggregates (-m): the row's flows over all rows' flows (of its bin), percent"),
	FD("%bytes", NULL, GF_RT_FLOW, FLOAT, 7, der_share_bytes, "aggregates (-m): the row's bytes over all rows' bytes (of its bin), percent"),
	FD("%gap", NULL, GF_RT_FLOW, FLOAT, 7, der_share_gap, "aggregates (-m): the row's gap bytes over all rows' gap bytes (of its bin), percent"),

	/* SENSOR, wire order */
	SW("stime", NULL, U64, stime, TIME, MIN, 26, "interval start"),
	SW("ltime", NULL, U64, ltime, TIME, MAX, 26, "interval end"),
	SW("sensorid", NULL, U32, sensorid, NUM, FIRST, 5, "sensor id from the configuration"),
	SW("ifaces", NULL, U32, ifaces, NUM, MAX, 3, "number of packet sources"),
	SW("pkts", NULL, U64, pkts, NUM, SUM, 10, "packets read in the interval"),
	SW("bytes", NULL, U64, bytes, NUM, SUM, 12, "wire bytes read in the interval"),
	SW("kdrops", NULL, U64, kdrops, NUM, SUM, 8, "packets dropped by the kernel (pcap_stats ps_drop)"),
	SW("ifdrops", NULL, U64, ifdrops, NUM, SUM, 8, "packets dropped by the interface (pcap_stats ps_ifdrop)"),
	SW("nonip", NULL, U64, nonip, NUM, SUM, 7, "packets without IP (ARP, LLDP, ...), skipped"),
#define GF_BAD_FIELD(e, n, d) \
	SW(n, NULL, U64, bad[GF_BAD_##e], NUM, SUM, 6, "bad packets, skipped: " d),
	GF_BAD_REASONS(GF_BAD_FIELD)
#undef GF_BAD_FIELD
	SW("flows", NULL, U64, flows, NUM, LAST, 8, "flows in the table at interval end"),
	SW("newflows", NULL, U64, newflows, NUM, SUM, 8, "flows created in the interval"),
	SW("evicted", NULL, U64, evicted, NUM, SUM, 7, "flows evicted because the flow table was full"),
	SW("records", NULL, U64, records, NUM, SUM, 8, "flow records written in the interval"),
	SW("recdrops", NULL, U64, recdrops, NUM, SUM, 8, "records lost to output back-pressure"),
	SW("ringdrops", NULL, U64, ringdrops, NUM, SUM, 8, "packets lost to a full internal ring"),
	SW("ackev", NULL, U64, ackev, NUM, SUM, 9, "ACK events that advanced a sequence (established flows)"),
	SW("gapev", NULL, U64, gapev, NUM, SUM, 7, "of those, ACK events that revealed a capture gap"),
	SW("ackbytes", NULL, U64, ackbytes, NUM, SUM, 12, "bytes acknowledged by those ACK events"),
	SW("gapbytes", NULL, U64, gapbytes, NUM, SUM, 10, "bytes acknowledged but never seen"),
	SW("gapflows", NULL, U64, gapflows, NUM, SUM, 8, "flow records with a capture gap"),
	SW("simplexflows", NULL, U64, simplexflows, NUM, SUM, 8, "flow records with the simplex flag"),
	SW("clientdrops", NULL, U64, clientdrops, NUM, SUM, 8, "live service clients cut off because they fell behind"),
	SW("shortwire", NULL, U64, shortwire, NUM, SUM, 8, "frames whose recorded wire length was shorter than their IP datagram, decoded with the IP length"),
	SW("dups", NULL, U64, dups, NUM, SUM, 7, "duplicate frames (SPAN copies within input.dup_window), not counted in flows"),
	SW("holesfull", NULL, U64, holesfull, NUM, SUM, 6, "TCP holes not tracked because tcp.max_holes or tcp.hole_pool was reached (their bytes never count as gaps)"),
	SW("ackbad", NULL, U64, ackbad, NUM, SUM, 6, "TCP ACKs and RSTs that TCP's rules reject (challenge ACKs, beyond the window), ignored"),
	SW("feedoff", NULL, U64, feedoff, DUR, MAX, 9, "largest clock offset measured between two inputs (seconds)"),
	SW("feedlate", NULL, U32, feedlate, NUM, LAST, 3, "input (1-based) whose timestamps are later by feedoff, 0 if none measured"),
	SW("feedref", NULL, U32, feedref, NUM, LAST, 3, "input feedoff was measured against"),
	SW("emergin", NULL, U64, emergin, NUM, SUM, 8, "times the flow table entered emergency mode (past flows.emergency.high_water)"),
	SW("emergout", NULL, U64, emergout, NUM, SUM, 8, "times the flow table left emergency mode (below flows.emergency.low_water)"),
#define GF_BAD_FIELD(e, n, d) \
	SW(n, NULL, U64, bad[GF_BAD_##e], NUM, SUM, 6, "bad packets, skipped: " d),
	GF_BAD_REASONS_TUNNEL(GF_BAD_FIELD)
#undef GF_BAD_FIELD
	SW("reasm_held", NULL, U64, reasm_held, NUM, SUM, 8, "outer IP fragments of tunnel datagrams held for reassembly"),
	SW("reasm_done", NULL, U64, reasm_done, NUM, SUM, 8, "tunnel datagrams reassembled and decoded (one packet each)"),
	SW("reasm_lost", NULL, U64, reasm_lost, NUM, SUM, 8, "held fragments whose datagram was never completed (timed out, evicted, overlapping or too many pieces): their contents are not in any flow"),
	SW("reasm_full", NULL, U64, reasm_full, NUM, SUM, 8, "first fragments of tunnel datagrams not held because every reassembly slot was busy: decoded as the outer flow"),
	SW("ipfixnotsent", NULL, U64, ipfixnotsent, NUM, SUM, 8, "FLOW records not exported to an IPFIX collector (queue full, collector absent or refusing), summed over the destinations"),
	/* SENSOR, derived */
	FD("dur", NULL, GF_RT_SENSOR, SECS, 10, der_sensor_dur, "interval length, seconds"),
	FD("lossbytes_pct", NULL, GF_RT_SENSOR, FLOAT, 8, der_loss_bytes_pct, "capture loss: gap bytes over acknowledged bytes, percent"),
	FD("lossev_pct", NULL, GF_RT_SENSOR, FLOAT, 8, der_loss_events_pct, "capture loss: gap events over ACK events, percent (Zeek's way)"),
	FD("type", NULL, GF_RT_SENSOR, RTYPE, 6, der_rtype, "record type"),
};
const size_t gf_nfields = sizeof(gf_fields) / sizeof(gf_fields[0]);

/* ---- access ------------------------------------------------------------- */

const struct gf_field *
gf_field_find_type(const char *name, uint16_t rtype)
{
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		if (rtype != 0 && f->rtype != rtype)
			continue;
		if (strcmp(f->name, name) == 0 ||
		    (f->argus != NULL && strcmp(f->argus, name) == 0))
			return f;
	}
	return NULL;
}

const struct gf_field *
gf_field_find(const char *name)
{
	return gf_field_find_type(name, 0);
}

size_t
gf_record_size(uint16_t rtype)
{
	return rtype == GF_RT_FLOW ? offsetof(struct gf_record, u) +
	    sizeof(struct gf_flow) : sizeof(struct gf_record);
}

void
gf_field_set_u64(const struct gf_field *f, struct gf_record *r, uint64_t v)
{
	unsigned char *p;
	if (f->rtype != r->type || f->wire == 0)
		return;
	p = (unsigned char *)gf_record_body_mut(r) + f->offset;
	switch (f->type) {
	case GF_FT_U8: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
	case GF_FT_U16: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case GF_FT_U32: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	case GF_FT_U64: memcpy(p, &v, 8); break;
	default: break;
	}
}

int
gf_field_is_numeric(const struct gf_field *f)
{
	return f->type != GF_FT_ADDR;
}

double
gf_field_num(const struct gf_field *f, const struct gf_record *r)
{
	if (f->rtype != r->type)
		return 0.0;
	if (f->derive != NULL)
		return f->derive(r);
	if (f->show == GF_SH_DUR)
		return ns_to_s(gf_field_u64(f, r));
	return (double)gf_field_u64(f, r);
}

static int
format_double(double v, char *buf, size_t len)
{
	if (v == (double)(uint64_t)v && v < 1e15)
		return snprintf(buf, len, "%" PRIu64, (uint64_t)v);
	return snprintf(buf, len, "%.3f", v);
}

int
gf_field_format(const struct gf_field *f, const struct gf_record *r,
    int numeric, char *buf, size_t len)
{
	uint64_t v;

	if (f->rtype != r->type)
		return gf_str_put(buf, len, "");
	if (f->type == GF_FT_ADDR) {
		const struct gf_addr *a = (const struct gf_addr *)
		    ((const unsigned char *)gf_record_body(r) + f->offset);
		return gf_addr_format(a, buf, len);
	}
	if (f->derive != NULL) {
		double d = f->derive(r);
		switch (f->show) {
		case GF_SH_SECS:
			return snprintf(buf, len, "%.6f", d);
		case GF_SH_DIR:
			return gf_str_put(buf, len, gf_dir_name((int)d));
		case GF_SH_RTYPE:
			return gf_str_put(buf, len, gf_rtype_name((int)d));
		default:
			return format_double(d, buf, len);
		}
	}
	v = gf_field_u64(f, r);
	switch (f->show) {
	case GF_SH_TIME:
		return gf_time_format(v, buf, len);
	case GF_SH_DUR:
		return snprintf(buf, len, "%.6f", ns_to_s(v));
	case GF_SH_PROTO: {
		const char *name = numeric ? NULL : gf_proto_name((int)v);
		if (name != NULL)
			return gf_str_put(buf, len, name);
		break;
	}
	case GF_SH_TCPFLAGS:
		return gf_tcpflags_format((unsigned)v, buf, len);
	case GF_SH_STATE:
		if (!numeric)
			return gf_str_put(buf, len, gf_state_name((int)v));
		break;
	case GF_SH_KIND:
		if (!numeric)
			return gf_str_put(buf, len, gf_kind_name((int)v));
		break;
	case GF_SH_END:
		if (!numeric)
			return gf_str_put(buf, len, gf_end_name((int)v));
		break;
	case GF_SH_ORIENT:
		if (!numeric)
			return gf_str_put(buf, len, gf_orient_name((int)v));
		break;
	case GF_SH_FLGS:
		if (!numeric)
			return gf_flgs_format((uint32_t)v, buf, len);
		break;
	case GF_SH_ENCAPS:
		if (!numeric)
			return gf_encaps_format((unsigned)v, buf, len);
		break;
	case GF_SH_HEX:
		return snprintf(buf, len, "0x%" PRIx64, v);
	default:
		break;
	}
	return snprintf(buf, len, "%" PRIu64, v);
}
