/*
 * peakrss - run a command and report its wall time and peak memory.
 *
 *   peakrss [-o FILE] COMMAND [ARG...]
 *
 * Forks and execs COMMAND (searched in PATH; stdin, stdout and stderr
 * are inherited, so redirect them around peakrss), waits for it with
 * wait4() and writes one line
 *   SECONDS MAXRSS_KIB CPU_SECONDS STATUS
 * to FILE (default stderr): wall-clock seconds, the child's ru_maxrss
 * in KiB (the largest of it and any children it waited for), user +
 * system CPU seconds, and its exit status (128 + N if killed by signal
 * N).  peakrss exits with that status, or 127 if COMMAND could not be
 * run.  Used by tests/bench/run.sh instead of /usr/bin/time, which may
 * be absent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *outpath = NULL;
	struct timespec t0, t1;
	struct rusage ru;
	FILE *out = stderr;
	int argi = 1, status, code;
	pid_t pid, w;
	double secs, cpu;

	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		outpath = argv[2];
		argi = 3;
	}
	if (argi < argc && strcmp(argv[argi], "--") == 0)
		argi++;
	if (argi >= argc) {
		fprintf(stderr, "usage: peakrss [-o FILE] COMMAND [ARG...]\n");
		return 2;
	}
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL) {
		fprintf(stderr, "peakrss: %s: %s\n", outpath, strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "peakrss: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		if (out != stderr)
			fclose(out);
		execvp(argv[argi], argv + argi);
		fprintf(stderr, "peakrss: %s: %s\n", argv[argi],
		    strerror(errno));
		_exit(127);
	}
	while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (w < 0) {
		fprintf(stderr, "peakrss: wait4: %s\n", strerror(errno));
		return 2;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	code = WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
	fprintf(out, "%.3f %ld %.3f %d\n", secs, ru.ru_maxrss, cpu, code);
	if (out != stderr && fclose(out) != 0)
		return 2;
	return code;
}
