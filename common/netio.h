/*
 * netio.h - TCP sockets for the live record service, shared by the
 * sensor (listening side) and gapdump (connecting side).
 *
 * Promises: every call is bounded in time (connect has a timeout, nothing
 * else blocks); sockets are close-on-exec; errors come back as text in
 * err ("127.0.0.1:9999: cannot listen: Address already in use"), never
 * printed here.  Addresses are numeric on the listening side: a sensor
 * never resolves names to decide where it listens or whom it admits.
 */
#ifndef GF_NETIO_H
#define GF_NETIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "record.h"

/* Where the service listens when service.listen has no address. */
#define GF_NET_DEFAULT_ADDR "127.0.0.1"

/*
 * Split "[ADDR:]PORT", "HOST:PORT" or "[V6]:PORT" into host and port.
 * A bare PORT gets defhost (which may be NULL: then an error).  0 or -1.
 */
int gf_net_split(const char *spec, const char *defhost, char *host,
    size_t hostlen, char *port, size_t portlen);

/*
 * A non-blocking listening TCP socket on spec ("[ADDR:]PORT"; ADDR a
 * numeric IPv4 or bracketed IPv6 address, default GF_NET_DEFAULT_ADDR).
 * Returns the descriptor or -1 with a message in err.
 */
int gf_net_listen(const char *spec, char *err, size_t errlen);

/*
 * A connected, blocking TCP socket to "HOST:PORT" (HOST a name or an
 * address, IPv6 in brackets), trying each address getaddrinfo() gives
 * for at most timeout_ms in all.  -1 with a message in err.
 */
int gf_net_connect(const char *hostport, int timeout_ms, char *err,
    size_t errlen);

/* The address and port of ss (IPv4-mapped IPv6 becomes IPv4). */
void gf_net_peer(const struct sockaddr_storage *ss, struct gf_addr *a,
    uint16_t *port);
/* "192.0.2.1:5000" or "[2001:db8::1]:5000"; snprintf semantics. */
int gf_net_format(const struct gf_addr *a, uint16_t port, char *buf,
    size_t len);

/*
 * Whether a client at a may connect: a lies in one of the n prefixes;
 * with n == 0, only loopback addresses (127.0.0.0/8, ::1) may.
 */
int gf_net_allowed(const struct gf_addr *a, const struct gf_netprefix *allow,
    int n);

#endif /* GF_NETIO_H */
