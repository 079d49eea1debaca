/*
 * pcapcut - remove or reorder packets of a capture, deterministically, to
 * make "analyzed" captures for the gap accuracy tests (tests/accuracy).
 *
 *   pcapcut IN OUT [--seed S] [--rate R] [--tcp-only] [--dir A:PORT]...
 *                  [--side client|server] [--drop-first N]
 *                  [--drop-list FILE] [--synack-first] [--list-removed FILE]
 *
 *   --rate R         remove each candidate packet with probability R
 *                    (0 <= R <= 1); the draw uses splitmix64 seeded by
 *                    --seed (default 1), one draw per candidate frame, so
 *                    the same IN, SEED and RATE always remove the same
 *                    frames.  Candidates: every frame, or with --tcp-only
 *                    every TCP frame (IPv4/IPv6, first fragment).
 *   --dir A:PORT     remove every TCP/UDP packet sent by endpoint A:PORT
 *                    (IPv6: [ADDR]:PORT).  Repeatable.
 *   --side S         remove every TCP packet sent by the server (S=server:
 *                    the SYN-ACK sender, or the receiver of a SYN) or the
 *                    client (S=client) of each TCP connection whose
 *                    handshake is in IN; "simplex" captures.
 *   --drop-first N   remove frames 1..N (a capture that starts mid-flow).
 *   --drop-list FILE remove the frames listed in FILE (1-based frame
 *                    numbers of IN, one per line, '#' comments).
 *   --synack-first   move every SYN-ACK to just before the SYN it answers
 *                    (same connection, ack = SYN seq + 1, first SYN before
 *                    it).  The SYN-ACK takes the SYN's timestamp; the SYN
 *                    takes the SYN-ACK's when the two were adjacent (a
 *                    swap), else keeps its own, so time never goes back.
 *   --list-removed F write the removed frame numbers (1-based, of IN) to F.
 *   --lose-wire N    keep at most N bytes of each frame and record its wire
 *                    length as its captured length (wire = caplen =
 *                    min(N, caplen)), as dpkt, some scapy versions and
 *                    slicing appliances write; the file's snaplen becomes N.
 *
 * Tap feeds, the way taps and SPAN ports deliver a link (applied after
 * the removals, to the frames that remain):
 *   --feed2 ADDR OUT2  frames whose IP source address is ADDR (a comma-
 *                    separated list: a host's IPv4 and IPv6) go to OUT2,
 *                    every other frame to OUT: the two simplex ports of
 *                    a tap (rx and tx).
 *   --shift US       add US microseconds (signed, fractions allowed) to
 *                    the timestamps of OUT2's frames: the second port's
 *                    clock offset.
 *   --dup US         write every IP frame twice, the copy US microseconds
 *                    after the original, output in time order (stable):
 *                    a SPAN port that copies ingress and egress.
 *   --vlan ADDR V1 V2  Ethernet only: insert an 802.1Q tag with VLAN V1
 *                    into frames whose IP source is ADDR, V2 into every
 *                    other IP frame (0: no tag): one conversation whose
 *                    directions are routed through two VLANs.
 *
 * Frames are copied byte for byte; link type, snap length and timestamp
 * precision (micro or nanosecond pcap) are kept.  pcapng input is written
 * as microsecond pcap.  Prints "pcapcut: N frames in, M out, K removed"
 * on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"

struct frame {
	struct pcap_pkthdr h;   /* ts.tv_usec holds nanoseconds */
	uint8_t *data;
	int feed2;              /* goes to the second output */
	int copy;               /* a --dup copy, freed after writing */
	/* decoded, if TCP/UDP */
	int l4;                 /* 6, 17 or 0 */
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t tflags;
	uint32_t seq, ack;
	int remove;
};

#define MAXDIR 64
struct endpoint {
	int family;
	uint8_t a[16];
	uint16_t port;
};

static void
die(const char *msg)
{
	fprintf(stderr, "pcapcut: %s\n", msg);
	exit(2);
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Decode the IP/TCP/UDP headers of f (best effort; l4 = 0 otherwise). */
static void
decode(struct frame *f, int dlt)
{
	const uint8_t *p = f->data, *end = f->data + f->h.caplen;
	uint16_t et = 0;
	int nh;

	f->l4 = 0;
	switch (dlt) {
	case DLT_EN10MB:
		if (end - p < 14)
			return;
		et = rd16(p + 12);
		p += 14;
		while ((et == 0x8100 || et == 0x88a8 || et == 0x9100) &&
		    end - p >= 4) {
			et = rd16(p + 2);
			p += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (end - p < 16)
			return;
		et = rd16(p + 14);
		p += 16;
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (end - p < 20)
			return;
		et = rd16(p);
		p += 20;
		break;
#endif
	case DLT_NULL:
	case DLT_LOOP:
		if (end - p < 4)
			return;
		p += 4;
		et = (*p >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
	case 101:
		if (end - p < 1)
			return;
		et = (*p >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	default:
		return;
	}
	if (et == 0x0800) {
		int ihl;
		if (end - p < 20 || (p[0] >> 4) != 4)
			return;
		ihl = (p[0] & 15) * 4;
		if (ihl < 20 || end - p < ihl)
			return;
		if (rd16(p + 6) & 0x1fff)
			return;         /* not a first fragment */
		nh = p[9];
		f->family = 4;
		memset(f->src, 0, 32);
		memcpy(f->src, p + 12, 4);
		memcpy(f->dst, p + 16, 4);
		p += ihl;
	} else if (et == 0x86dd) {
		if (end - p < 40 || (p[0] >> 4) != 6)
			return;
		nh = p[6];
		f->family = 6;
		memcpy(f->src, p + 8, 16);
		memcpy(f->dst, p + 24, 16);
		p += 40;
		for (int i = 0; i < 8; i++) {
			if (nh == 0 || nh == 43 || nh == 60) {
				if (end - p < 8)
					return;
				nh = p[0];
				p += (p[1] + 1) * 8;
			} else if (nh == 44) {
				if (end - p < 8)
					return;
				if (rd16(p + 2) & 0xfff8)
					return;
				nh = p[0];
				p += 8;
			} else if (nh == 51) {
				if (end - p < 8)
					return;
				nh = p[0];
				p += (p[1] + 2) * 4;
			} else {
				break;
			}
		}
	} else {
		return;
	}
	if (p > end)
		return;
	if (nh == 6 && end - p >= 20) {
		f->l4 = 6;
		f->sport = rd16(p);
		f->dport = rd16(p + 2);
		f->seq = rd32(p + 4);
		f->ack = rd32(p + 8);
		f->tflags = p[13];
	} else if (nh == 17 && end - p >= 8) {
		f->l4 = 17;
		f->sport = rd16(p);
		f->dport = rd16(p + 2);
	}
}

static int
parse_endpoint(const char *s, struct endpoint *e)
{
	char buf[128];
	const char *colon;
	size_t n;
	char *endp;
	unsigned long port;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb[1] != ':')
			return -1;
		n = (size_t)(rb - s - 1);
		colon = rb + 1;
		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, s + 1, n);
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - s);
		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, s, n);
	}
	buf[n] = 0;
	errno = 0;
	port = strtoul(colon + 1, &endp, 10);
	if (errno || *endp || port > 65535)
		return -1;
	e->port = (uint16_t)port;
	memset(e->a, 0, sizeof(e->a));
	if (inet_pton(AF_INET, buf, e->a) == 1)
		e->family = 4;
	else if (inet_pton(AF_INET6, buf, e->a) == 1)
		e->family = 6;
	else
		return -1;
	return 0;
}

static int
is_from(const struct frame *f, const struct endpoint *e)
{
	return f->l4 != 0 && f->family == e->family && f->sport == e->port &&
	    memcmp(f->src, e->a, f->family == 4 ? 4 : 16) == 0;
}

/* Whether b is the reverse direction of a's 4-tuple. */
static int
is_reverse(const struct frame *a, const struct frame *b)
{
	int n = a->family == 4 ? 4 : 16;
	return a->l4 == b->l4 && a->family == b->family &&
	    a->sport == b->dport && a->dport == b->sport &&
	    memcmp(a->src, b->dst, n) == 0 && memcmp(a->dst, b->src, n) == 0;
}

static int
same_dir(const struct frame *a, const struct frame *b)
{
	int n = a->family == 4 ? 4 : 16;
	return a->l4 == b->l4 && a->family == b->family &&
	    a->sport == b->sport && a->dport == b->dport &&
	    memcmp(a->src, b->src, n) == 0 && memcmp(a->dst, b->dst, n) == 0;
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

static int
is_syn(const struct frame *f)
{
	return f->l4 == 6 && (f->tflags & (TH_SYN | TH_ACK)) == TH_SYN;
}

static int
is_synack(const struct frame *f)
{
	return f->l4 == 6 && (f->tflags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
}

/* Does the file start with the nanosecond pcap magic? */
static int
file_is_nsec(const char *path)
{
	uint8_t m[4];
	FILE *fp = fopen(path, "rb");
	int r = 0;
	if (fp == NULL)
		return 0;
	if (fread(m, 1, 4, fp) == 4)
		r = (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
		    (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1);
	fclose(fp);
	return r;
}

/* ---- tap feeds ---------------------------------------------------------- */

/* A host: its addresses, given as a comma-separated list. */
struct host {
	int n;
	int family[8];
	uint8_t a[8][16];
};

static int
parse_host(const char *s, struct host *h)
{
	char buf[64];
	h->n = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		if (len == 0 || len >= sizeof(buf) || h->n == 8)
			return -1;
		memcpy(buf, s, len);
		buf[len] = 0;
		memset(h->a[h->n], 0, 16);
		if (inet_pton(AF_INET, buf, h->a[h->n]) == 1)
			h->family[h->n] = 4;
		else if (inet_pton(AF_INET6, buf, h->a[h->n]) == 1)
			h->family[h->n] = 6;
		else
			return -1;
		h->n++;
		s += len + (s[len] == ',');
	}
	return h->n ? 0 : -1;
}

static int
src_is(const struct frame *f, const struct host *h)
{
	for (int i = 0; i < h->n; i++)
		if (f->family == h->family[i] && memcmp(f->src, h->a[i],
		    h->family[i] == 4 ? 4 : 16) == 0)
			return 1;
	return 0;
}

/* Timestamps hold nanoseconds in tv_usec (opened with nano precision). */
static int64_t
ts_ns(const struct frame *f)
{
	return (int64_t)f->h.ts.tv_sec * 1000000000 + f->h.ts.tv_usec;
}

static void
ts_set(struct frame *f, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	f->h.ts.tv_sec = (time_t)(ns / 1000000000);
	f->h.ts.tv_usec = (suseconds_t)(ns % 1000000000);
}

/* Insert an 802.1Q tag after the MAC addresses of an Ethernet frame. */
static void
vlan_tag(struct frame *f, unsigned vid)
{
	uint8_t *d;
	if (f->h.caplen < 14)
		return;
	d = malloc(f->h.caplen + 4);
	if (d == NULL)
		die("out of memory");
	memcpy(d, f->data, 12);
	d[12] = 0x81;
	d[13] = 0x00;
	d[14] = (uint8_t)(vid >> 8 & 0x0f);
	d[15] = (uint8_t)vid;
	memcpy(d + 16, f->data + 12, f->h.caplen - 12);
	free(f->data);
	f->data = d;
	f->h.caplen += 4;
	f->h.len += 4;
}

static int
cmp_ts(const void *a, const void *b)
{
	const struct frame *x = *(struct frame *const *)a;
	const struct frame *y = *(struct frame *const *)b;
	int64_t tx = ts_ns(x), ty = ts_ns(y);
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x < y ? -1 : x > y;      /* stable: the array order */
}

static pcap_dumper_t *
dump_open(pcap_t *po, const char *path)
{
	pcap_dumper_t *pd = pcap_dump_open(po, path);
	if (pd == NULL) {
		fprintf(stderr, "pcapcut: %s: %s\n", path, pcap_geterr(po));
		exit(2);
	}
	return pd;
}

static void
dump_close(pcap_dumper_t *pd)
{
	if (pcap_dump_flush(pd) != 0)
		die("error writing output");
	pcap_dump_close(pd);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: pcapcut IN OUT [--seed S] [--rate R] [--tcp-only] "
	    "[--dir A:PORT]...\n"
	    "               [--side client|server] [--drop-first N] "
	    "[--drop-list FILE]\n"
	    "               [--synack-first] [--list-removed FILE] "
	    "[--lose-wire N]\n"
	    "               [--feed2 ADDR OUT2] [--shift US] [--dup US] "
	    "[--vlan ADDR V1 V2]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *in, *out, *droplist = NULL, *listrm = NULL, *side = NULL;
	uint64_t seed = 1, dropfirst = 0, losewire = 0;
	double rate = 0;
	int tcponly = 0, synfirst = 0, ndir = 0;
	const char *out2 = NULL;
	double shift_us = 0, dup_us = -1;
	struct host f2host = { 0 }, vhost = { 0 };
	long vid1 = 0, vid2 = 0;
	struct endpoint dirs[MAXDIR];
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pi, *po;
	pcap_dumper_t *pd;
	struct frame *fr = NULL;
	size_t nfr = 0, cap = 0, *order;
	const struct pcap_pkthdr *h;
	const u_char *data;
	int dlt, nsec, rc;

	if (argc < 3)
		usage();
	in = argv[1];
	out = argv[2];
	for (int i = 3; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *e;
		if (!strcmp(o, "--tcp-only")) {
			tcponly = 1;
			continue;
		}
		if (!strcmp(o, "--synack-first")) {
			synfirst = 1;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (!strcmp(o, "--seed")) {
			seed = strtoull(v, &e, 0);
			if (*e)
				usage();
		} else if (!strcmp(o, "--rate")) {
			rate = strtod(v, &e);
			if (*e || rate < 0 || rate > 1)
				usage();
		} else if (!strcmp(o, "--dir")) {
			if (ndir == MAXDIR || parse_endpoint(v, &dirs[ndir]) < 0)
				die("bad --dir endpoint (A:PORT or [A6]:PORT)");
			ndir++;
		} else if (!strcmp(o, "--side")) {
			if (strcmp(v, "client") && strcmp(v, "server"))
				usage();
			side = v;
		} else if (!strcmp(o, "--drop-first")) {
			dropfirst = strtoull(v, &e, 10);
			if (*e)
				usage();
		} else if (!strcmp(o, "--lose-wire")) {
			losewire = strtoull(v, &e, 10);
			if (*e || losewire == 0 || losewire > 262144)
				usage();
		} else if (!strcmp(o, "--drop-list")) {
			droplist = v;
		} else if (!strcmp(o, "--list-removed")) {
			listrm = v;
		} else if (!strcmp(o, "--feed2")) {
			if (i + 1 >= argc || parse_host(v, &f2host) < 0)
				die("--feed2 takes IP addresses (a,b) and a file");
			out2 = argv[++i];
		} else if (!strcmp(o, "--shift")) {
			shift_us = strtod(v, &e);
			if (*e)
				usage();
		} else if (!strcmp(o, "--dup")) {
			dup_us = strtod(v, &e);
			if (*e || dup_us < 0)
				usage();
		} else if (!strcmp(o, "--vlan")) {
			if (i + 2 >= argc || parse_host(v, &vhost) < 0)
				die("--vlan takes IP addresses (a,b) and two VLAN "
				    "ids");
			vid1 = strtol(argv[++i], &e, 10);
			if (*e || vid1 < 0 || vid1 > 4094)
				die("--vlan: VLAN ids are 0 to 4094");
			vid2 = strtol(argv[++i], &e, 10);
			if (*e || vid2 < 0 || vid2 > 4094)
				die("--vlan: VLAN ids are 0 to 4094");
		} else {
			usage();
		}
	}

	nsec = file_is_nsec(in);
	pi = pcap_open_offline_with_tstamp_precision(in,
	    PCAP_TSTAMP_PRECISION_NANO, err);
	if (pi == NULL) {
		fprintf(stderr, "pcapcut: %s\n", err);
		return 2;
	}
	dlt = pcap_datalink(pi);
	while ((rc = pcap_next_ex(pi, (struct pcap_pkthdr **)&h, &data)) == 1) {
		if (nfr == cap) {
			cap = cap ? cap * 2 : 4096;
			fr = realloc(fr, cap * sizeof(*fr));
			if (fr == NULL)
				die("out of memory");
		}
		memset(&fr[nfr], 0, sizeof(fr[nfr]));
		fr[nfr].h = *h;
		fr[nfr].data = malloc(h->caplen ? h->caplen : 1);
		if (fr[nfr].data == NULL)
			die("out of memory");
		memcpy(fr[nfr].data, data, h->caplen);
		decode(&fr[nfr], dlt);
		nfr++;
	}
	if (rc == -1) {
		fprintf(stderr, "pcapcut: %s: %s\n", in, pcap_geterr(pi));
		return 2;
	}

	/* removals */
	{
		uint64_t st = seed;
		for (size_t i = 0; i < nfr; i++) {
			struct frame *f = &fr[i];
			if (rate > 0 && (!tcponly || f->l4 == 6)) {
				double u = (double)(pb_rand(&st) >> 11) /
				    9007199254740992.0;
				if (u < rate)
					f->remove = 1;
			}
			if (i < dropfirst)
				f->remove = 1;
			for (int d = 0; d < ndir; d++)
				if (is_from(f, &dirs[d]))
					f->remove = 1;
		}
	}
	if (droplist) {
		FILE *fp = fopen(droplist, "r");
		char line[256];
		if (fp == NULL)
			die("cannot open --drop-list file");
		while (fgets(line, sizeof(line), fp)) {
			char *e;
			unsigned long long n;
			if (line[0] == '#' || line[0] == '\n')
				continue;
			n = strtoull(line, &e, 10);
			if (e == line)
				die("bad line in --drop-list file");
			if (n >= 1 && n <= nfr)
				fr[n - 1].remove = 1;
		}
		fclose(fp);
	}
	if (side) {
		/* The client of a 4-tuple is the SYN sender (or the receiver
		 * of a SYN-ACK); mark every TCP packet sent by the chosen
		 * side of that 4-tuple. */
		int want_server = !strcmp(side, "server");
		for (size_t i = 0; i < nfr; i++) {
			const struct frame *c = &fr[i];
			int client_is_src;
			if (is_syn(c))
				client_is_src = 1;
			else if (is_synack(c))
				client_is_src = 0;
			else
				continue;
			for (size_t j = 0; j < nfr; j++) {
				struct frame *f = &fr[j];
				int from_src;
				if (f->l4 != 6)
					continue;
				if (same_dir(f, c))
					from_src = 1;
				else if (is_reverse(c, f))
					from_src = 0;
				else
					continue;
				/* f sent by the client? */
				if ((from_src == client_is_src) != want_server)
					f->remove = 1;
			}
		}
	}

	order = malloc((nfr ? nfr : 1) * sizeof(*order));
	if (order == NULL)
		die("out of memory");
	for (size_t i = 0; i < nfr; i++)
		order[i] = i;
	if (synfirst) {
		/* For each SYN-ACK (in file order), find the latest earlier
		 * SYN of its connection and move the SYN-ACK before it. */
		for (size_t pos = 0; pos < nfr; pos++) {
			struct frame *sa = &fr[order[pos]];
			size_t sp = SIZE_MAX;
			if (!is_synack(sa))
				continue;
			for (size_t k = pos; k-- > 0;) {
				struct frame *s = &fr[order[k]];
				if (is_syn(s) && is_reverse(s, sa) &&
				    s->seq + 1 == sa->ack) {
					sp = k;
					break;
				}
			}
			if (sp == SIZE_MAX)
				continue;
			{
				size_t idx = order[pos];
				struct frame *s = &fr[order[sp]];
				struct timeval tsyn = s->h.ts, tsa = sa->h.ts;
				int adjacent = pos == sp + 1;
				memmove(&order[sp + 1], &order[sp],
				    (pos - sp) * sizeof(*order));
				order[sp] = idx;
				sa->h.ts = tsyn;
				if (adjacent)
					s->h.ts = tsa;
			}
		}
	}

	po = pcap_open_dead_with_tstamp_precision(dlt,
	    losewire ? (int)losewire : pcap_snapshot(pi),
	    nsec ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (po == NULL)
		die("pcap_open_dead failed");
	{
		size_t nout = 0, nout2 = 0, nrm = 0, nw = 0;
		struct frame **w;
		pcap_dumper_t *pd2 = NULL;
		FILE *lf = NULL;
		if (listrm && (lf = fopen(listrm, "w")) == NULL)
			die("cannot write --list-removed file");
		for (size_t i = 0; i < nfr; i++) {
			if (fr[i].remove) {
				nrm++;
				if (lf)
					fprintf(lf, "%zu\n", i + 1);
			}
		}
		if (lf && fclose(lf) != 0)
			die("error writing --list-removed file");
		/* the frames to write, in order, then the tap-feed changes */
		w = malloc((2 * nfr + 1) * sizeof(*w));
		if (w == NULL)
			die("out of memory");
		for (size_t k = 0; k < nfr; k++) {
			struct frame *f = &fr[order[k]];
			if (f->remove)
				continue;
			if (vhost.n && dlt == DLT_EN10MB && f->family) {
				long vid = src_is(f, &vhost) ? vid1 : vid2;
				if (vid)
					vlan_tag(f, (unsigned)vid);
			}
			if (out2 && f->family && src_is(f, &f2host)) {
				f->feed2 = 1;
				ts_set(f, ts_ns(f) + (int64_t)(shift_us * 1000));
			}
			w[nw++] = f;
		}
		if (dup_us >= 0) {
			size_t n0 = nw;
			for (size_t k = 0; k < n0; k++) {
				struct frame *c;
				if (!w[k]->family)
					continue;
				c = malloc(sizeof(*c));
				if (c == NULL)
					die("out of memory");
				*c = *w[k];
				c->copy = 1;
				c->data = malloc(c->h.caplen ? c->h.caplen : 1);
				if (c->data == NULL)
					die("out of memory");
				memcpy(c->data, w[k]->data, c->h.caplen);
				ts_set(c, ts_ns(c) + (int64_t)(dup_us * 1000));
				w[nw++] = c;
			}
		}
		if (dup_us >= 0 || out2)
			qsort(w, nw, sizeof(*w), cmp_ts);
		pd = dump_open(po, out);
		if (out2)
			pd2 = dump_open(po, out2);
		for (size_t k = 0; k < nw; k++) {
			struct pcap_pkthdr hh = w[k]->h;
			if (losewire) {
				/* a writer that lost the wire length */
				if (hh.caplen > losewire)
					hh.caplen = (bpf_u_int32)losewire;
				hh.len = hh.caplen;
			}
			if (!nsec)
				hh.ts.tv_usec /= 1000;
			pcap_dump((u_char *)(w[k]->feed2 ? pd2 : pd), &hh,
			    w[k]->data);
			if (w[k]->feed2)
				nout2++;
			else
				nout++;
		}
		for (size_t k = 0; k < nw; k++) {
			if (w[k]->copy) {
				free(w[k]->data);
				free(w[k]);
			}
		}
		free(w);
		dump_close(pd);
		if (pd2 != NULL)
			dump_close(pd2);
		if (out2)
			fprintf(stderr, "pcapcut: %zu frames in, %zu + %zu out, "
			    "%zu removed\n", nfr, nout, nout2, nrm);
		else
			fprintf(stderr, "pcapcut: %zu frames in, %zu out, "
			    "%zu removed\n", nfr, nout, nrm);
	}
	pcap_close(po);
	pcap_close(pi);
	for (size_t i = 0; i < nfr; i++)
		free(fr[i].data);
	free(fr);
	free(order);
	return 0;
}
