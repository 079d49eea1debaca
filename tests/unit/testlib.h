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
#include <string.h>

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

#endif
