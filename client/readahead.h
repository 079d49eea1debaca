/*
 * readahead.h - the selected records of gapdump's inputs, in order, read
 * by a second thread when that can only help.
 *
 * Promise: the same events, in the same order, as opening each input in
 * turn and calling gf_reader_next() until its end, keeping the records
 * that select() accepts.  When every input is a regular file and the
 * machine has more than one CPU, a reader thread reads and decompresses
 * while the caller decodes, selects, aggregates and prints; records pass in
 * batches through a ring of fixed size (about 1.5 MiB), so memory does
 * not grow with the input.  Pipes, sockets and terminals are read on the
 * caller's thread, record by record, so a live pipe is never held back
 * waiting for a batch to fill.  select() runs on the caller's thread,
 * except for records larger than any this version writes, which the
 * reader thread decodes and selects itself: select() must be safe to
 * call from it (gf_filter_match() is; it only reads the filter).
 */
#ifndef GF_READAHEAD_H
#define GF_READAHEAD_H

#include "inputs.h"
#include "record.h"
#include "stream.h"

enum ra_event {
	RA_END,                 /* no more inputs */
	RA_INPUT,               /* an input was opened: *info is its header */
	RA_RECORD,              /* *r is a selected record */
	RA_DAMAGED,             /* a damaged block (reported by the reader) */
	RA_UNREADABLE,          /* an input could not be opened (reported) */
	RA_IDLE,                /* nothing came in time (live.h only) */
};

struct readahead;

struct readahead *readahead_open(const struct input_list *in,
    int (*select)(void *ctx, const struct gf_record *r), void *ctx);
/*
 * The next event.  *r (RA_RECORD) and *info (RA_INPUT) stay valid until
 * the next call.
 */
enum ra_event readahead_next(struct readahead *ra, const struct gf_record **r,
    const struct gf_stream_info **info);
/* Whether a reader thread does the reading (for tests and -v). */
int readahead_threaded(const struct readahead *ra);
void readahead_close(struct readahead *ra);

#endif /* GF_READAHEAD_H */
