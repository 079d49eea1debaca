/*
 * testlib.h - a minimal unit-test harness.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_U64(a, 42); }
 *   int main(void) { RUN(name); return test_summary(); }
 *
 * Each TEST prints "PASS <file>:<name>" or "FAIL <file>:<name>" with the
 * failed checks; tests/run.sh counts those lines.
 */
#ifndef GF_TESTLIB_H
#define GF_TESTLIB_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tl_failed_checks;
static int tl_tests_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		tl_failed_checks++; \
		fprintf(stdout, "  %s:%d: CHECK failed: %s\n", __FILE__, \
		    __LINE__, #cond); \
	} \
} while (0)

#define CHECK_U64(got, want) do { \
	uint64_t tl_g = (uint64_t)(got), tl_w = (uint64_t)(want); \
	if (tl_g != tl_w) { \
		tl_failed_checks++; \
		fprintf(stdout, "  %s:%d: %s = %" PRIu64 ", want %" PRIu64 "\n", \
		    __FILE__, __LINE__, #got, tl_g, tl_w); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *tl_g = (got), *tl_w = (want); \
	if (tl_g == NULL || strcmp(tl_g, tl_w) != 0) { \
		tl_failed_checks++; \
		fprintf(stdout, "  %s:%d: %s = \"%s\", want \"%s\"\n", \
		    __FILE__, __LINE__, #got, tl_g ? tl_g : "(null)", tl_w); \
	} \
} while (0)

#define TEST(name) static void test_##name(void)

#define RUN(name) do { \
	int tl_before = tl_failed_checks; \
	test_##name(); \
	if (tl_failed_checks == tl_before) { \
		printf("PASS %s:%s\n", __FILE__, #name); \
	} else { \
		printf("FAIL %s:%s\n", __FILE__, #name); \
		tl_tests_failed++; \
	} \
	fflush(stdout); \
} while (0)

static inline int
test_summary(void)
{
	return tl_tests_failed ? 1 : 0;
}

/* The whole file at path, NUL-terminated (free it), or NULL. */
static inline char *
tl_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The repository file rel, from the root or from a build directory. */
static inline const char *
tl_repo_file(const char *rel)
{
	static char path[256];
	const char *up[] = { "", "../", "../../", "../../../" };
	size_t i;

	for (i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", up[i], rel);
		if (access(path, R_OK) == 0)
			return path;
	}
	return rel;
}

#endif
