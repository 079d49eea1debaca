/*
 * capfile.c - capture files as stdio streams, plain or gzip (see
 * capfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile.h"
#include "log.h"

/* zlib's input buffer (its output buffer is twice this) */
#define GZ_BUFFER (32u * 1024)
/* Most bytes one read asks of zlib: gzread() returns nothing of a call
 * that meets damage, so a short call loses little before the error */
#define GZ_CHUNK  (16u * 1024)

static ssize_t
gz_read(void *cookie, char *buf, size_t n)
{
	int r = gzread(cookie, buf, n > GZ_CHUNK ? GZ_CHUNK : (unsigned)n);
	int num = Z_OK;

	/* gzread() ends a stream cut short as if it were complete, with
	 * Z_BUF_ERROR set: that is damage, not the end */
	if (r == 0)
		(void)gzerror(cookie, &num);
	if (r < 0 || num == Z_BUF_ERROR) {
		errno = EIO;
		return -1;
	}
	return r;
}

static int
gz_close(void *cookie)
{
	return gzclose_r(cookie) == Z_OK ? 0 : -1;
}

/* 1: starts with the gzip magic; 0: does not; -1: cannot tell without
 * reading (a pipe). */
static int
gz_magic(int fd)
{
	unsigned char m[2];
	ssize_t n = pread(fd, m, sizeof(m), 0);
	if (n < 0)
		return -1;
	return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

FILE *
capfile_open(const char *path, size_t bufsize, char **iobuf, void **gz,
    char *err, size_t errlen)
{
	static const cookie_io_functions_t io = {
		.read = gz_read, .close = gz_close,
	};
	int stdin_ = strcmp(path, "-") == 0;
	int fd = stdin_ ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	FILE *fp;
	gzFile z;

	*iobuf = NULL;
	*gz = NULL;
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (gz_magic(fd) == 0) {
		fp = fdopen(fd, "rb");
		if (fp == NULL) {
			snprintf(err, errlen, "%s", strerror(errno));
			close(fd);
			return NULL;
		}
	} else {
		/* gzip, or a pipe: zlib passes plain data through as it is */
		z = gzdopen(fd, "rb");
		if (z == NULL) {
			snprintf(err, errlen, "cannot start zlib");
			close(fd);
			return NULL;
		}
		gzbuffer(z, GZ_BUFFER);
		fp = fopencookie(z, "rb", io);
		if (fp == NULL) {
			snprintf(err, errlen, "%s", strerror(errno));
			gzclose_r(z);
			return NULL;
		}
		*gz = z;
	}
	/* stdio's default 4 KiB buffer costs one read(2) per 4 KiB */
	*iobuf = gf_xmalloc(bufsize);
	setvbuf(fp, *iobuf, _IOFBF, bufsize);
	return fp;
}

const char *
capfile_gzerror(void *gz)
{
	int num = Z_OK;
	const char *msg;

	if (gz == NULL)
		return NULL;
	msg = gzerror(gz, &num);
	if (num == Z_OK)
		return NULL;
	/* zlib says "<fd:N>: what"; the caller names the file */
	if (strncmp(msg, "<fd:", 4) == 0 && strstr(msg, ": ") != NULL)
		msg = strstr(msg, ": ") + 2;
	return msg;
}
