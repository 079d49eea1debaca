/*
 * test_ipfix_export.c - the IPFIX exporter over UDP (common/ipfix_export.c):
 * the message size from the path MTU (RFC 7011 §10.3.3) and messages built
 * in place and sent in batches, read back by a UDP socket of the test's own
 * on the loopback.
 *
 * Expected sizes are worked out by hand from RFC 7011 §3 and the record
 * lengths, not from the encoder: a message is the 16-byte header, then
 * sets of a 4-byte header and records, each set padded to 4 bytes; the
 * first message of a session (and each after a template refresh) starts
 * with the template set (4 + two templates of 4 + 15 IANA specifiers of
 * 4 bytes + 22 enterprise specifiers of 8 = 484) and the options template
 * set (4 + 6 + 5 * 4 = 30, padded to 32): 516 bytes.  A flow record is 194
 * bytes over IPv4 addresses, 218 over IPv6.  The encoder adds a record
 * while the record and the 3 bytes its set may need for padding fit.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gapflow.h"
#include "ipfix.h"
#include "ipfix_export.h"
#include "testlib.h"

#define TMPL_BYTES      516
#define REC_V4          194
#define REC_V6          218

/* ---- the path MTU rule, by hand ----------------------------------------- */

TEST(udp_size)
{
	/* an Ethernet path: 1500 less 20 + 8 (IPv4), 40 + 8 (IPv6) */
	CHECK_U64(gf_ipfix_udp_size(AF_INET, 1500, 65535), 1472);
	CHECK_U64(gf_ipfix_udp_size(AF_INET6, 1500, 65535), 1452);
	/* jumbo frames; and output.ipfix_mtu below the path */
	CHECK_U64(gf_ipfix_udp_size(AF_INET, 9000, 65535), 8972);
	CHECK_U64(gf_ipfix_udp_size(AF_INET, 9000, 8192), 8192);
	CHECK_U64(gf_ipfix_udp_size(AF_INET6, 9000, 1472), 1472);
	/* loopback: 65535 (IPv4) or 65536 (IPv6) reported; an IPv4
	 * datagram is at most 65535 bytes in all (65507 of payload), an
	 * IPv6 payload at most 65535 with the UDP header (65527) */
	CHECK_U64(gf_ipfix_udp_size(AF_INET, 65535, 65535), 65507);
	CHECK_U64(gf_ipfix_udp_size(AF_INET, 65536, 65535), 65507);
	CHECK_U64(gf_ipfix_udp_size(AF_INET6, 65536, 65535), 65488);
	CHECK_U64(gf_ipfix_udp_size(AF_INET6, 70000, 65535), 65527);
	/* the IPv6 minimum link MTU */
	CHECK_U64(gf_ipfix_udp_size(AF_INET6, 1280, 65535), 1232);
	/* below what holds the templates, or unknown: 576 */
	CHECK_U64(gf_ipfix_udp_size(AF_INET, 576, 65535), 576);
	CHECK_U64(gf_ipfix_udp_size(AF_INET, 28, 65535), 576);
	CHECK_U64(gf_ipfix_udp_size(AF_INET, 0, 65535), 576);
	CHECK_U64(gf_ipfix_udp_size(AF_INET6, 0, 65535), 576);
}

/* ---- the exporter to a socket on the loopback --------------------------- */

struct msg {
	size_t len;
	uint32_t seq;
	int templates;          /* has a template set */
	int nflow;              /* flow records (sets 256, 257) */
};

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

/* Header, sets and record counts of one datagram; len 0 if malformed. */
static struct msg
parse(const uint8_t *m, size_t len)
{
	struct msg r = { 0, 0, 0, 0 };
	size_t off = 16;

	if (len < 16 || be16(m) != 10 || be16(m + 2) != len)
		return r;
	r.seq = be32(m + 8);
	while (off + 4 <= len) {
		uint16_t id = be16(m + off), slen = be16(m + off + 2);
		if (slen < 4 || off + slen > len || slen % 4 != 0)
			return r;
		if (id == 2)
			r.templates = 1;
		else if (id == 256)
			r.nflow += (slen - 4) / REC_V4;
		else if (id == 257)
			r.nflow += (slen - 4) / REC_V6;
		off += slen;
	}
	if (off != len)
		return r;
	r.len = len;
	return r;
}

static struct gf_record rec;

static void
sample(int v6, uint64_t id)
{
	struct gf_flow *f = &rec.u.flow;
	memset(&rec, 0, sizeof(rec));
	rec.type = GF_RT_FLOW;
	f->kind = GF_KIND_FINAL;
	f->proto = 6;
	f->flowid = id;
	f->saddr.family = f->daddr.family = v6 ? 6 : 4;
	f->saddr.a[0] = 10;
	f->daddr.a[0] = 11;
	f->src.pkts = id;
}

/* A UDP socket on the loopback of family fam (port in *sa), or -1. */
static int
listener(int fam, struct sockaddr_storage *sa, socklen_t *salen)
{
	int fd = socket(fam, SOCK_DGRAM, 0), rb = 4 << 20;
	if (fd < 0)
		return -1;
	memset(sa, 0, sizeof(*sa));
	if (fam == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*salen = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		*salen = sizeof(*s6);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	if (bind(fd, (struct sockaddr *)sa, *salen) != 0 ||
	    getsockname(fd, (struct sockaddr *)sa, salen) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The path MTU the kernel reports towards sa, as the exporter sees it. */
static int
loopback_pmtu(int fam, const struct sockaddr_storage *sa, socklen_t salen)
{
	int fd = socket(fam, SOCK_DGRAM, 0), v = 0;
	socklen_t len = sizeof(v);
	if (fd < 0)
		return 0;
	if (connect(fd, (const struct sockaddr *)sa, salen) != 0 ||
	    (fam == AF_INET ? getsockopt(fd, IPPROTO_IP, IP_MTU, &v, &len) :
	    getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &v, &len)) != 0)
		v = 0;
	close(fd);
	return v;
}

/* Export n records (IPv6 ones if v6) to a listener of family fam with
 * options mtu and refresh; the datagrams received, up to max, into got.
 * Returns how many, or -1 if the loopback's path MTU is not want_pmtu
 * (the sizes below are worked out for it). */
static int
run(int fam, int want_pmtu, size_t mtu, uint64_t refresh_ns, int n, int v6,
    struct msg *got, int max, uint64_t *notsent)
{
	static uint8_t buf[65536];
	struct sockaddr_storage sa;
	socklen_t salen;
	char dest[96], host[INET6_ADDRSTRLEN], err[256];
	char *dests[1] = { dest };
	struct gf_ipfix_opts o = { GF_IPFIX_PEN_DEFAULT, 7, mtu, refresh_ns, 0 };
	struct gf_ipfix_exp *x;
	int fd = listener(fam, &sa, &salen), k = 0;

	if (fd < 0 || loopback_pmtu(fam, &sa, salen) != want_pmtu) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fam == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
		inet_ntop(fam, &s4->sin_addr, host, sizeof(host));
		snprintf(dest, sizeof(dest), "udp:%s:%u", host,
		    ntohs(s4->sin_port));
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;
		inet_ntop(fam, &s6->sin6_addr, host, sizeof(host));
		snprintf(dest, sizeof(dest), "udp:[%s]:%u", host,
		    ntohs(s6->sin6_port));
	}
	x = gf_ipfix_exp_open(dests, 1, &o, err, sizeof(err));
	CHECK(x != NULL);
	if (x == NULL) {
		printf("  %s\n", err);
		close(fd);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		sample(v6, (uint64_t)i);
		gf_ipfix_exp_put(x, &rec);
	}
	*notsent = gf_ipfix_exp_close(x, 0);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		if (poll(&p, 1, 1000) <= 0)
			break;
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r <= 0)
			break;
		if (k < max)
			got[k] = parse(buf, (size_t)r);
		k++;
	}
	close(fd);
	return k;
}

static struct msg got[256];

/* The messages received are want[0, n), in order, none lost. */
static void
check_msgs(int k, uint64_t notsent, const struct msg *want, int n)
{
	CHECK_U64(notsent, 0);
	CHECK_U64(k, n);
	for (int i = 0; i < n && i < k; i++) {
		const struct msg *g = &got[i], *w = &want[i];
		if (g->len == w->len && g->seq == w->seq &&
		    g->templates == w->templates && g->nflow == w->nflow)
			continue;
		printf("  message %d: %zu bytes, seq %u, templates %d, %d "
		    "records; want %zu, %u, %d, %d\n", i, g->len,
		    (unsigned)g->seq, g->templates, g->nflow, w->len,
		    (unsigned)w->seq, w->templates, w->nflow);
		CHECK(0);
	}
}

/*
 * To 127.0.0.1, which reports a path MTU of 65535: messages of up to
 * 65507 bytes (the output.ipfix_mtu default, 65535, above it).  First:
 * 16 + 516 + 4 + 194 k + 3 <= 65507, k = 334, 65332 bytes.  Then
 * 16 + 4 + 194 k + 3 <= 65507, k = 337, 20 + 65378 = 65398, padded
 * 65400.  The last, 1000 - 671 = 329 records: 20 + 63826, padded 63848.
 *
 * To ::1, which reports 65536: 65536 - 48 = 65488.  IPv6 records, 218
 * bytes: first 536 + 218 k + 3 <= 65488, k = 297 (298 would fit 65507),
 * 536 + 64746 = 65282, padded 65284; then 20 + 218 k + 3 <= 65488,
 * k = 300, 65420; the last 1000 - 897 = 103: 20 + 22454, padded 22476.
 */
TEST(size_from_path_mtu)
{
	static const struct {
		int fam, pmtu;
		const char *to;
		struct msg want[4];
		int n;
	} c[] = {
		{ AF_INET, 65535, "127.0.0.1", { { 65332, 0, 1, 334 },
		    { 65400, 334, 0, 337 }, { 63848, 671, 0, 329 } }, 3 },
		{ AF_INET6, 65536, "::1", { { 65284, 0, 1, 297 },
		    { 65420, 297, 0, 300 }, { 65420, 597, 0, 300 },
		    { 22476, 897, 0, 103 } }, 4 },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t notsent = 1;
		int k = run(c[i].fam, c[i].pmtu, 0, 0, 1000,
		    c[i].fam == AF_INET6, got, 256, &notsent);
		if (k < 0)
			printf("  (no %s reporting a path MTU of %d: not "
			    "checked)\n", c[i].to, c[i].pmtu);
		else
			check_msgs(k, notsent, c[i].want, c[i].n);
	}
}

/*
 * output.ipfix_mtu 1472 below the loopback's path: first 536 + 194 k + 3
 * <= 1472, k = 4, 1312 bytes; then 7 records, 20 + 1358 padded 1380, 142
 * times (996 = 142 * 7 + 2); last 2, 20 + 388 = 408.  144 messages: more
 * than one sendmmsg batch (32), every one whole and in order.
 */
TEST(configured_maximum_and_batches)
{
	static struct msg want[144];
	uint64_t notsent = 1;
	int k = run(AF_INET, 65535, 1472, 0, 1000, 0, got, 256, &notsent);

	if (k < 0)
		return;
	want[0] = (struct msg){ 1312, 0, 1, 4 };
	for (int i = 1; i < 143; i++)
		want[i] = (struct msg){ 1380, 4 + 7 * (uint32_t)(i - 1), 0, 7 };
	want[143] = (struct msg){ 408, 998, 0, 2 };
	check_msgs(k, notsent, want, 144);
}

/*
 * A template refresh at every message (an interval of 1 ns): each one
 * starts with the templates and still fits the path, 334 records, 65332
 * bytes; the last 332: 536 + 64408 = 64944.
 */
TEST(template_refresh_within_path_mtu)
{
	static const struct msg want[] = {
		{ 65332, 0, 1, 334 }, { 65332, 334, 1, 334 },
		{ 64944, 668, 1, 332 },
	};
	uint64_t notsent = 1;
	int k = run(AF_INET, 65535, 0, 1, 1000, 0, got, 256, &notsent);

	if (k >= 0)
		check_msgs(k, notsent, want, 3);
}

int
main(void)
{
	RUN(udp_size);
	RUN(size_from_path_mtu);
	RUN(configured_maximum_and_batches);
	RUN(template_refresh_within_path_mtu);
	return test_summary();
}
