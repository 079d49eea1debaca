/*
 * pcapread_bare - the bare libpcap read loop: the speed of light for any
 * tool that reads a capture file with libpcap.
 *
 *   pcapread_bare [-b BYTES] FILE.pcap
 *
 * Opens FILE with pcap_open_offline(), calls pcap_next_ex() for every
 * packet and touches each one minimally (sums caplen and the first byte,
 * so the compiler cannot drop the loop), then prints
 *   packets N bytes B sum S seconds T pps P
 * on stdout.  Exit status 1 on any error.
 *
 * -b BYTES opens the file with fopen() and a stdio buffer of BYTES
 * (setvbuf) and hands it to pcap_fopen_offline() instead: libpcap's own
 * open leaves stdio's default buffer (st_blksize, 4 KiB), i.e. one read(2)
 * per 4 KiB, which dominates the plain loop on some machines.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *p;
	struct timespec t0, t1;
	uint64_t n = 0, bytes = 0, sum = 0;
	double secs;
	const char *path;
	char *vbuf = NULL, *end;
	unsigned long bufsize = 0;
	pcap_t *pc;
	FILE *fp;
	int rc;

	if (argc == 4 && strcmp(argv[1], "-b") == 0) {
		bufsize = strtoul(argv[2], &end, 0);
		if (*end != '\0' || bufsize == 0 || bufsize > (1ul << 30)) {
			fprintf(stderr, "pcapread_bare: bad -b %s\n", argv[2]);
			return 2;
		}
		path = argv[3];
	} else if (argc == 2)
		path = argv[1];
	else {
		fprintf(stderr, "usage: pcapread_bare [-b BYTES] FILE.pcap\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (bufsize != 0) {
		if ((fp = fopen(path, "rb")) == NULL) {
			perror(path);
			return 1;
		}
		if ((vbuf = malloc(bufsize)) == NULL ||
		    setvbuf(fp, vbuf, _IOFBF, bufsize) != 0) {
			fprintf(stderr, "pcapread_bare: cannot set buffer\n");
			return 1;
		}
		pc = pcap_fopen_offline(fp, err);
	} else
		pc = pcap_open_offline(path, err);
	if (pc == NULL) {
		fprintf(stderr, "pcapread_bare: %s\n", err);
		return 1;
	}
	while ((rc = pcap_next_ex(pc, &h, &p)) == 1) {
		n++;
		bytes += h->caplen;
		if (h->caplen > 0)
			sum += p[0];
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "pcapread_bare: %s\n", pcap_geterr(pc));
		pcap_close(pc);
		return 1;
	}
	pcap_close(pc);		/* closes fp too */
	free(vbuf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("packets %" PRIu64 " bytes %" PRIu64 " sum %" PRIu64
	    " seconds %.3f pps %.0f\n", n, bytes, sum, secs,
	    secs > 0 ? (double)n / secs : 0.0);
	return 0;
}
