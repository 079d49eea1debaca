/*
 * main.c - gapdump, the client: read record streams, select, aggregate,
 * sort, print or write them; or report capture loss.
 *
 * The stages are chained through sinks (sink.h): reading and the filter
 * (readahead.c, on a second thread for files; live.c for live sensors,
 * -S), then aggregation (-m, -b: aggregate.c), then ordering (--sort,
 * --top: sort.c), then printing (output.c) or writing (-w; with -S the
 * collector's archive, common/archive.c); --loss ends the chain in the
 * capture-loss report (loss.c) instead.
 *
 * Exit status (gapdump(1)): 0 records matched; 1 none matched; 2 error
 * (bad option, bad filter, unreadable or damaged input -- the good
 * records of a damaged input are still used); 3 --loss-threshold crossed.
 * The collector (-S ... -w) exits 0, or 2 if records were lost.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "aggregate.h"
#include "archive.h"
#include "collect.h"
#include "filter.h"
#include "gapflow.h"
#include "inputs.h"
#include "ipfix.h"
#include "ipfix_export.h"
#include "live.h"
#include "log.h"
#include "loss.h"
#include "merge.h"
#include "output.h"
#include "readahead.h"
#include "sort.h"
#include "summary.h"
#include "stream.h"
#include "timefmt.h"

#define MIN_BIN_NS 1000000ull   /* -b below a millisecond is a typo */
#define MIN_ROTATE_SIZE (1ull << 20)    /* as gapflow's output.rotate_size */
#define LIVE_WAIT_MS 200        /* live input: flush and tick this often */

struct opts {
	struct input_list in;
	const char *hosts[GF_COLLECT_MAX];      /* -S */
	int nhosts;
	const char *write;
	uint64_t rotate, rotate_size;
	struct gf_filter *filter;
	char *expr;                     /* its text, for the sensors (-S) */
	int has_filter;
	int all_kinds;                  /* collector without filter or -m */
	struct agg_opts agg;
	struct sort_spec sort;
	uint64_t top;
	int loss;
	struct loss_opts lossopt;
	int localtime;
	int trange;                     /* -t given */
	uint64_t tfrom, tto;            /* -t: [tfrom, tto), ns */
	uint64_t limit;                 /* -N: rows to print, 0 all */
	int lastopt;                    /* the option before a stray word */
	const char *lastarg;
	int minacks_set, summary;
	char *ipfix[GF_IPFIX_MAX_DEST];         /* --ipfix */
	int nipfix;
	uint32_t ipfix_pen, ipfix_mtu;          /* --ipfix-pen, --ipfix-mtu */
};

/* The end of the chain when records are printed or written. */
struct final {
	struct output *out;
	struct gf_writer *w;
	/* the collector's -w: one archive per sensor, or one for all */
	struct gf_archive *ar[GF_COLLECT_MAX];
	struct gf_stream_info arinfo[GF_COLLECT_MAX];   /* their headers */
	int nar, cur;                   /* archives; the one now written */
	uint64_t flushed;               /* live: output last flushed, ns */
	uint64_t errors;
	uint64_t rows, limit;           /* -N */
	/* --ipfix: opened at the first input, its sensor id the domain */
	const struct opts *op;
	struct gf_ipfix_exp *ipx;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gapdump -r FILE ... | -R DIR | -S HOST:PORT ... [-s FIELDS] [-n] [-u]\n"
	    "               [--localtime] [-o text|csv|json] [-c CHAR] [-L0] [-w FILE]\n"
	    "               [-t RANGE] [-m KEYS] [-b DURATION] [-B DURATION]\n"
	    "               [--sort FIELD[:desc],...] [--top N] [-N N]\n"
	    "               [- filter expression]\n"
	    "       gapdump -S HOST:PORT ... -w PATH [--rotate DURATION] [--rotate-size SIZE]\n"
	    "               [-m KEYS] [-b DURATION] [- filter expression]\n"
	    "       gapdump --loss [--loss-threshold PCT] [--plot FILE.svg] [-b DURATION]\n"
	    "               -r FILE ... | -R DIR | -S HOST:PORT ... [-o text|csv|json]\n"
	    "               [- filter expression]\n"
	    "  -r FILE ...  read record streams (- is stdin): every word up to the next\n"
	    "               option or '-'; repeatable; gzip is read transparently\n"
	    "  -R DIR       read every record stream under DIR, in order of start time\n"
	    "  -S HOST:PORT read a live sensor (gapflow -P) until its stream ends or\n"
	    "               SIGINT/SIGTERM; repeatable; the filter is sent to it too\n"
	    "  -s FIELDS    fields to print: a,b,c or a b c replaces, +f adds, -f removes,\n"
	    "               f:width\n"
	    "  -t RANGE     records whose time span overlaps RANGE: 2026/11/22.03:18:27+2s,\n"
	    "               03:18-03:19 (today), 2026-11-22T03:18Z/PT5M, START/END\n"
	    "  -N N         only the first N rows\n"
	    "  --summary    CSV, JSON: end with the summary (text always, unless -L0)\n"
	    "  -n           numbers instead of names (protocols, states, flags)\n"
	    "  -u           times as seconds since the epoch\n"
	    "  --localtime  times in local time (default UTC), ISO 8601\n"
	    "  -o FORMAT    text (aligned columns, default), csv, or json (one object per line)\n"
	    "  -c CHAR      CSV delimiter (default ,)\n"
	    "  -L0          no header line\n"
	    "  -w FILE      write the records as a record stream (- is stdout); with -S,\n"
	    "               collect: reconnect until SIGINT/SIGTERM, every record kind\n"
	    "               unless a filter or -m selects, PATH may be a strftime pattern\n"
	    "  --rotate DURATION   collector: a new file every DURATION (SIGHUP: now)\n"
	    "  --rotate-size SIZE  collector: a new file at SIZE bytes (100M, 1G, 512Mi)\n"
	    "  --ipfix DEST        export the selected records over IPFIX instead of printing\n"
	    "                      them: udp:HOST:PORT, tcp:HOST:PORT, file:PATH; repeatable\n"
	    "  --ipfix-pen N       enterprise number of gapflow's elements (default 32473,\n"
	    "                      RFC 5612's documentation number); --ipfix-mtu N, the\n"
	    "                      largest message (65535; UDP: within the path MTU)\n"
	    "  -m KEYS      merge records: flow (a flow's records into one), none (all\n"
	    "               into one), or key fields such as saddr/24,dport,proto\n"
	    "  -b DURATION  one aggregate per time bin (30s, 5m, 1h, 1d); implies -m flow\n"
	    "  -B DURATION  how long a bin stays open for late records (default: the\n"
	    "               stream's status interval)\n"
	    "  --sort KEYS  order by fields, FIELD[:desc] separated by commas\n"
	    "  --top N      only the first N (by --sort, default bytes:desc)\n"
	    "  --loss       capture-loss report per sensor interval and in total\n"
	    "  --loss-threshold PCT  exit status 3 when an interval's loss is >= PCT\n"
	    "  --loss-min-acks N  intervals with fewer ACK events are not judged\n"
	    "               (few-acks; default 1, as Zeek's minimum_acks)\n"
	    "  --plot FILE.svg  with --loss: draw loss over time as an SVG chart\n"
	    "  --plot-log   the chart's loss axis logarithmic\n"
	    "  -o zeek      with --loss: Zeek's capture_loss.log (TSV)\n"
	    "  --fields     list every field with its description\n"
	    "  -h, --help   this text; -V, --version the version\n"
	    "The filter follows a lone '-' (or '--'); a word without '-' elsewhere is an\n"
	    "error.  Records are FLOW records unless the filter names a record type\n"
	    "('sensor', 'flow'), or the collector (-S ... -w) keeps every kind.\n");
}

enum {
	OPT_FIELDS = 256, OPT_LOCALTIME, OPT_SORT, OPT_TOP, OPT_LOSS,
	OPT_THRESHOLD, OPT_PLOT, OPT_ROTATE, OPT_ROTATESIZE, OPT_MINACKS,
	OPT_PLOTLOG, OPT_SUMMARY, OPT_IPFIX, OPT_IPFIXPEN, OPT_IPFIXMTU,
};

static struct option longopts[] = {
	{ "fields", no_argument, NULL, OPT_FIELDS },
	{ "localtime", no_argument, NULL, OPT_LOCALTIME },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "loss", no_argument, NULL, OPT_LOSS },
	{ "loss-threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "plot-log", no_argument, NULL, OPT_PLOTLOG },
	{ "loss-min-acks", required_argument, NULL, OPT_MINACKS },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "rotate", required_argument, NULL, OPT_ROTATE },
	{ "rotate-size", required_argument, NULL, OPT_ROTATESIZE },
	{ "ipfix", required_argument, NULL, OPT_IPFIX },
	{ "ipfix-pen", required_argument, NULL, OPT_IPFIXPEN },
	{ "ipfix-mtu", required_argument, NULL, OPT_IPFIXMTU },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* min is 0, whole milliseconds or whole seconds */
static uint64_t
duration_arg(const char *opt, const char *arg, uint64_t min)
{
	char least[32] = "";
	uint64_t ns;

	if (gf_duration_parse(arg, &ns) == 0 && ns >= min)
		return ns;
	if (min % GF_NS_PER_SEC == 0 && min > 0)
		snprintf(least, sizeof(least), "; at least %llus",
		    (unsigned long long)(min / GF_NS_PER_SEC));
	else if (min > 0)
		snprintf(least, sizeof(least), "; at least %llums",
		    (unsigned long long)(min / 1000000));
	gf_fatal(GF_EXIT_ERROR, "option %s: bad duration '%s' (such as 30s, "
	    "5m, 1h, 1d%s)", opt, arg, least);
}

static void
compile_filter(struct opts *op, int argc, char **argv)
{
	char err[512], *expr;
	size_t len = 1;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	expr = gf_xcalloc(1, len);
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strcat(expr, " ");
		strcat(expr, argv[i]);
	}
	/* the sensors (-S) take it as one line; to the filter a line end is
	 * a blank like any other, and columns stay where they were */
	for (char *p = expr; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	/* --loss reads SENSOR records; everything else flows, unless the
	 * filter names a record type */
	op->filter = gf_filter_compile_type(expr, op->loss ? GF_RT_SENSOR :
	    GF_RT_FLOW, err, sizeof(err));
	if (op->filter == NULL)
		gf_fatal(GF_EXIT_ERROR, "%s", err);
	op->expr = expr;
	op->has_filter = 1;
}

/* Options that make no sense together are refused, not ignored. */
static void
check_combinations(struct opts *op, enum out_format out_fmt)
{
	const char *rot = op->rotate > 0 ? "--rotate" : "--rotate-size";
	char err[512];

	if (op->nhosts > 0 && op->in.n > 0)
		gf_fatal(GF_EXIT_ERROR, "option -S: live sensors cannot be "
		    "combined with -r or -R (files)");
	if (op->in.n == 0 && op->nhosts == 0) {
		usage(stderr);
		gf_fatal(GF_EXIT_ERROR, "no input: give -r FILE (- for stdin), "
		    "-R DIR or -S HOST:PORT");
	}
	/* before a -w file is truncated or a sensor connected */
	if (op->nhosts > 0 && gf_collect_check(op->hosts, op->nhosts, NULL,
	    err, sizeof(err)) != 0)
		gf_fatal(GF_EXIT_ERROR, "option -S: %s", err);
	if ((op->rotate > 0 || op->rotate_size > 0) &&
	    (op->nhosts == 0 || op->write == NULL))
		gf_fatal(GF_EXIT_ERROR, "option %s: rotation is the "
		    "collector's: give -S HOST:PORT and -w PATH", rot);
	if ((op->rotate > 0 || op->rotate_size > 0) &&
	    strcmp(op->write, "-") == 0)
		gf_fatal(GF_EXIT_ERROR, "option %s: standard output (-w -) "
		    "cannot be rotated", rot);
	if (op->agg.hold_set && op->agg.binwidth == 0)
		gf_fatal(GF_EXIT_ERROR, "option -B: a bin hold time needs "
		    "bins (-b)");
	if (op->lossopt.threshold >= 0 || op->lossopt.plot != NULL ||
	    op->lossopt.logscale || op->minacks_set)
		op->loss = 1;
	if (out_fmt == OUT_ZEEK && !op->loss)
		gf_fatal(GF_EXIT_ERROR, "option -o: the zeek format is the "
		    "capture-loss report's (capture_loss.log): add --loss");
	if (op->loss && op->nipfix > 0)
		gf_fatal(GF_EXIT_ERROR, "option --ipfix: exports records; it "
		    "cannot be combined with --loss");
	if (op->loss && (op->agg.set || op->write != NULL || op->sort.n > 0 ||
	    op->top > 0))
		gf_fatal(GF_EXIT_ERROR, "option --loss: prints its own report "
		    "and cannot be combined with -m, -w, --sort or --top");
	if (op->agg.binwidth > 0 && !op->agg.set && !op->loss) {
		/* rabins: bins of the default (flow) aggregation */
		op->agg.set = 1;
		op->agg.flow = 1;
	}
	if (op->top > 0 && op->sort.n == 0) {
		char err[256];
		if (sort_parse(&op->sort, "bytes:desc", err, sizeof(err)) != 0)
			gf_fatal(GF_EXIT_ERROR, "%s", err);
	}
	/* the collector keeps what the sensor archives, unless told */
	op->all_kinds = op->nhosts > 0 && op->write != NULL &&
	    !op->has_filter && !op->agg.set;
}

/* The words after an option that takes a list, ra style (-r a b c,
 * -s stime saddr daddr): up to the next option or '-'. */
static int
list_word(int argc, char **argv)
{
	return optind < argc && argv[optind][0] != '-' &&
	    argv[optind][0] != '\0';
}

static int
looks_like_field(const char *w)
{
	char name[64];
	size_t n = strcspn(w, ",:/");

	if (*w == '+')
		w++, n--;
	if (n == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, w, n);
	name[n] = '\0';
	return gf_field_find(name) != NULL || strcmp(name, "flow") == 0;
}

/*
 * A word without '-' where an option or the filter's '-' should be:
 * name it, and the option it probably belongs to.
 */
static void
stray_word(const struct opts *op, const char *w)
{
	size_t n = strlen(w);

	if (op->lastopt > 0 && op->lastopt < 128 &&
	    strchr("bBtN", op->lastopt) != NULL && !looks_like_field(w))
		gf_fatal(GF_EXIT_ERROR, "unexpected word '%s' after option "
		    "-%c %s, which takes one value (one word, such as -b 5m "
		    "or -t 03:18+2s); a filter follows a lone '-': - '%s'",
		    w, op->lastopt, op->lastarg, w);
	if ((n > 3 && strcmp(w + n - 3, ".gf") == 0) ||
	    (n > 6 && strcmp(w + n - 6, ".gf.gz") == 0) ||
	    access(w, F_OK) == 0)
		gf_fatal(GF_EXIT_ERROR, "unexpected word '%s': to read it, "
		    "give it to -r (-r FILE ...); a filter follows a lone "
		    "'-'", w);
	if (looks_like_field(w))
		gf_fatal(GF_EXIT_ERROR, "unexpected word '%s': a field; list "
		    "fields right after -s (print) or -m (merge keys): "
		    "-s stime saddr %s; a filter follows a lone '-': - '%s'",
		    w, w, w);
	gf_fatal(GF_EXIT_ERROR, "unexpected word '%s': a filter follows "
	    "a lone '-': gapdump -r FILE - '%s'", w, w);
}

static void
parse_args(int argc, char **argv, struct opts *op, struct output *out)
{
	char err[512], *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "+B:b:c:hL:m:N:no:R:r:S:s:t:uVw:",
	    longopts, NULL)) != -1) {
		op->lastopt = ch;
		op->lastarg = optarg;
		switch (ch) {
		case 'B':
			op->agg.hold = duration_arg("-B", optarg, 0);
			op->agg.hold_set = 1;
			break;
		case 'b':
			op->agg.binwidth = duration_arg("-b", optarg,
			    MIN_BIN_NS);
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
		case 'm':
			if (agg_parse_keys(&op->agg, optarg, err,
			    sizeof(err)) != 0)
				gf_fatal(GF_EXIT_ERROR, "%s", err);
			for (; list_word(argc, argv); optind++)
				if (agg_parse_keys(&op->agg, argv[optind], err,
				    sizeof(err)) != 0)
					gf_fatal(GF_EXIT_ERROR, "%s", err);
			break;
		case 'N':
			op->limit = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    op->limit == 0 || op->limit > 1000000000000ull)
				gf_fatal(GF_EXIT_ERROR, "option -N: bad count "
				    "'%s' (1 to 1000000000000)", optarg);
			break;
		case 't':
			if (gf_time_range_parse(optarg, gf_wall_ns(), &op->tfrom,
			    &op->tto, err, sizeof(err)) != 0)
				gf_fatal(GF_EXIT_ERROR, "option -t: %s", err);
			op->trange = 1;
			break;
		case 'n':
			out->numeric = 1;
			break;
		case 'o':
			if (strcmp(optarg, "text") == 0)
				out->fmt = OUT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				out->fmt = OUT_CSV;
			else if (strcmp(optarg, "json") == 0)
				out->fmt = OUT_JSON;
			else if (strcmp(optarg, "zeek") == 0)
				out->fmt = OUT_ZEEK;
			else
				gf_fatal(GF_EXIT_ERROR, "option -o: unknown "
				    "format '%s' (text, csv, json; zeek with "
				    "--loss)", optarg);
			break;
		case 'R':
			switch (inputs_add_tree(&op->in, optarg, err,
			    sizeof(err))) {
			case -1:
				gf_fatal(GF_EXIT_ERROR, "%s", err);
			case 0:
				gf_fatal(GF_EXIT_ERROR, "option -R: %s: no "
				    "gapflow record files in the tree", optarg);
			default:
				break;
			}
			break;
		case 'r':
			inputs_add(&op->in, optarg);
			for (; list_word(argc, argv); optind++) {
				const char *w = argv[optind];
				/* "-r x.gf gap": a filter without its '-' */
				if (access(w, F_OK) != 0 && errno == ENOENT)
					gf_fatal(GF_EXIT_ERROR, "option -r: "
					    "'%s': no such file (-r reads every "
					    "word up to the next option); a "
					    "filter follows a lone '-': - '%s'",
					    w, w);
				inputs_add(&op->in, w);
			}
			break;
		case 'S':
			if (op->nhosts == GF_COLLECT_MAX)
				gf_fatal(GF_EXIT_ERROR, "option -S: at most %d "
				    "sensors", GF_COLLECT_MAX);
			op->hosts[op->nhosts++] = optarg;
			break;
		case 's':
			if (output_select(out, optarg, err, sizeof(err)) != 0)
				gf_fatal(GF_EXIT_ERROR, "%s", err);
			for (; list_word(argc, argv); optind++)
				if (output_select(out, argv[optind], err,
				    sizeof(err)) != 0)
					gf_fatal(GF_EXIT_ERROR, "%s", err);
			break;
		case 'u':
			gf_time_set_mode(GF_TIME_EPOCH);
			break;
		case 'w':
			op->write = optarg;
			break;
		case OPT_LOCALTIME:
			gf_time_set_mode(GF_TIME_LOCAL);
			op->localtime = 1;
			break;
		case OPT_SORT:
			if (sort_parse(&op->sort, optarg, err, sizeof(err)) != 0)
				gf_fatal(GF_EXIT_ERROR, "%s", err);
			break;
		case OPT_TOP:
			op->top = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    op->top == 0 || op->top > 1000000000)
				gf_fatal(GF_EXIT_ERROR, "option --top: bad "
				    "count '%s' (1 to 1000000000)", optarg);
			break;
		case OPT_LOSS:
			op->loss = 1;
			break;
		case OPT_THRESHOLD:
			op->lossopt.threshold = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !isfinite(op->lossopt.threshold) ||
			    op->lossopt.threshold < 0)
				gf_fatal(GF_EXIT_ERROR, "option "
				    "--loss-threshold: bad percentage '%s'",
				    optarg);
			break;
		case OPT_PLOT: {
			size_t n = strlen(optarg);
			if (*optarg == '\0')
				gf_fatal(GF_EXIT_ERROR, "option --plot: no "
				    "file name");
			/* the chart is SVG only: x.png would be SVG inside */
			if (strcmp(optarg, "-") != 0 && (n < 4 ||
			    strcasecmp(optarg + n - 4, ".svg") != 0))
				gf_fatal(GF_EXIT_ERROR, "option --plot: '%s': "
				    "the chart is written as SVG only; give a "
				    "name ending in .svg (for PNG: rsvg-convert "
				    "-o loss.png loss.svg)", optarg);
			op->lossopt.plot = optarg;
			break;
		}
		case OPT_PLOTLOG:
			op->lossopt.logscale = 1;
			break;
		case OPT_MINACKS:
			op->lossopt.min_acks = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0')
				gf_fatal(GF_EXIT_ERROR, "option --loss-min-acks: "
				    "bad count '%s'", optarg);
			op->minacks_set = 1;
			break;
		case OPT_SUMMARY:
			op->summary = 1;
			break;
		case OPT_ROTATE:
			op->rotate = duration_arg("--rotate", optarg,
			    GF_NS_PER_SEC);
			break;
		case OPT_ROTATESIZE:
			if (gf_size_parse(optarg, &op->rotate_size) != 0 ||
			    op->rotate_size < MIN_ROTATE_SIZE)
				gf_fatal(GF_EXIT_ERROR, "option --rotate-size: "
				    "bad size '%s' (such as 100M, 1G, 512Mi; "
				    "at least 1Mi)", optarg);
			break;
		case OPT_IPFIX:
			if (op->nipfix == GF_IPFIX_MAX_DEST)
				gf_fatal(GF_EXIT_ERROR, "option --ipfix: at most "
				    "%d destinations", GF_IPFIX_MAX_DEST);
			if (gf_ipfix_dest_check(optarg) != 0)
				gf_fatal(GF_EXIT_ERROR, "option --ipfix: '%s' is "
				    "not udp:HOST:PORT, tcp:HOST:PORT or "
				    "file:PATH", optarg);
			op->ipfix[op->nipfix++] = optarg;
			break;
		case OPT_IPFIXPEN:
		case OPT_IPFIXMTU: {
			char *end;
			unsigned long long v;
			int pen = ch == OPT_IPFIXPEN;
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    optarg[0] == '-' || v > (pen ? 4294967295ull :
			    GF_IPFIX_MTU_MAX) || (!pen && v < GF_IPFIX_MTU_MIN))
				gf_fatal(GF_EXIT_ERROR, "option %s: '%s' is not "
				    "an integer from %u to %u", pen ?
				    "--ipfix-pen" : "--ipfix-mtu", optarg,
				    pen ? 0u : GF_IPFIX_MTU_MIN,
				    pen ? 4294967295u : GF_IPFIX_MTU_MAX);
			if (pen)
				op->ipfix_pen = (uint32_t)v;
			else
				op->ipfix_mtu = (uint32_t)v;
			break;
		}
		case OPT_FIELDS:
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
	/* the filter follows "-" (ra) or "--" (getopt already ate it) */
	if (optind < argc && strcmp(argv[optind], "-") == 0)
		optind++;
	else if (optind < argc && !(optind > 1 &&
	    strcmp(argv[optind - 1], "--") == 0))
		stray_word(op, argv[optind]);
	if (op->lossopt.threshold >= 0 || op->lossopt.plot != NULL ||
	    op->lossopt.logscale || op->minacks_set)
		op->loss = 1;
	if (optind < argc)
		compile_filter(op, argc - optind, argv + optind);
	check_combinations(op, out->fmt);
}

/* -t: the record's span [stime, ltime] overlaps [tfrom, tto). */
static int
in_range(const struct opts *op, const struct gf_record *r)
{
	uint64_t s = record_stime(r), l = record_ltime(r);

	if (l < s)
		l = s;
	return s < op->tto && l >= op->tfrom;
}

/* Called on the reader thread (readahead.h): reads op only. */
static int
selected(void *ctx, const struct gf_record *r)
{
	const struct opts *op = ctx;
	uint16_t want = op->loss ? GF_RT_SENSOR : GF_RT_FLOW;

	if (op->trange && !in_range(op, r))
		return 0;
	if (!op->has_filter)
		return op->all_kinds || r->type == want;
	if (op->loss && r->type != GF_RT_SENSOR)
		return 0;
	return gf_filter_match(op->filter, r);
}

static void
final_put(void *ctx, const struct gf_record *r)
{
	struct final *f = ctx;

	if (f->ipx != NULL) {
		gf_ipfix_exp_put(f->ipx, r);
		if (f->nar == 0 && f->w == NULL)
			return;         /* exported instead of printed */
	}
	if (f->limit > 0 && f->rows >= f->limit)
		return;
	f->rows++;
	if (f->nar > 0)
		gf_archive_put(f->ar[f->cur], r, gf_wall_ns());    /* counts losses */
	else if (f->w == NULL)
		output_record(f->out, r);
	else if (gf_writer_put(f->w, r) != 0)
		f->errors++;
}

/* A header for what -w writes, saying what aggregation made of the
 * intervals of info. */
static void
written_header(const struct opts *op, struct gf_stream_info *info)
{
	if (op->agg.set && op->agg.binwidth > 0) {
		info->interval = op->agg.binwidth;
		info->flags |= GF_HDR_ALIGNED;
	} else if (op->agg.set) {
		info->interval = 0;     /* records span whole aggregates */
		info->flags &= ~GF_HDR_ALIGNED;
	}
}

/* The header of the stream -w writes: the first input's. */
static struct gf_writer *
open_writer(const struct opts *op, const struct gf_stream_info *first)
{
	struct gf_stream_info info = *first;
	struct gf_writer *w;

	written_header(op, &info);
	w = gf_writer_open_path(op->write, &info, 1);
	if (w == NULL)
		exit(GF_EXIT_ERROR);
	return w;
}

/*
 * The collector's path for sensor host: "-HOST_PORT" (characters other
 * than letters, digits, '.' and '-' as '_') before the extension of the
 * last component of path, or at its end.
 */
static char *
sensor_path(const char *path, const char *host)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t stem, n = strlen(path) + strlen(host) + 2;
	char *out = gf_xcalloc(1, n), *q;

	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	stem = dot != NULL && dot != base ? (size_t)(dot - path) :
	    strlen(path);
	memcpy(out, path, stem);
	q = out + stem;
	*q++ = '-';
	for (const char *h = host; *h != '\0'; h++)
		*q++ = (isalnum((unsigned char)*h) || *h == '.' ||
		    *h == '-') ? *h : '_';
	strcpy(q, path + stem);
	return out;
}

/*
 * The collector's archives.  Records of raw flows keep the stream header
 * of the sensor run they come from, which is what tells flows apart
 * (a flowid is unique within one run only): one archive per sensor
 * ("-HOST_PORT" in its file names when there are several), each started
 * anew when its sensor restarts.  Aggregates, and several sensors on
 * standard output, go to one archive with a header of the collector's
 * own (sensor id 0, "collector", started now).
 */
static int
per_sensor_archives(const struct opts *op)
{
	return !op->agg.set && (op->nhosts == 1 ||
	    strcmp(op->write, "-") != 0);
}

static void
open_archives(const struct opts *op, struct final *f)
{
	struct gf_stream_info info;
	char err[512];

	memset(&info, 0, sizeof(info));
	info.start = gf_wall_ns();
	snprintf(info.name, sizeof(info.name), "collector");
	written_header(op, &info);
	f->nar = per_sensor_archives(op) ? op->nhosts : 1;
	for (int i = 0; i < f->nar; i++) {
		char *path = f->nar > 1 ?
		    sensor_path(op->write, op->hosts[i]) :
		    gf_xstrdup(op->write);
		f->ar[i] = gf_archive_open(path, &info, 1, op->rotate,
		    op->rotate_size, GF_AR_LIVE, err, sizeof(err));
		free(path);
		if (f->ar[i] == NULL)
			gf_fatal(GF_EXIT_ERROR, "%s", err);
	}
}

/* A sensor's stream starts: its records go to its archive, under its
 * header; a restarted sensor's to a new file. */
static void
begin_sensor_stream(const struct opts *op, struct final *f, int i,
    const struct gf_stream_info *info)
{
	struct gf_stream_info *cur = &f->arinfo[i];

	f->cur = i;
	if (cur->start == info->start && cur->sensorid == info->sensorid)
		return;
	if (cur->start != 0)
		gf_archive_rotate(f->ar[i], gf_wall_ns());
	*cur = *info;
	written_header(op, cur);
	gf_archive_set_info(f->ar[i], cur);
}

static struct live *
open_live(struct opts *op)
{
	const char *remote;
	char *sensor_expr = NULL;
	struct live *lv;
	char err[512];

	/*
	 * The sensors send only what the filter selects.  Without one they
	 * send everything: clients without a filter share one copy of the
	 * stream there, and FLOW records are nearly all of it anyway; but
	 * the loss report needs only the few SENSOR records.
	 */
	if (op->has_filter && op->loss) {
		/* the sensor's filter selects flows unless told */
		size_t n = strlen(op->expr) + 16;
		sensor_expr = gf_xcalloc(1, n);
		snprintf(sensor_expr, n, "sensor and (%s)", op->expr);
		remote = sensor_expr;
	} else if (op->has_filter) {
		remote = op->expr;
	} else {
		remote = op->loss ? "sensor" : NULL;
	}
	lv = live_open(op->hosts, op->nhosts, remote,
	    op->write != NULL ? LIVE_COLLECT : 0, selected, op, err,
	    sizeof(err));
	free(sensor_expr);
	if (lv == NULL)
		gf_fatal(GF_EXIT_ERROR, "option -S: %s", err);
	return lv;
}

/* An input's (or a live stream's, from sensor 'source') header, before
 * its records. */
static void
begin_input(const struct opts *op, struct final *f, struct aggregate *agg,
    struct loss_report *loss, struct summary *sum,
    const struct gf_stream_info *info, int source)
{
	if (op->nipfix > 0 && f->ipx == NULL) {
		struct gf_ipfix_opts io = { op->ipfix_pen, info->sensorid,
		    op->ipfix_mtu, 0, 1 };
		char err[512];
		f->ipx = gf_ipfix_exp_open(op->ipfix, op->nipfix, &io, err,
		    sizeof(err));
		if (f->ipx == NULL)
			gf_fatal(GF_EXIT_ERROR, "option --ipfix: %s", err);
	}
	if (f->nar > 0 && per_sensor_archives(op))
		begin_sensor_stream(op, f, f->nar > 1 ? source : 0, info);
	else if (op->write != NULL && f->nar == 0 && f->w == NULL)
		f->w = open_writer(op, info);
	if (agg != NULL)
		agg_begin_input(agg, info);
	if (loss != NULL)
		loss_begin_input(loss, info);
	if (sum != NULL)
		summary_begin_input(sum, info);
}

/*
 * Live input, after every event: printed records reach the terminal or
 * pipe within a second, and the archive writes its blocks, rotates, and
 * retries on time.
 */
static void
keep_up(struct final *f, struct live *lv, int idle)
{
	uint64_t now = gf_wall_ns();

	gf_ipfix_exp_tick(f->ipx);
	if (f->nar > 0) {
		int rotate = live_rotate_asked(lv);
		for (int i = 0; i < f->nar; i++) {
			if (rotate)
				gf_archive_rotate(f->ar[i], now);
			gf_archive_tick(f->ar[i], now);
		}
	} else if (idle || now < f->flushed ||
	    now - f->flushed >= GF_NS_PER_SEC) {
		output_flush(f->out);
		fflush(stdout);
		f->flushed = now;
	}
}

/*
 * Columns of an aggregation without -s: -m flow keeps the flow columns
 * and adds trans; -m KEYS (and none) shows, as nfdump -s, the keys, then
 * flows, packets, bytes, gap, pgap, loss and the row's shares, after the
 * bin's time with -b.  SENSOR rows keep their columns.
 */
static void
default_agg_columns(const struct opts *op, struct output *out)
{
	char list[1024] = "";
	size_t n = 0;

	if (op->agg.flow) {
		output_select(out, "+trans", NULL, 0);
		return;
	}
	if (op->agg.binwidth > 0)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "stime,dur,");
	for (int i = 0; i < op->agg.nkeys && n < sizeof(list); i++) {
		const struct gf_field *f = op->agg.key[i].f[GF_RT_FLOW];
		if (f != NULL)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s,",
			    f->name);
	}
	if (n < sizeof(list))
		snprintf(list + n, sizeof(list) - n, "flows,pkts,bytes,gap,"
		    "pgap,loss,%%flows,%%bytes,%%gap");
	/* only FLOW columns are replaced: a SENSOR list stays */
	out_replace_flow(out, list);
}

static void
report_aggregation(const struct aggregate *a)
{
	struct agg_stats stats, *st = &stats;
	char hold[32];

	agg_get_stats(a, st);
	snprintf(hold, sizeof(hold), "%.3f s", (double)st->hold / 1e9);
	if (st->late > 0)
		gf_warn("-b: %llu records reached into bins already output "
		    "(more than the hold time, %s, out of time order); they "
		    "were merged into those bins, which appear again; -B sets "
		    "a longer hold", (unsigned long long)st->late, hold);
	if (st->unsplit > 0)
		gf_warn("-b: %llu records spanning more than 100000 bins "
		    "were not split but counted in the bin of their start",
		    (unsigned long long)st->unsplit);
}

int
main(int argc, char **argv)
{
	struct opts op;
	struct output out;
	struct final fin;
	struct sink sink;
	struct aggregate *agg = NULL;
	struct sorter *sorter = NULL;
	struct loss_report *loss = NULL;
	struct summary *sum = NULL;
	struct readahead *ra = NULL;
	struct live *lv = NULL;
	uint64_t matched = 0;
	int errors = 0, status;

	gf_log_init(argv[0]);
	memset(&op, 0, sizeof(op));
	op.lossopt.threshold = -1;
	op.lossopt.min_acks = 1;        /* Zeek's minimum_acks */
	op.ipfix_pen = GF_IPFIX_PEN_DEFAULT;
	op.ipfix_mtu = GF_IPFIX_MTU_DEFAULT;
	output_init(&out, stdout);
	parse_args(argc, argv, &op, &out);
	op.lossopt.localtime = op.localtime;

	/* build the chain from its end */
	memset(&fin, 0, sizeof(fin));
	fin.out = &out;
	fin.limit = op.limit;
	fin.op = &op;
	sink.put = final_put;
	sink.ctx = &fin;
	if (op.loss) {
		loss = loss_new(&out, &op.lossopt);
		sink.put = loss_put;
		sink.ctx = loss;
		if (op.agg.binwidth > 0)
			op.agg.set = 1;         /* -m none per bin */
	} else if (op.sort.n > 0) {
		sorter = sorter_new(&op.sort, op.top, sink);
		sink.put = sorter_put;
		sink.ctx = sorter;
	}
	if (op.agg.set) {
		agg = agg_new(&op.agg, sink);
		if (!out.replaced && !op.loss)
			default_agg_columns(&op, &out);
	}

	/* text ends with a summary (not with -L0); CSV and JSON only when
	 * asked (summary.h) */
	if (!op.loss && op.write == NULL && (op.summary ||
	    (out.fmt == OUT_TEXT && out.header)))
		sum = summary_new();

	if (op.nhosts > 0) {
		/* no sensor is asked for records that cannot be kept */
		if (op.write != NULL)
			open_archives(&op, &fin);
		lv = open_live(&op);
	} else {
		ra = readahead_open(&op.in, selected, &op);
	}
	for (;;) {
		const struct gf_stream_info *info = NULL;
		const struct gf_record *r = NULL;
		enum ra_event ev = lv != NULL ?
		    live_next(lv, &r, &info, LIVE_WAIT_MS) :
		    readahead_next(ra, &r, &info);

		if (ev == RA_END)
			break;
		switch (ev) {
		case RA_INPUT:
			begin_input(&op, &fin, agg, loss, sum, info,
			    lv != NULL ? live_source(lv) : 0);
			break;
		case RA_RECORD:
			matched++;
			if (sum != NULL)
				summary_put(sum, r);
			if (agg != NULL)
				agg_put(agg, r);
			else
				sink_put(&sink, r);
			/* -N: straight printing needs read no further */
			if (op.limit > 0 && sink.ctx == &fin &&
			    fin.rows >= op.limit)
				goto done;
			break;
		case RA_IDLE:
			break;
		default:
			errors++;       /* already reported by the reader */
			break;
		}
		if (lv != NULL)
			keep_up(&fin, lv, ev == RA_IDLE);
	}
done:
	readahead_close(ra);
	errors += live_close(lv) > 0;   /* reported by the collector */
	if (agg != NULL) {
		agg_finish(agg);
		report_aggregation(agg);
	}
	if (sorter != NULL)
		sorter_finish(sorter);
	if (loss != NULL && loss_finish(loss) != 0)
		errors++;
	output_flush(&out);
	if (sum != NULL) {
		if (out.fmt == OUT_CSV) {
			fflush(stdout);
			summary_print(sum, stderr, 0);
		} else {
			summary_print(sum, stdout, out.fmt == OUT_JSON);
		}
	}
	summary_free(sum);
	if (fin.ipx != NULL && gf_ipfix_exp_close(fin.ipx, 10000) > 0)
		errors++;       /* records not exported, reported */
	if (fin.w != NULL && gf_writer_close(fin.w) != 0)
		errors++;
	for (int i = 0; i < fin.nar; i++)
		if (gf_archive_close(fin.ar[i], gf_wall_ns(), NULL, NULL) != 0)
			errors++;       /* records lost, reported */
	errors += fin.errors > 0;
	status = (matched || fin.nar > 0) ? GF_EXIT_OK : GF_EXIT_NOMATCH;
	if (loss != NULL && loss_crossed(loss) > 0)
		status = GF_EXIT_THRESHOLD;
	agg_free(agg);
	sorter_free(sorter);
	loss_free(loss);
	gf_filter_free(op.filter);
	free(op.expr);
	inputs_free(&op.in);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		gf_err("stdout: write error");
		return GF_EXIT_ERROR;
	}
	return errors ? GF_EXIT_ERROR : status;
}
