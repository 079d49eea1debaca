/*
 * flow_tag.h - what a flow remembers of the layers around its packets.
 *
 * The flow key is the 5-tuple; by default it leaves VLAN ids out, as argus
 * and Zeek do, so a conversation whose two directions carry different VLAN
 * tags (router on a stick, a SPAN of two VLANs) is one flow.
 * flows.key_vlan puts the VLAN back into the key, for overlapping address
 * spaces.  Either way the flow remembers, per endpoint, the VLAN id of the
 * first tagged packet it sent; the record reports them per direction
 * (vlan, dvlan).  Two 12-bit ids live in three bytes of struct flow, so
 * the flow stays within its 256 bytes and the per-packet cost is a
 * compare on a line the packet touches anyway.
 *
 * The outermost tunnel id (VNI, TEID, I-SID: gf_packet.tunid) of a flow's
 * first tunnelled packet lives beside the table, one entry per flow slot,
 * tagged with the flow's generation so a slot's next flow never inherits
 * it: only tunnelled packets and records of tunnelled flows touch it.
 *
 * flows.key_tunnel keys flows by their tunnel id too, for tenants whose
 * address spaces overlap.  The key's 16-bit zone field (flow_key.vlan)
 * then holds a zone number that stands for the packet's (VLAN id if
 * flows.key_vlan, tunnel id) pair, given out on first sight from a small
 * open-addressing map: exact, no two pairs share a number.  After 65,534
 * pairs the map is full; later pairs share the last zone, which is said
 * once on stderr and counted (flow_zones.full).
 */
#ifndef GF_FLOW_TAG_H
#define GF_FLOW_TAG_H

#include <stdint.h>

#include "flow.h"

/* (VLAN, tunnel id) pairs and their zone numbers (flows.key_tunnel). */
#define FLOW_ZONES      65535           /* zone numbers 1..65535 */
#define FLOW_ZONE_SLOTS (1u << 17)      /* map slots, a power of 2 */
struct flow_zones {
	uint64_t *slot;                 /* pair + 1 << 16 | zone; 0 empty */
	uint32_t used;                  /* zones given out */
	uint64_t full;                  /* packets of pairs past the map */
};

int flow_zones_init(struct flow_zones *z);
void flow_zones_free(struct flow_zones *z);
/* The zone number of a (VLAN, tunnel id) pair, 0 for (0, 0). */
uint16_t flow_zone_of(struct flow_zones *z, uint16_t vlan, uint32_t tunid);

/* The zone part of the key: the VLAN with flows.key_vlan, a zone number
 * for (VLAN, tunnel id) with flows.key_tunnel, else 0. */
static inline void
flow_key_zone(struct flow_key *k, int key_vlan, struct flow_zones *z,
    uint32_t tunid)
{
	if (z != NULL && z->slot != NULL)
		k->vlan = flow_zone_of(z, key_vlan ? k->vlan : 0, tunid);
	else if (!key_vlan)
		k->vlan = 0;
}

/* VLAN id remembered for endpoint a (a != 0) or b, 0 if none. */
static inline uint16_t
flow_vlan_of(const struct flow *f, int a)
{
	return a ? (uint16_t)(f->vlans[0] | (f->vlans[1] & 0x0f) << 8) :
	    (uint16_t)(f->vlans[2] << 4 | f->vlans[1] >> 4);
}

/* A packet sent by endpoint a (from_a) or b carried VLAN id vlan (0 none):
 * remembered if it is that endpoint's first. */
static inline void
flow_vlan_note(struct flow *f, int from_a, uint16_t vlan)
{
	vlan &= 0x0fff;
	if (vlan == 0 || flow_vlan_of(f, from_a) != 0)
		return;
	if (from_a) {
		f->vlans[0] = (uint8_t)vlan;
		f->vlans[1] = (uint8_t)((f->vlans[1] & 0xf0) | vlan >> 8);
	} else {
		f->vlans[1] = (uint8_t)((f->vlans[1] & 0x0f) | (vlan & 0x0f) << 4);
		f->vlans[2] = (uint8_t)(vlan >> 4);
	}
}

struct flow_tags {
	struct flow_tag_ent {
		uint32_t gen;           /* flow generation it belongs to */
		uint32_t id;
	} *e;                           /* one per flow slot, calloc'd: pages
	                                   are touched only when used */
};

/* GF_E_* bits of the encapsulations that carry an id. */
#define FLOW_TAG_ENCAPS (GF_E_GTPU | GF_E_VXLAN | GF_E_GENEVE | GF_E_PBB)

int flow_tags_init(struct flow_tags *t, uint32_t max_flows);
void flow_tags_free(struct flow_tags *t);

/* A packet of flow f carried tunnel id id (0: none, nothing to do). */
static inline void
flow_tunid_note(struct flow_tags *t, const struct flow_table *tab,
    const struct flow *f, uint32_t id)
{
	struct flow_tag_ent *e;

	if (id == 0)
		return;
	e = &t->e[flow_index(tab, f)];
	if (e->gen != f->gen) {
		e->gen = f->gen;
		e->id = id;
	}
}

/* A packet p sent by endpoint a (from_a) or b carried a VLAN id or a
 * tunnel id (the caller tests that it did: most packets carry neither). */
static inline void
flow_tags_note(struct flow_tags *t, const struct flow_table *tab,
    struct flow *f, int from_a, const struct gf_packet *p)
{
	flow_vlan_note(f, from_a, p->vlan);
	flow_tunid_note(t, tab, f, p->tunid);
}

/* The tunnel id of flow f's first tunnelled packet, 0 if none. */
static inline uint32_t
flow_tunid_of(const struct flow_tags *t, const struct flow_table *tab,
    const struct flow *f)
{
	const struct flow_tag_ent *e;

	if (!(f->encaps & FLOW_TAG_ENCAPS))
		return 0;
	e = &t->e[flow_index(tab, f)];
	return e->gen == f->gen ? e->id : 0;
}

#endif
