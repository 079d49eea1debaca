/*
 * flow_table.c - the flow hash table and its LRU lists (see flow.h).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "flow.h"

_Static_assert(sizeof(struct flow) <= 256, "flow state must stay <= 256 bytes");

int
flow_table_init(struct flow_table *t, uint32_t max_flows)
{
	uint32_t nb = 16;

	memset(t, 0, sizeof(*t));
	if (max_flows < 16)
		max_flows = 16;
	if (max_flows > FLOW_TABLE_MAX)
		return -1;
	while (nb < max_flows)
		nb <<= 1;
	/* calloc of large blocks maps zero pages lazily: memory grows with
	 * the flows actually in use, not with max_flows */
	t->flows = calloc(max_flows, sizeof(*t->flows));
	t->buckets = malloc((size_t)nb * sizeof(*t->buckets));
	if (t->flows == NULL || t->buckets == NULL) {
		free(t->flows);
		free(t->buckets);
		return -1;
	}
	memset(t->buckets, 0xff, (size_t)nb * sizeof(*t->buckets));
	t->nbuckets = nb;
	t->mask = nb - 1;
	t->max = max_flows;
	t->free_head = FLOW_NIL;
	for (int c = 0; c < FC_COUNT; c++)
		t->lhead[c] = t->ltail[c] = FLOW_NIL;
	gf_sipkey_random(&t->sipkey);
	return 0;
}

void
flow_table_free(struct flow_table *t)
{
	free(t->flows);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

/* Endpoints ordered as their address bytes (alen of them; the rest of a
 * key's 16 are zero), then port: big-endian words compare as memcmp. */
static int
endpoint_cmp(const uint8_t *a1, uint16_t p1, const uint8_t *a2, uint16_t p2,
    size_t alen)
{
	for (size_t i = 0; i < alen; i += 4) {
		uint32_t x = gf_be32(a1 + i), y = gf_be32(a2 + i);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return p1 < p2 ? -1 : p1 > p2;
}

static void
key_fill(struct flow_key *k, uint8_t family, uint8_t proto, uint16_t vlan,
    const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
    int icmp, int *from_a)
{
	int swap;
	size_t alen = family == 4 ? 4 : 16;

	memset(k, 0, sizeof(*k));
	k->family = family;
	k->proto = proto;
	k->vlan = vlan;
	/* ICMP "ports" belong to the exchange, not to an endpoint */
	swap = endpoint_cmp(src, icmp ? 0 : sport, dst, icmp ? 0 : dport,
	    alen) > 0;
	if (icmp) {
		k->port_a = sport;
		k->port_b = dport;
	} else {
		k->port_a = swap ? dport : sport;
		k->port_b = swap ? sport : dport;
	}
	memcpy(k->a, swap ? dst : src, alen);
	memcpy(k->b, swap ? src : dst, alen);
	*from_a = !swap;
}

static int
is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58;
}

static int
icmp_is_echo(uint8_t family, uint8_t type)
{
	if (family == 4)
		return type == 8 || type == 0;
	return type == 128 || type == 129;
}

void
flow_key_make(const struct gf_packet *p, struct flow_key *k, int *from_a)
{
	uint16_t sp = p->sport, dp = p->dport;
	int icmp = is_icmp(p->proto);

	if (icmp) {
		if (icmp_is_echo(p->family, p->icmp_type)) {
			sp = 0;
			dp = p->icmp_id;
		} else {
			sp = p->icmp_type;
			dp = p->icmp_code;
		}
	}
	key_fill(k, p->family, p->proto, p->vlan, p->src, sp, p->dst, dp,
	    icmp, from_a);
}

void
flow_key_quoted(const struct gf_packet *p, struct flow_key *k, int *from_a)
{
	key_fill(k, p->quoted.family, p->quoted.proto, p->vlan, p->quoted.src,
	    p->quoted.sport, p->quoted.dst, p->quoted.dport,
	    is_icmp(p->quoted.proto), from_a);
}

/* An IPv4 key hashes its 16 bytes that can be non-zero (addresses,
 * then ports, VLAN, protocol and family): 2 SipHash words, not 5. */
uint64_t
flow_key_hash(const struct flow_table *t, const struct flow_key *k)
{
	_Static_assert(offsetof(struct flow_key, family) -
	    offsetof(struct flow_key, port_a) == 7,
	    "ports, VLAN, protocol and family are 8 contiguous bytes");
	if (k->family == 4) {
		uint8_t b[16];
		memcpy(b, k->a, 4);
		memcpy(b + 4, k->b, 4);
		memcpy(b + 8, &k->port_a, 8);
		return gf_siphash(&t->sipkey, b, sizeof(b));
	}
	return gf_siphash(&t->sipkey, k, sizeof(*k));
}

static int
key_eq(const struct flow_key *x, const struct flow_key *y)
{
	uint64_t a[5], b[5];
	_Static_assert(sizeof(*x) == sizeof(a), "a key is 5 words");
	memcpy(a, x, sizeof(a));
	memcpy(b, y, sizeof(b));
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
	    (a[3] ^ b[3]) | (a[4] ^ b[4])) == 0;
}

uint32_t
flow_index(const struct flow_table *t, const struct flow *f)
{
	return (uint32_t)(f - t->flows);
}

struct flow *
flow_table_lookup(struct flow_table *t, const struct flow_key *k, uint64_t h)
{
	uint32_t i = t->buckets[h & t->mask];
	while (i != FLOW_NIL) {
		struct flow *f = &t->flows[i];
		if (key_eq(&f->key, k))
			return f;
		i = f->hnext;
	}
	return NULL;
}

static void
lru_unlink(struct flow_table *t, struct flow *f)
{
	int c = f->cls;
	if (f->lprev != FLOW_NIL)
		t->flows[f->lprev].lnext = f->lnext;
	else if (t->lhead[c] == flow_index(t, f))
		t->lhead[c] = f->lnext;
	if (f->lnext != FLOW_NIL)
		t->flows[f->lnext].lprev = f->lprev;
	else if (t->ltail[c] == flow_index(t, f))
		t->ltail[c] = f->lprev;
	f->lprev = f->lnext = FLOW_NIL;
}

void
flow_lru_touch(struct flow_table *t, struct flow *f, int c)
{
	uint32_t i = flow_index(t, f);
	if (f->cls == c && t->ltail[c] == i)
		return;
	lru_unlink(t, f);
	f->cls = (uint8_t)c;
	f->lprev = t->ltail[c];
	f->lnext = FLOW_NIL;
	if (t->ltail[c] != FLOW_NIL)
		t->flows[t->ltail[c]].lnext = i;
	else
		t->lhead[c] = i;
	t->ltail[c] = i;
}

struct flow *
flow_table_insert(struct flow_table *t, const struct flow_key *k, uint64_t h)
{
	uint32_t i, gen;
	struct flow *f;

	if (t->free_head != FLOW_NIL) {
		i = t->free_head;
		t->free_head = t->flows[i].hnext;
	} else if (t->fresh < t->max) {
		i = t->fresh++;
	} else {
		return NULL;
	}
	f = &t->flows[i];
	gen = f->gen + 1;
	memset(f, 0, sizeof(*f));
	f->gen = gen;
	f->key = *k;
	f->in_use = 1;
	f->lprev = f->lnext = FLOW_NIL;
	f->cls = FC_OTHER;
	f->hnext = t->buckets[h & t->mask];
	t->buckets[h & t->mask] = i;
	t->used++;
	return f;
}

void
flow_table_remove(struct flow_table *t, struct flow *f)
{
	uint32_t i = flow_index(t, f);
	uint64_t h = flow_key_hash(t, &f->key);
	uint32_t *pp = &t->buckets[h & t->mask];

	while (*pp != FLOW_NIL && *pp != i)
		pp = &t->flows[*pp].hnext;
	if (*pp == i)
		*pp = f->hnext;
	lru_unlink(t, f);
	f->in_use = 0;
	f->hnext = t->free_head;
	t->free_head = i;
	t->used--;
}
