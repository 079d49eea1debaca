/*
 * test_archive.c - the rotating archive (common/archive.c): plain files,
 * rotation by size and time, names, .part files and their recovery,
 * write errors retried without loss, and every lost record counted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "codec.h"
#include "log.h"
#include "stream.h"
#include "testlib.h"

#define SEC 1000000000ull

static char dir[256];

static void
rm_rf(const char *path)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

static void
fresh_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gf-test-archive-%d", (int)getpid());
	rm_rf(dir);
	mkdir(dir, 0755);
}

static struct gf_stream_info
info_of(uint64_t start)
{
	struct gf_stream_info info;
	memset(&info, 0, sizeof(info));
	info.sensorid = 3;
	info.start = start;
	info.interval = 5 * SEC;
	snprintf(info.name, sizeof(info.name), "test");
	return info;
}

static void
flow_record(struct gf_record *r, uint64_t id, uint64_t t)
{
	memset(r, 0, sizeof(*r));
	r->type = GF_RT_FLOW;
	r->u.flow.kind = GF_KIND_FINAL;
	r->u.flow.flowid = id;
	r->u.flow.stime = r->u.flow.ltime = t;
	r->u.flow.proto = 6;
	r->u.flow.src.pkts = id;
	r->u.flow.saddr.family = r->u.flow.daddr.family = 4;
}

/* The encoded size of flow_record(id, t): the tests that must fill
 * files or memory size their runs by it. */
static size_t
flow_record_size(uint64_t id, uint64_t t)
{
	struct gf_record r;
	uint8_t buf[GF_RECORD_MAX_LEN];
	flow_record(&r, id, t);
	return gf_record_encode(&r, buf, sizeof(buf));
}

/* Records in path, and the sum of their flowids; -1 if unreadable or
 * damaged. */
static long
count(const char *path, uint64_t *idsum, uint64_t *start)
{
	struct gf_reader *rd = gf_reader_open_path(path);
	struct gf_record r;
	long n = 0;
	int rc;

	if (rd == NULL)
		return -1;
	if (start != NULL)
		*start = gf_reader_info(rd)->start;
	while ((rc = gf_reader_next(rd, &r)) == 1) {
		n++;
		if (idsum != NULL)
			*idsum += r.u.flow.flowid;
	}
	if (rc < 0 || gf_reader_errors(rd) > 0)
		n = -1;
	gf_reader_close(rd);
	return n;
}

/* Records in a file still being written: its reader reads them, then
 * reports one error, the missing end block (format 2.1). */
static long
count_unfinished(const char *path)
{
	struct gf_reader *rd = gf_reader_open_path(path);
	struct gf_record r;
	long n = 0;
	int rc, errs = 0;

	if (rd == NULL)
		return -1;
	while ((rc = gf_reader_next(rd, &r)) != 0) {
		if (rc == 1)
			n++;
		else
			errs++;
	}
	gf_reader_close(rd);
	return errs == 1 ? n : -1;
}

/* Names in dir, sorted, one string "a b c". */
static void
listing(char *out, size_t len)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") != 0 &&
		    strcmp(ents[i]->d_name, "..") != 0) {
			if (out[0])
				strncat(out, " ", len - strlen(out) - 1);
			strncat(out, ents[i]->d_name, len - strlen(out) - 1);
		}
		free(ents[i]);
	}
	free(ents);
}

/* Every file in dir: records and flowid sum, all with the same start. */
static long
count_dir(uint64_t *idsum, uint64_t want_start)
{
	struct dirent **ents;
	long total = 0;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char p[600];
		uint64_t start = 0;
		long c;
		if (ents[i]->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, ents[i]->d_name);
			c = count(p, idsum, &start);
			if (c < 0 || start != want_start)
				total = -1000000;
			else
				total += c;
		}
		free(ents[i]);
	}
	free(ents);
	return total;
}

TEST(plain_file)
{
	char path[300], err[256];
	struct gf_stream_info info = info_of(42 * SEC);
	struct gf_archive *a;
	struct gf_record r;
	uint64_t sum = 0, start = 0;

	fresh_dir();
	snprintf(path, sizeof(path), "%s/plain.gf", dir);
	a = gf_archive_open(path, &info, 1, 0, 0, 0, err, sizeof(err));
	CHECK(a != NULL);
	for (uint64_t i = 1; i <= 5000; i++) {
		flow_record(&r, i, 42 * SEC + i);
		CHECK(gf_archive_put(a, &r, 42 * SEC + i) == 0);
	}
	CHECK(gf_archive_close(a, 50 * SEC, NULL, NULL) == 0);
	CHECK(count(path, &sum, &start) == 5000);
	CHECK_U64(sum, 5000ull * 5001 / 2);
	CHECK_U64(start, 42 * SEC);
	/* a directory that is not there: refused at open, as before */
	snprintf(path, sizeof(path), "%s/no/such/plain.gf", dir);
	CHECK(gf_archive_open(path, &info, 1, 0, 0, 0, err, sizeof(err)) ==
	    NULL);
	CHECK(strstr(err, "cannot open for writing") != NULL);
	rm_rf(dir);
}

/* Offline: names and periods from record times (UTC), one file per
 * minute, a file started on the first record of its period. */
TEST(rotate_by_record_time)
{
	char pat[300], err[256], names[2048];
	struct gf_stream_info info = info_of(1000 * SEC);
	struct gf_archive *a;
	struct gf_record r;
	uint64_t sum = 0;

	fresh_dir();
	snprintf(pat, sizeof(pat), "%s/%%Y%%m%%d-%%H%%M%%S.gf", dir);
	a = gf_archive_open(pat, &info, 1, 60 * SEC, 0, 0, err, sizeof(err));
	CHECK(a != NULL);
	/* 1000 s .. 1199 s: minutes 16, 17, 18, 19 */
	for (uint64_t i = 0; i < 200; i++) {
		uint64_t t = (1000 + i) * SEC;
		flow_record(&r, i + 1, t);
		gf_archive_put(a, &r, t);
	}
	CHECK(gf_archive_close(a, 1200 * SEC, NULL, NULL) == 0);
	listing(names, sizeof(names));
	CHECK_STR(names, "19700101-001640.gf 19700101-001700.gf "
	    "19700101-001800.gf 19700101-001900.gf");
	CHECK(count_dir(&sum, 1000 * SEC) == 200);
	CHECK_U64(sum, 200ull * 201 / 2);
	rm_rf(dir);
}

/* Size rotation: names taken in the same second get _001, _002... and
 * sort in the order written. */
TEST(rotate_by_size)
{
	char pat[300], err[256], names[4096];
	struct gf_stream_info info = info_of(7 * SEC);
	struct gf_archive *a;
	struct gf_record r;
	uint64_t sum = 0;
	/* uncompressed: 3.5 MiB of records in 1 MiB files */
	const uint64_t n = (7 << 19) / flow_record_size(30000, 7 * SEC);

	CHECK(n > 10000);
	fresh_dir();
	snprintf(pat, sizeof(pat), "%s/x-%%H%%M.gf", dir);
	a = gf_archive_open(pat, &info, -1, 0, 1 << 20, 0, err, sizeof(err));
	CHECK(a != NULL);
	for (uint64_t i = 1; i <= n; i++) {
		flow_record(&r, i, 7 * SEC);
		gf_archive_put(a, &r, 7 * SEC);
	}
	CHECK(gf_archive_close(a, 8 * SEC, NULL, NULL) == 0);
	listing(names, sizeof(names));
	CHECK(strncmp(names, "x-0000.gf x-0000_001.gf x-0000_002.gf", 37) == 0);
	CHECK(strstr(names, ".part") == NULL);
	CHECK(count_dir(&sum, 7 * SEC) == (long)n);
	CHECK_U64(sum, n * (n + 1) / 2);
	rm_rf(dir);
}

/* Live: a block is on disk a second after its first record, in the
 * .part file; the name appears only once the file is finished. */
TEST(live_part_then_rename)
{
	char pat[300], err[256], part[400], final[400], names[1024];
	struct gf_stream_info info = info_of(100 * SEC);
	struct gf_archive *a;
	struct gf_record r;

	fresh_dir();
	snprintf(pat, sizeof(pat), "%s/live-%%s.gf", dir);
	snprintf(part, sizeof(part), "%s/.live-100.gf.part", dir);
	snprintf(final, sizeof(final), "%s/live-100.gf", dir);
	a = gf_archive_open(pat, &info, 1, 3600 * SEC, 0, GF_AR_LIVE, err,
	    sizeof(err));
	flow_record(&r, 1, 100 * SEC);
	gf_archive_put(a, &r, 100 * SEC);
	gf_archive_tick(a, 100 * SEC + SEC / 2);
	CHECK(access(part, F_OK) != 0);         /* not due yet */
	gf_archive_tick(a, 101 * SEC);
	printf("(a message that %s has no end block is expected)\n", part);
	fflush(stdout);
	CHECK(count_unfinished(part) == 1);
	CHECK(access(final, F_OK) != 0);
	flow_record(&r, 2, 101 * SEC);
	gf_archive_put(a, &r, 101 * SEC);
	gf_archive_rotate(a, 101 * SEC);        /* SIGHUP */
	CHECK(access(part, F_OK) != 0);
	CHECK(count(final, NULL, NULL) == 2);
	CHECK_U64(gf_archive_files(a), 1);
	CHECK(gf_archive_close(a, 102 * SEC, NULL, NULL) == 0);
	listing(names, sizeof(names));
	CHECK_STR(names, "live-100.gf");        /* nothing came after */
	rm_rf(dir);
}

/* A .part nobody holds (kill -9) is cut back to its last complete block
 * and put in place when the next file is started in its directory; one
 * still held is left alone. */
TEST(recover_orphan_part)
{
	char pat[300], err[256], path[400], orphan[400], names[1024];
	struct gf_stream_info info = info_of(5 * SEC);
	struct gf_archive *a, *held;
	struct gf_record r;
	int fd;

	fresh_dir();
	snprintf(path, sizeof(path), "%s/src.gf", dir);
	a = gf_archive_open(path, &info, 1, 0, 0, 0, err, sizeof(err));
	for (uint64_t i = 1; i <= 10; i++) {
		flow_record(&r, i, 5 * SEC);
		gf_archive_put(a, &r, 5 * SEC);
	}
	gf_archive_close(a, 5 * SEC, NULL, NULL);
	snprintf(orphan, sizeof(orphan), "%s/.old.gf.part", dir);
	CHECK(rename(path, orphan) == 0);
	fd = open(orphan, O_WRONLY | O_APPEND);
	CHECK(write(fd, "GFBK\x10\0\0\0torn", 12) == 12);
	close(fd);
	/* a live writer's file: held, so not touched */
	snprintf(pat, sizeof(pat), "%s/held-%%s.gf", dir);
	held = gf_archive_open(pat, &info, 1, 3600 * SEC, 0, GF_AR_LIVE, err,
	    sizeof(err));
	gf_archive_put(held, &r, 9 * SEC);
	gf_archive_tick(held, 10 * SEC);
	snprintf(pat, sizeof(pat), "%s/new-%%s.gf", dir);
	a = gf_archive_open(pat, &info, 1, 0, 0, 0, err, sizeof(err));
	gf_archive_put(a, &r, 20 * SEC);
	CHECK(gf_archive_close(a, 20 * SEC, NULL, NULL) == 0);
	listing(names, sizeof(names));
	CHECK_STR(names, ".held-9.gf.part new-20.gf old.gf");
	snprintf(path, sizeof(path), "%s/old.gf", dir);
	CHECK(count(path, NULL, NULL) == 10);   /* whole, no complaint */
	gf_archive_close(held, 11 * SEC, NULL, NULL);
	listing(names, sizeof(names));
	CHECK_STR(names, "held-9.gf new-20.gf old.gf");
	rm_rf(dir);
}

/* Live: while the directory cannot be made, records wait and are retried;
 * once it can, nothing is missing. */
TEST(live_retry_without_loss)
{
	char pat[300], err[256], blocker[300];
	struct gf_stream_info info = info_of(1 * SEC);
	struct gf_archive *a;
	struct gf_record r;
	uint64_t sum = 0, t = 1 * SEC;
	int fd;

	fresh_dir();
	/* a file where the pattern needs a directory: ENOTDIR */
	snprintf(blocker, sizeof(blocker), "%s/sub", dir);
	fd = open(blocker, O_WRONLY | O_CREAT, 0644);
	close(fd);
	snprintf(pat, sizeof(pat), "%s/sub/%%s.gf", dir);
	a = gf_archive_open(pat, &info, 1, 0, 0, GF_AR_LIVE, err, sizeof(err));
	fprintf(stderr, "(an error message about %s is expected)\n", blocker);
	for (uint64_t i = 1; i <= 3000; i++) {
		flow_record(&r, i, t);
		gf_archive_put(a, &r, t);
		if (i % 100 == 0) {
			t += SEC;
			gf_archive_tick(a, t);
		}
	}
	CHECK(gf_archive_failing(a));
	CHECK_U64(gf_archive_records(a), 0);
	CHECK_U64(gf_archive_lost(a), 0);
	unlink(blocker);
	t += GF_AR_RETRY_NS;
	gf_archive_tick(a, t);
	CHECK(!gf_archive_failing(a));
	CHECK(gf_archive_close(a, t, NULL, NULL) == 0);
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/sub");
	CHECK(count_dir(&sum, 1 * SEC) == 3000);
	CHECK_U64(sum, 3000ull * 3001 / 2);
	dir[strlen(dir) - 4] = '\0';
	rm_rf(dir);
}

/* Past the memory bound, records are lost, and every one is counted:
 * written + lost = put. */
TEST(bounded_and_counted)
{
	char pat[300], err[256], blocker[300];
	struct gf_stream_info info = info_of(1 * SEC);
	struct gf_archive *a;
	struct gf_record r;
	uint64_t t = 1 * SEC, written, lost;
	/* uncompressed: 80 MiB of records, more than the 64 MiB kept */
	const uint64_t n = (80ull << 20) / flow_record_size(1000000, t);
	int fd;

	fresh_dir();
	snprintf(blocker, sizeof(blocker), "%s/sub", dir);
	fd = open(blocker, O_WRONLY | O_CREAT, 0644);
	close(fd);
	snprintf(pat, sizeof(pat), "%s/sub/%%s.gf", dir);
	a = gf_archive_open(pat, &info, -1, 0, 0, GF_AR_LIVE, err,
	    sizeof(err));
	for (uint64_t i = 1; i <= n; i++) {
		flow_record(&r, i, t);
		gf_archive_put(a, &r, t);
	}
	gf_archive_tick(a, t += SEC);
	lost = gf_archive_lost(a);
	CHECK(lost > 0);
	unlink(blocker);
	gf_archive_tick(a, t += GF_AR_RETRY_NS);
	written = gf_archive_records(a);
	CHECK(gf_archive_close(a, t, NULL, NULL) == -1);    /* records were lost */
	CHECK_U64(written + lost, n);
	rm_rf(dir);
}

/* Offline: a write error loses the block at once, counted. */
TEST(offline_error_counted)
{
	char pat[300], err[256], blocker[300];
	struct gf_stream_info info = info_of(1 * SEC);
	struct gf_archive *a;
	struct gf_record r;
	int fd;

	fresh_dir();
	snprintf(blocker, sizeof(blocker), "%s/sub", dir);
	fd = open(blocker, O_WRONLY | O_CREAT, 0644);
	close(fd);
	snprintf(pat, sizeof(pat), "%s/sub/%%s.gf", dir);
	a = gf_archive_open(pat, &info, 1, 0, 0, 0, err, sizeof(err));
	for (uint64_t i = 1; i <= 10; i++) {
		flow_record(&r, i, SEC);
		gf_archive_put(a, &r, SEC);
	}
	CHECK(gf_archive_close(a, 2 * SEC, NULL, NULL) == -1);
	rm_rf(dir);
}

int
main(void)
{
	gf_log_init("test_archive");
	RUN(plain_file);
	RUN(rotate_by_record_time);
	RUN(rotate_by_size);
	RUN(live_part_then_rename);
	RUN(recover_orphan_part);
	RUN(live_retry_without_loss);
	RUN(bounded_and_counted);
	RUN(offline_error_counted);
	return test_summary();
}
