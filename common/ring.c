/*
 * ring.c - SPSC ring and doorbell (see ring.h).
 *
 * head counts slots pushed, tail slots popped; both only grow (size_t
 * wraps harmlessly: head - tail is the fill level modulo 2^64).  Each end
 * keeps a private copy of the other end's counter and reloads it only
 * when the copy says full (producer) or empty (consumer), so in steady
 * state neither end touches the other's cache line.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"

#define CACHE_LINE 64

struct gf_ring {
	/* producer's line */
	_Alignas(CACHE_LINE) atomic_size_t head;
	size_t tail_seen;               /* producer's copy of tail */
	/* consumer's line */
	_Alignas(CACHE_LINE) atomic_size_t tail;
	size_t head_seen;               /* consumer's copy of head */
	/* read-only after creation */
	_Alignas(CACHE_LINE) size_t mask;
	size_t slot_size;
	unsigned char *slots;
};

static struct gf_ring *
ring_new(size_t nslots, size_t slot_size, int touch)
{
	struct gf_ring *r;
	void *mem;

	if (nslots < 2 || (nslots & (nslots - 1)) != 0 || slot_size == 0)
		return NULL;
	slot_size = (slot_size + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
	if (nslots > SIZE_MAX / slot_size)
		return NULL;
	if (posix_memalign(&mem, CACHE_LINE, sizeof(*r)) != 0)
		return NULL;
	r = mem;
	memset(r, 0, sizeof(*r));
	if (posix_memalign(&mem, CACHE_LINE, nslots * slot_size) != 0) {
		free(r);
		return NULL;
	}
	/* touch every page now: a ring's memory is constant from the start,
	 * and the first burst does not pay for page faults */
	if (touch)
		memset(mem, 0, nslots * slot_size);
	r->slots = mem;
	r->mask = nslots - 1;
	r->slot_size = slot_size;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return r;
}

struct gf_ring *
gf_ring_new(size_t nslots, size_t slot_size)
{
	return ring_new(nslots, slot_size, 1);
}

struct gf_ring *
gf_ring_new_lazy(size_t nslots, size_t slot_size)
{
	return ring_new(nslots, slot_size, 0);
}

void
gf_ring_free(struct gf_ring *r)
{
	if (r == NULL)
		return;
	free(r->slots);
	free(r);
}

void *
gf_ring_wslot(struct gf_ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (head - r->tail_seen > r->mask) {
		/* acquire: the consumer is done reading the slot we reuse */
		r->tail_seen = atomic_load_explicit(&r->tail,
		    memory_order_acquire);
		if (head - r->tail_seen > r->mask)
			return NULL;
	}
	return r->slots + (head & r->mask) * r->slot_size;
}

void
gf_ring_push(struct gf_ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	/* release: the slot's contents before the new head */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

void *
gf_ring_rslot(struct gf_ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (tail == r->head_seen) {
		r->head_seen = atomic_load_explicit(&r->head,
		    memory_order_acquire);
		if (tail == r->head_seen)
			return NULL;
	}
	return r->slots + (tail & r->mask) * r->slot_size;
}

void
gf_ring_pop(struct gf_ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

size_t
gf_ring_used(const struct gf_ring *r)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	return head - tail;
}

size_t
gf_ring_capacity(const struct gf_ring *r)
{
	return r->mask + 1;
}

/* ---- doorbell ---------------------------------------------------------- */

int
gf_bell_init(struct gf_bell *b)
{
	atomic_init(&b->sleeping, 0);
	b->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return b->fd < 0 ? -1 : 0;
}

void
gf_bell_free(struct gf_bell *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

void
gf_bell_ring_always(struct gf_bell *b)
{
	uint64_t one = 1;
	/* EAGAIN only when the counter is near 2^64: it is already rung */
	while (write(b->fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

void
gf_bell_ring(struct gf_bell *b)
{
	/*
	 * The caller has just published (a push, a flag).  The full fence
	 * orders that store before our load of 'sleeping', pairing with the
	 * fence in gf_bell_announce(): either the sleeper sees what we
	 * published, or we see it sleeping (Dekker).
	 */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&b->sleeping, memory_order_relaxed) &&
	    atomic_exchange_explicit(&b->sleeping, 0, memory_order_relaxed))
		gf_bell_ring_always(b);
}

void
gf_bell_announce(struct gf_bell *b)
{
	atomic_store_explicit(&b->sleeping, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
}

void
gf_bell_cancel(struct gf_bell *b)
{
	atomic_store_explicit(&b->sleeping, 0, memory_order_relaxed);
}

int
gf_bell_fd(const struct gf_bell *b)
{
	return b->fd;
}

void
gf_bell_clear(struct gf_bell *b)
{
	uint64_t v;
	atomic_store_explicit(&b->sleeping, 0, memory_order_relaxed);
	while (read(b->fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
}

void
gf_bell_sleep(struct gf_bell *b, long long timeout_ns)
{
	struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
	struct timespec ts, *tsp = NULL;

	if (timeout_ns >= 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000LL);
		ts.tv_nsec = (long)(timeout_ns % 1000000000LL);
		tsp = &ts;
	}
	(void)ppoll(&pfd, 1, tsp, NULL);
	gf_bell_clear(b);
}
