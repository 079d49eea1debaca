/*
 * ipfix_export.h - send IPFIX messages (ipfix.h) to collectors:
 * udp:HOST:PORT, tcp:HOST:PORT, file:PATH (RFC 5655: messages back to
 * back).  Used by gapflow's output thread and by gapdump.
 *
 * What it promises:
 * - Never blocks on the network: sockets are non-blocking; a TCP
 *   destination has a bounded queue (GF_IPFIX_QUEUE bytes).  What cannot
 *   be sent (UDP send refused, TCP not connected or queue full, a failed
 *   write) is dropped and counted per FLOW record: gf_ipfix_exp_notsent()
 *   (the SENSOR field ipfixnotsent).  The first loss and then at most one
 *   message a minute per destination are logged, with the totals.
 *   A file destination is written with blocking writes, like the archive.
 * - TCP: connect is non-blocking; a lost or refused connection is retried
 *   with a backoff from 1 s doubling to 60 s; every new connection is a
 *   new transport session: sequence 0 and templates first.
 * - UDP: templates are resent every refresh interval (RFC 7011 §8.4).
 *   The socket is connected, and a message is at most the path MTU the
 *   kernel reports for it less the IP and UDP headers (RFC 7011 §10.3.3),
 *   read at open and again at each refresh, and at most opts.mtu; up to
 *   32 messages, built in place, go out in one sendmmsg(2).
 * - A SENSOR record becomes an options data record of exporter
 *   statistics: totals since the exporter opened.
 * - Single-threaded: one owner calls everything.
 * - With opts.wait (gapdump) the first promise is traded for losslessness:
 *   a full TCP queue or UDP socket buffer is waited for, not dropped.
 */
#ifndef GF_IPFIX_EXPORT_H
#define GF_IPFIX_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define GF_IPFIX_MAX_DEST       8
#define GF_IPFIX_QUEUE          (4u << 20)      /* TCP queue per dest */
#define GF_IPFIX_REFRESH_DEFAULT (60ull * 1000000000ull)

struct gf_ipfix_exp;

struct gf_ipfix_opts {
	uint32_t pen;           /* output.ipfix_pen */
	uint32_t domain;        /* observation domain id: sensor.id */
	size_t mtu;             /* output.ipfix_mtu: the largest message
	                           (over UDP also bounded by the path) */
	uint64_t refresh_ns;    /* output.ipfix_template_refresh */
	int wait;               /* gapdump: wait for a full queue or socket
	                           buffer, and up to 5 s for a TCP connect at
	                           open, instead of dropping (nothing here is
	                           live capture) */
};

/*
 * Whether DEST is udp:HOST:PORT, tcp:HOST:PORT or file:PATH (syntax
 * only; 0 or -1).  Shared with the configuration check.
 */
int gf_ipfix_dest_check(const char *dest);

/*
 * The largest message to a UDP collector of address family family
 * (AF_INET, AF_INET6) over a path MTU of pmtu bytes (0: unknown): pmtu
 * less the IP and UDP headers, within one datagram's limit (65507 bytes
 * over IPv4, 65527 over IPv6) and within max, and at least
 * GF_IPFIX_MTU_MIN (which an unknown path MTU gets).
 */
size_t gf_ipfix_udp_size(int family, unsigned pmtu, size_t max);

/*
 * Open the n destinations (resolves names, opens files, starts TCP
 * connects).  NULL with a message in err naming the destination.
 */
struct gf_ipfix_exp *gf_ipfix_exp_open(char *const *dests, int n,
    const struct gf_ipfix_opts *o, char *err, size_t errlen);

/* Export a FLOW record, or for a SENSOR record the statistics (its
 * kdrops, nonip and bad counts are added to the totals). */
void gf_ipfix_exp_put(struct gf_ipfix_exp *x, const struct gf_record *r);

/* Send what is pending, advance TCP connects, resend templates when due.
 * Call often (every output loop), it costs nothing when idle. */
void gf_ipfix_exp_tick(struct gf_ipfix_exp *x);

/* FLOW records not exported, summed over the destinations. */
uint64_t gf_ipfix_exp_notsent(const struct gf_ipfix_exp *x);

/*
 * Flush, give TCP queues at most linger_ms to drain, close.  What is left
 * is counted as not sent; returns the total not sent, and says so on
 * stderr if it is not 0.  NULL is fine.
 */
uint64_t gf_ipfix_exp_close(struct gf_ipfix_exp *x, int linger_ms);

#endif /* GF_IPFIX_EXPORT_H */
