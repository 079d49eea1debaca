/*
 * netio.c - TCP sockets for the live record service (see netio.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "netio.h"

int
gf_net_split(const char *spec, const char *defhost, char *host,
    size_t hostlen, char *port, size_t portlen)
{
	const char *p, *h = NULL;
	size_t hn = 0;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close[1] != ':')
			return -1;
		h = spec + 1;
		hn = (size_t)(close - h);
		p = close + 2;
	} else if ((p = strrchr(spec, ':')) != NULL) {
		if (strchr(spec, ':') != p)     /* bare IPv6 without brackets */
			return -1;
		h = spec;
		hn = (size_t)(p - spec);
		p++;
	} else {
		p = spec;
	}
	if (h == NULL) {
		if (defhost == NULL)
			return -1;
		h = defhost;
		hn = strlen(defhost);
	}
	if (hn == 0 || hn >= hostlen || *p == '\0' || strlen(p) >= portlen ||
	    strspn(p, "0123456789") != strlen(p) || atol(p) < 1 ||
	    atol(p) > 65535)
		return -1;
	memcpy(host, h, hn);
	host[hn] = '\0';
	snprintf(port, portlen, "%s", p);
	return 0;
}

int
gf_net_listen(const char *spec, char *err, size_t errlen)
{
	char host[64], port[8];
	struct addrinfo hints, *ai;
	int fd, one = 1, rc;

	if (gf_net_split(spec, GF_NET_DEFAULT_ADDR, host, sizeof(host), port,
	    sizeof(port)) != 0) {
		snprintf(err, errlen, "%s: not [ADDR:]PORT", spec);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create socket: %s", spec,
		    strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	/* a restarted sensor must get its port back at once, not after
	 * TIME_WAIT of the previous run's clients */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, SOMAXCONN) != 0) {       /* a crowd waits, not refused */
		snprintf(err, errlen, "%s: cannot listen: %s", spec,
		    strerror(errno));
		close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static long long
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connect fd to ai within the time left; 0 or -1 with errno set. */
static int
connect_within(int fd, const struct addrinfo *ai, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	long long left;

	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	for (;;) {
		int n;
		left = deadline - mono_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			break;
		if (n < 0 && errno != EINTR)
			return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

int
gf_net_connect(const char *hostport, int timeout_ms, char *err,
    size_t errlen)
{
	char host[256], port[8];
	struct addrinfo hints, *res, *ai;
	long long deadline = mono_ms() + timeout_ms;
	int fd = -1, rc, saved = 0;

	if (gf_net_split(hostport, NULL, host, sizeof(host), port,
	    sizeof(port)) != 0) {
		snprintf(err, errlen, "%s: not HOST:PORT", hostport);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", hostport, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int flags;
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect_within(fd, ai, deadline) == 0) {
			flags = fcntl(fd, F_GETFL);
			fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
			break;
		}
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "%s: cannot connect: %s", hostport,
		    strerror(saved));
	return fd;
}

void
gf_net_peer(const struct sockaddr_storage *ss, struct gf_addr *a,
    uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;
		a->family = 4;
		memcpy(a->a, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			a->family = 4;
			memcpy(a->a, (const uint8_t *)&s6->sin6_addr + 12, 4);
		} else {
			a->family = 6;
			memcpy(a->a, &s6->sin6_addr, 16);
		}
		*port = ntohs(s6->sin6_port);
	}
}

int
gf_net_format(const struct gf_addr *a, uint16_t port, char *buf, size_t len)
{
	char h[64];
	gf_addr_format(a, h, sizeof(h));
	return snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", h,
	    (unsigned)port);
}

int
gf_net_allowed(const struct gf_addr *a, const struct gf_netprefix *allow,
    int n)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	if (n == 0)
		return (a->family == 4 && a->a[0] == 127) ||
		    (a->family == 6 && memcmp(a->a, v6lo, 16) == 0);
	for (int i = 0; i < n; i++) {
		struct gf_addr p;
		memset(&p, 0, sizeof(p));
		p.family = allow[i].family;
		memcpy(p.a, allow[i].addr, 16);
		if (gf_addr_in_prefix(a, &p, allow[i].bits))
			return 1;
	}
	return 0;
}
