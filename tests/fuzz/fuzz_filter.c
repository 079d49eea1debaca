/*
 * fuzz_filter.c - libFuzzer harness for the filter compiler (filter.c).
 *
 * The input, NUL-terminated, is compiled as a filter; if it compiles it is
 * run over a few records of each type and freed; if not, the message must
 * be a terminated "filter: ..." string.  Sanitizers catch the rest.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *       -D_GNU_SOURCE -Icommon tests/fuzz/fuzz_filter.c common/filter.c \
 *       common/fields.c common/names.c common/addr.c common/timefmt.c \
 *       common/log.c -lm
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "filter.h"
#include "gapflow.h"
#include "record.h"

static struct gf_record rec[4];
static int ready;

static void
setup(void)
{
	struct gf_flow *f;

	memset(rec, 0, sizeof(rec));
	f = &rec[0].u.flow;
	rec[0].type = GF_RT_FLOW;
	f->kind = GF_KIND_STATUS;
	f->state = GF_ST_EST;
	f->proto = 6;
	f->vlan = 10;
	f->sport = 1234;
	f->dport = 80;
	f->flgs = GF_F_SGAP;
	f->stime = 1700000000ull * GF_NS_PER_SEC;
	f->ltime = f->stime + 90 * GF_NS_PER_SEC;
	f->synack = 20000000;
	gf_addr_parse("10.0.0.1", &f->saddr);
	gf_addr_parse("10.0.0.2", &f->daddr);
	f->src.pkts = 10;
	f->src.bytes = 5000;
	f->src.gap = 1000;
	f->src.flags = 0x1b;
	f->dst.pkts = 8;
	f->dst.bytes = 2000000;
	f->dst.ackbytes = 4000;

	f = &rec[1].u.flow;
	rec[1].type = GF_RT_FLOW;
	f->kind = GF_KIND_FINAL;
	f->endreason = GF_END_IDLE;
	f->proto = 58;
	f->flgs = GF_F_SIMPLEX;
	gf_addr_parse("2001:db8::1", &f->saddr);
	gf_addr_parse("2001:db8::2", &f->daddr);
	f->src.pkts = 1;

	rec[2].type = GF_RT_SENSOR;
	rec[2].u.sensor.pkts = 12345;
	rec[2].u.sensor.ltime = 60 * GF_NS_PER_SEC;
	rec[2].u.sensor.ackbytes = 1000;

	/* A type no filter knows: every test must just be false. */
	rec[3].type = 99;
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	char *s;
	struct gf_filter *f;

	if (!ready)
		setup();
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	f = gf_filter_compile(s, err, sizeof(err));
	if (f != NULL) {
		for (size_t i = 0; i < sizeof(rec) / sizeof(rec[0]); i++)
			(void)gf_filter_match(f, &rec[i]);
		gf_filter_free(f);
	} else if (strlen(err) >= sizeof(err) ||
	    strncmp(err, "filter: ", 8) != 0) {
		abort();        /* every failure must say why */
	}
	free(s);
	return 0;
}
