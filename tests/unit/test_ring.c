/*
 * test_ring.c - the SPSC ring and doorbell (common/ring.c), and the
 * packet ring's header snap (sensor/pipeline.h: GF_PKT_SNAP).
 */
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "decode.h"
#include "pipeline.h"
#include "ring.h"
#include "testlib.h"

TEST(create_limits)
{
	struct gf_ring *r;
	CHECK(gf_ring_new(0, 8) == NULL);
	CHECK(gf_ring_new(1, 8) == NULL);
	CHECK(gf_ring_new(1000, 8) == NULL);     /* not a power of two */
	CHECK(gf_ring_new(8, 0) == NULL);
	r = gf_ring_new(8, 8);
	CHECK(r != NULL);
	CHECK_U64(gf_ring_capacity(r), 8);
	CHECK_U64(gf_ring_used(r), 0);
	gf_ring_free(r);
	gf_ring_free(NULL);
}

TEST(fill_and_drain)
{
	struct gf_ring *r = gf_ring_new(4, sizeof(uint64_t));
	uint64_t *p;

	CHECK(gf_ring_rslot(r) == NULL);
	for (uint64_t i = 0; i < 4; i++) {
		p = gf_ring_wslot(r);
		CHECK(p != NULL);
		if (p != NULL) {
			*p = i;
			gf_ring_push(r);
		}
	}
	/* full: the producer gets no slot, nothing is overwritten */
	CHECK(gf_ring_wslot(r) == NULL);
	CHECK_U64(gf_ring_used(r), 4);
	for (uint64_t i = 0; i < 4; i++) {
		p = gf_ring_rslot(r);
		CHECK(p != NULL);
		if (p != NULL)
			CHECK_U64(*p, i);
		gf_ring_pop(r);
		/* a slot freed is at once usable again */
		p = gf_ring_wslot(r);
		CHECK(p != NULL);
		if (p != NULL) {
			*p = 100 + i;
			gf_ring_push(r);
		}
	}
	for (uint64_t i = 0; i < 4; i++) {
		p = gf_ring_rslot(r);
		CHECK(p != NULL && *p == 100 + i);
		gf_ring_pop(r);
	}
	CHECK(gf_ring_rslot(r) == NULL);
	gf_ring_free(r);
}

/* Slots are cache-line aligned and do not overlap. */
TEST(slot_layout)
{
	struct gf_ring *r = gf_ring_new(2, 100);
	unsigned char *a, *b;
	a = gf_ring_wslot(r);
	memset(a, 0xaa, 100);
	gf_ring_push(r);
	b = gf_ring_wslot(r);
	memset(b, 0xbb, 100);
	gf_ring_push(r);
	CHECK(((uintptr_t)a & 63) == 0 && ((uintptr_t)b & 63) == 0);
	CHECK(b - a == 128 || a - b == 128);
	CHECK(a[99] == 0xaa && b[0] == 0xbb);
	gf_ring_free(r);
}

/* ---- two threads ---- */

#define STRESS_N 2000000u

struct stress {
	struct gf_ring *r;
	struct gf_bell bell;
	atomic_uint_fast64_t dropped;   /* read by the consumer to stop */
	int lossless;
};

static void *
producer(void *arg)
{
	struct stress *s = arg;
	for (uint64_t i = 0; i < STRESS_N; i++) {
		uint64_t *p;
		while ((p = gf_ring_wslot(s->r)) == NULL) {
			if (!s->lossless) {
				atomic_fetch_add(&s->dropped, 1);
				break;
			}
		}
		if (p == NULL)
			continue;
		p[0] = i;
		p[1] = ~i;
		gf_ring_push(s->r);
		if ((i & 63) == 0)
			gf_bell_ring(&s->bell);
	}
	gf_bell_ring_always(&s->bell);
	return NULL;
}

/* Every value arrives once, in order, intact; with drops allowed, what
 * arrives plus what was dropped is everything. */
static void
run_stress(int lossless)
{
	struct stress s;
	pthread_t th;
	uint64_t got = 0, last = 0, bad = 0;
	int first = 1;

	memset(&s, 0, sizeof(s));
	atomic_init(&s.dropped, 0);
	s.lossless = lossless;
	s.r = gf_ring_new(1024, 2 * sizeof(uint64_t));
	CHECK(gf_bell_init(&s.bell) == 0);
	pthread_create(&th, NULL, producer, &s);
	for (;;) {
		uint64_t *p = gf_ring_rslot(s.r);
		if (p == NULL) {
			gf_bell_announce(&s.bell);
			if (gf_ring_rslot(s.r) != NULL) {
				gf_bell_cancel(&s.bell);
				continue;
			}
			if (got + atomic_load(&s.dropped) >= STRESS_N)
				break;
			gf_bell_sleep(&s.bell, 10 * 1000000LL);
			continue;
		}
		if (p[1] != ~p[0] || (!first && p[0] <= last) ||
		    (lossless && p[0] != got))
			bad++;
		first = 0;
		last = p[0];
		got++;
		gf_ring_pop(s.r);
	}
	pthread_join(th, NULL);
	while (gf_ring_rslot(s.r) != NULL) {
		gf_ring_pop(s.r);
		got++;
	}
	CHECK_U64(bad, 0);
	CHECK_U64(got + atomic_load(&s.dropped), STRESS_N);
	if (lossless)
		CHECK_U64(atomic_load(&s.dropped), 0);
	gf_ring_free(s.r);
	gf_bell_free(&s.bell);
}

TEST(two_threads_lossless)
{
	run_stress(1);
}

TEST(two_threads_dropping)
{
	run_stress(0);
}

/* A sleeper woken by a ring, and one that times out. */
TEST(doorbell)
{
	struct gf_bell b;
	struct timespec t0, t1;
	double ms;

	CHECK(gf_bell_init(&b) == 0);
	/* not announced: ringing costs nothing and leaves nothing behind */
	gf_bell_ring(&b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	gf_bell_announce(&b);
	gf_bell_sleep(&b, 50 * 1000000LL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK(ms >= 45);
	/* announced, then rung: the sleep returns at once */
	gf_bell_announce(&b);
	gf_bell_ring(&b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	gf_bell_sleep(&b, 5000 * 1000000LL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK(ms < 1000);
	gf_bell_free(&b);
}

/*
 * The packet ring keeps GF_PKT_SNAP bytes of each packet: every packet of
 * every test capture decodes to the same facts from those bytes as from
 * the whole packet.
 */
TEST(header_snap_loses_nothing)
{
	static const char *caps[] = {
		"demo.pcap", "real-loss.pcap", "real-mixed.pcap",
		"real-tcp4.pcap", "real-tcp6.pcap", "synth-erspan2.pcap",
		"synth-erspan3.pcap", "synth-frag4.pcap", "synth-frag6.pcap",
		"synth-gre.pcap", "synth-icmp.pcap", "synth-ipip.pcap",
		"synth-nonip.pcap", "synth-null-be.pcap", "synth-null-le.pcap",
		"synth-qinq.pcap", "synth-raw.pcap", "synth-sll.pcap",
		"synth-sll2.pcap", "synth-trunc.pcap", "synth-vlan-mpls.pcap",
	};
	uint64_t packets = 0, differ = 0, cut = 0;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char path[256], err[PCAP_ERRBUF_SIZE];
		struct pcap_pkthdr *h;
		const u_char *d;
		pcap_t *p;

		snprintf(path, sizeof(path), "tests/captures/%s", caps[i]);
		p = pcap_open_offline(path, err);
		CHECK(p != NULL);
		if (p == NULL)
			continue;
		while (pcap_next_ex(p, &h, &d) == 1) {
			struct gf_packet a, b;
			uint32_t keep = h->caplen < GF_PKT_SNAP ? h->caplen :
			    GF_PKT_SNAP;
			int ra, rb;
			/* compare values, not padding bytes */
			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			ra = gf_decode(pcap_datalink(p), d, h->caplen, h->len, &a);
			rb = gf_decode_clipped(pcap_datalink(p), d, keep,
			    h->caplen, h->len, &b);
			packets++;
			cut += keep < h->caplen;
			if (ra != rb || memcmp(&a, &b, sizeof(a)) != 0)
				differ++;
		}
		pcap_close(p);
	}
	CHECK(packets > 1000);
	CHECK(cut > 100);       /* the snap did cut packets */
	CHECK_U64(differ, 0);
}

int
main(void)
{
	RUN(create_limits);
	RUN(fill_and_drain);
	RUN(slot_layout);
	RUN(two_threads_lossless);
	RUN(two_threads_dropping);
	RUN(doorbell);
	RUN(header_snap_loses_nothing);
	return test_summary();
}
