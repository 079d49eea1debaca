/*
 * reasm.h - reassembly of fragmented outer datagrams that carry a tunnel.
 *
 * When the outer IP datagram of a tunnel (GTP-U, VXLAN, ..., GRE, IP in
 * IP) is fragmented, only its first fragment holds the inner headers, and
 * only all its fragments together mean the inner packet crossed the tap.
 * The decoder marks outermost fragments (gf_packet.reasm); a first
 * fragment whose contents are a tunnel opens a slot, later fragments of
 * the same datagram (family, addresses, protocol, id) join it, and when
 * every byte up to the last fragment has been seen, the first fragment's
 * frame is decoded again as an unfragmented datagram of the full length:
 * one inner packet, whose wire bytes are those of all its fragments.
 *
 * What it keeps is bounded and allocated once: a fixed number of slots
 * (decode.reassembly.slots), each with the first REASM_KEEP bytes of the
 * first fragment's frame (the headers: payload bytes are never needed)
 * and at most REASM_RANGES disjoint byte ranges seen.  Nothing is
 * silently dropped: every fragment held counts in reasm_held; fragments
 * of a datagram abandoned (older than decode.reassembly.timeout when a
 * slot is needed, at the end of input, overlapping inconsistently, more
 * than REASM_RANGES pieces, or beyond 65535 bytes) count in reasm_lost,
 * and their inner packet in no flow (its bytes were not all seen: the
 * gap engine may then rightly report them); a first fragment that finds
 * no free slot counts in reasm_full and is decoded as today, as part of
 * the outer UDP/GRE flow.  Later fragments whose first fragment was not
 * seen first are decoded as today too.  Slots are found by a linear scan,
 * only for fragments; unfragmented packets cost one test.
 */
#ifndef GF_REASM_H
#define GF_REASM_H

#include <stdint.h>

#include "decode.h"
#include "record.h"

#define REASM_KEEP      512     /* frame bytes of a first fragment kept */
#define REASM_RANGES    16      /* disjoint pieces a datagram may be in */
#define REASM_MAX_SLOTS 4096

struct reasm;

/* NULL when slots is 0 (reassembly off) or memory is short (*oom set). */
struct reasm *reasm_new(uint32_t slots, uint64_t timeout_ns, int *oom);
void reasm_free(struct reasm *r);

/*
 * Pass one decoded frame (rc, *pkt from gf_decode on kept bytes at data,
 * link type dlt) through reassembly.  Returns rc unchanged for anything
 * that is not an outer fragment of interest, GF_DECODE_HELD for a
 * fragment held, or, for the fragment that completes a datagram, the
 * decoder's result for the whole datagram with *pkt replaced (ts kept,
 * wire_len the fragments' sum, held_bytes the part already counted).
 * Counters go to st.
 */
enum gf_decode_rc reasm_frame(struct reasm *r, struct gf_sensor *st,
    int dlt, const uint8_t *data, uint32_t kept, enum gf_decode_rc rc,
    struct gf_packet *pkt);

/* End of input: every datagram still open is lost (counted in st). */
void reasm_flush(struct reasm *r, struct gf_sensor *st);

#endif
