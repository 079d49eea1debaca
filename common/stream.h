/*
 * stream.h - the record stream: a header, then blocks of records.
 *
 * One format for files, pipes and sockets (man/gapflow-records.5):
 *
 *   header  magic[8] "GFLW\r\n\x1a\n", u16 major, u16 minor, u32 hdrlen,
 *           u32 sensorid, u32 flags, u64 start ns, u64 interval ns,
 *           char name[32], u32 reserved, u32 crc32(header bytes before it)
 *   block   u32 magic "GFBK", u32 stored len, u32 raw len, u32 records,
 *           u16 flags (1 = zlib), u16 block number (2.1; 0 in 2.0),
 *           u32 crc32(block header bytes 0..19 + stored payload),
 *           stored payload (zlib stream, or the raw records)
 *   end     (2.1) an empty block: no record, no payload, the next number
 *
 * Version 2.1 numbers the blocks (the header's reserved word holds the
 * number of the first, the block header's reserved u16 the block's own,
 * modulo 2^16) and ends a finished stream with the empty end block, so a
 * reader tells a missing block, a stream cut at a block boundary and a
 * writer that never finished from a whole stream.  A 2.0 reader ignores
 * both (it reads the empty block as a block of no record).
 *
 * Writers never block on partial blocks: a block is complete on disk or
 * absent, so a reader of a file cut short (kill -9) keeps every complete
 * block and reports the truncation.
 */
#ifndef GF_STREAM_H
#define GF_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "gapflow.h"
#include "record.h"

struct gf_stream_info {
	uint16_t major, minor;
	uint32_t sensorid;
	uint32_t flags;                 /* GF_HDR_* */
	uint64_t start;                 /* ns since epoch */
	uint64_t interval;              /* status interval, ns; 0 none */
	char name[GF_SENSOR_NAME_LEN + 1];
	uint32_t firstseq;              /* 2.1: number of the first block */
};

/* Header bytes for info; buf must hold GF_HEADER_MIN_LEN.  info->major 0:
 * this program's version (writers always write it). */
void gf_stream_header_encode(const struct gf_stream_info *info, uint8_t *buf);

/* ---- writer ---- */

struct gf_writer;

/*
 * Write to fd, which the writer owns and closes.  name is used in
 * messages.  level: -1 no compression, 0..9 zlib level.
 * Returns NULL (message printed) only if the header cannot be written.
 */
struct gf_writer *gf_writer_open_fd(int fd, const char *name,
    const struct gf_stream_info *info, int level);
/* Open path for writing ("-" is stdout), truncating. */
struct gf_writer *gf_writer_open_path(const char *path,
    const struct gf_stream_info *info, int level);
/* Add a record; writes a block when the block buffer is full.
 * 0 ok, -1 write error (message printed; record counted as lost). */
int gf_writer_put(struct gf_writer *w, const struct gf_record *r);
/* Write the pending block, if any.  0 ok, -1 error. */
int gf_writer_flush(struct gf_writer *w);
/* Flush, close.  0 ok, -1 if any write failed during the writer's life. */
int gf_writer_close(struct gf_writer *w);
/* Counters. */
uint64_t gf_writer_records(const struct gf_writer *w);
uint64_t gf_writer_lost(const struct gf_writer *w);
uint64_t gf_writer_bytes(const struct gf_writer *w);

/* write(2) all of buf, retrying on EINTR and short writes.  0, or -1
 * with errno set. */
int gf_write_all(int fd, const uint8_t *buf, size_t len);

/* Encode one block from raw records into out (cap >= GF_BLOCK_HDR_LEN +
 * GF_BLOCK_MAX_STORED), numbered seq.  Returns the block length. */
size_t gf_block_encode(const uint8_t *raw, size_t rawlen, uint32_t nrec,
    int level, uint32_t seq, uint8_t *out);
/* Renumber an encoded block of len bytes (its CRC follows). */
void gf_block_set_seq(uint8_t *block, size_t len, uint32_t seq);
/* The end-of-stream block numbered seq into out (GF_BLOCK_HDR_LEN bytes). */
void gf_block_end(uint32_t seq, uint8_t *out);

/* ---- reader ---- */

struct gf_reader;

/* Open path ("-" is stdin); gzip-compressed files are read through zlib.
 * NULL with a message naming the file if it cannot be opened or its
 * header is bad. */
struct gf_reader *gf_reader_open_path(const char *path);
/* Read from fd (a socket or pipe) without gzip detection.  The reader owns
 * fd.  name is used in messages. */
struct gf_reader *gf_reader_open_fd(int fd, const char *name);
const struct gf_stream_info *gf_reader_info(const struct gf_reader *rd);
const char *gf_reader_name(const struct gf_reader *rd);
/*
 * Next record of a known type.  1: *r filled; 0: end of stream; -1: a
 * damaged or truncated block was met (message printed with file and
 * offset).  After -1 the caller may call again: the reader resumes at the
 * next block it can find, so every good record is still returned.
 */
int gf_reader_next(struct gf_reader *rd, struct gf_record *r);
/* The same, without decoding: *rec points at the record's bytes (header
 * included, gf_record_decode() reads them), valid until the next call.
 * A caller that decodes them itself reports a record that does not
 * decode with gf_record_malformed(), naming the block's offset. */
int gf_reader_next_raw(struct gf_reader *rd, const uint8_t **rec,
    size_t *reclen);
/* Offset in the stream of the block the last record came from. */
uint64_t gf_reader_block_offset(const struct gf_reader *rd);
/* The error message for a record of input name, in the block at offset
 * blockoff, that gf_record_decode() found malformed. */
void gf_record_malformed(const char *name, uint64_t blockoff);
/* Number of errors met so far, and records of unknown types skipped. */
uint64_t gf_reader_errors(const struct gf_reader *rd);
uint64_t gf_reader_skipped(const struct gf_reader *rd);
void gf_reader_close(struct gf_reader *rd);

#endif
