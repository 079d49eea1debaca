/*
 * frag.c - first-fragment port cache (see frag.h).
 */
#include <string.h>

#include "frag.h"

struct frag_hkey {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t family, proto, pad[2];
};

void
frag_init(struct frag_cache *c, uint64_t ttl_ns)
{
	memset(c, 0, sizeof(*c));
	c->ttl = ttl_ns;
	gf_sipkey_random(&c->key);
}

static size_t
alen(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

static uint32_t
slot(const struct frag_cache *c, const struct gf_packet *p)
{
	struct frag_hkey k;
	memset(&k, 0, sizeof(k));
	memcpy(k.src, p->src, alen(p->family));
	memcpy(k.dst, p->dst, alen(p->family));
	k.id = p->frag_id;
	k.family = p->family;
	k.proto = p->proto;
	return (uint32_t)(gf_siphash(&c->key, &k, sizeof(k)) % FRAG_SLOTS);
}

static int
same(const struct frag_entry *e, const struct gf_packet *p)
{
	return e->used && e->id == p->frag_id && e->family == p->family &&
	    e->proto == p->proto &&
	    memcmp(e->src, p->src, alen(p->family)) == 0 &&
	    memcmp(e->dst, p->dst, alen(p->family)) == 0;
}

void
frag_remember(struct frag_cache *c, const struct gf_packet *p)
{
	struct frag_entry *e = &c->e[slot(c, p)];
	memset(e, 0, sizeof(*e));
	memcpy(e->src, p->src, alen(p->family));
	memcpy(e->dst, p->dst, alen(p->family));
	e->id = p->frag_id;
	e->family = p->family;
	e->proto = p->proto;
	e->sport = p->sport;
	e->dport = p->dport;
	e->icmp_type = p->icmp_type;
	e->icmp_code = p->icmp_code;
	e->icmp_id = p->icmp_id;
	e->ts = p->ts;
	e->used = 1;
}

int
frag_lookup(const struct frag_cache *c, struct gf_packet *p)
{
	const struct frag_entry *e = &c->e[slot(c, p)];
	if (!same(e, p) || p->ts < e->ts || p->ts - e->ts > c->ttl)
		return 0;
	p->sport = e->sport;
	p->dport = e->dport;
	p->icmp_type = e->icmp_type;
	p->icmp_code = e->icmp_code;
	p->icmp_id = e->icmp_id;
	return 1;
}
