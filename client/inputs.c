/*
 * inputs.c - input files and directory trees (see inputs.h).
 */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "bytes.h"
#include "gapflow.h"
#include "inputs.h"
#include "log.h"

#define PEEK_LEN     32                 /* magic .. start time */
#define START_OFFSET 24
#define MAX_DEPTH_FD 32                 /* descriptors nftw may hold */

struct found {
	char *path;
	uint64_t start;
};

/* nftw passes no context: the walk in progress, one at a time. */
static struct {
	struct found *f;
	size_t n, cap;
} walk;

void
inputs_add(struct input_list *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->path = gf_xrealloc(l->path, l->cap * sizeof(*l->path));
	}
	l->path[l->n++] = gf_xstrdup(path);
}

void
inputs_free(struct input_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->path[i]);
	free(l->path);
	memset(l, 0, sizeof(*l));
}

/* Whether a file that is not a record stream looks like a damaged one
 * rather than an unrelated file (a pcap, a note): it is empty, or its
 * name is a record file's, or most of the magic is there. */
static int
looks_damaged(const char *path, const unsigned char *b, int n)
{
	size_t len = strlen(path);
	int same = 0;

	if (n <= 0)
		return 1;
	if ((len > 3 && strcmp(path + len - 3, ".gf") == 0) ||
	    (len > 6 && strcmp(path + len - 6, ".gf.gz") == 0))
		return 1;
	for (int i = 0; i < GF_MAGIC_LEN && i < n; i++)
		same += b[i] == (unsigned char)GF_MAGIC[i];
	return same >= 5;
}

/* 1 and the header's start time if path is a record stream (gzip or
 * not: gzread reads plain files as they are); 2 if it looks like a
 * damaged one (the reader reports it, as for -r); else 0. */
static int
peek_stream(const char *path, uint64_t *start)
{
	unsigned char b[PEEK_LEN];
	gzFile gz = gzopen(path, "rb");
	int n;

	if (gz == NULL) {
		gf_warn("option -R: %s: cannot open: %s; passed over", path,
		    strerror(errno));
		return 0;
	}
	n = gzread(gz, b, sizeof(b));
	gzclose(gz);
	if (n < PEEK_LEN || memcmp(b, GF_MAGIC, GF_MAGIC_LEN) != 0) {
		*start = 0;
		return looks_damaged(path, b, n) ? 2 : 0;
	}
	*start = gf_le64(b + START_OFFSET);
	return 1;
}

static int
visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	uint64_t start;

	(void)sb;
	if (type == FTW_F && path[ftw->base] == '.')
		return 0;       /* hidden, or a sensor's file being written */
	if (type == FTW_DNR)
		gf_warn("option -R: %s: cannot read the directory; passed "
		    "over", path);
	if (type != FTW_F || !peek_stream(path, &start))
		return 0;
	if (walk.n == walk.cap) {
		walk.cap = walk.cap ? walk.cap * 2 : 64;
		walk.f = gf_xrealloc(walk.f, walk.cap * sizeof(*walk.f));
	}
	walk.f[walk.n].path = gf_xstrdup(path);
	walk.f[walk.n].start = start;
	walk.n++;
	return 0;
}

static int
found_cmp(const void *x, const void *y)
{
	const struct found *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->path, b->path);
}

long
inputs_add_tree(struct input_list *l, const char *dir, char *err,
    size_t errlen)
{
	struct stat sb;
	long n;

	if (stat(dir, &sb) != 0) {
		snprintf(err, errlen, "option -R: %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "option -R: %s: not a directory", dir);
		return -1;
	}
	memset(&walk, 0, sizeof(walk));
	if (nftw(dir, visit, MAX_DEPTH_FD, FTW_PHYS) != 0) {
		snprintf(err, errlen, "option -R: %s: cannot walk the tree: "
		    "%s", dir, strerror(errno));
		for (size_t i = 0; i < walk.n; i++)
			free(walk.f[i].path);
		free(walk.f);
		return -1;
	}
	if (walk.n > 1)
		qsort(walk.f, walk.n, sizeof(*walk.f), found_cmp);
	for (size_t i = 0; i < walk.n; i++) {
		inputs_add(l, walk.f[i].path);
		free(walk.f[i].path);
	}
	free(walk.f);
	n = (long)walk.n;
	memset(&walk, 0, sizeof(walk));
	return n;
}
