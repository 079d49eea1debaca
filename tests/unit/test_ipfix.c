/*
 * test_ipfix.c - the IPFIX encoder (common/ipfix.c) read back by a small
 * decoder of this test's own, written from RFC 7011 §3 (message header,
 * set header, template and options template records, padding) and RFC
 * 5103 §6.1 (reverse elements), not from the encoder; and the definition
 * files in ipfix/ against the encoder's element table.
 *
 * Expected values are set by hand per element (IANA id or PEN:id), from
 * the record this test builds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapflow.h"
#include "ipfix.h"
#include "testlib.h"

/* ---- the test's decoder ------------------------------------------------ */

struct field { uint32_t pen; uint16_t id, len; };
struct tmpl { uint16_t tid, n, scope; struct field f[64]; };

struct decoded {
	int ok;                 /* 0 on any structural error */
	uint16_t length;
	uint32_t export_time, seq, domain;
	int ntemplates, noptemplates;
	int nflow, nopts;       /* data records */
	/* values of the first flow record and first options record */
	struct { uint32_t pen; uint16_t id; uint64_t v; uint8_t raw[16];
	    uint16_t len; } fv[64], ov[8];
	int nfv, nov;
	uint16_t flow_tid;
};

static struct tmpl known[8];
static int nknown;

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

static struct tmpl *
find_tmpl(uint16_t tid)
{
	for (int i = 0; i < nknown; i++)
		if (known[i].tid == tid)
			return &known[i];
	return NULL;
}

/* Field specifiers from p (end e) into t; returns bytes used or -1. */
static int
read_specs(const uint8_t *p, const uint8_t *e, struct tmpl *t)
{
	const uint8_t *s = p;
	for (int i = 0; i < t->n; i++) {
		if (e - p < 4 || i >= 64)
			return -1;
		t->f[i].id = be16(p) & 0x7fff;
		t->f[i].len = be16(p + 2);
		t->f[i].pen = 0;
		if (be16(p) & 0x8000) {
			if (e - p < 8)
				return -1;
			t->f[i].pen = be32(p + 4);
			p += 8;
		} else {
			p += 4;
		}
	}
	return (int)(p - s);
}

static void
decode(const uint8_t *m, size_t len, struct decoded *d)
{
	const uint8_t *p, *end;

	memset(d, 0, sizeof(*d));
	if (len < 16 || be16(m) != 10 || be16(m + 2) != len)
		return;
	d->length = be16(m + 2);
	d->export_time = be32(m + 4);
	d->seq = be32(m + 8);
	d->domain = be32(m + 12);
	p = m + 16;
	end = m + len;
	while (p < end) {
		uint16_t sid, slen;
		const uint8_t *q, *se;
		if (end - p < 4)
			return;
		sid = be16(p);
		slen = be16(p + 2);
		if (slen < 4 || slen > end - p || slen % 4 != 0)
			return;         /* our encoder pads every set to 4 */
		q = p + 4;
		se = p + slen;
		if (sid == 2 || sid == 3) {
			while (se - q >= 4) {
				struct tmpl t;
				int used, hdr = sid == 3 ? 6 : 4;
				if (se - q < hdr)
					break;
				memset(&t, 0, sizeof(t));
				t.tid = be16(q);
				t.n = be16(q + 2);
				t.scope = sid == 3 ? be16(q + 4) : 0;
				if (t.tid == 0 && t.n == 0)
					break;  /* padding */
				used = read_specs(q + hdr, se, &t);
				if (used < 0 || nknown >= 8)
					return;
				q += hdr + used;
				if (find_tmpl(t.tid) == NULL)
					known[nknown++] = t;
				else
					*find_tmpl(t.tid) = t;
				if (sid == 2)
					d->ntemplates++;
				else
					d->noptemplates++;
			}
		} else if (sid >= 256) {
			struct tmpl *t = find_tmpl(sid);
			size_t rl = 0;
			if (t == NULL)
				return;
			for (int i = 0; i < t->n; i++)
				rl += t->f[i].len;
			/* records while a whole one fits; the rest is padding,
			 * shorter than a record (RFC 7011 §3.3.1) and zero */
			while ((size_t)(se - q) >= rl) {
				int first = t->scope ? d->nopts == 0 :
				    d->nflow == 0;
				for (int i = 0; i < t->n && first; i++) {
					uint64_t v = 0;
					for (int b = 0; b < t->f[i].len && b < 8; b++)
						v = v << 8 | q[b];
					if (t->scope) {
						d->ov[d->nov].pen = t->f[i].pen;
						d->ov[d->nov].id = t->f[i].id;
						d->ov[d->nov++].v = v;
					} else {
						d->fv[d->nfv].pen = t->f[i].pen;
						d->fv[d->nfv].id = t->f[i].id;
						d->fv[d->nfv].len = t->f[i].len;
						memcpy(d->fv[d->nfv].raw, q,
						    t->f[i].len > 16 ? 16 : t->f[i].len);
						d->fv[d->nfv++].v = v;
						d->flow_tid = sid;
					}
					q += t->f[i].len;
				}
				if (!first)
					q += rl;
				if (t->scope)
					d->nopts++;
				else
					d->nflow++;
			}
			for (; q < se; q++)
				if (*q != 0)
					return;
		} else {
			return;
		}
		p = se;
	}
	d->ok = 1;
}

static const uint64_t *
value(const struct decoded *d, uint32_t pen, uint16_t id)
{
	for (int i = 0; i < d->nfv; i++)
		if (d->fv[i].pen == pen && d->fv[i].id == id)
			return &d->fv[i].v;
	return NULL;
}

/* ---- the record ----------------------------------------------------------- */

static void
sample(struct gf_flow *f, int v6)
{
	memset(f, 0, sizeof(*f));
	f->kind = GF_KIND_FINAL;
	f->endreason = GF_END_RST;
	f->orient = GF_ORIENT_SYN;
	f->proto = 6;
	f->vlan = 42;
	f->sport = 40000;
	f->dport = 443;
	f->flgs = GF_F_SGAP | GF_F_DLOSS;
	f->flowid = 0x0000000500000007ull;
	f->stime = 1700000000123456789ull;      /* ms: 1700000000123 */
	f->ltime = 1700000001999999999ull;      /* ms: 1700000001999 */
	f->saddr.family = f->daddr.family = v6 ? 6 : 4;
	for (int i = 0; i < 16; i++) {
		f->saddr.a[i] = (uint8_t)(0x20 + i);
		f->daddr.a[i] = (uint8_t)(0x40 + i);
	}
	f->src.pkts = 11; f->dst.pkts = 9;
	f->src.bytes = 2000; f->dst.bytes = 90000;
	f->src.ipbytes = 1846; f->dst.ipbytes = 88740;
	f->src.appbytes = 1400; f->dst.appbytes = 88000;
	f->src.gap = 1448; f->dst.gap = 2896;
	f->src.loss = 1; f->dst.loss = 3;
	f->src.lossbytes = 100; f->dst.lossbytes = 4344;
	f->src.ooo = 2; f->dst.ooo = 5;
	f->src.gapev = 1; f->dst.gapev = 2;
	f->src.ackbytes = 1400; f->dst.ackbytes = 88000;
	f->src.dups = 6; f->dst.dups = 8;
	f->src.flags = 0x1b; f->dst.flags = 0x16;
}

#define PEN     GF_IPFIX_PEN_DEFAULT
#define REV     GF_IPFIX_PEN_REVERSE
static const struct { uint32_t pen; uint16_t id; uint64_t want; } expect[] = {
	{ 0, 7, 40000 }, { 0, 11, 443 }, { 0, 4, 6 },
	{ 0, 6, 0x1b }, { REV, 6, 0x16 }, { 0, 58, 42 },
	{ 0, 239, 1 },                  /* biflowDirection initiator (SYN) */
	{ 0, 136, 3 },                  /* flowEndReason endOfFlowDetected */
	{ 0, 152, 1700000000123ull }, { 0, 153, 1700000001999ull },
	{ 0, 1, 1846 }, { REV, 1, 88740 }, { 0, 2, 11 }, { REV, 2, 9 },
	{ 0, 352, 2000 }, { REV, 352, 90000 },
	{ 0, 148, 0x0000000500000007ull },
	{ PEN, 1001, 1448 }, { PEN, 1001 | 0x4000, 2896 },
	{ PEN, 1002, 1 }, { PEN, 1002 | 0x4000, 3 },
	{ PEN, 1003, 100 }, { PEN, 1003 | 0x4000, 4344 },
	{ PEN, 1004, 2 }, { PEN, 1004 | 0x4000, 5 },
	{ PEN, 1005, 1 }, { PEN, 1005 | 0x4000, 2 },
	{ PEN, 1006, 1400 }, { PEN, 1006 | 0x4000, 88000 },
	{ PEN, 1007, 6 }, { PEN, 1007 | 0x4000, 8 },
	{ PEN, 1008, 1400 }, { PEN, 1008 | 0x4000, 88000 },
	{ PEN, 1009, GF_KIND_FINAL }, { PEN, 1010, GF_F_SGAP | GF_F_DLOSS },
};

static struct gf_ipfix enc;

TEST(round_trip_v4_v6)
{
	for (int v6 = 0; v6 < 2; v6++) {
		struct gf_flow f;
		struct decoded d;
		uint32_t nflow;
		size_t len;
		const uint64_t *a;

		sample(&f, v6);
		nknown = 0;
		gf_ipfix_init(&enc, PEN, 77, 1472);
		CHECK(gf_ipfix_add_flow(&enc, &f, 1234567) == 0);
		len = gf_ipfix_take(&enc, &nflow);
		CHECK_U64(nflow, 1);
		decode(enc.msg, len, &d);
		CHECK(d.ok);
		CHECK_U64(d.export_time, 1234567);
		CHECK_U64(d.seq, 0);
		CHECK_U64(d.domain, 77);
		CHECK_U64(d.ntemplates, 2);     /* IPv4 and IPv6 */
		CHECK_U64(d.noptemplates, 1);
		CHECK_U64(d.nflow, 1);
		CHECK_U64(d.flow_tid, v6 ? 257 : 256);
		for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
			const uint64_t *v = value(&d, expect[i].pen, expect[i].id);
			if (v == NULL) {
				printf("  element %u/%u missing\n",
				    (unsigned)expect[i].pen, (unsigned)expect[i].id);
				CHECK(0);
				continue;
			}
			if (*v != expect[i].want)
				printf("  element %u/%u\n", (unsigned)expect[i].pen,
				    (unsigned)expect[i].id);
			CHECK_U64(*v, expect[i].want);
		}
		/* addresses, raw */
		for (int i = 0; i < d.nfv; i++) {
			uint16_t id = d.fv[i].id;
			if (d.fv[i].pen != 0)
				continue;
			if (id == 8 || id == 27)
				CHECK(memcmp(d.fv[i].raw, f.saddr.a, d.fv[i].len) == 0);
			if (id == 12 || id == 28)
				CHECK(memcmp(d.fv[i].raw, f.daddr.a, d.fv[i].len) == 0);
		}
		a = value(&d, 0, v6 ? 27 : 8);
		CHECK(a != NULL);
		CHECK(value(&d, 0, v6 ? 8 : 27) == NULL);
		CHECK_U64(d.nfv, 37);
	}
}

TEST(end_reasons)
{
	static const struct { int kind, end, want; } t[] = {
		{ GF_KIND_STATUS, GF_END_NONE, 2 }, { GF_KIND_FINAL, GF_END_IDLE, 1 },
		{ GF_KIND_FINAL, GF_END_FIN, 3 }, { GF_KIND_FINAL, GF_END_RST, 3 },
		{ GF_KIND_FINAL, GF_END_REUSE, 3 }, { GF_KIND_FINAL, GF_END_EOF, 4 },
		{ GF_KIND_FINAL, GF_END_SHUTDOWN, 4 },
		{ GF_KIND_FINAL, GF_END_EVICTED, 5 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gf_flow f;
		memset(&f, 0, sizeof(f));
		f.kind = (uint8_t)t[i].kind;
		f.endreason = (uint8_t)t[i].end;
		CHECK_U64(gf_ipfix_end_reason(&f), t[i].want);
	}
}

/* Many records: every message within the MTU, the sequence number counts
 * the data records before it, templates only in the first message and
 * again when asked; a reset starts at 0 with templates. */
TEST(mtu_sequence_templates)
{
	static const size_t mtus[] = { 576, 1472, 9000 };
	for (size_t m = 0; m < 3; m++) {
		struct gf_flow f;
		uint32_t sent = 0, nmsg = 0;
		int with_templates = 0;
		nknown = 0;
		gf_ipfix_init(&enc, PEN, 1, mtus[m]);
		for (int i = 0; i < 1000; i++) {
			int rc;
			sample(&f, i % 3 == 0);
			f.flowid = (uint64_t)i;
			if (i == 500)
				gf_ipfix_want_templates(&enc);
			while ((rc = gf_ipfix_add_flow(&enc, &f, 1)) == 1 ||
			    (i == 999 && rc == 0)) {
				struct decoded d;
				uint32_t n;
				size_t len = gf_ipfix_take(&enc, &n);
				if (rc == 0 && len == 0)
					break;
				decode(enc.msg, len, &d);
				CHECK(d.ok);
				CHECK(len <= mtus[m]);
				CHECK_U64(d.seq, sent);
				CHECK_U64(d.nflow, n);
				if (d.ntemplates > 0)
					with_templates++;
				sent += n;
				nmsg++;
				if (rc == 0)
					break;
			}
			CHECK(rc == 0);
		}
		CHECK_U64(sent, 1000);
		/* the first message and the one after the request; at 576
		 * bytes the templates travel alone */
		CHECK_U64(with_templates, 2);
		CHECK(nmsg > 1);
		gf_ipfix_reset(&enc);
		sample(&f, 0);
		CHECK(gf_ipfix_add_flow(&enc, &f, 1) >= 0);
		{
			struct decoded d;
			uint32_t n;
			size_t len = gf_ipfix_take(&enc, &n);
			decode(enc.msg, len, &d);
			CHECK_U64(d.seq, 0);
			CHECK(d.ntemplates == 2);
		}
	}
}

/* Records of the two templates in turn, so that every record opens a set
 * and closes one that needs padding (194 and 218 bytes, 2 over a multiple
 * of 4): at every MTU from 576 to 1600 no message is longer than the MTU,
 * and the closed set's padding is counted before the new set's header.
 * E.g. at 1000 bytes: 16 header, v4 set 4 + 194 + 2 pad, v6 set 4 + 218
 * + 2, v4 set 4 + 194 + 2 = 640; a v6 record would need 640 + 4 + 218 +
 * 2 = 864, and another v4 set 864 + 4 + 194 + 2 = 1064 > 1000: a second
 * message after 4 records (864 bytes), then 4 more. */
TEST(set_padding_within_mtu)
{
	for (size_t mtu = 576; mtu <= 1600; mtu++) {
		struct gf_flow f;
		int over = 0;
		nknown = 0;
		gf_ipfix_init(&enc, PEN, 1, mtu);
		enc.want_templates = 0;
		for (int i = 0; i < 40; i++) {
			uint32_t n;
			size_t len;
			sample(&f, i % 2);
			if (gf_ipfix_add_flow(&enc, &f, 1) == 0)
				continue;
			len = gf_ipfix_take(&enc, &n);
			if (len > mtu)
				over++;
			CHECK(gf_ipfix_add_flow(&enc, &f, 1) == 0);
		}
		if (over > 0)
			printf("  mtu %zu: %d messages longer\n", mtu, over);
		CHECK(over == 0);
	}
	{
		/* the worked example, templates known from a first message */
		struct gf_flow f;
		struct decoded d;
		uint32_t n;
		size_t len;
		nknown = 0;
		gf_ipfix_init(&enc, PEN, 1, 1000);
		sample(&f, 0);
		CHECK(gf_ipfix_add_flow(&enc, &f, 1) == 0);
		len = gf_ipfix_take(&enc, &n);
		decode(enc.msg, len, &d);
		CHECK(d.ok);
		for (int m = 0; m < 2; m++) {
			int i = 0;
			while (sample(&f, i % 2), gf_ipfix_add_flow(&enc, &f, 1) == 0)
				i++;
			CHECK_U64(i, 4);
			len = gf_ipfix_take(&enc, &n);
			CHECK_U64(len, 864);
			CHECK_U64(n, 4);
			decode(enc.msg, len, &d);
			CHECK(d.ok);
			CHECK_U64(d.nflow, 4);
		}
	}
}

TEST(options_record)
{
	struct gf_ipfix_stats s = { 42, 135, 164, 166 };
	struct decoded d;
	uint32_t n;
	size_t len;

	nknown = 0;
	gf_ipfix_init(&enc, PEN, 9, 1472);
	CHECK(gf_ipfix_add_stats(&enc, &s, 5) == 0);
	len = gf_ipfix_take(&enc, &n);
	CHECK_U64(n, 0);                /* not a flow record */
	decode(enc.msg, len, &d);
	CHECK(d.ok);
	CHECK_U64(d.nopts, 1);
	CHECK_U64(d.nov, 5);
	CHECK_U64(d.ov[0].id, 149); CHECK_U64(d.ov[0].v, 9);
	CHECK_U64(d.ov[1].id, 42); CHECK_U64(d.ov[1].v, 42);
	CHECK_U64(d.ov[2].id, 135); CHECK_U64(d.ov[2].v, 135);
	CHECK_U64(d.ov[3].id, 164); CHECK_U64(d.ov[3].v, 164);
	CHECK_U64(d.ov[4].id, 166); CHECK_U64(d.ov[4].v, 166);
	/* options records count in the sequence (RFC 7011 §3.1) */
	CHECK(gf_ipfix_add_stats(&enc, &s, 5) == 0);
	len = gf_ipfix_take(&enc, &n);
	decode(enc.msg, len, &d);
	CHECK_U64(d.seq, 1);
}

TEST(no_address_refused)
{
	struct gf_flow f;
	sample(&f, 0);
	f.saddr.family = f.daddr.family = 0;
	gf_ipfix_init(&enc, PEN, 1, 1472);
	CHECK(gf_ipfix_add_flow(&enc, &f, 1) == -1);
	f.saddr.family = 4;
	f.daddr.family = 6;
	CHECK(gf_ipfix_add_flow(&enc, &f, 1) == -1);
}

/* Each of gapflow's elements, forward and reverse, in every definition
 * file, with its id under PEN 32473 (and its width where a file says). */
TEST(definition_files)
{
	char *fix = tl_slurp(tl_repo_file("ipfix/gapflow-fixbuf.xml"));
	char *fds = tl_slurp(tl_repo_file("ipfix/gapflow-libfds.xml"));
	char *pm = tl_slurp(tl_repo_file("ipfix/gapflow-pmacct.lst"));
	char *ls = tl_slurp(tl_repo_file("ipfix/gapflow-logstash.yml"));
	char *man = tl_slurp(tl_repo_file("man/gapflow-ipfix.5"));
	char want[256];

	CHECK(fix && fds && pm && ls && man);
	if (!(fix && fds && pm && ls && man))
		goto out;
	for (size_t i = 0; i < gf_ipfix_nelements; i++) {
		const struct gf_ipfix_element *el = &gf_ipfix_elements[i];
		unsigned id = el->id | (el->space == GF_IE_PEN_REV ? 0x4000 : 0);
		const char *ty = el->len == 8 ? "uint64" : el->len == 4 ?
		    "uint32" : el->len == 2 ? "uint16" : "uint8";
		char *at;
		/* every element, IANA's too, is in the man page's table */
		snprintf(want, sizeof(want), "%s", el->name);
		if (strstr(man, want) == NULL) {
			printf("  %s not in gapflow-ipfix(5)\n", el->name);
			CHECK(0);
		}
		if (el->space != GF_IE_PEN && el->space != GF_IE_PEN_REV)
			continue;
		snprintf(want, sizeof(want), "  %u:\n  - :%s\n  - :%s\n", id, ty,
		    el->name);
		if (strstr(ls, want) == NULL) {
			printf("  %s not in gapflow-logstash.yml\n", el->name);
			CHECK(0);
		}
		snprintf(want, sizeof(want), "field_type=%u:%u\tlen=%u\t",
		    GF_IPFIX_PEN_DEFAULT, id, el->len);
		if (strstr(pm, want) == NULL) {
			printf("  %s not in gapflow-pmacct.lst\n", el->name);
			CHECK(0);
		}
		if (el->space == GF_IE_PEN_REV)
			continue;       /* derived by fixbuf and libfds */
		snprintf(want, sizeof(want), "<id>%u</id>\n        <name>%s</name>",
		    id, el->name);
		if (strstr(fds, want) == NULL) {
			printf("  %s not in gapflow-libfds.xml\n", el->name);
			CHECK(0);
		}
		snprintf(want, sizeof(want), "<name>%s</name>", el->name);
		at = strstr(fix, want);
		snprintf(want, sizeof(want), "<elementId>%u</elementId>", id);
		if (at == NULL || strstr(at, want) == NULL ||
		    strstr(at, "</record>") < strstr(at, want)) {
			printf("  %s not in gapflow-fixbuf.xml\n", el->name);
			CHECK(0);
		}
		/* a pair's forward element is marked reversible */
		if (i + 1 < gf_ipfix_nelements &&
		    gf_ipfix_elements[i + 1].space == GF_IE_PEN_REV && at != NULL) {
			char *r = strstr(at, "<cert:reversible>true");
			CHECK(r != NULL && r < strstr(at, "</record>"));
		}
	}
out:
	free(fix);
	free(fds);
	free(pm);
	free(ls);
	free(man);
}

int
main(void)
{
	RUN(round_trip_v4_v6);
	RUN(end_reasons);
	RUN(mtu_sequence_templates);
	RUN(set_padding_within_mtu);
	RUN(options_record);
	RUN(no_address_refused);
	RUN(definition_files);
	return test_summary();
}
