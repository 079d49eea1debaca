/*
 * plot.h - gapdump --loss --plot: capture loss over time as an SVG chart.
 *
 * Promise: one self-contained SVG file (no scripts, no external fonts or
 * styles) that browsers and rsvg-convert render: time on x with ticks
 * chosen for the span (milliseconds to years), loss in percent on y from
 * 0, one line for loss by bytes and one for loss by events, a dashed
 * threshold line when one is given, axis labels, a legend and a title.
 * Long series are drawn with at most PLOT_MAX_POINTS points: consecutive
 * intervals are merged by summing their counters (never by averaging
 * percentages), and the title says how many intervals a point holds.
 * A pause in the data (a gap longer than three intervals) breaks the lines.
 */
#ifndef GF_PLOT_H
#define GF_PLOT_H

#include <stddef.h>
#include <stdint.h>

#define PLOT_MAX_POINTS 1000

/* What a point's percentages are worth (loss.h). */
enum plot_judge {
	PJ_OK,
	PJ_FEW_ACKS,            /* too few ACK events to judge */
	PJ_INCONSISTENT,        /* more gap than acknowledged: damaged */
};

struct plot_point {
	uint64_t stime, ltime;          /* ns */
	uint64_t ackbytes, gapbytes;
	uint64_t ackev, gapev;
	uint64_t pkts;                  /* packets the sensor read */
	uint64_t drops;                 /* kernel + interface drops */
	uint8_t judge;                  /* enum plot_judge */
};

struct plot_opts {
	double threshold;               /* percent; < 0: none */
	int localtime;                  /* tick labels in local time */
	int logscale;                   /* logarithmic loss axis */
};

/*
 * Write the chart of n points (in time order) to path.  Returns 0, or -1
 * with a message naming path in err.
 */
int plot_loss_svg(const char *path, const struct plot_point *p, size_t n,
    const struct plot_opts *o, char *err, size_t errlen);

#endif /* GF_PLOT_H */
