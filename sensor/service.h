/*
 * service.h - the live record service: the record stream served over TCP
 * to any number of clients (gapdump -S), radium-like.
 *
 * Promises:
 *   - Nothing here ever blocks: the listening socket and every client
 *     socket are non-blocking and driven by the owner's poll(2) loop (the
 *     sensor's output thread), which hands over each record once.
 *   - A client whose address is not admitted (gf_net_allowed(): the
 *     service.allow prefixes, loopback only when the list is empty) is
 *     closed at once without a byte.  One admitted but over a limit (64
 *     clients, GF_SVC_MAX_PER_SOURCE from its address), or whose request
 *     is bad or unfinished after GF_SVC_HELLO_NS, is sent one line
 *     "REFUSED <reason>\n" and closed.  Refusals are logged once a minute
 *     per source address at most, with a count.
 *   - Sockets have TCP keepalive; SENSOR records go to every client
 *     whatever its filter, a heartbeat that finds a dead peer by a write.
 *   - After connecting, a client may send one line "FILTER <expr>\n" (an
 *     empty line or "FILTER\n": everything) within GF_SVC_HELLO_NS; until
 *     then, or until that time has passed, nothing is sent.  A filter
 *     that does not compile closes the connection, and is logged.  Then
 *     the client gets the stream header and blocks of the records its
 *     filter matches, from then on, until the sensor stops: the last
 *     block is followed by end of stream (close).
 *   - Clients without a filter share one encoded copy of every block;
 *     their streams are byte-identical from the block both received first.
 *   - Each client has a bounded queue (GF_SVC_MAX_QUEUE bytes), and all
 *     queues together are bounded (GF_SVC_MAX_TOTAL: the client furthest
 *     behind is cut off).  A client too slow is disconnected and counted:
 *     the sensor never waits for a client, and never grows without bound
 *     for any number of them.
 * Not thread-safe: one thread owns the service.
 */
#ifndef GF_SERVICE_H
#define GF_SERVICE_H

#include <poll.h>
#include <stdint.h>

#include "config.h"
#include "record.h"
#include "stream.h"

#define GF_SVC_MAX_CLIENTS      64
#define GF_SVC_MAX_PER_SOURCE   8       /* connections from one address */
#define GF_SVC_MAX_QUEUE        (8u << 20)      /* one client's queue */
#define GF_SVC_MAX_TOTAL        (32u << 20)     /* all queues together */
#define GF_SVC_KEEPIDLE_S       30
#define GF_SVC_KEEPINTVL_S      10
#define GF_SVC_KEEPCNT          3
#define GF_SVC_REFUSALS         64      /* sources whose refusals are kept */
#define GF_SVC_REFUSAL_LOG_NS   (60ull * 1000000000ull)
#define GF_SVC_HELLO_NS         (1ull * 1000000000ull)
#define GF_SVC_FLUSH_NS         (1ull * 1000000000ull)

struct service;

/* Listen on spec ("[ADDR:]PORT").  NULL with a message in err. */
struct service *service_open(const char *spec, const struct gf_netprefix
    *allow, int nallow, char *err, size_t errlen);
/* The stream header every client gets, and the blocks' zlib level.
 * Before clients are served (they wait until this is called). */
void service_start(struct service *s, const struct gf_stream_info *info,
    int level);
void service_set_allow(struct service *s, const struct gf_netprefix *allow,
    int nallow);

/* The descriptors to poll, at most max; returns how many. */
int service_pollfds(struct service *s, struct pollfd *pfd, int max);
/* Act on what poll(2) reported for those descriptors (same order). */
void service_events(struct service *s, const struct pollfd *pfd, int n,
    uint64_t now);
/* One record for every client whose filter matches it. */
void service_put(struct service *s, const struct gf_record *r, uint64_t now);
/* Blocks that are due, clients whose hello time is over, writes. */
void service_tick(struct service *s, uint64_t now);
/* Send what is queued, for at most linger_ms, then close everything. */
void service_close(struct service *s, int linger_ms);

uint64_t service_cutoff(const struct service *s);  /* slow clients dropped */
int service_clients(const struct service *s);      /* connected now */
int service_streaming(const struct service *s);    /* being served now */
/* Cut off (and count) every client being served; returns how many. */
int service_cut_all(struct service *s, const char *why);

#endif /* GF_SERVICE_H */
