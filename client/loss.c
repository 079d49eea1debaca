/*
 * loss.c - the capture-loss report (see loss.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gapflow.h"
#include "log.h"
#include "loss.h"
#include "plot.h"
#include "timefmt.h"

/* The report's columns, in order; text widths fit a month of 10 Gb/s. */
enum col {
	C_STIME, C_DUR, C_ACKBYTES, C_GAPBYTES, C_GAPEV, C_ACKEV,
	C_LOSSBYTES, C_LOSSEV, C_KDROPS, C_IFDROPS, C_GAPFLOWS, C_SIMPLEX,
	C_NOTE, C_COUNT
};

static const struct {
	const char *name;
	int width;
} cols[C_COUNT] = {
	[C_STIME] = { "stime", 27 },
	[C_DUR] = { "dur", 12 },
	[C_ACKBYTES] = { "ackbytes", 15 },
	[C_GAPBYTES] = { "gapbytes", 13 },
	[C_GAPEV] = { "gapev", 9 },
	[C_ACKEV] = { "ackev", 11 },
	[C_LOSSBYTES] = { "lossbytes_pct", 13 },
	[C_LOSSEV] = { "lossev_pct", 10 },
	[C_KDROPS] = { "kdrops", 9 },
	[C_IFDROPS] = { "ifdrops", 9 },
	[C_GAPFLOWS] = { "gapflows", 9 },
	[C_SIMPLEX] = { "simplexflows", 12 },
	[C_NOTE] = { "note", 12 },
};

/* A row's values: sums of SENSOR records. */
struct row {
	uint64_t stime, ltime, dur;
	uint64_t ackbytes, gapbytes, gapev, ackev;
	uint64_t kdrops, ifdrops, gapflows, simplexflows;
	uint64_t pkts, bytes;
};

struct loss_report {
	struct output *out;
	struct loss_opts o;
	struct row total;
	uint64_t rows, crossed, unjudged, inconsistent;
	uint64_t first_cross_time, first_bad_time;
	double first_cross_pct;
	int first_cross_events;
	struct plot_point *pts;
	size_t npts, cappts;
	int header_done;
	char peer[GF_SENSOR_NAME_LEN + 1];
};

static double
pct(uint64_t part, uint64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* Whether a row's percentages mean anything (loss.h). */
static enum plot_judge
judge(const struct loss_report *lr, const struct row *w)
{
	if (w->gapbytes > w->ackbytes || w->gapev > w->ackev)
		return PJ_INCONSISTENT;
	if (w->ackev < lr->o.min_acks)
		return PJ_FEW_ACKS;
	return PJ_OK;
}

static const char *
judge_note(enum plot_judge j)
{
	switch (j) {
	case PJ_FEW_ACKS: return "few-acks";
	case PJ_INCONSISTENT: return "inconsistent";
	default: return "-";
	}
}

struct loss_report *
loss_new(struct output *out, const struct loss_opts *o)
{
	struct loss_report *lr = gf_xcalloc(1, sizeof(*lr));
	lr->out = out;
	lr->o = *o;
	snprintf(lr->peer, sizeof(lr->peer), "gapflow");
	return lr;
}

void
loss_begin_input(struct loss_report *lr, const struct gf_stream_info *info)
{
	if (info->name[0] != '\0')
		snprintf(lr->peer, sizeof(lr->peer), "%s", info->name);
}

void
loss_free(struct loss_report *lr)
{
	if (lr == NULL)
		return;
	free(lr->pts);
	free(lr);
}

uint64_t
loss_rows(const struct loss_report *lr)
{
	return lr->rows;
}

uint64_t
loss_crossed(const struct loss_report *lr)
{
	return lr->crossed;
}

uint64_t
loss_unjudged(const struct loss_report *lr)
{
	return lr->unjudged;
}

uint64_t
loss_inconsistent(const struct loss_report *lr)
{
	return lr->inconsistent;
}

/* ---- printing ----------------------------------------------------------- */

/* Cell text of column c for row w judged j; total rows say "total" for
 * time. */
static void
cell(const struct row *w, int total, enum plot_judge j, enum col c,
    char *buf, size_t len)
{
	switch (c) {
	case C_STIME:
		if (total)
			snprintf(buf, len, "total");
		else
			gf_time_format(w->stime, buf, len);
		break;
	case C_DUR:
		snprintf(buf, len, "%.6f", (double)w->dur / 1e9);
		break;
	case C_ACKBYTES: snprintf(buf, len, "%" PRIu64, w->ackbytes); break;
	case C_GAPBYTES: snprintf(buf, len, "%" PRIu64, w->gapbytes); break;
	case C_GAPEV: snprintf(buf, len, "%" PRIu64, w->gapev); break;
	case C_ACKEV: snprintf(buf, len, "%" PRIu64, w->ackev); break;
	case C_LOSSBYTES:
		if (j != PJ_OK)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%.3f", pct(w->gapbytes,
			    w->ackbytes));
		break;
	case C_LOSSEV:
		if (j != PJ_OK)
			snprintf(buf, len, "-");
		else
			snprintf(buf, len, "%.3f", pct(w->gapev, w->ackev));
		break;
	case C_KDROPS: snprintf(buf, len, "%" PRIu64, w->kdrops); break;
	case C_IFDROPS: snprintf(buf, len, "%" PRIu64, w->ifdrops); break;
	case C_GAPFLOWS: snprintf(buf, len, "%" PRIu64, w->gapflows); break;
	case C_SIMPLEX:
		snprintf(buf, len, "%" PRIu64, w->simplexflows);
		break;
	case C_NOTE:
		snprintf(buf, len, "%s", judge_note(j));
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/* Zeek's double: six decimals, trailing zeros dropped, at least one. */
static void
zeek_double(double v, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%.6f", v);

	if (n >= len)
		return;
	while (n > 1 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
}

static void
zeek_time(uint64_t ns, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 ".%06u", (uint64_t)(ns / GF_NS_PER_SEC),
	    (unsigned)(ns % GF_NS_PER_SEC / 1000));
}

/* #open / #close: Zeek writes the wall time; the data's time is used
 * here so that a report is the same however often it is made. */
static void
zeek_stamp(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / GF_NS_PER_SEC);
	struct tm tm;

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d-%H-%M-%S", &tm) == 0)
		snprintf(buf, len, "-");
}

static void
zeek_header(struct loss_report *lr, uint64_t t)
{
	char stamp[32];

	zeek_stamp(t, stamp, sizeof(stamp));
	fprintf(lr->out->fp, "#separator \\x09\n#set_separator\t,\n"
	    "#empty_field\t(empty)\n#unset_field\t-\n#path\tcapture_loss\n"
	    "#open\t%s\n#fields\tts\tts_delta\tpeer\tgaps\tacks\t"
	    "percent_lost\n#types\ttime\tinterval\tstring\tcount\tcount\t"
	    "double\n", stamp);
}

/* One capture_loss.log line: ts is the end of the interval (Zeek logs
 * at the measurement), ts_delta its length; percent_lost is unset (-)
 * for an inconsistent row, 0.0 without ACKs, as Zeek. */
static void
zeek_row(struct loss_report *lr, const struct row *w, enum plot_judge j)
{
	char ts[40], delta[40], p[40];

	zeek_time(w->ltime, ts, sizeof(ts));
	snprintf(delta, sizeof(delta), "%.6f", (double)w->dur / 1e9);
	if (j == PJ_INCONSISTENT)
		snprintf(p, sizeof(p), "-");
	else
		zeek_double(pct(w->gapev, w->ackev), p, sizeof(p));
	fprintf(lr->out->fp, "%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%s\n", ts,
	    delta, lr->peer, w->gapev, w->ackev, p);
}

static void
print_header(struct loss_report *lr)
{
	FILE *fp = lr->out->fp;

	lr->header_done = 1;
	if (!lr->out->header || lr->out->fmt == OUT_JSON)
		return;
	for (int c = 0; c < C_COUNT; c++) {
		if (lr->out->fmt == OUT_CSV) {
			if (c > 0)
				fputc(lr->out->delim, fp);
			fputs(cols[c].name, fp);
		} else if (c == C_STIME) {
			fprintf(fp, "%-*s", cols[c].width, cols[c].name);
		} else {
			fprintf(fp, " %*s", cols[c].width, cols[c].name);
		}
	}
	fputc('\n', fp);
}

static int
looks_numeric(const char *s)
{
	char *end;
	if (*s == '\0' || *s == '-' || *s == '+')
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

static void
print_json_cell(FILE *fp, int c, const char *buf)
{
	if ((c == C_LOSSBYTES || c == C_LOSSEV) && strcmp(buf, "-") == 0)
		fprintf(fp, ",\"%s\":null", cols[c].name);
	else
		fprintf(fp, looks_numeric(buf) ? ",\"%s\":%s" :
		    ",\"%s\":\"%s\"", cols[c].name, buf);
}

static void
print_row(struct loss_report *lr, const struct row *w, int total,
    enum plot_judge j)
{
	FILE *fp = lr->out->fp;
	char buf[64];

	if (lr->out->fmt == OUT_ZEEK) {
		if (!lr->header_done && lr->out->header)
			zeek_header(lr, w->stime);
		lr->header_done = 1;
		if (!total)
			zeek_row(lr, w, j);
		return;
	}
	if (!lr->header_done)
		print_header(lr);
	if (lr->out->fmt == OUT_JSON) {
		fprintf(fp, "{\"type\":\"%s\"", total ? "total" : "interval");
		for (int c = 0; c < C_COUNT; c++) {
			if (total && c == C_STIME) {
				/* the total's span, and how many rows */
				gf_time_format(w->stime, buf, sizeof(buf));
				fprintf(fp, looks_numeric(buf) ?
				    ",\"stime\":%s" : ",\"stime\":\"%s\"", buf);
				gf_time_format(w->ltime, buf, sizeof(buf));
				fprintf(fp, looks_numeric(buf) ?
				    ",\"ltime\":%s" : ",\"ltime\":\"%s\"", buf);
				fprintf(fp, ",\"intervals\":%" PRIu64, lr->rows);
				continue;
			}
			cell(w, total, j, (enum col)c, buf, sizeof(buf));
			print_json_cell(fp, c, buf);
		}
		if (total && lr->o.threshold >= 0)
			fprintf(fp, ",\"threshold_pct\":%g,\"crossed\":%" PRIu64,
			    lr->o.threshold, lr->crossed);
		if (total)
			fprintf(fp, ",\"few_acks\":%" PRIu64 ",\"inconsistent\":"
			    "%" PRIu64, lr->unjudged, lr->inconsistent);
		fputs("}\n", fp);
		return;
	}
	for (int c = 0; c < C_COUNT; c++) {
		cell(w, total, j, (enum col)c, buf, sizeof(buf));
		if (lr->out->fmt == OUT_CSV) {
			if (c > 0)
				fputc(lr->out->delim, fp);
			fputs(buf, fp);
		} else if (c == C_STIME) {
			fprintf(fp, "%-*s", cols[c].width, buf);
		} else {
			fprintf(fp, " %*s", cols[c].width, buf);
		}
	}
	fputc('\n', fp);
}

/* ---- rows --------------------------------------------------------------- */

static void
keep_point(struct loss_report *lr, const struct row *w, enum plot_judge j)
{
	struct plot_point *p;

	if (lr->o.plot == NULL)
		return;
	if (lr->npts == lr->cappts) {
		lr->cappts = lr->cappts ? lr->cappts * 2 : 256;
		lr->pts = gf_xrealloc(lr->pts, lr->cappts * sizeof(*lr->pts));
	}
	p = &lr->pts[lr->npts++];
	p->stime = w->stime;
	p->ltime = w->ltime;
	p->ackbytes = w->ackbytes;
	p->gapbytes = w->gapbytes;
	p->ackev = w->ackev;
	p->gapev = w->gapev;
	p->pkts = w->pkts;
	p->drops = sat_add(w->kdrops, w->ifdrops);
	p->judge = (uint8_t)j;
}

static void
check_threshold(struct loss_report *lr, const struct row *w)
{
	double b = pct(w->gapbytes, w->ackbytes), e = pct(w->gapev, w->ackev);

	if (lr->o.threshold < 0 || (b < lr->o.threshold && e < lr->o.threshold))
		return;
	if (lr->crossed++ == 0) {
		lr->first_cross_time = w->stime;
		lr->first_cross_events = b < lr->o.threshold;
		lr->first_cross_pct = lr->first_cross_events ? e : b;
	}
}

void
loss_put(void *ctx, const struct gf_record *r)
{
	struct loss_report *lr = ctx;
	const struct gf_sensor *s = &r->u.sensor;
	struct row w, *t = &lr->total;
	enum plot_judge j;

	if (r->type != GF_RT_SENSOR)
		return;
	memset(&w, 0, sizeof(w));
	w.stime = s->stime;
	w.ltime = s->ltime;
	w.dur = s->ltime > s->stime ? s->ltime - s->stime : 0;
	w.ackbytes = s->ackbytes;
	w.gapbytes = s->gapbytes;
	w.gapev = s->gapev;
	w.ackev = s->ackev;
	w.kdrops = s->kdrops;
	w.ifdrops = s->ifdrops;
	w.gapflows = s->gapflows;
	w.simplexflows = s->simplexflows;
	w.pkts = s->pkts;
	w.bytes = s->bytes;
	j = judge(lr, &w);
	print_row(lr, &w, 0, j);
	keep_point(lr, &w, j);
	if (lr->rows == 0 || w.stime < t->stime)
		t->stime = w.stime;
	if (w.ltime > t->ltime)
		t->ltime = w.ltime;
	lr->rows++;
	if (j == PJ_INCONSISTENT) {
		if (lr->inconsistent++ == 0)
			lr->first_bad_time = w.stime;
		return;         /* out of the total and the threshold */
	}
	if (j == PJ_OK)
		check_threshold(lr, &w);
	else
		lr->unjudged++;
	t->dur = sat_add(t->dur, w.dur);
	t->ackbytes = sat_add(t->ackbytes, w.ackbytes);
	t->gapbytes = sat_add(t->gapbytes, w.gapbytes);
	t->gapev = sat_add(t->gapev, w.gapev);
	t->ackev = sat_add(t->ackev, w.ackev);
	t->kdrops = sat_add(t->kdrops, w.kdrops);
	t->ifdrops = sat_add(t->ifdrops, w.ifdrops);
	t->gapflows = sat_add(t->gapflows, w.gapflows);
	t->simplexflows = sat_add(t->simplexflows, w.simplexflows);
}

int
loss_finish(struct loss_report *lr)
{
	char err[512], when[64];

	if (lr->rows > 0)
		print_row(lr, &lr->total, 1, judge(lr, &lr->total));
	if (lr->out->fmt == OUT_ZEEK && lr->rows > 0 && lr->out->header) {
		zeek_stamp(lr->total.ltime, when, sizeof(when));
		fprintf(lr->out->fp, "#close\t%s\n", when);
	}
	if (lr->inconsistent > 0) {
		gf_time_format(lr->first_bad_time, when, sizeof(when));
		gf_warn("%" PRIu64 " of %" PRIu64 " intervals have more gap "
		    "than acknowledged bytes or events (first at %s): the "
		    "SENSOR records are damaged or inconsistent; no "
		    "percentage is shown for them, and they are left out of "
		    "the total, the threshold and the chart", lr->inconsistent,
		    lr->rows, when);
	}
	if (lr->crossed > 0) {
		gf_time_format(lr->first_cross_time, when, sizeof(when));
		gf_warn("capture loss reached the threshold of %g%% in %" PRIu64
		    " of %" PRIu64 " intervals; first at %s: %.3f%% by %s",
		    lr->o.threshold, lr->crossed, lr->rows, when,
		    lr->first_cross_pct,
		    lr->first_cross_events ? "events" : "bytes");
	}
	if (lr->o.plot != NULL && lr->npts == 0) {
		gf_warn("option --plot: no SENSOR records, so no chart was "
		    "written to %s", lr->o.plot);
	} else if (lr->o.plot != NULL) {
		struct plot_opts po;
		memset(&po, 0, sizeof(po));
		po.threshold = lr->o.threshold;
		po.localtime = lr->o.localtime;
		po.logscale = lr->o.logscale;
		if (plot_loss_svg(lr->o.plot, lr->pts, lr->npts, &po, err,
		    sizeof(err)) != 0) {
			gf_err("%s", err);
			return -1;
		}
	}
	return 0;
}
