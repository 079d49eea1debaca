/*
 * biggen - deterministic generator of a large, realistic Ethernet pcap for
 * the benchmark (tests/bench/run.sh).
 *
 *   biggen OUT.pcap [--packets N] [--flows F] [--duration S] [--seed X]
 *   biggen --version
 *
 * Writes N packets (default 2,000,000) spread over about S seconds of
 * trace time (default 60) from F flow "slots" (default 20,000): each slot
 * carries one flow at a time and starts a new one shortly after the last
 * one ends, so about F flows are active at any moment and the flow table
 * churns all through the trace.  The mix, by packets:
 *   ~88% TCP: full handshake, a request, data in bursts of 1448-byte
 *	segments one way (mostly server to client) with an ACK every two
 *	segments the other way, FIN close (a few RSTs, refused connections
 *	and unanswered SYNs); flow sizes heavy-tailed (most a few segments,
 *	1% up to 1000);
 *   ~10% UDP: DNS-like query/response pairs plus a few long RTP-like
 *	streams (one per 2,500 slots, at least 4);
 *   ~0.5% ICMP echo request/reply; 10% of flows are IPv6.
 * The same arguments always give the same bytes (fixed seed, no clock, no
 * allocation per packet).  A dry pass runs the scheduler first to measure
 * the trace length, so that the written timestamps span exactly S seconds
 * whatever N and F are.  A summary goes to stdout.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pktbuild.h"

/* Bump whenever the bytes written change: run.sh regenerates on a change. */
#define BIGGEN_VERSION	"biggen 2"

#define BASE_SEC	1767225600ull	/* 2026-01-01T00:00:00Z */
#define MSS		1448

enum ftype { FT_TCP, FT_DNS, FT_ICMP, FT_STREAM };

enum tstate {
	T_SYN, T_SYNACK, T_ACK3, T_REQ, T_DATA, T_DACK,
	T_FIN1, T_FIN2, T_FIN3, T_RST,
	T_SYNRTX, T_REFUSE,
	U_Q, U_R,
	I_REQ, I_REP,
	S_FWD, S_REV,
};

struct flow {
	double t;		/* virtual time of the next packet */
	uint8_t type, state, v6;
	uint8_t up;		/* TCP data flows client -> server */
	uint8_t closer;		/* TCP: 1 = client sends the first FIN */
	uint8_t rst_end;	/* TCP: ends with RST instead of FIN */
	uint8_t unanswered;	/* TCP: SYNs only; DNS: no response */
	uint8_t unacked;	/* TCP: data segments not yet ACKed */
	uint16_t cport, sport;
	uint16_t burst;		/* TCP: segments left in this burst */
	uint16_t small;		/* TCP request, stream payload size; DNS name */
	uint16_t big;		/* DNS answers */
	uint16_t icmp_id, icmp_seq;	/* ICMP; DNS id; stream counter */
	uint32_t cseq, sseq;	/* next sequence number of each side */
	uint32_t left;		/* TCP: data segments to send; ICMP: pairs;
				 * stream: packets until the next reverse */
	uint32_t last_len;	/* TCP: bytes in the last segment */
	uint32_t synrtx;	/* TCP: SYN retransmissions left */
	double d;		/* one-way delay (virtual seconds) */
	double pause;		/* TCP: mean pause per data segment between
				 * bursts; stream: mean packet gap */
	char cli[48], srv[48];
};

struct gen {
	uint64_t rng;
	struct flow *fl;
	uint32_t *heap;
	uint32_t nslots, nstreams;
	double G;		/* mean gap between a slot's packets */
	double scale;		/* virtual -> real seconds */
	struct pw *pw;
	uint8_t *buf;
	uint8_t dns[512];
	/* statistics */
	uint64_t npkt, nbytes, ntcp, nudp, nicmp, nv6;
	uint64_t ftcp, fdns, ficmp, fstream;
	double tend;
};

static uint8_t pat[2048];	/* pat[i] = pb_pattern(i) */

/* ------------------------------------------------------------------ */
/* random numbers                                                      */

static uint64_t
rnd64(struct gen *g)
{
	uint64_t z = (g->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t
rnd(struct gen *g, uint32_t n)
{
	return (uint32_t)(((rnd64(g) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static uint32_t
rnd_in(struct gen *g, uint32_t lo, uint32_t hi)
{
	return lo + rnd(g, hi - lo + 1);
}

/* Uniform in (0, 1]. */
static double
unit(struct gen *g)
{
	return ((double)(rnd64(g) >> 11) + 1.0) / 9007199254740992.0;
}

static double
rexp(struct gen *g, double mean)
{
	return -mean * log(unit(g));
}

/* ------------------------------------------------------------------ */
/* heap of slots by next packet time (ties by slot number)             */

static int
before(const struct gen *g, uint32_t a, uint32_t b)
{
	double ta = g->fl[a].t, tb = g->fl[b].t;

	return ta < tb || (ta == tb && a < b);
}

static void
sift_down(struct gen *g, uint32_t i)
{
	uint32_t n = g->nslots, *h = g->heap, x = h[i], c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(g, h[c + 1], h[c]))
			c++;
		if (!before(g, h[c], x))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

/* ------------------------------------------------------------------ */
/* flows                                                               */

static void
pick_addrs(struct gen *g, struct flow *f, int dns)
{
	uint32_t c = rnd(g, 16000), s;

	/* Servers: a skewed popularity, a few very busy ones. */
	s = (uint32_t)(1000.0 * unit(g) * unit(g));
	if (f->v6) {
		snprintf(f->cli, sizeof(f->cli), "2001:db8:c1::%x", c + 1);
		if (dns)
			snprintf(f->srv, sizeof(f->srv), "2001:db8:53::%x",
			    s % 4 + 1);
		else
			snprintf(f->srv, sizeof(f->srv), "2001:db8:5e::%x",
			    s + 1);
	} else {
		snprintf(f->cli, sizeof(f->cli), "10.20.%u.%u",
		    c / 250, c % 250 + 1);
		if (dns)
			snprintf(f->srv, sizeof(f->srv), "10.0.%u.53", s % 4);
		else
			snprintf(f->srv, sizeof(f->srv), "172.16.%u.%u",
			    s / 250, s % 250 + 1);
	}
	f->cport = (uint16_t)rnd_in(g, 32768, 60999);
}

static uint16_t
server_port(struct gen *g)
{
	uint32_t r = rnd(g, 100);

	if (r < 70)
		return 443;
	if (r < 90)
		return 80;
	if (r < 93)
		return 22;
	if (r < 96)
		return 8443;
	if (r < 98)
		return 993;
	return 25;
}

/* Data segments of a TCP flow: heavy tailed, mean about 16. */
static uint32_t
tcp_segments(struct gen *g)
{
	uint32_t r = rnd(g, 1000);

	if (r < 600)
		return rnd_in(g, 1, 3);
	if (r < 900)
		return rnd_in(g, 4, 20);
	if (r < 990)
		return rnd_in(g, 21, 100);
	return rnd_in(g, 101, 1000);
}

static void
start_flow(struct gen *g, struct flow *f, double t, int stream)
{
	uint32_t r = rnd(g, 1000);

	memset(f, 0, offsetof(struct flow, cli));
	f->t = t;
	f->v6 = rnd(g, 10) == 0;
	/* One-way delay 0.5 to 60 ms, log-uniform. */
	f->d = 0.0005 * exp(unit(g) * log(120.0));
	if (stream) {
		f->type = FT_STREAM;
		f->state = S_FWD;
		pick_addrs(g, f, 0);
		f->cport = (uint16_t)(16384 + 2 * rnd(g, 8000));
		f->sport = (uint16_t)(16384 + 2 * rnd(g, 8000));
		f->small = rnd(g, 2) ? 172 : 1200;
		f->left = 50;
		g->fstream++;
		return;
	}
	if (r < 416) {
		uint32_t segs = tcp_segments(g);

		f->type = FT_TCP;
		f->state = T_SYN;
		pick_addrs(g, f, 0);
		f->sport = server_port(g);
		f->cseq = (uint32_t)rnd64(g);
		f->sseq = (uint32_t)rnd64(g);
		f->up = rnd(g, 5) == 0;
		f->closer = rnd(g, 2);
		f->rst_end = rnd(g, 100) < 3;
		r = rnd(g, 100);
		if (r == 0)
			f->unanswered = 1;	/* SYN, SYN, SYN */
		else if (r == 1)
			f->unanswered = 2;	/* SYN, RST|ACK */
		f->synrtx = 2;
		f->left = segs;
		f->last_len = rnd_in(g, 1, MSS);
		f->small = (uint16_t)rnd_in(g, 80, 700);
		/* Big flows go faster: the slot rate stays near 1/G for
		 * small ones, a 1000-segment flow lasts ~30 G. */
		f->pause = g->G * (segs > 20 ? 20.0 / segs : 1.0);
		g->ftcp++;
	} else if (r < 994) {
		f->type = FT_DNS;
		f->state = U_Q;
		pick_addrs(g, f, 1);
		f->sport = 53;
		f->icmp_id = (uint16_t)rnd64(g);	/* DNS id */
		f->small = (uint16_t)rnd(g, 60000);	/* the name */
		f->big = (uint16_t)rnd_in(g, 1, 8);	/* answers */
		f->unanswered = rnd(g, 100) < 3;
		g->fdns++;
	} else {
		f->type = FT_ICMP;
		f->state = I_REQ;
		pick_addrs(g, f, 0);
		f->icmp_id = (uint16_t)rnd64(g);
		f->left = rnd_in(g, 1, 10);
		g->ficmp++;
	}
}

/* Tiny gap between back-to-back packets: 20 to 200 microseconds. */
static double
tiny(struct gen *g)
{
	return 0.00002 + 0.00018 * unit(g);
}

/* ------------------------------------------------------------------ */
/* one packet                                                          */

static void
put(struct gen *g, struct pb_spec *s, struct flow *f, int dry)
{
	size_t cap;
	uint32_t wire;

	if (f->t < g->tend) {		/* cannot happen: times only grow */
		fprintf(stderr, "biggen: time went backwards\n");
		abort();
	}
	g->npkt++;
	if (s->proto == PB_TCP)
		g->ntcp++;
	else if (s->proto == PB_UDP)
		g->nudp++;
	else
		g->nicmp++;
	g->nv6 += f->v6;
	g->tend = f->t;
	if (dry)
		return;
	cap = pb_build(s, g->buf, PB_MAXFRAME, &wire);
	if (cap == 0) {
		fprintf(stderr, "biggen: pb_build failed (%s -> %s)\n",
		    s->src, s->dst);
		exit(1);
	}
	g->nbytes += wire;
	if (pw_write(g->pw, BASE_SEC * 1000000000ull +
	    (uint64_t)llround(f->t * g->scale * 1e9), g->buf,
	    (uint32_t)cap, wire) != 0) {
		perror("biggen: write");
		exit(1);
	}
}

static void
tcp_spec(struct pb_spec *s, struct flow *f, int from_client, uint8_t flags,
    uint32_t paylen)
{
	if (from_client)
		pb_spec_tcp(s, f->cli, f->cport, f->srv, f->sport);
	else
		pb_spec_tcp(s, f->srv, f->sport, f->cli, f->cport);
	s->flags = flags;
	s->seq = from_client ? f->cseq : f->sseq;
	s->ack = (flags & PB_ACK) ? (from_client ? f->sseq : f->cseq) : 0;
	s->win = 502;
	s->df = 1;
	s->ttl = from_client ? 64 : 57;
	s->paylen = paylen;
	if (paylen)
		s->payload = pat + s->seq % 26;
	if (from_client)
		f->cseq += paylen + ((flags & (PB_SYN | PB_FIN)) ? 1 : 0);
	else
		f->sseq += paylen + ((flags & (PB_SYN | PB_FIN)) ? 1 : 0);
}

/* Emit flow f's next packet and advance it.  Returns 0 when the flow
 * has ended (f->t is then when it ended). */
static int
step_tcp(struct gen *g, struct flow *f, int dry)
{
	struct pb_spec s;
	int snd_c = f->up;	/* the data sender is the client */
	uint32_t len;

	switch (f->state) {
	case T_SYN:
	case T_SYNRTX:
		if (f->state == T_SYNRTX)
			f->cseq--;	/* the same ISN again */
		tcp_spec(&s, f, 1, PB_SYN, 0);
		s.mss = 1460;
		s.wscale = 7;
		s.sackok = 1;
		s.win = 64240;
		put(g, &s, f, dry);
		if (f->unanswered == 1) {
			if (f->synrtx == 0)
				return 0;
			f->t += f->synrtx == 2 ? 1.0 : 2.0;
			f->synrtx--;
			f->state = T_SYNRTX;
			return 1;
		}
		f->state = f->unanswered == 2 ? T_REFUSE : T_SYNACK;
		f->t += f->d;
		return 1;
	case T_REFUSE:
		tcp_spec(&s, f, 0, PB_RST | PB_ACK, 0);
		s.win = 0;
		put(g, &s, f, dry);
		return 0;
	case T_SYNACK:
		tcp_spec(&s, f, 0, PB_SYN | PB_ACK, 0);
		s.mss = 1460;
		s.wscale = 7;
		s.sackok = 1;
		s.win = 65160;
		put(g, &s, f, dry);
		f->state = T_ACK3;
		f->t += f->d;
		return 1;
	case T_ACK3:
		tcp_spec(&s, f, 1, PB_ACK, 0);
		put(g, &s, f, dry);
		f->state = f->up ? T_DATA : T_REQ;
		f->burst = (uint16_t)rnd_in(g, 2, 10);
		f->t += tiny(g);
		return 1;
	case T_REQ:
		tcp_spec(&s, f, 1, PB_ACK | PB_PSH, f->small);
		put(g, &s, f, dry);
		f->state = T_DATA;
		/* request travels, server thinks */
		f->t += 2 * f->d + rexp(g, 0.005);
		return 1;
	case T_DATA:
		len = f->left == 1 ? f->last_len : MSS;
		f->left--;
		f->burst--;
		f->unacked++;
		tcp_spec(&s, f, snd_c,
		    PB_ACK | (f->burst == 0 || f->left == 0 ? PB_PSH : 0), len);
		put(g, &s, f, dry);
		if (f->unacked == 2 || f->burst == 0 || f->left == 0)
			f->state = T_DACK;
		f->t += tiny(g);
		return 1;
	case T_DACK:
		tcp_spec(&s, f, !snd_c, PB_ACK, 0);
		put(g, &s, f, dry);
		f->unacked = 0;
		if (f->left == 0) {
			f->state = f->rst_end ? T_RST : T_FIN1;
			f->t += f->rst_end ? rexp(g, f->pause) : tiny(g) +
			    rexp(g, 0.002);
		} else if (f->burst == 0) {
			f->burst = (uint16_t)rnd_in(g, 2, 16);
			f->state = T_DATA;
			f->t += rexp(g, 1.5 * f->pause * f->burst);
		} else {
			f->state = T_DATA;
			f->t += tiny(g);
		}
		return 1;
	case T_FIN1:
		tcp_spec(&s, f, f->closer, PB_FIN | PB_ACK, 0);
		put(g, &s, f, dry);
		f->state = T_FIN2;
		f->t += f->d;
		return 1;
	case T_FIN2:
		tcp_spec(&s, f, !f->closer, PB_FIN | PB_ACK, 0);
		put(g, &s, f, dry);
		f->state = T_FIN3;
		f->t += f->d;
		return 1;
	case T_FIN3:
		tcp_spec(&s, f, f->closer, PB_ACK, 0);
		put(g, &s, f, dry);
		return 0;
	case T_RST:
		tcp_spec(&s, f, f->closer, PB_RST | PB_ACK, 0);
		put(g, &s, f, dry);
		return 0;
	}
	return 0;
}

/* A DNS query for an A (AAAA over IPv6) record of a name made from the
 * flow, or its response with f->big answers. */
static uint32_t
dns_message(uint8_t *b, const struct flow *f, int response)
{
	uint32_t n = 12, qend, i, alen = f->v6 ? 16 : 4;
	int len;

	b[0] = (uint8_t)(f->icmp_id >> 8);
	b[1] = (uint8_t)f->icmp_id;
	b[2] = response ? 0x81 : 0x01;		/* RD (+ QR, RA) */
	b[3] = response ? 0x80 : 0x00;
	b[4] = 0;
	b[5] = 1;				/* one question */
	b[6] = 0;
	b[7] = (uint8_t)(response ? f->big : 0);
	memset(b + 8, 0, 4);
	len = snprintf((char *)b + n + 1, 32, "h%u", f->small);
	b[n] = (uint8_t)len;
	n += 1 + (uint32_t)len;
	memcpy(b + n, "\7example\3com\0", 13);
	n += 13;
	b[n++] = 0;
	b[n++] = f->v6 ? 28 : 1;		/* A or AAAA */
	b[n++] = 0;
	b[n++] = 1;				/* IN */
	qend = n;
	if (!response)
		return n;
	for (i = 0; i < f->big; i++) {
		b[n++] = 0xc0;			/* the name at offset 12 */
		b[n++] = 12;
		memcpy(b + n, b + qend - 4, 4);	/* type, class */
		n += 4;
		b[n++] = 0;			/* TTL 300 */
		b[n++] = 0;
		b[n++] = 1;
		b[n++] = 44;
		b[n++] = 0;
		b[n++] = (uint8_t)alen;
		memset(b + n, 0, alen);
		b[n] = f->v6 ? 0x20 : 192;
		b[n + alen - 1] = (uint8_t)(i + 1);
		b[n + alen - 2] = (uint8_t)f->small;
		n += alen;
	}
	return n;
}

static int
step(struct gen *g, struct flow *f, int dry)
{
	struct pb_spec s;

	switch (f->type) {
	case FT_TCP:
		return step_tcp(g, f, dry);
	case FT_DNS:
		if (f->state == U_Q) {
			pb_spec_udp(&s, f->cli, f->cport, f->srv, f->sport);
			s.paylen = dns_message(g->dns, f, 0);
			s.payload = g->dns;
			put(g, &s, f, dry);
			if (f->unanswered)
				return 0;
			f->state = U_R;
			f->t += 2 * f->d + rexp(g, 0.001);
			return 1;
		}
		pb_spec_udp(&s, f->srv, f->sport, f->cli, f->cport);
		s.paylen = dns_message(g->dns, f, 1);
		s.payload = g->dns;
		put(g, &s, f, dry);
		return 0;
	case FT_ICMP:
		if (f->state == I_REQ)
			pb_spec_icmp(&s, f->cli, f->srv, f->v6 ? 128 : 8, 0);
		else
			pb_spec_icmp(&s, f->srv, f->cli, f->v6 ? 129 : 0, 0);
		s.icmp_id = f->icmp_id;
		s.icmp_seq = f->icmp_seq;
		s.paylen = 56;
		s.payload = pat;
		put(g, &s, f, dry);
		if (f->state == I_REQ) {
			f->state = I_REP;
			f->t += 2 * f->d;
			return 1;
		}
		f->state = I_REQ;
		f->t += 1.0 - 2 * f->d;		/* one ping a second */
		f->icmp_seq++;
		return --f->left != 0;
	case FT_STREAM:
		if (f->state == S_FWD) {
			pb_spec_udp(&s, f->cli, f->cport, f->srv, f->sport);
			s.paylen = f->small;
			s.payload = pat + f->icmp_seq % 26;
			f->icmp_seq++;
			if (--f->left == 0)
				f->state = S_REV;
		} else {
			/* RTCP-like report the other way */
			pb_spec_udp(&s, f->srv, (uint16_t)(f->sport + 1),
			    f->cli, (uint16_t)(f->cport + 1));
			s.paylen = 80;
			s.payload = pat;
			f->state = S_FWD;
			f->left = 50;
		}
		put(g, &s, f, dry);
		f->t += f->pause * (0.9 + 0.2 * unit(g));
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

struct opts {
	uint64_t packets;
	uint32_t flows;
	double duration;
	uint64_t seed;
};

static void
run(struct gen *g, const struct opts *o, int dry)
{
	uint32_t i, n = o->flows;
	double stream_gap;

	memset(&g->npkt, 0, sizeof(*g) - offsetof(struct gen, npkt));
	g->rng = o->seed;
	g->nslots = n;
	g->nstreams = n / 2500 < 4 ? 4 : n / 2500;
	if (g->nstreams > n / 2)
		g->nstreams = n / 2;
	g->G = o->duration * n / (double)o->packets;
	/* Streams: about 2% of the packets in all. */
	stream_gap = g->nstreams * o->duration / (0.02 * (double)o->packets);
	for (i = 0; i < n; i++) {
		struct flow *f = &g->fl[i];
		int st = i < g->nstreams;

		start_flow(g, f, unit(g) * (st ? 1.0 : 8.0) * g->G, st);
		if (st)
			f->pause = stream_gap;
		g->heap[i] = i;
	}
	for (i = n / 2; i-- > 0;)
		sift_down(g, i);
	while (g->npkt < o->packets) {
		struct flow *f = &g->fl[g->heap[0]];

		if (!step(g, f, dry))
			start_flow(g, f, f->t + rexp(g, g->G), 0);
		sift_down(g, 0);
	}
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, 0);
	return end == s || *end != '\0' ? -1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: biggen OUT.pcap [--packets N] [--flows F] "
	    "[--duration SECONDS] [--seed X]\n       biggen --version\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct opts o = { 2000000, 20000, 60.0, 0x6761706670ull };
	struct gen g;
	const char *out = NULL;
	struct timespec t0, t1;
	struct pb_spec s;
	uint64_t v;
	double tv;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			puts(BIGGEN_VERSION);
			return 0;
		} else if (i + 1 < argc && strcmp(argv[i], "--packets") == 0) {
			if (parse_u64(argv[++i], &o.packets) || o.packets == 0)
				usage();
		} else if (i + 1 < argc && strcmp(argv[i], "--flows") == 0) {
			if (parse_u64(argv[++i], &v) || v < 8 || v > 10000000)
				usage();
			o.flows = (uint32_t)v;
		} else if (i + 1 < argc && strcmp(argv[i], "--duration") == 0) {
			o.duration = atof(argv[++i]);
			if (!(o.duration > 0 && o.duration < 1e6))
				usage();
		} else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0) {
			if (parse_u64(argv[++i], &o.seed))
				usage();
		} else if (argv[i][0] == '-' && argv[i][1] != '\0')
			usage();
		else if (out == NULL)
			out = argv[i];
		else
			usage();
	}
	if (out == NULL)
		usage();
	for (i = 0; i < (int)sizeof(pat); i++)
		pat[i] = pb_pattern((uint32_t)i);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&g, 0, sizeof(g));
	g.fl = calloc(o.flows, sizeof(*g.fl));
	g.heap = calloc(o.flows, sizeof(*g.heap));
	g.buf = malloc(PB_MAXFRAME);
	if (g.fl == NULL || g.heap == NULL || g.buf == NULL) {
		perror("biggen");
		return 1;
	}

	/* Dry pass: how long is the trace in virtual time? */
	g.scale = 1.0;
	run(&g, &o, 1);
	tv = g.tend > 0 ? g.tend : 1.0;
	g.scale = o.duration / tv;

	pb_spec_init(&s);
	if ((g.pw = pw_open(out, pb_linktype(&s), 0)) == NULL) {
		perror(out);
		return 1;
	}
	run(&g, &o, 0);
	if (pw_close(g.pw) != 0) {
		fprintf(stderr, "biggen: error writing %s\n", out);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("%s: %s: %" PRIu64 " packets, %" PRIu64 " bytes on the wire, "
	    "%.1f s of trace\n", BIGGEN_VERSION, out, g.npkt, g.nbytes,
	    g.tend * g.scale);
	printf("  packets: tcp %" PRIu64 " (%.1f%%), udp %" PRIu64
	    " (%.1f%%), icmp %" PRIu64 " (%.1f%%), ipv6 %" PRIu64 " (%.1f%%)\n",
	    g.ntcp, 100.0 * g.ntcp / g.npkt, g.nudp, 100.0 * g.nudp / g.npkt,
	    g.nicmp, 100.0 * g.nicmp / g.npkt, g.nv6,
	    100.0 * g.nv6 / g.npkt);
	printf("  flows started: tcp %" PRIu64 ", dns %" PRIu64 ", icmp %"
	    PRIu64 ", udp streams %" PRIu64 "; %u slots (concurrent flows)\n",
	    g.ftcp, g.fdns, g.ficmp, g.fstream, o.flows);
	printf("  generated in %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(g.fl);
	free(g.heap);
	free(g.buf);
	return 0;
}
