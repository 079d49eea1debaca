/*
 * test_filter.c - the filter language (common/filter.c): every primitive
 * and operator against a fixed set of hand-built records, and the exact
 * message of every kind of rejected expression.
 *
 * Each expected value below was worked out by hand from the records in
 * build_records(); the comments next to the less obvious ones show how.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fields.h"
#include "filter.h"
#include "gapflow.h"
#include "record.h"
#include "testlib.h"

#define T0      (1700000000ull * GF_NS_PER_SEC)
#define SEC(x)  ((uint64_t)((x) * 1e9))

/*
 * The records, one bit each in the expected masks:
 *
 * R0 0x01  TCP status, EST, vlan 10, 10.0.0.1:1234 -> 10.0.0.2:80,
 *          dur 90 s, synack 20 ms, ackdat 1 ms, orient syn,
 *          src 10 pkts 5000 B gap 1000 loss 2 flags FSPA (0x1b),
 *          dst 8 pkts 2000000 B flags SA (0x12) ackbytes 4000
 *          => pkts 18, bytes 2005000, ploss 11.1, pgap 25
 * R1 0x02  UDP final idle, INT, simplex, 192.168.1.5:5353 ->
 *          224.0.0.251:5353, stime T0+10 dur 2, src 3 pkts 300 B
 * R2 0x04  TCP/IPv6 final fin, CLO, [2001:db8::1]:40000 ->
 *          [2001:db8:1::2]:443, dur 0.5, synack 5 ms, flags FSA both
 *          ways, src 20 pkts 10000 B, dst 30 pkts 40000 B ooo 1
 * R3 0x08  SENSOR, 60 s, 12345 pkts, 5000000 B, kdrops 7, evicted 2,
 *          gapbytes 5000 of ackbytes 1000000 (lossbytes_pct 0.5)
 * R4 0x10  ICMP echo final eof, CON, 10.0.0.1 -> 8.8.8.8, sport 8
 *          (type), dport 1234 (id), dur 3, 4+4 pkts 392+392 B
 * R5 0x20  TCP final rst, RST, vlan 4095, orient port, mid-stream,
 *          10.1.2.3:22 -> 10.0.0.2:5555, stime T0+100 dur 60,
 *          src 5 pkts 600 B flags A, dst 2 pkts 120 B flags RA gap 500
 *          loss 1 ooo 3 => ploss 1/7 = 14.3
 * R6 0x40  ICMPv6 status, INT, simplex, [2001:db8::1]:128 ->
 *          [2001:db8::99]:7, stime = ltime = T0+5, src 1 pkt 118 B
 */
#define NREC    7
#define ALL     0x7f
#define FLOWS   0x77

static struct gf_record rec[NREC];

static void
addr(struct gf_addr *a, const char *s)
{
	if (gf_addr_parse(s, a) != 0) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
}

static void
build_records(void)
{
	struct gf_flow *f;
	struct gf_sensor *s;

	memset(rec, 0, sizeof(rec));

	f = &rec[0].u.flow;
	rec[0].type = GF_RT_FLOW;
	f->kind = GF_KIND_STATUS;
	f->state = GF_ST_EST;
	f->orient = GF_ORIENT_SYN;
	f->proto = 6;
	f->vlan = 10;
	f->sport = 1234;
	f->dport = 80;
	f->flgs = GF_F_SGAP;
	f->flowid = 1;
	f->trans = 1;
	f->fstime = f->stime = T0;
	f->ltime = T0 + SEC(90);
	f->synack = 20000000;
	f->ackdat = 1000000;
	addr(&f->saddr, "10.0.0.1");
	addr(&f->daddr, "10.0.0.2");
	f->src.pkts = 10;
	f->src.bytes = 5000;
	f->src.appbytes = 4000;
	f->src.gap = 1000;
	f->src.loss = 2;
	f->src.lossbytes = 2000;
	f->src.flags = 0x1b;
	f->src.win = 65535;
	f->dst.pkts = 8;
	f->dst.bytes = 2000000;
	f->dst.appbytes = 1990000;
	f->dst.flags = 0x12;
	f->dst.ackbytes = 4000;

	f = &rec[1].u.flow;
	rec[1].type = GF_RT_FLOW;
	f->kind = GF_KIND_FINAL;
	f->endreason = GF_END_IDLE;
	f->state = GF_ST_INT;
	f->proto = 17;
	f->sport = 5353;
	f->dport = 5353;
	f->flgs = GF_F_SIMPLEX;
	f->flowid = 2;
	f->trans = 1;
	f->fstime = f->stime = T0 + SEC(10);
	f->ltime = T0 + SEC(12);
	addr(&f->saddr, "192.168.1.5");
	addr(&f->daddr, "224.0.0.251");
	f->src.pkts = 3;
	f->src.bytes = 300;
	f->src.appbytes = 216;

	f = &rec[2].u.flow;
	rec[2].type = GF_RT_FLOW;
	f->kind = GF_KIND_FINAL;
	f->endreason = GF_END_FIN;
	f->state = GF_ST_CLO;
	f->proto = 6;
	f->sport = 40000;
	f->dport = 443;
	f->flgs = GF_F_DOOO;
	f->flowid = 3;
	f->trans = 1;
	f->fstime = f->stime = T0;
	f->ltime = T0 + 500000000;
	f->synack = 5000000;
	addr(&f->saddr, "2001:db8::1");
	addr(&f->daddr, "2001:db8:1::2");
	f->src.pkts = 20;
	f->src.bytes = 10000;
	f->src.flags = 0x13;
	f->dst.pkts = 30;
	f->dst.bytes = 40000;
	f->dst.flags = 0x13;
	f->dst.ooo = 1;

	s = &rec[3].u.sensor;
	rec[3].type = GF_RT_SENSOR;
	s->stime = T0;
	s->ltime = T0 + SEC(60);
	s->pkts = 12345;
	s->bytes = 5000000;
	s->kdrops = 7;
	s->evicted = 2;
	s->gapbytes = 5000;
	s->ackbytes = 1000000;
	s->sensorid = 1;
	s->flows = 100;

	f = &rec[4].u.flow;
	rec[4].type = GF_RT_FLOW;
	f->kind = GF_KIND_FINAL;
	f->endreason = GF_END_EOF;
	f->state = GF_ST_CON;
	f->proto = 1;
	f->sport = 8;
	f->dport = 1234;
	f->flowid = 4;
	f->trans = 1;
	f->fstime = f->stime = T0;
	f->ltime = T0 + SEC(3);
	addr(&f->saddr, "10.0.0.1");
	addr(&f->daddr, "8.8.8.8");
	f->src.pkts = 4;
	f->src.bytes = 392;
	f->dst.pkts = 4;
	f->dst.bytes = 392;

	f = &rec[5].u.flow;
	rec[5].type = GF_RT_FLOW;
	f->kind = GF_KIND_FINAL;
	f->endreason = GF_END_RST;
	f->state = GF_ST_RST;
	f->orient = GF_ORIENT_PORT;
	f->proto = 6;
	f->vlan = 4095;
	f->sport = 22;
	f->dport = 5555;
	f->flgs = GF_F_MIDSTREAM | GF_F_DGAP | GF_F_DLOSS | GF_F_DOOO;
	f->flowid = 5;
	f->trans = 1;
	f->fstime = f->stime = T0 + SEC(100);
	f->ltime = T0 + SEC(160);
	addr(&f->saddr, "10.1.2.3");
	addr(&f->daddr, "10.0.0.2");
	f->src.pkts = 5;
	f->src.bytes = 600;
	f->src.flags = 0x10;
	f->dst.pkts = 2;
	f->dst.bytes = 120;
	f->dst.flags = 0x14;
	f->dst.gap = 500;
	f->dst.loss = 1;
	f->dst.ooo = 3;

	f = &rec[6].u.flow;
	rec[6].type = GF_RT_FLOW;
	f->kind = GF_KIND_STATUS;
	f->state = GF_ST_INT;
	f->proto = 58;
	f->sport = 128;
	f->dport = 7;
	f->flgs = GF_F_SIMPLEX;
	f->flowid = 6;
	f->trans = 1;
	f->fstime = f->stime = f->ltime = T0 + SEC(5);
	addr(&f->saddr, "2001:db8::1");
	addr(&f->daddr, "2001:db8::99");
	f->src.pkts = 1;
	f->src.bytes = 118;
}

/* Which records expr matches, or -1 if it does not compile; deftype as
 * gf_filter_compile_type's (0: the language alone, every record type). */
static int
mask_typed(const char *expr, uint16_t deftype, char *err, size_t errlen)
{
	struct gf_filter *f = gf_filter_compile_type(expr, deftype, err,
	    errlen);
	int m = 0;

	if (f == NULL)
		return -1;
	for (int i = 0; i < NREC; i++)
		if (gf_filter_match(f, &rec[i]))
			m |= 1 << i;
	gf_filter_free(f);
	return m;
}

static int
mask_of(const char *expr, char *err, size_t errlen)
{
	return mask_typed(expr, 0, err, errlen);
}

static int
check_typed(const char *expr, uint16_t deftype, int want)
{
	char err[256];
	int got = mask_typed(expr, deftype, err, sizeof(err));

	if (got == want)
		return 1;
	if (got < 0)
		printf("  \"%s\": %s\n", expr, err);
	else
		printf("  \"%s\": matched 0x%02x, want 0x%02x\n", expr, got,
		    want);
	return 0;
}

static int
check_mask(const char *expr, int want)
{
	return check_typed(expr, 0, want);
}

static const struct {
	const char *expr;
	int want;
} matches[] = {
	/* empty */
	{ "", ALL },
	{ "   \t\n", ALL },

	/* protocols and families */
	{ "tcp", 0x25 },
	{ "udp", 0x02 },
	{ "icmp", 0x50 },               /* proto 1 (R4) and 58 (R6) */
	{ "icmp6", 0x40 },
	{ "ip", 0x33 },
	{ "ipv4", 0x33 },
	{ "ip6", 0x44 },
	{ "ipv6", 0x44 },
	{ "proto 17", 0x02 },
	{ "proto udp", 0x02 },
	{ "proto UDP", 0x02 },
	{ "proto icmp", 0x10 },         /* exact: 1 only */
	{ "proto 58", 0x40 },
	{ "proto icmp6", 0x40 },
	{ "proto tcp", 0x25 },
	{ "proto 0", 0 },

	/* hosts and nets */
	{ "host 10.0.0.1", 0x11 },
	{ "host 10.0.0.2", 0x21 },
	{ "src host 10.0.0.1", 0x11 },
	{ "dst host 10.0.0.1", 0 },
	{ "dst host 10.0.0.2", 0x21 },
	{ "src host 10.0.0.2", 0 },
	{ "host 2001:db8::1", 0x44 },
	{ "host 2001:DB8::1", 0x44 },
	{ "dst host 2001:db8::99", 0x40 },
	{ "net 10.0.0.0/8", 0x31 },     /* 10.0.0.1 (R0 R4), 10.1.2.3 (R5) */
	{ "src net 10.0.0.0/24", 0x11 },
	{ "dst net 10.0.0.0/24", 0x21 },
	{ "net 2001:db8::/32", 0x44 },
	{ "dst net 2001:db8:1::/48", 0x04 },
	{ "net 0.0.0.0/0", 0x33 },
	{ "net ::/0", 0x44 },
	{ "net 224.0.0.0/4", 0x02 },
	{ "net 10.0.0.1", 0x11 },       /* no length: the whole address */
	{ "10.0.0.2", 0x21 },
	{ "10.0.0.0/8", 0x31 },
	{ "src 10.0.0.1", 0x11 },
	{ "dst 10.0.0.0/24", 0x21 },
	{ "dst 2001:db8::99", 0x40 },

	/* ports: TCP/UDP/SCTP only, R4's dport 1234 is an ICMP id */
	{ "port 80", 0x01 },
	{ "port 1234", 0x01 },
	{ "src port 1234", 0x01 },
	{ "dst port 1234", 0 },
	{ "port 8", 0 },
	{ "port 5353", 0x02 },
	{ "dst port 443", 0x04 },
	{ "src port 443", 0 },
	{ "portrange 400-500", 0x04 },
	{ "portrange 1-1024", 0x25 },   /* 80, 443, 22 */
	{ "src portrange 1-1024", 0x20 },
	{ "dst portrange 5000-6000", 0x22 },
	{ "portrange 0-65535", 0x27 },
	{ "port 80 or port 443 or port 22", 0x25 },

	/* vlan */
	{ "vlan 10", 0x01 },
	{ "vlan 4095", 0x20 },
	{ "vlan 0", 0x56 },
	{ "vlan", 0x21 },
	{ "vlan and tcp", 0x21 },
	{ "not vlan", 0x5e },           /* the sensor record too */
	{ "(vlan)", 0x21 },

	/* flags, gap, loss, ooo: word alone vs field comparison */
	{ "simplex", 0x42 },
	{ "gap", 0x21 },
	{ "gap > 0", 0x21 },
	{ "gap>0", 0x21 },
	{ "gap gt 0", 0x21 },
	{ "gap > 500", 0x01 },
	{ "gap >= 500", 0x21 },
	{ "gap = 0", 0x56 },            /* flows only: the sensor has no gap */
	{ "gap == 1000", 0x01 },
	{ "not gap", 0x5e },
	{ "gap and tcp", 0x21 },
	{ "gap or simplex", 0x63 },
	{ "src gap", 0x01 },
	{ "dst gap", 0x20 },
	{ "sgap > 999", 0x01 },
	{ "dgap > 0", 0x20 },
	{ "loss", 0x21 },
	{ "src loss", 0x01 },
	{ "dst loss", 0x20 },
	{ "loss > 1", 0x01 },
	{ "ooo", 0x24 },
	{ "src ooo", 0 },
	{ "dst ooo", 0x24 },

	/* TCP flags, either direction */
	{ "syn", 0x05 },
	{ "fin", 0x05 },                /* R0 has a FIN but is not ended */
	{ "rst", 0x20 },
	{ "ack", 0x25 },
	{ "psh", 0x01 },
	{ "urg", 0 },
	{ "ece", 0 },
	{ "cwr", 0 },

	/* end reasons */
	{ "end fin", 0x04 },
	{ "fin and not end fin", 0x01 },
	{ "end rst", 0x20 },
	{ "rst or end rst", 0x20 },
	{ "end idle", 0x02 },
	{ "end timeout", 0x02 },
	{ "end IDLE", 0x02 },
	{ "timeout", 0x02 },
	{ "idle", 0x02 },
	{ "end eof", 0x10 },
	{ "eof", 0x10 },
	{ "shutdown", 0 },
	{ "end shutdown", 0 },
	{ "end reuse", 0 },
	{ "end evicted", 0 },
	{ "end -", 0x41 },              /* printed "-": status records */
	{ "end 5", 0x10 },
	{ "end = fin", 0x04 },
	{ "end == 1", 0x04 },
	{ "end != fin", 0x73 },         /* flows R0 R1 R4 R5 R6, not sensor */
	{ "end = timeout", 0x02 },

	/* record types and kinds */
	{ "flow", FLOWS },
	{ "sensor", 0x08 },
	{ "status", 0x41 },
	{ "final", 0x36 },
	{ "kind = final", 0x36 },
	{ "kind = status", 0x41 },
	{ "kind == 2", 0x36 },
	{ "type = sensor", 0x08 },
	{ "type == flow", FLOWS },
	{ "type = 2", 0x08 },

	/* states */
	{ "state EST", 0x01 },
	{ "state est", 0x01 },
	{ "state = CLO", 0x04 },
	{ "state=EST", 0x01 },
	{ "state INT", 0x42 },
	{ "state Rst", 0x20 },
	{ "state CON", 0x10 },
	{ "state REQ", 0 },
	{ "state != EST", 0x76 },
	{ "orient = syn", 0x01 },
	{ "orient = port", 0x20 },
	{ "orient = first", 0x56 },

	/* numbers, suffixes, both record types */
	{ "pkts > 10", 0x0d },          /* 18, 50, sensor 12345 */
	{ "pkts = 8", 0x10 },
	{ "bytes > 1M", 0x09 },         /* 2005000, sensor 5000000 */
	{ "bytes>1M", 0x09 },
	{ "bytes > 5M", 0 },
	{ "bytes >= 5M", 0x08 },
	{ "bytes gte 5M", 0x08 },
	{ "bytes > 2M", 0x09 },
	{ "bytes > 2Mi", 0x08 },        /* 2097152 > 2005000 */
	{ "bytes <= 784", 0x72 },
	{ "bytes lt 1K", 0x72 },
	{ "dbytes > 1.5M", 0x01 },
	{ "sbytes > 1.5K", 0x05 },
	{ "spkts > 2.5", 0x37 },        /* fractions are not rounded */
	{ "spkts = 2.5", 0 },
	{ "spkts != 2.5", FLOWS },
	{ "spkts < 1.5K", FLOWS },
	{ "flowid = 3", 0x04 },
	{ "flowid < 18446744073709551615", FLOWS },
	{ "sport == 1234", 0x01 },
	{ "sport = 8", 0x10 },
	{ "dport != 80", 0x76 },
	{ "kdrops > 0", 0x08 },
	{ "not kdrops > 0", FLOWS },
	{ "kdrops eq 7", 0x08 },
	{ "evicted > 1", 0x08 },
	{ "dir = 1", 0x42 },
	{ "dir = 3", 0x35 },
	{ "pkts>=8&&pkts<=8", 0x10 },

	/* ra style src/dst fields */
	{ "src pkts > 5", 0x05 },
	{ "src pkts >= 5", 0x25 },
	{ "src pkts gt 5", 0x05 },
	{ "dst bytes > 1K", 0x05 },
	{ "dst pkts eq 0", 0x42 },

	/* durations and times */
	{ "dur > 60", 0x01 },
	{ "dur >= 60", 0x29 },          /* 90, sensor 60, R5 60 */
	{ "dur > 1m", 0x01 },
	{ "dur = 1m", 0x28 },
	{ "dur < 1", 0x44 },
	{ "dur lt 1", 0x44 },
	{ "dur < 500ms", 0x40 },
	{ "dur <= 0.5", 0x44 },
	{ "synack > 0.01", 0x01 },
	{ "synack > 0.001", 0x05 },
	{ "synack > 10ms", 0x01 },
	{ "synack = 0", 0x72 },
	{ "synack == 0.005", 0x04 },
	{ "ackdat > 0", 0x01 },
	{ "stime > 1700000050", 0x20 },
	{ "stime >= 1700000010", 0x22 },
	{ "stime > 1700000000.5", 0x62 },
	{ "stime = 1700000000", 0x1d }, /* R0 R2 R4 and the sensor */
	{ "ltime > 1700000000.000000001", ALL },

	/* derived ratios */
	{ "ploss > 10", 0x21 },         /* 11.1 and 14.3 */
	{ "ploss > 11.1", 0x21 },
	{ "ploss > 11.2", 0x20 },
	{ "pgap = 25", 0x01 },
	{ "lossbytes_pct > 0", 0x08 },
	{ "lossbytes_pct = 0.5", 0x08 },

	/* address fields */
	{ "saddr = 10.0.0.1", 0x11 },
	{ "saddr == 10.0.0.1", 0x11 },
	{ "saddr != 10.0.0.1", 0x66 },  /* flows only */
	{ "not saddr = 10.0.0.1", 0x6e },
	{ "daddr == 10.0.0.0/24", 0x21 },
	{ "saddr eq 2001:db8::1", 0x44 },

	/* precedence, not, parentheses */
	{ "udp or tcp and vlan 10", 0x03 },
	{ "(udp or tcp) and vlan 10", 0x01 },
	{ "tcp and vlan 10 or udp", 0x03 },
	{ "not tcp and ip", 0x12 },
	{ "not (tcp and ip)", 0x5e },
	{ "! tcp || sensor", 0x5a },
	{ "not not tcp", 0x25 },
	{ "!!tcp", 0x25 },
	{ "tcp && !vlan 10", 0x24 },
	{ "((tcp))", 0x25 },
	{ "tcp or udp or icmp", FLOWS },
	{ "tcp and syn and fin", 0x05 },
	{ "tcp and (port 80 or port 443) and not simplex", 0x05 },
	{ "icmp and not ip6", 0x10 },
	{ "sensor or gap > 500 and tcp", 0x09 },
	{ "(sensor or gap > 500) and tcp", 0x01 },
	{ "not icmp or udp", 0x2f },
	{ "not (icmp or udp)", 0x2d },
	{ "tcp\tand\nsyn", 0x05 },

	/* service names (/etc/services): http 80/tcp, https 443,
	 * ssh 22/tcp, mdns 5353/udp */
	{ "dst port http", 0x01 },
	{ "port https", 0x04 },
	{ "port mdns", 0x02 },
	{ "src port ssh", 0x20 },
	{ "dport = http", 0x01 },
	{ "dport != https", 0x73 },
	{ "portrange ssh-http", 0x21 },

	/* times in ISO 8601 and argus forms: T0 = 1700000000 is
	 * 2023-11-14 22:13:20 UTC (date -u -d @1700000000) */
	{ "stime = 2023-11-14T22:13:20Z", 0x1d },
	{ "stime > 2023-11-14T22:14:00Z", 0x20 },      /* T0+40: R5 */
	{ "stime >= 2023/11/14.22:13:30", 0x22 },      /* T0+10: R1 R5 */
	{ "stime > 2023-11-14T23:13:20+01:00", 0x62 }, /* T0 */
	{ "stime > 2023-11-14T22:13:20.5Z", 0x62 },
	{ "stime < 2023-11-15", ALL },
};

/* What a filter selects by default (gf_filter_compile): flows, unless
 * the expression names a record type. */
static const struct {
	const char *expr;
	int want;
} typed[] = {
	{ "", ALL },                    /* no filter: everything */
	{ "pkts > 10", 0x05 },          /* R0 18, R2 50; not the sensor */
	{ "dur >= 60", 0x21 },
	{ "kdrops > 0", 0 },            /* a sensor field: name sensor */
	{ "sensor and kdrops > 0", 0x08 },
	{ "sensor and pkts > 10", 0x08 },
	{ "sensor or pkts > 10", 0x0d },
	{ "flow", FLOWS },
	{ "not sensor", FLOWS },
	{ "type = sensor", 0x08 },
	{ "not vlan", 0x56 },
};

TEST(matches)
{
	build_records();
	for (size_t i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
		CHECK(check_mask(matches[i].expr, matches[i].want));
}

TEST(default_type)
{
	build_records();
	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++)
		CHECK(check_typed(typed[i].expr, GF_RT_FLOW, typed[i].want));
	/* gf_filter_compile is the FLOW default */
	CHECK(mask_typed("pkts > 10", GF_RT_SENSOR, NULL, 0) == 0x08);
	{
		struct gf_filter *f = gf_filter_compile("pkts > 10", NULL, 0);
		int m = 0;
		for (int i = 0; i < NREC; i++)
			m |= gf_filter_match(f, &rec[i]) << i;
		CHECK(m == 0x05);
		gf_filter_free(f);
	}
}

TEST(null_and_empty)
{
	struct gf_filter *f;

	build_records();
	f = gf_filter_compile(NULL, NULL, 0);
	CHECK(f != NULL);
	for (int i = 0; i < NREC; i++)
		CHECK(gf_filter_match(f, &rec[i]) == 1);
	gf_filter_free(f);
	CHECK(gf_filter_match(NULL, &rec[0]) == 1);
	gf_filter_free(NULL);
}

static const struct {
	const char *expr;
	const char *err;
} rejects[] = {
	{ "sgapp", "filter: column 1: unknown word 'sgapp'" },
	{ "dur > 1 or sgapp > 0", "filter: column 12: unknown word 'sgapp'" },
	{ "tcp and sgapp", "filter: column 9: unknown word 'sgapp'" },
	{ "saddr > 10.0.0.1",
	  "filter: column 1: 'saddr' is an address, it cannot be compared "
	  "with '>'" },
	{ "tcp and daddr gte 1.2.3.4",
	  "filter: column 9: 'daddr' is an address, it cannot be compared "
	  "with 'gte'" },
	{ "saddr = foo", "filter: column 9: 'foo' is not an IP address or "
	  "prefix" },
	{ "host foo", "filter: column 6: 'foo' is not an IP address" },
	{ "src host 10.0.0.0/8",
	  "filter: column 10: '10.0.0.0/8' is not an IP address" },
	{ "host", "filter: column 5: unexpected end of filter" },
	{ "host (", "filter: column 6: expected an address after 'host'" },
	{ "net 10.0.0.1/8",
	  "filter: column 5: '10.0.0.1/8' has bits set beyond /8" },
	{ "net 10.0.0.0/33",
	  "filter: column 5: '10.0.0.0/33' is not an address prefix" },
	{ "net foo", "filter: column 5: 'foo' is not an IP address or prefix" },
	{ "10.0.0.300",
	  "filter: column 1: '10.0.0.300' is not an IP address or prefix" },
	{ "port 70000",
	  "filter: column 6: '70000' is not a port number (0-65535) or a "
	  "service name (/etc/services)" },
	{ "port nosuchservice",
	  "filter: column 6: 'nosuchservice' is not a port number (0-65535) "
	  "or a service name (/etc/services)" },
	{ "port -1", "filter: column 6: '-1' is not a port number (0-65535) "
	  "or a service name (/etc/services)" },
	{ "port", "filter: column 5: unexpected end of filter" },
	{ "port )", "filter: column 6: expected a port after 'port'" },
	{ "portrange 2000-1000", "filter: column 11: '2000-1000' is not a "
	  "port range (low-high, 0-65535)" },
	{ "portrange 80", "filter: column 11: '80' is not a port range "
	  "(low-high, 0-65535)" },
	{ "portrange 1-70000", "filter: column 11: '1-70000' is not a port "
	  "range (low-high, 0-65535)" },
	{ "tcp udp", "filter: column 5: expected 'and' or 'or' before 'udp'" },
	{ "tcp (udp)", "filter: column 5: expected 'and' or 'or' before '('" },
	{ "tcp not udp",
	  "filter: column 5: expected 'and' or 'or' before 'not'" },
	{ "state EST EST",
	  "filter: column 11: expected 'and' or 'or' before 'EST'" },
	{ "(tcp", "filter: column 5: expected ')'" },
	{ "(tcp udp)",
	  "filter: column 6: expected 'and' or 'or' before 'udp'" },
	{ "tcp)", "filter: column 4: unexpected ')'" },
	{ "()", "filter: column 2: unexpected ')'" },
	{ "tcp and", "filter: column 8: unexpected end of filter" },
	{ "tcp or", "filter: column 7: unexpected end of filter" },
	{ "and tcp", "filter: column 1: unexpected 'and'" },
	{ "tcp and or udp", "filter: column 9: unexpected 'or'" },
	{ "not", "filter: column 4: unexpected end of filter" },
	{ "! ! !", "filter: column 6: unexpected end of filter" },
	{ "= 5", "filter: column 1: unexpected '='" },
	{ "lt 5", "filter: column 1: unexpected 'lt'" },
	{ "tcp & udp", "filter: column 5: unexpected '&'" },
	{ "tcp | udp", "filter: column 5: unexpected '|'" },
	{ "pkts >", "filter: column 7: unexpected end of filter" },
	{ "gap >", "filter: column 6: unexpected end of filter" },
	{ "pkts > abc", "filter: column 8: 'abc' is not a number" },
	{ "pkts > > 1", "filter: column 8: expected a value after '>'" },
	{ "pkts > -1", "filter: column 8: '-1' is not a number" },
	{ "pkts > 99999999999999999999",
	  "filter: column 8: '99999999999999999999' is not a number" },
	{ "bytes > 1X", "filter: column 9: '1X' is not a number" },
	{ "ploss > nan", "filter: column 9: 'nan' is not a number" },
	{ "pkts", "filter: column 5: expected a comparison operator after "
	  "'pkts'" },
	{ "pkts and tcp", "filter: column 6: expected a comparison operator "
	  "after 'pkts'" },
	{ "evicted", "filter: column 8: expected a comparison operator after "
	  "'evicted'" },
	{ "dur > abc",
	  "filter: column 7: 'abc' is not a duration in seconds" },
	{ "synack > -1",
	  "filter: column 10: '-1' is not a duration in seconds" },
	{ "stime > x",
	  "filter: column 9: 'x' is not a time (seconds since the epoch, "
	  "2026-11-22T03:18:27Z, 2026/11/22.03:18:27)" },
	{ "stime > 1.0000000001", "filter: column 9: '1.0000000001' is not a "
	  "time (seconds since the epoch, 2026-11-22T03:18:27Z, "
	  "2026/11/22.03:18:27)" },
	{ "stime > 2026-13-01", "filter: column 9: '2026-13-01' is not a "
	  "time (seconds since the epoch, 2026-11-22T03:18:27Z, "
	  "2026/11/22.03:18:27)" },
	{ "stime > 2026-02-29T00:00Z", "filter: column 9: "
	  "'2026-02-29T00:00Z' is not a time (seconds since the epoch, "
	  "2026-11-22T03:18:27Z, 2026/11/22.03:18:27)" },
	{ "state FOO", "filter: column 7: 'FOO' is not a state (REQ ACC EST "
	  "FIN CLO RST INT CON)" },
	{ "state", "filter: column 6: unexpected end of filter" },
	{ "state (", "filter: column 7: expected a state after 'state'" },
	{ "end foo", "filter: column 5: 'foo' is not an end reason (fin rst "
	  "idle timeout reuse eof shutdown evicted)" },
	{ "end = bogus", "filter: column 7: 'bogus' is not an end reason (fin "
	  "rst idle timeout reuse eof shutdown evicted)" },
	{ "end", "filter: column 4: unexpected end of filter" },
	{ "proto xyz", "filter: column 7: 'xyz' is not a protocol name or "
	  "number (0-255)" },
	{ "proto 256", "filter: column 7: '256' is not a protocol name or "
	  "number (0-255)" },
	{ "vlan 4096", "filter: column 6: '4096' is not a VLAN id (0-4095)" },
	{ "vlan x", "filter: column 6: 'x' is not a VLAN id (0-4095)" },
	{ "kind = foo",
	  "filter: column 8: 'foo' is not a record kind (status final)" },
	{ "type = x", "filter: column 8: 'x' is not a record type (flow "
	  "sensor)" },
	{ "orient = x", "filter: column 10: 'x' is not an orientation (first "
	  "port synack syn)" },
	{ "src dur > 1", "filter: column 5: no field 'sdur' for 'src dur'" },
	{ "src", "filter: column 4: unexpected end of filter" },
	{ "src > 1", "filter: column 5: expected host, net, port, portrange, "
	  "an address or a field after 'src'" },
	{ "dst tcp", "filter: column 5: expected host, net, port, portrange, "
	  "an address or a field after 'dst'" },
	{ "src pkts", "filter: column 9: expected a comparison operator after "
	  "'src pkts'" },
	{ "tcp > 1", "filter: column 1: 'tcp' is not a field, it cannot be "
	  "compared with '>'" },
	{ "host = 1", "filter: column 1: 'host' is not a field, it cannot be "
	  "compared with '='" },
	{ "tcp and \x01x", "filter: column 9: unknown word '?x'" },
	{ "caf\xc3\xa9", "filter: column 1: unknown word 'caf?" "?'" },
};

TEST(rejects)
{
	char err[256];

	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		memset(err, 'x', sizeof(err));
		CHECK(gf_filter_compile(rejects[i].expr, err, sizeof(err)) ==
		    NULL);
		CHECK_STR(err, rejects[i].err);
	}
}

/* Bounds: word length, nesting depth, expression length. */
TEST(limits)
{
	char err[256], *s;
	size_t n;

	build_records();

	s = malloc(200);
	memset(s, 'a', 128);
	s[128] = '\0';
	CHECK(mask_of(s, err, sizeof(err)) == -1);
	CHECK_STR(err, "filter: column 1: word longer than 127 bytes");
	s[127] = '\0';
	CHECK(mask_of(s, err, sizeof(err)) == -1);
	CHECK_STR(err, "filter: column 1: unknown word "
	    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
	free(s);

	/* 64 levels of parentheses are fine, 65 are not; the 65th '(' is
	 * at column 65. */
	s = malloc(200);
	n = 0;
	for (int i = 0; i < 64; i++)
		s[n++] = '(';
	memcpy(s + n, "tcp", 3);
	n += 3;
	for (int i = 0; i < 64; i++)
		s[n++] = ')';
	s[n] = '\0';
	CHECK(mask_of(s, err, sizeof(err)) == 0x25);
	memmove(s + 1, s, n + 1);
	s[0] = '(';
	strcat(s, ")");
	CHECK(mask_of(s, err, sizeof(err)) == -1);
	CHECK_STR(err, "filter: column 65: nesting deeper than 64");
	free(s);

	/* Exactly the limit of blanks matches all; one more byte is refused. */
	s = malloc(GF_FILTER_MAX_LEN + 2);
	memset(s, ' ', GF_FILTER_MAX_LEN + 1);
	s[GF_FILTER_MAX_LEN] = '\0';
	CHECK(mask_of(s, err, sizeof(err)) == ALL);
	s[GF_FILTER_MAX_LEN] = ' ';
	s[GF_FILTER_MAX_LEN + 1] = '\0';
	CHECK(mask_of(s, err, sizeof(err)) == -1);
	CHECK_STR(err, "filter: expression longer than 65536 bytes");
	free(s);
}

/* Long flat chains must neither recurse deeply nor be slow. */
TEST(long_chains)
{
	char err[256], *s;
	size_t n = 0;

	build_records();
	s = malloc(GF_FILTER_MAX_LEN + 1);

	/* "not not ... tcp": 16000 nots, an even number */
	for (int i = 0; i < 16000; i++) {
		memcpy(s + n, "not ", 4);
		n += 4;
	}
	strcpy(s + n, "tcp");
	CHECK(mask_of(s, err, sizeof(err)) == 0x25);
	strcpy(s + n - 4, "tcp");       /* 15999: odd */
	CHECK(mask_of(s, err, sizeof(err)) == 0x5a);

	/* "udp or udp or ... or tcp": 9000 terms */
	n = 0;
	for (int i = 0; i < 9000; i++) {
		memcpy(s + n, "udp or ", 7);
		n += 7;
	}
	strcpy(s + n, "tcp");
	CHECK(mask_of(s, err, sizeof(err)) == 0x27);

	/* "ip and (tcp or ip and (tcp or ..." alternating, 60 deep */
	n = 0;
	for (int i = 0; i < 60; i++) {
		memcpy(s + n, "ip and (tcp or ", 15);
		n += 15;
	}
	memcpy(s + n, "udp", 3);
	n += 3;
	for (int i = 0; i < 60; i++)
		s[n++] = ')';
	s[n] = '\0';
	/* ip and (tcp or X) with X finally udp: IPv4 and (tcp or udp) */
	CHECK(mask_of(s, err, sizeof(err)) == 0x23);
	free(s);
}

/* Every numeric registry field can be compared, by its gapflow and its
 * argus name, and applies to the record types that have it. */
TEST(registry_fields)
{
	char expr[200];

	build_records();
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		const char *names[2] = { f->name, f->argus };
		int want = 0;

		if (gf_field_find_type(f->name, GF_RT_FLOW) != NULL)
			want |= FLOWS;
		if (gf_field_find_type(f->name, GF_RT_SENSOR) != NULL)
			want |= 0x08;
		for (int k = 0; k < 2; k++) {
			if (names[k] == NULL)
				continue;
			if (f->type == GF_FT_ADDR)
				snprintf(expr, sizeof(expr), "%s = 0.0.0.0/0 or "
				    "%s = ::/0", names[k], names[k]);
			else
				snprintf(expr, sizeof(expr), "%s >= 0",
				    names[k]);
			if (!check_mask(expr, f->type == GF_FT_ADDR ?
			    FLOWS : want))
				CHECK(!"registry field comparison");
		}
	}
}

/* Errors go to short or missing buffers safely. */
TEST(error_buffers)
{
	char small[10];

	CHECK(gf_filter_compile("sgapp", NULL, 0) == NULL);
	CHECK(gf_filter_compile("sgapp", small, 0) == NULL);
	memset(small, 'x', sizeof(small));
	CHECK(gf_filter_compile("sgapp", small, sizeof(small)) == NULL);
	CHECK_STR(small, "filter: c");
}

int
main(void)
{
	RUN(matches);
	RUN(default_type);
	RUN(null_and_empty);
	RUN(rejects);
	RUN(limits);
	RUN(long_chains);
	RUN(registry_fields);
	RUN(error_buffers);
	return test_summary();
}
