/*
 * gapsynth - synthetic TCP captures for the gap accuracy tests
 * (tests/accuracy), made with pktbuild.
 *
 *   gapsynth SCENARIO OUTDIR
 *
 * writes OUTDIR/SCENARIO.pcap (the ORIGINAL: every packet that crossed the
 * tap) and OUTDIR/SCENARIO.drop (the 1-based frame numbers the tap did not
 * deliver, for `pcapcut --drop-list`), and prints on stdout the expected
 * total capture gap in bytes under the gaptruth definition.  Scenarios:
 *
 *   wrap      IPv4 and IPv6 bulk transfers both ways whose ISNs lie within
 *             100 KB below 2^32, with dropped segments before, across and
 *             after the wrap in both directions (all acknowledged).
 *   zerowin   zero-window probes (0-byte at snd_una-1, and 1 byte of new
 *             data repeated until the window opens) and keep-alives (0-
 *             and 1-byte at snd_nxt-1, from either side); nothing
 *             dropped: zero gaps.
 *   finrst    a dropped segment just before a FIN, acknowledged by the
 *             FIN-ACK; the same with data on the FIN; a connection reset
 *             with unacknowledged (dropped) data in flight; the same where
 *             the RST|ACK's ack covers the dropped data; a dropped bare
 *             FIN acknowledged by the peer; a dropped FIN carrying data.
 *   elephant  line-rate bulk transfers (issue 10): 1448-byte segments
 *             1.2 us apart (~10 Gbit/s), the receiver ACKing every two
 *             segments up to what it had 800 segments earlier (a 1 ms
 *             round trip, so hundreds of holes are open at once when
 *             the tap misses packets); IPv4 3 MB up then 3 MB down, with
 *             SACK-less retransmissions (every 500th segment lost after
 *             the tap, resent once the dupACKs reach it); IPv6 4 MB both
 *             ways at once.  Nothing dropped: the accuracy harness
 *             removes packets with pcapcut --rate.
 *   challenge a SYN answered by a bare ACK far from ISN+1 (an RFC 5961
 *             challenge ACK from TIME-WAIT or firewall state), the
 *             initiator's RST, then a new SYN on the same ports and a
 *             normal connection with dropped data (acknowledged): IPv4
 *             with the ACK 123456789 above ISN+1, IPv6 with it 1000000
 *             below.  Truth: only the second connection's gap.
 *   randid    reordering and retransmission with and without usable IPv4
 *             ids: senders with random ids and with increasing ids, and
 *             IPv6; in each, one connection where a segment arrives
 *             0.5 ms after its successor (out of order, not loss) and one
 *             where a segment lost after the tap is resent 200 ms later
 *             (an RTO retransmission: loss, not out of order).  Nothing
 *             dropped.
 *   idle      HTTP keep-alive: a request and response, 70 s idle (and,
 *             a second connection, 240 s), then a request whose 3,000-
 *             byte response has its middle 1,000-byte segment dropped
 *             and acknowledged: gap 1,000 in ONE flow each.
 *   all       every scenario.
 *
 * Besides SCENARIO.pcap and SCENARIO.drop, every scenario writes
 * SCENARIO.expect, the per-connection and per-direction values fixed by
 * its construction (for the clean capture, before any --drop-list):
 *   conn SADDR|SPORT|DADDR|DPORT FLOWS   connections (TCP flows) the
 *        4-tuple carries, SADDR:SPORT the initiator
 *   dir SADDR|SPORT|DADDR|DPORT LOSS OOO packets SADDR:SPORT sent that
 *        are retransmissions (network loss) and out of order
 *
 * Unless a scenario says otherwise, segments are at most 1000 bytes and
 * timestamps advance 1 ms per packet (exponentially backed-off seconds
 * for probes), so nothing depends on the sensor's reorder or skew
 * windows.  IPv4 ids are 0 unless a scenario sets them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"

struct conv {
	struct pb_spec sp[2];   /* 0 client->server, 1 server->client */
	uint32_t nxt[2];        /* next sequence number of each side */
	uint32_t rcv[2];        /* what each side has received up to */
	uint16_t win[2];
	int idmode;             /* IPv4 ids: 0 zero, 1 increasing, 2 random */
	uint16_t id[2];
};

static struct pw *pw;
static FILE *dropf, *expf;
static uint64_t step_ns = 1000000;     /* time between packets */
static uint64_t rnd_state = 12345;
static uint64_t now_ns = 1700000000ULL * 1000000000ULL;
static unsigned long frame;
static uint64_t expect_gap;
static uint8_t buf[PB_MAXFRAME];

static void
die(const char *m)
{
	fprintf(stderr, "gapsynth: %s\n", m);
	exit(2);
}

static void
tick(uint64_t ns)
{
	now_ns += ns;
}

/* Emit one packet from side d; drop: not delivered to the tap. */
static void
emit(struct conv *c, int d, uint8_t flags, uint32_t seq, uint32_t ack,
    uint32_t len, int drop)
{
	struct pb_spec *s = &c->sp[d];
	uint32_t wire;
	size_t n;

	s->flags = flags;
	s->seq = seq;
	s->ack = (flags & PB_ACK) ? ack : 0;
	s->paylen = len;
	s->win = c->win[d];
	s->mss = (flags & PB_SYN) ? 1460 : 0;
	if (c->idmode == 1)
		s->ipid = c->id[d]++;
	else if (c->idmode == 2)
		s->ipid = (uint16_t)(pb_rand(&rnd_state) >> 48);
	n = pb_build(s, buf, sizeof(buf), &wire);
	if (n == 0)
		die("pb_build failed");
	frame++;
	if (pw_write(pw, now_ns, buf, (uint32_t)n, wire) < 0)
		die("write failed");
	if (drop)
		fprintf(dropf, "%lu\n", frame);
	tick(step_ns);
}

static void
conv_init(struct conv *c, const char *ca, uint16_t cp, const char *sa,
    uint16_t spt, uint32_t cisn, uint32_t sisn)
{
	memset(c, 0, sizeof(*c));
	pb_spec_tcp(&c->sp[0], ca, cp, sa, spt);
	pb_spec_tcp(&c->sp[1], ca, cp, sa, spt);
	pb_spec_swap(&c->sp[1]);
	c->nxt[0] = cisn;
	c->nxt[1] = sisn;
	c->win[0] = c->win[1] = 65535;
}

static void
handshake(struct conv *c)
{
	emit(c, 0, PB_SYN, c->nxt[0], 0, 0, 0);
	c->nxt[0]++;
	emit(c, 1, PB_SYN | PB_ACK, c->nxt[1], c->nxt[0], 0, 0);
	c->nxt[1]++;
	emit(c, 0, PB_ACK, c->nxt[0], c->nxt[1], 0, 0);
	c->rcv[0] = c->nxt[1];
	c->rcv[1] = c->nxt[0];
}

/* A data segment of side d at its next sequence number. */
static void
seg(struct conv *c, int d, uint32_t len, uint8_t extra, int drop)
{
	emit(c, d, PB_ACK | PB_PSH | extra, c->nxt[d], c->rcv[d], len, drop);
	c->nxt[d] += len + ((extra & PB_FIN) ? 1 : 0);
	if (drop)
		expect_gap += len;      /* scenarios ACK every dropped byte
					 * unless they undo this */
}

/* Side d acknowledges everything the peer sent. */
static void
ack_all(struct conv *c, int d)
{
	c->rcv[d] = c->nxt[!d];
	emit(c, d, PB_ACK, c->nxt[d], c->rcv[d], 0, 0);
}

static void
fin(struct conv *c, int d, int drop)
{
	emit(c, d, PB_FIN | PB_ACK, c->nxt[d], c->rcv[d], 0, drop);
	c->nxt[d]++;
}

static void
close_both(struct conv *c)
{
	fin(c, 0, 0);
	c->rcv[1] = c->nxt[0];
	fin(c, 1, 0);
	ack_all(c, 0);
}

/* Side d sends n segments of len bytes, the peer ACKing every two;
 * segments whose index is in drop[] (terminated by -1) are dropped. */
static void
bulk(struct conv *c, int d, int n, uint32_t len, const int *drop)
{
	for (int i = 0; i < n; i++) {
		int dr = 0;
		for (const int *p = drop; p && *p >= 0; p++)
			if (*p == i)
				dr = 1;
		seg(c, d, len, 0, dr);
		if (i % 2 == 1 || i == n - 1)
			ack_all(c, !d);
	}
}

/* ---------------------------------------------------------------- */

static void
scen_wrap(void)
{
	struct conv c;
	/* client ISN 60000 below 2^32, server ISN 30000 below */
	static const int cd4[] = { 20, 55, 59, 60, 70, 100, -1 };
	static const int sd4[] = { 10, 29, 50, 90, -1 };
	static const int cd6[] = { 5, 58, 61, 120, -1 };
	static const int sd6[] = { 28, 30, 31, 77, -1 };

	conv_init(&c, "10.9.0.1", 40001, "10.9.0.2", 443,
	    0xFFFFFFFFu - 60000u, 0xFFFFFFFFu - 30000u);
	handshake(&c);
	bulk(&c, 0, 150, 1000, cd4);
	bulk(&c, 1, 120, 1000, sd4);
	close_both(&c);

	conv_init(&c, "fd09::1", 40002, "fd09::2", 443,
	    0xFFFFFFFFu - 99000u, 0xFFFFFFFFu - 1000u);
	handshake(&c);
	/* interleaved both ways */
	for (int r = 0; r < 3; r++) {
		const int *cd = r == 1 ? cd6 : NULL, *sd = r == 2 ? sd6 : NULL;
		bulk(&c, 0, 130, 1000, cd);
		bulk(&c, 1, 100, 1000, sd);
	}
	close_both(&c);

	/* mid-flow start near the wrap: no handshake in the capture */
	conv_init(&c, "10.9.0.3", 40003, "10.9.0.2", 443,
	    0xFFFFFFFFu - 5000u, 0xFFFFFFFFu - 20000u);
	c.rcv[0] = c.nxt[1];
	c.rcv[1] = c.nxt[0];
	{
		static const int d[] = { 3, 9, -1 };
		bulk(&c, 0, 12, 1000, d);
		bulk(&c, 1, 40, 1000, d);
	}
	close_both(&c);
}

static void
scen_zerowin(void)
{
	struct conv c;
	uint64_t back;

	/* 1: 0-byte probes at snd_una-1 while the window is 0 */
	conv_init(&c, "10.9.1.1", 41001, "10.9.1.2", 80, 1000, 5000);
	handshake(&c);
	bulk(&c, 0, 10, 1000, NULL);
	c.win[1] = 0;
	ack_all(&c, 1);
	back = 200000000;
	for (int i = 0; i < 5; i++) {
		tick(back);
		back *= 2;
		emit(&c, 0, PB_ACK, c.nxt[0] - 1, c.rcv[0], 0, 0);
		emit(&c, 1, PB_ACK, c.nxt[1], c.rcv[1], 0, 0);
	}
	c.win[1] = 65535;
	ack_all(&c, 1);         /* window update */
	bulk(&c, 0, 10, 1000, NULL);
	bulk(&c, 1, 5, 1000, NULL);
	close_both(&c);

	/* 2: 1 byte of new data as the probe, repeated, then the segment
	 * that starts with it once the window opens */
	conv_init(&c, "10.9.1.1", 41002, "10.9.1.2", 80, 77777, 88888);
	handshake(&c);
	bulk(&c, 1, 8, 1000, NULL);
	c.win[0] = 0;
	ack_all(&c, 0);
	back = 200000000;
	for (int i = 0; i < 4; i++) {
		tick(back);
		back *= 2;
		emit(&c, 1, PB_ACK | PB_PSH, c.nxt[1], c.rcv[1], 1, 0);
		emit(&c, 0, PB_ACK, c.nxt[0], c.rcv[0], 0, 0);
	}
	c.win[0] = 65535;
	ack_all(&c, 0);
	bulk(&c, 1, 6, 1000, NULL);
	close_both(&c);

	/* 3: keep-alives on an idle connection, both styles, both sides */
	conv_init(&c, "fd09:1::1", 41003, "fd09:1::2", 22, 0x7ffff000u,
	    0x12345678u);
	handshake(&c);
	bulk(&c, 0, 3, 500, NULL);
	bulk(&c, 1, 4, 700, NULL);
	for (int i = 0; i < 3; i++) {
		tick(75000000000ULL / 10);
		emit(&c, 0, PB_ACK, c.nxt[0] - 1, c.rcv[0], 0, 0);
		emit(&c, 1, PB_ACK, c.nxt[1], c.rcv[1], 0, 0);
		tick(1000000000);
		emit(&c, 1, PB_ACK, c.nxt[1] - 1, c.rcv[1], 1, 0);
		emit(&c, 0, PB_ACK, c.nxt[0], c.rcv[0], 0, 0);
	}
	bulk(&c, 0, 2, 500, NULL);
	bulk(&c, 1, 2, 700, NULL);
	close_both(&c);
}

static void
scen_finrst(void)
{
	struct conv c;

	/* a: the segment just before a bare FIN dropped; the FIN-ACK is
	 * the only ACK covering it */
	conv_init(&c, "10.9.2.1", 42001, "10.9.2.2", 8080, 111, 222);
	handshake(&c);
	seg(&c, 0, 300, 0, 0);
	ack_all(&c, 1);
	seg(&c, 1, 1000, 0, 0);
	seg(&c, 1, 1000, 0, 0);
	seg(&c, 1, 777, 0, 1);          /* dropped: gap 777 */
	fin(&c, 1, 0);
	c.rcv[0] = c.nxt[1];
	fin(&c, 0, 0);                  /* FIN-ACK acks data + FIN */
	ack_all(&c, 1);

	/* a2: FIN on the last data segment; an earlier segment dropped */
	conv_init(&c, "10.9.2.1", 42002, "10.9.2.2", 8080, 3333, 4444);
	handshake(&c);
	seg(&c, 0, 100, 0, 0);
	ack_all(&c, 1);
	seg(&c, 1, 1000, 0, 0);
	seg(&c, 1, 555, 0, 1);          /* dropped: gap 555 */
	seg(&c, 1, 400, PB_FIN, 0);
	c.rcv[0] = c.nxt[1];
	fin(&c, 0, 0);
	ack_all(&c, 1);

	/* b: reset with unacknowledged data in flight, some of it dropped */
	conv_init(&c, "10.9.2.1", 42003, "10.9.2.2", 8080, 5555, 6666);
	handshake(&c);
	seg(&c, 0, 200, 0, 0);
	ack_all(&c, 1);
	bulk(&c, 1, 4, 1000, NULL);
	seg(&c, 1, 1000, 0, 0);
	seg(&c, 1, 1000, 0, 1);         /* in flight, never acked */
	seg(&c, 1, 1000, 0, 1);
	expect_gap -= 2000;
	seg(&c, 1, 1000, 0, 0);
	emit(&c, 0, PB_RST, c.nxt[0], 0, 0, 0);

	/* b2: the RST|ACK's ack covers dropped data: RST acks prove
	 * nothing, not a gap */
	conv_init(&c, "10.9.2.1", 42004, "10.9.2.2", 8080, 7777, 8888);
	handshake(&c);
	seg(&c, 0, 200, 0, 0);
	ack_all(&c, 1);
	seg(&c, 1, 1000, 0, 0);
	seg(&c, 1, 1000, 0, 1);
	expect_gap -= 1000;
	seg(&c, 1, 1000, 0, 0);
	emit(&c, 0, PB_RST | PB_ACK, c.nxt[0], c.nxt[1], 0, 0);

	/* c: a bare FIN dropped, acknowledged by the peer: not payload */
	conv_init(&c, "fd09:2::1", 42005, "fd09:2::2", 8080, 9999, 10101);
	handshake(&c);
	bulk(&c, 0, 3, 1000, NULL);
	bulk(&c, 1, 3, 1000, NULL);
	fin(&c, 0, 1);
	c.rcv[1] = c.nxt[0];
	fin(&c, 1, 0);                  /* acks the unseen FIN */
	ack_all(&c, 0);

	/* c2: a FIN carrying data dropped: the data is a gap, the FIN not */
	conv_init(&c, "fd09:2::1", 42006, "fd09:2::2", 8080, 0xFFFFFF00u,
	    12121);
	handshake(&c);
	bulk(&c, 0, 3, 1000, NULL);
	seg(&c, 0, 321, PB_FIN, 1);     /* gap 321 */
	c.rcv[1] = c.nxt[0];
	bulk(&c, 1, 2, 1000, NULL);
	fin(&c, 1, 0);
	ack_all(&c, 0);

	/* c3: the responder's last data + FIN dropped, then its FIN
	 * retransmitted alone; client ACKs cover everything */
	conv_init(&c, "10.9.2.5", 42007, "10.9.2.6", 8080, 1, 2);
	handshake(&c);
	seg(&c, 0, 50, 0, 0);
	ack_all(&c, 1);
	seg(&c, 1, 1000, 0, 0);
	seg(&c, 1, 600, PB_FIN, 1);     /* gap 600 */
	c.rcv[0] = c.nxt[1];
	emit(&c, 0, PB_ACK, c.nxt[0], c.rcv[0], 0, 0);
	fin(&c, 0, 0);
	ack_all(&c, 1);
}

/* ------------------------------------------------ expected values */

static void
expect_conn(const struct conv *c, int flows)
{
	const struct pb_spec *s = &c->sp[0];
	fprintf(expf, "conn %s|%u|%s|%u %d\n", s->src, s->sport, s->dst,
	    s->dport, flows);
}

static void
expect_dir(const struct conv *c, int d, int loss, int ooo)
{
	const struct pb_spec *s = &c->sp[d];
	fprintf(expf, "dir %s|%u|%s|%u %d %d\n", s->src, s->sport, s->dst,
	    s->dport, loss, ooo);
}

/* ------------------------------------------------------- elephant */

#define ELE_SEG 1448u
#define ELE_LAG 800u            /* segments sent per round trip */
#define ELE_MAXSEG 4096u

/* One direction of a bulk transfer: side d sends total bytes. */
struct xfer {
	int d;
	uint32_t total, nseg, next;     /* segments, next to send */
	uint32_t base;                  /* sequence number of byte 0 */
	uint8_t got[ELE_MAXSEG];        /* the receiver has segment i */
	uint32_t contig;                /* receiver has 0..contig-1 */
	int every;                      /* lose every N-th segment, 0 none */
	uint32_t lost;                  /* a segment awaiting resend, or -1 */
	int retrans;
};

static uint32_t
xf_off(const struct xfer *x, uint32_t i)
{
	uint64_t o = (uint64_t)i * ELE_SEG;
	return o > x->total ? x->total : (uint32_t)o;
}

static void
xf_init(struct xfer *x, struct conv *c, int d, uint32_t total, int every)
{
	memset(x, 0, sizeof(*x));
	x->d = d;
	x->total = total;
	x->nseg = (total + ELE_SEG - 1) / ELE_SEG;
	if (x->nseg > ELE_MAXSEG)
		die("elephant transfer too large");
	x->base = c->nxt[d];
	x->every = every;
	x->lost = UINT32_MAX;
}

static void
xf_send(struct conv *c, struct xfer *x, uint32_t i)
{
	uint32_t lo = xf_off(x, i), hi = xf_off(x, i + 1);
	emit(c, x->d, PB_ACK, x->base + lo, c->rcv[x->d], hi - lo, 0);
}

/* The receiver ACKs what it held ELE_LAG segments ago (all at the end). */
static void
xf_ack(struct conv *c, struct xfer *x, int final)
{
	uint32_t upto;
	while (x->contig < x->nseg && x->got[x->contig])
		x->contig++;
	upto = final ? x->nseg : (x->next > ELE_LAG ? x->next - ELE_LAG : 0);
	if (upto > x->contig)
		upto = x->contig;
	c->rcv[!x->d] = x->base + xf_off(x, upto);
	emit(c, !x->d, PB_ACK, c->nxt[!x->d], c->rcv[!x->d], 0, 0);
}

/* One step: the next segment, a resend when the dupACKs reached a lost
 * one, an ACK every two segments.  Returns 0 when everything was sent. */
static int
xf_step(struct conv *c, struct xfer *x)
{
	if (x->next >= x->nseg && x->lost == UINT32_MAX)
		return 0;
	if (x->lost != UINT32_MAX &&
	    (x->next >= x->nseg || x->next >= x->lost + ELE_LAG + 6)) {
		if (x->next >= x->nseg) {
			/* the tail: three dupACKs, then a round trip */
			for (int k = 0; k < 3; k++)
				xf_ack(c, x, 1);
			tick(1000000);
		}
		xf_send(c, x, x->lost);
		x->got[x->lost] = 1;
		x->lost = UINT32_MAX;
		x->retrans++;
		return 1;
	}
	if (x->next < x->nseg) {
		uint32_t i = x->next++;
		xf_send(c, x, i);
		if (x->every && i % (uint32_t)x->every == (uint32_t)x->every - 1 &&
		    x->lost == UINT32_MAX)
			x->lost = i;    /* lost after the tap */
		else
			x->got[i] = 1;
		if (i % 2 == 1)
			xf_ack(c, x, 0);
	}
	return 1;
}

static void
xf_finish(struct conv *c, struct xfer *x)
{
	xf_ack(c, x, 1);
	c->nxt[x->d] = x->base + x->total;
}

static void
scen_elephant(void)
{
	static struct conv c;
	static struct xfer a, b;

	step_ns = 1200;
	conv_init(&c, "10.9.3.1", 43001, "10.9.3.2", 5001, 100000, 900000);
	handshake(&c);
	xf_init(&a, &c, 0, 3u << 20, 500);
	while (xf_step(&c, &a))
		;
	xf_finish(&c, &a);
	xf_init(&b, &c, 1, 3u << 20, 500);
	while (xf_step(&c, &b))
		;
	xf_finish(&c, &b);
	close_both(&c);
	expect_conn(&c, 1);
	expect_dir(&c, 0, a.retrans, 0);
	expect_dir(&c, 1, b.retrans, 0);

	conv_init(&c, "fd09:3::1", 43002, "fd09:3::2", 5001, 0xfff00000u,
	    7);
	handshake(&c);
	xf_init(&a, &c, 0, 4u << 20, 0);
	xf_init(&b, &c, 1, 4u << 20, 0);
	for (;;) {
		int ra = xf_step(&c, &a), rb = xf_step(&c, &b);
		if (!ra && !rb)
			break;
	}
	xf_finish(&c, &a);
	xf_finish(&c, &b);
	close_both(&c);
	expect_conn(&c, 1);
	expect_dir(&c, 0, 0, 0);
	expect_dir(&c, 1, 0, 0);
	step_ns = 1000000;
}

/* ------------------------------------------------------ challenge */

static void
challenge_one(const char *ca, const char *sa, uint16_t cp, uint32_t cisn,
    int64_t off)
{
	struct conv c;
	uint32_t ack = (uint32_t)((int64_t)cisn + 1 + off);
	static const int cd[] = { 3, 7, -1 };
	static const int sd[] = { 2, 11, 12, -1 };

	conv_init(&c, ca, cp, sa, 443, cisn, 0x5a5a0000u);
	emit(&c, 0, PB_SYN, cisn, 0, 0, 0);
	/* challenge ACK: the responder's stale state, not an answer */
	emit(&c, 1, PB_ACK, 0x13572468u, ack, 0, 0);
	/* RFC 5961 3.2: the initiator resets with seq = the ACK's ack */
	emit(&c, 0, PB_RST, ack, 0, 0, 0);
	tick(1000000000);               /* the SYN retried a second later */
	conv_init(&c, ca, cp, sa, 443, cisn + 64000u, 0x2468ace0u);
	handshake(&c);
	bulk(&c, 0, 10, 1000, cd);
	bulk(&c, 1, 20, 1000, sd);
	close_both(&c);
	expect_conn(&c, 2);
}

static void
scen_challenge(void)
{
	challenge_one("10.9.4.1", "10.9.4.2", 44001, 3000000, 123456789);
	challenge_one("fd09:4::1", "fd09:4::2", 44002, 2000000000u,
	    -1000000);
}

/* --------------------------------------------------------- randid */

/* Side 0 sends 12 segments, the peer ACKing every two.  kind 'o': the
 * 5th segment arrives 0.5 ms after the 6th; kind 'r': the 5th is lost
 * after the tap, the peer's ACKs stop at it (dupACKs), and it is resent
 * 200 ms later. */
static void
randid_one(const char *ca, const char *sa, uint16_t cp, int idmode, int kind)
{
	struct conv c;
	uint32_t s5;

	conv_init(&c, ca, cp, sa, 8443, 0x10000000u + cp, 0x20000000u + cp);
	c.idmode = idmode;
	c.id[0] = 0x1234;
	c.id[1] = 0x4321;
	handshake(&c);
	bulk(&c, 0, 4, 1000, NULL);
	s5 = c.nxt[0];
	if (kind == 'o') {
		/* sent in order (increasing ids: the 5th has the lower id),
		 * delivered swapped */
		uint16_t id5 = c.id[0];
		step_ns = 500000;
		c.id[0] = (uint16_t)(id5 + 1);
		emit(&c, 0, PB_ACK | PB_PSH, s5 + 1000, c.rcv[0], 1000, 0);
		c.id[0] = id5;
		emit(&c, 0, PB_ACK | PB_PSH, s5, c.rcv[0], 1000, 0);
		c.id[0] = (uint16_t)(id5 + 2);
		step_ns = 1000000;
		c.nxt[0] = s5 + 2000;
		ack_all(&c, 1);
	} else {
		seg(&c, 0, 1000, 0, 0);         /* lost after the tap */
		seg(&c, 0, 1000, 0, 0);
		emit(&c, 1, PB_ACK, c.nxt[1], s5, 0, 0);
		seg(&c, 0, 1000, 0, 0);
		emit(&c, 1, PB_ACK, c.nxt[1], s5, 0, 0);
		tick(200000000);                /* RTO */
		emit(&c, 0, PB_ACK | PB_PSH, s5, c.rcv[0], 1000, 0);
		ack_all(&c, 1);
	}
	bulk(&c, 0, 6, 1000, NULL);
	bulk(&c, 1, 2, 1000, NULL);
	close_both(&c);
	expect_conn(&c, 1);
	expect_dir(&c, 0, kind == 'r', kind == 'o');
	expect_dir(&c, 1, 0, 0);
}

static void
scen_randid(void)
{
	randid_one("10.9.5.1", "10.9.5.2", 45001, 2, 'o');
	randid_one("10.9.5.1", "10.9.5.2", 45002, 2, 'r');
	randid_one("10.9.5.3", "10.9.5.2", 45003, 1, 'o');
	randid_one("10.9.5.3", "10.9.5.2", 45004, 1, 'r');
	randid_one("fd09:5::1", "fd09:5::2", 45005, 0, 'o');
	randid_one("fd09:5::1", "fd09:5::2", 45006, 0, 'r');
}

/* ----------------------------------------------------------- idle */

static void
idle_one(const char *ca, const char *sa, uint16_t cp, uint64_t idle_s)
{
	struct conv c;
	static const int mid[] = { 1, -1 };

	conv_init(&c, ca, cp, sa, 80, 0x01020304u + cp, 0x0a0b0c0du);
	handshake(&c);
	seg(&c, 0, 300, 0, 0);          /* request */
	ack_all(&c, 1);
	bulk(&c, 1, 4, 1000, NULL);     /* response */
	tick(idle_s * 1000000000ULL);
	seg(&c, 0, 300, 0, 0);          /* the next request */
	ack_all(&c, 1);
	bulk(&c, 1, 3, 1000, mid);      /* its middle segment dropped */
	close_both(&c);
	expect_conn(&c, 1);
	expect_dir(&c, 0, 0, 0);
	expect_dir(&c, 1, 0, 0);
}

static void
scen_idle(void)
{
	idle_one("10.9.6.1", "10.9.6.2", 46001, 70);
	idle_one("fd09:6::1", "fd09:6::2", 46002, 240);
}

int
main(int argc, char **argv)
{
	static const char *names[] = { "wrap", "zerowin", "finrst",
	    "elephant", "challenge", "randid", "idle" };
	void (*fns[])(void) = { scen_wrap, scen_zerowin, scen_finrst,
	    scen_elephant, scen_challenge, scen_randid, scen_idle };
	const int nscen = (int)(sizeof(names) / sizeof(names[0]));
	int any = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: gapsynth wrap|zerowin|finrst|elephant|"
		    "challenge|randid|idle|all OUTDIR\n");
		return 2;
	}
	for (int i = 0; i < nscen; i++) {
		char path[4096];
		struct pb_spec s;
		if (strcmp(argv[1], "all") && strcmp(argv[1], names[i]))
			continue;
		any = 1;
		pb_spec_init(&s);
		snprintf(path, sizeof(path), "%s/%s.pcap", argv[2], names[i]);
		pw = pw_open(path, pb_linktype(&s), fns[i] == scen_elephant);
		if (pw == NULL)
			die("cannot open the output pcap");
		snprintf(path, sizeof(path), "%s/%s.drop", argv[2], names[i]);
		dropf = fopen(path, "w");
		if (dropf == NULL)
			die("cannot open the drop list");
		snprintf(path, sizeof(path), "%s/%s.expect", argv[2], names[i]);
		expf = fopen(path, "w");
		if (expf == NULL)
			die("cannot open the expected values");
		frame = 0;
		expect_gap = 0;
		fns[i]();
		if (pw_close(pw) < 0 || fclose(dropf) != 0 ||
		    fclose(expf) != 0)
			die("write error");
		printf("%s %" PRIu64 "\n", names[i], expect_gap);
	}
	if (!any) {
		fprintf(stderr, "gapsynth: unknown scenario %s\n", argv[1]);
		return 2;
	}
	return 0;
}
