/*
 * main.c - gapdump, the client: read record streams, select, print.
 *
 * Exit status (gapdump(1)): 0 records matched; 1 none matched; 2 error
 * (bad option, bad filter, unreadable or damaged input — the good records
 * of a damaged input are still printed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "gapflow.h"
#include "log.h"
#include "output.h"
#include "stream.h"
#include "timefmt.h"

#define MAX_INPUTS 1024

struct opts {
	const char *inputs[MAX_INPUTS];
	int ninputs;
	const char *write;
	struct gf_filter *filter;
	int has_filter;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gapdump -r FILE ... [-s FIELDS] [-n] [-u] [-o text|csv|json] [-c CHAR]\n"
	    "               [-L0] [-w FILE] [- filter expression]\n"
	    "  -r FILE      read a record stream (- is stdin); repeatable; gzip is read transparently\n"
	    "  -s FIELDS    fields to print: a,b,c replaces, +f adds, -f removes, f:width\n"
	    "  -n           numbers instead of names (protocols, states, flags)\n"
	    "  -u           times as seconds since the epoch\n"
	    "  --localtime  times in local time (default UTC), ISO 8601\n"
	    "  -o FORMAT    text (aligned columns, default), csv, or json (one object per line)\n"
	    "  -c CHAR      CSV delimiter (default ,)\n"
	    "  -L0          no header line\n"
	    "  -w FILE      write the selected records as a record stream (- is stdout)\n"
	    "  --fields     list every field with its description\n"
	    "  -h, --help   this text; -V, --version the version\n"
	    "Records are FLOW records unless a filter selects others (e.g. 'sensor').\n");
}

static struct option longopts[] = {
	{ "fields", no_argument, NULL, 'F' },
	{ "localtime", no_argument, NULL, 'T' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void
parse_args(int argc, char **argv, struct opts *op, struct output *out)
{
	char err[512];
	int ch;

	while ((ch = getopt_long(argc, argv, "+r:s:nuo:c:L:w:hV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (op->ninputs == MAX_INPUTS)
				gf_fatal(GF_EXIT_ERROR, "option -r: more than "
				    "%d inputs", MAX_INPUTS);
			op->inputs[op->ninputs++] = optarg;
			break;
		case 's':
			if (output_select(out, optarg, err, sizeof(err)) != 0)
				gf_fatal(GF_EXIT_ERROR, "%s", err);
			break;
		case 'n':
			out->numeric = 1;
			break;
		case 'u':
			gf_time_set_mode(GF_TIME_EPOCH);
			break;
		case 'T':
			gf_time_set_mode(GF_TIME_LOCAL);
			break;
		case 'o':
			if (strcmp(optarg, "text") == 0)
				out->fmt = OUT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				out->fmt = OUT_CSV;
			else if (strcmp(optarg, "json") == 0)
				out->fmt = OUT_JSON;
			else
				gf_fatal(GF_EXIT_ERROR, "option -o: unknown "
				    "format '%s' (text, csv, json)", optarg);
			break;
		case 'c':
			if (strlen(optarg) != 1)
				gf_fatal(GF_EXIT_ERROR, "option -c: the "
				    "delimiter must be one character, not "
				    "'%s'", optarg);
			out->delim = optarg[0];
			break;
		case 'L':
			if (strcmp(optarg, "0") != 0)
				gf_fatal(GF_EXIT_ERROR, "option -L: only -L0 "
				    "(no header) is supported, not -L%s",
				    optarg);
			out->header = 0;
			break;
		case 'w':
			op->write = optarg;
			break;
		case 'F':
			output_list_fields(stdout);
			exit(GF_EXIT_OK);
		case 'V':
			printf("gapdump %s (record format %d.%d)\n",
			    GF_VERSION_STRING, GF_FORMAT_MAJOR,
			    GF_FORMAT_MINOR);
			exit(GF_EXIT_OK);
		case 'h':
			usage(stdout);
			exit(GF_EXIT_OK);
		default:
			usage(stderr);
			exit(GF_EXIT_ERROR);
		}
	}
	argc -= optind;
	argv += optind;
	/* the filter follows "-" (ra) or "--" (getopt already ate it) */
	if (argc > 0 && strcmp(argv[0], "-") == 0) {
		argc--;
		argv++;
	}
	if (argc > 0) {
		size_t len = 1;
		char *expr;
		for (int i = 0; i < argc; i++)
			len += strlen(argv[i]) + 1;
		expr = gf_xcalloc(1, len);
		for (int i = 0; i < argc; i++) {
			if (i > 0)
				strcat(expr, " ");
			strcat(expr, argv[i]);
		}
		op->filter = gf_filter_compile(expr, err, sizeof(err));
		free(expr);
		if (op->filter == NULL)
			gf_fatal(GF_EXIT_ERROR, "%s", err);
		op->has_filter = 1;
	}
	if (op->ninputs == 0) {
		usage(stderr);
		gf_fatal(GF_EXIT_ERROR, "no input: give -r FILE (- for stdin)");
	}
}

static int
selected(const struct opts *op, const struct gf_record *r)
{
	if (!op->has_filter)
		return r->type == GF_RT_FLOW;
	return gf_filter_match(op->filter, r);
}

int
main(int argc, char **argv)
{
	struct opts op;
	struct output out;
	struct gf_writer *w = NULL;
	uint64_t matched = 0;
	int errors = 0;

	gf_log_init(argv[0]);
	memset(&op, 0, sizeof(op));
	output_init(&out, stdout);
	parse_args(argc, argv, &op, &out);

	for (int i = 0; i < op.ninputs; i++) {
		struct gf_reader *rd = gf_reader_open_path(op.inputs[i]);
		struct gf_record r;
		int rc;

		if (rd == NULL) {
			errors++;
			continue;
		}
		if (op.write != NULL && w == NULL) {
			struct gf_stream_info info = *gf_reader_info(rd);
			w = gf_writer_open_path(op.write, &info, 6);
			if (w == NULL)
				exit(GF_EXIT_ERROR);
		}
		while ((rc = gf_reader_next(rd, &r)) != 0) {
			if (rc < 0) {
				errors++;
				continue;
			}
			if (!selected(&op, &r))
				continue;
			matched++;
			if (w != NULL) {
				if (gf_writer_put(w, &r) != 0)
					errors++;
			} else {
				output_record(&out, &r);
			}
		}
		gf_reader_close(rd);
	}
	if (w != NULL && gf_writer_close(w) != 0)
		errors++;
	gf_filter_free(op.filter);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		gf_err("stdout: write error");
		return GF_EXIT_ERROR;
	}
	if (errors)
		return GF_EXIT_ERROR;
	return matched ? GF_EXIT_OK : GF_EXIT_NOMATCH;
}
