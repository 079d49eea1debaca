/*
 * fuzz_live.c - libFuzzer harness for the client side of the live
 * protocol: what `gapdump -S` reads from a sensor, here a hostile one.
 * The input is the whole byte stream the sensor sends (a stream header
 * and blocks, or a "REFUSED <reason>" line, or anything), delivered
 * through a pipe to gf_reader_open_fd() as the collector does with its
 * socket: plain reads, short reads at the pipe's whim, no gzip.  Every
 * record is matched against a filter and formatted with every field.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fields.h"
#include "filter.h"
#include "stream.h"

#define MAX_IN (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gf_filter *filter;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gf_reader *rd;
	struct gf_record r;
	char buf[256];
	int p[2], rc, n = 0;

	if (filter == NULL) {
		char err[256];
		filter = gf_filter_compile("tcp and sgap > 0 or sensor", err,
		    sizeof(err));
		if (filter == NULL)
			return 0;
	}
	if (pipe2(p, O_CLOEXEC) != 0)
		return 0;
	/* the whole input fits: the reader is the only one that reads */
	(void)fcntl(p[1], F_SETPIPE_SZ, MAX_IN);
	if (size > MAX_IN)
		size = MAX_IN;
	if (size > 0 && write(p[1], data, size) != (ssize_t)size) {
		close(p[0]);
		close(p[1]);
		return 0;
	}
	close(p[1]);
	rd = gf_reader_open_fd(p[0], "sensor:561");
	if (rd == NULL)
		return 0;
	while ((rc = gf_reader_next(rd, &r)) != 0 && n < 100000) {
		n++;
		if (rc < 0)
			continue;
		(void)gf_filter_match(filter, &r);
		/* formatting is the costly part: the first records
		 * reach its code, later ones only decode */
		for (size_t i = 0; n <= 8 && i < gf_nfields; i++)
			gf_field_format(&gf_fields[i], &r, (int)(i & 1), buf,
			    sizeof(buf));
	}
	gf_reader_close(rd);
	return 0;
}
