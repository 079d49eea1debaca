/*
 * sink.h - where a stage of gapdump hands its records: a function and its
 * context.  Reading, aggregation, sorting and printing are chained through
 * sinks, so each stage knows only the next one.
 */
#ifndef GF_SINK_H
#define GF_SINK_H

#include "record.h"

struct sink {
	void (*put)(void *ctx, const struct gf_record *r);
	void *ctx;
};

static inline void
sink_put(const struct sink *s, const struct gf_record *r)
{
	s->put(s->ctx, r);
}

#endif /* GF_SINK_H */
