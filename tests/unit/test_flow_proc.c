/*
 * test_flow_proc.c - the flow engine and TCP inference on hand-made
 * packet sequences.  Every expected value is worked out from the packets
 * in the test (byte counts are payload sizes chosen here).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "flow_proc.h"
#include "testlib.h"

#define MS 1000000ULL
#define T0 (1700000000ULL * 1000000000ULL)

#define MAXREC 256

struct harness {
	struct flow_proc fp;
	struct gf_config cfg;
	struct gf_record rec[MAXREC];
	int n;
	uint64_t sensor_evicted, sensor_ackev, sensor_gapev, sensor_gapbytes;
	uint64_t sensor_ackbytes, sensor_holesfull, sensor_ackbad, sensor_dups;
	struct gf_sensor last_sensor;   /* the last SENSOR record */
	int over100;                    /* SENSOR records with gap > ack */
	uint64_t sensor_emergin, sensor_emergout;
};

static void
sink(void *ctx, const struct gf_record *r)
{
	struct harness *h = ctx;
	if (r->type == GF_RT_SENSOR) {
		h->sensor_evicted += r->u.sensor.evicted;
		h->sensor_ackev += r->u.sensor.ackev;
		h->sensor_gapev += r->u.sensor.gapev;
		h->sensor_gapbytes += r->u.sensor.gapbytes;
		h->sensor_ackbytes += r->u.sensor.ackbytes;
		h->sensor_holesfull += r->u.sensor.holesfull;
		h->sensor_ackbad += r->u.sensor.ackbad;
		h->sensor_dups += r->u.sensor.dups;
		/* both loss percentages are at most 100 by construction */
		if (r->u.sensor.gapbytes > r->u.sensor.ackbytes ||
		    r->u.sensor.gapev > r->u.sensor.ackev)
			h->over100++;
		if (r->u.sensor.feedlate != 0)
			h->last_sensor = r->u.sensor;
		h->sensor_emergin += r->u.sensor.emergin;
		h->sensor_emergout += r->u.sensor.emergout;
		return;
	}
	if (h->n < MAXREC)
		h->rec[h->n++] = *r;
}

/* hole bounds for the next h_init(), 0: the defaults; flows.key_tunnel */
static uint64_t h_max_holes, h_hole_pool;
static int h_key_tunnel;

static void
h_init(struct harness *h, uint64_t interval)
{
	memset(h, 0, sizeof(*h));
	gf_config_defaults(&h->cfg);
	h->cfg.status_interval = interval;
	h->cfg.max_flows = 1024;
	if (h_max_holes)
		h->cfg.max_holes = h_max_holes;
	if (h_hole_pool)
		h->cfg.hole_pool = h_hole_pool;
	h->cfg.key_tunnel = h_key_tunnel;
	h->cfg.reorder_window = 3 * MS;
	h->cfg.handshake_skew = 10 * MS;
	CHECK(flow_proc_init(&h->fp, &h->cfg, sink, h) == 0);
}

static void
h_done(struct harness *h)
{
	flow_proc_finish(&h->fp, GF_END_EOF);
	CHECK_U64(h->over100, 0);
	flow_proc_free(&h->fp);
	gf_config_free(&h->cfg);
}

/* A TCP conversation between client C=10.0.0.1:40000 and server
 * S=10.0.0.2:80 (or IPv6 when v6). */
struct conv {
	struct harness *h;
	int v6;
	uint16_t cport;
};

/* window advertised by the next tcp() packets */
static uint16_t tcp_win = 65535;
/* IPv4 id of the next packet, 0 = ids not used (counted up when set) */
static uint16_t tcp_ipid;
/* random IPv4 ids (a xorshift state, 0 off), as macOS and middleboxes */
static uint32_t tcp_ipid_rand;
/* input of the next packets, and µs added to their times */
static uint8_t tcp_feed;
static uint64_t tcp_us;
/* VXLAN VNI the next packets came in, 0 none */
static uint32_t tcp_vni;

static void
tcp(struct conv *c, uint64_t t_ms, int from_client, uint8_t flags,
    uint32_t seq, uint32_t ack, uint32_t len)
{
	struct gf_packet p;
	memset(&p, 0, sizeof(p));
	p.ts = T0 + t_ms * MS + tcp_us * 1000;
	p.feed = tcp_feed;
	p.tunid = tcp_vni;
	if (tcp_vni != 0)
		p.encaps = GF_E_VXLAN;
	p.family = c->v6 ? 6 : 4;
	p.proto = 6;
	if (c->v6) {
		p.src[0] = p.dst[0] = 0xfd;
		p.src[15] = from_client ? 1 : 2;
		p.dst[15] = from_client ? 2 : 1;
	} else {
		p.src[0] = p.dst[0] = 10;
		p.src[3] = from_client ? 1 : 2;
		p.dst[3] = from_client ? 2 : 1;
	}
	p.sport = from_client ? c->cport : 80;
	p.dport = from_client ? 80 : c->cport;
	p.seq = seq;
	p.ack = ack;
	p.tcpflags = flags;
	p.win = tcp_win;
	if (tcp_ipid != 0 && !c->v6)
		p.ipid = tcp_ipid++;
	if (tcp_ipid_rand != 0 && !c->v6) {
		tcp_ipid_rand ^= tcp_ipid_rand << 13;
		tcp_ipid_rand ^= tcp_ipid_rand >> 17;
		tcp_ipid_rand ^= tcp_ipid_rand << 5;
		p.ipid = (uint16_t)(tcp_ipid_rand >> 8);
	}
	p.l4sum = (uint16_t)(seq ^ ack ^ flags ^ len ^ p.ipid);
	p.wscale = 0xff;
	p.payload = len;
	p.ip_len = (c->v6 ? 60 : 40) + len;
	p.wire_len = 14 + p.ip_len;
	flow_proc_packet(&c->h->fp, GF_DECODE_OK, &p);
}

#define SYN GF_TH_SYN
#define ACK GF_TH_ACK
#define FIN GF_TH_FIN
#define RST GF_TH_RST
#define PA (GF_TH_PSH | GF_TH_ACK)

/* Sum of the FLOW records of one flow (by flowid of record k). */
struct sum {
	uint64_t spkts, dpkts, sbytes, dbytes, sgap, dgap, sloss, dloss;
	uint64_t sooo, dooo, slossbytes, sappbytes, dappbytes;
	uint64_t sgapev, dgapev, sackbytes;
	uint32_t flgs;
	int records, finals, end, state, orient;
	int first_is_client;
};

static struct sum
sum_flow(const struct harness *h, uint64_t flowid)
{
	struct sum s;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < h->n; i++) {
		const struct gf_flow *f = &h->rec[i].u.flow;
		if (f->flowid != flowid)
			continue;
		s.spkts += f->src.pkts;
		s.dpkts += f->dst.pkts;
		s.sbytes += f->src.bytes;
		s.dbytes += f->dst.bytes;
		s.sappbytes += f->src.appbytes;
		s.dappbytes += f->dst.appbytes;
		s.sgap += f->src.gap;
		s.dgap += f->dst.gap;
		s.sgapev += f->src.gapev;
		s.dgapev += f->dst.gapev;
		s.sloss += f->src.loss;
		s.dloss += f->dst.loss;
		s.slossbytes += f->src.lossbytes;
		s.sooo += f->src.ooo;
		s.dooo += f->dst.ooo;
		s.sackbytes += f->src.ackbytes;
		s.flgs |= f->flgs;
		s.records++;
		if (f->kind == GF_KIND_FINAL) {
			s.finals++;
			s.end = f->endreason;
			s.state = f->state;
		}
		s.orient = f->orient;
		s.first_is_client = f->saddr.a[f->saddr.family == 4 ? 3 : 15] == 1;
	}
	return s;
}

static struct sum
only_flow(const struct harness *h)
{
	CHECK(h->n > 0);
	return sum_flow(h, h->n > 0 ? h->rec[0].u.flow.flowid : 0);
}

/* Client ISN 1000, server ISN 5000; handshake at t=0,1,2 ms. */
static void
handshake(struct conv *c)
{
	tcp(c, 0, 1, SYN, 1000, 0, 0);
	tcp(c, 1, 0, SYN | ACK, 5000, 1001, 0);
	tcp(c, 2, 1, ACK, 1001, 5001, 0);
}

/* Client sends n 1000-byte segments from seq 1001 at t = start + i ms,
 * skipping index 'skip' (-1 none); the server ACKs everything at the end. */
static void
send_data(struct conv *c, uint64_t start, int n, int skip)
{
	for (int i = 0; i < n; i++)
		if (i != skip)
			tcp(c, start + (uint64_t)i, 1, PA, 1001 + 1000u * i,
			    5001, 1000);
	tcp(c, start + (uint64_t)n, 0, ACK, 5001, 1001 + 1000u * n, 0);
}

static void
close_flow(struct conv *c, uint64_t t, uint32_t cseq, uint32_t sseq)
{
	tcp(c, t, 1, FIN | ACK, cseq, sseq, 0);
	tcp(c, t + 1, 0, FIN | ACK, sseq, cseq + 1, 0);
	tcp(c, t + 2, 1, ACK, cseq + 1, sseq + 1, 0);
}

TEST(clean_transfer)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	send_data(&c, 10, 10, -1);
	close_flow(&c, 30, 11001, 5001);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.spkts, 2 + 10 + 2);
	CHECK_U64(s.dpkts, 1 + 1 + 1);
	CHECK_U64(s.sappbytes, 10000);
	CHECK_U64(s.sbytes, 14 * 54 + 10000);
	CHECK_U64(s.sgap + s.dgap + s.sloss + s.dloss + s.sooo, 0);
	CHECK_U64(s.sackbytes, 10000);
	CHECK_U64(s.end, GF_END_FIN);
	CHECK_U64(s.state, GF_ST_CLO);
	CHECK_U64(s.orient, GF_ORIENT_SYN);
	CHECK(s.first_is_client);
	CHECK((s.flgs & GF_F_SIMPLEX) == 0);
	CHECK_U64(h.sensor_ackbytes, 10000);
	CHECK_U64(h.sensor_gapbytes, 0);
}

TEST(acked_hole_is_exact_gap)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	send_data(&c, 10, 10, 4);       /* bytes 5001..6000 never seen */
	close_flow(&c, 40, 11001, 5001);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 1000);
	CHECK_U64(s.sgapev, 1);
	CHECK_U64(s.dgap, 0);
	CHECK_U64(s.sloss, 0);
	CHECK(s.flgs & GF_F_SGAP);
	CHECK((s.flgs & GF_F_SGAP_NOACK) == 0);
	CHECK_U64(h.sensor_gapbytes, 1000);
	CHECK_U64(h.sensor_gapev, 1);
	CHECK_U64(h.sensor_ackbytes, 10000);
}

TEST(retransmission_does_not_hide_gap)
{
	/* segment 2 lost upstream and retransmitted 200 ms later (loss);
	 * segment 6 never seen but acknowledged (gap): both in one record */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	for (int i = 0; i < 10; i++)
		if (i != 2 && i != 6)
			tcp(&c, 10 + i, 1, PA, 1001 + 1000u * i, 5001, 1000);
	tcp(&c, 30, 0, ACK, 5001, 3001, 0);             /* dup ACKs */
	tcp(&c, 220, 1, PA, 3001, 5001, 1000);          /* retransmission */
	tcp(&c, 230, 0, ACK, 5001, 11001, 0);
	close_flow(&c, 240, 11001, 5001);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sloss, 1);
	CHECK_U64(s.slossbytes, 1000);
	CHECK_U64(s.sgap, 1000);
	CHECK_U64(s.sooo, 0);
}

TEST(data_seen_twice_is_loss)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp(&c, 11, 1, PA, 2001, 5001, 1000);
	tcp(&c, 300, 1, PA, 1001, 5001, 1000);          /* seen twice */
	tcp(&c, 301, 0, ACK, 5001, 3001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sloss, 1);
	CHECK_U64(s.slossbytes, 1000);
	CHECK_U64(s.sgap, 0);
}

TEST(reordering_is_not_loss_or_gap)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp(&c, 11, 1, PA, 3001, 5001, 1000);           /* hole 2001..3000 */
	tcp(&c, 12, 1, PA, 2001, 5001, 1000);           /* 1 ms later */
	tcp(&c, 13, 0, ACK, 5001, 4001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sooo, 1);
	CHECK_U64(s.sloss, 0);
	CHECK_U64(s.sgap, 0);
	CHECK(s.flgs & GF_F_SOOO);
}

TEST(ip_id_tells_retransmission_from_reordering)
{
	/* IPv4 ids count up per sender: a fill sent after the packet that
	 * opened the hole is a retransmission even 1 ms later; one sent
	 * before it is reordering even 200 ms later */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp_ipid = 100;
	handshake(&c);                                  /* ids 100..102 */
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);           /* 103 */
	tcp(&c, 11, 1, PA, 3001, 5001, 1000);           /* 104: hole */
	tcp(&c, 12, 1, PA, 2001, 5001, 1000);           /* 105: resent */
	tcp_ipid = 200;
	tcp(&c, 20, 1, PA, 5001, 5001, 1000);           /* hole 4001..5000 */
	tcp_ipid = 150;
	tcp(&c, 220, 1, PA, 4001, 5001, 1000);          /* sent earlier */
	tcp_ipid = 0;
	tcp(&c, 230, 0, ACK, 5001, 6001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sloss, 1);
	CHECK_U64(s.slossbytes, 1000);
	CHECK_U64(s.sooo, 1);
	CHECK_U64(s.sgap, 0);
}

TEST(gap_counted_once_across_boundary)
{
	/* -S 1: hole opens in the first interval, the ACK comes in the
	 * second; the gap is in the second record only */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 1000 * MS);
	handshake(&c);
	tcp(&c, 900, 1, PA, 1001, 5001, 1000);
	tcp(&c, 901, 1, PA, 3001, 5001, 1000);          /* hole 2001..3000 */
	tcp(&c, 1500, 0, ACK, 5001, 4001, 0);
	tcp(&c, 2600, 1, PA, 4001, 5001, 10);
	tcp(&c, 2601, 0, ACK, 5001, 4011, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.records, 3);
	CHECK_U64(s.sgap, 1000);
	CHECK_U64(h.rec[0].u.flow.src.gap, 0);
	CHECK_U64(h.rec[1].u.flow.src.gap, 1000);
	CHECK_U64(h.rec[2].u.flow.src.gap, 0);
	CHECK_U64(h.rec[0].u.flow.kind, GF_KIND_STATUS);
	CHECK_U64(h.rec[2].u.flow.kind, GF_KIND_FINAL);
	CHECK_U64(h.rec[2].u.flow.seq, 2);
}

TEST(ack_before_data_within_skew)
{
	/* the server's ACK for 2001..3000 overtakes the data (two feeds):
	 * the data arrives 2 ms later, within the 10 ms skew: no gap, and
	 * nothing else either (the single feed has it in order) */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp(&c, 11, 0, ACK, 5001, 3001, 0);
	tcp(&c, 13, 1, PA, 2001, 5001, 1000);
	tcp(&c, 30, 0, ACK, 5001, 3001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 0);
	CHECK_U64(s.sloss, 0);
	CHECK_U64(s.sooo, 0);
}

TEST(sequence_wrap)
{
	/* client ISN 0xfffff000: data crosses 2^32; the hole
	 * 0xfffffc01..0x000003e8 (1000 bytes) spans the wrap */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	uint32_t isn = 0xfffff000u, seq = isn + 1;
	h_init(&h, 5000 * MS);
	tcp(&c, 0, 1, SYN, isn, 0, 0);
	tcp(&c, 1, 0, SYN | ACK, 5000, seq, 0);
	tcp(&c, 2, 1, ACK, seq, 5001, 0);
	for (int i = 0; i < 6; i++)
		if (i != 3)
			tcp(&c, 10 + i, 1, PA, seq + 1000u * i, 5001, 1000);
	CHECK_U64((uint32_t)(seq + 3000), 0xfffffbb9u);
	tcp(&c, 20, 0, ACK, 5001, seq + 6000, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 1000);
	CHECK_U64(s.sloss, 0);
	CHECK_U64(s.sackbytes, 6000);
}

TEST(simplex_hole_inferred_without_ack)
{
	/* only the client's packets are visible; a hole never fills */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp(&c, 0, 1, SYN, 1000, 0, 0);
	tcp(&c, 2, 1, ACK, 1001, 5001, 0);
	for (int i = 0; i < 8; i++)
		if (i != 5)
			tcp(&c, 10 + i, 1, PA, 1001 + 1000u * i, 5001, 1000);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 1000);
	CHECK_U64(s.dpkts, 0);
	CHECK(s.flgs & GF_F_SIMPLEX);
	CHECK(s.flgs & GF_F_SGAP_NOACK);
	/* no ACK: the sensor-wide estimate is not touched */
	CHECK_U64(h.sensor_gapbytes, 0);
}

TEST(simplex_ack_side_only)
{
	/* the server's packets are all missing; the client's ACKs show
	 * 5000 bytes of server data and the server's FIN (10001)
	 * acknowledged and never seen: the FIN is not payload */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp(&c, 0, 1, SYN, 1000, 0, 0);
	tcp(&c, 2, 1, ACK, 1001, 5001, 0);
	tcp(&c, 3, 1, PA, 1001, 5001, 100);
	tcp(&c, 10, 1, ACK, 1101, 7001, 0);
	tcp(&c, 11, 1, FIN | ACK, 1101, 10002, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.dgap, 5000);
	CHECK_U64(s.dgapev, 2);
	CHECK_U64(s.sgap, 0);
	CHECK(s.first_is_client);
	CHECK(s.flgs & GF_F_SIMPLEX);
}

TEST(midstream_pickup_no_false_gap)
{
	/* the capture starts mid-transfer: server ACKs data the sensor
	 * never saw because it was sent before capture started */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp(&c, 0, 0, ACK, 9001, 50001, 0);     /* ACK of pre-capture data */
	tcp(&c, 1, 1, PA, 51001, 9001, 1000);   /* first data seen */
	tcp(&c, 2, 1, PA, 52001, 9001, 1000);
	tcp(&c, 3, 0, ACK, 9001, 53001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 0);
	CHECK_U64(s.dgap, 0);
	CHECK(s.flgs & GF_F_MIDSTREAM);
	/* server port 80 answered first: the port heuristic puts the
	 * client as src */
	CHECK(s.first_is_client);
	CHECK_U64(s.orient, GF_ORIENT_PORT);
}

TEST(synack_before_syn)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp(&c, 0, 0, SYN | ACK, 5000, 1001, 0);
	tcp(&c, 1, 1, SYN, 1000, 0, 0);
	tcp(&c, 2, 1, ACK, 1001, 5001, 0);
	send_data(&c, 10, 3, -1);
	h_done(&h);
	s = only_flow(&h);
	CHECK(s.first_is_client);
	CHECK_U64(s.sgap + s.dgap + s.sloss + s.dloss, 0);
	/* the SYN, seen within the skew tolerance, is the best evidence */
	CHECK_U64(s.orient, GF_ORIENT_SYN);
	CHECK(s.flgs & GF_F_SKEW);
}

TEST(data_before_syn_is_reoriented)
{
	/* the server's first data overtook the handshake on another feed:
	 * the SYN arriving 2 ms later fixes src, flagged k */
	struct harness h;
	struct conv c = { &h, 0, 1234 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp(&c, 0, 0, ACK, 5001, 1001, 0);
	tcp(&c, 2, 1, SYN, 1000, 0, 0);
	tcp(&c, 3, 0, SYN | ACK, 5000, 1001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK(s.first_is_client);
	CHECK_U64(s.orient, GF_ORIENT_SYN);
	CHECK(s.flgs & GF_F_SKEW);
	CHECK_U64(s.sgap + s.dgap, 0);
}

TEST(keepalive_and_zero_window_probe)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp(&c, 11, 0, ACK, 5001, 2001, 0);
	tcp(&c, 1000, 1, ACK, 2000, 5001, 0);           /* keep-alive */
	tcp(&c, 1001, 0, ACK, 5001, 2001, 0);
	tcp(&c, 2000, 1, ACK, 2000, 5001, 1);           /* keep-alive, 1 byte */
	tcp(&c, 2001, 0, ACK, 5001, 2001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sloss + s.sgap + s.sooo, 0);
}

TEST(zero_window_probes)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp_win = 0;                            /* server closes its window */
	tcp(&c, 11, 0, ACK, 5001, 2001, 0);
	tcp_win = 65535;
	tcp(&c, 500, 1, ACK, 2001, 5001, 1);    /* probe: a new byte */
	tcp(&c, 1500, 1, ACK, 2001, 5001, 1);   /* the same probe again */
	tcp(&c, 3500, 1, ACK, 2001, 5001, 1);
	tcp_win = 0;
	tcp(&c, 3501, 0, ACK, 5001, 2001, 0);   /* still closed */
	tcp_win = 65535;
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sloss + s.sgap, 0);
	CHECK(s.flgs & GF_F_DWIN0);
}

TEST(rst_with_unacked_data_is_not_gap)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp(&c, 11, 1, PA, 3001, 5001, 1000);   /* hole, never acked */
	tcp(&c, 12, 0, RST | ACK, 5001, 2001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 0);
	CHECK_U64(s.end, GF_END_RST);
}

TEST(lost_fin_is_not_payload)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	send_data(&c, 10, 2, -1);
	/* client FIN (seq 3001) lost; server ACKs 3002 and closes */
	tcp(&c, 20, 0, FIN | ACK, 5001, 3002, 0);
	tcp(&c, 21, 1, ACK, 3002, 5002, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 0);
	CHECK_U64(s.sackbytes, 2000);
	/* the missed FIN still closes the flow */
	CHECK_U64(s.state, GF_ST_CLO);
	CHECK_U64(s.end, GF_END_FIN);
}

TEST(hole_before_fin_acked_by_fin_ack)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	/* 2001..2500 lost; FIN at 2501 */
	tcp(&c, 12, 1, FIN | ACK, 2501, 5001, 0);
	tcp(&c, 13, 0, FIN | ACK, 5001, 2502, 0);
	tcp(&c, 14, 1, ACK, 2502, 5002, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 500);
	CHECK_U64(s.end, GF_END_FIN);
}

TEST(unseen_data_and_fin_acked_together)
{
	/* the last segment (500 bytes + FIN) never seen, acknowledged
	 * together: 500 bytes of gap, not 501 */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp(&c, 11, 0, ACK, 5001, 2001, 0);
	tcp(&c, 12, 0, FIN | ACK, 5001, 2502, 0);       /* data+FIN acked */
	tcp(&c, 13, 1, ACK, 2502, 5002, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 500);
}

TEST(presumed_fin_was_data)
{
	/* an ACK passes unseen bytes; the last one is presumed a FIN until
	 * data follows it, then it counts: 2000 bytes in all */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	tcp(&c, 10, 0, ACK, 5001, 3001, 0);             /* 1001..3000 unseen */
	tcp(&c, 40, 1, PA, 3001, 5001, 1000);
	tcp(&c, 41, 0, ACK, 5001, 4001, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 2000);
	CHECK_U64(s.sloss, 0);
}

TEST(simplex_pure_ack_reveals_unseen_data)
{
	/* only the server is visible; its last 825-byte segment with FIN is
	 * missing, its final pure ACK (seq = FIN + 1) shows it existed */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp(&c, 1, 0, SYN | ACK, 5000, 1001, 0);
	tcp(&c, 10, 0, PA, 5001, 1001, 1000);
	tcp(&c, 20, 0, ACK, 6827, 1002, 0);     /* 6001..6825 + FIN 6826 */
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.dgap, 825);
	CHECK(s.flgs & GF_F_DGAP_NOACK);
}

TEST(midstream_acks_before_first_packet)
{
	/* capture starts mid-flow: the server's ACKs for client data sent
	 * before the capture arrive before the client's first packet, at
	 * the sequence they acknowledge: no gap */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp(&c, 0, 0, ACK, 9001, 50001, 0);
	tcp(&c, 1, 0, ACK, 9001, 52001, 0);
	tcp(&c, 2, 0, ACK, 9001, 54345, 0);
	tcp(&c, 80, 1, PA, 54345, 9001, 1000);  /* first client packet */
	tcp(&c, 81, 0, ACK, 9001, 55345, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 0);
	CHECK_U64(s.dgap, 0);
}

TEST(ipv6_gap)
{
	struct harness h;
	struct conv c = { &h, 1, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	send_data(&c, 10, 10, 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 1000);
	CHECK_U64(h.rec[0].u.flow.saddr.family, 6);
}

TEST(port_reuse)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s1, s2;
	h_init(&h, 5000 * MS);
	handshake(&c);
	close_flow(&c, 10, 1001, 5001);
	tcp(&c, 100, 1, SYN, 77000, 0, 0);      /* new connection */
	tcp(&c, 101, 0, SYN | ACK, 88000, 77001, 0);
	h_done(&h);
	CHECK_U64(h.n, 2);
	s1 = sum_flow(&h, h.rec[0].u.flow.flowid);
	s2 = sum_flow(&h, h.rec[1].u.flow.flowid);
	CHECK(h.rec[0].u.flow.flowid != h.rec[1].u.flow.flowid);
	CHECK_U64(s1.end, GF_END_REUSE);
	CHECK_U64(s1.spkts, 4);        /* SYN, ACK, FIN, ACK */
	CHECK_U64(s2.spkts, 1);
	CHECK_U64(s2.dpkts, 1);
	CHECK(s2.flgs & GF_F_REUSE);
	CHECK_U64(s2.end, GF_END_EOF);
}

static void
udp(struct harness *h, uint64_t t_ms, int fwd, uint16_t sport, uint32_t len)
{
	struct gf_packet p;
	memset(&p, 0, sizeof(p));
	p.ts = T0 + t_ms * MS;
	p.family = 4;
	p.proto = 17;
	p.src[0] = p.dst[0] = 10;
	p.src[3] = fwd ? 1 : 2;
	p.dst[3] = fwd ? 2 : 1;
	p.sport = fwd ? sport : 53;
	p.dport = fwd ? 53 : sport;
	p.payload = len;
	p.ip_len = 28 + len;
	p.wire_len = 14 + p.ip_len;
	flow_proc_packet(&h->fp, GF_DECODE_OK, &p);
}

TEST(idle_timeout_before_lookup)
{
	/* UDP timeout 30 s: a packet 31 s later starts a new flow; the old
	 * one ends with reason idle */
	struct harness h;
	h_init(&h, 60000 * MS);
	udp(&h, 0, 1, 3333, 40);
	udp(&h, 1, 0, 3333, 80);
	udp(&h, 31001, 1, 3333, 40);
	h_done(&h);
	CHECK_U64(h.n, 2);
	CHECK_U64(h.rec[0].u.flow.endreason, GF_END_IDLE);
	CHECK_U64(h.rec[0].u.flow.src.pkts, 1);
	CHECK_U64(h.rec[0].u.flow.dst.pkts, 1);
	CHECK_U64(h.rec[0].u.flow.state, GF_ST_CON);
	CHECK_U64(h.rec[1].u.flow.endreason, GF_END_EOF);
	CHECK_U64(h.rec[1].u.flow.state, GF_ST_INT);
	CHECK(h.rec[1].u.flow.flgs & GF_F_SIMPLEX);
}

/* A record is cut before a 32-bit counter would wrap, and only then:
 * UDP packets of len payload bytes (42 + len on the wire), n of them
 * 10 ms apart (beyond the duplicate window) within one interval. */
TEST(counters_cut_before_wrap)
{
	static const struct {
		uint32_t len;
		int n, records;         /* records the flow must make */
	} c[] = {
		{ 40, 3, 1 },                   /* the fast path */
		{ 0x40000000u, 3, 1 },          /* 3 x 0x4000002a fits */
		{ 0x80000000u, 2, 2 },          /* 2 x 0x8000002a would wrap */
		{ 0x7fffffd5u, 2, 1 },          /* 2 x 0x7fffffff fits */
		{ 0x7fffffd6u, 2, 2 },          /* 2 x 0x80000000 would wrap */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct harness h;
		uint64_t pk = 0, by = 0;
		h_init(&h, 60000 * MS);
		for (int k = 0; k < c[i].n; k++)
			udp(&h, 10 * (uint64_t)k, 1, 4444, c[i].len);
		h_done(&h);
		CHECK_U64(h.n, c[i].records);
		for (int r = 0; r < h.n; r++) {
			pk += h.rec[r].u.flow.src.pkts;
			by += h.rec[r].u.flow.src.bytes;
		}
		CHECK_U64(pk, c[i].n);
		CHECK_U64(by, (uint64_t)c[i].n * (42 + (uint64_t)c[i].len));
	}
}

TEST(status_records_sum_to_flow)
{
	/* -S 1 s: packets at 0.5, 1.5, 2.5 s → two status records and a
	 * final one */
	struct harness h;
	h_init(&h, 1000 * MS);
	udp(&h, 500, 1, 4444, 10);
	udp(&h, 1500, 0, 4444, 20);
	udp(&h, 2500, 1, 4444, 30);
	h_done(&h);
	CHECK_U64(h.n, 3);
	CHECK_U64(h.rec[0].u.flow.kind, GF_KIND_STATUS);
	CHECK_U64(h.rec[0].u.flow.src.appbytes, 10);
	CHECK_U64(h.rec[1].u.flow.dst.appbytes, 20);
	CHECK_U64(h.rec[2].u.flow.src.appbytes, 30);
	CHECK_U64(h.rec[2].u.flow.kind, GF_KIND_FINAL);
	CHECK_U64(h.rec[1].u.flow.seq, 1);
	CHECK_U64(h.rec[0].u.flow.fstime, T0 + 500 * MS);
	CHECK_U64(h.rec[1].u.flow.stime, T0 + 1500 * MS);
}

/*
 * -S 5 s, closed timeout 5 s (the defaults): a connection that closes at
 * 4.0 s is closed at the 5 s boundary and ends at 9.002 s, before the
 * next boundary: one FINAL record, no STATUS.
 */
TEST(closed_flow_is_one_record)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	send_data(&c, 10, 10, -1);
	close_flow(&c, 4000, 11001, 5001);
	udp(&h, 9500, 1, 5555, 10);     /* time passes 9.002 s */
	CHECK_U64(h.n, 1);
	CHECK_U64(h.rec[0].u.flow.kind, GF_KIND_FINAL);
	CHECK_U64(h.rec[0].u.flow.endreason, GF_END_FIN);
	CHECK_U64(h.rec[0].u.flow.seq, 0);
	CHECK_U64(h.rec[0].u.flow.stime, T0);
	CHECK_U64(h.rec[0].u.flow.ltime, T0 + 4002 * MS);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.records, 1);
	CHECK_U64(s.spkts, 2 + 10 + 2);
	CHECK_U64(s.dpkts, 1 + 1 + 1);
	CHECK_U64(s.sackbytes, 10000);
}

/* The same, and a stray ACK at 6 s: the held report comes first, as the
 * STATUS of the first interval (0-4.002 s), then the FINAL holds the
 * stray packet only; no record spans the 5 s boundary. */
TEST(held_report_written_before_stray_packet)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	h_init(&h, 5000 * MS);
	handshake(&c);
	send_data(&c, 10, 10, -1);
	close_flow(&c, 4000, 11001, 5001);
	tcp(&c, 6000, 1, ACK, 11002, 5002, 0);
	h_done(&h);
	CHECK_U64(h.n, 2);
	CHECK_U64(h.rec[0].u.flow.kind, GF_KIND_STATUS);
	CHECK_U64(h.rec[0].u.flow.src.pkts, 14);
	CHECK_U64(h.rec[0].u.flow.dst.pkts, 3);
	CHECK_U64(h.rec[0].u.flow.ltime, T0 + 4002 * MS);
	CHECK_U64(h.rec[1].u.flow.kind, GF_KIND_FINAL);
	CHECK_U64(h.rec[1].u.flow.seq, 1);
	CHECK_U64(h.rec[1].u.flow.src.pkts, 1);
	CHECK_U64(h.rec[1].u.flow.dst.pkts, 0);
	CHECK_U64(h.rec[1].u.flow.stime, T0 + 6000 * MS);
	CHECK_U64(h.rec[1].u.flow.endreason, GF_END_FIN);
}

/* -S 1 s: the closed flow would end 5 s later, after the next boundary:
 * it is reported at the boundary, and its FINAL is empty. */
TEST(closed_flow_reported_when_ending_late)
{
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	h_init(&h, 1000 * MS);
	handshake(&c);
	close_flow(&c, 500, 1001, 5001);
	udp(&h, 6000, 1, 5555, 10);
	CHECK_U64(h.n, 2);
	CHECK_U64(h.rec[0].u.flow.kind, GF_KIND_STATUS);
	CHECK_U64(h.rec[0].u.flow.src.pkts, 4);
	CHECK_U64(h.rec[1].u.flow.kind, GF_KIND_FINAL);
	CHECK_U64(h.rec[1].u.flow.src.pkts + h.rec[1].u.flow.dst.pkts, 0);
	h_done(&h);
}

TEST(eviction_when_full)
{
	struct harness h;
	memset(&h, 0, sizeof(h));
	gf_config_defaults(&h.cfg);
	h.cfg.max_flows = 16;
	CHECK(flow_proc_init(&h.fp, &h.cfg, sink, &h) == 0);
	for (int i = 0; i < 17; i++)
		udp(&h, (uint64_t)i, 1, (uint16_t)(1000 + i), 10);
	CHECK_U64(h.n, 1);
	CHECK_U64(h.rec[0].u.flow.endreason, GF_END_EVICTED);
	CHECK_U64(h.rec[0].u.flow.sport, 1000);        /* the oldest */
	h_done(&h);
	CHECK_U64(h.n, 17);
	CHECK_U64(h.sensor_evicted, 1);
}

/*
 * Issue 10.4: an HTTP keep-alive connection idle for 70 s, whose first
 * 1000-byte segment after the pause the capture lost and the server
 * acknowledged, stays one flow (flows.timeouts.tcp, default 5 min) and
 * keeps its sequence state, so the lost segment is a 1000-byte gap.
 * Idle for 299 s: still one flow; for 301 s: the first flow ends idle and
 * the rest is a new flow picked up mid-stream, which cannot see the gap.
 */
TEST(idle_keepalive_stays_one_flow)
{
	static const struct {
		uint64_t idle_ms;
		int flows;
		uint64_t gap;
	} cases[] = {
		{ 70000, 1, 1000 },
		{ 299000, 1, 1000 },
		{ 301000, 2, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct harness h;
		struct conv c = { &h, 0, 40000 };
		uint64_t t = 10 + cases[i].idle_ms, gap = 0, fid;
		int flows = 0;
		h_init(&h, 5000 * MS);
		handshake(&c);
		tcp(&c, 5, 1, PA, 1001, 5001, 1000);    /* a request */
		tcp(&c, 10, 0, PA, 5001, 2001, 500);    /* its answer */
		/* the pause; then 2001-3001 is lost by the capture */
		tcp(&c, t + 1, 1, PA, 3001, 5501, 1000);
		tcp(&c, t + 2, 0, ACK, 5501, 4001, 0);
		close_flow(&c, t + 10, 4001, 5501);
		h_done(&h);
		fid = h.rec[0].u.flow.flowid;
		for (int k = 0; k < h.n; k++) {
			const struct gf_flow *f = &h.rec[k].u.flow;
			if (f->kind == GF_KIND_FINAL)
				flows++;
			if (f->flowid == fid)
				gap += f->src.gap;
		}
		CHECK_U64(flows, cases[i].flows);
		CHECK_U64(gap, cases[i].gap);
		CHECK_U64(sum_flow(&h, fid).end,
		    cases[i].flows == 1 ? GF_END_FIN : GF_END_IDLE);
	}
}

/*
 * Each TCP class ends at its own default timeout: the flow is still there
 * 1 ms before it (no record) and ends exactly at it.
 */
TEST(class_timeouts)
{
	enum { SYNONLY, HALF, LONE, ONEWAY, EST, CLOSED };
	static const struct {
		int kind;
		uint64_t timeout_ms;
		int state;
	} cases[] = {
		{ SYNONLY, 20000, GF_ST_REQ },   /* flows.timeouts.tcp_syn */
		{ HALF, 30000, GF_ST_ACC },      /* tcp_half_open */
		{ LONE, 30000, GF_ST_EST },      /* tcp_half_open */
		{ ONEWAY, 300000, GF_ST_EST },   /* tcp */
		{ EST, 300000, GF_ST_EST },      /* tcp */
		{ CLOSED, 5000, GF_ST_CLO },     /* tcp_closed */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct harness h;
		struct conv c = { &h, 0, 40000 };
		uint64_t last = 0;
		h_init(&h, 3600000 * MS);
		switch (cases[i].kind) {
		case SYNONLY:
			tcp(&c, 0, 1, SYN, 1000, 0, 0);
			tcp(&c, 1000, 1, SYN, 1000, 0, 0);   /* a retry */
			last = 1000;
			break;
		case HALF:
			tcp(&c, 0, 1, SYN, 1000, 0, 0);
			tcp(&c, 1, 0, SYN | ACK, 5000, 1001, 0);
			last = 1;
			break;
		case LONE:
			tcp(&c, 0, 1, ACK, 1001, 5001, 0);
			break;
		case ONEWAY:
			tcp(&c, 0, 1, PA, 1001, 5001, 100);
			tcp(&c, 1, 1, PA, 1101, 5001, 100);
			last = 1;
			break;
		case EST:
			handshake(&c);
			last = 2;
			break;
		case CLOSED:
			handshake(&c);
			close_flow(&c, 10, 1001, 5001);
			last = 12;
			break;
		}
		flow_proc_tick(&h.fp, T0 + (last + cases[i].timeout_ms - 1) *
		    MS);
		CHECK_U64(h.n, 0);
		flow_proc_tick(&h.fp, T0 + (last + cases[i].timeout_ms) * MS);
		CHECK_U64(h.n, 1);
		CHECK_U64(h.rec[0].u.flow.endreason, cases[i].kind == CLOSED ?
		    GF_END_FIN : GF_END_IDLE);
		CHECK_U64(h.rec[0].u.flow.state, cases[i].state);
		h_done(&h);
	}
}

/* A harness with a table of max_flows, emergency mode at high_water %
 * (100: only when full), status interval 1 h. */
static void
h_init_table(struct harness *h, uint64_t max_flows, uint64_t high_water)
{
	memset(h, 0, sizeof(*h));
	gf_config_defaults(&h->cfg);
	h->cfg.max_flows = max_flows;
	h->cfg.emergency_high = high_water;
	h->cfg.status_interval = 3600000 * MS;
	CHECK(flow_proc_init(&h->fp, &h->cfg, sink, h) == 0);
}

/* The source port of FLOW record k; TCP clients are 10.0.0.1. */
static unsigned
rec_port(const struct harness *h, int k)
{
	const struct gf_flow *f = &h->rec[k].u.flow;
	return f->proto == 6 && f->saddr.a[3] == 2 ? f->dport : f->sport;
}

/*
 * Eviction order (issue 13.3): flows with no state worth keeping first
 * (SYN only, half-open, one UDP packet), least recently active first;
 * then closed and one-way TCP and multi-packet UDP; established TCP
 * last.  The table: 16 flows, filled at the times (ms) below; then new
 * two-packet UDP flows (tier 1 as soon as answered) each evict one.
 */
TEST(eviction_order)
{
	struct harness h;
	struct conv c;
	static const unsigned want[] = {
		1000,   /* UDP, one packet, t=10 */
		40001,  /* SYN only, t=20 */
		40002,  /* SYN, SYN-ACK, t=41 */
		1002,   /* UDP, one packet, t=70 */
		1001,   /* UDP, query and answer, t=31 */
		40003,  /* TCP one way, t=51 */
		40005,  /* TCP closed, t=82 */
		2000,   /* the first new flow: tier 1, newer */
		2001,
	};
	h_init_table(&h, 16, 100);
	c = (struct conv){ &h, 0, 40000 };
	handshake(&c);                          /* established, t=0-2 */
	udp(&h, 10, 1, 1000, 10);
	c.cport = 40001;
	tcp(&c, 20, 1, SYN, 1000, 0, 0);
	udp(&h, 30, 1, 1001, 10);
	udp(&h, 31, 0, 1001, 10);
	c.cport = 40002;
	tcp(&c, 40, 1, SYN, 1000, 0, 0);
	tcp(&c, 41, 0, SYN | ACK, 5000, 1001, 0);
	c.cport = 40003;
	tcp(&c, 50, 1, PA, 1001, 5001, 10);
	tcp(&c, 51, 1, PA, 1011, 5001, 10);
	udp(&h, 70, 1, 1002, 10);
	c.cport = 40005;
	tcp(&c, 75, 1, SYN, 1000, 0, 0);
	tcp(&c, 76, 0, SYN | ACK, 5000, 1001, 0);
	tcp(&c, 77, 1, ACK, 1001, 5001, 0);
	close_flow(&c, 80, 1001, 5001);
	for (uint16_t p = 40010; p < 40018; p++) {      /* 8 established */
		c.cport = p;
		tcp(&c, 100 + p - 40010, 1, SYN, 1000, 0, 0);
		tcp(&c, 100 + p - 40010, 0, SYN | ACK, 5000, 1001, 0);
		tcp(&c, 100 + p - 40010, 1, ACK, 1001, 5001, 0);
	}
	CHECK_U64(h.fp.table.used, 16);
	CHECK_U64(h.n, 0);
	for (int i = 0; i < 9; i++) {
		udp(&h, 200 + (uint64_t)i, 1, (uint16_t)(2000 + i), 10);
		udp(&h, 200 + (uint64_t)i, 0, (uint16_t)(2000 + i), 10);
	}
	CHECK_U64(h.n, 9);
	for (int k = 0; k < 9 && k < h.n; k++) {
		CHECK_U64(h.rec[k].u.flow.endreason, GF_END_EVICTED);
		CHECK_U64(rec_port(&h, k), want[k]);
	}
	CHECK_U64(h.fp.st.evicted, 9);
	h_done(&h);
	CHECK_U64(h.sensor_evicted, 9);
}

/* Among established flows, the least recently active goes first. */
TEST(eviction_order_established_lru)
{
	struct harness h;
	struct conv c;
	h_init_table(&h, 16, 100);
	c = (struct conv){ &h, 0, 40000 };
	for (uint16_t p = 0; p < 16; p++) {
		c.cport = (uint16_t)(40000 + p);
		tcp(&c, p, 1, SYN, 1000, 0, 0);
		tcp(&c, p, 0, SYN | ACK, 5000, 1001, 0);
		tcp(&c, p, 1, ACK, 1001, 5001, 0);
	}
	c.cport = 40000;
	tcp(&c, 20, 1, PA, 1001, 5001, 10);     /* 40000 active again */
	c.cport = 50000;
	tcp(&c, 30, 1, SYN, 1000, 0, 0);        /* evicts 40001 */
	c.cport = 50001;
	tcp(&c, 31, 1, SYN, 1000, 0, 0);        /* evicts SYN 50000 */
	CHECK_U64(h.n, 2);
	CHECK_U64(rec_port(&h, 0), 40001);
	CHECK_U64(h.rec[0].u.flow.state, GF_ST_EST);
	CHECK_U64(rec_port(&h, 1), 50000);
	h_done(&h);
}

/*
 * Emergency mode: 100 flows, marks 90 and 75.  At 90 flows it is
 * entered: the 89 flows of one packet (ports 1000-1087 at 10-97 ms, and
 * 2000 at 200 ms) time out after 5 s instead of 30 s; a UDP flow of two
 * packets (port 999) keeps its 30 s.  When 16 have gone (74 flows, below
 * 75) it is left, and the rest have their 30 s again.  Each counted once.
 */
TEST(emergency_mode)
{
	struct harness h;
	h_init_table(&h, 100, 90);
	udp(&h, 0, 1, 999, 10);
	udp(&h, 1, 0, 999, 10);
	for (int i = 0; i < 88; i++)
		udp(&h, 10 + (uint64_t)i, 1, (uint16_t)(1000 + i), 10);
	flow_proc_tick(&h.fp, T0 + 100 * MS);
	CHECK_U64(h.fp.emergency, 0);                   /* 89 flows */
	udp(&h, 200, 1, 2000, 10);
	flow_proc_tick(&h.fp, T0 + 201 * MS);
	CHECK_U64(h.fp.emergency, 1);                   /* 90 flows */
	CHECK_U64(h.fp.st.emergin, 1);
	flow_proc_tick(&h.fp, T0 + 5009 * MS);
	CHECK_U64(h.n, 0);                      /* 10 + 5000 not reached */
	flow_proc_tick(&h.fp, T0 + 5010 * MS);
	CHECK_U64(h.n, 1);
	CHECK_U64(h.rec[0].u.flow.endreason, GF_END_IDLE);
	CHECK_U64(h.rec[0].u.flow.sport, 1000);
	flow_proc_tick(&h.fp, T0 + 5024 * MS);  /* 1014 ends: 75 left */
	CHECK_U64(h.n, 15);
	CHECK_U64(h.fp.emergency, 1);
	flow_proc_tick(&h.fp, T0 + 5025 * MS);  /* 1015 ends: 74 left */
	CHECK_U64(h.n, 16);
	CHECK_U64(h.fp.emergency, 0);
	CHECK_U64(h.fp.st.emergout, 1);
	flow_proc_tick(&h.fp, T0 + 29000 * MS);
	CHECK_U64(h.fp.table.used, 74);         /* 30 s again */
	CHECK_U64(h.fp.st.emergin, 1);
	h_done(&h);
	CHECK_U64(h.sensor_emergin, 1);
	CHECK_U64(h.sensor_emergout, 1);
	CHECK_U64(h.n, 90);
	CHECK_U64(h.rec[89].u.flow.sport, 999);
	CHECK_U64(h.rec[89].u.flow.endreason, GF_END_EOF);
}

/* SIGHUP's new timeouts (flow_proc_set_timeouts) apply at once, and
 * emergency mode still shortens those of tier 0 until it is left. */
TEST(timeouts_reload_in_emergency)
{
	struct harness h;
	uint64_t t[FC_COUNT];
	h_init_table(&h, 16, 90);
	for (int i = 0; i < 15; i++)
		udp(&h, (uint64_t)i, 1, (uint16_t)(1000 + i), 10);
	flow_proc_tick(&h.fp, T0 + 20 * MS);
	CHECK_U64(h.fp.emergency, 1);
	h.cfg.timeout_udp = 60000 * MS;
	h.cfg.timeout_tcp_syn = 2000 * MS;
	flow_timeouts(&h.cfg, t);
	flow_proc_set_timeouts(&h.fp, t);
	CHECK_U64(h.fp.timeout[FC_UDP_ONE], 5000 * MS);
	CHECK_U64(h.fp.timeout[FC_TCP_SYN], 2000 * MS);   /* shorter */
	CHECK_U64(h.fp.timeout[FC_UDP], 60000 * MS);
	CHECK_U64(h.fp.timeout[FC_TCP], 300000 * MS);
	flow_proc_tick(&h.fp, T0 + 5014 * MS);          /* all 15 gone */
	CHECK_U64(h.fp.emergency, 0);
	CHECK_U64(h.n, 15);
	CHECK_U64(h.fp.timeout[FC_UDP_ONE], 60000 * MS);
	h_done(&h);
}

TEST(icmp_error_maps_to_flow)
{
	struct harness h;
	struct gf_packet p;
	h_init(&h, 5000 * MS);
	udp(&h, 0, 1, 5555, 10);
	memset(&p, 0, sizeof(p));
	p.ts = T0 + 1 * MS;
	p.family = 4;
	p.proto = 1;
	p.src[0] = p.dst[0] = 10;
	p.src[3] = 2;
	p.dst[3] = 1;
	p.icmp_type = 3;
	p.icmp_code = 3;
	p.wire_len = 70;
	p.quoted.family = 4;
	p.quoted.proto = 17;
	p.quoted.src[0] = p.quoted.dst[0] = 10;
	p.quoted.src[3] = 1;
	p.quoted.dst[3] = 2;
	p.quoted.sport = 5555;
	p.quoted.dport = 53;
	flow_proc_packet(&h.fp, GF_DECODE_OK, &p);
	h_done(&h);
	CHECK_U64(h.n, 1);
	CHECK_U64(h.rec[0].u.flow.icmperr, 1);
	CHECK_U64(h.rec[0].u.flow.src.pkts, 1);
	CHECK_U64(h.rec[0].u.flow.dst.pkts, 0);
	CHECK(h.rec[0].u.flow.flgs & GF_F_ICMPERR);
}

TEST(later_fragments_join_flow)
{
	struct harness h;
	struct gf_packet p;
	h_init(&h, 5000 * MS);
	memset(&p, 0, sizeof(p));
	p.ts = T0;
	p.family = 4;
	p.proto = 17;
	p.src[0] = p.dst[0] = 10;
	p.src[3] = 1;
	p.dst[3] = 2;
	p.sport = 7000;
	p.dport = 7001;
	p.frag = GF_FRAG_FIRST;
	p.frag_id = 99;
	p.payload = 1472;
	p.wire_len = 1514;
	flow_proc_packet(&h.fp, GF_DECODE_OK, &p);
	p.ts += MS;
	p.frag = GF_FRAG_LATER;
	p.sport = p.dport = 0;
	p.payload = 528;
	p.wire_len = 562;
	flow_proc_packet(&h.fp, GF_DECODE_OK, &p);
	/* a later fragment of an unknown datagram: orphan flow */
	p.frag_id = 100;
	flow_proc_packet(&h.fp, GF_DECODE_OK, &p);
	h_done(&h);
	CHECK_U64(h.n, 2);
	/* the one-packet orphan flow may end first: find the datagram's */
	{
		int d = h.rec[0].u.flow.sport == 7000 ? 0 : 1;
		CHECK_U64(h.rec[d].u.flow.src.pkts, 2);
		CHECK_U64(h.rec[d].u.flow.src.appbytes, 2000);
		CHECK_U64(h.rec[d].u.flow.frags, 2);
		CHECK(h.rec[d].u.flow.flgs & GF_F_FRAG);
		CHECK(h.rec[!d].u.flow.flgs & GF_F_FRAG_ORPHAN);
		CHECK_U64(h.rec[!d].u.flow.sport, 0);
	}
}

TEST(icmp_later_fragment_joins_echo)
{
	/* a fragmented echo request: the later fragment has no ICMP
	 * header, the cache gives it the first fragment's identity */
	struct harness h;
	struct gf_packet p;
	h_init(&h, 5000 * MS);
	memset(&p, 0, sizeof(p));
	p.ts = T0;
	p.family = 4;
	p.proto = 1;
	p.src[0] = p.dst[0] = 10;
	p.src[3] = 1;
	p.dst[3] = 2;
	p.icmp_type = 8;
	p.icmp_id = 77;
	p.frag = GF_FRAG_FIRST;
	p.frag_id = 5;
	p.payload = 1472;
	p.wire_len = 1514;
	flow_proc_packet(&h.fp, GF_DECODE_OK, &p);
	memset(&p.icmp_type, 0, 1);
	p.icmp_id = 0;
	p.ts += MS;
	p.frag = GF_FRAG_LATER;
	p.payload = 100;
	p.wire_len = 134;
	flow_proc_packet(&h.fp, GF_DECODE_OK, &p);
	h_done(&h);
	CHECK_U64(h.n, 1);
	CHECK_U64(h.rec[0].u.flow.src.pkts, 2);
	CHECK_U64(h.rec[0].u.flow.dport, 77);
	CHECK_U64(h.rec[0].u.flow.sport, 8);
	CHECK((h.rec[0].u.flow.flgs & GF_F_FRAG_ORPHAN) == 0);
}

TEST(bad_and_nonip_counted)
{
	struct harness h;
	struct gf_packet p;
	struct gf_record last;
	h_init(&h, 5000 * MS);
	memset(&p, 0, sizeof(p));
	p.ts = T0;
	p.wire_len = 60;
	flow_proc_packet(&h.fp, GF_DECODE_NONIP, &p);
	p.bad = GF_BAD_TRUNC_IP;
	flow_proc_packet(&h.fp, GF_DECODE_BAD, &p);
	flow_proc_packet(&h.fp, GF_DECODE_BAD, &p);
	CHECK_U64(h.fp.st.nonip, 1);
	CHECK_U64(h.fp.st.bad[GF_BAD_TRUNC_IP], 2);
	CHECK_U64(h.fp.st.pkts, 3);
	h_done(&h);
	CHECK_U64(h.n, 0);
	(void)last;
}

/* ---- hole lists at any loss rate --------------------------------------- */

/* Client segments i = 0..n-1 (1000 bytes from 1001, 1 ms apart), those
 * with i % every == 0 never seen; the server ACKs everything at the end. */
static void
send_lossy(struct conv *c, int n, int every)
{
	for (int i = 0; i < n; i++)
		if (i % every != 0)
			tcp(c, 10 + (uint64_t)i, 1, PA, 1001 + 1000u * i, 5001,
			    1000);
	tcp(c, 20 + (uint64_t)n, 0, ACK, 5001, 1001 + 1000u * n, 0);
}

TEST(many_holes_are_exact)
{
	/* 600 segments, every third missing: 200 holes open at once (the
	 * old 16-hole list merged them and counted seen bytes as gap) */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	handshake(&c);
	send_lossy(&c, 600, 3);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sgap, 200 * 1000);
	CHECK_U64(s.sgapev, 1);
	CHECK_U64(s.sloss + s.sooo, 0);
	CHECK((s.flgs & GF_F_HOLES_FULL) == 0);
	CHECK_U64(h.sensor_gapbytes, 200 * 1000);
	CHECK_U64(h.sensor_ackbytes, 600 * 1000);
	CHECK_U64(h.sensor_holesfull, 0);
}

TEST(hole_bounds_undercount_and_flag)
{
	/* 20 holes (every other segment of 40); with room for 16 per
	 * direction, or 5 in the whole pool, the rest is not tracked: the
	 * gap is what the tracked holes prove, never more */
	static const struct {
		uint64_t max_holes, pool, gap, full;
	} cases[] = {
		{ 16, 0, 16 * 1000, 4 },
		{ 0, 5, 5 * 1000, 15 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct harness h;
		struct conv c = { &h, 0, 40000 };
		struct sum s;
		h_max_holes = cases[k].max_holes;
		h_hole_pool = cases[k].pool;
		h_init(&h, 5000 * MS);
		handshake(&c);
		send_lossy(&c, 40, 2);
		h_done(&h);
		s = only_flow(&h);
		CHECK_U64(s.sgap, cases[k].gap);
		CHECK(s.flgs & GF_F_HOLES_FULL);
		CHECK_U64(h.sensor_holesfull, cases[k].full);
		CHECK_U64(h.sensor_gapbytes, cases[k].gap);
	}
	h_max_holes = h_hole_pool = 0;
}

/* ---- ACK and RST acceptability ------------------------------------------ */

static int
count_flows(const struct harness *h)
{
	int n = 0;
	for (int i = 0; i < h->n; i++) {
		int seen = 0;
		for (int j = 0; j < i; j++)
			if (h->rec[j].u.flow.flowid == h->rec[i].u.flow.flowid)
				seen = 1;
		n += !seen;
	}
	return n;
}

TEST(challenge_ack_then_new_syn)
{
	/* a SYN answered by a bare ACK far from ISN + 1 (RFC 5961 challenge
	 * ACK from TIME-WAIT state), the initiator's RST (out of window for
	 * this connection), then a new SYN: with a new ISN a new flow, with
	 * the same ISN a SYN retransmission; the second try loses segment 2
	 * (1000 bytes, acknowledged): that is the only gap */
	static const uint32_t isn2[] = { 50000, 1000 };
	for (size_t k = 0; k < 2; k++) {
		struct harness h;
		struct conv c = { &h, 0, 40000 };
		struct sum s;
		uint32_t q = isn2[k] + 1;
		h_init(&h, 5000 * MS);
		tcp(&c, 0, 1, SYN, 1000, 0, 0);
		tcp(&c, 1, 0, ACK, 777777, 99999999, 0);
		tcp(&c, 2, 1, RST, 99999999, 0, 0);
		tcp(&c, 1000, 1, SYN, isn2[k], 0, 0);
		tcp(&c, 1001, 0, SYN | ACK, 9000, q, 0);
		tcp(&c, 1002, 1, ACK, q, 9001, 0);
		for (int i = 0; i < 5; i++)
			if (i != 2)
				tcp(&c, 1003 + (uint64_t)i, 1, PA,
				    q + 1000u * i, 9001, 1000);
		tcp(&c, 1010, 0, ACK, 9001, q + 5000, 0);
		close_flow(&c, 1020, q + 5000, 9001);
		h_done(&h);
		CHECK_U64(h.sensor_ackbad, 2);
		CHECK_U64(count_flows(&h), k == 0 ? 2 : 1);
		s = sum_flow(&h, h.rec[h.n - 1].u.flow.flowid);
		CHECK_U64(s.sgap, 1000);
		CHECK_U64(s.dgap, 0);
		CHECK_U64(s.end, GF_END_FIN);
		if (k == 0) {
			s = sum_flow(&h, h.rec[0].u.flow.flowid);
			CHECK_U64(s.sgap + s.dgap, 0);
			CHECK_U64(s.end, GF_END_REUSE);
		}
	}
}

TEST(acks_outside_the_window_are_ignored)
{
	/* handshake without window scale: the server's largest window is
	 * 65535; an ACK 100000 past what the client sent, and one 70000
	 * below what was acknowledged, are not the connection's; a SYN-ACK
	 * that acknowledges more than the SYN is not either */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp(&c, 0, 1, SYN, 1000, 0, 0);
	tcp(&c, 1, 0, SYN | ACK, 5000, 1501, 0);         /* acks 500 more */
	tcp(&c, 2, 0, SYN | ACK, 5000, 1001, 0);
	tcp(&c, 3, 1, ACK, 1001, 5001, 0);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp(&c, 11, 1, PA, 2001, 5001, 1000);
	tcp(&c, 12, 0, ACK, 5001, 3001 + 100000, 0);
	tcp(&c, 13, 0, ACK, 5001, 3001, 0);
	tcp(&c, 14, 0, ACK, 5001, 3001 - 70000, 0);
	close_flow(&c, 20, 3001, 5001);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(h.sensor_ackbad, 3);
	CHECK_U64(s.sgap + s.dgap, 0);
	CHECK_U64(s.sackbytes, 2000);
	CHECK_U64(s.end, GF_END_FIN);
}

TEST(rst_acceptability)
{
	/* a RST whose sequence number is outside the receiver's window is
	 * ignored (the connection goes on to close with FINs); one at the
	 * sender's next sequence number resets it */
	static const struct {
		uint32_t seq;
		int end;
	} cases[] = {
		{ 3001 + 500000, GF_END_FIN },
		{ 3001, GF_END_RST },
	};
	for (size_t k = 0; k < 2; k++) {
		struct harness h;
		struct conv c = { &h, 0, 40000 };
		struct sum s;
		h_init(&h, 5000 * MS);
		handshake(&c);
		tcp(&c, 10, 1, PA, 1001, 5001, 1000);
		tcp(&c, 11, 1, PA, 2001, 5001, 1000);
		tcp(&c, 12, 0, ACK, 5001, 3001, 0);
		tcp(&c, 13, 1, RST, cases[k].seq, 0, 0);
		if (cases[k].end == GF_END_FIN)
			close_flow(&c, 20, 3001, 5001);
		h_done(&h);
		s = only_flow(&h);
		CHECK_U64(s.end, cases[k].end);
		CHECK_U64(h.sensor_ackbad, k == 0 ? 1 : 0);
	}
}

/* ---- reordering or retransmission without trusted IPv4 ids -------------- */

TEST(random_ids_decide_by_time)
{
	/* a sender with random ids: a fill 0.5 ms after its hole opened is
	 * reordering, one 200 ms after is a retransmission (with ids taken
	 * as counters either could come out backwards) */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	h_init(&h, 5000 * MS);
	tcp_ipid_rand = 2463534242u;
	handshake(&c);
	tcp(&c, 10, 1, PA, 1001, 5001, 1000);
	tcp(&c, 11, 1, PA, 3001, 5001, 1000);           /* hole 2001.. */
	tcp_us = 500;
	tcp(&c, 11, 1, PA, 2001, 5001, 1000);           /* 0.5 ms later */
	tcp_us = 0;
	tcp(&c, 20, 1, PA, 4001, 5001, 1000);
	tcp(&c, 21, 1, PA, 6001, 5001, 1000);           /* hole 5001.. */
	tcp(&c, 221, 1, PA, 5001, 5001, 1000);          /* 200 ms later */
	tcp(&c, 230, 0, ACK, 5001, 7001, 0);
	tcp_ipid_rand = 0;
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sooo, 1);
	CHECK_U64(s.sloss, 1);
	CHECK_U64(s.slossbytes, 1000);
	CHECK_U64(s.sgap, 0);
}

/* Packets at given microseconds (copies later by copy_us, 0 none). */
struct tap_pkt {
	int64_t us;
	int client;
	uint8_t fl;
	uint32_t seq, ack, len;
};

static void
play(struct conv *c, const struct tap_pkt *pk, size_t n, int64_t copy_us)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t id = tcp_ipid;         /* a copy keeps its id */
		for (int copy = 0; copy < (copy_us ? 2 : 1); copy++) {
			tcp_ipid = id;
			tcp_us = (uint64_t)(pk[i].us + copy * copy_us);
			tcp(c, 0, pk[i].client, pk[i].fl, pk[i].seq,
			    pk[i].ack, pk[i].len);
		}
	}
	tcp_us = 0;
}

static int
tap_cmp(const void *a, const void *b)
{
	const struct tap_pkt *x = a, *y = b;
	return x->us < y->us ? -1 : x->us > y->us;
}

TEST(dupacks_mark_fast_retransmission)
{
	/* random ids again; the receiver asks for 2001 with three duplicate
	 * ACKs and the fill comes 0.7 ms after the hole opened, within the
	 * reorder window: a fast retransmission, not reordering */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	static const struct tap_pkt pk[] = {
		{ 10000, 1, PA, 1001, 5001, 1000 },
		{ 10050, 0, ACK, 5001, 2001, 0 },
		{ 10100, 1, PA, 3001, 5001, 1000 },     /* hole 2001..3000 */
		{ 10200, 1, PA, 4001, 5001, 1000 },
		{ 10300, 1, PA, 5001, 5001, 1000 },
		{ 10400, 0, ACK, 5001, 2001, 0 },
		{ 10500, 0, ACK, 5001, 2001, 0 },
		{ 10600, 0, ACK, 5001, 2001, 0 },
		{ 10800, 1, PA, 2001, 5001, 1000 },     /* the retransmission */
		{ 10900, 0, ACK, 5001, 6001, 0 },
	};
	h_init(&h, 5000 * MS);
	tcp_ipid_rand = 88172645u;
	handshake(&c);
	play(&c, pk, sizeof(pk) / sizeof(pk[0]), 0);
	tcp_ipid_rand = 0;
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.sloss, 1);
	CHECK_U64(s.sooo, 0);
	CHECK_U64(s.sgap, 0);
}

/* ---- tap feeds: SPAN copies and skewed inputs --------------------------- */

TEST(span_copies_are_duplicates)
{
	/* every packet twice, the copy 5 us later: the same counts as the
	 * single copy, the copies in sdups/ddups; a real retransmission 2 ms
	 * later (past the 1 ms window) stays network loss */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	static const struct tap_pkt pk[] = {
		{ 0, 1, SYN, 1000, 0, 0 },
		{ 1000, 0, SYN | ACK, 5000, 1001, 0 },
		{ 2000, 1, ACK, 1001, 5001, 0 },
		{ 10000, 1, PA, 1001, 5001, 1000 },
		{ 12000, 1, PA, 3001, 5001, 1000 },     /* 2001.. never seen */
		{ 14000, 0, ACK, 5001, 4001, 0 },
		{ 16000, 0, PA, 5001, 4001, 500 },
		{ 20000, 1, ACK, 4001, 5501, 0 },
	};
	uint32_t ndup = sizeof(pk) / sizeof(pk[0]), cdup = 0;
	h_init(&h, 5000 * MS);
	tcp_ipid = 100;                 /* ids that count up */
	play(&c, pk, ndup, 5);
	tcp_ipid = 0;
	for (size_t i = 0; i < ndup; i++)
		cdup += (uint32_t)pk[i].client;
	tcp(&c, 22, 1, PA, 3001, 5501, 1000);   /* the same bytes, later */
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.spkts, 6);
	CHECK_U64(s.dpkts, 3);
	CHECK_U64(s.sgap, 1000);
	CHECK_U64(s.sloss, 1);
	CHECK_U64(s.sooo + s.dloss + s.dooo, 0);
	CHECK_U64(h.sensor_dups, ndup);
	{
		uint64_t sd = 0, dd = 0;
		for (int i = 0; i < h.n; i++) {
			sd += h.rec[i].u.flow.src.dups;
			dd += h.rec[i].u.flow.dst.dups;
		}
		CHECK_U64(sd, cdup);
		CHECK_U64(dd, ndup - cdup);
	}
}

TEST(key_tunnel_separates_tenants)
{
	/* the same inner 5-tuple in VNI 100 and VNI 200 at once, with their
	 * own ISNs: by default one flow, with flows.key_tunnel two, each
	 * with its own packets and tunnel id and no false gap */
	for (int keyed = 0; keyed < 2; keyed++) {
		struct harness h;
		struct conv c = { &h, 0, 40000 };
		static const uint32_t vni[2] = { 100, 200 }, isn[2] = { 1000,
		    7000000 };
		h_key_tunnel = keyed;
		h_init(&h, 5000 * MS);
		for (int i = 0; i < 2; i++) {
			tcp_vni = vni[i];
			tcp(&c, 0, 1, SYN, isn[i], 0, 0);
			tcp(&c, 1, 0, SYN | ACK, 5000 + isn[i], isn[i] + 1, 0);
			tcp(&c, 2, 1, ACK, isn[i] + 1, 5001 + isn[i], 0);
		}
		for (int i = 0; i < 2; i++) {
			tcp_vni = vni[i];
			tcp(&c, 3, 1, PA, isn[i] + 1, 5001 + isn[i], 100);
			tcp(&c, 4, 0, ACK, 5001 + isn[i], isn[i] + 101, 0);
		}
		tcp_vni = 0;
		h_key_tunnel = 0;
		h_done(&h);
		CHECK_U64(count_flows(&h), keyed ? 2 : 1);
		if (keyed) {
			for (int i = 0; i < h.n; i++) {
				const struct gf_flow *f = &h.rec[i].u.flow;
				struct sum s = sum_flow(&h, f->flowid);
				CHECK(f->tunid == 100 || f->tunid == 200);
				CHECK_U64(s.spkts, 3);
				CHECK_U64(s.dpkts, 2);
				CHECK_U64(s.sgap + s.dgap + s.sloss, 0);
			}
		}
	}
}

TEST(equal_pure_acks_without_ids_are_packets)
{
	/* two equal pure ACKs 26 us apart from a sender whose IPv4 ids are
	 * 0 (zeek_pppoe-over-qinq): duplicate ACKs, not a SPAN copy, so both
	 * count; equal data segments 26 us apart are a copy */
	struct harness h;
	struct conv c = { &h, 0, 40000 };
	struct sum s;
	static const struct tap_pkt pk[] = {
		{ 10000, 1, PA, 1001, 5001, 1000 },
		{ 10026, 1, PA, 1001, 5001, 1000 },
		{ 11000, 0, ACK, 5001, 2001, 0 },
		{ 11026, 0, ACK, 5001, 2001, 0 },
	};
	h_init(&h, 5000 * MS);
	handshake(&c);
	play(&c, pk, sizeof(pk) / sizeof(pk[0]), 0);
	h_done(&h);
	s = only_flow(&h);
	CHECK_U64(s.spkts, 2 + 1);
	CHECK_U64(s.dpkts, 1 + 2);
	CHECK_U64(h.sensor_dups, 1);
	CHECK_U64(s.sloss, 0);
}

/* One connection seen through two inputs whose clocks differ: the client
 * sends on input 1, the server on input 2, whose timestamps are off_us
 * later (negative: earlier).  Packets are fed in timestamp order, as the
 * sensor merges files. */
TEST(skewed_inputs_are_one_flow_and_measured)
{
	/* true times: every answer 50 us after what it answers; segment
	 * 4001..5000 never seen (the tap lost it) and acknowledged */
	static const struct tap_pkt conn[] = {
		{ 0, 1, SYN, 1000, 0, 0 },
		{ 50, 0, SYN | ACK, 5000, 1001, 0 },
		{ 100, 1, ACK, 1001, 5001, 0 },
		{ 200, 1, PA, 1001, 5001, 1000 },
		{ 210, 1, PA, 2001, 5001, 1000 },
		{ 220, 1, PA, 3001, 5001, 1000 },
		{ 240, 1, PA, 5001, 5001, 1000 },
		{ 290, 0, ACK, 5001, 6001, 0 },
		{ 400, 0, PA, 5001, 6001, 1400 },
		{ 410, 0, PA, 6401, 6001, 1400 },
		{ 460, 1, ACK, 6001, 7801, 0 },
		{ 500, 1, PA, 6001, 7801, 100 },
		{ 550, 0, ACK, 7801, 6101, 0 },
		{ 30000, 1, FIN | ACK, 6101, 7801, 0 },
		{ 30050, 0, FIN | ACK, 7801, 6102, 0 },
		{ 30100, 1, ACK, 6102, 7802, 0 },
	};
	static const struct {
		int64_t off_us;
		int v6;
		int no_synack;          /* the tap lost the SYN-ACK too */
	} cases[] = {
		{ 500, 0, 0 }, { 2000, 0, 0 }, { 10000, 0, 0 }, { -500, 0, 0 },
		{ -3000, 0, 0 }, { -10000, 0, 0 }, { 2000, 1, 0 }, { -3000, 1, 0 },
		{ -3000, 0, 1 }, { -10000, 1, 1 }, { 3000, 0, 1 },
	};
	enum { NP = sizeof(conn) / sizeof(conn[0]) };
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct harness h;
		struct conv c = { &h, cases[k].v6, 40000 };
		struct tap_pkt pk[NP];
		struct sum s;
		int64_t off = cases[k].off_us, base = 20000;
		uint64_t want = (uint64_t)(off < 0 ? -off : off) * 1000, got;
		int np = 0;
		for (int i = 0; i < NP; i++) {
			if (cases[k].no_synack && conn[i].fl == (SYN | ACK))
				continue;
			pk[np] = conn[i];
			pk[np++].us += base + (conn[i].client ? 0 : off);
		}
		qsort(pk, (size_t)np, sizeof(pk[0]), tap_cmp);
		h_init(&h, 5000 * MS);
		for (int i = 0; i < np; i++) {
			tcp_feed = pk[i].client ? 0 : 1;
			play(&c, &pk[i], 1, 0);
		}
		tcp_feed = 0;
		h_done(&h);
		CHECK_U64(count_flows(&h), 1);
		s = only_flow(&h);
		CHECK_U64(s.spkts, 10);
		CHECK_U64(s.dpkts, 6 - (uint64_t)cases[k].no_synack);
		CHECK_U64(s.sgap, 1000);
		CHECK_U64(s.dgap, 0);
		CHECK_U64(s.sloss + s.dloss + s.sooo + s.dooo, 0);
		CHECK((s.flgs & GF_F_SIMPLEX) == 0);
		CHECK(s.first_is_client);
		CHECK_U64(s.end, GF_END_FIN);
		/* the inputs' offset, to the microsecond */
		got = h.last_sensor.feedoff;
		CHECK(got + 1000 >= want && got <= want + 1000);
		CHECK_U64(h.last_sensor.feedlate, off > 0 ? 2 : 1);
		CHECK_U64(h.last_sensor.feedref, off > 0 ? 1 : 2);
	}
}

int
main(void)
{
	RUN(clean_transfer);
	RUN(acked_hole_is_exact_gap);
	RUN(retransmission_does_not_hide_gap);
	RUN(data_seen_twice_is_loss);
	RUN(reordering_is_not_loss_or_gap);
	RUN(ip_id_tells_retransmission_from_reordering);
	RUN(gap_counted_once_across_boundary);
	RUN(ack_before_data_within_skew);
	RUN(sequence_wrap);
	RUN(simplex_hole_inferred_without_ack);
	RUN(simplex_ack_side_only);
	RUN(midstream_pickup_no_false_gap);
	RUN(synack_before_syn);
	RUN(data_before_syn_is_reoriented);
	RUN(keepalive_and_zero_window_probe);
	RUN(zero_window_probes);
	RUN(rst_with_unacked_data_is_not_gap);
	RUN(lost_fin_is_not_payload);
	RUN(hole_before_fin_acked_by_fin_ack);
	RUN(unseen_data_and_fin_acked_together);
	RUN(presumed_fin_was_data);
	RUN(simplex_pure_ack_reveals_unseen_data);
	RUN(midstream_acks_before_first_packet);
	RUN(ipv6_gap);
	RUN(port_reuse);
	RUN(idle_timeout_before_lookup);
	RUN(counters_cut_before_wrap);
	RUN(status_records_sum_to_flow);
	RUN(closed_flow_is_one_record);
	RUN(held_report_written_before_stray_packet);
	RUN(closed_flow_reported_when_ending_late);
	RUN(eviction_when_full);
	RUN(idle_keepalive_stays_one_flow);
	RUN(class_timeouts);
	RUN(eviction_order);
	RUN(eviction_order_established_lru);
	RUN(emergency_mode);
	RUN(timeouts_reload_in_emergency);
	RUN(icmp_error_maps_to_flow);
	RUN(later_fragments_join_flow);
	RUN(icmp_later_fragment_joins_echo);
	RUN(bad_and_nonip_counted);
	RUN(many_holes_are_exact);
	RUN(hole_bounds_undercount_and_flag);
	RUN(challenge_ack_then_new_syn);
	RUN(acks_outside_the_window_are_ignored);
	RUN(rst_acceptability);
	RUN(random_ids_decide_by_time);
	RUN(dupacks_mark_fast_retransmission);
	RUN(span_copies_are_duplicates);
	RUN(equal_pure_acks_without_ids_are_packets);
	RUN(key_tunnel_separates_tenants);
	RUN(skewed_inputs_are_one_flow_and_measured);
	return test_summary();
}
