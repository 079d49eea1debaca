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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bytes.h"
#include "codec.h"
#include "log.h"
#include "stream.h"

/* Buffers start small and grow to what the blocks read need (a block
 * header and payload, its records): a small stream costs little memory. */
#define INBUF_CAP (2u * (GF_BLOCK_HDR_LEN + GF_BLOCK_MAX_STORED))
#define BUF_START (16u * 1024u)

struct gf_reader {
	gzFile gz;                      /* files and stdin */
	int fd;                         /* sockets: plain reads, gz == NULL */
	int eof;
	char *name;
	struct gf_stream_info info;
	uint8_t *in;                    /* input bytes not yet consumed */
	size_t pos, end, cap;
	uint64_t offset;                /* stream offset of in[pos] */
	uint8_t *raw;                   /* records of the current block */
	size_t rawlen, rawpos, rawcap;
	uint32_t rawleft;               /* records the block header promised */
	uint64_t blockoff;              /* offset of the current block */
	int have_z;                     /* z holds an inflate stream */
	z_stream z;
	uint64_t errors, skipped;
	/* damage: reports made, bytes skipped over */
	uint64_t reports, skipped_bytes;
	uint32_t seq;                   /* 2.1: number of the next block */
	int ended;                      /* 2.1: the end block was read */
	int cut;                        /* the input ended inside a block */
	int at_end;
	int src_err;                    /* reading failed (reported) */
	uint32_t need;                  /* length of the last block examined */
	uint64_t nblocks;               /* blocks read */
};

/* Damage reports shown per input; the rest are counted. */
#define GF_DAMAGE_SHOWN 20

static void damage(struct gf_reader *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Read more input; returns bytes added, 0 at end, -1 on error. */
static ssize_t
source_read(struct gf_reader *rd, uint8_t *buf, size_t len)
{
	if (rd->gz != NULL) {
		int n = gzread(rd->gz, buf, (unsigned)len);
		int zerr;
		if (n == 0 && (gzerror(rd->gz, &zerr), zerr == Z_BUF_ERROR)) {
			/* gzread() ends quietly where a gzip member is cut */
			rd->src_err = 1;
			damage(rd, "gzip data cut short after %llu bytes of "
			    "stream: its end and CRC trailer are missing",
			    (unsigned long long)(rd->offset + rd->end -
			    rd->pos));
			return -1;
		}
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(rd->gz, &zerr);
			rd->src_err = 1;
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
		if (n < 0) {
			rd->src_err = 1;
			gf_err("%s: read error: %s", rd->name, strerror(errno));
		}
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
	if (n > rd->cap) {
		size_t cap = rd->cap;
		while (cap < n)
			cap *= 2;
		rd->cap = cap < INBUF_CAP ? cap : INBUF_CAP;
		rd->in = gf_xrealloc(rd->in, rd->cap);
	}
	while (rd->end < n) {
		ssize_t got = source_read(rd, rd->in + rd->end,
		    rd->cap - rd->end);
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
	if (avail >= 8 && memcmp(h, "REFUSED ", 8) == 0) {
		/* a sensor's service says why it will not serve us */
		const uint8_t *nl;
		size_t n;
		avail = ensure(rd, 512);
		h = rd->in + rd->pos;
		nl = memchr(h, '\n', avail);
		n = nl != NULL ? (size_t)(nl - h) : avail;
		for (size_t i = 8; i < n; i++)
			if (h[i] < 0x20 || h[i] > 0x7e)
				n = i;  /* printable ASCII only */
		gf_err("%s: refused by the sensor: %.*s", rd->name,
		    (int)(n - 8), (const char *)h + 8);
		return -1;
	}
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
	if (rd->info.minor >= 1)
		rd->info.firstseq = rd->seq = gf_le32(h + GF_HEADER_SEQ_OFF);
	consume(rd, hdrlen);
	return 0;
}

static struct gf_reader *
reader_new(const char *name)
{
	struct gf_reader *rd = gf_xcalloc(1, sizeof(*rd));
	rd->fd = -1;
	rd->name = gf_xstrdup(name);
	rd->cap = BUF_START;
	rd->in = gf_xmalloc(rd->cap);
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
	/* reads of 16 KiB or more go straight to our buffer: a larger gzip
	 * buffer would only cost memory (768 KiB a reader at 256 KiB) */
	gzbuffer(rd->gz, 8 * 1024);
	return reader_start(rd);
}

struct gf_reader *
gf_reader_open_fd(int fd, const char *name)
{
	struct gf_reader *rd = reader_new(name);
	rd->fd = fd;
	return reader_start(rd);
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
inflate_block(struct gf_reader *rd, const uint8_t *in, size_t len,
    size_t rawlen)
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
	z->avail_out = (uInt)rawlen;    /* more than that: not the end */
	if (inflate(z, Z_FINISH) != Z_STREAM_END || z->avail_in != 0)
		return SIZE_MAX;
	return rawlen - z->avail_out;
}

/* Whether the block at in[pos] is sound; it is not consumed. */
enum { BK_GOOD, BK_BAD, BK_SHORT };

/*
 * BK_GOOD: the whole block is there and its CRC matches; BK_SHORT: its
 * header is sound but the input ends first; BK_BAD: no block starts here.
 * why (if not NULL) says what is wrong, with the offset.
 */
static int
examine(struct gf_reader *rd, char *why, size_t whylen)
{
	const uint8_t *b;
	uint32_t stored, rawlen, nrec, flags;
	unsigned long long off = rd->offset;
	size_t avail = ensure(rd, GF_BLOCK_HDR_LEN);
	uLong c;

	b = rd->in + rd->pos;
	if (avail < GF_BLOCK_HDR_LEN) {
		if (why != NULL)
			snprintf(why, whylen, "truncated block header at offset "
			    "%llu (%zu bytes of %d)", off, avail,
			    GF_BLOCK_HDR_LEN);
		return avail >= 4 && gf_le32(b) != GF_BLOCK_MAGIC ? BK_BAD :
		    BK_SHORT;
	}
	if (gf_le32(b) != GF_BLOCK_MAGIC) {
		if (why != NULL)
			snprintf(why, whylen, "bad block magic at offset %llu",
			    off);
		return BK_BAD;
	}
	stored = gf_le32(b + 4);
	rawlen = gf_le32(b + 8);
	nrec = gf_le32(b + 12);
	flags = gf_le16(b + 16);
	if (stored > GF_BLOCK_MAX_STORED || rawlen > GF_BLOCK_MAX_RAW ||
	    (flags & ~GF_BLOCK_ZLIB) != 0 ||
	    (!(flags & GF_BLOCK_ZLIB) && stored != rawlen) ||
	    (uint64_t)nrec * GF_RECORD_HDR_LEN > rawlen) {
		if (why != NULL)
			snprintf(why, whylen, "bad block header at offset %llu "
			    "(stored %u, raw %u, records %u, flags 0x%x)", off,
			    stored, rawlen, nrec, flags);
		return BK_BAD;
	}
	avail = ensure(rd, GF_BLOCK_HDR_LEN + stored);
	b = rd->in + rd->pos;
	rd->need = GF_BLOCK_HDR_LEN + stored;
	if (avail < GF_BLOCK_HDR_LEN + stored) {
		if (why != NULL)
			snprintf(why, whylen, "truncated block at offset %llu "
			    "(%zu of %u bytes)", off, avail,
			    GF_BLOCK_HDR_LEN + stored);
		return BK_SHORT;
	}
	c = crc32(0L, b, 20);
	c = crc32(c, b + GF_BLOCK_HDR_LEN, stored);
	if ((uint32_t)c != gf_le32(b + 20)) {
		if (why != NULL)
			snprintf(why, whylen, "block CRC mismatch at offset "
			    "%llu", off);
		return BK_BAD;
	}
	return BK_GOOD;
}

/* From the byte after in[pos], the next sound block: 1, pos at it; 0,
 * none before the end (everything consumed). */
static int
seek_block(struct gf_reader *rd)
{
	uint8_t m[4];
	gf_put_le32(m, GF_BLOCK_MAGIC);
	consume(rd, 1);
	for (;;) {
		size_t avail = ensure(rd, GF_BLOCK_HDR_LEN);
		const uint8_t *p = rd->in + rd->pos, *hit;
		if (avail < 4) {
			consume(rd, avail);
			return 0;
		}
		hit = memmem(p, avail, m, 4);
		if (hit == NULL) {
			consume(rd, avail - 3);
			continue;
		}
		consume(rd, (size_t)(hit - p));
		if (examine(rd, NULL, 0) == BK_GOOD)
			return 1;
		consume(rd, 1);
	}
}

/* A damage report, at most GF_DAMAGE_SHOWN per input (a crafted stream
 * may hold millions); the rest are counted and summed up at its end. */
static void
damage(struct gf_reader *rd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (++rd->reports > GF_DAMAGE_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gf_err("%s: %s%s", rd->name, msg, rd->reports == GF_DAMAGE_SHOWN ?
	    " (further damage in this input is counted, and summed up at "
	    "its end)" : "");
}

/* Blocks missing before the block numbered seq (format 2.1), as text for
 * a message ("" if none). */
static const char *
missing_blocks(struct gf_reader *rd, uint32_t seq, char *buf, size_t len)
{
	uint32_t lost;
	buf[0] = '\0';
	if (rd->info.minor < 1)
		return buf;
	lost = (seq - rd->seq) & 0xffffu;
	if (lost == 1)
		snprintf(buf, len, "1 block missing (number %u)",
		    rd->seq & 0xffffu);
	else if (lost > 1)
		snprintf(buf, len, "%u blocks missing (numbers %u to %u)", lost,
		    rd->seq & 0xffffu, (seq - 1) & 0xffffu);
	return buf;
}

/* The input has ended (nothing left at a block boundary).  0, or -1
 * once if that was not where the stream says it ends. */
static int
stream_end(struct gf_reader *rd)
{
	char after[48];
	int rc = rd->src_err ? -1 : 0;

	if (rd->at_end)
		return 0;
	rd->at_end = 1;
	if (rd->info.minor >= 1 && !rd->ended && !rd->cut) {
		if (rd->nblocks == 0)
			snprintf(after, sizeof(after), "its header");
		else
			snprintf(after, sizeof(after), "block number %u",
			    (rd->seq - 1) & 0xffffu);
		damage(rd, "the stream ends at offset %llu without its end "
		    "block, after %s: its writer did not finish it (killed, "
		    "or still writing), or it was cut at a block boundary and "
		    "any later blocks are missing",
		    (unsigned long long)rd->offset, after);
		rc = -1;
	}
	if (rd->reports > GF_DAMAGE_SHOWN)
		gf_err("%s: %llu more damage reports not shown; %llu bytes "
		    "skipped in all", rd->name,
		    (unsigned long long)(rd->reports - GF_DAMAGE_SHOWN),
		    (unsigned long long)rd->skipped_bytes);
	return rc;
}

/* Load the next block into raw.  1 ok, 0 end, -1 damage (reported; the
 * next call goes on after it). */
static int
load_block(struct gf_reader *rd)
{
	const uint8_t *b;
	uint32_t stored, rawlen, nrec;
	uint16_t flags;
	char why[160], miss[96];
	int kind;

	if (ensure(rd, GF_BLOCK_HDR_LEN) == 0)
		return stream_end(rd);
	rd->blockoff = rd->offset;
	kind = examine(rd, why, sizeof(why));
	if (kind != BK_GOOD) {
		uint64_t from = rd->offset;
		uint32_t need = rd->need;
		int found = seek_block(rd);
		uint64_t n = rd->offset - from;
		rd->skipped_bytes += n;
		if (!found && kind == BK_SHORT) {
			damage(rd, "%s; records before it were read", why);
			rd->cut = 1;
		} else if (!found) {
			damage(rd, "%s; skipped %llu bytes from %llu to the end "
			    "of the input", why, (unsigned long long)n,
			    (unsigned long long)from);
			rd->cut = 1;
		} else {
			b = rd->in + rd->pos;
			missing_blocks(rd, gf_le16(b + GF_BLOCK_SEQ_OFF), miss,
			    sizeof(miss));
			rd->seq = gf_le16(b + GF_BLOCK_SEQ_OFF);
			if (kind == BK_SHORT)   /* a length that lies */
				snprintf(why, sizeof(why), "bad block length at "
				    "offset %llu (%u bytes, past the end of the "
				    "input)", (unsigned long long)from, need);
			damage(rd, "%s; skipped %llu bytes from %llu to %llu%s%s",
			    why, (unsigned long long)n,
			    (unsigned long long)from,
			    (unsigned long long)rd->offset, miss[0] ? "; " : "",
			    miss);
		}
		return -1;
	}
	b = rd->in + rd->pos;
	stored = gf_le32(b + 4);
	rawlen = gf_le32(b + 8);
	nrec = gf_le32(b + 12);
	flags = gf_le16(b + 16);
	if (rd->info.minor >= 1) {
		missing_blocks(rd, gf_le16(b + GF_BLOCK_SEQ_OFF), miss,
		    sizeof(miss));
		if (miss[0] != '\0') {
			/* reported now, the block is read by the next call */
			rd->seq = gf_le16(b + GF_BLOCK_SEQ_OFF);
			damage(rd, "%s before the block at offset %llu", miss,
			    (unsigned long long)rd->offset);
			return -1;
		}
		rd->seq = gf_le16(b + GF_BLOCK_SEQ_OFF) + 1u;
		if (nrec == 0 && stored == 0)
			rd->ended = 1;
	}
	if (rawlen > rd->rawcap) {
		rd->rawcap = rawlen > BUF_START ? rawlen : BUF_START;
		free(rd->raw);
		rd->raw = gf_xmalloc(rd->rawcap);
	}
	if (flags & GF_BLOCK_ZLIB) {
		if (inflate_block(rd, b + GF_BLOCK_HDR_LEN, stored, rawlen) !=
		    rawlen) {
			consume(rd, GF_BLOCK_HDR_LEN + stored);
			damage(rd, "block at offset %llu does not decompress to "
			    "its %u bytes", (unsigned long long)rd->blockoff,
			    rawlen);
			return -1;
		}
	} else if (stored > 0) {
		memcpy(rd->raw, b + GF_BLOCK_HDR_LEN, stored);
	}
	consume(rd, GF_BLOCK_HDR_LEN + stored);
	rd->nblocks++;
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
				damage(rd, "block at offset %llu has %zu bytes "
				    "after its last record",
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
			damage(rd, "malformed record in block at offset %llu "
			    "(byte %zu of the block's records); the block's "
			    "remaining %u records are skipped",
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
