/*
 * archive.c - rotating, crash-safe record files (see archive.h).
 *
 * Records are encoded into a raw block buffer; a full (or, live, a
 * second-old) buffer is sealed into one encoded block, which is written
 * at once when the disk lets us, else queued.  The queue is not tied to a
 * file: blocks that could not go to one file go to the next, so rotation
 * never waits for a full disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "archive.h"
#include "bytes.h"
#include "codec.h"
#include "log.h"

/* Same block target as the plain writer: larger blocks compress better,
 * smaller ones reach a reader sooner. */
#define BLOCK_TARGET (256u * 1024u)
#define MAX_SUFFIX 99999

enum { AK_STDOUT, AK_PLAIN, AK_PATTERN };

struct pblock {
	struct pblock *next;
	uint64_t first;                 /* time of its first record */
	size_t len;
	uint32_t nrec;
	uint8_t data[];
};

struct gf_archive {
	int kind;
	int flags;
	int level;
	char *path;                     /* the file or the pattern */
	struct gf_stream_info info;
	uint64_t rot_interval, rot_size;

	/* the file being written */
	int fd;
	int hdr_done;
	char final[PATH_MAX];
	char tmp[PATH_MAX];
	uint64_t fsize;                 /* bytes known good in it */
	uint32_t seq;                   /* number of its next block */
	uint64_t file_end;              /* its period's end; 0: none */
	char scanned[PATH_MAX];         /* directory last checked for .part */

	/* the block being filled */
	uint8_t *raw;
	size_t rawlen;
	uint32_t nrec;
	uint64_t raw_first;
	uint64_t raw_end;               /* its period's end */
	uint8_t *out;                   /* one encoded block */

	/* blocks waiting for the disk */
	struct pblock *qhead, **qtail;
	size_t qbytes;

	int failing;                    /* an error episode is open */
	int dropping;                   /* ...and the queue overflowed */
	uint64_t retry_at;
	uint64_t episode_lost;
	int finish_failed;
	uint64_t records, lost, files;
};

/* ---- small helpers ----------------------------------------------------- */

static int
exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

/* dirname into dir (".") and basename pointer. */
static const char *
split_path(const char *p, char *dir, size_t dirlen)
{
	const char *slash = strrchr(p, '/');
	if (slash == NULL) {
		snprintf(dir, dirlen, ".");
		return p;
	}
	if (slash == p)
		snprintf(dir, dirlen, "/");
	else
		snprintf(dir, dirlen, "%.*s", (int)(slash - p), p);
	return slash + 1;
}

/* mkdir -p; 0 or -1 with errno. */
static int
make_dirs(const char *dir)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return n == 0 ? 0 : (errno = ENAMETOOLONG, -1);
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static void
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* ".NAME.part" next to final. */
static int
part_name(const char *final, char *tmp, size_t len)
{
	char dir[PATH_MAX];
	const char *base = split_path(final, dir, sizeof(dir));
	int n = snprintf(tmp, len, "%s/.%s.part", dir, base);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* ---- crash recovery ---------------------------------------------------- */

/*
 * End of the last complete block of the stream in fd, or 0 if fd does not
 * start with a good gapflow header.  Reads the whole file: recovery is
 * rare and must not keep a block whose bytes are not all there.
 */
static uint64_t
complete_length(int fd)
{
	uint8_t h[GF_HEADER_MAX_LEN];
	struct stat st;
	uint64_t off;
	uint32_t hdrlen;
	uint8_t *payload;

	if (fstat(fd, &st) != 0 || pread(fd, h, 16, 0) != 16 ||
	    memcmp(h, GF_MAGIC, GF_MAGIC_LEN) != 0)
		return 0;
	hdrlen = gf_le32(h + 12);
	if (hdrlen < GF_HEADER_MIN_LEN || hdrlen > GF_HEADER_MAX_LEN ||
	    pread(fd, h, hdrlen, 0) != (ssize_t)hdrlen ||
	    gf_le32(h + hdrlen - 4) != (uint32_t)crc32(0L, h, hdrlen - 4))
		return 0;
	payload = malloc(GF_BLOCK_MAX_STORED);
	if (payload == NULL)
		return 0;
	off = hdrlen;
	for (;;) {
		uint8_t b[GF_BLOCK_HDR_LEN];
		uint32_t stored;
		uLong c;
		if (pread(fd, b, sizeof(b), (off_t)off) != (ssize_t)sizeof(b) ||
		    gf_le32(b) != GF_BLOCK_MAGIC)
			break;
		stored = gf_le32(b + 4);
		if (stored > GF_BLOCK_MAX_STORED ||
		    off + GF_BLOCK_HDR_LEN + stored > (uint64_t)st.st_size ||
		    pread(fd, payload, stored, (off_t)(off + GF_BLOCK_HDR_LEN)) !=
		    (ssize_t)stored)
			break;
		c = crc32(0L, b, 20);
		c = crc32(c, payload, stored);
		if ((uint32_t)c != gf_le32(b + 20))
			break;
		off += GF_BLOCK_HDR_LEN + stored;
	}
	free(payload);
	return off;
}

/*
 * A free name: final itself, or final with "_001", "_002", ... before its
 * extension, whose .part is free too.  '_' sorts after '.', and the
 * numbers are zero-padded, so names sort in the order files were made.
 */
static int
unique_name(char *final, size_t len, char *tmp, size_t tmplen)
{
	char base[PATH_MAX];
	const char *slash, *dot;
	int stem;

	snprintf(base, sizeof(base), "%s", final);
	slash = strrchr(base, '/');
	dot = strrchr(slash ? slash + 1 : base, '.');
	if (dot == NULL || dot == (slash ? slash + 1 : base))
		dot = base + strlen(base);
	stem = (int)(dot - base);
	for (int i = 0; i <= MAX_SUFFIX; i++) {
		int n = i == 0 ? snprintf(final, len, "%s", base) :
		    snprintf(final, len, "%.*s_%03d%s", stem, base, i, dot);
		if (n < 0 || (size_t)n >= len)
			return -1;
		if (part_name(final, tmp, tmplen) != 0)
			return -1;
		if (!exists(final) && !exists(tmp))
			return 0;
	}
	errno = EEXIST;
	return -1;
}

/* Rename the .part files in dir that no running sensor holds. */
static void
recover_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX], final[PATH_MAX], tmp[PATH_MAX];
		size_t n = strlen(e->d_name);
		uint64_t good;
		struct stat st;
		int fd;

		if (n < 7 || e->d_name[0] != '.' ||
		    strcmp(e->d_name + n - 5, ".part") != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path) ||
		    snprintf(final, sizeof(final), "%s/%.*s", dir, (int)(n - 6),
		    e->d_name + 1) >= (int)sizeof(final))
			continue;
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* held: a live writer, maybe this very process */
		if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &st) != 0 ||
		    (good = complete_length(fd)) == 0) {
			close(fd);
			continue;
		}
		if (good < (uint64_t)st.st_size &&
		    ftruncate(fd, (off_t)good) != 0) {
			close(fd);
			continue;
		}
		(void)fsync(fd);
		/* its own .part name is taken by itself: check final only */
		if ((!exists(final) || unique_name(final, sizeof(final), tmp,
		    sizeof(tmp)) == 0) && rename(path, final) == 0)
			gf_warn("%s: recovered an unfinished file of an earlier "
			    "run (%llu bytes kept of %llu)", final,
			    (unsigned long long)good,
			    (unsigned long long)st.st_size);
		close(fd);
	}
	closedir(d);
}

/* ---- files -------------------------------------------------------------- */

static int
write_header(struct gf_archive *a)
{
	uint8_t hdr[GF_HEADER_MIN_LEN];
	struct gf_stream_info cur = a->info;
	cur.major = 0;                  /* this version's format */
	cur.firstseq = 0;
	gf_stream_header_encode(&cur, hdr);
	if (gf_write_all(a->fd, hdr, sizeof(hdr)) != 0)
		return -1;
	a->hdr_done = 1;
	a->fsize = sizeof(hdr);
	a->seq = 0;
	return 0;
}

static const char *
file_name(const struct gf_archive *a)
{
	if (a->kind == AK_STDOUT)
		return "stdout";
	if (a->kind == AK_PLAIN)
		return a->path;
	return a->final[0] ? a->final : a->path;
}

/* End of the rotation period holding t (periods are multiples of the
 * interval since the epoch); 0 without time rotation. */
static uint64_t
period_end(const struct gf_archive *a, uint64_t t)
{
	if (a->kind != AK_PATTERN || a->rot_interval == 0)
		return 0;
	return (t / a->rot_interval + 1) * a->rot_interval;
}

/* Start a pattern's file for time t.  0, or -1 with errno. */
static int
create_file(struct gf_archive *a, uint64_t t)
{
	char dir[PATH_MAX], name[PATH_MAX];
	time_t secs = (time_t)(t / GF_NS_PER_SEC);
	struct tm tm;
	size_t n;
	int saved;

	gmtime_r(&secs, &tm);
	n = strftime(name, sizeof(name), a->path, &tm);
	if (n == 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	split_path(name, dir, sizeof(dir));
	if (make_dirs(dir) != 0)
		return -1;
	if (strcmp(dir, a->scanned) != 0) {
		recover_dir(dir);
		snprintf(a->scanned, sizeof(a->scanned), "%s", dir);
	}
	snprintf(a->final, sizeof(a->final), "%s", name);
	if (unique_name(a->final, sizeof(a->final), a->tmp,
	    sizeof(a->tmp)) != 0)
		return -1;
	a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (a->fd < 0)
		return -1;
	/* tells recover_dir() of another run that this file is alive */
	(void)flock(a->fd, LOCK_EX | LOCK_NB);
	if (write_header(a) != 0) {
		saved = errno;
		close(a->fd);
		unlink(a->tmp);
		a->fd = -1;
		errno = saved;
		return -1;
	}
	a->file_end = period_end(a, t);
	return 0;
}

/* The end block that tells a reader the file is whole (format 2.1).  A
 * file that cannot take it is still closed: its reader reports it. */
static void
write_end(struct gf_archive *a)
{
	uint8_t end[GF_BLOCK_HDR_LEN];
	if (!a->hdr_done || a->failing)
		return;
	gf_block_end(a->seq, end);
	if (gf_write_all(a->fd, end, sizeof(end)) != 0) {
		gf_err("%s: cannot write the end block at offset %llu: %s",
		    file_name(a), (unsigned long long)a->fsize,
		    strerror(errno));
		return;
	}
	a->fsize += sizeof(end);
}

/* Close the current file and put it in place. */
static void
finish_file(struct gf_archive *a)
{
	char dir[PATH_MAX];

	if (a->fd < 0)
		return;
	write_end(a);
	if (a->kind == AK_PATTERN) {
		if (fsync(a->fd) != 0)
			gf_err("%s: fsync failed: %s", a->tmp, strerror(errno));
		close(a->fd);
		a->fd = -1;
		if (rename(a->tmp, a->final) != 0) {
			gf_err("%s: cannot rename to %s: %s", a->tmp, a->final,
			    strerror(errno));
			a->finish_failed = 1;
		} else {
			split_path(a->final, dir, sizeof(dir));
			fsync_dir(dir);
		}
		a->files++;
		a->hdr_done = 0;
		a->final[0] = '\0';
		a->file_end = 0;
		return;
	}
	if (a->kind == AK_PLAIN && fsync(a->fd) != 0 && errno != EINVAL)
		gf_err("%s: fsync failed: %s", a->path, strerror(errno));
	if (close(a->fd) != 0 && errno != EINTR) {
		gf_err("%s: close failed: %s", file_name(a), strerror(errno));
		a->finish_failed = 1;
	}
	a->fd = -1;
	a->files++;
}

/* ---- writing blocks ----------------------------------------------------- */

static void
count_lost(struct gf_archive *a, uint32_t nrec)
{
	a->lost += nrec;
	a->episode_lost += nrec;
}

static int
retrying(const struct gf_archive *a)
{
	return (a->flags & GF_AR_LIVE) && a->kind != AK_STDOUT;
}

/* A write to the current file failed (errno set), or no file could be
 * created: open an episode, once. */
static void
write_failed(struct gf_archive *a, const char *what, uint64_t now)
{
	int err = errno;

	if (!a->failing) {
		if (retrying(a))
			gf_err("%s: %s: %s; records are kept in memory (up to "
			    "%u MiB) and the write is retried every %llus",
			    file_name(a), what, strerror(err),
			    GF_AR_MAX_PENDING >> 20,
			    GF_AR_RETRY_NS / GF_NS_PER_SEC);
		else
			gf_err("%s: %s: %s", file_name(a), what,
			    strerror(err));
		a->failing = 1;
		a->episode_lost = 0;
	}
	a->retry_at = now + GF_AR_RETRY_NS;
	/* drop the half-written block: the file keeps only whole blocks */
	if (a->fd >= 0 && a->kind != AK_STDOUT) {
		off_t good = a->hdr_done ? (off_t)a->fsize : 0;
		if (ftruncate(a->fd, good) == 0)
			(void)lseek(a->fd, good, SEEK_SET);
	}
}

static void
write_recovered(struct gf_archive *a)
{
	if (!a->failing)
		return;
	gf_warn("%s: writing again; %llu records were lost while writes "
	    "failed", file_name(a), (unsigned long long)a->episode_lost);
	a->failing = 0;
	a->dropping = 0;
}

/* Write one block to the current file, starting one if needed.  0 ok;
 * -1 failed (reported). */
static int
emit(struct gf_archive *a, uint8_t *data, size_t len, uint32_t nrec,
    uint64_t first, uint64_t now)
{
	/* a block of a later period (written late, after a write error)
	 * starts a file of its own */
	if (a->kind == AK_PATTERN && a->fd >= 0 && a->file_end &&
	    first >= a->file_end)
		finish_file(a);
	if (a->fd < 0) {
		if (a->kind != AK_PATTERN)
			return -1;      /* a plain file that could not close */
		if (create_file(a, first) != 0) {
			write_failed(a, "cannot create file", now);
			return -1;
		}
	}
	if (!a->hdr_done) {
		if (write_header(a) != 0) {
			write_failed(a, "cannot write stream header", now);
			a->hdr_done = 0;
			a->fsize = 0;
			return -1;
		}
	}
	/* numbered here, not when sealed: a queued block may go to a later
	 * file than the one being written when it was made */
	gf_block_set_seq(data, len, a->seq);
	if (gf_write_all(a->fd, data, len) != 0) {
		char what[64];
		snprintf(what, sizeof(what), "write failed at offset %llu",
		    (unsigned long long)a->fsize);
		write_failed(a, what, now);
		return -1;
	}
	a->fsize += len;
	a->seq++;
	a->records += nrec;
	write_recovered(a);
	if (a->kind == AK_PATTERN && a->rot_size && a->fsize >= a->rot_size)
		finish_file(a);
	return 0;
}

/* Write queued blocks while the disk takes them. */
static void
drain(struct gf_archive *a, uint64_t now)
{
	while (a->qhead != NULL) {
		struct pblock *b = a->qhead;
		if (emit(a, b->data, b->len, b->nrec, b->first, now) != 0)
			return;
		a->qhead = b->next;
		if (a->qhead == NULL)
			a->qtail = &a->qhead;
		a->qbytes -= b->len;
		free(b);
	}
}

static void
enqueue(struct gf_archive *a, const uint8_t *data, size_t len, uint32_t nrec,
    uint64_t first)
{
	struct pblock *b;

	if (!retrying(a)) {
		count_lost(a, nrec);
		return;
	}
	if (a->qbytes + len > GF_AR_MAX_PENDING ||
	    (b = malloc(sizeof(*b) + len)) == NULL) {
		if (!a->dropping)
			gf_err("%s: more than %u MiB of records wait for the "
			    "disk: new records are lost (and counted) until "
			    "writes succeed", file_name(a),
			    GF_AR_MAX_PENDING >> 20);
		a->dropping = 1;
		count_lost(a, nrec);
		return;
	}
	b->next = NULL;
	b->first = first;
	b->len = len;
	b->nrec = nrec;
	memcpy(b->data, data, len);
	*a->qtail = b;
	a->qtail = &b->next;
	a->qbytes += len;
}

/* Seal the raw buffer into a block and write or queue it. */
static int
seal(struct gf_archive *a, uint64_t now)
{
	uint64_t lost = a->lost;
	size_t len;
	uint32_t nrec = a->nrec;

	if (nrec == 0)
		return 0;
	len = gf_block_encode(a->raw, a->rawlen, nrec, a->level, 0, a->out);
	a->rawlen = 0;
	a->nrec = 0;
	if (a->qhead != NULL && (!a->failing || now >= a->retry_at))
		drain(a, now);
	if (a->qhead == NULL && (!a->failing || now >= a->retry_at)) {
		if (emit(a, a->out, len, nrec, a->raw_first, now) == 0)
			return 0;
	}
	enqueue(a, a->out, len, nrec, a->raw_first);
	return a->lost == lost ? 0 : -1;
}

/* ---- the API ------------------------------------------------------------ */

struct gf_archive *
gf_archive_open(const char *path, const struct gf_stream_info *info,
    int level, uint64_t rotate_interval, uint64_t rotate_size, int flags,
    char *err, size_t errlen)
{
	struct gf_archive *a = gf_xcalloc(1, sizeof(*a));

	a->flags = flags;
	a->level = level;
	a->info = *info;
	a->rot_interval = rotate_interval;
	a->rot_size = rotate_size;
	a->path = gf_xstrdup(path);
	a->fd = -1;
	a->qtail = &a->qhead;
	if (strcmp(path, "-") == 0) {
		a->kind = AK_STDOUT;
		a->fd = STDOUT_FILENO;
	} else if (strchr(path, '%') == NULL && rotate_interval == 0 &&
	    rotate_size == 0) {
		a->kind = AK_PLAIN;
		a->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
		if (a->fd < 0) {
			snprintf(err, errlen, "%s: cannot open for writing: %s",
			    path, strerror(errno));
			free(a->path);
			free(a);
			return NULL;
		}
	} else {
		a->kind = AK_PATTERN;
	}
	a->raw = gf_xmalloc(GF_BLOCK_MAX_RAW);
	a->out = gf_xmalloc(GF_BLOCK_HDR_LEN + GF_BLOCK_MAX_STORED);
	return a;
}

void
gf_archive_set_start(struct gf_archive *a, uint64_t start)
{
	a->info.start = start;
}

void
gf_archive_set_info(struct gf_archive *a, const struct gf_stream_info *info)
{
	a->info = *info;
}

void
gf_archive_set_rotation(struct gf_archive *a, uint64_t rotate_interval,
    uint64_t rotate_size)
{
	if (a->kind != AK_PATTERN)
		return;
	a->rot_interval = rotate_interval;
	a->rot_size = rotate_size;
}

/*
 * Time rotation: the block being filled is sealed when its period ends,
 * so that no block straddles two files, and the file is finished.
 */
static int
rotate_due(struct gf_archive *a, uint64_t now)
{
	int rc = 0;
	if (a->kind != AK_PATTERN || a->rot_interval == 0)
		return 0;
	if (a->nrec > 0 && now >= a->raw_end)
		rc = seal(a, now);
	if (a->fd >= 0 && a->file_end && now >= a->file_end)
		finish_file(a);
	return rc;
}

int
gf_archive_put(struct gf_archive *a, const struct gf_record *r, uint64_t now)
{
	int rc;
	size_t len;

	rc = rotate_due(a, now);
	if (a->rawlen + GF_RECORD_MAX_LEN > GF_BLOCK_MAX_RAW ||
	    a->rawlen >= BLOCK_TARGET)
		rc |= seal(a, now);
	if (a->nrec == 0) {
		a->raw_first = now;
		a->raw_end = period_end(a, now);
	}
	len = gf_record_encode(r, a->raw + a->rawlen,
	    GF_BLOCK_MAX_RAW - a->rawlen);
	if (len == 0) {
		count_lost(a, 1);
		return -1;
	}
	a->rawlen += len;
	a->nrec++;
	return rc;
}

void
gf_archive_tick(struct gf_archive *a, uint64_t now)
{
	if ((a->flags & GF_AR_LIVE) && a->nrec > 0 &&
	    now >= a->raw_first + GF_AR_FLUSH_NS)
		seal(a, now);
	if (a->qhead != NULL && now >= a->retry_at)
		drain(a, now);
	rotate_due(a, now);
}

void
gf_archive_rotate(struct gf_archive *a, uint64_t now)
{
	seal(a, now);
	if (a->kind == AK_PATTERN)
		finish_file(a);
}

int
gf_archive_close(struct gf_archive *a, uint64_t now, uint64_t *written,
    uint64_t *lost)
{
	int rc;

	if (a == NULL) {
		if (written != NULL)
			*written = 0;
		if (lost != NULL)
			*lost = 0;
		return 0;
	}
	seal(a, now);
	if (a->qhead != NULL) {
		a->retry_at = 0;
		drain(a, now);
	}
	while (a->qhead != NULL) {
		struct pblock *b = a->qhead;
		a->qhead = b->next;
		count_lost(a, b->nrec);
		free(b);
	}
	if (a->failing)
		gf_err("%s: %llu records could not be written", file_name(a),
		    (unsigned long long)a->episode_lost);
	/* a run always leaves a stream, if only its header */
	if (a->kind == AK_PATTERN && a->files == 0 && a->fd < 0 &&
	    create_file(a, now) != 0)
		gf_err("%s: cannot create file: %s", a->path, strerror(errno));
	if (a->fd >= 0 && !a->hdr_done && write_header(a) != 0)
		gf_err("%s: cannot write stream header: %s", file_name(a),
		    strerror(errno));
	finish_file(a);
	rc = a->lost > 0 || a->finish_failed ? -1 : 0;
	if (written != NULL)
		*written = a->records;
	if (lost != NULL)
		*lost = a->lost;
	free(a->raw);
	free(a->out);
	free(a->path);
	free(a);
	return rc;
}

void
gf_archive_discard(struct gf_archive *a)
{
	if (a == NULL)
		return;
	while (a->qhead != NULL) {
		struct pblock *b = a->qhead;
		a->qhead = b->next;
		free(b);
	}
	if (a->fd >= 0 && a->kind != AK_STDOUT)
		close(a->fd);
	if (a->kind == AK_PATTERN && a->fd >= 0)
		unlink(a->tmp);
	free(a->raw);
	free(a->out);
	free(a->path);
	free(a);
}

uint64_t
gf_archive_records(const struct gf_archive *a)
{
	return a->records;
}

uint64_t
gf_archive_lost(const struct gf_archive *a)
{
	return a->lost;
}

uint64_t
gf_archive_files(const struct gf_archive *a)
{
	return a->files;
}

int
gf_archive_failing(const struct gf_archive *a)
{
	return a->failing;
}
