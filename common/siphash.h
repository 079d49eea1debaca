/*
 * siphash.h - SipHash-1-3, a keyed hash for hash tables that face
 * attacker-chosen keys (packets, records).  With a random key per process,
 * collisions cannot be precomputed, so chains stay short under flooding.
 */
#ifndef GF_SIPHASH_H
#define GF_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct gf_sipkey {
	uint64_t k0, k1;
};

uint64_t gf_siphash(const struct gf_sipkey *key, const void *data, size_t len);
/* Fill key from getrandom(2), falling back to time and pid mixing. */
void gf_sipkey_random(struct gf_sipkey *key);

#endif
