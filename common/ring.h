/*
 * ring.h - a bounded lock-free single-producer/single-consumer ring of
 * fixed-size slots, and a doorbell to sleep on it.
 *
 * Promises: exactly one producer thread and one consumer thread may use a
 * ring at once; neither ever blocks or allocates.  The producer gets a
 * slot (NULL when the ring is full: the caller decides whether to drop
 * and count, or to wait on a doorbell), fills it and pushes it; the
 * consumer sees slots in push order, each exactly once, and only after
 * the producer's writes to the slot are visible (release on push,
 * acquire on read).  The slots are allocated and touched once at
 * creation, so a running ring's memory never grows.
 *
 * A doorbell lets one thread sleep until another has news, without the
 * other ever blocking: ringing is one atomic load unless the sleeper has
 * announced itself, then one write(2) to an eventfd.  The sleeper
 * announces, re-checks its condition, then polls the bell's descriptor,
 * so no ring is missed between its check and its sleep.
 */
#ifndef GF_RING_H
#define GF_RING_H

#include <stdatomic.h>
#include <stddef.h>

struct gf_ring;

/*
 * nslots must be a power of two (>= 2); slot_size is rounded up to 64
 * bytes so that slots do not share cache lines.  NULL if out of memory.
 */
struct gf_ring *gf_ring_new(size_t nslots, size_t slot_size);
/* The same, its pages touched only as slots are first used: for a ring
 * that may never fill (the service's, idle without clients). */
struct gf_ring *gf_ring_new_lazy(size_t nslots, size_t slot_size);
void gf_ring_free(struct gf_ring *r);

/* Producer: the next free slot, or NULL if the ring is full. */
void *gf_ring_wslot(struct gf_ring *r);
/* Producer: publish the slot gf_ring_wslot() returned. */
void gf_ring_push(struct gf_ring *r);

/* Consumer: the oldest pushed slot, or NULL if the ring is empty. */
void *gf_ring_rslot(struct gf_ring *r);
/* Consumer: give the slot gf_ring_rslot() returned back to the producer. */
void gf_ring_pop(struct gf_ring *r);

/* Slots in use; exact for either end, a snapshot for other threads. */
size_t gf_ring_used(const struct gf_ring *r);
size_t gf_ring_capacity(const struct gf_ring *r);

/* ---- doorbell ---- */

struct gf_bell {
	int fd;                         /* eventfd, non-blocking */
	atomic_int sleeping;            /* the sleeper has announced itself */
};

int gf_bell_init(struct gf_bell *b);
void gf_bell_free(struct gf_bell *b);
/* Wake the sleeper if it sleeps (any thread; never blocks). */
void gf_bell_ring(struct gf_bell *b);
/* Wake it unconditionally (signals, shutdown). */
void gf_bell_ring_always(struct gf_bell *b);
/*
 * Sleeper: gf_bell_announce() before the last check of its condition;
 * then gf_bell_cancel() if the condition holds after all, else either
 * gf_bell_sleep() or its own poll(2) on gf_bell_fd() followed by
 * gf_bell_clear().  timeout_ns < 0 sleeps until rung.
 */
void gf_bell_announce(struct gf_bell *b);
void gf_bell_cancel(struct gf_bell *b);
void gf_bell_sleep(struct gf_bell *b, long long timeout_ns);
int gf_bell_fd(const struct gf_bell *b);
void gf_bell_clear(struct gf_bell *b);

#endif /* GF_RING_H */
