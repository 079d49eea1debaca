/*
 * fields.h - the field registry: every record field, defined once.
 *
 * The codec encodes records by walking this table in order; gapdump prints,
 * filters, sorts and aggregates by it; the man pages list it (gapdump
 * --fields prints it).  Wire fields of a record type appear in wire order;
 * derived fields (wire == 0) are computed from the others when asked for.
 * Adding a field: append it after the last wire field of its record type
 * and bump GF_FORMAT_MINOR.  Never reorder or remove a wire field.
 */
#ifndef GF_FIELDS_H
#define GF_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "record.h"

/* How a value is stored in the record struct. */
enum gf_ftype {
	GF_FT_U8, GF_FT_U16, GF_FT_U32, GF_FT_U64,
	GF_FT_ADDR,             /* struct gf_addr */
	GF_FT_DOUBLE,           /* derived only */
};

/* How a value is presented. */
enum gf_fshow {
	GF_SH_NUM,              /* plain unsigned number */
	GF_SH_TIME,             /* ns since epoch */
	GF_SH_DUR,              /* ns duration, printed in seconds */
	GF_SH_SECS,             /* derived double seconds */
	GF_SH_FLOAT,            /* derived double */
	GF_SH_ADDR,
	GF_SH_PORT,             /* number; service name unless -n (later) */
	GF_SH_PROTO,            /* name unless -n */
	GF_SH_TCPFLAGS,         /* letters FSRPAUEC */
	GF_SH_STATE,
	GF_SH_KIND,
	GF_SH_END,
	GF_SH_ORIENT,
	GF_SH_FLGS,             /* indicator letters */
	GF_SH_ENCAPS,
	GF_SH_HEX,
	GF_SH_DIR,              /* derived: "<->", "->", "<-" */
	GF_SH_RTYPE,            /* derived: "flow" / "sensor" */
};

/* How -m aggregation combines a field. */
enum gf_fmerge {
	GF_MG_SUM, GF_MG_MIN, GF_MG_MAX, GF_MG_OR, GF_MG_LAST, GF_MG_FIRST,
	GF_MG_NONE,             /* derived: recomputed after merging */
};

struct gf_field {
	const char *name;       /* gapflow name, used in -s and filters */
	const char *argus;      /* argus/ra name when it differs, else NULL */
	uint16_t rtype;         /* enum gf_rtype */
	uint8_t type;           /* enum gf_ftype */
	uint8_t wire;           /* bytes on the wire, 0 = derived */
	uint8_t show;           /* enum gf_fshow */
	uint8_t merge;          /* enum gf_fmerge */
	uint8_t width;          /* default text column width */
	uint16_t offset;        /* in struct gf_flow / gf_sensor */
	double (*derive)(const struct gf_record *r);
	const char *desc;
};

extern const struct gf_field gf_fields[];
extern const size_t gf_nfields;

/*
 * A row's share of its aggregation's totals, for the derived fields
 * %flows, %bytes and %gap: set by the client's aggregation (gapdump -m),
 * NULL elsewhere (the fields are then 0).
 */
enum { GF_SHARE_FLOWS, GF_SHARE_BYTES, GF_SHARE_GAP };
extern double (*gf_share_fn)(const struct gf_record *r, int which);

/* Lookup by gapflow or argus name; NULL if unknown. */
const struct gf_field *gf_field_find(const char *name);
/* Same, restricted to a record type. */
const struct gf_field *gf_field_find_type(const char *name, uint16_t rtype);

/* The record struct of r that fields of r->type address (inline: the
 * per-field paths of printing, filtering and merging go through them). */
static inline const void *
gf_record_body(const struct gf_record *r)
{
	return r->type == GF_RT_SENSOR ? (const void *)&r->u.sensor
	    : (const void *)&r->u.flow;
}

static inline void *
gf_record_body_mut(struct gf_record *r)
{
	return r->type == GF_RT_SENSOR ? (void *)&r->u.sensor
	    : (void *)&r->u.flow;
}

/* The bytes of struct gf_record a record of type rtype uses: its type
 * and its body (a FLOW record leaves the end of the union unused). */
size_t gf_record_size(uint16_t rtype);

/* Integer value of a stored integer field (0 for other types). */
static inline uint64_t
gf_field_u64(const struct gf_field *f, const struct gf_record *r)
{
	const unsigned char *p;
	if (f->rtype != r->type || f->wire == 0)
		return 0;
	p = (const unsigned char *)gf_record_body(r) + f->offset;
	switch (f->type) {
	case GF_FT_U8: { uint8_t v; memcpy(&v, p, 1); return v; }
	case GF_FT_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
	case GF_FT_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
	case GF_FT_U64: { uint64_t v; memcpy(&v, p, 8); return v; }
	default: return 0;
	}
}
void gf_field_set_u64(const struct gf_field *f, struct gf_record *r, uint64_t v);
/* Numeric value of any numeric field, derived ones included. */
double gf_field_num(const struct gf_field *f, const struct gf_record *r);
/* Whether f is a number that filters may compare and -m may sum. */
int gf_field_is_numeric(const struct gf_field *f);

/* Format a field's value; numeric != 0 asks for numbers, not names.
 * Returns the length written (snprintf semantics, always terminated). */
int gf_field_format(const struct gf_field *f, const struct gf_record *r,
    int numeric, char *buf, size_t len);

#endif /* GF_FIELDS_H */
