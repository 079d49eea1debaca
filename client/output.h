/*
 * output.h - printing records as aligned text, CSV or JSON lines, with a
 * chosen list of registry fields per record type.
 */
#ifndef GF_OUTPUT_H
#define GF_OUTPUT_H

#include <stdio.h>

#include "fields.h"
#include "record.h"

enum out_format { OUT_TEXT, OUT_CSV, OUT_JSON };

#define OUT_MAX_FIELDS 128

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
};

void output_init(struct output *o, FILE *fp);
/*
 * Apply one -s argument to the field lists: a comma- or space-separated
 * list of NAME, NAME:WIDTH, +NAME (add), -NAME (remove).  A plain list
 * replaces the defaults (on its first use).  Returns 0, or -1 with a
 * message naming the field in err.
 */
int output_select(struct output *o, const char *spec, char *err, size_t errlen);
void output_record(struct output *o, const struct gf_record *r);
/* Print the registry (gapdump --fields). */
void output_list_fields(FILE *fp);

#endif
