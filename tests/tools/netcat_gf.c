/*
 * netcat_gf - a minimal client of the sensor's live record service, for
 * the tests (gapdump -S does the same once the client has it).
 *
 *   netcat_gf HOST:PORT [-f EXPR | -n] [-o FILE] [-t SECONDS] [-r FILE]
 *             [--refused] [--slow]
 *
 * Connects (common/netio.c), sends "FILTER EXPR\n" (-f), an empty line
 * (default: the whole stream, at once) or nothing (-n: the sensor starts
 * after its hello timeout), then copies the stream's bytes to FILE
 * (default stdout) until the sensor closes it or SECONDS pass (default
 * 30).  -r FILE is created once the stream header has arrived, so that a
 * test knows the client is being served.
 *   --refused: succeed only if the connection is closed without a byte
 *             of stream (a "REFUSED <reason>" line is printed).
 *   --slow: read nothing at all until SECONDS pass (a client that does not
 *     keep up), then report on stdout whether the sensor cut it off
 *     ("cut" or "alive").
 * Exit status 0 on success, 1 on failure, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gapflow.h"
#include "netio.h"

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: netcat_gf HOST:PORT [-f EXPR | -n] [-o FILE] "
	    "[-t SECONDS] [-r FILE] [--refused] [--slow]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *target, *filter = NULL, *out = NULL, *ready = NULL;
	int hello = 1, refused = 0, slow = 0, fd, ofd = STDOUT_FILENO;
	double limit = 30, deadline;
	unsigned long long got = 0;
	char err[512], buf[65536];

	if (argc < 2)
		usage();
	target = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			filter = argv[++i];
		else if (strcmp(argv[i], "-n") == 0)
			hello = 0;
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
			ready = argv[++i];
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			limit = atof(argv[++i]);
		else if (strcmp(argv[i], "--refused") == 0)
			refused = 1;
		else if (strcmp(argv[i], "--slow") == 0)
			slow = 1;
		else
			usage();
	}
	deadline = now_s() + limit;
	fd = gf_net_connect(target, 5000, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "netcat_gf: %s\n", err);
		return 1;
	}
	if (slow) {
		/* a tiny receive buffer: the sensor's queue for us fills */
		int small = 4096;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	}
	if (hello) {
		char line[65600];
		snprintf(line, sizeof(line), "%s%s\n", filter ? "FILTER " : "",
		    filter ? filter : "");
		if (send_all(fd, line, strlen(line)) != 0) {
			fprintf(stderr, "netcat_gf: send: %s\n", strerror(errno));
			return 1;
		}
	}
	if (slow) {
		struct pollfd pfd = { .fd = fd, .events = 0 };
		while (now_s() < deadline)
			usleep(100000);
		/* cut off: the sensor closed; the socket shows it as HUP or
		 * as end of stream behind the bytes that reached us */
		poll(&pfd, 1, 0);
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		printf("%s\n", recv(fd, buf, 1, MSG_DONTWAIT) == 0 ||
		    (pfd.revents & (POLLHUP | POLLERR)) ? "cut" : "alive");
		return 0;
	}
	if (out != NULL && (ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) < 0) {
		fprintf(stderr, "netcat_gf: %s: %s\n", out, strerror(errno));
		return 1;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - now_s();
		ssize_t n;
		if (left <= 0) {
			fprintf(stderr, "netcat_gf: timed out after %llu "
			    "bytes\n", got);
			return 1;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && refused && errno == ECONNRESET)
			break;
		if (n < 0) {
			fprintf(stderr, "netcat_gf: recv: %s\n",
			    strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		if (refused) {
			/* told why in one line: printed for the caller */
			if (got == 0 && n >= 8 && memcmp(buf, "REFUSED ", 8) ==
			    0) {
				fwrite(buf, 1, (size_t)n, stdout);
				got += (unsigned long long)n;
				continue;
			}
			if (got > 0) {
				fwrite(buf, 1, (size_t)n, stdout);
				continue;
			}
			fprintf(stderr, "netcat_gf: got bytes, expected to be "
			    "refused\n");
			return 1;
		}
		if (write(ofd, buf, (size_t)n) != n) {
			fprintf(stderr, "netcat_gf: write: %s\n",
			    strerror(errno));
			return 1;
		}
		if (ready != NULL && got < GF_HEADER_MIN_LEN &&
		    got + (unsigned long long)n >= GF_HEADER_MIN_LEN) {
			int rfd = open(ready, O_WRONLY | O_CREAT, 0644);
			if (rfd >= 0)
				close(rfd);
		}
		got += (unsigned long long)n;
	}
	close(fd);
	if (ofd != STDOUT_FILENO)
		close(ofd);
	return 0;
}
