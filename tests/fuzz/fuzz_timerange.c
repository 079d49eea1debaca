/*
 * fuzz_timerange.c - libFuzzer harness for reading times, ranges and
 * ISO 8601 durations (common/timefmt.c: gapdump -t, times in filters).
 *
 * For every input it checks that nothing crashes or reads out of bounds
 * (the sanitizers' part), that a refused range always explains itself,
 * and that an accepted range is never empty or reversed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256];
	uint64_t from, to, ns, unit;
	const uint64_t now = 1796354280ull * 1000000000ull;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err[0] = '\0';
	if (gf_time_range_parse(s, now, &from, &to, err, sizeof(err)) == 0) {
		if (to <= from)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	(void)gf_time_parse(s, now, &ns, &unit);
	(void)gf_iso_duration_parse(s, &ns);
	free(s);
	return 0;
}
