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
 */
#ifndef GF_FLOW_TAG_H
#define GF_FLOW_TAG_H

#include <stdint.h>

#include "flow.h"

/* The VLAN part of the key: kept with flows.key_vlan, else 0. */
static inline void
flow_key_zone(struct flow_key *k, int key_vlan)
{
	if (!key_vlan)
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

#endif
