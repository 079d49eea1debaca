/*
 * stream_write.c - writing a record stream (see stream.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bytes.h"
#include "codec.h"
#include "log.h"
#include "stream.h"

/* Records are collected into a block of about this many raw bytes; larger
 * blocks compress better, smaller ones reach a live reader sooner. */
#define BLOCK_TARGET (256u * 1024u)

struct gf_writer {
	int fd;
	int level;
	int have_z;                     /* z holds a deflate stream */
	z_stream z;
	int failed;                     /* a write failed at least once */
	char *name;
	uint8_t *raw;                   /* pending records */
	size_t rawlen;
	uint32_t nrec;
	uint8_t *out;                   /* one encoded block */
	uint32_t seq;                   /* number of the next block */
	uint64_t records, lost, bytes;
};

void
gf_stream_header_encode(const struct gf_stream_info *info, uint8_t *buf)
{
	memset(buf, 0, GF_HEADER_MIN_LEN);
	memcpy(buf, GF_MAGIC, GF_MAGIC_LEN);
	gf_put_le16(buf + 8, info->major ? info->major : GF_FORMAT_MAJOR);
	gf_put_le16(buf + 10, info->major ? info->minor : GF_FORMAT_MINOR);
	gf_put_le32(buf + 12, GF_HEADER_MIN_LEN);
	gf_put_le32(buf + 16, info->sensorid);
	gf_put_le32(buf + 20, info->flags);
	gf_put_le64(buf + 24, info->start);
	gf_put_le64(buf + 32, info->interval);
	memcpy(buf + 40, info->name, strnlen(info->name, GF_SENSOR_NAME_LEN));
	gf_put_le32(buf + GF_HEADER_SEQ_OFF, info->firstseq);
	gf_put_le32(buf + GF_HEADER_MIN_LEN - 4,
	    (uint32_t)crc32(0L, buf, GF_HEADER_MIN_LEN - 4));
}

int
gf_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Deflate raw into payload with a stream kept across blocks: deflateReset
 * keeps the compressor's memory, where compress2() would set it up and
 * hand it back for every block.  Returns the stored length, or 0 if the
 * block does not shrink (it is then stored as it is).
 */
static size_t
deflate_block(z_stream *z, const uint8_t *raw, size_t rawlen,
    uint8_t *payload)
{
	size_t stored;
	if (deflateReset(z) != Z_OK)
		return 0;
	z->next_in = (Bytef *)(uintptr_t)raw;
	z->avail_in = (uInt)rawlen;
	z->next_out = payload;
	z->avail_out = (uInt)GF_BLOCK_MAX_STORED;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return 0;
	stored = GF_BLOCK_MAX_STORED - z->avail_out;
	return stored < rawlen ? stored : 0;
}

static void
block_seal(uint8_t *out, size_t stored, uint32_t seq)
{
	uLong crc;
	gf_put_le16(out + GF_BLOCK_SEQ_OFF, (uint16_t)seq);
	crc = crc32(0L, out, 20);
	crc = crc32(crc, out + GF_BLOCK_HDR_LEN, (uInt)stored);
	gf_put_le32(out + 20, (uint32_t)crc);
}

void
gf_block_set_seq(uint8_t *block, size_t len, uint32_t seq)
{
	block_seal(block, len - GF_BLOCK_HDR_LEN, seq);
}

void
gf_block_end(uint32_t seq, uint8_t *out)
{
	memset(out, 0, GF_BLOCK_HDR_LEN);
	gf_put_le32(out, GF_BLOCK_MAGIC);
	block_seal(out, 0, seq);
}

static size_t
block_encode(z_stream *z, const uint8_t *raw, size_t rawlen, uint32_t nrec,
    uint32_t seq, uint8_t *out)
{
	uint8_t *payload = out + GF_BLOCK_HDR_LEN;
	size_t stored = z != NULL ? deflate_block(z, raw, rawlen, payload) : 0;
	uint16_t flags = 0;

	if (stored > 0) {
		flags = GF_BLOCK_ZLIB;
	} else {
		memcpy(payload, raw, rawlen);
		stored = rawlen;
	}
	gf_put_le32(out, GF_BLOCK_MAGIC);
	gf_put_le32(out + 4, (uint32_t)stored);
	gf_put_le32(out + 8, (uint32_t)rawlen);
	gf_put_le32(out + 12, nrec);
	gf_put_le16(out + 16, flags);
	block_seal(out, stored, seq);
	return GF_BLOCK_HDR_LEN + stored;
}

/* level < 0: no compressor (blocks are stored).  0 on success. */
static int
deflater_init(z_stream *z, int level)
{
	memset(z, 0, sizeof(*z));
	return deflateInit(z, level) == Z_OK ? 0 : -1;
}

size_t
gf_block_encode(const uint8_t *raw, size_t rawlen, uint32_t nrec, int level,
    uint32_t seq, uint8_t *out)
{
	z_stream z;
	size_t len;
	if (level < 0 || deflater_init(&z, level) != 0)
		return block_encode(NULL, raw, rawlen, nrec, seq, out);
	len = block_encode(&z, raw, rawlen, nrec, seq, out);
	deflateEnd(&z);
	return len;
}

struct gf_writer *
gf_writer_open_fd(int fd, const char *name, const struct gf_stream_info *info,
    int level)
{
	uint8_t hdr[GF_HEADER_MIN_LEN];
	struct gf_stream_info cur = *info;
	struct gf_writer *w;

	/* what is written is this version's format, whatever was read */
	cur.major = 0;
	cur.firstseq = 0;
	gf_stream_header_encode(&cur, hdr);
	if (gf_write_all(fd, hdr, sizeof(hdr)) != 0) {
		gf_err("%s: cannot write stream header: %s", name,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	w = gf_xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->level = level;
	w->have_z = level >= 0 && deflater_init(&w->z, level) == 0;
	w->name = gf_xstrdup(name);
	w->raw = gf_xmalloc(GF_BLOCK_MAX_RAW);
	w->out = gf_xmalloc(GF_BLOCK_HDR_LEN + GF_BLOCK_MAX_STORED);
	w->bytes = sizeof(hdr);
	return w;
}

struct gf_writer *
gf_writer_open_path(const char *path, const struct gf_stream_info *info,
    int level)
{
	int fd;
	if (strcmp(path, "-") == 0)
		return gf_writer_open_fd(STDOUT_FILENO, "stdout", info, level);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		gf_err("%s: cannot open for writing: %s", path, strerror(errno));
		return NULL;
	}
	return gf_writer_open_fd(fd, path, info, level);
}

int
gf_writer_flush(struct gf_writer *w)
{
	size_t len;
	if (w->nrec == 0)
		return 0;
	len = block_encode(w->have_z ? &w->z : NULL, w->raw, w->rawlen,
	    w->nrec, w->seq, w->out);
	if (gf_write_all(w->fd, w->out, len) != 0) {
		if (!w->failed)
			gf_err("%s: write failed at offset %llu: %s", w->name,
			    (unsigned long long)w->bytes, strerror(errno));
		w->failed = 1;
		w->lost += w->nrec;
		w->records -= w->nrec;
		w->rawlen = 0;
		w->nrec = 0;
		return -1;
	}
	w->bytes += len;
	w->seq++;
	w->rawlen = 0;
	w->nrec = 0;
	return 0;
}

int
gf_writer_put(struct gf_writer *w, const struct gf_record *r)
{
	size_t len;
	int rc = 0;

	if (w->rawlen + GF_RECORD_MAX_LEN > GF_BLOCK_MAX_RAW ||
	    w->rawlen >= BLOCK_TARGET)
		rc = gf_writer_flush(w);
	len = gf_record_encode(r, w->raw + w->rawlen,
	    GF_BLOCK_MAX_RAW - w->rawlen);
	if (len == 0) {
		w->lost++;
		return -1;
	}
	w->rawlen += len;
	w->nrec++;
	w->records++;
	return rc;
}

int
gf_writer_close(struct gf_writer *w)
{
	int rc;
	if (w == NULL)
		return 0;
	gf_writer_flush(w);
	if (!w->failed) {
		/* a finished stream ends with the end block */
		uint8_t end[GF_BLOCK_HDR_LEN];
		gf_block_end(w->seq, end);
		if (gf_write_all(w->fd, end, sizeof(end)) != 0) {
			gf_err("%s: write failed at offset %llu: %s", w->name,
			    (unsigned long long)w->bytes, strerror(errno));
			w->failed = 1;
		} else {
			w->bytes += sizeof(end);
		}
	}
	rc = w->failed ? -1 : 0;
	if (close(w->fd) != 0 && errno != EINTR) {
		gf_err("%s: close failed: %s", w->name, strerror(errno));
		rc = -1;
	}
	if (w->have_z)
		deflateEnd(&w->z);
	free(w->raw);
	free(w->out);
	free(w->name);
	free(w);
	return rc;
}

uint64_t
gf_writer_records(const struct gf_writer *w)
{
	return w->records;
}

uint64_t
gf_writer_lost(const struct gf_writer *w)
{
	return w->lost;
}

uint64_t
gf_writer_bytes(const struct gf_writer *w)
{
	return w->bytes;
}
