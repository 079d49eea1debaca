/*
 * flowset.h - which flows have been counted, and in which rows: the
 * distinct-flow count behind the 'flows' column of aggregates (-m KEYS)
 * and the summary line.
 *
 * Promise: a flow is identified by its run (sensor id and stream start)
 * and flowid.  flowset_add() says whether the pair (flow, row) is new
 * (row 0: whether the flow is, for callers that count flows only),
 * exactly: a flow remembers every row it was counted in (three inline,
 * more on the heap, which is rare: the keys of a row change within a
 * flow only for keys such as state).  flowset_forget() drops a flow once
 * its final record has passed, so memory follows the flows still open.
 * Lookups hash with SipHash under a random key (records are hostile) into
 * open addressing with linear probing and backward-shift deletion.
 */
#ifndef GF_FLOWSET_H
#define GF_FLOWSET_H

#include <stddef.h>
#include <stdint.h>

struct flowset;

struct flowset *flowset_new(void);
void flowset_free(struct flowset *s);
/* 1 if (flow, row) was not counted before (and is now), else 0. */
int flowset_add(struct flowset *s, uint32_t sensorid, uint64_t start,
    uint64_t flowid, uint64_t row);
/* Drop the flow; 1 if it was held, 0 if not. */
int flowset_forget(struct flowset *s, uint32_t sensorid, uint64_t start,
    uint64_t flowid);
/* Flows held now. */
size_t flowset_count(const struct flowset *s);

#endif /* GF_FLOWSET_H */
