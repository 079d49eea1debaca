/*
 * fuzz_reader.c - libFuzzer harness for the record stream reader: the
 * input is a whole stream (header, blocks, records), read to the end
 * through the plain-fd path, or through zlib's gz path when the first
 * byte is odd, and every record is formatted with every field.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fields.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gf_reader *rd;
	struct gf_record r;
	char path[64], buf[256];
	int fd = memfd_create("fuzz", 0), rc, n = 0;

	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	if (size > 0 && (data[0] & 1)) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		rd = gf_reader_open_path(path);
		close(fd);
	} else {
		rd = gf_reader_open_fd(fd, "fuzz");
	}
	if (rd == NULL)
		return 0;
	while ((rc = gf_reader_next(rd, &r)) != 0 && n < 100000) {
		n++;
		if (rc < 0)
			continue;
		for (size_t i = 0; i < gf_nfields; i++)
			gf_field_format(&gf_fields[i], &r, (int)(i & 1), buf,
			    sizeof(buf));
	}
	gf_reader_close(rd);
	return 0;
}
