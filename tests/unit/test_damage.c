/*
 * test_damage.c - damaged, cut and incomplete record streams (issue 13,
 * points 4 to 6): for each case, exactly which records are recovered and
 * exactly what is said on stderr.
 *
 * The streams are written plain (no zlib) with records numbered by flowid
 * 1..N.  The expected records and offsets come from walking the file's
 * block headers here, before it is damaged, never from what the reader
 * prints.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bytes.h"
#include "log.h"
#include "stream.h"
#include "testlib.h"

#define MAXB 128

static char tmpdir[64];

struct blk {
	long off, len;                  /* offset, header + payload */
	uint32_t nrec;
	uint64_t first;                 /* flowid of its first record */
};

static const char *
tmppath(const char *name)
{
	static char path[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
	return path[k];
}

/* n FLOW records, flowid 1..n, a block every per records (0: the
 * writer's own 256 KiB blocks). */
static void
write_stream(const char *path, int n, int per)
{
	struct gf_stream_info info;
	struct gf_writer *w;
	struct gf_record r;

	memset(&info, 0, sizeof(info));
	strcpy(info.name, "dmg");
	w = gf_writer_open_path(path, &info, -1);
	CHECK(w != NULL);
	if (w == NULL)
		return;
	for (int i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.type = GF_RT_FLOW;
		r.u.flow.flowid = (uint64_t)i + 1;
		r.u.flow.fstime = r.u.flow.stime = 1700000000000000000ull +
		    (uint64_t)i * 1000003u;
		r.u.flow.ltime = r.u.flow.stime + 123456789u;
		r.u.flow.src.pkts = 1000000007ull * (uint64_t)(i + 1);
		r.u.flow.src.bytes = 999999999999ull + (uint64_t)i;
		r.u.flow.dst.bytes = 777777777777ull + (uint64_t)i;
		CHECK(gf_writer_put(w, &r) == 0);
		if (per > 0 && (i + 1) % per == 0)
			CHECK(gf_writer_flush(w) == 0);
	}
	CHECK(gf_writer_close(w) == 0);
}

/* The blocks of a stream file, the end block included. */
static int
walk(const char *path, struct blk *b)
{
	FILE *f = fopen(path, "rb");
	uint8_t h[GF_BLOCK_HDR_LEN];
	long off = GF_HEADER_MIN_LEN;
	uint64_t id = 1;
	int n = 0;

	if (f == NULL)
		return 0;
	while (n < MAXB && fseek(f, off, SEEK_SET) == 0 &&
	    fread(h, 1, sizeof(h), f) == sizeof(h)) {
		b[n].off = off;
		b[n].len = GF_BLOCK_HDR_LEN + (long)gf_le32(h + 4);
		b[n].nrec = gf_le32(h + 12);
		b[n].first = id;
		id += b[n].nrec;
		off += b[n].len;
		n++;
	}
	fclose(f);
	return n;
}

static uint8_t *
slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	p = malloc((size_t)*len + 1);
	CHECK(fread(p, 1, (size_t)*len, f) == (size_t)*len);
	fclose(f);
	return p;
}

static void
spill(const char *path, const uint8_t *p, long len)
{
	FILE *f = fopen(path, "wb");
	CHECK(fwrite(p, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
}

/* Read path; got[i] counts the records with flowid i + 1 (n of them);
 * returns the -1 results, *msg what was said on stderr (free it). */
static int
read_capture(const char *path, uint8_t *got, uint64_t n, char **msg)
{
	char errpath[128];
	struct gf_reader *rd;
	struct gf_record r;
	int saved, fd, rc, errs = 0;

	snprintf(errpath, sizeof(errpath), "%s/stderr", tmpdir);
	fflush(stderr);
	saved = dup(2);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	rd = gf_reader_open_path(path);
	while (rd != NULL && (rc = gf_reader_next(rd, &r)) != 0) {
		if (rc < 0) {
			errs++;
			continue;
		}
		if (r.type == GF_RT_FLOW && r.u.flow.flowid >= 1 &&
		    r.u.flow.flowid <= n)
			got[r.u.flow.flowid - 1]++;
		else
			CHECK(0);
	}
	gf_reader_close(rd);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	*msg = tl_slurp(errpath);
	return errs;
}

/* Every record of the blocks whose bit is set in keep, once; no other. */
static void
check_kept(const uint8_t *got, uint64_t n, const struct blk *b, int nb,
    uint64_t keep)
{
	uint64_t bad = 0;
	for (int i = 0; i < nb; i++)
		for (uint32_t j = 0; j < b[i].nrec; j++)
			if (got[b[i].first - 1 + j] != ((keep >> i) & 1))
				bad++;
	CHECK_U64(bad, 0);
	(void)n;
}

static void
check_msg(const char *got, const char *want)
{
	CHECK_STR(got, want);
}

/* Read path: errs errors, exactly the records of the blocks in keep, and
 * (want not NULL) exactly that on stderr. */
static void
expect_read(const char *path, uint64_t n, const struct blk *b, int nb,
    uint64_t keep, int errs, const char *want)
{
	uint8_t *got = calloc(n, 1);
	char *msg;
	CHECK_U64(read_capture(path, got, n, &msg), errs);
	check_kept(got, n, b, nb, keep);
	if (want != NULL)
		check_msg(msg, want);
	free(msg);
	free(got);
}

/* Point 4: a stored length changed to a larger value within bounds, that
 * runs past the end of the file; and to a smaller one (CRC mismatch). */
TEST(lying_length_costs_only_its_block)
{
	struct blk b[MAXB];
	const char *p = tmppath("len.gf"), *q = tmppath("len2.gf");
	uint8_t *buf;
	long len;
	int nb;
	char want[1024];

	write_stream(p, 12000, 0);
	nb = walk(p, b);
	CHECK(nb == 4);         /* 3 blocks of records, the end block */
	if (nb != 4)
		return;
	buf = slurp(p, &len);
	/* raw = stored = 1000000: within bounds, past the end of the file */
	gf_put_le32(buf + b[1].off + 4, 1000000);
	gf_put_le32(buf + b[1].off + 8, 1000000);
	spill(q, buf, len);
	snprintf(want, sizeof(want), "test: %s: bad block length at offset "
	    "%ld (1000024 bytes, past the end of the input); skipped %ld "
	    "bytes from %ld to %ld; 1 block missing (number 1)\n", q,
	    b[1].off, b[2].off - b[1].off, b[1].off, b[2].off);
	expect_read(q, 12000, b, nb, 0x5, 1, want);

	/* smaller: the CRC no longer matches */
	gf_put_le32(buf + b[1].off + 4, (uint32_t)(b[1].len - 24 - 1000));
	gf_put_le32(buf + b[1].off + 8, (uint32_t)(b[1].len - 24 - 1000));
	spill(q, buf, len);
	snprintf(want, sizeof(want), "test: %s: block CRC mismatch at offset "
	    "%ld; skipped %ld bytes from %ld to %ld; 1 block missing (number "
	    "1)\n", q, b[1].off, b[2].off - b[1].off, b[1].off, b[2].off);
	expect_read(q, 12000, b, nb, 0x5, 1, want);
	free(buf);
}

/* Point 5: "GFBK" repeated 100,000 times after the header: one line. */
TEST(block_magic_flood_is_one_line)
{
	struct blk b[MAXB];
	const char *p = tmppath("fl.gf"), *q = tmppath("fl2.gf");
	uint8_t *buf, *out;
	long len, junk = 4L * 100000;
	int nb;
	char want[1024];

	write_stream(p, 100, 0);
	nb = walk(p, b);
	buf = slurp(p, &len);
	out = malloc((size_t)(len + junk));
	memcpy(out, buf, GF_HEADER_MIN_LEN);
	for (long i = 0; i < junk; i += 4)
		memcpy(out + GF_HEADER_MIN_LEN + i, "GFBK", 4);
	memcpy(out + GF_HEADER_MIN_LEN + junk, buf + GF_HEADER_MIN_LEN,
	    (size_t)(len - GF_HEADER_MIN_LEN));
	spill(q, out, len + junk);
	/* "GFBK" read as u32s: stored = raw = records = 0x4b424647 */
	snprintf(want, sizeof(want), "test: %s: bad block header at offset "
	    "80 (stored 1262634567, raw 1262634567, records 1262634567, flags "
	    "0x4647); skipped %ld bytes from 80 to %ld\n", q, junk,
	    80 + junk);
	expect_read(q, 100, b, nb, 0x1, 1, want);
	free(out);
	free(buf);
}

/* Point 5: 30 damaged spans: 20 reports, then one summary at the end. */
TEST(damage_reports_are_rate_limited)
{
	struct blk b[MAXB];
	const char *p = tmppath("rl.gf"), *q = tmppath("rl2.gf");
	uint8_t *buf, *got;
	long len, skipped = 0;
	int nb, lines = 0;
	uint64_t keep = 0;
	char *msg, want[512], *last;

	write_stream(p, 600, 10);       /* 60 blocks of 10 records */
	nb = walk(p, b);
	CHECK(nb == 61);
	if (nb != 61)
		return;
	buf = slurp(p, &len);
	for (int i = 0; i < 60; i++) {
		if (i % 2 == 1) {       /* a payload byte of every odd block */
			buf[b[i].off + 30] ^= 0x55;
			skipped += b[i].len;
		} else {
			keep |= 1ull << i;
		}
	}
	keep |= 1ull << 60;
	spill(q, buf, len);
	got = calloc(600, 1);
	CHECK_U64(read_capture(q, got, 600, &msg), 30);
	check_kept(got, 600, b, 60, keep);
	free(got);
	for (char *s = msg; s != NULL && (s = strchr(s, '\n')) != NULL; s++)
		lines++;
	CHECK_U64(lines, 21);
	CHECK(strstr(msg, "(further damage in this input is counted, and "
	    "summed up at its end)\n") != NULL);
	last = msg + strlen(msg) - 1;
	while (last > msg && last[-1] != '\n')
		last--;
	snprintf(want, sizeof(want), "test: %s: 10 more damage reports not "
	    "shown; %ld bytes skipped in all\n", q, skipped);
	check_msg(last, want);
	free(msg);
	free(buf);
}

/* Point 6: a middle block removed; a stream cut at a block boundary; a
 * stream whose writer never finished (no end block). */
TEST(missing_blocks_and_cut_streams)
{
	struct blk b[MAXB];
	const char *p = tmppath("mb.gf"), *q = tmppath("mb2.gf");
	uint8_t *buf, *out;
	long len;
	int nb;
	char want[1024];

	write_stream(p, 12000, 0);
	nb = walk(p, b);
	CHECK(nb == 4);
	if (nb != 4)
		return;
	buf = slurp(p, &len);
	out = malloc((size_t)len);
	/* without block 1 */
	memcpy(out, buf, (size_t)b[1].off);
	memcpy(out + b[1].off, buf + b[2].off, (size_t)(len - b[2].off));
	spill(q, out, len - b[1].len);
	snprintf(want, sizeof(want), "test: %s: 1 block missing (number 1) "
	    "before the block at offset %ld\n", q, b[1].off);
	expect_read(q, 12000, b, nb, 0x5, 1, want);

	/* cut after block 1: blocks 0 and 1 are read, then it is said */
	spill(q, buf, b[2].off);
	snprintf(want, sizeof(want), "test: %s: the stream ends at offset %ld "
	    "without its end block, after block number 1: its writer did "
	    "not finish it (killed, or still writing), or it was cut at a "
	    "block boundary and any later blocks are missing\n", q, b[2].off);
	expect_read(q, 12000, b, nb, 0x3, 1, want);

	/* only the end block missing (kill -9 after the last write) */
	spill(q, buf, b[3].off);
	expect_read(q, 12000, b, nb, 0x7, 1, NULL);

	/* the whole stream: nothing said */
	expect_read(p, 12000, b, nb, 0xf, 0, "");
	free(out);
	free(buf);
}

/* A version 2.0 stream (no block numbers, no end block) reads without a
 * word. */
TEST(format_2_0_still_read)
{
	struct blk b[MAXB];
	const char *p = tmppath("v20.gf"), *q = tmppath("v20b.gf");
	uint8_t *buf;
	long len;
	int nb;

	write_stream(p, 12000, 0);
	nb = walk(p, b);
	CHECK(nb == 4);
	if (nb != 4)
		return;
	buf = slurp(p, &len);
	gf_put_le16(buf + 10, 0);                       /* minor 0 */
	gf_put_le32(buf + 76, (uint32_t)crc32(0L, buf, 76));
	for (int i = 0; i < 3; i++)                     /* reserved 0 */
		gf_block_set_seq(buf + b[i].off, (size_t)b[i].len, 0);
	spill(q, buf, b[3].off);                        /* no end block */
	expect_read(q, 12000, b, nb, 0x7, 0, "");
	free(buf);
}

/* A gzipped stream whose gzip trailer is cut; and one that is whole. */
TEST(gzip_trailer_checked)
{
	struct blk b[MAXB];
	const char *p = tmppath("gz.gf"), *z = tmppath("gz.gf.gz");
	uint8_t *buf, *zb;
	long len, zlen;
	int nb;
	gzFile gz;
	char want[512];

	write_stream(p, 3000, 0);
	nb = walk(p, b);
	buf = slurp(p, &len);
	gz = gzopen(z, "wb6");
	CHECK(gzwrite(gz, buf, (unsigned)len) == (int)len);
	gzclose(gz);
	expect_read(z, 3000, b, nb, (1ull << nb) - 1, 0, "");

	/* the last 4 bytes (ISIZE) gone: every record is there, and the
	 * missing trailer is said */
	zb = slurp(z, &zlen);
	spill(z, zb, zlen - 4);
	snprintf(want, sizeof(want), "test: %s: gzip data cut short after %ld "
	    "bytes of stream: its end and CRC trailer are missing\n", z, len);
	expect_read(z, 3000, b, nb, (1ull << nb) - 1, 1, want);
	free(zb);
	free(buf);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gf-damage-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	gf_log_init("test");
	RUN(lying_length_costs_only_its_block);
	RUN(block_magic_flood_is_one_line);
	RUN(damage_reports_are_rate_limited);
	RUN(missing_blocks_and_cut_streams);
	RUN(format_2_0_still_read);
	RUN(gzip_trailer_checked);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return 2;
	}
	return test_summary();
}
