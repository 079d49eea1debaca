/*
 * test_sort.c - --sort and --top: key order, stability, the top-N heap.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "sort.h"
#include "testlib.h"

struct capture {
	struct gf_record rec[512];
	int n;
};

static void
capture_put(void *ctx, const struct gf_record *r)
{
	struct capture *c = ctx;
	if (c->n < 512)
		c->rec[c->n] = *r;
	c->n++;
}

/* A flow record whose flowid tells the test which one it is. */
static struct gf_record
rec(uint64_t id, uint64_t sbytes, uint16_t dport, const char *saddr)
{
	struct gf_record r;
	memset(&r, 0, sizeof(r));
	r.type = GF_RT_FLOW;
	r.u.flow.flowid = id;
	r.u.flow.src.bytes = sbytes;
	r.u.flow.dport = dport;
	gf_addr_parse(saddr, &r.u.flow.saddr);
	return r;
}

static void
spec(struct sort_spec *s, const char *text)
{
	char err[256];
	memset(s, 0, sizeof(*s));
	if (sort_parse(s, text, err, sizeof(err)) != 0)
		printf("  sort '%s': %s\n", text, err);
}

static void
run(const char *keys, uint64_t top, struct gf_record *in, int n,
    struct capture *cap)
{
	struct sort_spec s;
	struct sink out = { capture_put, cap };
	struct sorter *st;

	spec(&s, keys);
	cap->n = 0;
	st = sorter_new(&s, top, out);
	for (int i = 0; i < n; i++)
		sorter_put(st, &in[i]);
	sorter_finish(st);
	sorter_free(st);
}

/*
 * dport ascending, then bytes descending; records 2 and 4 tie on both
 * and keep their input order:
 *   id  dport  bytes      order: 3 (80, 50), 1 (80, 10),
 *   1   80     10                2 (443, 7), 4 (443, 7), 5 (443, 1)
 *   2   443    7
 *   3   80     50
 *   4   443    7
 *   5   443    1
 */
TEST(two_keys_with_ties)
{
	struct gf_record in[5] = {
		rec(1, 10, 80, "10.0.0.1"), rec(2, 7, 443, "10.0.0.1"),
		rec(3, 50, 80, "10.0.0.1"), rec(4, 7, 443, "10.0.0.1"),
		rec(5, 1, 443, "10.0.0.1"),
	};
	uint64_t want[5] = { 3, 1, 2, 4, 5 };
	static struct capture cap;

	run("dport,sbytes:desc", 0, in, 5, &cap);
	CHECK(cap.n == 5);
	for (int i = 0; i < 5; i++)
		CHECK_U64(cap.rec[i].u.flow.flowid, want[i]);
}

/* Addresses sort by family, then bytes: every IPv4 before IPv6; a
 * derived field (bytes) and :asc are accepted. */
TEST(addresses_and_derived)
{
	struct gf_record in[4] = {
		rec(1, 5, 0, "fd00::1"), rec(2, 9, 0, "10.0.0.20"),
		rec(3, 1, 0, "10.0.0.3"), rec(4, 3, 0, "192.168.0.1"),
	};
	uint64_t want_addr[4] = { 3, 2, 4, 1 }, want_bytes[4] = { 2, 1, 4, 3 };
	static struct capture cap;

	run("saddr:asc", 0, in, 4, &cap);
	for (int i = 0; i < 4; i++)
		CHECK_U64(cap.rec[i].u.flow.flowid, want_addr[i]);
	run("bytes:desc", 0, in, 4, &cap);
	for (int i = 0; i < 4; i++)
		CHECK_U64(cap.rec[i].u.flow.flowid, want_bytes[i]);
}

/* Records without the key (sensor records by saddr) go last, in either
 * direction. */
TEST(absent_field_last)
{
	struct gf_record in[3];
	static struct capture cap;

	in[0] = rec(1, 0, 0, "10.0.0.9");
	memset(&in[1], 0, sizeof(in[1]));
	in[1].type = GF_RT_SENSOR;
	in[2] = rec(2, 0, 0, "10.0.0.1");
	run("saddr:desc", 0, in, 3, &cap);
	CHECK(cap.n == 3);
	CHECK_U64(cap.rec[0].u.flow.flowid, 1);
	CHECK_U64(cap.rec[1].u.flow.flowid, 2);
	CHECK(cap.rec[2].type == GF_RT_SENSOR);
}

/* --top N keeps a heap of N and gives exactly the first N of the stable
 * full sort, ties included, for every N. */
TEST(top_equals_sorted_prefix)
{
	static struct gf_record in[300];
	static struct capture full, top;
	unsigned seed = 7;

	for (int i = 0; i < 300; i++) {
		seed = seed * 1103515245u + 12345u;
		in[i] = rec((uint64_t)i, (seed >> 16) % 20, 0, "10.0.0.1");
	}
	run("sbytes:desc", 0, in, 300, &full);
	for (uint64_t n = 1; n <= 310; n += 17) {
		int ok = 1;
		run("sbytes:desc", n, in, 300, &top);
		CHECK_U64(top.n, n < 300 ? n : 300);
		for (int i = 0; i < top.n; i++)
			if (top.rec[i].u.flow.flowid !=
			    full.rec[i].u.flow.flowid)
				ok = 0;
		CHECK(ok);
	}
}

TEST(parse_errors)
{
	struct sort_spec s;
	char err[256];

	memset(&s, 0, sizeof(s));
	CHECK(sort_parse(&s, "bytes,nosuch", err, sizeof(err)) == -1);
	CHECK(strstr(err, "unknown field 'nosuch'") != NULL);
	memset(&s, 0, sizeof(s));
	CHECK(sort_parse(&s, "bytes:down", err, sizeof(err)) == -1);
	CHECK(strstr(err, ":asc or :desc") != NULL);
	memset(&s, 0, sizeof(s));
	CHECK(sort_parse(&s, "", err, sizeof(err)) == -1);
}

int
main(void)
{
	RUN(two_keys_with_ties);
	RUN(addresses_and_derived);
	RUN(absent_field_last);
	RUN(top_equals_sorted_prefix);
	RUN(parse_errors);
	return test_summary();
}
