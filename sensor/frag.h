/*
 * frag.h - remembers the ports of first IP fragments so that later
 * fragments (which carry no transport header) count to the same flow.
 * A fixed direct-mapped cache: no allocation after init; a collision
 * overwrites the older entry, which can only turn a later fragment into
 * an orphan (counted and flagged), never into a wrong flow.
 */
#ifndef GF_FRAG_H
#define GF_FRAG_H

#include <stdint.h>
#include "decode.h"
#include "siphash.h"

#define FRAG_SLOTS 4096

struct frag_entry {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint16_t sport, dport;
	uint16_t icmp_id;
	uint8_t icmp_type, icmp_code;
	uint8_t family, proto, used;
	uint64_t ts;
};

struct frag_cache {
	struct frag_entry e[FRAG_SLOTS];
	struct gf_sipkey key;
	uint64_t ttl;           /* ns an entry stays valid */
};

void frag_init(struct frag_cache *c, uint64_t ttl_ns);
/* Remember the ports of a first fragment. */
void frag_remember(struct frag_cache *c, const struct gf_packet *p);
/* Give a later fragment the first fragment's ports (or ICMP type, code
 * and id).  0 if the first fragment is unknown (an orphan). */
int frag_lookup(const struct frag_cache *c, struct gf_packet *p);

#endif
