/*
 * capfile.c - capture files as stdio streams, plain or gzip (see
 * capfile.h).
 *
 * The first two bytes are read to tell gzip from plain.  A plain regular
 * file is then rewound and read through stdio directly; a plain pipe gets
 * those two bytes back through a small cookie stream.  Gzip goes through
 * zlib's inflate in a cookie stream that hands out what it has as soon as
 * it has some, so a pipe is never held back waiting for a full buffer.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile.h"
#include "log.h"

#define GZ_IN (64u * 1024)      /* compressed bytes per read(2) */

struct cfile {
	int fd;
	unsigned char back[2];          /* bytes read to look at the magic */
	size_t nback, offback;
	int gz;
	int zinit;
	int member_done;                /* between gzip members */
	int eof;                        /* no more input */
	int failed;                     /* msg is an error met after output
					   that was handed out first */
	z_stream z;
	unsigned char *in;
	char msg[128];                  /* the last error, "" if none */
};

/* Raw bytes: the ones read to look first, then the file. */
static ssize_t
raw_read(struct cfile *c, void *buf, size_t n)
{
	ssize_t r;
	if (c->offback < c->nback) {
		size_t k = c->nback - c->offback;
		if (k > n)
			k = n;
		memcpy(buf, c->back + c->offback, k);
		c->offback += k;
		return (ssize_t)k;
	}
	do
		r = read(c->fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* An error: the output made before it goes out first, so that every
 * packet before the damage is read. */
static ssize_t
fail(struct cfile *c, size_t made, const char *msg)
{
	snprintf(c->msg, sizeof(c->msg), "%s", msg);
	c->failed = 1;
	if (made > 0)
		return (ssize_t)made;
	errno = EIO;
	return -1;
}

static ssize_t
gz_read(struct cfile *c, char *buf, size_t n)
{
	if (c->failed) {
		errno = EIO;
		return -1;
	}
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	c->z.next_out = (unsigned char *)buf;
	c->z.avail_out = (uInt)n;
	while (c->z.avail_out == n) {
		int rc;
		if (c->z.avail_in == 0 && !c->eof) {
			ssize_t r = raw_read(c, c->in, GZ_IN);
			if (r < 0)
				return fail(c, n - c->z.avail_out,
				    strerror(errno));
			if (r == 0)
				c->eof = 1;
			c->z.next_in = c->in;
			c->z.avail_in = (uInt)r;
		}
		if (c->member_done) {
			/* another member follows, or the end */
			if (c->z.avail_in == 0) {
				if (c->eof)
					return 0;
				continue;
			}
			if (c->z.next_in[0] != 0x1f)
				return fail(c, n - c->z.avail_out, "data "
				    "after the end of the gzip stream");
			inflateReset(&c->z);
			c->member_done = 0;
		}
		if (c->z.avail_in == 0 && c->eof)
			return fail(c, n - c->z.avail_out,
			    "unexpected end of file");
		rc = inflate(&c->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			c->member_done = 1;
			continue;
		}
		if (rc == Z_BUF_ERROR && c->z.avail_in == 0)
			continue;               /* wants more input */
		if (rc != Z_OK)
			return fail(c, n - c->z.avail_out, c->z.msg != NULL ?
			    c->z.msg : "corrupt data");
	}
	return (ssize_t)(n - c->z.avail_out);
}

static ssize_t
cookie_read(void *cookie, char *buf, size_t n)
{
	struct cfile *c = cookie;
	return c->gz ? gz_read(c, buf, n) : raw_read(c, buf, n);
}

static int
cookie_close(void *cookie)
{
	struct cfile *c = cookie;
	int rc = close(c->fd);
	if (c->zinit)
		inflateEnd(&c->z);
	free(c->in);
	free(c);
	return rc;
}

FILE *
capfile_open(const char *path, size_t bufsize, char **iobuf, void **gz,
    int *regular, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = {
		.read = cookie_read, .close = cookie_close,
	};
	int stdin_ = strcmp(path, "-") == 0;
	int fd = stdin_ ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	struct cfile *c;
	struct stat st;
	FILE *fp;
	ssize_t r;

	*iobuf = NULL;
	*gz = NULL;
	*regular = 0;
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	*regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	c = gf_xcalloc(1, sizeof(*c));
	c->fd = fd;
	while (c->nback < 2) {
		r = read(fd, c->back + c->nback, 2 - c->nback);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			cookie_close(c);
			return NULL;
		}
		if (r == 0)
			break;
		c->nback += (size_t)r;
	}
	c->gz = c->nback == 2 && c->back[0] == 0x1f && c->back[1] == 0x8b;
	if (!c->gz && *regular && lseek(fd, 0, SEEK_SET) == 0) {
		/* plain regular file: stdio reads it directly */
		free(c);
		fp = fdopen(fd, "rb");
		if (fp == NULL) {
			snprintf(err, errlen, "%s", strerror(errno));
			close(fd);
			return NULL;
		}
	} else {
		if (c->gz) {
			c->in = gf_xmalloc(GZ_IN);
			/* 16 + window bits: a gzip header and trailer */
			if (inflateInit2(&c->z, 16 + MAX_WBITS) != Z_OK) {
				snprintf(err, errlen, "cannot start zlib");
				cookie_close(c);
				return NULL;
			}
			c->zinit = 1;
			*gz = c;
		}
		fp = fopencookie(c, "rb", io);
		if (fp == NULL) {
			snprintf(err, errlen, "%s", strerror(errno));
			*gz = NULL;
			cookie_close(c);
			return NULL;
		}
	}
	/* stdio's default 4 KiB buffer costs one read(2) per 4 KiB */
	*iobuf = gf_xmalloc(bufsize);
	setvbuf(fp, *iobuf, _IOFBF, bufsize);
	/* one thread at a time reads a capture file: libpcap's two freads
	 * per packet need not lock it */
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	return fp;
}

const char *
capfile_gzerror(void *gz)
{
	const struct cfile *c = gz;
	return c == NULL || c->msg[0] == '\0' ? NULL : c->msg;
}
