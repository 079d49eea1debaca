/*
 * codec.h - one record <-> its bytes on the wire.
 *
 * A record is: u16 type, u16 length (of the whole record, header
 * included), then the wire fields of its type in registry order, each
 * little-endian at its registered width.  Decoding fills fields while the
 * record has bytes for them, leaves later fields zero (an older writer),
 * and ignores trailing bytes it has no field for (a newer writer).
 */
#ifndef GF_CODEC_H
#define GF_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "record.h"

/* Whether this reader knows records of type t (others are skipped). */
int gf_record_type_known(uint16_t t);

/* Encoded length of r, header included. */
size_t gf_record_wire_len(uint16_t rtype);

/* Encode r into buf.  Returns the length, or 0 if cap is too small or the
 * type is unknown. */
size_t gf_record_encode(const struct gf_record *r, uint8_t *buf, size_t cap);

/*
 * Read a record header at p with avail bytes.  Returns the record length
 * (>= GF_RECORD_HDR_LEN, <= avail) and sets *type, or 0 if the header is
 * malformed or the record runs past avail.
 */
size_t gf_record_peek(const uint8_t *p, size_t avail, uint16_t *type);

/* Decode a record whose header gf_record_peek() accepted.  Returns 1 for
 * a known type, 0 for an unknown type (r untouched, skip it by length). */
int gf_record_decode(const uint8_t *p, size_t len, struct gf_record *r);

#endif
