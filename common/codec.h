/*
 * codec.h - one record <-> its bytes on the wire.
 *
 * A record is (gapflow-records(5), format 2): u16 type, u16 length (of
 * the whole record, header included), u8 bitmap length N, N bytes of
 * presence bitmap (bit i, least significant first, for the type's i-th
 * wire field in registry order), then the value of each field whose bit
 * is set, in order: u8 as one byte, u16/u32/u64 as unsigned LEB128, an
 * address as its family byte and 4 (IPv4) or 16 bytes.  Fields whose bit
 * is clear are 0; the encoder sets the bits of the non-zero fields only.
 * Decoding ignores bits and bytes past the fields it knows (a newer
 * writer) and leaves fields past a shorter bitmap 0 (an older writer).
 */
#ifndef GF_CODEC_H
#define GF_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "record.h"

/* Whether this reader knows records of type t (others are skipped). */
int gf_record_type_known(uint16_t t);

/* The longest encoding of a record of type rtype, header included. */
size_t gf_record_wire_max(uint16_t rtype);

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
 * a known type, 0 for an unknown type (r untouched, skip it by length),
 * -1 for a malformed record of a known type: a value that runs past the
 * record's length or does not fit its field (r partly filled).  Only the
 * type's part of r is written (gf_record_size): a FLOW record leaves the
 * end of the union as it was. */
int gf_record_decode(const uint8_t *p, size_t len, struct gf_record *r);

#endif
