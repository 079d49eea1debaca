/*
 * output.h - printing records as aligned text, CSV or JSON lines, with a
 * chosen list of registry fields per record type.
 *
 * Values read as gf_field_format() writes them; the common kinds
 * (numbers, times, durations, IPv4 addresses) take a fast path that
 * neither calls printf nor locks the stream per field: a row is built in
 * the output's line buffer and written with one fwrite.  Times are cached
 * per second (the last OUT_TIME_SLOTS seconds seen, about), so a second's
 * records format the date once.
 */
#ifndef GF_OUTPUT_H
#define GF_OUTPUT_H

#include <stdio.h>

#include "fields.h"
#include "record.h"

enum out_format {
	OUT_TEXT, OUT_CSV, OUT_JSON,
	OUT_ZEEK,               /* --loss only: Zeek's capture_loss.log */
};

#define OUT_MAX_FIELDS 128
#define OUT_LINE_CAP   16384    /* row buffer; a row may span flushes */
#define OUT_VALUE_MAX  128      /* longest formatted value */
#define OUT_TIME_SLOTS 64       /* seconds whose text is kept */

struct out_column {
	const struct gf_field *f;
	int width;
};

struct out_list {
	struct out_column col[OUT_MAX_FIELDS];
	int n;
};

struct output {
	FILE *fp;
	enum out_format fmt;
	char delim;                     /* CSV delimiter */
	int numeric;                    /* -n: numbers instead of names */
	int header;                     /* print header lines (-L0 turns off) */
	struct out_list list[3];        /* indexed by record type */
	int last_type;                  /* type of the previous text/CSV row */
	int replaced;                   /* a plain -s list replaced defaults */
	/* the row being built */
	size_t linelen;
	char line[OUT_LINE_CAP];
	/* seconds formatted as times, for reuse: slot sec % OUT_TIME_SLOTS
	 * (aggregates come in end order, their start times spread over
	 * the last seconds) */
	struct out_time {
		uint64_t sec;
		int valid, frac;        /* frac: offset of the 6 digits */
		size_t len;
		char buf[64];
	} tcache[OUT_TIME_SLOTS];
};

void output_init(struct output *o, FILE *fp);
/*
 * Apply one -s argument to the field lists: a comma- or space-separated
 * list of NAME, NAME:WIDTH, +NAME (add), -NAME (remove).  A plain list
 * replaces the defaults (on its first use).  Returns 0, or -1 with a
 * message naming the field in err.
 */
int output_select(struct output *o, const char *spec, char *err, size_t errlen);
/* Replace the FLOW column list by spec (a plain list of known fields). */
void out_replace_flow(struct output *o, const char *spec);
void output_record(struct output *o, const struct gf_record *r);
/* Write what output_record() buffered; call before the stream is used
 * otherwise and at the end. */
void output_flush(struct output *o);
/* Print the registry (gapdump --fields). */
void output_list_fields(FILE *fp);

#endif
