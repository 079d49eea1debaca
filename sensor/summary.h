/*
 * summary.h - what a run of the sensor adds up to, and the lines it ends
 * with on stderr.
 *
 * The totals are the sum of the run's SENSOR records (the registry's
 * merge rules: counters add up, the flow table's size is the last one),
 * and three flow counts taken from the FLOW records as they are made:
 * flows (each flow ends with exactly one FINAL record), flows with a
 * capture gap in any of their records, and simplex flows (FINAL records
 * with the simplex flag, which covers the flow's whole life).  Nothing is
 * done per packet: a call per record, and per-source frame counts kept by
 * the caller in struct capture_counts.
 *
 * The end of a run says, on stderr (gapflow(8), DIAGNOSTICS):
 *   - when any frame was skipped, one line per source that skipped some:
 *     "SOURCE: N of M frames skipped: REASON n, ..." with the bad_*
 *     reasons of the SENSOR record and frames without IP (not damage, but
 *     not in any flow either: so the counts add up to what is missing);
 *   - when the SENSOR counter shortwire is non-zero, one line saying how
 *     many frames were decoded with their IP length and why;
 *   - with -v, or when stderr is a terminal, one line of totals: packets,
 *     flows, flows with gaps, gap bytes and their share of the
 *     acknowledged bytes, simplex flows, skipped frames, evictions and
 *     record drops.
 */
#ifndef GF_SUMMARY_H
#define GF_SUMMARY_H

#include <stdint.h>
#include <stddef.h>

#include "capture.h"
#include "record.h"

struct summary {
	struct gf_record tot;           /* SENSOR records summed */
	int have_sensor;
	uint64_t flows, gapflows, simplexflows;
	uint8_t *gapbit;                /* by flow index: the flow had a gap */
	uint64_t nflowidx;              /* bits in gapbit */
};

/* Fold SENSOR record b into a: counters add up, the interval widens. */
void gf_sensor_merge(struct gf_record *a, const struct gf_record *b);

/* max_flows: the flow table's size (flow indexes are below it). */
void summary_init(struct summary *s, uint64_t max_flows);
void summary_free(struct summary *s);
/* Every record the flow engine makes, in order. */
void summary_record(struct summary *s, const struct gf_record *r);

/*
 * Count a frame of src that was not turned into a flow update: rc is
 * gf_decode()'s result (not GF_DECODE_OK), bad its reason.
 */
void summary_skip(struct capture_source *src, int nonip, unsigned bad);

/*
 * The end-of-run lines (see above), through gf_note().  totals: say the
 * line of totals.  recdrops_late: records lost after the last SENSOR
 * record (at the archive's close).
 */
void summary_print(const struct summary *s, const struct capture *cap,
    int totals, uint64_t recdrops_late);

/* n with thousands separators ("28,640") into buf. */
const char *summary_count(uint64_t n, char *buf, size_t len);

#endif
