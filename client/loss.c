/*
 * loss.c - the capture-loss report (see loss.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loss.h"
#include "plot.h"
#include "timefmt.h"

/* The report's columns, in order; text widths fit a month of 10 Gb/s. */
enum col {
	C_STIME, C_DUR, C_ACKBYTES, C_GAPBYTES, C_GAPEV, C_ACKEV,
	C_LOSSBYTES, C_LOSSEV, C_KDROPS, C_IFDROPS, C_GAPFLOWS, C_SIMPLEX,
	C_COUNT
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
};

/* A row's values: sums of SENSOR records. */
struct row {
	uint64_t stime, ltime, dur;
	uint64_t ackbytes, gapbytes, gapev, ackev;
	uint64_t kdrops, ifdrops, gapflows, simplexflows;
};

struct loss_report {
	struct output *out;
	struct loss_opts o;
	struct row total;
	uint64_t rows, crossed;
	uint64_t first_cross_time;
	double first_cross_pct;
	int first_cross_events;
	struct plot_point *pts;
	size_t npts, cappts;
	int header_done;
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

struct loss_report *
loss_new(struct output *out, const struct loss_opts *o)
{
	struct loss_report *lr = gf_xcalloc(1, sizeof(*lr));
	lr->out = out;
	lr->o = *o;
	return lr;
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

/* ---- printing ----------------------------------------------------------- */

/* Cell text of column c for row w; total rows say "total" for time. */
static void
cell(const struct row *w, int total, enum col c, char *buf, size_t len)
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
		snprintf(buf, len, "%.3f", pct(w->gapbytes, w->ackbytes));
		break;
	case C_LOSSEV:
		snprintf(buf, len, "%.3f", pct(w->gapev, w->ackev));
		break;
	case C_KDROPS: snprintf(buf, len, "%" PRIu64, w->kdrops); break;
	case C_IFDROPS: snprintf(buf, len, "%" PRIu64, w->ifdrops); break;
	case C_GAPFLOWS: snprintf(buf, len, "%" PRIu64, w->gapflows); break;
	case C_SIMPLEX:
		snprintf(buf, len, "%" PRIu64, w->simplexflows);
		break;
	default:
		buf[0] = '\0';
		break;
	}
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
print_row(struct loss_report *lr, const struct row *w, int total)
{
	FILE *fp = lr->out->fp;
	char buf[64];

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
			cell(w, total, (enum col)c, buf, sizeof(buf));
			fprintf(fp, looks_numeric(buf) ? ",\"%s\":%s" :
			    ",\"%s\":\"%s\"", cols[c].name, buf);
		}
		if (total && lr->o.threshold >= 0)
			fprintf(fp, ",\"threshold_pct\":%g,\"crossed\":%" PRIu64,
			    lr->o.threshold, lr->crossed);
		fputs("}\n", fp);
		return;
	}
	for (int c = 0; c < C_COUNT; c++) {
		cell(w, total, (enum col)c, buf, sizeof(buf));
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
keep_point(struct loss_report *lr, const struct row *w)
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
	print_row(lr, &w, 0);
	keep_point(lr, &w);
	check_threshold(lr, &w);

	if (lr->rows == 0 || w.stime < t->stime)
		t->stime = w.stime;
	if (w.ltime > t->ltime)
		t->ltime = w.ltime;
	lr->rows++;
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
	char err[512];

	if (lr->rows > 0)
		print_row(lr, &lr->total, 1);
	if (lr->crossed > 0) {
		char when[64];
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
		po.threshold = lr->o.threshold;
		po.localtime = lr->o.localtime;
		if (plot_loss_svg(lr->o.plot, lr->pts, lr->npts, &po, err,
		    sizeof(err)) != 0) {
			gf_err("%s", err);
			return -1;
		}
	}
	return 0;
}
