/*
 * stream_read.c - reading a record stream (see stream.h).
 *
 * Input is untrusted: every length is checked against the bytes present
 * and against the format's bounds before it is used.  A damaged block is
 * reported with the stream offset where it starts; reading resumes at the
 * next block magic, so good records after the damage are not lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bytes.h"
#include "codec.h"
#include "log.h"
#include "stream.h"

#define INBUF_CAP (2u * (GF_BLOCK_HDR_LEN + GF_BLOCK_MAX_STORED))

struct gf_reader {
	gzFile gz;                      /* files and stdin */
	int fd;                         /* sockets: plain reads, gz == NULL */
	int eof;
	char *name;
	struct gf_stream_info info;
	uint8_t *in;                    /* input bytes not yet consumed */
	size_t pos, end;
	uint64_t offset;                /* stream offset of in[pos] */
	uint8_t *raw;                   /* records of the current block */
	size_t rawlen, rawpos;
	uint32_t rawleft;               /* records the block header promised */
	uint64_t blockoff;              /* offset of the current block */
	int have_z;                     /* z holds an inflate stream */
	z_stream z;
	uint64_t errors, skipped;
};

/* Read more input; returns bytes added, 0 at end, -1 on error. */
static ssize_t
source_read(struct gf_reader *rd, uint8_t *buf, size_t len)
{
	if (rd->gz != NULL) {
		int n = gzread(rd->gz, buf, (unsigned)len);
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(rd->gz, &zerr);
			gf_err("%s: read error at offset %llu: %s", rd->name,
			    (unsigned long long)(rd->offset + rd->end - rd->pos),
			    zerr == Z_ERRNO ? strerror(errno) : msg);
			return -1;
		}
		return n;
	}
	for (;;) {
		ssize_t n = read(rd->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			gf_err("%s: read error: %s", rd->name, strerror(errno));
		return n;
	}
}

/* Make at least n bytes available at in[pos].  Returns the bytes
 * available (less than n only at end of input or on error). */
static size_t
ensure(struct gf_reader *rd, size_t n)
{
	if (rd->end - rd->pos >= n || rd->eof)
		return rd->end - rd->pos;
	if (rd->pos > 0) {
		memmove(rd->in, rd->in + rd->pos, rd->end - rd->pos);
		rd->end -= rd->pos;
		rd->pos = 0;
	}
	while (rd->end < n) {
		ssize_t got = source_read(rd, rd->in + rd->end,
		    INBUF_CAP - rd->end);
		if (got <= 0) {
			if (got < 0)
				rd->errors++;
			rd->eof = 1;
			break;
		}
		rd->end += (size_t)got;
	}
	return rd->end - rd->pos;
}

static void
consume(struct gf_reader *rd, size_t n)
{
	rd->pos += n;
	rd->offset += n;
}

/* pcap (micro- and nanosecond, either byte order) or pcapng. */
static int
is_capture_magic(const uint8_t *h)
{
	static const uint8_t magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },
		{ 0x0a, 0x0d, 0x0d, 0x0a },
	};

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (memcmp(h, magics[i], 4) == 0)
			return 1;
	return 0;
}

static int
read_header(struct gf_reader *rd)
{
	const uint8_t *h;
	uint32_t hdrlen, crc;
	size_t avail = ensure(rd, 16);

	if (avail == 0) {
		gf_err("%s: empty input, not a gapflow record stream", rd->name);
		return -1;
	}
	h = rd->in + rd->pos;
	if (avail >= 4 && is_capture_magic(h)) {
		/* the commonest mistake: a packet capture given to gapdump */
		gf_err("%s: a packet capture, not a gapflow record stream; "
		    "make records from it with: gapflow -r %s -w FILE.gf",
		    rd->name, rd->name);
		return -1;
	}
	if (avail < GF_MAGIC_LEN || memcmp(h, GF_MAGIC, GF_MAGIC_LEN) != 0) {
		gf_err("%s: not a gapflow record stream (bad magic at offset 0)",
		    rd->name);
		return -1;
	}
	if (avail < 16) {
		gf_err("%s: stream header truncated at offset %zu", rd->name,
		    avail);
		return -1;
	}
	rd->info.major = gf_le16(h + 8);
	rd->info.minor = gf_le16(h + 10);
	hdrlen = gf_le32(h + 12);
	if (rd->info.major != GF_FORMAT_MAJOR) {
		gf_err("%s: format version %u.%u is not supported (this reader "
		    "reads %u.x)", rd->name, rd->info.major, rd->info.minor,
		    GF_FORMAT_MAJOR);
		return -1;
	}
	if (hdrlen < GF_HEADER_MIN_LEN || hdrlen > GF_HEADER_MAX_LEN) {
		gf_err("%s: bad header length %u at offset 12", rd->name,
		    hdrlen);
		return -1;
	}
	if (ensure(rd, hdrlen) < hdrlen) {
		gf_err("%s: stream header truncated (%zu of %u bytes)",
		    rd->name, rd->end - rd->pos, hdrlen);
		return -1;
	}
	h = rd->in + rd->pos;
	crc = gf_le32(h + hdrlen - 4);
	if (crc != (uint32_t)crc32(0L, h, hdrlen - 4)) {
		gf_err("%s: stream header CRC mismatch at offset %u", rd->name,
		    hdrlen - 4);
		return -1;
	}
	rd->info.sensorid = gf_le32(h + 16);
	rd->info.flags = gf_le32(h + 20);
	rd->info.start = gf_le64(h + 24);
	rd->info.interval = gf_le64(h + 32);
	memcpy(rd->info.name, h + 40, GF_SENSOR_NAME_LEN);
	rd->info.name[GF_SENSOR_NAME_LEN] = '\0';
	consume(rd, hdrlen);
	return 0;
}

static struct gf_reader *
reader_new(const char *name)
{
	struct gf_reader *rd = gf_xcalloc(1, sizeof(*rd));
	rd->fd = -1;
	rd->name = gf_xstrdup(name);
	rd->in = gf_xmalloc(INBUF_CAP);
	rd->raw = gf_xmalloc(GF_BLOCK_MAX_RAW);
	return rd;
}

static struct gf_reader *
reader_start(struct gf_reader *rd)
{
	if (read_header(rd) != 0) {
		gf_reader_close(rd);
		return NULL;
	}
	return rd;
}

struct gf_reader *
gf_reader_open_path(const char *path)
{
	struct gf_reader *rd;
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		path = "stdin";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		gf_err("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		gf_err("%s: a directory; read the record streams under it "
		    "with -R %s", path, path);
		close(fd);
		return NULL;
	}
	rd = reader_new(path);
	rd->gz = gzdopen(fd, "rb");
	if (rd->gz == NULL) {
		close(fd);
		gf_err("%s: cannot open: out of memory", path);
		gf_reader_close(rd);
		return NULL;
	}
	gzbuffer(rd->gz, 256 * 1024);
	return reader_start(rd);
}

struct gf_reader *
gf_reader_open_fd(int fd, const char *name)
{
	struct gf_reader *rd = reader_new(name);
	rd->fd = fd;
	return reader_start(rd);
}

/* Skip forward to the next block magic after the current position. */
static void
resync(struct gf_reader *rd)
{
	uint8_t m[4];
	gf_put_le32(m, GF_BLOCK_MAGIC);
	consume(rd, 1);
	for (;;) {
		size_t avail = ensure(rd, 4);
		const uint8_t *p = rd->in + rd->pos, *hit;
		if (avail < 4) {
			consume(rd, avail);
			return;
		}
		hit = memmem(p, avail, m, 4);
		if (hit != NULL) {
			consume(rd, (size_t)(hit - p));
			return;
		}
		consume(rd, avail - 3);
	}
}

/*
 * Inflate one block's payload into raw with a stream kept across blocks
 * (inflateReset keeps its memory).  Returns the decompressed length, or
 * SIZE_MAX if the data is not one complete zlib stream that fits.
 *
 * The payload is a zlib stream (RFC 1950): a 2-byte header, deflate data,
 * an Adler-32 trailer.  The block's CRC-32 already covers every stored
 * byte, so the header is checked by hand and the deflate data inflated
 * raw: computing the Adler-32 again would cost a tenth of the read time.
 */
static size_t
inflate_block(struct gf_reader *rd, const uint8_t *in, size_t len)
{
	z_stream *z = &rd->z;
	if (len < 6 || (in[0] & 0x0f) != 8 || (in[0] >> 4) > 7 ||
	    (in[1] & 0x20) != 0 || ((in[0] << 8) | in[1]) % 31 != 0)
		return SIZE_MAX;        /* not deflate, or a preset dictionary */
	if (!rd->have_z) {
		memset(z, 0, sizeof(*z));
		if (inflateInit2(z, -15) != Z_OK)
			return SIZE_MAX;
		rd->have_z = 1;
	} else if (inflateReset(z) != Z_OK) {
		return SIZE_MAX;
	}
	in += 2;
	len -= 6;
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)len;
	z->next_out = rd->raw;
	z->avail_out = GF_BLOCK_MAX_RAW;
	if (inflate(z, Z_FINISH) != Z_STREAM_END || z->avail_in != 0)
		return SIZE_MAX;
	return GF_BLOCK_MAX_RAW - z->avail_out;
}

/* Load the next block into raw.  1 ok, 0 end, -1 damaged (reported). */
static int
load_block(struct gf_reader *rd)
{
	const uint8_t *b;
	uint32_t stored, rawlen, nrec, crc;
	uint16_t flags;
	size_t avail;

	avail = ensure(rd, GF_BLOCK_HDR_LEN);
	if (avail == 0)
		return 0;
	rd->blockoff = rd->offset;
	b = rd->in + rd->pos;
	if (avail < GF_BLOCK_HDR_LEN) {
		gf_err("%s: truncated block header at offset %llu (%zu bytes "
		    "of %d); records before it were read", rd->name,
		    (unsigned long long)rd->offset, avail, GF_BLOCK_HDR_LEN);
		consume(rd, avail);
		return -1;
	}
	if (gf_le32(b) != GF_BLOCK_MAGIC) {
		gf_err("%s: bad block magic at offset %llu", rd->name,
		    (unsigned long long)rd->offset);
		resync(rd);
		return -1;
	}
	stored = gf_le32(b + 4);
	rawlen = gf_le32(b + 8);
	nrec = gf_le32(b + 12);
	flags = gf_le16(b + 16);
	crc = gf_le32(b + 20);
	if (stored > GF_BLOCK_MAX_STORED || rawlen > GF_BLOCK_MAX_RAW ||
	    (flags & ~GF_BLOCK_ZLIB) != 0 ||
	    (!(flags & GF_BLOCK_ZLIB) && stored != rawlen) ||
	    (uint64_t)nrec * GF_RECORD_HDR_LEN > rawlen) {
		gf_err("%s: bad block header at offset %llu (stored %u, raw %u, "
		    "records %u, flags 0x%x)", rd->name,
		    (unsigned long long)rd->offset, stored, rawlen, nrec, flags);
		resync(rd);
		return -1;
	}
	avail = ensure(rd, GF_BLOCK_HDR_LEN + stored);
	b = rd->in + rd->pos;
	if (avail < GF_BLOCK_HDR_LEN + stored) {
		gf_err("%s: truncated block at offset %llu (%zu of %u bytes); "
		    "records before it were read", rd->name,
		    (unsigned long long)rd->offset, avail,
		    GF_BLOCK_HDR_LEN + stored);
		consume(rd, avail);
		return -1;
	}
	{
		uLong c = crc32(0L, b, 20);
		c = crc32(c, b + GF_BLOCK_HDR_LEN, stored);
		if ((uint32_t)c != crc) {
			gf_err("%s: block CRC mismatch at offset %llu; its %u "
			    "records are skipped", rd->name,
			    (unsigned long long)rd->offset, nrec);
			resync(rd);
			return -1;
		}
	}
	if (flags & GF_BLOCK_ZLIB) {
		if (inflate_block(rd, b + GF_BLOCK_HDR_LEN, stored) != rawlen) {
			gf_err("%s: block at offset %llu does not decompress to "
			    "its %u bytes", rd->name,
			    (unsigned long long)rd->offset, rawlen);
			consume(rd, GF_BLOCK_HDR_LEN + stored);
			return -1;
		}
	} else {
		memcpy(rd->raw, b + GF_BLOCK_HDR_LEN, stored);
	}
	consume(rd, GF_BLOCK_HDR_LEN + stored);
	rd->rawlen = rawlen;
	rd->rawpos = 0;
	rd->rawleft = nrec;
	return 1;
}

int
gf_reader_next_raw(struct gf_reader *rd, const uint8_t **rec, size_t *reclen)
{
	for (;;) {
		uint16_t type;
		size_t len;

		if (rd->rawleft == 0) {
			int rc;
			if (rd->rawpos != rd->rawlen) {
				gf_err("%s: block at offset %llu has %zu bytes "
				    "after its last record", rd->name,
				    (unsigned long long)rd->blockoff,
				    rd->rawlen - rd->rawpos);
				rd->rawpos = rd->rawlen;
				rd->errors++;
				return -1;
			}
			rc = load_block(rd);
			if (rc < 0)
				rd->errors++;
			if (rc <= 0)
				return rc;
			continue;
		}
		len = gf_record_peek(rd->raw + rd->rawpos,
		    rd->rawlen - rd->rawpos, &type);
		if (len == 0) {
			gf_err("%s: malformed record in block at offset %llu "
			    "(byte %zu of the block's records); the block's "
			    "remaining %u records are skipped", rd->name,
			    (unsigned long long)rd->blockoff, rd->rawpos,
			    rd->rawleft);
			rd->rawleft = 0;
			rd->rawpos = rd->rawlen;
			rd->errors++;
			return -1;
		}
		rd->rawleft--;
		rd->rawpos += len;
		if (gf_record_type_known(type)) {
			*rec = rd->raw + rd->rawpos - len;
			*reclen = len;
			return 1;
		}
		rd->skipped++;
	}
}

void
gf_record_malformed(const char *name, uint64_t blockoff)
{
	gf_err("%s: malformed record in block at offset %llu (a value runs "
	    "past the record's length or does not fit its field); skipped",
	    name, (unsigned long long)blockoff);
}

int
gf_reader_next(struct gf_reader *rd, struct gf_record *r)
{
	const uint8_t *rec;
	size_t len;
	int rc = gf_reader_next_raw(rd, &rec, &len);
	if (rc == 1 && gf_record_decode(rec, len, r) < 0) {
		gf_record_malformed(rd->name, rd->blockoff);
		rd->errors++;
		return -1;
	}
	return rc;
}

uint64_t
gf_reader_block_offset(const struct gf_reader *rd)
{
	return rd->blockoff;
}

const struct gf_stream_info *
gf_reader_info(const struct gf_reader *rd)
{
	return &rd->info;
}

const char *
gf_reader_name(const struct gf_reader *rd)
{
	return rd->name;
}

uint64_t
gf_reader_errors(const struct gf_reader *rd)
{
	return rd->errors;
}

uint64_t
gf_reader_skipped(const struct gf_reader *rd)
{
	return rd->skipped;
}

void
gf_reader_close(struct gf_reader *rd)
{
	if (rd == NULL)
		return;
	if (rd->have_z)
		inflateEnd(&rd->z);
	if (rd->gz != NULL)
		gzclose(rd->gz);
	else if (rd->fd >= 0)
		close(rd->fd);
	free(rd->in);
	free(rd->raw);
	free(rd->name);
	free(rd);
}
