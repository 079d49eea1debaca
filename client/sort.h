/*
 * sort.h - gapdump --sort and --top: records in the order of fields.
 *
 * Promise: records are ordered by the listed fields in turn (numbers by
 * value, integers exactly, addresses by family then bytes), ascending
 * unless a key says ":desc".  Records equal on every key keep their
 * arrival order: the sort is stable.  A record that lacks a key field (a
 * sensor record sorted by saddr) goes after those that have it.  With
 * --top N only a heap of the N best records is kept, so memory is bounded
 * by N whatever the input; a full sort holds every record until the end.
 */
#ifndef GF_SORT_H
#define GF_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "sink.h"

#define SORT_MAX_KEYS 16

struct sort_key {
	const struct gf_field *f[3];    /* by record type; NULL: absent */
	int desc;
};

struct sort_spec {
	int n;
	struct sort_key k[SORT_MAX_KEYS];
};

/*
 * Parse "FIELD[:desc|:asc][,FIELD...]" into s (keys are appended).
 * Returns 0, or -1 with a message naming the field in err.
 */
int sort_parse(struct sort_spec *s, const char *spec, char *err,
    size_t errlen);

/* <0, 0, >0 as a goes before, ties with, or goes after b. */
int sort_cmp(const struct sort_spec *s, const struct gf_record *a,
    const struct gf_record *b);

struct sorter;

/* top == 0: keep and sort everything. */
struct sorter *sorter_new(const struct sort_spec *s, uint64_t top,
    struct sink out);
/* A sink function: ctx is the sorter. */
void sorter_put(void *ctx, const struct gf_record *r);
/* Sort what was kept and hand it on. */
void sorter_finish(struct sorter *st);
void sorter_free(struct sorter *st);

#endif /* GF_SORT_H */
