/*
 * flow_tag.c - the per-slot tunnel id table (see flow_tag.h).
 */
#include <stdlib.h>

#include "flow_tag.h"
#include "log.h"

int
flow_tags_init(struct flow_tags *t, uint32_t max_flows)
{
	if (max_flows < 16)
		max_flows = 16;
	t->e = calloc(max_flows, sizeof(*t->e));
	return t->e == NULL ? -1 : 0;
}

void
flow_tags_free(struct flow_tags *t)
{
	free(t->e);
	t->e = NULL;
}

int
flow_zones_init(struct flow_zones *z)
{
	z->used = 0;
	z->full = 0;
	z->slot = calloc(FLOW_ZONE_SLOTS, sizeof(*z->slot));
	return z->slot == NULL ? -1 : 0;
}

void
flow_zones_free(struct flow_zones *z)
{
	free(z->slot);
	z->slot = NULL;
}

uint16_t
flow_zone_of(struct flow_zones *z, uint16_t vlan, uint32_t tunid)
{
	uint64_t pair = ((uint64_t)(vlan & 0x0fff) << 32 | tunid) + 1;
	uint64_t h = pair * 0x9e3779b97f4a7c15ULL;
	uint32_t i = (uint32_t)(h >> 47) & (FLOW_ZONE_SLOTS - 1);

	if (vlan == 0 && tunid == 0)
		return 0;
	/* at most half full: a probe always ends at an empty slot */
	for (;; i = (i + 1) & (FLOW_ZONE_SLOTS - 1)) {
		uint64_t e = z->slot[i];
		if (e == 0)
			break;
		if (e >> 16 == pair)
			return (uint16_t)(e & 0xffff);
	}
	if (z->used >= FLOW_ZONES - 1) {
		if (z->full++ == 0)
			gf_warn("flows.key_tunnel: more than %u VLAN and tunnel "
			    "id pairs; flows of further pairs share zone %u "
			    "(their flows of equal addresses and ports merge)",
			    (unsigned)(FLOW_ZONES - 1), (unsigned)FLOW_ZONES);
		return FLOW_ZONES;
	}
	z->slot[i] = pair << 16 | ++z->used;
	return (uint16_t)z->used;
}
