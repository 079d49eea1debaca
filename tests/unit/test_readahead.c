/*
 * test_readahead.c - reading on a second thread gives exactly the events
 * of reading inline: inputs, selected records in order, damaged blocks,
 * inputs that cannot be opened; a pipe is read inline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readahead.h"
#include "testlib.h"

#define NREC 12000      /* several blocks, many batches */

static char dir[] = "/tmp/test_readahead_XXXXXX";

static void
write_stream(const char *path, uint32_t sensorid, int n)
{
	struct gf_stream_info info;
	struct gf_writer *w;

	memset(&info, 0, sizeof(info));
	info.sensorid = sensorid;
	w = gf_writer_open_path(path, &info, 1);
	for (int i = 0; i < n; i++) {
		struct gf_record r;
		memset(&r, 0, sizeof(r));
		r.type = i % 100 == 99 ? GF_RT_SENSOR : GF_RT_FLOW;
		if (r.type == GF_RT_FLOW) {
			r.u.flow.flowid = (uint64_t)i;
			r.u.flow.src.pkts = (uint64_t)i * 7;
		} else {
			r.u.sensor.pkts = (uint64_t)i;
		}
		gf_writer_put(w, &r);
	}
	gf_writer_close(w);
}

/* Flip a byte in the middle of a file: one block fails its CRC. */
static void
damage(const char *path)
{
	FILE *fp = fopen(path, "r+b");
	long size;
	int c;

	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fseek(fp, size / 2, SEEK_SET);
	c = fgetc(fp);
	fseek(fp, size / 2, SEEK_SET);
	fputc(c ^ 0x55, fp);
	fclose(fp);
}

static int
odd_flows(void *ctx, const struct gf_record *r)
{
	(void)ctx;
	return r->type == GF_RT_SENSOR || r->u.flow.flowid % 2 == 1;
}

/* The events of reading inline, as text lines. */
static char *
expected(const struct input_list *in)
{
	size_t cap = 1 << 20, len = 0;
	char *s = calloc(1, cap);

	for (size_t i = 0; i < in->n; i++) {
		struct gf_reader *rd = gf_reader_open_path(in->path[i]);
		struct gf_record r;
		int rc;
		if (rd == NULL) {
			len += (size_t)snprintf(s + len, cap - len, "U\n");
			continue;
		}
		len += (size_t)snprintf(s + len, cap - len, "I %u\n",
		    gf_reader_info(rd)->sensorid);
		while ((rc = gf_reader_next(rd, &r)) != 0) {
			if (rc < 0)
				len += (size_t)snprintf(s + len, cap - len, "D\n");
			else if (odd_flows(NULL, &r))
				len += (size_t)snprintf(s + len, cap - len,
				    "R %d %llu\n", r.type, (unsigned long long)
				    (r.type == GF_RT_FLOW ? r.u.flow.src.pkts :
				    r.u.sensor.pkts));
		}
		gf_reader_close(rd);
	}
	return s;
}

static char *
through_readahead(const struct input_list *in, int *threaded)
{
	size_t cap = 1 << 20, len = 0;
	char *s = calloc(1, cap);
	struct readahead *ra = readahead_open(in, odd_flows, NULL);
	enum ra_event ev;
	const struct gf_record *r;
	const struct gf_stream_info *info;

	*threaded = readahead_threaded(ra);
	while ((ev = readahead_next(ra, &r, &info)) != RA_END) {
		switch (ev) {
		case RA_INPUT:
			len += (size_t)snprintf(s + len, cap - len, "I %u\n",
			    info->sensorid);
			break;
		case RA_RECORD:
			len += (size_t)snprintf(s + len, cap - len,
			    "R %d %llu\n", r->type, (unsigned long long)
			    (r->type == GF_RT_FLOW ? r->u.flow.src.pkts :
			    r->u.sensor.pkts));
			break;
		case RA_DAMAGED:
			len += (size_t)snprintf(s + len, cap - len, "D\n");
			break;
		default:
			len += (size_t)snprintf(s + len, cap - len, "U\n");
			break;
		}
	}
	readahead_close(ra);
	return s;
}

TEST(threaded_equals_inline)
{
	struct input_list in;
	char path[4][512];
	char *want, *got;
	int threaded;

	memset(&in, 0, sizeof(in));
	snprintf(path[0], sizeof(path[0]), "%s/a.gf", dir);
	snprintf(path[1], sizeof(path[1]), "%s/missing.gf", dir);
	snprintf(path[2], sizeof(path[2]), "%s/b.gf", dir);
	snprintf(path[3], sizeof(path[3]), "%s/c.gf", dir);
	write_stream(path[0], 1, NREC);
	write_stream(path[2], 2, 10);
	write_stream(path[3], 3, NREC);
	damage(path[3]);
	for (int i = 0; i < 4; i++)
		inputs_add(&in, path[i]);
	want = expected(&in);
	got = through_readahead(&in, &threaded);
	CHECK(strstr(want, "D\n") != NULL);     /* the damage is seen */
	CHECK(strlen(want) > 50000);
	CHECK(strcmp(got, want) == 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		CHECK(threaded);
	free(want);
	free(got);
	for (int i = 0; i < 4; i++)
		unlink(path[i]);
	inputs_free(&in);
}

/* Standard input from a pipe is read inline, with the same events. */
TEST(pipe_inline)
{
	struct input_list in;
	char path[512];
	char *want, *got;
	int threaded, fd[2];
	FILE *src;
	char buf[65536];
	size_t n;

	memset(&in, 0, sizeof(in));
	snprintf(path, sizeof(path), "%s/p.gf", dir);
	write_stream(path, 4, 500);
	inputs_add(&in, path);
	want = expected(&in);
	inputs_free(&in);

	CHECK(pipe(fd) == 0);
	src = fopen(path, "rb");
	n = fread(buf, 1, sizeof(buf), src);
	fclose(src);
	CHECK(n < sizeof(buf));
	CHECK(write(fd[1], buf, n) == (ssize_t)n);
	close(fd[1]);
	dup2(fd[0], STDIN_FILENO);
	close(fd[0]);
	inputs_add(&in, "-");
	got = through_readahead(&in, &threaded);
	CHECK(!threaded);
	CHECK(strcmp(got, want) == 0);
	free(want);
	free(got);
	unlink(path);
	inputs_free(&in);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(threaded_equals_inline);
	RUN(pipe_inline);
	rmdir(dir);
	return test_summary();
}
