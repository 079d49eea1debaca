/*
 * loss.h - gapdump --loss: the capture-loss report, from SENSOR records.
 *
 * Promise: one row per SENSOR record handed in (a sensor interval, or a
 * -b time bin of them) and a total row: acknowledged bytes, gap bytes,
 * gap events, ACK events, capture loss in percent counted by bytes
 * (gapbytes / ackbytes) and by events (gapev / ackev, Zeek's way), the
 * sensor's kernel and interface drops, flow records with a gap and
 * simplex flow records.  Rows are printed as they come, as text, CSV or
 * JSON lines (the output's format, delimiter and header setting).  A row
 * crosses the threshold when either percentage is >= it.  Each row's
 * counters are kept (48 bytes) for the chart.
 */
#ifndef GF_LOSS_H
#define GF_LOSS_H

#include <stdint.h>

#include "output.h"
#include "record.h"

struct loss_opts {
	double threshold;               /* percent; < 0: none */
	const char *plot;               /* SVG path, or NULL */
	int localtime;                  /* chart labels in local time */
};

struct loss_report;

struct loss_report *loss_new(struct output *out, const struct loss_opts *o);
/* A sink function: ctx is the report; records other than SENSOR are
 * ignored. */
void loss_put(void *ctx, const struct gf_record *r);
/* Print the total row and write the chart.  0, or -1 if the chart could
 * not be written (message printed). */
int loss_finish(struct loss_report *lr);
uint64_t loss_rows(const struct loss_report *lr);
/* Rows that crossed the threshold. */
uint64_t loss_crossed(const struct loss_report *lr);
void loss_free(struct loss_report *lr);

#endif /* GF_LOSS_H */
