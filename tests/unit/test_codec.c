/*
 * test_codec.c - record codec and stream reader/writer.
 *
 * Round trip of every registry field of every record type, damaged and
 * truncated blocks, unknown record types, records from newer and older
 * writers, version checks, empty streams, and one million records.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "codec.h"
#include "fields.h"
#include "stream.h"
#include "testlib.h"

static char tmpdir[64];

static const char *
tmppath(const char *name)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* A value for field number i that uses every byte of its width. */
static uint64_t
pattern(size_t i, uint8_t width)
{
	uint64_t v = 0x0102030405060708ULL * (i + 1) ^ 0x8877665544332211ULL;
	if (width < 8)
		v &= (1ULL << (width * 8)) - 1;
	return v;
}

static void
fill_record(struct gf_record *r, uint16_t type, uint64_t salt)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		if (f->rtype != type || f->wire == 0)
			continue;
		if (f->type == GF_FT_ADDR) {
			struct gf_addr *a = (struct gf_addr *)
			    ((uint8_t *)gf_record_body_mut(r) + f->offset);
			/* IPv4 fills the first 4 bytes, as the sensor does */
			a->family = (i + salt) % 2 ? 6 : 4;
			for (int k = 0; k < (a->family == 4 ? 4 : 16); k++)
				a->a[k] = (uint8_t)(i * 16 + k + salt);
			continue;
		}
		gf_field_set_u64(f, r, pattern(i + salt, f->wire));
	}
}

static int
records_equal(const struct gf_record *a, const struct gf_record *b)
{
	if (a->type != b->type)
		return 0;
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		if (f->rtype != a->type || f->wire == 0)
			continue;
		if (f->type == GF_FT_ADDR) {
			const uint8_t *x = (const uint8_t *)gf_record_body(a) + f->offset;
			const uint8_t *y = (const uint8_t *)gf_record_body(b) + f->offset;
			if (memcmp(x, y, sizeof(struct gf_addr)) != 0)
				return 0;
		} else if (gf_field_u64(f, a) != gf_field_u64(f, b)) {
			printf("  field %s differs\n", f->name);
			return 0;
		}
	}
	return 1;
}

TEST(member_widths_match_wire_widths)
{
	/* the registry addresses struct members by offset with its wire
	 * width: the two must agree for every integer field */
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		if (f->wire == 0)
			continue;
		switch (f->type) {
		case GF_FT_U8: CHECK_U64(f->wire, 1); break;
		case GF_FT_U16: CHECK_U64(f->wire, 2); break;
		case GF_FT_U32: CHECK_U64(f->wire, 4); break;
		case GF_FT_U64: CHECK_U64(f->wire, 8); break;
		case GF_FT_ADDR: CHECK_U64(f->wire, 17); break;
		default: CHECK(0);
		}
	}
}

TEST(field_names_unique_per_type)
{
	for (size_t i = 0; i < gf_nfields; i++)
		for (size_t j = i + 1; j < gf_nfields; j++)
			if (gf_fields[i].rtype == gf_fields[j].rtype)
				CHECK(strcmp(gf_fields[i].name,
				    gf_fields[j].name) != 0);
}

TEST(round_trip_every_field)
{
	uint8_t buf[GF_RECORD_MAX_LEN];
	for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++) {
		struct gf_record in, out;
		size_t len;
		uint16_t type;
		fill_record(&in, t, 3);
		len = gf_record_encode(&in, buf, sizeof(buf));
		CHECK(len > GF_RECORD_HDR_LEN);
		CHECK(len <= gf_record_wire_max(t));
		CHECK_U64(gf_le16(buf), t);
		CHECK_U64(gf_le16(buf + 2), len);
		CHECK_U64(gf_record_peek(buf, len, &type), len);
		CHECK_U64(type, t);
		CHECK_U64(gf_record_decode(buf, len, &out), 1);
		CHECK(records_equal(&in, &out));
	}
}

/* Every field at its largest value, then each field alone at 1 (the
 * other bits clear), then a record of zeros. */
TEST(round_trip_extremes_and_sparse)
{
	uint8_t buf[GF_RECORD_MAX_LEN];
	for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++) {
		struct gf_record in, out;
		size_t len;
		memset(&in, 0, sizeof(in));
		in.type = t;
		for (size_t i = 0; i < gf_nfields; i++) {
			const struct gf_field *f = &gf_fields[i];
			if (f->rtype != t || f->wire == 0)
				continue;
			if (f->type == GF_FT_ADDR)
				memset((uint8_t *)gf_record_body_mut(&in) +
				    f->offset, 0xff, sizeof(struct gf_addr));
			else
				gf_field_set_u64(f, &in, UINT64_MAX);
		}
		len = gf_record_encode(&in, buf, sizeof(buf));
		/* all present (times equal: their differences are short) */
		CHECK(len <= gf_record_wire_max(t));
		CHECK(len > gf_record_wire_max(t) / 2);
		CHECK_U64(gf_record_decode(buf, len, &out), 1);
		CHECK(records_equal(&in, &out));
		for (size_t i = 0; i < gf_nfields; i++) {
			const struct gf_field *f = &gf_fields[i];
			if (f->rtype != t || f->wire == 0 ||
			    f->type == GF_FT_ADDR)
				continue;
			memset(&in, 0, sizeof(in));
			in.type = t;
			gf_field_set_u64(f, &in, 1);
			len = gf_record_encode(&in, buf, sizeof(buf));
			CHECK_U64(gf_record_decode(buf, len, &out), 1);
			CHECK_U64(gf_field_u64(f, &out), 1);
			/* a FLOW record's trans of 0 reads as 1 */
			if (t == GF_RT_FLOW)
				in.u.flow.trans = 1;
			CHECK(records_equal(&in, &out));
		}
		memset(&in, 0, sizeof(in));
		in.type = t;
		len = gf_record_encode(&in, buf, sizeof(buf));
		CHECK_U64(len, 5 + (size_t)buf[4]);     /* header, bitmap */
		CHECK_U64(gf_record_decode(buf, len, &out), 1);
	}
}

/* Count of FLOW wire fields, from the registry. */
static size_t
flow_wire_fields(void)
{
	size_t n = 0;
	for (size_t i = 0; i < gf_nfields; i++)
		n += gf_fields[i].rtype == GF_RT_FLOW && gf_fields[i].wire;
	return n;
}

TEST(wire_bytes_by_hand)
{
	/* the first FLOW fields are kind (u8, bit 0), end, orient, state,
	 * proto (u8) and vlan (u16, bit 5); saddr is field 19 (bit 3 of
	 * the third bitmap byte).  kind 2, vlan 0x0a0b = 2571 = 0x0b +
	 * 0x14 * 128 -> LEB128 8b 14; saddr 10.0.0.1 -> 04 0a 00 00 01 */
	struct gf_record r;
	uint8_t buf[GF_RECORD_MAX_LEN];
	size_t nmap = (flow_wire_fields() + 7) / 8, len;
	const uint8_t values[] = { 0x02, 0x8b, 0x14, 0x04, 10, 0, 0, 1 };

	CHECK_U64(gf_field_find_type("saddr", GF_RT_FLOW) -
	    gf_field_find_type("kind", GF_RT_FLOW), 19);
	memset(&r, 0, sizeof(r));
	r.type = GF_RT_FLOW;
	r.u.flow.kind = GF_KIND_FINAL;
	r.u.flow.vlan = 0x0a0b;
	r.u.flow.saddr.family = 4;
	r.u.flow.saddr.a[0] = 10;
	r.u.flow.saddr.a[3] = 1;
	len = gf_record_encode(&r, buf, sizeof(buf));
	CHECK_U64(len, 4 + 1 + nmap + sizeof(values));
	CHECK_U64(gf_le16(buf), 1);
	CHECK_U64(gf_le16(buf + 2), len);
	CHECK_U64(buf[4], nmap);
	CHECK_U64(buf[5], 0x21);                /* bits 0 and 5 */
	CHECK_U64(buf[6], 0x00);
	CHECK_U64(buf[7], 0x08);                /* bit 19 */
	for (size_t j = 3; j < nmap; j++)
		CHECK_U64(buf[5 + j], 0);
	CHECK(memcmp(buf + 5 + nmap, values, sizeof(values)) == 0);
}

TEST(times_as_differences)
{
	/* fstime, stime, ltime are fields 14-16 (byte 1 bits 6, 7; byte 2
	 * bit 0).  Each time is stored as the zigzag difference from the
	 * previous time present, starting from 0: 1000 -> 2000 = d0 0f;
	 * 1000 - 1000 = 0 -> 00; 900 - 1000 = -100 -> 199 = c7 01 */
	struct gf_record r, out;
	uint8_t buf[GF_RECORD_MAX_LEN];
	size_t nmap = (flow_wire_fields() + 7) / 8, len;
	const uint8_t values[] = { 0xd0, 0x0f, 0x00, 0xc7, 0x01 };

	CHECK_U64(gf_field_find_type("fstime", GF_RT_FLOW) -
	    gf_field_find_type("kind", GF_RT_FLOW), 14);
	memset(&r, 0, sizeof(r));
	r.type = GF_RT_FLOW;
	r.u.flow.fstime = 1000;
	r.u.flow.stime = 1000;
	r.u.flow.ltime = 900;
	r.u.flow.trans = 1;
	len = gf_record_encode(&r, buf, sizeof(buf));
	CHECK_U64(buf[5], 0x00);
	CHECK_U64(buf[6], 0xc0);
	CHECK_U64(buf[7], 0x01);
	/* trans, the last field, is 1 */
	CHECK_U64(len, 4 + 1 + nmap + sizeof(values) + 1);
	CHECK(memcmp(buf + 5 + nmap, values, sizeof(values)) == 0);
	CHECK_U64(gf_record_decode(buf, len, &out), 1);
	CHECK(records_equal(&r, &out));
}

/*
 * gapflow-records(5) lists every wire field with its bit and type: the
 * tables must be the registry's, in the same order, or the normative
 * description lies.
 */
TEST(man_page_tables_match_registry)
{
	char *man = tl_slurp(tl_repo_file("man/gapflow-records.5"));
	const char *sect[] = { NULL, ".SS FLOW wire fields",
	    ".SS SENSOR wire fields" };

	CHECK(man != NULL);
	if (man == NULL)
		return;
	for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++) {
		const char *p = strstr(man, sect[t]);
		int bit = 0;
		CHECK(p != NULL);
		if (p == NULL)
			break;
		for (size_t i = 0; i < gf_nfields; i++) {
			const struct gf_field *f = &gf_fields[i];
			const char *ty;
			char want[160];
			if (f->rtype != t || f->wire == 0)
				continue;
			ty = f->type == GF_FT_U8 ? "u8" :
			    f->type == GF_FT_U16 ? "u16" :
			    f->type == GF_FT_U32 ? "u32" :
			    f->type == GF_FT_ADDR ? "address" :
			    f->show == GF_SH_TIME ? "u64 time" : "u64";
			snprintf(want, sizeof(want), "\n.BR %s \" \\(em %s, "
			    "bit %d;", f->name, ty, bit++);
			p = strstr(p, want);
			if (p == NULL) {
				printf("  man page lacks (in order): %s\n",
				    want + 1);
				CHECK(0);
				break;
			}
		}
	}
	free(man);
}

TEST(short_bitmap_from_older_writer)
{
	/* an older writer knew fewer fields: its bitmap is shorter, later
	 * fields decode as 0, trans as 1 */
	struct gf_record in, out;
	uint8_t buf[GF_RECORD_MAX_LEN];
	uint8_t old[16] = { 1, 0, 0, 0, 1, 0x21, 0x02, 0x8b, 0x14 };
	fill_record(&in, GF_RT_FLOW, 5);
	gf_put_le16(old + 2, 9);
	CHECK_U64(gf_record_decode(old, 9, &out), 1);
	CHECK_U64(out.u.flow.kind, 2);
	CHECK_U64(out.u.flow.vlan, 0x0a0b);
	CHECK_U64(out.u.flow.flowid, 0);
	CHECK_U64(out.u.flow.src.pkts, 0);
	CHECK_U64(out.u.flow.trans, 1);
	/* a record of only its header reads as zeros */
	CHECK_U64(gf_record_decode(old, 4, &out), 1);
	CHECK_U64(out.u.flow.kind, 0);
	(void)buf;
	(void)in;
}

TEST(longer_bitmap_from_newer_writer)
{
	/* a newer writer appended fields: bits past the reader's fields
	 * and their bytes are ignored */
	struct gf_record in, out;
	uint8_t a[GF_RECORD_MAX_LEN], b[GF_RECORD_MAX_LEN];
	size_t n = flow_wire_fields(), nmap = (n + 7) / 8, len, newmap;
	fill_record(&in, GF_RT_FLOW, 9);
	len = gf_record_encode(&in, a, sizeof(a));
	newmap = nmap + 2;
	memcpy(b, a, 4);
	b[4] = (uint8_t)newmap;
	memset(b + 5, 0, newmap);
	memcpy(b + 5, a + 5, nmap);
	b[5 + nmap + 1] = 0xff;                 /* 8 fields beyond */
	b[5 + n / 8] |= (uint8_t)(0xff << (n % 8));
	memcpy(b + 5 + newmap, a + 5 + nmap, len - 5 - nmap);
	memset(b + len + 2, 0xee, 30);
	gf_put_le16(b + 2, (uint16_t)(len + 32));
	CHECK_U64(gf_record_decode(b, len + 32, &out), 1);
	CHECK(records_equal(&in, &out));
}

TEST(malformed_records_rejected)
{
	struct gf_record out;
	/* kind present but the record ends at the bitmap */
	uint8_t cut[] = { 1, 0, 6, 0, 1, 0x01 };
	/* vlan (u16) of 70000 = f0 a2 04 */
	uint8_t big[] = { 1, 0, 9, 0, 1, 0x20, 0xf0, 0xa2, 0x04 };
	/* vlan as an 11-byte varint */
	uint8_t longv[] = { 1, 0, 17, 0, 1, 0x20, 0x80, 0x80, 0x80, 0x80,
	    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	/* a varint whose continuation runs past the end */
	uint8_t open_end[] = { 1, 0, 7, 0, 1, 0x20, 0x85 };
	/* bitmap length past the end */
	uint8_t map[] = { 1, 0, 6, 0, 9, 0xff };
	/* saddr (bit 19), IPv6, 16 bytes promised, 3 present */
	uint8_t addr[] = { 1, 0, 12, 0, 3, 0, 0, 0x08, 6, 1, 2, 3 };
	/* u64 flowid (bit 13: byte 1 bit 5) above 2^64: 10th byte 0x02 */
	uint8_t wide[] = { 1, 0, 17, 0, 2, 0, 0x20, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };

	CHECK_U64(gf_field_find_type("flowid", GF_RT_FLOW) -
	    gf_field_find_type("kind", GF_RT_FLOW), 13);
	CHECK(gf_record_decode(cut, sizeof(cut), &out) < 0);
	CHECK(gf_record_decode(big, sizeof(big), &out) < 0);
	CHECK(gf_record_decode(longv, sizeof(longv), &out) < 0);
	CHECK(gf_record_decode(open_end, sizeof(open_end), &out) < 0);
	CHECK(gf_record_decode(map, sizeof(map), &out) < 0);
	CHECK(gf_record_decode(addr, sizeof(addr), &out) < 0);
	CHECK(gf_record_decode(wide, sizeof(wide), &out) < 0);
	/* the largest u64 (ten bytes, last 0x01) is fine */
	wide[16] = 0x01;
	CHECK_U64(gf_record_decode(wide, sizeof(wide), &out), 1);
	CHECK_U64(out.u.flow.flowid, UINT64_MAX);
}

TEST(peek_rejects_bad_lengths)
{
	uint8_t buf[8] = { 1, 0, 3, 0, 0, 0, 0, 0 };
	uint16_t type;
	CHECK_U64(gf_record_peek(buf, 8, &type), 0);    /* len 3 < header */
	gf_put_le16(buf + 2, 9);
	CHECK_U64(gf_record_peek(buf, 8, &type), 0);    /* past the end */
	gf_put_le16(buf + 2, 8);
	CHECK_U64(gf_record_peek(buf, 8, &type), 8);
	CHECK_U64(gf_record_peek(buf, 3, &type), 0);
}

static struct gf_stream_info
info_for_test(void)
{
	struct gf_stream_info info;
	memset(&info, 0, sizeof(info));
	info.sensorid = 7;
	info.start = 1700000000ULL * 1000000000ULL;
	info.interval = 5000000000ULL;
	strcpy(info.name, "tap1");
	return info;
}

/* Write n FLOW records (salt i) to path; returns records written. */
static void
write_records(const char *path, int n, int level)
{
	struct gf_stream_info info = info_for_test();
	struct gf_writer *w = gf_writer_open_path(path, &info, level);
	struct gf_record r;
	CHECK(w != NULL);
	if (w == NULL)
		return;
	for (int i = 0; i < n; i++) {
		fill_record(&r, GF_RT_FLOW, (uint64_t)i);
		CHECK(gf_writer_put(w, &r) == 0);
	}
	fill_record(&r, GF_RT_SENSOR, 1);
	gf_writer_put(w, &r);
	CHECK(gf_writer_close(w) == 0);
}

/* Read path; returns records, *errors set.  check: compare with salts. */
static int
read_records(const char *path, uint64_t *errors, int check)
{
	struct gf_reader *rd = gf_reader_open_path(path);
	struct gf_record r, want;
	int n = 0, flows = 0, rc;
	*errors = 0;
	if (rd == NULL) {
		*errors = 1;
		return -1;
	}
	while ((rc = gf_reader_next(rd, &r)) != 0) {
		if (rc < 0)
			continue;
		if (check && r.type == GF_RT_FLOW) {
			fill_record(&want, GF_RT_FLOW, (uint64_t)flows);
			if (!records_equal(&r, &want))
				CHECK(0);
		}
		flows += r.type == GF_RT_FLOW;
		n++;
	}
	*errors = gf_reader_errors(rd);
	gf_reader_close(rd);
	return n;
}

TEST(stream_header_round_trip)
{
	struct gf_reader *rd;
	write_records(tmppath("h.gf"), 1, 6);
	rd = gf_reader_open_path(tmppath("h.gf"));
	CHECK(rd != NULL);
	if (rd == NULL)
		return;
	CHECK_U64(gf_reader_info(rd)->sensorid, 7);
	CHECK_U64(gf_reader_info(rd)->interval, 5000000000ULL);
	CHECK_U64(gf_reader_info(rd)->start, 1700000000ULL * 1000000000ULL);
	CHECK_STR(gf_reader_info(rd)->name, "tap1");
	CHECK_U64(gf_reader_info(rd)->major, GF_FORMAT_MAJOR);
	gf_reader_close(rd);
}

TEST(stream_compressed_and_plain)
{
	uint64_t err;
	write_records(tmppath("z.gf"), 5000, 6);
	CHECK_U64(read_records(tmppath("z.gf"), &err, 1), 5001);
	CHECK_U64(err, 0);
	write_records(tmppath("p.gf"), 5000, -1);
	CHECK_U64(read_records(tmppath("p.gf"), &err, 1), 5001);
	CHECK_U64(err, 0);
}

static long
file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

static void
patch_byte(const char *path, long off, uint8_t xor)
{
	int fd = open(path, O_RDWR);
	uint8_t b;
	if (fd < 0)
		return;
	if (pread(fd, &b, 1, off) == 1) {
		b ^= xor;
		if (pwrite(fd, &b, 1, off) != 1)
			CHECK(0);
	}
	close(fd);
}

/* Offsets of the blocks in a stream file. */
static int
block_offsets(const char *path, long *offs, int max)
{
	FILE *f = fopen(path, "rb");
	uint8_t hdr[GF_BLOCK_HDR_LEN];
	long off = GF_HEADER_MIN_LEN;
	int n = 0;
	if (f == NULL)
		return 0;
	while (n < max && fseek(f, off, SEEK_SET) == 0 &&
	    fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr)) {
		offs[n++] = off;
		off += GF_BLOCK_HDR_LEN + (long)gf_le32(hdr + 4);
	}
	fclose(f);
	return n;
}

TEST(bad_crc_keeps_other_blocks)
{
	/* 5000 records make several blocks; damage the second block's
	 * payload: its records are lost, all others are read, one error */
	long offs[64];
	int nb;
	uint64_t err;
	uint8_t hdr[GF_BLOCK_HDR_LEN];
	FILE *f;
	uint32_t nrec2;

	write_records(tmppath("crc.gf"), 5000, -1);
	nb = block_offsets(tmppath("crc.gf"), offs, 64);
	CHECK(nb >= 3);
	if (nb < 3)
		return;
	f = fopen(tmppath("crc.gf"), "rb");
	fseek(f, offs[1], SEEK_SET);
	CHECK(fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr));
	fclose(f);
	nrec2 = gf_le32(hdr + 12);
	patch_byte(tmppath("crc.gf"), offs[1] + GF_BLOCK_HDR_LEN + 100, 0x40);
	CHECK_U64(read_records(tmppath("crc.gf"), &err, 0), 5001 - nrec2);
	CHECK_U64(err, 1);
}

TEST(truncated_last_block)
{
	long offs[64], size;
	int nb;
	uint64_t err;
	write_records(tmppath("tr.gf"), 5000, 6);
	nb = block_offsets(tmppath("tr.gf"), offs, 64);
	size = file_size(tmppath("tr.gf"));
	CHECK(nb >= 2);
	/* cut in the middle of the last block */
	CHECK(truncate(tmppath("tr.gf"), (offs[nb - 1] + size) / 2) == 0);
	{
		/* count the records of the complete blocks by hand */
		FILE *f = fopen(tmppath("tr.gf"), "rb");
		uint8_t hdr[GF_BLOCK_HDR_LEN];
		uint64_t want = 0;
		for (int i = 0; i < nb - 1; i++) {
			fseek(f, offs[i], SEEK_SET);
			CHECK(fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr));
			want += gf_le32(hdr + 12);
		}
		fclose(f);
		CHECK_U64(read_records(tmppath("tr.gf"), &err, 1), want);
		CHECK_U64(err, 1);
	}
	/* cut inside a block header */
	CHECK(truncate(tmppath("tr.gf"), offs[1] + 10) == 0);
	{
		int n = read_records(tmppath("tr.gf"), &err, 1);
		CHECK(n > 0);
		CHECK_U64(err, 1);
	}
}

/* Write a stream by hand: header (with given versions), then one block
 * holding the given raw record bytes. */
static void
write_raw_stream(const char *path, uint16_t major, uint16_t minor,
    const uint8_t *raw, size_t rawlen, uint32_t nrec)
{
	struct gf_stream_info info = info_for_test();
	uint8_t hdr[GF_HEADER_MIN_LEN];
	static uint8_t block[GF_BLOCK_HDR_LEN + GF_BLOCK_MAX_STORED];
	FILE *f = fopen(path, "wb");
	size_t blen;
	info.major = major;
	info.minor = minor;
	gf_stream_header_encode(&info, hdr);
	fwrite(hdr, 1, sizeof(hdr), f);
	if (rawlen > 0) {
		blen = gf_block_encode(raw, rawlen, nrec, 6, 0, block);
		fwrite(block, 1, blen, f);
	}
	if (minor >= 1) {       /* 2.1 and later end with the end block */
		gf_block_end(rawlen > 0 ? 1 : 0, block);
		fwrite(block, 1, GF_BLOCK_HDR_LEN, f);
	}
	fclose(f);
}

TEST(unknown_type_and_newer_fields_skipped)
{
	/* a newer writer: minor version + 1, a record type this reader does
	 * not know, and FLOW records with 20 extra trailing bytes */
	uint8_t raw[4096];
	size_t off = 0, len;
	struct gf_record r, out;
	uint64_t err;
	struct gf_reader *rd;
	int n = 0, flows = 0, rc;

	for (int i = 0; i < 2; i++) {
		fill_record(&r, GF_RT_FLOW, (uint64_t)i);
		len = gf_record_encode(&r, raw + off, sizeof(raw) - off);
		memset(raw + off + len, 0xee, 20);
		gf_put_le16(raw + off + 2, (uint16_t)(len + 20));
		off += len + 20;
		if (i == 0) {   /* type 77, 10 bytes */
			gf_put_le16(raw + off, 77);
			gf_put_le16(raw + off + 2, 10);
			memset(raw + off + 4, 0x55, 6);
			off += 10;
		}
	}
	write_raw_stream(tmppath("new.gf"), GF_FORMAT_MAJOR,
	    GF_FORMAT_MINOR + 1, raw, off, 3);
	rd = gf_reader_open_path(tmppath("new.gf"));
	CHECK(rd != NULL);
	if (rd == NULL)
		return;
	while ((rc = gf_reader_next(rd, &out)) != 0) {
		CHECK(rc == 1);
		if (rc == 1 && out.type == GF_RT_FLOW) {
			fill_record(&r, GF_RT_FLOW, (uint64_t)flows);
			CHECK(records_equal(&r, &out));
			flows++;
		}
		n++;
	}
	CHECK_U64(n, 2);
	CHECK_U64(gf_reader_skipped(rd), 1);
	CHECK_U64(gf_reader_errors(rd), 0);
	gf_reader_close(rd);
	(void)err;
}

TEST(newer_major_version_refused)
{
	struct gf_reader *rd;
	write_raw_stream(tmppath("v2.gf"), GF_FORMAT_MAJOR + 1, 0, NULL, 0, 0);
	rd = gf_reader_open_path(tmppath("v2.gf"));
	CHECK(rd == NULL);
	gf_reader_close(rd);
}

TEST(empty_stream_and_empty_file)
{
	uint64_t err;
	FILE *f;
	write_raw_stream(tmppath("e.gf"), GF_FORMAT_MAJOR, 0, NULL, 0, 0);
	CHECK_U64(read_records(tmppath("e.gf"), &err, 0), 0);
	CHECK_U64(err, 0);
	f = fopen(tmppath("zero.gf"), "wb");
	fclose(f);
	CHECK(gf_reader_open_path(tmppath("zero.gf")) == NULL);
	f = fopen(tmppath("text.gf"), "wb");
	fputs("this is not a record stream\n", f);
	fclose(f);
	CHECK(gf_reader_open_path(tmppath("text.gf")) == NULL);
}

TEST(record_count_mismatch_reported)
{
	/* a block that promises 3 records but holds 2 */
	uint8_t raw[2048];
	size_t off = 0;
	struct gf_record r;
	uint64_t err;
	for (int i = 0; i < 2; i++) {
		fill_record(&r, GF_RT_FLOW, (uint64_t)i);
		off += gf_record_encode(&r, raw + off, sizeof(raw) - off);
	}
	write_raw_stream(tmppath("cnt.gf"), GF_FORMAT_MAJOR, 0, raw, off, 3);
	CHECK_U64(read_records(tmppath("cnt.gf"), &err, 1), 2);
	CHECK_U64(err, 1);
}

TEST(malformed_record_reported_and_skipped)
{
	/* good, malformed (a varint that runs past its record), good */
	uint8_t raw[2048];
	const uint8_t bad[] = { 1, 0, 7, 0, 1, 0x20, 0x85 };
	size_t off = 0;
	struct gf_record r;
	uint64_t err;
	for (int i = 0; i < 2; i++) {
		fill_record(&r, GF_RT_FLOW, (uint64_t)i);
		off += gf_record_encode(&r, raw + off, sizeof(raw) - off);
		if (i == 0) {
			memcpy(raw + off, bad, sizeof(bad));
			off += sizeof(bad);
		}
	}
	write_raw_stream(tmppath("mal.gf"), GF_FORMAT_MAJOR, 0, raw, off, 3);
	CHECK_U64(read_records(tmppath("mal.gf"), &err, 1), 2);
	CHECK_U64(err, 1);
}

TEST(one_million_records)
{
	uint64_t err;
	write_records(tmppath("m.gf"), 1000000, 1);
	CHECK_U64(read_records(tmppath("m.gf"), &err, 0), 1000001);
	CHECK_U64(err, 0);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gf-codec-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	RUN(member_widths_match_wire_widths);
	RUN(field_names_unique_per_type);
	RUN(round_trip_every_field);
	RUN(round_trip_extremes_and_sparse);
	RUN(wire_bytes_by_hand);
	RUN(times_as_differences);
	RUN(man_page_tables_match_registry);
	RUN(short_bitmap_from_older_writer);
	RUN(longer_bitmap_from_newer_writer);
	RUN(malformed_records_rejected);
	RUN(peek_rejects_bad_lengths);
	RUN(stream_header_round_trip);
	RUN(stream_compressed_and_plain);
	RUN(bad_crc_keeps_other_blocks);
	RUN(truncated_last_block);
	RUN(unknown_type_and_newer_fields_skipped);
	RUN(newer_major_version_refused);
	RUN(empty_stream_and_empty_file);
	RUN(record_count_mismatch_reported);
	RUN(malformed_record_reported_and_skipped);
	RUN(one_million_records);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			return 2;
	}
	return test_summary();
}
