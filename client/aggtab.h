/*
 * aggtab.h - the table of aggregates behind gapdump -m: fixed-length
 * byte keys to records, each entry on an ordered list ("group").
 *
 * Promise: lookups hash the key with SipHash under a per-process random
 * key, so records cannot be crafted to collide, and probe an open-
 * addressing slot array (linear probing, power-of-two size, doubled at
 * half load, backward-shift deletion, so no tombstones pile up).
 * Entries live in fixed chunks that never move: a pointer to an entry
 * stays valid until the entry is removed.  An entry holds as much of a
 * record as the table is told (a FLOW record's part of struct gf_record
 * is smaller than a SENSOR record's), so entries take no more memory,
 * nor cache lines, than their records need.  Removed entries are reused, so
 * memory follows the number of live aggregates, not of records.  Every
 * entry sits on the doubly linked list of the group the caller gives when
 * it is created, in creation order; groups are how time bins (and the
 * single group of a run without bins) are emitted in order.
 */
#ifndef GF_AGGTAB_H
#define GF_AGGTAB_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define AGG_NONE UINT32_MAX

struct agg_entry {
	uint32_t self;          /* this entry's index */
	uint32_t prev, next;    /* group list; AGG_NONE at the ends */
	uint64_t hash;
	uint64_t serial;        /* the caller's: which row this is */
	struct gf_record rec;   /* only its first recsize bytes exist (never
	                           copy it whole); the key follows them */
};

struct agg_group {
	uint32_t head, tail;
	uint64_t count;
};

struct aggtab;

/* A table for keys of keylen bytes (1..AGGTAB_MAX_KEY) whose entries
 * hold the first recsize bytes of a record (1..sizeof(struct gf_record);
 * gf_record_size() of the type the table holds). */
#define AGGTAB_MAX_KEY 1024
struct aggtab *aggtab_new(size_t keylen, size_t recsize);
void aggtab_free(struct aggtab *t);

void agg_group_init(struct agg_group *g);

/*
 * The entry for key, created (appended to g; its record is the caller's
 * to fill, not zeroed) if absent; *created says which.  Exits with a
 * message if memory runs out.
 */
struct agg_entry *aggtab_get(struct aggtab *t, const void *key,
    struct agg_group *g, int *created);

/* Unlink e from its group g and free it for reuse. */
void aggtab_remove(struct aggtab *t, struct agg_entry *e,
    struct agg_group *g);

/* Entry by index (for walking a group). */
struct agg_entry *aggtab_at(const struct aggtab *t, uint32_t idx);

/* Live entries now. */
size_t aggtab_count(const struct aggtab *t);

#endif /* GF_AGGTAB_H */
