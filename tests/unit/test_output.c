/*
 * test_output.c - the printers' fast formatting path against the
 * registry's formatter, on hostile values, in every format and time mode.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "testlib.h"
#include "timefmt.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A record with random bytes in every field, values drawn to hit edges:
 * 0, all ones, exact seconds, 999999500 ns, large times. */
static void
random_record(struct gf_record *r, uint16_t type)
{
	static const uint64_t edges[] = {
		0, 1, 499, 500, 999, 999999500, 1000000000, UINT64_MAX,
		1767225600000000000ull, 1767225600999999999ull,
	};
	memset(r, 0, sizeof(*r));
	r->type = type;
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		uint64_t v = next();
		if (f->rtype != type || f->wire == 0)
			continue;
		if (f->type == GF_FT_ADDR) {
			struct gf_addr *a = (struct gf_addr *)((unsigned char *)
			    gf_record_body_mut(r) + f->offset);
			a->family = (uint8_t)(v % 3 == 0 ? 0 : v % 3 == 1 ? 4 : 6);
			for (int j = 0; j < 16; j++)
				a->a[j] = (uint8_t)next();
			continue;
		}
		if (v % 4 == 0)
			v = edges[(v >> 8) % (sizeof(edges) / sizeof(edges[0]))];
		else if (v % 4 == 1)
			v = 1767225600000000000ull + v % 100000000000000ull;
		gf_field_set_u64(f, r, v);
	}
}

/* Print every field of n random records as CSV (no quoting happens:
 * no value has a comma) and compare each cell with gf_field_format. */
static int
compare(int numeric, enum gf_time_mode mode)
{
	struct output o;
	FILE *fp = tmpfile();
	char line[65536], want[256];
	int bad = 0;

	gf_time_set_mode(mode);
	output_init(&o, fp);
	o.fmt = OUT_CSV;
	o.header = 0;
	o.numeric = numeric;
	o.delim = '|';
	o.list[GF_RT_FLOW].n = o.list[GF_RT_SENSOR].n = 0;
	for (size_t i = 0; i < gf_nfields; i++) {
		struct out_list *l = &o.list[gf_fields[i].rtype];
		l->col[l->n].f = &gf_fields[i];
		l->col[l->n].width = 8;
		l->n++;
	}
	for (int k = 0; k < 400; k++) {
		struct gf_record r;
		char *save = NULL, *cell;
		int col = 0;
		random_record(&r, k % 2 ? GF_RT_FLOW : GF_RT_SENSOR);
		output_record(&o, &r);
		output_flush(&o);
		rewind(fp);
		if (fgets(line, sizeof(line), fp) == NULL)
			return -1;
		rewind(fp);
		line[strcspn(line, "\n")] = '\0';
		for (cell = strtok_r(line, "|", &save); cell != NULL;
		    cell = strtok_r(NULL, "|", &save), col++) {
			const struct gf_field *f = o.list[r.type].col[col].f;
			gf_field_format(f, &r, numeric, want, sizeof(want));
			if (strcmp(cell, want) != 0 && bad++ < 5)
				printf("  %s: fast '%s', registry '%s'\n",
				    f->name, cell, want);
		}
		if (col != o.list[r.type].n && bad++ < 5)
			printf("  %d cells of %d\n", col, o.list[r.type].n);
	}
	fclose(fp);
	gf_time_set_mode(GF_TIME_UTC);
	return bad;
}

TEST(fast_path_equals_registry_utc)
{
	CHECK(compare(0, GF_TIME_UTC) == 0);
	CHECK(compare(1, GF_TIME_UTC) == 0);
}

TEST(fast_path_equals_registry_epoch_and_local)
{
	CHECK(compare(0, GF_TIME_EPOCH) == 0);
	setenv("TZ", "America/St_Johns", 1);    /* a half-hour offset */
	CHECK(compare(0, GF_TIME_LOCAL) == 0);
}

int
main(void)
{
	RUN(fast_path_equals_registry_utc);
	RUN(fast_path_equals_registry_epoch_and_local);
	return test_summary();
}
