/*
 * trafgen - small deterministic TCP/UDP traffic generator used to make the
 * real captures shipped in tests/captures (see tests/captures/make-captures.sh).
 *
 * Depends on libc and pthreads only.
 *
 *   trafgen server ADDR PORT [--timeout S]
 *       TCP: accepts connections; each one sends a request line
 *       "SEND n RECV m\n", then m bytes; the server reads the m bytes, writes
 *       n bytes, half-closes (FIN) and waits for the peer's close.
 *       UDP: echoes every datagram received on the same ADDR PORT.
 *       ADDR may be "::" for a dual-stack wildcard.  Exits after S seconds
 *       (default 60).  Prints "listening ..." on stdout once ready.
 *
 *   trafgen client ADDR PORT [--conns N] [--parallel P] [--up B] [--down B]
 *                  [--udp K] [--udp-size B] [--seed S] [--timeout S]
 *                  [--rst] [--expect-refused]
 *       Opens N TCP connections (P at a time); connection i uploads up[i]
 *       bytes and downloads down[i] bytes.  B is a byte count or a range
 *       LO-HI (suffix k/K = 1024, m/M = 1048576 allowed); the sizes drawn
 *       from ranges depend only on the seed and the connection index, so
 *       runs are reproducible whatever the thread scheduling.
 *       --udp K sends K datagrams (sizes from --udp-size, default 64-512)
 *       one at a time and waits up to 1 s for each echo.
 *       --rst closes every connection with SO_LINGER 0 (RST, no FIN).
 *       --expect-refused: each connect must be refused (closed port).
 *       The whole run is bounded by --timeout seconds (default 20); an
 *       alarm kills the process shortly after the bound in any case.
 *       Exit status 0 when every connection and datagram succeeded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 16384
#define MAX_CONNS 100000
#define MAX_PARALLEL 1024
#define MAX_SERVER_THREADS 1024

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: trafgen server ADDR PORT [--timeout S]\n"
            "       trafgen client ADDR PORT [--conns N] [--parallel P]\n"
            "               [--up B|LO-HI] [--down B|LO-HI] [--udp K]\n"
            "               [--udp-size B|LO-HI] [--seed S] [--timeout S]\n"
            "               [--rst] [--expect-refused]\n");
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

struct range {
    uint64_t lo, hi;
};

static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    if (*end == 'k' || *end == 'K') {
        v *= 1024ULL;
        end++;
    } else if (*end == 'm' || *end == 'M') {
        v *= 1048576ULL;
        end++;
    }
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int parse_range(const char *s, struct range *r)
{
    char buf[64];
    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    char *dash = strchr(buf, '-');
    if (dash) {
        *dash = '\0';
        if (parse_count(buf, &r->lo) || parse_count(dash + 1, &r->hi))
            return -1;
        if (r->hi < r->lo)
            return -1;
    } else {
        if (parse_count(buf, &r->lo))
            return -1;
        r->hi = r->lo;
    }
    return 0;
}

static uint64_t draw(uint64_t *state, const struct range *r)
{
    uint64_t span = r->hi - r->lo + 1;
    uint64_t v = splitmix64(state);
    return span ? r->lo + v % span : v; /* span 0 only if full 64-bit range */
}

static int parse_addr(const char *addr, const char *port, int socktype,
                      struct sockaddr_storage *ss, socklen_t *len)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    int rc = getaddrinfo(addr, port, &hints, &res);
    if (rc != 0 || !res) {
        fprintf(stderr, "trafgen: bad address %s port %s: %s\n", addr, port,
                rc ? gai_strerror(rc) : "no result");
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void set_timeouts(int fd, double secs)
{
    struct timeval tv;
    if (secs < 0.05)
        secs = 0.05;
    tv.tv_sec = (time_t)secs;
    tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static void fill_pattern(unsigned char *buf, size_t n)
{
    static const char txt[] = "gapflow trafgen payload 0123456789 ";
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)txt[i % (sizeof txt - 1)];
}

/* send all of buf before the deadline; 0 on success */
static int send_all(int fd, const unsigned char *buf, size_t n,
                    double deadline)
{
    size_t off = 0;
    while (off < n) {
        if (now_s() > deadline)
            return -1;
        ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* send `count` pattern bytes */
static int send_bytes(int fd, uint64_t count, double deadline)
{
    unsigned char buf[CHUNK];
    fill_pattern(buf, sizeof buf);
    while (count > 0) {
        size_t n = count > sizeof buf ? sizeof buf : (size_t)count;
        if (send_all(fd, buf, n, deadline))
            return -1;
        count -= n;
    }
    return 0;
}

/* receive exactly `count` bytes (want_eof=0) or until EOF (want_eof=1,
 * total stored in *got); 0 on success */
static int recv_bytes(int fd, uint64_t count, int want_eof, uint64_t *got,
                      double deadline)
{
    unsigned char buf[CHUNK];
    uint64_t total = 0;
    for (;;) {
        if (!want_eof && total >= count)
            break;
        if (now_s() > deadline)
            return -1;
        size_t n = sizeof buf;
        if (!want_eof && count - total < n)
            n = (size_t)(count - total);
        ssize_t r = recv(fd, buf, n, 0);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return -1;
        }
        if (r == 0) {
            if (want_eof)
                break;
            return -1; /* premature EOF */
        }
        total += (uint64_t)r;
    }
    if (got)
        *got = total;
    return 0;
}

/* ------------------------------------------------------------------ */
/* server                                                              */

static atomic_int server_threads;
static double server_deadline;

struct srv_conn {
    int fd;
};

static void *server_conn(void *arg)
{
    struct srv_conn *c = arg;
    int fd = c->fd;
    free(c);

    double deadline = now_s() + 30.0;
    if (deadline > server_deadline)
        deadline = server_deadline;
    set_timeouts(fd, 1.0);

    /* request line, at most 127 bytes; anything after '\n' is upload data */
    char line[128];
    size_t have = 0;
    char *nl = NULL;
    while (!nl) {
        if (have >= sizeof line - 1 || now_s() > deadline)
            goto out;
        ssize_t r = recv(fd, line + have, sizeof line - 1 - have, 0);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            goto out;
        }
        if (r == 0)
            goto out;
        have += (size_t)r;
        line[have] = '\0';
        nl = memchr(line, '\n', have);
    }
    unsigned long long nsend = 0, nrecv = 0;
    if (sscanf(line, "SEND %llu RECV %llu", &nsend, &nrecv) != 2)
        goto out;
    uint64_t extra = (uint64_t)(have - (size_t)(nl + 1 - line));
    if (extra > nrecv)
        goto out;
    if (recv_bytes(fd, nrecv - extra, 0, NULL, deadline))
        goto out;
    if (send_bytes(fd, nsend, deadline))
        goto out;
    shutdown(fd, SHUT_WR);
    /* wait for the peer's FIN (or RST) so our close is orderly */
    recv_bytes(fd, 0, 1, NULL, deadline);
out:
    close(fd);
    atomic_fetch_sub(&server_threads, 1);
    return NULL;
}

static void *server_udp(void *arg)
{
    int fd = *(int *)arg;
    unsigned char buf[65536];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from,
                             &flen);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            break;
        }
        sendto(fd, buf, (size_t)r, 0, (struct sockaddr *)&from, flen);
    }
    return NULL;
}

static int make_bound(const struct sockaddr_storage *ss, socklen_t len,
                      int type)
{
    int fd = socket(ss->ss_family, type, 0);
    if (fd < 0) {
        perror("trafgen: socket");
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        int v6only = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) ? 0 : 1;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    if (bind(fd, (const struct sockaddr *)ss, len) < 0) {
        perror("trafgen: bind");
        close(fd);
        return -1;
    }
    return fd;
}

static int run_server(const char *addr, const char *port, double timeout)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (parse_addr(addr, port, SOCK_STREAM, &ss, &len))
        return 2;
    int lfd = make_bound(&ss, len, SOCK_STREAM);
    if (lfd < 0)
        return 1;
    if (listen(lfd, 256) < 0) {
        perror("trafgen: listen");
        return 1;
    }
    int ufd = make_bound(&ss, len, SOCK_DGRAM);
    if (ufd < 0)
        return 1;

    server_deadline = now_s() + timeout;
    alarm((unsigned)timeout + 5);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);

    pthread_t ut;
    if (pthread_create(&ut, &attr, server_udp, &ufd) != 0) {
        fprintf(stderr, "trafgen: cannot start udp thread\n");
        return 1;
    }

    printf("listening tcp+udp %s %s\n", addr, port);
    fflush(stdout);

    unsigned long accepted = 0;
    for (;;) {
        double left = server_deadline - now_s();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = lfd, .events = POLLIN};
        int pr = poll(&pfd, 1, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
        if (pr <= 0)
            continue;
        int cfd = accept(lfd, NULL, NULL);
        if (cfd < 0)
            continue;
        if (atomic_load(&server_threads) >= MAX_SERVER_THREADS) {
            close(cfd);
            continue;
        }
        struct srv_conn *c = malloc(sizeof *c);
        if (!c) {
            close(cfd);
            continue;
        }
        c->fd = cfd;
        atomic_fetch_add(&server_threads, 1);
        pthread_t t;
        if (pthread_create(&t, &attr, server_conn, c) != 0) {
            atomic_fetch_sub(&server_threads, 1);
            close(cfd);
            free(c);
            continue;
        }
        accepted++;
    }
    printf("server done: %lu connections accepted\n", accepted);
    fflush(stdout);
    return 0;
}

/* ------------------------------------------------------------------ */
/* client                                                              */

struct client_cfg {
    struct sockaddr_storage ss;
    socklen_t sslen;
    unsigned long conns, parallel, udp;
    struct range up, down, udp_size;
    uint64_t seed;
    double timeout, deadline;
    int rst, expect_refused;
    uint64_t *up_sz, *down_sz;
};

static atomic_ulong next_conn, conns_ok, conns_fail;
static atomic_ullong bytes_up, bytes_down;

/* nonblocking connect bounded by the deadline; returns fd, -1 on error,
 * -2 when refused */
static int connect_bounded(const struct client_cfg *cfg)
{
    int fd = socket(cfg->ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL, 0);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int rc = connect(fd, (const struct sockaddr *)&cfg->ss, cfg->sslen);
    if (rc < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        return e == ECONNREFUSED ? -2 : -1;
    }
    if (rc < 0) {
        for (;;) {
            double left = cfg->deadline - now_s();
            if (left <= 0) {
                close(fd);
                return -1;
            }
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
            if (pr < 0 && errno == EINTR)
                continue;
            if (pr <= 0) {
                close(fd);
                return -1;
            }
            break;
        }
        int err = 0;
        socklen_t elen = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
        if (err) {
            close(fd);
            return err == ECONNREFUSED ? -2 : -1;
        }
    }
    fcntl(fd, F_SETFL, fl);
    set_timeouts(fd, 1.0);
    return fd;
}

static int client_one(const struct client_cfg *cfg, unsigned long i)
{
    int fd = connect_bounded(cfg);
    if (cfg->expect_refused) {
        if (fd >= 0)
            close(fd);
        return fd == -2 ? 0 : -1;
    }
    if (fd < 0)
        return -1;

    uint64_t up = cfg->up_sz[i], down = cfg->down_sz[i];
    char line[96];
    int ll = snprintf(line, sizeof line, "SEND %" PRIu64 " RECV %" PRIu64 "\n",
                      down, up);
    int ok = 0;
    uint64_t got = 0;
    if (send_all(fd, (const unsigned char *)line, (size_t)ll, cfg->deadline))
        goto done;
    if (send_bytes(fd, up, cfg->deadline))
        goto done;
    if (recv_bytes(fd, 0, 1, &got, cfg->deadline))
        goto done;
    if (got != down) {
        fprintf(stderr, "trafgen: conn %lu got %" PRIu64 " of %" PRIu64
                        " bytes\n", i, got, down);
        goto done;
    }
    ok = 1;
    atomic_fetch_add(&bytes_up, up);
    atomic_fetch_add(&bytes_down, got);
done:
    if (cfg->rst) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(fd);
    return ok ? 0 : -1;
}

static void *client_worker(void *arg)
{
    const struct client_cfg *cfg = arg;
    for (;;) {
        unsigned long i = atomic_fetch_add(&next_conn, 1);
        if (i >= cfg->conns)
            break;
        if (now_s() > cfg->deadline || client_one(cfg, i) != 0)
            atomic_fetch_add(&conns_fail, 1);
        else
            atomic_fetch_add(&conns_ok, 1);
    }
    return NULL;
}

/* K datagrams, one at a time, each waiting up to 1 s for its echo;
 * returns the number of echoes received */
static unsigned long client_udp(const struct client_cfg *cfg,
                                uint64_t *state)
{
    int fd = socket(cfg->ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0)
        return 0;
    if (connect(fd, (const struct sockaddr *)&cfg->ss, cfg->sslen) < 0) {
        close(fd);
        return 0;
    }
    unsigned char *buf = malloc(65536), *rbuf = malloc(65536);
    unsigned long echoed = 0;
    if (!buf || !rbuf)
        goto out;
    for (unsigned long k = 0; k < cfg->udp; k++) {
        uint64_t sz = draw(state, &cfg->udp_size);
        if (sz > 65000)
            sz = 65000;
        if (now_s() > cfg->deadline)
            break;
        fill_pattern(buf, (size_t)sz);
        if (sz >= 4) {
            buf[0] = (unsigned char)(k >> 24);
            buf[1] = (unsigned char)(k >> 16);
            buf[2] = (unsigned char)(k >> 8);
            buf[3] = (unsigned char)k;
        }
        if (send(fd, buf, (size_t)sz, 0) < 0)
            continue;
        double until = now_s() + 1.0;
        if (until > cfg->deadline)
            until = cfg->deadline;
        for (;;) {
            double left = until - now_s();
            if (left <= 0)
                break;
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
            if (pr < 0 && errno == EINTR)
                continue;
            if (pr <= 0)
                break;
            ssize_t r = recv(fd, rbuf, 65536, 0);
            if (r < 0)
                break;
            if ((uint64_t)r == sz && memcmp(rbuf, buf, (size_t)sz) == 0) {
                echoed++;
                break;
            }
            /* stale or unexpected datagram: keep waiting */
        }
    }
out:
    free(buf);
    free(rbuf);
    close(fd);
    return echoed;
}

static int run_client(int argc, char **argv, const char *addr,
                      const char *port)
{
    struct client_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.conns = 1;
    cfg.parallel = 1;
    cfg.up.lo = cfg.up.hi = 1000;
    cfg.down.lo = cfg.down.hi = 1000;
    cfg.udp_size.lo = 64;
    cfg.udp_size.hi = 512;
    cfg.seed = 1;
    cfg.timeout = 20;

    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (!strcmp(o, "--rst")) {
            cfg.rst = 1;
            continue;
        }
        if (!strcmp(o, "--expect-refused")) {
            cfg.expect_refused = 1;
            continue;
        }
        if (!v) {
            usage();
            return 2;
        }
        i++;
        if (!strcmp(o, "--conns") && !parse_count(v, &n) && n <= MAX_CONNS)
            cfg.conns = (unsigned long)n;
        else if (!strcmp(o, "--parallel") && !parse_count(v, &n) && n >= 1 &&
                 n <= MAX_PARALLEL)
            cfg.parallel = (unsigned long)n;
        else if (!strcmp(o, "--up") && !parse_range(v, &cfg.up))
            ;
        else if (!strcmp(o, "--down") && !parse_range(v, &cfg.down))
            ;
        else if (!strcmp(o, "--udp") && !parse_count(v, &n) && n <= MAX_CONNS)
            cfg.udp = (unsigned long)n;
        else if (!strcmp(o, "--udp-size") && !parse_range(v, &cfg.udp_size))
            ;
        else if (!strcmp(o, "--seed") && !parse_count(v, &n))
            cfg.seed = n;
        else if (!strcmp(o, "--timeout") && !parse_count(v, &n) && n >= 1 &&
                 n <= 3600)
            cfg.timeout = (double)n;
        else {
            fprintf(stderr, "trafgen: bad option %s %s\n", o, v);
            usage();
            return 2;
        }
    }
    if (parse_addr(addr, port, SOCK_STREAM, &cfg.ss, &cfg.sslen))
        return 2;

    alarm((unsigned)cfg.timeout + 3);
    cfg.deadline = now_s() + cfg.timeout;

    /* sizes depend only on (seed, index): draw them all up front */
    uint64_t state = cfg.seed;
    cfg.up_sz = calloc(cfg.conns ? cfg.conns : 1, sizeof *cfg.up_sz);
    cfg.down_sz = calloc(cfg.conns ? cfg.conns : 1, sizeof *cfg.down_sz);
    if (!cfg.up_sz || !cfg.down_sz) {
        fprintf(stderr, "trafgen: out of memory\n");
        return 1;
    }
    for (unsigned long i = 0; i < cfg.conns; i++) {
        cfg.up_sz[i] = draw(&state, &cfg.up);
        cfg.down_sz[i] = draw(&state, &cfg.down);
    }

    unsigned long nthreads = cfg.parallel < cfg.conns ? cfg.parallel
                                                      : cfg.conns;
    pthread_t th[MAX_PARALLEL];
    unsigned long started = 0;
    for (unsigned long t = 0; t < nthreads; t++) {
        if (pthread_create(&th[t], NULL, client_worker, &cfg) != 0)
            break;
        started++;
    }
    if (nthreads > 0 && started == 0) {
        fprintf(stderr, "trafgen: cannot start threads\n");
        return 1;
    }
    for (unsigned long t = 0; t < started; t++)
        pthread_join(th[t], NULL);

    unsigned long echoed = cfg.udp ? client_udp(&cfg, &state) : 0;

    unsigned long ok = atomic_load(&conns_ok);
    unsigned long fail = cfg.conns - ok;
    printf("client done: conns ok=%lu fail=%lu up=%llu down=%llu "
           "udp=%lu/%lu%s\n",
           ok, fail, (unsigned long long)atomic_load(&bytes_up),
           (unsigned long long)atomic_load(&bytes_down), echoed, cfg.udp,
           cfg.expect_refused ? " (expect-refused)" : "");
    fflush(stdout);
    free(cfg.up_sz);
    free(cfg.down_sz);
    return (fail == 0 && echoed == cfg.udp) ? 0 : 1;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 4) {
        usage();
        return 2;
    }
    if (!strcmp(argv[1], "server")) {
        double timeout = 60;
        for (int i = 4; i < argc; i++) {
            uint64_t n;
            if (!strcmp(argv[i], "--timeout") && i + 1 < argc &&
                !parse_count(argv[i + 1], &n) && n >= 1 && n <= 86400) {
                timeout = (double)n;
                i++;
            } else {
                usage();
                return 2;
            }
        }
        return run_server(argv[2], argv[3], timeout);
    }
    if (!strcmp(argv[1], "client"))
        return run_client(argc - 4, argv + 4, argv[2], argv[3]);
    usage();
    return 2;
}
