/*
 * synflood - a deterministic SYN-flood capture with one established
 * connection inside it, for the flow table's eviction and emergency-mode
 * test (tests/e2e/flood_eviction.sh), made with pktbuild.
 *
 *   synflood OUT.pcap [--syns N] [--rate R] [--start MS] [--exchanges K]
 *            [--request B] [--pause-before J --pause MS] [--lose J]
 *
 * The connection: client 10.0.0.1:40000, server 10.0.0.2:80; handshake
 * at 0, 1 and 2 ms; then K exchanges (default 40), exchange k (1..K) at
 * k * 300 ms: the client sends B bytes (default 100), the server answers
 * 1 ms later with 200 bytes that acknowledge them; then, 300 ms after
 * the last exchange, the client's FIN, the server's FIN 1 ms later and
 * the client's last ACK 1 ms after that.  So the client sends K + 4
 * packets (B * K payload bytes), the server K + 2 (200 K).
 * --pause MS delays exchange J (--pause-before) and everything after it
 * by MS: an idle keep-alive connection.  --lose J leaves the client's
 * request of exchange J out of the file (the capture lost it; the server
 * acknowledges it all the same): a capture gap of B bytes.
 *
 * The flood: N SYNs (default 1,000,000) to 10.0.0.2:80, R per second
 * (default 500,000), the first at START ms (default 1000), each from its
 * own source address: SYN i comes from 100.64.0.0/10 address
 * (i * 2654435761) mod 2^22 (odd multiplier: a permutation, so every
 * SYN starts a flow of its own) and a source port from a hash of i.  N is
 * at most 4,194,304.  Packets are written in time order; nothing else.
 * Prints one summary line on stdout.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"

#define BASE_NS         (1767225600ull * 1000000000ull) /* 2026-01-01 */
#define MS              1000000ull
#define MAX_SYNS        (1u << 22)

static struct pw *pw;
static uint8_t buf[PB_MAXFRAME];

static void
die(const char *m)
{
	fprintf(stderr, "synflood: %s\n", m);
	exit(2);
}

static void
put(const struct pb_spec *s, uint64_t t)
{
	uint32_t wire;
	size_t n = pb_build(s, buf, sizeof(buf), &wire);
	if (n == 0)
		die("pb_build failed");
	if (pw_write(pw, BASE_NS + t, buf, (uint32_t)n, wire) < 0)
		die("write failed");
}

/* The connection's packets, in time order: packet j at *t. */
struct conn {
	struct pb_spec sp[2];   /* 0 client, 1 server */
	uint32_t nxt[2];
	int k, K, step;
	uint32_t request;
	int pause_at, lose;
	uint64_t pause;
};

/* Time of exchange k. */
static uint64_t
xtime(const struct conn *c, int k)
{
	return (uint64_t)k * 300 * MS + (c->pause_at > 0 && k >= c->pause_at ?
	    c->pause : 0);
}

/* Time of the connection's next packet; UINT64_MAX when done. */
static uint64_t
conn_next_time(const struct conn *c)
{
	uint64_t fin = xtime(c, c->K + 1);
	switch (c->step) {
	case 0: case 1: case 2:
		return (uint64_t)c->step * MS;
	case 3:                 /* exchange k: client */
		return c->k <= c->K ? xtime(c, c->k) : fin;
	case 4:                 /* exchange k: server */
		return xtime(c, c->k) + MS;
	case 5: case 6:         /* server FIN, client last ACK */
		return fin + (uint64_t)(c->step - 4) * MS;
	default:
		return UINT64_MAX;
	}
}

static void
conn_emit(struct conn *c, int d, uint8_t flags, uint32_t len, uint64_t t,
    int lost)
{
	struct pb_spec *s = &c->sp[d];
	s->flags = flags;
	s->seq = c->nxt[d];
	s->ack = (flags & PB_ACK) ? c->nxt[!d] : 0;
	s->paylen = len;
	s->mss = (flags & PB_SYN) ? 1460 : 0;
	if (!lost)
		put(s, t);
	c->nxt[d] += len + ((flags & (PB_SYN | PB_FIN)) ? 1 : 0);
}

static void
conn_step(struct conn *c, uint64_t t)
{
	switch (c->step) {
	case 0:
		conn_emit(c, 0, PB_SYN, 0, t, 0);
		c->step = 1;
		break;
	case 1:
		conn_emit(c, 1, PB_SYN | PB_ACK, 0, t, 0);
		c->step = 2;
		break;
	case 2:
		conn_emit(c, 0, PB_ACK, 0, t, 0);
		c->step = 3;
		c->k = 1;
		break;
	case 3:
		if (c->k <= c->K) {
			conn_emit(c, 0, PB_ACK | PB_PSH, c->request, t,
			    c->k == c->lose);
			c->step = 4;
		} else {
			conn_emit(c, 0, PB_FIN | PB_ACK, 0, t, 0);
			c->step = 5;
		}
		break;
	case 4:
		conn_emit(c, 1, PB_ACK | PB_PSH, 200, t, 0);
		c->k++;
		c->step = 3;
		break;
	case 5:
		conn_emit(c, 1, PB_FIN | PB_ACK, 0, t, 0);
		c->step = 6;
		break;
	case 6:
		conn_emit(c, 0, PB_ACK, 0, t, 0);
		c->step = 7;
		break;
	}
}

static uint64_t
num(const char *s, const char *what)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		die(what);
	return v;
}

int
main(int argc, char **argv)
{
	uint64_t nsyn = 1000000, rate = 500000, start = 1000, i = 0;
	struct pb_spec syn;
	struct conn c;
	char src[32];

	if (argc < 2)
		die("usage: synflood OUT.pcap [--syns N] [--rate R] "
		    "[--start MS] [--exchanges K]");
	memset(&c, 0, sizeof(c));
	c.K = 40;
	c.request = 100;
	for (int a = 2; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--syns") == 0)
			nsyn = num(argv[a + 1], "bad --syns");
		else if (strcmp(argv[a], "--rate") == 0)
			rate = num(argv[a + 1], "bad --rate");
		else if (strcmp(argv[a], "--start") == 0)
			start = num(argv[a + 1], "bad --start");
		else if (strcmp(argv[a], "--exchanges") == 0)
			c.K = (int)num(argv[a + 1], "bad --exchanges");
		else if (strcmp(argv[a], "--request") == 0)
			c.request = (uint32_t)num(argv[a + 1], "bad --request");
		else if (strcmp(argv[a], "--pause-before") == 0)
			c.pause_at = (int)num(argv[a + 1], "bad --pause-before");
		else if (strcmp(argv[a], "--pause") == 0)
			c.pause = num(argv[a + 1], "bad --pause") * MS;
		else if (strcmp(argv[a], "--lose") == 0)
			c.lose = (int)num(argv[a + 1], "bad --lose");
		else
			die("unknown option");
	}
	if (argc % 2 != 0)
		die("an option without its value");
	if (nsyn > MAX_SYNS || rate == 0 || c.K < 0 || c.K > 1000000 ||
	    c.request > 1460 || c.pause > 86400000 * MS)
		die("--syns at most 4194304, --rate above 0, --exchanges "
		    "at most 1000000, --request at most 1460, --pause at "
		    "most 1 day");
	pb_spec_tcp(&c.sp[0], "10.0.0.1", 40000, "10.0.0.2", 80);
	pb_spec_tcp(&c.sp[1], "10.0.0.1", 40000, "10.0.0.2", 80);
	pb_spec_swap(&c.sp[1]);
	c.nxt[0] = 1000000;
	c.nxt[1] = 2000000;
	pb_spec_tcp(&syn, src, 0, "10.0.0.2", 80);
	syn.flags = PB_SYN;
	syn.mss = 1460;
	pw = pw_open(argv[1], pb_linktype(&syn), 1);
	if (pw == NULL)
		die("cannot open the output");
	for (;;) {
		uint64_t tc = conn_next_time(&c);
		uint64_t ts = i < nsyn ? start * MS + i * 1000000000ull / rate :
		    UINT64_MAX;
		if (tc == UINT64_MAX && ts == UINT64_MAX)
			break;
		if (tc <= ts) {
			conn_step(&c, tc);
			continue;
		}
		uint32_t a = (uint32_t)((i * 2654435761u) & (MAX_SYNS - 1));
		uint32_t h = (uint32_t)(i * 0x9e3779b97f4a7c15ull >> 40);
		snprintf(src, sizeof(src), "100.%u.%u.%u", 64 + (a >> 16),
		    (a >> 8) & 0xff, a & 0xff);
		syn.sport = (uint16_t)(1024 + h % 64000);
		syn.seq = h * 2654435761u;
		put(&syn, ts);
		i++;
	}
	if (pw_close(pw) != 0)
		die("writing the output failed");
	printf("synflood: %" PRIu64 " SYNs at %" PRIu64 "/s from %" PRIu64
	    " ms; connection: %d exchanges, client %d packets, server %d%s\n",
	    nsyn, rate, start, c.K, c.K + 4, c.K + 2,
	    c.lose > 0 && c.lose <= c.K ? " (one request lost)" : "");
	return 0;
}
