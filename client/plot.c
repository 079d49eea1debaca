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

/* Canvas and plot area, in SVG user units (pixels). */
#define WIDTH   1000
#define HEIGHT  520
#define LEFT    80
#define RIGHT   30
#define TOP     92
#define BOTTOM  80
#define PW      (WIDTH - LEFT - RIGHT)
#define PH      (HEIGHT - TOP - BOTTOM)

#define COLOR_BYTES  "#1f77b4"
#define COLOR_EVENTS "#e6550d"
#define COLOR_THRESH "#d62728"
#define COLOR_MAX    "#9ecae1"

#define NS_MS   1000000ull
#define NS_S    GF_NS_PER_SEC
#define NS_MIN  (60 * NS_S)
#define NS_HOUR (3600 * NS_S)
#define NS_DAY  (86400 * NS_S)

/* One drawn point: a group of consecutive intervals. */
struct dot {
	uint64_t stime, ltime;
	double bytes_pct, events_pct;
	double max_pct;                 /* worst interval of the group */
};

struct chart {
	uint64_t t0, t1;                /* x range, ns */
	double ymax;
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
	return TOP + PH - v / c->ymax * PH;
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

/* Merge runs of intervals so that at most PLOT_MAX_POINTS remain. */
static struct dot *
make_dots(const struct plot_point *p, size_t n, size_t *ndots, size_t *per)
{
	size_t g = (n + PLOT_MAX_POINTS - 1) / PLOT_MAX_POINTS, k = 0;
	struct dot *d;

	if (g == 0)
		g = 1;
	d = gf_xcalloc((n + g - 1) / g + 1, sizeof(*d));
	for (size_t i = 0; i < n; i += g, k++) {
		uint64_t ack = 0, gap = 0, ackev = 0, gapev = 0;
		size_t end = i + g < n ? i + g : n;
		d[k].stime = p[i].stime;
		d[k].ltime = p[i].ltime;
		for (size_t j = i; j < end; j++) {
			ack += p[j].ackbytes;
			gap += p[j].gapbytes;
			ackev += p[j].ackev;
			gapev += p[j].gapev;
			if (pct(p[j].gapbytes, p[j].ackbytes) > d[k].max_pct)
				d[k].max_pct = pct(p[j].gapbytes,
				    p[j].ackbytes);
			if (pct(p[j].gapev, p[j].ackev) > d[k].max_pct)
				d[k].max_pct = pct(p[j].gapev, p[j].ackev);
			if (p[j].ltime > d[k].ltime)
				d[k].ltime = p[j].ltime;
		}
		d[k].bytes_pct = pct(gap, ack);
		d[k].events_pct = pct(gapev, ackev);
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
		/* a pause of more than three intervals lifts the pen */
		if (i > 0 && d[i].stime > d[i - 1].ltime &&
		    d[i].stime - d[i - 1].ltime >
		    3 * (d[i - 1].ltime - d[i - 1].stime))
			pen = 0;
		fprintf(fp, "%s%.2f %.2f ", pen ? "L" : "M", x, ypos(c, v));
		pen = 1;
	}
	fprintf(fp, "\"/>\n");
	if (n > 120 || which == S_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		double v = value(&d[i], which);
		fprintf(fp, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" "
		    "fill=\"%s\"/>\n", xpos(c, d[i].stime / 2 +
		    d[i].ltime / 2), ypos(c, v), color);
	}
}

static void
draw_axes(FILE *fp, const struct chart *c)
{
	double ystep = nice_step(c->ymax / 5);
	int decimals = ystep >= 1 ? 0 : (int)ceil(-log10(ystep) - 1e-9);
	uint64_t step = time_step(c->t1 - c->t0);
	uint64_t off = (uint64_t)((int64_t)c->tzoff * (int64_t)NS_S);
	uint64_t t;

	/* plot frame and horizontal grid with y labels */
	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
	    "fill=\"#ffffff\" stroke=\"#444444\"/>\n", LEFT, TOP, PW, PH);
	for (int i = 0; i * ystep <= c->ymax * (1 + 1e-9); i++) {
		double v = i * ystep, y = ypos(c, v);
		if (i > 0)
			fprintf(fp, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" "
			    "y2=\"%.2f\" stroke=\"#dddddd\"/>\n", LEFT, y,
			    LEFT + PW, y);
		if (c->ymax < 1e6)
			fprintf(fp, "<text x=\"%d\" y=\"%.2f\" "
			    "text-anchor=\"end\" dominant-baseline=\"middle\">"
			    "%.*f</text>\n", LEFT - 8, y, decimals, v);
		else    /* only broken counters get here: keep it short */
			fprintf(fp, "<text x=\"%d\" y=\"%.2f\" "
			    "text-anchor=\"end\" dominant-baseline=\"middle\">"
			    "%.3g</text>\n", LEFT - 8, y, v);
	}
	/* vertical grid with time labels, on multiples of the step in the
	 * labels' time zone */
	t = ((c->t0 + off) / step + ((c->t0 + off) % step ? 1 : 0)) * step -
	    off;
	for (; t <= c->t1 && t >= c->t0; t += step) {
		char label[64];
		double x = xpos(c, t);
		time_label(c, t, step, label, sizeof(label));
		fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" "
		    "y2=\"%d\" stroke=\"#dddddd\"/>\n", x, TOP, x, TOP + PH);
		fprintf(fp, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" "
		    "y2=\"%d\" stroke=\"#444444\"/>\n", x, TOP + PH, x,
		    TOP + PH + 5);
		fprintf(fp, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">"
		    "%s</text>\n", x, TOP + PH + 20, label);
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

static void
legend_entry(FILE *fp, int x, const char *color, const char *dash,
    const char *width, const char *text)
{
	fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"%s\" stroke-width=\"%s\"%s/>\n<text x=\"%d\" "
	    "y=\"%d\" dominant-baseline=\"middle\">%s</text>\n", x,
	    TOP - 18, x + 28, TOP - 18, color, width, dash, x + 34, TOP - 18,
	    text);
}

static void
draw_labels(FILE *fp, const struct chart *c, size_t nintervals, size_t per,
    const struct plot_opts *o)
{
	char from[40], to[40], zone[48];

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
	fprintf(fp, "</text>\n");
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time "
	    "(%s)</text>\n", LEFT + PW / 2, HEIGHT - 25, zone);
	fprintf(fp, "<text x=\"20\" y=\"%d\" text-anchor=\"middle\" "
	    "transform=\"rotate(-90 20 %d)\">capture loss, %%</text>\n",
	    TOP + PH / 2, TOP + PH / 2);
	/* legend: one row between the title and the plot */
	legend_entry(fp, LEFT, COLOR_BYTES, "", "2",
	    "by bytes: gap / acknowledged bytes");
	legend_entry(fp, LEFT + 265, COLOR_EVENTS, " stroke-dasharray=\"6 3\"",
	    "2", "by events: gap / ACK events");
	if (per > 1)
		legend_entry(fp, LEFT + 480, COLOR_MAX, "", "2",
		    "worst single interval");
	if (o->threshold >= 0) {
		char label[64];
		snprintf(label, sizeof(label), "threshold %g %%", o->threshold);
		legend_entry(fp, LEFT + 660, COLOR_THRESH,
		    " stroke-dasharray=\"2 3\"", "1.5", label);
	}
}

int
plot_loss_svg(const char *path, const struct plot_point *p, size_t n,
    const struct plot_opts *o, char *err, size_t errlen)
{
	struct chart c;
	struct dot *d;
	size_t nd, per;
	double top = 0;
	FILE *fp;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	d = make_dots(p, n, &nd, &per);
	c.t0 = n > 0 ? p[0].stime : 0;
	c.t1 = c.t0;
	for (size_t i = 0; i < nd; i++) {
		if (d[i].ltime > c.t1)
			c.t1 = d[i].ltime;
		if (d[i].stime < c.t0)
			c.t0 = d[i].stime;
		if (d[i].bytes_pct > top)
			top = d[i].bytes_pct;
		if (d[i].events_pct > top)
			top = d[i].events_pct;
		if (per > 1 && d[i].max_pct > top)
			top = d[i].max_pct;
	}
	if (c.t1 <= c.t0)
		c.t1 = c.t0 + NS_S;
	if (o->threshold > top)
		top = o->threshold;
	c.ymax = top > 0 ? ceil(top * 1.05 / nice_step(top / 5)) *
	    nice_step(top / 5) : 1.0;
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
	if (per > 1)
		draw_series(fp, &c, d, nd, S_MAX, COLOR_MAX, "");
	draw_series(fp, &c, d, nd, S_BYTES, COLOR_BYTES, "");
	draw_series(fp, &c, d, nd, S_EVENTS, COLOR_EVENTS,
	    " stroke-dasharray=\"6 3\"");
	if (o->threshold >= 0) {
		double y = ypos(&c, o->threshold);
		fprintf(fp, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" "
		    "y2=\"%.2f\" stroke=\"%s\" stroke-width=\"1.5\" "
		    "stroke-dasharray=\"2 3\"/>\n", LEFT, y, LEFT + PW, y,
		    COLOR_THRESH);
	}
	draw_labels(fp, &c, n, per, o);
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
