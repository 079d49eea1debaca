/*
 * codec.c - record encoding by the field registry (see codec.h).
 *
 * Format 2 stores a record as a presence bitmap and the values of its
 * non-zero fields, as variable-length integers: a flow record is mostly
 * zeros and small counters, and readers spent most of their time
 * inflating the zeros of the fixed-width layout of format 1 (295 bytes a
 * FLOW record against about 70 now).
 */
#include <pthread.h>
#include <string.h>

#include "bytes.h"
#include "codec.h"
#include "fields.h"

#define CODEC_BODY_OFF  (GF_RECORD_HDR_LEN + 1)  /* after the bitmap length */

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
	uint8_t op[PLAN_MAX];           /* enum op of each */
	uint16_t off[PLAN_MAX];         /* its offset in the record body */
	int n;
	size_t max;                     /* longest encoding, header included */
};

/* How a field is stored: its type, and times as differences. */
enum op { OP_U8, OP_U16, OP_U32, OP_U64, OP_TIME, OP_ADDR };
static struct plan plans[GF_RT_SENSOR + 1];
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;

/* The longest encoding of a value of field type t. */
static size_t
value_max(uint8_t t)
{
	switch (t) {
	case GF_FT_U8:
		return 1;
	case GF_FT_U16:
		return 3;
	case GF_FT_U32:
		return 5;
	case GF_FT_U64:
		return 10;
	case GF_FT_ADDR:
		return 17;
	default:
		return 0;
	}
}

static void
plans_build(void)
{
	for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++) {
		struct plan *pl = &plans[t];
		for (size_t i = 0; i < gf_nfields; i++) {
			const struct gf_field *f = &gf_fields[i];
			if (f->rtype != t || f->wire == 0 || pl->n == PLAN_MAX)
				continue;
			pl->op[pl->n] = f->show == GF_SH_TIME &&
			    f->type == GF_FT_U64 ? OP_TIME :
			    f->type == GF_FT_U8 ? OP_U8 :
			    f->type == GF_FT_U16 ? OP_U16 :
			    f->type == GF_FT_U32 ? OP_U32 :
			    f->type == GF_FT_U64 ? OP_U64 : OP_ADDR;
			pl->off[pl->n] = f->offset;
			pl->f[pl->n++] = f;
			pl->max += value_max(f->type);
		}
		pl->max += CODEC_BODY_OFF + (size_t)(pl->n + 7) / 8;
	}
}

static const struct plan *
plan_of(uint16_t t)
{
	pthread_once(&plans_once, plans_build);
	return &plans[t];
}

size_t
gf_record_wire_max(uint16_t rtype)
{
	return gf_record_type_known(rtype) ? plan_of(rtype)->max :
	    GF_RECORD_HDR_LEN;
}

/* ---- encoding ----------------------------------------------------------- */

static size_t
put_uvar(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* A signed difference, mod 2^64, folded so that small ones of either
 * sign are small numbers: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ... */
static uint64_t
zigzag(uint64_t d)
{
	return (d >> 63) ? ~(d << 1) : d << 1;
}

static uint64_t
unzigzag(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

/* The value of field i as an integer, or for an address whether it is
 * set. */
static uint64_t
field_value(const struct plan *pl, int i, const uint8_t *body)
{
	const uint8_t *m = body + pl->off[i];

	switch (pl->op[i]) {
	case OP_U8:
		return m[0];
	case OP_U16: {
		uint16_t v;
		memcpy(&v, m, 2);
		return v;
	}
	case OP_U32: {
		uint32_t v;
		memcpy(&v, m, 4);
		return v;
	}
	case OP_U64:
	case OP_TIME: {
		uint64_t v;
		memcpy(&v, m, 8);
		return v;
	}
	default: {
		static const uint8_t zero[sizeof(struct gf_addr)];
		return memcmp(m, zero, sizeof(zero)) != 0;
	}
	}
}

size_t
gf_record_encode(const struct gf_record *r, uint8_t *buf, size_t cap)
{
	const uint8_t *body = gf_record_body(r);
	const struct plan *pl;
	uint64_t prevtime = 0;
	size_t nmap, off;

	if (!gf_record_type_known(r->type))
		return 0;
	pl = plan_of(r->type);
	if (pl->max > cap || pl->max > GF_RECORD_MAX_LEN)
		return 0;
	nmap = (size_t)(pl->n + 7) / 8;
	memset(buf, 0, CODEC_BODY_OFF + nmap);
	gf_put_le16(buf, r->type);
	buf[GF_RECORD_HDR_LEN] = (uint8_t)nmap;
	off = CODEC_BODY_OFF + nmap;
	for (int i = 0; i < pl->n; i++) {
		uint64_t v = field_value(pl, i, body);
		const struct gf_addr *a;
		if (v == 0)
			continue;
		buf[CODEC_BODY_OFF + i / 8] |= (uint8_t)(1u << (i % 8));
		switch (pl->op[i]) {
		case OP_U8:
			buf[off++] = (uint8_t)v;
			break;
		case OP_TIME:
			/* times lie close together: store the difference */
			off += put_uvar(buf + off, zigzag(v - prevtime));
			prevtime = v;
			break;
		case OP_ADDR:
			/* an IPv4 address is its 4 bytes; anything else 16 */
			a = (const struct gf_addr *)(body + pl->off[i]);
			buf[off] = a->family;
			memcpy(buf + off + 1, a->a, a->family == 4 ? 4 : 16);
			off += a->family == 4 ? 5 : 17;
			break;
		default:
			off += put_uvar(buf + off, v);
			break;
		}
	}
	gf_put_le16(buf + 2, (uint16_t)off);
	return off;
}

/* ---- decoding ----------------------------------------------------------- */

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

/* An unsigned LEB128 integer at p[*off], before len: 0, or -1 if it runs
 * past len or past 64 bits.  With ten bytes left (the longest value) the
 * bytes are read without a bound check each. */
static inline int
get_uvar(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	uint64_t x = 0;
	size_t o = *off;
	unsigned shift = 0;
	uint8_t b;

	if (o < len && p[o] < 0x80) {           /* most values: one byte */
		*v = p[o];
		*off = o + 1;
		return 0;
	}
	if (len - o >= 10) {
		do {
			b = p[o++];
			x |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
		} while ((b & 0x80) && shift < 63);
		if (b & 0x80) {
			/* the tenth byte holds bit 63 only */
			b = p[o++];
			if (b > 1)
				return -1;
			x |= (uint64_t)b << 63;
		}
		*v = x;
		*off = o;
		return 0;
	}
	for (;; shift += 7) {
		if (o == len || shift > 63)
			return -1;
		b = p[o++];
		if (shift == 63 && (b & 0x7e) != 0)
			return -1;
		x |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			break;
	}
	*v = x;
	*off = o;
	return 0;
}

/* Reads field i at p[*off] into body; -1 if it runs past len or does
 * not fit the field. */
static inline int
get_field(const struct plan *pl, int i, const uint8_t *p, size_t len,
    size_t *off, uint64_t *prevtime, uint8_t *body)
{
	uint8_t *m = body + pl->off[i];
	uint64_t v;

	switch (pl->op[i]) {
	case OP_U8:
		if (*off == len)
			return -1;
		m[0] = p[(*off)++];
		return 0;
	case OP_ADDR: {
		struct gf_addr *a = (struct gf_addr *)m;
		size_t n;
		if (*off == len)
			return -1;
		a->family = p[*off];
		n = a->family == 4 ? 4 : 16;
		if (len - *off - 1 < n)
			return -1;
		memcpy(a->a, p + *off + 1, n);
		*off += 1 + n;
		return 0;
	}
	case OP_U16: {
		uint16_t w;
		if (get_uvar(p, len, off, &v) != 0 || v > UINT16_MAX)
			return -1;
		w = (uint16_t)v;
		memcpy(m, &w, 2);
		return 0;
	}
	case OP_U32: {
		uint32_t w;
		if (get_uvar(p, len, off, &v) != 0 || v > UINT32_MAX)
			return -1;
		w = (uint32_t)v;
		memcpy(m, &w, 4);
		return 0;
	}
	case OP_TIME:
		if (get_uvar(p, len, off, &v) != 0)
			return -1;
		v = *prevtime + unzigzag(v);
		*prevtime = v;
		break;
	default:
		if (get_uvar(p, len, off, &v) != 0)
			return -1;
		break;
	}
	memcpy(m, &v, 8);
	return 0;
}

int
gf_record_decode(const uint8_t *p, size_t len, struct gf_record *r)
{
	uint16_t type = gf_le16(p);
	const struct plan *pl;
	uint64_t prevtime = 0;
	size_t nmap, off;
	uint8_t *body;

	if (!gf_record_type_known(type))
		return 0;
	pl = plan_of(type);
	memset(r, 0, gf_record_size(type));     /* the type's part only */
	r->type = type;
	body = gf_record_body_mut(r);
	/* a record of only its header holds only zeros */
	nmap = len > GF_RECORD_HDR_LEN ? p[GF_RECORD_HDR_LEN] : 0;
	off = CODEC_BODY_OFF + nmap;
	if (nmap > 0 && off > len)
		return -1;
	for (size_t j = 0; j < nmap; j++) {
		unsigned bits = p[CODEC_BODY_OFF + j];
		while (bits != 0) {
			int i = (int)j * 8 + __builtin_ctz(bits);
			bits &= bits - 1;
			if (i >= pl->n)
				goto done;      /* a newer writer's fields */
			if (get_field(pl, i, p, len, &off, &prevtime,
			    body) != 0)
				return -1;
		}
	}
done:
	/* A record from an older writer lacks 'trans'; it stood for one. */
	if (type == GF_RT_FLOW && r->u.flow.trans == 0)
		r->u.flow.trans = 1;
	return 1;
}
