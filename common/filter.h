/*
 * filter.h - gapdump's record filter.
 *
 * A tcpdump/ra-style expression is compiled once into a flat array of
 * tests with true/false jumps; matching a record then walks that array
 * without allocating, recursing or failing.  Every syntax and type error
 * is reported with its 1-based column; nothing is silently ignored.  The
 * grammar is documented at the top of filter.c (and in gapdump(1)).
 */
#ifndef GF_FILTER_H
#define GF_FILTER_H

#include <stddef.h>
#include "record.h"

#define GF_FILTER_MAX_LEN   65536   /* bytes of expression text */
#define GF_FILTER_MAX_DEPTH 64      /* nested parentheses */

struct gf_filter;

/*
 * Compile expr.  An empty or NULL expression matches every record.
 * Returns NULL on error, with a message such as
 * "filter: column 12: unknown word 'sgapp'" in err (if err != NULL).
 */
struct gf_filter *gf_filter_compile(const char *expr, char *err,
    size_t errlen);

/*
 * The same, but an expression that names no record type (flow, sensor,
 * type) selects records of deftype only; gf_filter_compile's deftype is
 * GF_RT_FLOW.  The empty expression still matches every record.
 */
struct gf_filter *gf_filter_compile_type(const char *expr, uint16_t deftype,
    char *err, size_t errlen);

/* 1 if r matches, else 0.  A NULL filter matches everything. */
int gf_filter_match(const struct gf_filter *f, const struct gf_record *r);

void gf_filter_free(struct gf_filter *f);

#endif /* GF_FILTER_H */
