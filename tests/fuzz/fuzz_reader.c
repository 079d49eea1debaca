/*
 * fuzz_reader.c - libFuzzer harness for the record stream reader: the
 * input is a whole stream (header, blocks, records) followed by one byte
 * that picks the path: even, the plain-fd path (sockets, pipes); odd,
 * zlib's gz path (files, plain or gzip-compressed).  Every record is
 * formatted with every field.
 *
 * One memfd serves every input (rewritten and truncated each time), and
 * the reader's buffers grow only to what an input's blocks need, so an
 * input costs a few small allocations, not megabytes.
 *
 * Built with -DGF_FUZZ_SEED it is a seed generator instead: each record
 * file given is written into CORPUSDIR twice, with each selector byte, and
 * gzip-compressed once.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "fields.h"
#include "stream.h"

#ifndef GF_FUZZ_SEED
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gf_reader *rd;
	struct gf_record r;
	char path[64], buf[256];
	int fd, rc, n = 0, gz;

	if (size == 0)
		return 0;
	gz = data[size - 1] & 1;
	size--;
	if (memfd < 0 && (memfd = memfd_create("fuzz", 0)) < 0)
		return 0;
	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) !=
	    (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	if (gz) {
		rd = gf_reader_open_path(path);
	} else {
		/* a descriptor of its own, at offset 0: the reader closes it */
		if (lseek(memfd, 0, SEEK_SET) != 0 || (fd = dup(memfd)) < 0)
			return 0;
		rd = gf_reader_open_fd(fd, "fuzz");
	}
	if (rd == NULL)
		return 0;
	while ((rc = gf_reader_next(rd, &r)) != 0 && n < 100000) {
		n++;
		if (rc < 0)
			continue;
		/* formatting is the costly part: the first records
		 * reach its code, later ones only decode */
		for (size_t i = 0; n <= 8 && i < gf_nfields; i++)
			gf_field_format(&gf_fields[i], &r, (int)(i & 1), buf,
			    sizeof(buf));
	}
	gf_reader_close(rd);
	return 0;
}
#else
static void
put(const char *dir, const char *base, const char *suffix,
    const uint8_t *p, size_t n, int sel)
{
	char path[512];
	FILE *f;
	uint8_t s = (uint8_t)sel;
	snprintf(path, sizeof(path), "%s/%s%s-%d", dir, base, suffix, sel);
	if ((f = fopen(path, "wb")) == NULL)
		return;
	fwrite(p, 1, n, f);
	fwrite(&s, 1, 1, f);
	fclose(f);
}

int
main(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *p, *z;
		const char *base = strrchr(argv[i], '/');
		long n;
		uLongf zn;
		if (f == NULL)
			continue;
		base = base ? base + 1 : argv[i];
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		p = malloc((size_t)n + 1);
		if (fread(p, 1, (size_t)n, f) != (size_t)n || n < 8 ||
		    memcmp(p, "GFLW", 4) != 0) {
			free(p);
			fclose(f);
			continue;       /* only record streams */
		}
		fclose(f);
		put(argv[1], base, "", p, (size_t)n, 0);
		put(argv[1], base, "", p, (size_t)n, 1);
		/* gzip: a gz header, raw deflate, crc and length */
		zn = compressBound((uLong)n) + 32;
		z = malloc(zn);
		{
			z_stream zs;
			memset(&zs, 0, sizeof(zs));
			if (deflateInit2(&zs, 6, Z_DEFLATED, 31, 8,
			    Z_DEFAULT_STRATEGY) == Z_OK) {
				zs.next_in = p;
				zs.avail_in = (uInt)n;
				zs.next_out = z;
				zs.avail_out = (uInt)zn;
				if (deflate(&zs, Z_FINISH) == Z_STREAM_END)
					put(argv[1], base, ".gz", z,
					    zn - zs.avail_out, 1);
				deflateEnd(&zs);
			}
		}
		free(z);
		free(p);
	}
	return 0;
}
#endif
