/*
 * test_loss.c - the capture-loss report, its chart, and -R input order.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "inputs.h"
#include "loss.h"
#include "output.h"
#include "plot.h"
#include "stream.h"
#include "testlib.h"

#define S(x) ((uint64_t)(x) * 1000000000ull)
#define T0   S(1767225600)

static struct gf_record
sensor(uint64_t stime, uint64_t ack, uint64_t gap, uint64_t ackev,
    uint64_t gapev, uint64_t kdrops)
{
	struct gf_record r;
	memset(&r, 0, sizeof(r));
	r.type = GF_RT_SENSOR;
	r.u.sensor.stime = stime;
	r.u.sensor.ltime = stime + S(5);
	r.u.sensor.ackbytes = ack;
	r.u.sensor.gapbytes = gap;
	r.u.sensor.ackev = ackev;
	r.u.sensor.gapev = gapev;
	r.u.sensor.kdrops = kdrops;
	r.u.sensor.gapflows = gap > 0;
	r.u.sensor.simplexflows = 1;
	return r;
}

/* The whole text of fp. */
static char *
slurp(FILE *fp)
{
	long n;
	char *s;

	fflush(fp);
	n = ftell(fp);
	s = calloc(1, (size_t)n + 1);
	rewind(fp);
	if (fread(s, 1, (size_t)n, fp) != (size_t)n)
		s[0] = '\0';
	return s;
}

/*
 * Three intervals:            ack     gap  ackev gapev kdrops
 *   1                        1000       0    10     0     1
 *   2                        2000     100    20     1     0   5% / 5%
 *   3                        1000      10   100    30     2   1% / 30%
 * total                      4000     110   130    31     3
 * loss by bytes 110/4000 = 2.750%, by events 31/130 = 23.846%.
 * Threshold 5: interval 2 crosses by bytes (5 >= 5), interval 3 by
 * events: 2 crossings, the first by bytes.
 */
TEST(totals_and_threshold)
{
	struct output out;
	struct loss_opts o = { 5.0, NULL, 0, 1, 0 };
	struct loss_report *lr;
	struct gf_record r[3] = {
		sensor(T0, 1000, 0, 10, 0, 1),
		sensor(T0 + S(5), 2000, 100, 20, 1, 0),
		sensor(T0 + S(10), 1000, 10, 100, 30, 2),
	};
	FILE *fp = tmpfile();
	char *text, *total;
	const char *header = "stime,dur,ackbytes,gapbytes,gapev,ackev,"
	    "lossbytes_pct,lossev_pct,kdrops,ifdrops,gapflows,simplexflows,note\n";

	output_init(&out, fp);
	out.fmt = OUT_CSV;
	lr = loss_new(&out, &o);
	for (int i = 0; i < 3; i++)
		loss_put(lr, &r[i]);
	CHECK(loss_finish(lr) == 0);
	CHECK_U64(loss_rows(lr), 3);
	CHECK_U64(loss_crossed(lr), 2);
	text = slurp(fp);
	CHECK(strncmp(text, header, strlen(header)) == 0);
	total = strstr(text, "total,");
	CHECK(total != NULL);
	if (total != NULL)
		CHECK_STR(total, "total,15.000000,4000,110,31,130,2.750,"
		    "23.846,3,0,2,3,-\n");
	CHECK(strstr(text, ",2000,100,1,20,5.000,5.000,") != NULL);
	free(text);
	loss_free(lr);
	fclose(fp);
}

/* JSON lines: one object per interval, then the total with its span,
 * interval count and the threshold. */
TEST(json_rows)
{
	struct output out;
	struct loss_opts o = { 50.0, NULL, 0, 1, 0 };
	struct loss_report *lr;
	struct gf_record r = sensor(T0, 1000, 500, 10, 5, 0);
	FILE *fp = tmpfile();
	char *text;

	output_init(&out, fp);
	out.fmt = OUT_JSON;
	lr = loss_new(&out, &o);
	loss_put(lr, &r);
	loss_finish(lr);
	text = slurp(fp);
	CHECK(strstr(text, "{\"type\":\"interval\",\"stime\":"
	    "\"2026-01-01T00:00:00.000000Z\",\"dur\":5.000000,"
	    "\"ackbytes\":1000,\"gapbytes\":500,") != NULL);
	CHECK(strstr(text, "\"lossbytes_pct\":50.000,\"lossev_pct\":50.000")
	    != NULL);
	CHECK(strstr(text, "{\"type\":\"total\",\"stime\":"
	    "\"2026-01-01T00:00:00.000000Z\",\"ltime\":"
	    "\"2026-01-01T00:00:05.000000Z\",\"intervals\":1,") != NULL);
	CHECK(strstr(text, "\"threshold_pct\":50,\"crossed\":1,"
	    "\"few_acks\":0,\"inconsistent\":0}") != NULL);
	CHECK_U64(loss_crossed(lr), 1);
	free(text);
	loss_free(lr);
	fclose(fp);
}

/*
 * Judged rows (issue 10 point 5):   ack  gap ackev gapev
 *   1 ok                           1000    0    10     0
 *   2 inconsistent (600 > 500)      500  600     5     1
 *   3 few-acks (0 < 1)                0    0     0     0
 *   4 ok: 50 % by bytes and events  100   50     2     1
 * Row 2 is left out of the total: ack 1100, gap 50, ackev 12, gapev 1:
 * 50/1100 = 4.545 %, 1/12 = 8.333 %.  Threshold 10: row 4 only crosses.
 * With --loss-min-acks 3, row 4 (2 ACKs) is not judged either and
 * nothing crosses; the total (12 ACKs) still is.
 */
static void
judged_run(uint64_t min_acks, char **text, struct loss_report **lrp,
    int fmt)
{
	struct output out;
	struct loss_opts o = { 10.0, NULL, 0, min_acks, 0 };
	struct gf_stream_info info;
	struct gf_record r[4] = {
		sensor(T0, 1000, 0, 10, 0, 0),
		sensor(T0 + S(5), 500, 600, 5, 1, 0),
		sensor(T0 + S(10), 0, 0, 0, 0, 0),
		sensor(T0 + S(15), 100, 50, 2, 1, 0),
	};
	FILE *fp = tmpfile();

	output_init(&out, fp);
	out.fmt = fmt;
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "tap1");
	*lrp = loss_new(&out, &o);
	loss_begin_input(*lrp, &info);
	for (int i = 0; i < 4; i++)
		loss_put(*lrp, &r[i]);
	loss_finish(*lrp);
	*text = slurp(fp);
	fclose(fp);
}

TEST(judged_rows)
{
	struct loss_report *lr;
	char *text;

	judged_run(1, &text, &lr, OUT_CSV);
	CHECK(strstr(text, ",1000,0,0,10,0.000,0.000,0,0,0,1,-\n") != NULL);
	CHECK(strstr(text, ",500,600,1,5,-,-,0,0,1,1,inconsistent\n") !=
	    NULL);
	CHECK(strstr(text, ",0,0,0,0,-,-,0,0,0,1,few-acks\n") != NULL);
	CHECK(strstr(text, ",100,50,1,2,50.000,50.000,0,0,1,1,-\n") != NULL);
	CHECK(strstr(text, "total,15.000000,1100,50,1,12,4.545,8.333,0,0,1,"
	    "3,-\n") != NULL);
	CHECK(strstr(text, "100.") == NULL);
	CHECK_U64(loss_crossed(lr), 1);
	CHECK_U64(loss_unjudged(lr), 1);
	CHECK_U64(loss_inconsistent(lr), 1);
	free(text);
	loss_free(lr);

	judged_run(3, &text, &lr, OUT_CSV);
	CHECK(strstr(text, ",100,50,1,2,-,-,0,0,1,1,few-acks\n") != NULL);
	CHECK(strstr(text, "total,15.000000,1100,50,1,12,4.545,8.333,") !=
	    NULL);
	CHECK_U64(loss_crossed(lr), 0);
	CHECK_U64(loss_unjudged(lr), 2);
	free(text);
	loss_free(lr);

	judged_run(1, &text, &lr, OUT_JSON);
	CHECK(strstr(text, "\"lossbytes_pct\":null,\"lossev_pct\":null,"
	    "\"kdrops\":0,\"ifdrops\":0,\"gapflows\":1,"
	    "\"simplexflows\":1,\"note\":\"inconsistent\"}") != NULL);
	CHECK(strstr(text, "\"few_acks\":1,\"inconsistent\":1}") != NULL);
	free(text);
	loss_free(lr);
}

/*
 * Zeek's capture_loss.log (scripts/policy/misc/capture-loss.zeek): ts is
 * the measurement (the interval's end), ts_delta its length, gaps and
 * acks the events, percent_lost 100 * gaps / acks (0.0 without ACKs).
 * T0 = 2026-01-01T00:00:00Z = 1767225600 (date -u -d 2026-01-01 +%s).
 * The inconsistent row's percentage is unset (-).
 */
TEST(zeek_form)
{
	struct loss_report *lr;
	char *text;

	judged_run(1, &text, &lr, OUT_ZEEK);
	CHECK_STR(text,
	    "#separator \\x09\n"
	    "#set_separator\t,\n"
	    "#empty_field\t(empty)\n"
	    "#unset_field\t-\n"
	    "#path\tcapture_loss\n"
	    "#open\t2026-01-01-00-00-00\n"
	    "#fields\tts\tts_delta\tpeer\tgaps\tacks\tpercent_lost\n"
	    "#types\ttime\tinterval\tstring\tcount\tcount\tdouble\n"
	    "1767225605.000000\t5.000000\ttap1\t0\t10\t0.0\n"
	    "1767225610.000000\t5.000000\ttap1\t1\t5\t-\n"
	    "1767225615.000000\t5.000000\ttap1\t0\t0\t0.0\n"
	    "1767225620.000000\t5.000000\ttap1\t1\t2\t50.0\n"
	    "#close\t2026-01-01-00-00-20\n");
	free(text);
	loss_free(lr);
}

/* The chart of n points drawn into path, read back (the caller frees);
 * NULL (a failed check) if it could not be drawn or read. */
static char *
draw(const char *path, const struct plot_point *p, size_t n,
    const struct plot_opts *o)
{
	char err[256];
	FILE *fp;
	char *svg;

	CHECK(plot_loss_svg(path, p, n, o, err, sizeof(err)) == 0);
	fp = fopen(path, "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	svg = slurp(fp);
	fclose(fp);
	unlink(path);
	return svg;
}

/* The chart is one SVG document with the two series, the threshold and
 * axis labels; 5000 intervals are drawn as at most PLOT_MAX_POINTS. */
TEST(svg_chart)
{
	enum { N = 5000 };
	static struct plot_point p[N];
	struct plot_opts o = { 2.5, 0, 0 };
	char path[] = "/tmp/test_loss_XXXXXX", err[256];
	char *svg;
	int fd = mkstemp(path);

	for (int i = 0; i < N; i++) {
		p[i].stime = T0 + S(300) * (uint64_t)i;
		p[i].ltime = p[i].stime + S(300);
		p[i].ackbytes = 1000;
		p[i].gapbytes = (uint64_t)(i % 50);
		p[i].ackev = 100;
		p[i].gapev = (uint64_t)(i % 7);
		p[i].pkts = 300000;     /* 1000/s */
	}
	/* a damaged interval (never drawn, never stretches the axis past
	 * 100 %), one with too few ACKs, one with drops */
	p[10].ackbytes = 1;
	p[10].gapbytes = 1000000000000ull;
	p[10].judge = PJ_INCONSISTENT;
	p[20].ackev = 0;
	p[20].judge = PJ_FEW_ACKS;
	p[100].drops = 600;
	CHECK(fd >= 0);
	close(fd);
	svg = draw(path, p, N, &o);
	if (svg == NULL)
		return;
	CHECK(strncmp(svg, "<?xml", 5) == 0);
	CHECK(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"") != NULL);
	CHECK(strstr(svg, "</svg>\n") != NULL);
	CHECK(strstr(svg, "5000 sensor intervals, 5 per point") != NULL);
	CHECK(strstr(svg, "threshold 2.5 %") != NULL);
	CHECK(strstr(svg, "capture loss, %") != NULL);
	CHECK(strstr(svg, ">2026-01-0") != NULL);      /* date ticks */
	/* the legend names every series; the second panel */
	CHECK(strstr(svg, "loss by bytes: gap / acknowledged bytes") != NULL);
	CHECK(strstr(svg, "loss by events: gap / ACK events") != NULL);
	CHECK(strstr(svg, "worst single interval") != NULL);
	CHECK(strstr(svg, "packets/s read (lower panel)") != NULL);
	CHECK(strstr(svg, "kernel + interface drops/s") != NULL);
	CHECK(strstr(svg, "drops/s: none") == NULL);
	/* groups of 5: i % 7 >= 3 in every 5 consecutive intervals, so
	 * every point holds an interval over 2.5 % by events */
	CHECK(strstr(svg, "over the threshold (1000)") != NULL);
	CHECK(strstr(svg, "; 1 not judged (fewer ACKs than --loss-min-acks)")
	    != NULL);
	/* the axis: i % 50 / 10 = 4.9 % by bytes, 6 % by events at most;
	 * never 1e+..., never past 100 */
	CHECK(strstr(svg, "e+") == NULL);
	CHECK(strstr(svg, ">6</text>") != NULL);
	CHECK(strstr(svg, ">200</text>") == NULL);
	free(svg);
	o.logscale = 1;
	svg = draw(path, p, N, &o);
	if (svg == NULL)
		return;
	/* decades from 0.1 (the lowest loss, 0.1 % by bytes) to 10 */
	CHECK(strstr(svg, "capture loss, % (log scale)") != NULL);
	CHECK(strstr(svg, ">0.1</text>") != NULL);
	CHECK(strstr(svg, ">10</text>") != NULL);
	CHECK(strstr(svg, ">100</text>") == NULL);
	free(svg);
	o.logscale = 0;
	CHECK(plot_loss_svg("/nonexistent-dir/x.svg", p, N, &o, err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent-dir/x.svg: cannot open") != NULL);
}

static void
write_stream(const char *path, uint64_t start, int gzip)
{
	struct gf_stream_info info;
	struct gf_writer *w;

	memset(&info, 0, sizeof(info));
	info.start = start;
	info.interval = S(5);
	w = gf_writer_open_path(path, &info, -1);
	gf_writer_close(w);
	if (gzip) {
		/* the same bytes, gzip-compressed under the same name */
		FILE *fp = fopen(path, "rb");
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf), fp);
		gzFile gz;
		fclose(fp);
		gz = gzopen(path, "wb");
		gzwrite(gz, buf, (unsigned)n);
		gzclose(gz);
	}
}

/* -R: record streams below the directory, by start time then name;
 * other files and dot files (.NAME.part, being written) are passed over. */
TEST(tree_order)
{
	char dir[] = "/tmp/test_inputs_XXXXXX", path[512], err[256];
	struct input_list l;
	const char *names[] = { "b.gf", "sub/a.gf", "sub/c.gf.gz", "z.gf",
	    "notes.txt", "sub/.d.gf.part" };
	FILE *fp;

	memset(&l, 0, sizeof(l));
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/b.gf", dir);
	write_stream(path, T0 + S(100), 0);
	snprintf(path, sizeof(path), "%s/sub/a.gf", dir);
	write_stream(path, T0 + S(200), 0);
	snprintf(path, sizeof(path), "%s/sub/c.gf.gz", dir);
	write_stream(path, T0 + S(50), 1);
	snprintf(path, sizeof(path), "%s/z.gf", dir);
	write_stream(path, T0 + S(100), 0);
	/* a sensor's file still being written */
	snprintf(path, sizeof(path), "%s/sub/.d.gf.part", dir);
	write_stream(path, T0, 0);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	fp = fopen(path, "w");
	fputs("not a record stream, long enough to be read as one\n", fp);
	fclose(fp);

	CHECK(inputs_add_tree(&l, dir, err, sizeof(err)) == 4);
	CHECK(l.n == 4);
	if (l.n == 4) {
		CHECK(strstr(l.path[0], "/sub/c.gf.gz") != NULL);
		CHECK(strstr(l.path[1], "/b.gf") != NULL);
		CHECK(strstr(l.path[2], "/z.gf") != NULL);
		CHECK(strstr(l.path[3], "/sub/a.gf") != NULL);
	}
	CHECK(inputs_add_tree(&l, path, err, sizeof(err)) == -1);
	CHECK(strstr(err, "notes.txt: not a directory") != NULL);
	CHECK(inputs_add_tree(&l, "/nonexistent-dir", err, sizeof(err)) == -1);
	CHECK(strstr(err, "option -R: /nonexistent-dir: No such file") != NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	inputs_free(&l);
}

int
main(void)
{
	RUN(totals_and_threshold);
	RUN(json_rows);
	RUN(judged_rows);
	RUN(zeek_form);
	RUN(svg_chart);
	RUN(tree_order);
	return test_summary();
}
