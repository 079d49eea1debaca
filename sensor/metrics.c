/*
 * metrics.c - Prometheus textfile metrics (see metrics.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gapflow.h"
#include "log.h"
#include "metrics.h"
#include "summary.h"

struct metrics {
	char *path, *tmp;
	char label[4 * GF_SENSOR_NAME_LEN + 16];  /* sensor="..." escaped */
	struct gf_record tot;           /* SENSOR records summed */
	struct gf_sensor last;          /* the last interval's */
	int have;                       /* tot holds a record */
	int failing;                    /* a write failed, not said again */
};

static const char *const bad_names[GF_BAD_COUNT] = {
#define GF_BAD_NAME(e, n, d) n,
	GF_BAD_REASONS(GF_BAD_NAME)
#undef GF_BAD_NAME
};

/* One metric: HELP, TYPE and the sample of this sensor. */
static void
metric(FILE *f, const struct metrics *m, const char *name, const char *type,
    const char *help, uint64_t v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s{%s} %" PRIu64 "\n", name,
	    help, name, type, name, m->label, v);
}

static void
ratio(FILE *f, const struct metrics *m, const char *name, const char *help,
    uint64_t part, uint64_t whole)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s{%s} %.9g\n", name, help,
	    name, name, m->label,
	    whole > 0 ? (double)part / (double)whole : 0.0);
}

static void
format(FILE *f, const struct metrics *m, uint64_t recdrops_late)
{
	const struct gf_sensor *t = &m->tot.u.sensor, *l = &m->last;

	metric(f, m, "gapflow_packets_total", "counter",
	    "Packets read from the sources.", t->pkts);
	metric(f, m, "gapflow_bytes_total", "counter",
	    "Wire bytes of the packets read.", t->bytes);
	metric(f, m, "gapflow_ack_events_total", "counter",
	    "TCP ACK events that advanced a sequence.", t->ackev);
	metric(f, m, "gapflow_gap_events_total", "counter",
	    "ACK events that revealed a capture gap.", t->gapev);
	metric(f, m, "gapflow_acked_bytes_total", "counter",
	    "Bytes acknowledged by those ACK events.", t->ackbytes);
	metric(f, m, "gapflow_gap_bytes_total", "counter",
	    "Bytes acknowledged but never seen by the sensor (capture gap).",
	    t->gapbytes);
	ratio(f, m, "gapflow_capture_loss_bytes_ratio", "Capture loss of the "
	    "last status interval: gap bytes over acknowledged bytes.",
	    l->gapbytes, l->ackbytes);
	ratio(f, m, "gapflow_capture_loss_events_ratio", "Capture loss of the "
	    "last status interval: gap events over ACK events (Zeek's "
	    "capture_loss).", l->gapev, l->ackev);
	metric(f, m, "gapflow_kernel_drops_total", "counter",
	    "Packets dropped by the kernel (pcap_stats ps_drop).", t->kdrops);
	metric(f, m, "gapflow_interface_drops_total", "counter",
	    "Packets dropped by the interface (pcap_stats ps_ifdrop).",
	    t->ifdrops);
	metric(f, m, "gapflow_ring_drops_total", "counter",
	    "Packets lost to a full internal packet ring.", t->ringdrops);
	metric(f, m, "gapflow_record_drops_total", "counter",
	    "Flow records lost on the way to the output.",
	    t->recdrops + recdrops_late);
	metric(f, m, "gapflow_flows_active", "gauge",
	    "Flows in the flow table at the end of the last interval.",
	    t->flows);
	metric(f, m, "gapflow_flows_total", "counter", "Flows created.",
	    t->newflows);
	metric(f, m, "gapflow_flows_evicted_total", "counter",
	    "Flows evicted because the flow table was full.", t->evicted);
	fprintf(f, "# HELP gapflow_frames_skipped_total Frames not turned "
	    "into flows, by reason (nonip, or a bad_* field of the SENSOR "
	    "record).\n# TYPE gapflow_frames_skipped_total counter\n");
	fprintf(f, "gapflow_frames_skipped_total{%s,reason=\"nonip\"} %"
	    PRIu64 "\n", m->label, t->nonip);
	for (int i = 0; i < GF_BAD_COUNT; i++)
		fprintf(f, "gapflow_frames_skipped_total{%s,reason=\"%s\"} %"
		    PRIu64 "\n", m->label, bad_names[i], t->bad[i]);
	fprintf(f, "# HELP gapflow_interval_end_timestamp_seconds End of the "
	    "last status interval reported (packet time).\n# TYPE "
	    "gapflow_interval_end_timestamp_seconds gauge\n"
	    "gapflow_interval_end_timestamp_seconds{%s} %.6f\n", m->label,
	    (double)t->ltime / 1e9);
}

/* Returns 0 or the errno of the failure. */
static int
write_file(struct metrics *m, uint64_t recdrops_late)
{
	char *buf = NULL;
	size_t len = 0, off = 0;
	FILE *f = open_memstream(&buf, &len);
	int fd, e = 0;

	if (f == NULL) {
		e = errno;
		goto out;
	}
	format(f, m, recdrops_late);
	if (fclose(f) != 0) {
		e = errno;
		goto out;
	}
	fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e == 0 && rename(m->tmp, m->path) != 0)
		e = errno;
	if (e != 0)
		unlink(m->tmp);
out:
	free(buf);
	if (e != 0 && !m->failing)
		gf_warn("--metrics %s: cannot write: %s (said once until a "
		    "write succeeds)", m->path, strerror(e));
	m->failing = e != 0;
	return e;
}

struct metrics *
metrics_open(const char *path, const char *name, uint32_t id, char *err,
    size_t errlen)
{
	struct metrics *m = gf_xcalloc(1, sizeof(*m));
	char sensor[GF_SENSOR_NAME_LEN + 16];
	size_t o;
	int e;

	if (name[0] != '\0')
		snprintf(sensor, sizeof(sensor), "%s", name);
	else
		snprintf(sensor, sizeof(sensor), "%u", (unsigned)id);
	m->path = gf_xstrdup(path);
	m->tmp = gf_xmalloc(strlen(path) + 5);
	sprintf(m->tmp, "%s.tmp", path);
	m->tot.type = GF_RT_SENSOR;
	/* label value: \, " and newline escaped (the name is printable) */
	o = (size_t)snprintf(m->label, sizeof(m->label), "sensor=\"");
	for (const char *c = sensor; *c != '\0' && o + 4 < sizeof(m->label);
	    c++) {
		if (*c == '\\' || *c == '"')
			m->label[o++] = '\\';
		m->label[o++] = *c;
	}
	m->label[o++] = '"';
	m->label[o] = '\0';
	m->failing = 1;         /* the error is returned, not warned */
	if ((e = write_file(m, 0)) != 0) {
		snprintf(err, errlen, "--metrics %s: cannot write it (through "
		    "%s): %s", path, m->tmp, strerror(e));
		free(m->path);
		free(m->tmp);
		free(m);
		return NULL;
	}
	return m;
}

void
metrics_put(struct metrics *m, const struct gf_record *r)
{
	if (r->type != GF_RT_SENSOR)
		return;
	if (m->have)
		gf_sensor_merge(&m->tot, r);
	else
		m->tot = *r;
	m->have = 1;
	m->last = r->u.sensor;
	write_file(m, 0);
}

void
metrics_close(struct metrics *m, uint64_t recdrops_late)
{
	if (m == NULL)
		return;
	write_file(m, recdrops_late);
	free(m->path);
	free(m->tmp);
	free(m);
}
