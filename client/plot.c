/*
 * plot.c - the capture-loss chart, SVG written by hand (see plot.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gapflow.h"
#include "log.h"
#include "plot.h"

/* Canvas and the two panels, in SVG user units (pixels): loss on top,
 * traffic and drops below, one time axis under both. */
#define WIDTH   1000
#define HEIGHT  740
#define LEFT    80
#define RIGHT   80
#define TOP     112
#define PH      330                     /* loss panel */
#define GAP2    36
#define TOP2    (TOP + PH + GAP2)       /* traffic panel */
#define PH2     150
#define PW      (WIDTH - LEFT - RIGHT)
#define LOG_FLOOR 1e-4                  /* lowest decade of the log axis */

#define COLOR_BYTES  "#1f77b4"
#define COLOR_EVENTS "#e6550d"
#define COLOR_THRESH "#d62728"
#define COLOR_MAX    "#9ecae1"
#define COLOR_PKTS   "#4d4d4d"
#define COLOR_DROPS  "#9467bd"
#define COLOR_NOJUDGE "#aaaaaa"

#define NS_MS   1000000ull
#define NS_S    GF_NS_PER_SEC
#define NS_MIN  (60 * NS_S)
#define NS_HOUR (3600 * NS_S)
#define NS_DAY  (86400 * NS_S)

/* One drawn point: a group of consecutive intervals. */
struct dot {
	uint64_t stime, ltime;
	double bytes_pct, events_pct;   /* of the judged intervals */
	double max_pct;                 /* worst judged interval */
	double pkt_rate, drop_rate;     /* per second, all intervals */
	int judged;                     /* judged intervals in the group */
	int crossed;                    /* one of them reached the threshold */
};

struct chart {
	uint64_t t0, t1;                /* x range, ns */
	double ymax;                    /* loss axis top, percent (<= 100) */
	double ymin;                    /* log axis bottom */
	int logscale;
	double rmax, dmax;              /* traffic panel: packets/s, drops/s */
	long tzoff;                     /* seconds east of UTC for labels */
	int local;
};

static double
pct(uint64_t part, uint64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static double
xpos(const struct chart *c, uint64_t t)
{
	if (t <= c->t0)
		return LEFT;
	if (t >= c->t1)
		return LEFT + PW;
	return LEFT + (double)(t - c->t0) / (double)(c->t1 - c->t0) * PW;
}

static double
ypos(const struct chart *c, double v)
{
	if (v > c->ymax)
		v = c->ymax;
	if (c->logscale) {
		if (v < c->ymin)
			v = c->ymin;
		return TOP + PH - (log10(v) - log10(c->ymin)) /
		    (log10(c->ymax) - log10(c->ymin)) * PH;
	}
	return TOP + PH - v / c->ymax * PH;
}

/* The traffic panel: a value against its axis top. */
static double
ypos2(double v, double top)
{
	if (top <= 0)
		return TOP2 + PH2;
	if (v > top)
		v = top;
	return TOP2 + PH2 - v / top * PH2;
}

/* 1, 2 or 5 times a power of ten, at least x. */
static double
nice_step(double x)
{
	double e = pow(10.0, floor(log10(x)));
	double f = x / e;

	if (f <= 1.0)
		return e;
	if (f <= 2.0)
		return 2 * e;
	if (f <= 5.0)
		return 5 * e;
	return 10 * e;
}

/* The smallest tick step that gives at most 8 ticks over span. */
static uint64_t
time_step(uint64_t span)
{
	static const uint64_t clock_steps[] = {
		30 * NS_S, NS_MIN, 2 * NS_MIN, 5 * NS_MIN, 10 * NS_MIN,
		15 * NS_MIN, 30 * NS_MIN, NS_HOUR, 2 * NS_HOUR, 3 * NS_HOUR,
		6 * NS_HOUR, 12 * NS_HOUR, NS_DAY, 2 * NS_DAY, 7 * NS_DAY,
		14 * NS_DAY, 30 * NS_DAY, 61 * NS_DAY, 91 * NS_DAY,
		182 * NS_DAY, 365 * NS_DAY,
	};
	uint64_t want = span / 8 + 1, s;

	/* below half a minute: 1, 2, 5 x 10^k ns, from a microsecond */
	for (s = 1000; s < 30 * NS_S; s *= 10) {
		if (s >= want)
			return s;
		if (2 * s >= want)
			return 2 * s;
		if (5 * s >= want && 5 * s < 30 * NS_S)
			return 5 * s;
	}
	for (size_t i = 0; i < sizeof(clock_steps) / sizeof(clock_steps[0]);
	    i++)
		if (clock_steps[i] >= want)
			return clock_steps[i];
	return (want / (365 * NS_DAY) + 1) * 365 * NS_DAY;
}

static void
break_down(const struct chart *c, uint64_t t, struct tm *tm)
{
	time_t sec = (time_t)(t / NS_S) + c->tzoff;
	if (gmtime_r(&sec, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

/* Tick label for time t, detailed as the step needs. */
static void
time_label(const struct chart *c, uint64_t t, uint64_t step, char *buf,
    size_t len)
{
	struct tm tm;
	unsigned frac;

	break_down(c, t, &tm);
	if (step < NS_MS) {
		frac = (unsigned)(t % NS_S / 1000);
		snprintf(buf, len, "%02d:%02d:%02d.%06u", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, frac);
	} else if (step < NS_S) {
		frac = (unsigned)(t % NS_S / NS_MS);
		snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, frac);
	} else if (step < NS_MIN) {
		strftime(buf, len, "%H:%M:%S", &tm);
	} else if (step < NS_DAY) {
		strftime(buf, len, c->t1 - c->t0 >= NS_DAY ? "%m-%d %H:%M" :
		    "%H:%M", &tm);
	} else {
		strftime(buf, len, "%Y-%m-%d", &tm);
	}
}

/* Merge runs of intervals so that at most PLOT_MAX_POINTS remain.  Loss
 * is summed over the judged intervals only (loss.h); traffic over all. */
static struct dot *
make_dots(const struct plot_point *p, size_t n, double threshold,
    size_t *ndots, size_t *per)
{
	size_t g = (n + PLOT_MAX_POINTS - 1) / PLOT_MAX_POINTS, k = 0;
	struct dot *d;

	if (g == 0)
		g = 1;
	d = gf_xcalloc((n + g - 1) / g + 1, sizeof(*d));
	for (size_t i = 0; i < n; i += g, k++) {
		uint64_t ack = 0, gap = 0, ackev = 0, gapev = 0, span = 0;
		double pkts = 0, drops = 0;
		size_t end = i + g < n ? i + g : n;
		d[k].stime = p[i].stime;
		d[k].ltime = p[i].ltime;
		for (size_t j = i; j < end; j++) {
			double b = pct(p[j].gapbytes, p[j].ackbytes);
			double e = pct(p[j].gapev, p[j].ackev);
			if (p[j].ltime > p[j].stime)
				span += p[j].ltime - p[j].stime;
			pkts += (double)p[j].pkts;
			drops += (double)p[j].drops;
			if (p[j].ltime > d[k].ltime)
				d[k].ltime = p[j].ltime;
			if (p[j].judge != PJ_OK)
				continue;
			d[k].judged++;
			ack += p[j].ackbytes;
			gap += p[j].gapbytes;
			ackev += p[j].ackev;
			gapev += p[j].gapev;
			if (b > d[k].max_pct)
				d[k].max_pct = b;
			if (e > d[k].max_pct)
				d[k].max_pct = e;
			if (threshold >= 0 && (b >= threshold || e >= threshold))
				d[k].crossed = 1;
		}
		d[k].bytes_pct = pct(gap, ack);
		d[k].events_pct = pct(gapev, ackev);
		if (span > 0) {
			d[k].pkt_rate = pkts / ((double)span / 1e9);
			d[k].drop_rate = drops / ((double)span / 1e9);
		}
	}
	*ndots = k;
	*per = g;
	return d;
}

enum series { S_BYTES, S_EVENTS, S_MAX };

static double
value(const struct dot *d, enum series which)
{
	switch (which) {
	case S_EVENTS:
		return d->events_pct;
	case S_MAX:
		return d->max_pct;
	default:
		return d->bytes_pct;
	}
}

static void
draw_series(FILE *fp, const struct chart *c, const struct dot *d, size_t n,
    enum series which, const char *color, const char *dash)
{
	int pen = 0;

	fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" "
	    "stroke-linejoin=\"round\"%s d=\"", color,
	    which == S_MAX ? "1" : "1.8", dash);
	for (size_t i = 0; i < n; i++) {
		double v = value(&d[i], which);
		double x = xpos(c, d[i].stime / 2 + d[i].ltime / 2);
		/* a pause of more than three intervals, or an interval too
		 * thin to judge, lifts the pen */
		if (i > 0 && d[i].stime > d[i - 1].ltime &&
		    d[i].stime - d[i - 1].ltime >
		    3 * (d[i - 1].ltime - d[i - 1].stime))
			pen = 0;
		if (d[i].judged == 0) {
			pen = 0;
			continue;
		}
		fprintf(fp, "%s%.2f %.2f ", pen ? "L" : "M", x, ypos(c, v));
		pen = 1;
	}
	fprintf(fp, "\"/>\n");
	if (n > 120 || which == S_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		double v = value(&d[i], which);
		if (d[i].judged == 0)
			continue;
		fprintf(fp, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" "
		    "fill=\"%s\"/>\n", xpos(c, d[i].stime / 2 +
		    d[i].ltime / 2), ypos(c, v), color);
	}
}

/* A value for an axis label: 0.001 ... 100, or 1.5k, 2M for rates. */
static void
num_label(double v, int decimals, char *buf, size_t len)
{
	if (v >= 1e9)
		snprintf(buf, len, "%gG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%gM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%gk", v / 1e3);
	else
		snprintf(buf, len, "%.*f", decimals, v);
}

static void
hgrid(FILE *fp, double y, double v, int decimals, int right)
{
	char label[32];

	num_label(v, decimals, label, sizeof(label));
	fprintf(fp, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" "
	    "stroke=\"#dddddd\"/>\n", LEFT, y, LEFT + PW, y);
	if (right)
		fprintf(fp, "<text x=\"%d\" y=\"%.2f\" dominant-baseline="
		    "\"middle\" fill=\"%s\">%s</text>\n", LEFT + PW + 8, y,
		    COLOR_DROPS, label);
	else
		fprintf(fp, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\" "
		    "dominant-baseline=\"middle\">%s</text>\n", LEFT - 8, y,
		    label);
}

static void
draw_axes(FILE *fp, const struct chart *c)
{
	uint64_t step = time_step(c->t1 - c->t0);
	uint64_t off = (uint64_t)((int64_t)c->tzoff * (int64_t)NS_S);
	uint64_t t;

	/* the two panel frames */
	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	    "fill=\"#ffffff\" stroke=\"#444444\"/>\n", LEFT, TOP, PW, PH);
	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	    "fill=\"#ffffff\" stroke=\"#444444\"/>\n", LEFT, TOP2, PW, PH2);
	/* loss axis: decades on a log scale, else 1-2-5 steps */
	if (c->logscale) {
		for (double v = c->ymin; v <= c->ymax * (1 + 1e-9); v *= 10) {
			int dec = v >= 1 ? 0 : (int)ceil(-log10(v) - 1e-9);
			hgrid(fp, ypos(c, v), v, dec, 0);
		}
		/* the floor holds everything below it, 0 included */
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
		    "fill=\"#555555\">(and 0)</text>\n", LEFT - 8,
		    TOP + PH + 14);
	} else {
		double ystep = nice_step(c->ymax / 5);
		int dec = ystep >= 1 ? 0 : (int)ceil(-log10(ystep) - 1e-9);
		for (int i = 0; i * ystep <= c->ymax * (1 + 1e-9); i++)
			hgrid(fp, ypos(c, i * ystep), i * ystep, dec, 0);
	}
	/* traffic panel: packets/s on the left, drops/s on the right */
	if (c->rmax > 0) {
		double st = nice_step(c->rmax / 3);
		for (int i = 0; i * st <= c->rmax * (1 + 1e-9); i++)
			hgrid(fp, ypos2(i * st, c->rmax), i * st,
			    st >= 1 ? 0 : 1, 0);
	}
	if (c->dmax > 0) {
		double st = nice_step(c->dmax / 3);
		char label[32];
		for (int i = 1; i * st <= c->dmax * (1 + 1e-9); i++) {
			num_label(i * st, st >= 1 ? 0 : 2, label,
			    sizeof(label));
			fprintf(fp, "<text x=\"%d\" y=\"%.2f\" "
			    "dominant-baseline=\"middle\" fill=\"%s\">%s"
			    "</text>\n", LEFT + PW + 8, ypos2(i * st, c->dmax),
			    COLOR_DROPS, label);
		}
	}
	/* vertical grid with time labels, on multiples of the step in the
	 * labels' time zone, through both panels */
	t = ((c->t0 + off) / step + ((c->t0 + off) % step ? 1 : 0)) * step -
	    off;
	for (; t <= c->t1 && t >= c->t0; t += step) {
		char label[64];
		double x = xpos(c, t);
		time_label(c, t, step, label, sizeof(label));
		fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" "
		    "y2=\"%d\" stroke=\"#dddddd\"/>\n", x, TOP, x, TOP + PH);
		fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" "
		    "y2=\"%d\" stroke=\"#dddddd\"/>\n", x, TOP2, x, TOP2 + PH2);
		fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" "
		    "y2=\"%d\" stroke=\"#444444\"/>\n", x, TOP2 + PH2, x,
		    TOP2 + PH2 + 5);
		fprintf(fp, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">"
		    "%s</text>\n", x, TOP2 + PH2 + 20, label);
		if (t > UINT64_MAX - step)
			break;
	}
}

/* A time for the title, to the millisecond when the span is short. */
static void
span_text(const struct chart *c, uint64_t t, char *buf, size_t len)
{
	struct tm tm;
	size_t n;

	break_down(c, t, &tm);
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	if (c->t1 - c->t0 < NS_MIN && n > 0)
		snprintf(buf + n, len - n, ".%03u",
		    (unsigned)(t % NS_S / NS_MS));
}

/* A legend entry at (x, y): a line sample (or a box when box != 0) and
 * its text. */
static void
legend_entry(FILE *fp, int x, int y, const char *color, const char *dash,
    const char *width, int box, const char *text)
{
	if (box)
		fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"28\" height=\"10\" "
		    "fill=\"%s\" fill-opacity=\"0.25\" stroke=\"%s\"/>\n", x,
		    y - 5, color, color);
	else
		fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"%s\" stroke-width=\"%s\"%s/>\n", x, y, x + 28, y,
		    color, width, dash);
	fprintf(fp, "<text x=\"%d\" y=\"%d\" dominant-baseline=\"middle\">"
	    "%s</text>\n", x + 34, y, text);
}

static void
draw_labels(FILE *fp, const struct chart *c, size_t nintervals, size_t per,
    const struct plot_opts *o, size_t nojudge, size_t crossed)
{
	char from[40], to[40], zone[48], label[96];
	int y1 = TOP - 40, y2 = TOP - 18;

	span_text(c, c->t0, from, sizeof(from));
	span_text(c, c->t1, to, sizeof(to));
	if (c->local)
		snprintf(zone, sizeof(zone), "UTC%+03ld:%02ld", c->tzoff / 3600,
		    labs(c->tzoff) / 60 % 60);
	else
		snprintf(zone, sizeof(zone), "UTC");
	fprintf(fp, "<text x=\"%d\" y=\"28\" font-size=\"18\" "
	    "font-weight=\"bold\">Capture loss, %s to %s %s</text>\n",
	    LEFT, from, to, zone);
	fprintf(fp, "<text x=\"%d\" y=\"50\" fill=\"#555555\">%zu sensor "
	    "interval%s", LEFT, nintervals, nintervals == 1 ? "" : "s");
	if (per > 1)
		fprintf(fp, ", %zu per point (counters summed)", per);
	if (nojudge > 0)
		fprintf(fp, "; %zu not judged (fewer ACKs than --loss-min-acks)",
		    nojudge);
	fprintf(fp, "</text>\n");
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time "
	    "(%s)</text>\n", LEFT + PW / 2, TOP2 + PH2 + 44, zone);
	fprintf(fp, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" "
	    "transform=\"rotate(-90 20 %d)\">capture loss, %%%s</text>\n",
	    TOP + PH / 2, TOP + PH / 2, c->logscale ? " (log scale)" : "");
	fprintf(fp, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" "
	    "transform=\"rotate(-90 20 %d)\">packets/s</text>\n",
	    TOP2 + PH2 / 2, TOP2 + PH2 / 2);
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
	    "fill=\"%s\" transform=\"rotate(90 %d %d)\">drops/s</text>\n",
	    WIDTH - 14, TOP2 + PH2 / 2, COLOR_DROPS, WIDTH - 14,
	    TOP2 + PH2 / 2);
	/* legend: two rows between the title and the loss panel, one
	 * entry per series drawn */
	legend_entry(fp, LEFT, y1, COLOR_BYTES, "", "2", 0,
	    "loss by bytes: gap / acknowledged bytes");
	legend_entry(fp, LEFT + 300, y1, COLOR_EVENTS,
	    " stroke-dasharray=\"6 3\"", "2", 0,
	    "loss by events: gap / ACK events");
	if (per > 1)
		legend_entry(fp, LEFT + 580, y1, COLOR_MAX, "", "2", 0,
		    "worst single interval");
	if (o->threshold >= 0) {
		snprintf(label, sizeof(label), "threshold %g %%", o->threshold);
		legend_entry(fp, LEFT, y2, COLOR_THRESH,
		    " stroke-dasharray=\"2 3\"", "1.5", 0, label);
		snprintf(label, sizeof(label), "over the threshold (%zu)",
		    crossed);
		legend_entry(fp, LEFT + 180, y2, COLOR_THRESH, "", "1", 1,
		    label);
	}
	legend_entry(fp, LEFT + 400, y2, COLOR_PKTS, "", "1.5", 0,
	    "packets/s read (lower panel)");
	legend_entry(fp, LEFT + 640, y2, COLOR_DROPS, "", "1.5", 0,
	    c->dmax > 0 ? "kernel + interface drops/s" :
	    "kernel + interface drops/s: none");
}

/* The traffic panel's two series. */
static void
draw_traffic(FILE *fp, const struct chart *c, const struct dot *d, size_t n)
{
	for (int s = 0; s < 2; s++) {
		double top = s == 0 ? c->rmax : c->dmax;
		int pen = 0;
		if (top <= 0)
			continue;
		fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width="
		    "\"1.5\" stroke-linejoin=\"round\" d=\"", s == 0 ?
		    COLOR_PKTS : COLOR_DROPS);
		for (size_t i = 0; i < n; i++) {
			double v = s == 0 ? d[i].pkt_rate : d[i].drop_rate;
			if (i > 0 && d[i].stime > d[i - 1].ltime &&
			    d[i].stime - d[i - 1].ltime >
			    3 * (d[i - 1].ltime - d[i - 1].stime))
				pen = 0;
			fprintf(fp, "%s%.2f %.2f ", pen ? "L" : "M",
			    xpos(c, d[i].stime / 2 + d[i].ltime / 2),
			    ypos2(v, top));
			pen = 1;
		}
		fprintf(fp, "\"/>\n");
	}
}

/* Intervals over the threshold: a band through the loss panel and a
 * mark above it; intervals not judged: a grey tick under it. */
static void
draw_marks(FILE *fp, const struct chart *c, const struct dot *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double x0 = xpos(c, d[i].stime), x1 = xpos(c, d[i].ltime);
		if (x1 - x0 < 1.5) {
			double m = (x0 + x1) / 2;
			x0 = m - 0.75;
			x1 = m + 0.75;
		}
		if (d[i].crossed)
			fprintf(fp, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
			    "height=\"%d\" fill=\"%s\" fill-opacity=\"0.15\"/>"
			    "\n<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
			    "height=\"6\" fill=\"%s\"/>\n", x0, TOP, x1 - x0,
			    PH, COLOR_THRESH, x0, TOP - 7, x1 - x0,
			    COLOR_THRESH);
		else if (d[i].judged == 0)
			fprintf(fp, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
			    "height=\"5\" fill=\"%s\"/>\n", x0, TOP + PH + 1,
			    x1 - x0, COLOR_NOJUDGE);
	}
}

int
plot_loss_svg(const char *path, const struct plot_point *p, size_t n,
    const struct plot_opts *o, char *err, size_t errlen)
{
	struct chart c;
	struct dot *d;
	size_t nd, per, nojudge = 0, crossed = 0;
	double top = 0, low = 100;
	FILE *fp;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	d = make_dots(p, n, o->threshold, &nd, &per);
	for (size_t i = 0; i < n; i++)
		nojudge += p[i].judge == PJ_FEW_ACKS;
	c.t0 = n > 0 ? p[0].stime : 0;
	c.t1 = c.t0;
	for (size_t i = 0; i < nd; i++) {
		double v[3] = { d[i].bytes_pct, d[i].events_pct,
		    per > 1 ? d[i].max_pct : 0 };
		if (d[i].ltime > c.t1)
			c.t1 = d[i].ltime;
		if (d[i].stime < c.t0)
			c.t0 = d[i].stime;
		if (d[i].pkt_rate > c.rmax)
			c.rmax = d[i].pkt_rate;
		if (d[i].drop_rate > c.dmax)
			c.dmax = d[i].drop_rate;
		crossed += d[i].crossed;
		if (d[i].judged == 0)
			continue;
		for (int k = 0; k < 3; k++) {
			if (v[k] > top)
				top = v[k];
			if (v[k] > 0 && v[k] < low)
				low = v[k];
		}
	}
	if (c.t1 <= c.t0)
		c.t1 = c.t0 + NS_S;
	if (o->threshold > top)
		top = o->threshold;
	if (o->threshold > 0 && o->threshold < low)
		low = o->threshold;
	/* percentages of judged intervals are <= 100 (loss.h): the axis
	 * never goes past 100 */
	if (top > 100)
		top = 100;
	c.logscale = o->logscale;
	if (c.logscale) {
		c.ymax = top > 0 ? pow(10, ceil(log10(top) - 1e-9)) : 1;
		if (c.ymax > 100)
			c.ymax = 100;
		c.ymin = pow(10, floor(log10(low)));
		if (c.ymin < LOG_FLOOR)
			c.ymin = LOG_FLOOR;
		if (c.ymin >= c.ymax)
			c.ymin = c.ymax / 10;
	} else {
		c.ymax = top > 0 ? ceil(top * 1.05 / nice_step(top / 5)) *
		    nice_step(top / 5) : 1.0;
		if (c.ymax > 100)
			c.ymax = 100;
	}
	c.rmax = c.rmax > 0 ? ceil(c.rmax * 1.05 / nice_step(c.rmax / 3)) *
	    nice_step(c.rmax / 3) : 0;
	c.dmax = c.dmax > 0 ? ceil(c.dmax * 1.05 / nice_step(c.dmax / 3)) *
	    nice_step(c.dmax / 3) : 0;
	c.local = o->localtime;
	if (c.local) {
		time_t sec = (time_t)(c.t0 / NS_S);
		struct tm tm;
		if (localtime_r(&sec, &tm) != NULL)
			c.tzoff = tm.tm_gmtoff;
	}

	if (strcmp(path, "-") == 0)
		fp = stdout;
	else if ((fp = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "option --plot: %s: cannot open for "
		    "writing: %s", path, strerror(errno));
		free(d);
		return -1;
	}
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	    "font-size=\"12\">\n<title>gapflow capture loss</title>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#fafafa\"/>\n",
	    WIDTH, HEIGHT, WIDTH, HEIGHT);
	draw_axes(fp, &c);
	draw_marks(fp, &c, d, nd);
	if (per > 1)
		draw_series(fp, &c, d, nd, S_MAX, COLOR_MAX, "");
	draw_series(fp, &c, d, nd, S_BYTES, COLOR_BYTES, "");
	draw_series(fp, &c, d, nd, S_EVENTS, COLOR_EVENTS,
	    " stroke-dasharray=\"6 3\"");
	if (o->threshold >= 0 && (!c.logscale || o->threshold >= c.ymin)) {
		double y = ypos(&c, o->threshold);
		fprintf(fp, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" "
		    "y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1.5\" "
		    "stroke-dasharray=\"2 3\"/>\n", LEFT, y, LEFT + PW, y,
		    COLOR_THRESH);
	}
	draw_traffic(fp, &c, d, nd);
	draw_labels(fp, &c, n, per, o, nojudge, crossed);
	fprintf(fp, "</svg>\n");
	if (fp == stdout) {
		if (fflush(fp) != 0 || ferror(fp))
			rc = -1;
	} else {
		int bad = ferror(fp);
		if (fclose(fp) != 0 || bad)
			rc = -1;
	}
	if (rc != 0)
		snprintf(err, errlen, "option --plot: %s: write error: %s",
		    path, strerror(errno));
	free(d);
	return rc;
}
