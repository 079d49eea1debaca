/*
 * summary.h - the closing summary of printed flow records, as nfdump
 * prints after its rows: flows, packets, bytes, capture gap bytes and
 * their share of the acknowledged bytes, and the time span.
 *
 * Promise: flows are distinct (a raw record is its flow's: run and
 * flowid, counted once however many records it has -- at its first
 * record, seq 0, or at the first of its records in the input; a flow is
 * remembered only from a first record that is not final until its final
 * one, so memory follows the open flows; an aggregate row adds its
 * 'flows'); the other figures are sums of the rows selected.
 * SENSOR rows are not flows and are left out.  Text output ends with the
 * summary (not with -L0); CSV and JSON only with --summary: JSON as a
 * last {"type":"summary",...} line, CSV on stderr, so that the file
 * stays one table.
 */
#ifndef GF_SUMMARY_H
#define GF_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "record.h"
#include "stream.h"

struct summary;

struct summary *summary_new(void);
void summary_begin_input(struct summary *s, const struct gf_stream_info *in);
void summary_put(struct summary *s, const struct gf_record *r);
/* Print it: json as a JSON object line, else a text line. */
void summary_print(const struct summary *s, FILE *fp, int json);
void summary_free(struct summary *s);

#endif /* GF_SUMMARY_H */
