/*
 * fuzz_capfile.c - libFuzzer harness for capfile_open() and its gzip
 * reader (sensor/capfile.c): the input is a capture file, plain or gzip,
 * read whole through the stream it returns.  Besides not crashing, a read
 * never hands out more than asked, and an error is named.
 *
 * Built with -DGF_FUZZ_SEED instead, this file is a seed generator, run
 * by tests/fuzz/run.sh as `prog CORPUSDIR FILE...`: it writes the first
 * 4 KiB of every FILE gzip-compressed (and the last two cut short), so
 * the corpus starts past the gzip header.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "capfile.h"

#ifndef GF_FUZZ_SEED

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[8192];
	char path[64], err[256], *iobuf;
	void *gz;
	int regular, fd = memfd_create("capfile", 0);
	FILE *fp;
	size_t n;

	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fp = capfile_open(path, 4096, &iobuf, &gz, &regular, err, sizeof(err));
	close(fd);
	if (fp == NULL)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		if (n > sizeof(buf))
			abort();
	if (ferror(fp) && (gz == NULL || capfile_gzerror(gz) == NULL))
		abort();        /* a gzip error always has its message */
	fclose(fp);
	free(iobuf);
	return 0;
}

#else

int
main(int argc, char **argv)
{
	static unsigned char in[4096], out[8192];
	int k = 0;

	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		char path[4096];
		z_stream z;
		size_t n;

		if (f == NULL)
			continue;
		n = fread(in, 1, sizeof(in), f);
		fclose(f);
		memset(&z, 0, sizeof(z));
		if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return 1;
		z.next_in = in;
		z.avail_in = (uInt)n;
		z.next_out = out;
		z.avail_out = sizeof(out);
		deflate(&z, Z_FINISH);
		n = sizeof(out) - z.avail_out;
		deflateEnd(&z);
		snprintf(path, sizeof(path), "%s/seed-gz-%d", argv[1], k++);
		if ((f = fopen(path, "wb")) == NULL)
			return 1;
		/* the last two seeds cut short: the damage path */
		fwrite(out, 1, i >= argc - 2 && n > 20 ? n - 7 : n, f);
		fclose(f);
	}
	return 0;
}

#endif
