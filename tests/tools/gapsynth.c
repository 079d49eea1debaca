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
 *   all       every scenario.
 *
 * Segments are at most 1000 bytes; timestamps advance 1 ms per packet
 * (exponentially backed-off seconds for probes), so nothing depends on
 * the sensor's reorder or skew windows.
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
};

static struct pw *pw;
static FILE *dropf;
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
	n = pb_build(s, buf, sizeof(buf), &wire);
	if (n == 0)
		die("pb_build failed");
	frame++;
	if (pw_write(pw, now_ns, buf, (uint32_t)n, wire) < 0)
		die("write failed");
	if (drop)
		fprintf(dropf, "%lu\n", frame);
	tick(1000000);
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

int
main(int argc, char **argv)
{
	static const char *names[] = { "wrap", "zerowin", "finrst" };
	void (*fns[])(void) = { scen_wrap, scen_zerowin, scen_finrst };
	int any = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: gapsynth wrap|zerowin|finrst|all OUTDIR\n");
		return 2;
	}
	for (int i = 0; i < 3; i++) {
		char path[4096];
		struct pb_spec s;
		if (strcmp(argv[1], "all") && strcmp(argv[1], names[i]))
			continue;
		any = 1;
		pb_spec_init(&s);
		snprintf(path, sizeof(path), "%s/%s.pcap", argv[2], names[i]);
		pw = pw_open(path, pb_linktype(&s), 0);
		if (pw == NULL)
			die("cannot open the output pcap");
		snprintf(path, sizeof(path), "%s/%s.drop", argv[2], names[i]);
		dropf = fopen(path, "w");
		if (dropf == NULL)
			die("cannot open the drop list");
		frame = 0;
		expect_gap = 0;
		fns[i]();
		if (pw_close(pw) < 0 || fclose(dropf) != 0)
			die("write error");
		printf("%s %" PRIu64 "\n", names[i], expect_gap);
	}
	if (!any) {
		fprintf(stderr, "gapsynth: unknown scenario %s\n", argv[1]);
		return 2;
	}
	return 0;
}
