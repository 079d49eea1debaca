/*
 * codec.c - record encoding by the field registry (see codec.h).
 */
#include <pthread.h>
#include <string.h>

#include "bytes.h"
#include "codec.h"
#include "fields.h"

int
gf_record_type_known(uint16_t t)
{
	return t == GF_RT_FLOW || t == GF_RT_SENSOR;
}

/*
 * The wire fields of each record type in wire order, taken from the
 * registry once, so that encoding and decoding walk only them (the
 * registry also holds derived fields and other types' fields).
 */
#define PLAN_MAX 128
struct plan {
	const struct gf_field *f[PLAN_MAX];
	int n;
	size_t len;                     /* encoded length, header included */
};
static struct plan plans[GF_RT_SENSOR + 1];
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;

static void
plans_build(void)
{
	for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++) {
		struct plan *pl = &plans[t];
		pl->len = GF_RECORD_HDR_LEN;
		for (size_t i = 0; i < gf_nfields; i++) {
			const struct gf_field *f = &gf_fields[i];
			if (f->rtype != t || f->wire == 0 || pl->n == PLAN_MAX)
				continue;
			pl->f[pl->n++] = f;
			pl->len += f->wire;
		}
	}
}

static const struct plan *
plan_of(uint16_t t)
{
	pthread_once(&plans_once, plans_build);
	return &plans[t];
}

size_t
gf_record_wire_len(uint16_t rtype)
{
	return gf_record_type_known(rtype) ? plan_of(rtype)->len : GF_RECORD_HDR_LEN;
}

static void
put_field(const struct gf_field *f, const uint8_t *body, uint8_t *p)
{
	const uint8_t *m = body + f->offset;
	switch (f->type) {
	case GF_FT_U8:
		p[0] = m[0];
		break;
	case GF_FT_U16: {
		uint16_t v;
		memcpy(&v, m, 2);
		gf_put_le16(p, v);
		break;
	}
	case GF_FT_U32: {
		uint32_t v;
		memcpy(&v, m, 4);
		gf_put_le32(p, v);
		break;
	}
	case GF_FT_U64: {
		uint64_t v;
		memcpy(&v, m, 8);
		gf_put_le64(p, v);
		break;
	}
	case GF_FT_ADDR: {
		const struct gf_addr *a = (const struct gf_addr *)m;
		p[0] = a->family;
		memcpy(p + 1, a->a, 16);
		break;
	}
	default:
		break;
	}
}

static void
get_field(const struct gf_field *f, const uint8_t *p, uint8_t *body)
{
	uint8_t *m = body + f->offset;
	switch (f->type) {
	case GF_FT_U8:
		m[0] = p[0];
		break;
	case GF_FT_U16: {
		uint16_t v = gf_le16(p);
		memcpy(m, &v, 2);
		break;
	}
	case GF_FT_U32: {
		uint32_t v = gf_le32(p);
		memcpy(m, &v, 4);
		break;
	}
	case GF_FT_U64: {
		uint64_t v = gf_le64(p);
		memcpy(m, &v, 8);
		break;
	}
	case GF_FT_ADDR: {
		struct gf_addr *a = (struct gf_addr *)m;
		a->family = p[0];
		memcpy(a->a, p + 1, 16);
		break;
	}
	default:
		break;
	}
}

size_t
gf_record_encode(const struct gf_record *r, uint8_t *buf, size_t cap)
{
	const uint8_t *body = gf_record_body(r);
	const struct plan *pl;
	size_t off = GF_RECORD_HDR_LEN;

	if (!gf_record_type_known(r->type))
		return 0;
	pl = plan_of(r->type);
	if (pl->len > cap || pl->len > GF_RECORD_MAX_LEN)
		return 0;
	gf_put_le16(buf, r->type);
	gf_put_le16(buf + 2, (uint16_t)pl->len);
	for (int i = 0; i < pl->n; i++) {
		put_field(pl->f[i], body, buf + off);
		off += pl->f[i]->wire;
	}
	return off;
}

size_t
gf_record_peek(const uint8_t *p, size_t avail, uint16_t *type)
{
	size_t len;
	if (avail < GF_RECORD_HDR_LEN)
		return 0;
	len = gf_le16(p + 2);
	if (len < GF_RECORD_HDR_LEN || len > avail)
		return 0;
	*type = gf_le16(p);
	return len;
}

int
gf_record_decode(const uint8_t *p, size_t len, struct gf_record *r)
{
	uint16_t type = gf_le16(p);
	size_t off = GF_RECORD_HDR_LEN;
	const struct plan *pl;
	uint8_t *body;

	if (!gf_record_type_known(type))
		return 0;
	pl = plan_of(type);
	memset(r, 0, sizeof(*r));
	r->type = type;
	body = gf_record_body_mut(r);
	for (int i = 0; i < pl->n; i++) {
		const struct gf_field *f = pl->f[i];
		if (off + f->wire > len)
			break;          /* older writer: later fields stay 0 */
		get_field(f, p + off, body);
		off += f->wire;
	}
	/* A record from an older writer lacks 'trans'; it stood for one. */
	if (type == GF_RT_FLOW && r->u.flow.trans == 0)
		r->u.flow.trans = 1;
	return 1;
}
