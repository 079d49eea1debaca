/*
 * loss.h - gapdump --loss: the capture-loss report, from SENSOR records.
 *
 * Promise: one row per SENSOR record handed in (a sensor interval, or a
 * -b time bin of them) and a total row: acknowledged bytes, gap bytes,
 * gap events, ACK events, capture loss in percent counted by bytes
 * (gapbytes / ackbytes) and by events (gapev / ackev, Zeek's way), the
 * sensor's kernel and interface drops, flow records with a gap and
 * simplex flow records, and a note.  The figures are the SENSOR
 * records' own, so the report, the chart and the threshold agree with
 * what the sensor wrote.
 *
 * Every row is judged before a percentage is printed:
 *   few-acks      fewer ACK events than min_acks (Zeek's minimum_acks,
 *                 default 1): too little traffic to judge.  Counters are
 *                 printed, percentages are "-" (JSON null), the row never
 *                 crosses the threshold and is not drawn as a loss.
 *   inconsistent  more gap than acknowledged bytes, or more gap events
 *                 than ACK events: impossible for a sensor that counts
 *                 both at the same ACK events, so the record is damaged
 *                 or from an inconsistent sensor.  Never printed as a
 *                 percentage above 100, never clamped: percentages are
 *                 "-", the row is left out of the total, the threshold
 *                 and the chart, and the count is said on stderr.
 * Rows are printed as they come, as text, CSV or JSON lines (the
 * output's format, delimiter and header setting), or as Zeek's
 * capture_loss.log (OUT_ZEEK: ts ts_delta peer gaps acks percent_lost,
 * no total).  A row crosses the threshold when either percentage is >=
 * it.  Each row's counters are kept (88 bytes) for the chart.
 */
#ifndef GF_LOSS_H
#define GF_LOSS_H

#include <stdint.h>

#include "output.h"
#include "record.h"
#include "stream.h"

struct loss_opts {
	double threshold;               /* percent; < 0: none */
	const char *plot;               /* SVG path, or NULL */
	int localtime;                  /* chart labels in local time */
	uint64_t min_acks;              /* fewer ACK events: not judged */
	int logscale;                   /* chart: logarithmic loss axis */
};

struct loss_report;

struct loss_report *loss_new(struct output *out, const struct loss_opts *o);
/* The stream the next records come from (its sensor name is Zeek's
 * peer). */
void loss_begin_input(struct loss_report *lr,
    const struct gf_stream_info *info);
/* A sink function: ctx is the report; records other than SENSOR are
 * ignored. */
void loss_put(void *ctx, const struct gf_record *r);
/* Print the total row and write the chart.  0, or -1 if the chart could
 * not be written (message printed). */
int loss_finish(struct loss_report *lr);
uint64_t loss_rows(const struct loss_report *lr);
/* Rows that crossed the threshold. */
uint64_t loss_crossed(const struct loss_report *lr);
/* Rows with too few ACKs to judge; inconsistent rows. */
uint64_t loss_unjudged(const struct loss_report *lr);
uint64_t loss_inconsistent(const struct loss_report *lr);
void loss_free(struct loss_report *lr);

#endif /* GF_LOSS_H */
