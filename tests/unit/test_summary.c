/*
 * test_summary.c - the end-of-run totals and lines (sensor/summary.c):
 * flow counts from FLOW records (a flow with a gap in any record counts
 * once), SENSOR records summed, numbers with separators, and the exact
 * lines said on stderr, the shortwire line included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gapflow.h"
#include "log.h"
#include "summary.h"
#include "testlib.h"

static struct gf_record
flowrec(uint32_t idx, uint32_t gen, int kind, uint32_t sgap, uint32_t dgap,
    uint32_t flgs)
{
	struct gf_record r;
	memset(&r, 0, sizeof(r));
	r.type = GF_RT_FLOW;
	r.u.flow.flowid = ((uint64_t)gen << 32) | idx;
	r.u.flow.kind = (uint8_t)kind;
	r.u.flow.src.gap = sgap;
	r.u.flow.dst.gap = dgap;
	r.u.flow.flgs = flgs;
	return r;
}

static struct gf_record
sensorrec(uint64_t pkts, uint64_t flows, uint64_t gapbytes, uint64_t ackbytes)
{
	struct gf_record r;
	memset(&r, 0, sizeof(r));
	r.type = GF_RT_SENSOR;
	r.u.sensor.pkts = pkts;
	r.u.sensor.flows = flows;
	r.u.sensor.gapbytes = gapbytes;
	r.u.sensor.ackbytes = ackbytes;
	return r;
}

/* What summary_print() says, through a file in place of stderr. */
static char *
said(const struct summary *s, const struct capture *cap, int totals)
{
	char path[] = "/tmp/gf_test_summary.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char *text;

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	summary_print(s, cap, totals, 0);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	text = tl_slurp(path);
	unlink(path);
	return text;
}

TEST(count_separators)
{
	char b[32];
	CHECK_STR(summary_count(0, b, sizeof(b)), "0");
	CHECK_STR(summary_count(999, b, sizeof(b)), "999");
	CHECK_STR(summary_count(1000, b, sizeof(b)), "1,000");
	CHECK_STR(summary_count(28640, b, sizeof(b)), "28,640");
	CHECK_STR(summary_count(1234567, b, sizeof(b)), "1,234,567");
	CHECK_STR(summary_count(UINT64_MAX, b, sizeof(b)),
	    "18,446,744,073,709,551,615");
}

TEST(flow_counts)
{
	struct summary s;
	struct gf_record r;

	summary_init(&s, 100);
	/* flow 3: a gap in its first STATUS only, then a clean FINAL */
	r = flowrec(3, 1, GF_KIND_STATUS, 0, 10, 0); summary_record(&s, &r);
	r = flowrec(3, 1, GF_KIND_STATUS, 5, 0, 0); summary_record(&s, &r);
	r = flowrec(3, 1, GF_KIND_FINAL, 0, 0, 0); summary_record(&s, &r);
	/* flow 4: simplex, no gap */
	r = flowrec(4, 1, GF_KIND_FINAL, 0, 0, GF_F_SIMPLEX);
	summary_record(&s, &r);
	/* index 3 again, a new flow without a gap: the bit was cleared */
	r = flowrec(3, 2, GF_KIND_FINAL, 0, 0, 0); summary_record(&s, &r);
	/* a gap in the FINAL record alone, simplex */
	r = flowrec(7, 1, GF_KIND_FINAL, 1, 0, GF_F_SIMPLEX);
	summary_record(&s, &r);
	/* an index beyond the table: counted on its own record */
	r = flowrec(500, 1, GF_KIND_FINAL, 0, 2, 0); summary_record(&s, &r);
	CHECK_U64(s.flows, 5);
	CHECK_U64(s.gapflows, 3);
	CHECK_U64(s.simplexflows, 2);
	/* SENSOR records add up; the table's size is the last one */
	r = sensorrec(10, 4, 100, 1000); summary_record(&s, &r);
	r = sensorrec(5, 2, 0, 3000); summary_record(&s, &r);
	CHECK_U64(s.tot.u.sensor.pkts, 15);
	CHECK_U64(s.tot.u.sensor.flows, 2);
	CHECK_U64(s.tot.u.sensor.gapbytes, 100);
	CHECK_U64(s.tot.u.sensor.ackbytes, 4000);
	summary_free(&s);
}

TEST(lines)
{
	struct summary s;
	struct capture cap;
	struct capture_source src[2];
	struct gf_record r;
	char *text;

	memset(&cap, 0, sizeof(cap));
	memset(src, 0, sizeof(src));
	cap.src = src;
	cap.n = 2;
	src[0].name = "a.pcap";
	src[1].name = "b.pcap";
	summary_init(&s, 16);
	/* nothing skipped, no shortwire, no totals: silence */
	text = said(&s, &cap, 0);
	CHECK_STR(text, "");
	free(text);
	/* b.pcap skipped frames; a.pcap none */
	src[0].cnt.frames = 10;
	src[1].cnt.frames = 28640;
	summary_skip(&src[1], 0, GF_BAD_IP_LEN);
	src[1].cnt.bad[GF_BAD_IP_LEN] = 1200;
	summary_skip(&src[1], 0, GF_BAD_TRUNC_LINK);
	src[1].cnt.bad[GF_BAD_TRUNC_LINK] = 34;
	summary_skip(&src[1], 1, 0);
	r = sensorrec(28650, 0, 2896, 35949);
	r.u.sensor.shortwire = 18819;
	r.u.sensor.bad[GF_BAD_IP_LEN] = 1200;
	r.u.sensor.bad[GF_BAD_TRUNC_LINK] = 34;
	r.u.sensor.nonip = 1;
	r.u.sensor.evicted = 2;
	r.u.sensor.recdrops = 3;
	summary_record(&s, &r);
	r = flowrec(1, 1, GF_KIND_FINAL, 0, 2896, GF_F_SIMPLEX);
	summary_record(&s, &r);
	text = said(&s, &cap, 1);
	CHECK_STR(text,
	    "gapflow: b.pcap: 1,235 of 28,640 frames skipped: link-layer "
	    "header truncated 34, IP total/payload length inconsistent 1,200, "
	    "not IP (ARP, LLDP, ...) 1\n"
	    "gapflow: 18,819 frames were decoded with the length in their IP "
	    "header: the capture recorded a wire length shorter than the IP "
	    "datagram (its writer lost the original lengths), so they are "
	    "kept in their flows as sent\n"
	    "gapflow: 28,650 packets, 1 flows, 1 with gaps, gap 2,896 bytes "
	    "(8.056 %), 1 simplex, 1,235 frames skipped, 2 flows evicted, 3 "
	    "records dropped\n");
	free(text);
	summary_free(&s);
}

int
main(void)
{
	gf_log_init("gapflow");
	RUN(count_separators);
	RUN(flow_counts);
	RUN(lines);
	return test_summary();
}
