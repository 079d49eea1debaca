/*
 * fuzz_config.c - libFuzzer harness for the YAML configuration loader
 * (common/config.c).
 *
 * For every input it checks that gf_config_load() neither crashes, leaks
 * nor reads out of bounds (the sanitizers' part); that a failed load
 * always explains itself with a message starting "FILE:"; and that a
 * successful load prints (gf_config_print) to YAML that loads back and
 * prints identically, since --print-config output is meant to be reused.
 *
 * The input goes through a memfd opened by its /proc path, so the loader
 * reads a real file without the harness leaving any behind.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static int
load_bytes(const void *data, size_t size, struct gf_config *cfg, char *err,
    size_t errlen)
{
	const char *p = data;
	char path[64];
	ssize_t w;
	int fd, rc;

	if ((fd = memfd_create("fuzz_config", MFD_CLOEXEC)) == -1) {
		perror("memfd_create");
		abort();
	}
	while (size > 0) {
		if ((w = write(fd, p, size)) <= 0) {
			perror("write");
			abort();
		}
		p += w;
		size -= (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	rc = gf_config_load(path, cfg, err, errlen);
	if (rc != 0 && (strncmp(err, path, strlen(path)) != 0 ||
	    err[strlen(path)] != ':')) {
		fprintf(stderr, "failed load without a proper message: '%s'\n",
		    err);
		abort();
	}
	close(fd);
	return rc;
}

static char *
print_config(const struct gf_config *cfg, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	gf_config_print(cfg, f);
	if (fclose(f) != 0)
		abort();
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gf_config cfg, again;
	char err[1024], *first, *second;
	size_t n1, n2;

	gf_config_defaults(&cfg);
	if (load_bytes(data, size, &cfg, err, sizeof(err)) == 0) {
		first = print_config(&cfg, &n1);
		gf_config_defaults(&again);
		if (load_bytes(first, n1, &again, err, sizeof(err)) != 0) {
			fprintf(stderr, "printed config does not load: %s\n%s",
			    err, first);
			abort();
		}
		second = print_config(&again, &n2);
		if (n1 != n2 || memcmp(first, second, n1) != 0) {
			fprintf(stderr, "print/load/print differs:\n%s---\n%s",
			    first, second);
			abort();
		}
		free(first);
		free(second);
		gf_config_free(&again);
	}
	gf_config_free(&cfg);
	return 0;
}
