/*
 * service.c - the live record service (see service.h).
 *
 * Blocks are reference-counted so that clients without a filter share
 * one encoded copy; a client's queue is a list of such blocks plus an
 * offset into the first.  Clients are kept in an array and closed by
 * marking them dead during a pass, then compacting, so that the pollfd
 * order handed out stays valid for the whole pass.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "codec.h"
#include "filter.h"
#include "log.h"
#include "netio.h"
#include "service.h"

#define RAW_TARGET (256u * 1024u)
#define RAW_CAP (RAW_TARGET + GF_RECORD_MAX_LEN)
#define LINE_CAP (GF_FILTER_MAX_LEN + 16)

struct qblock {
	int refs;
	size_t len;
	size_t *total;                  /* the service's count of queued bytes */
	uint8_t data[];
};

/* A source refused lately: one line a minute for it, with a count. */
struct refusal {
	struct gf_addr a;
	uint64_t logged;                /* when its last line was written */
	uint64_t more;                  /* refused since, not yet said */
	char why[96];
};

struct qent {
	struct qent *next;
	struct qblock *b;
};

/* A stream of blocks being built: the shared one, or a filtered client's. */
struct builder {
	uint8_t *raw;
	size_t rawlen;
	uint32_t nrec;
	uint32_t seq;                   /* number of its next block */
	uint64_t first;
};

enum { C_HELLO, C_READY, C_STREAM, C_DEAD };

struct client {
	int fd;
	int state;
	int rd_eof;                     /* the client shut its sending side */
	struct gf_addr peer;
	char name[64];
	uint64_t since;
	char *line;                     /* the hello line, while reading it */
	size_t linelen;
	struct gf_filter *filter;       /* NULL: the shared stream */
	struct builder own;             /* filtered clients */
	struct qent *qhead, **qtail;
	size_t qoff;                    /* bytes of the first block sent */
	size_t qbytes;
};

struct service {
	int lfd;
	char *spec;
	struct gf_netprefix allow[GF_CFG_MAX_ALLOW];
	int nallow;
	int started;
	struct gf_stream_info info;
	int level;
	struct builder shared;
	uint8_t *out;                   /* one encoded block */
	struct client *c[GF_SVC_MAX_CLIENTS];
	int nc;
	int npolled;                    /* clients in the last pollfd list */
	uint64_t cutoff;
	size_t qtotal;                  /* bytes of the blocks queued */
	int max_per_source;
	struct refusal ref[GF_SVC_REFUSALS];
};

static void refusal_summary(struct refusal *r);
static void tell_refused(int fd, const char *why);
static void client_drop_queue(struct client *c);

/* ---- blocks and queues ------------------------------------------------- */

static struct qblock *
qblock_new(struct service *s, const uint8_t *data, size_t len)
{
	struct qblock *b = gf_xmalloc(sizeof(*b) + len);
	b->refs = 0;
	b->len = len;
	b->total = &s->qtotal;
	s->qtotal += len;
	memcpy(b->data, data, len);
	return b;
}

static void
qblock_unref(struct qblock *b)
{
	if (--b->refs == 0) {
		*b->total -= b->len;
		free(b);
	}
}

static void
client_kill(struct client *c, const char *why)
{
	if (c->state == C_DEAD)
		return;
	if (why != NULL)
		gf_info("service: client %s: %s", c->name, why);
	c->state = C_DEAD;
}

/* Let go of a dead client's queue at once (its memory counts). */
static void
client_drop_queue(struct client *c)
{
	while (c->qhead != NULL) {
		struct qent *e = c->qhead;
		c->qhead = e->next;
		qblock_unref(e->b);
		free(e);
	}
	c->qtail = &c->qhead;
	c->qbytes = 0;
	c->qoff = 0;
}

/* Send queued bytes until the socket would block. */
static void
client_send(struct client *c)
{
	while (c->qhead != NULL && c->state == C_STREAM) {
		struct qblock *b = c->qhead->b;
		ssize_t n = send(c->fd, b->data + c->qoff, b->len - c->qoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_kill(c, strerror(errno));
			return;
		}
		c->qoff += (size_t)n;
		c->qbytes -= (size_t)n;
		if (c->qoff == b->len) {
			struct qent *e = c->qhead;
			c->qhead = e->next;
			if (c->qhead == NULL)
				c->qtail = &c->qhead;
			c->qoff = 0;
			qblock_unref(b);
			free(e);
		}
	}
}

/* All queues together past GF_SVC_MAX_TOTAL: the client furthest behind
 * is cut off, until they fit.  Memory is bounded whatever the clients. */
static void
over_total(struct service *s)
{
	while (s->qtotal > GF_SVC_MAX_TOTAL) {
		struct client *worst = NULL;
		for (int i = 0; i < s->nc; i++) {
			struct client *c = s->c[i];
			if (c->state == C_STREAM && c->qhead != NULL &&
			    (worst == NULL || c->qbytes > worst->qbytes))
				worst = c;
		}
		if (worst == NULL)
			return;
		gf_warn("service: client %s cut off: the clients' queues hold "
		    "more than %u MiB in all, and it is the furthest behind "
		    "(%zu bytes)", worst->name, GF_SVC_MAX_TOTAL >> 20,
		    worst->qbytes);
		s->cutoff++;
		client_kill(worst, NULL);
		client_drop_queue(worst);
	}
}

static void
client_queue(struct service *s, struct client *c, struct qblock *b)
{
	struct qent *e;

	if (c->state != C_STREAM)
		return;
	if (c->qbytes + b->len > GF_SVC_MAX_QUEUE) {
		gf_warn("service: client %s cut off: it fell %zu bytes behind "
		    "(a client that does not keep up is dropped, not waited "
		    "for)", c->name, c->qbytes);
		s->cutoff++;
		client_kill(c, NULL);
		client_drop_queue(c);
		return;
	}
	e = gf_xmalloc(sizeof(*e));
	e->next = NULL;
	e->b = b;
	b->refs++;
	*c->qtail = e;
	c->qtail = &e->next;
	c->qbytes += b->len;
	client_send(c);
	over_total(s);
}

/* ---- building blocks --------------------------------------------------- */

static void
builder_init(struct builder *bd)
{
	memset(bd, 0, sizeof(*bd));
	bd->raw = gf_xmalloc(RAW_CAP);
}

/* Seal bd into a block, or NULL if it holds no record. */
static struct qblock *
builder_seal(struct service *s, struct builder *bd)
{
	size_t len;
	if (bd->nrec == 0)
		return NULL;
	len = gf_block_encode(bd->raw, bd->rawlen, bd->nrec, s->level,
	    bd->seq++, s->out);
	bd->rawlen = 0;
	bd->nrec = 0;
	return qblock_new(s, s->out, len);
}

static void
flush_shared(struct service *s)
{
	struct qblock *b = builder_seal(s, &s->shared);
	if (b == NULL)
		return;
	b->refs = 1;            /* held while queued to everyone */
	for (int i = 0; i < s->nc; i++)
		if (s->c[i]->filter == NULL)
			client_queue(s, s->c[i], b);
	qblock_unref(b);
}

static void
flush_own(struct service *s, struct client *c)
{
	struct qblock *b = builder_seal(s, &c->own);
	if (b == NULL)
		return;
	b->refs = 1;
	client_queue(s, c, b);
	qblock_unref(b);
}

/* Add r to bd, sealing first when full.  Returns 1 if bd must be sealed
 * before r fits (the caller seals and calls again). */
static int
builder_add(struct builder *bd, const struct gf_record *r, uint64_t now)
{
	size_t len;
	if (bd->rawlen >= RAW_TARGET)
		return 1;
	len = gf_record_encode(r, bd->raw + bd->rawlen, RAW_CAP - bd->rawlen);
	if (len == 0)
		return bd->nrec > 0;    /* unencodable alone: skip it */
	if (bd->nrec == 0)
		bd->first = now;
	bd->rawlen += len;
	bd->nrec++;
	return 0;
}

/* ---- clients ------------------------------------------------------------ */

static void
client_free(struct client *c)
{
	client_drop_queue(c);
	gf_filter_free(c->filter);
	free(c->own.raw);
	free(c->line);
	close(c->fd);
	free(c);
}

/* Remove dead clients. */
static void
compact(struct service *s)
{
	int j = 0;
	for (int i = 0; i < s->nc; i++) {
		if (s->c[i]->state == C_DEAD)
			client_free(s->c[i]);
		else
			s->c[j++] = s->c[i];
	}
	s->nc = j;
}

static void
client_start(struct service *s, struct client *c)
{
	uint8_t hdr[GF_HEADER_MIN_LEN];
	struct gf_stream_info info = s->info;
	struct qblock *b;

	/* the shared block being filled holds records from before this
	 * client was served: send it to the others first */
	if (c->filter == NULL)
		flush_shared(s);
	/* its stream's blocks are numbered from the next one it gets */
	info.major = 0;
	info.firstseq = c->filter == NULL ? s->shared.seq : 0;
	gf_stream_header_encode(&info, hdr);
	c->state = C_STREAM;
	free(c->line);
	c->line = NULL;
	b = qblock_new(s, hdr, sizeof(hdr));
	b->refs = 1;
	client_queue(s, c, b);
	qblock_unref(b);
	if (c->filter != NULL)
		builder_init(&c->own);
}

/* The hello line is complete (or its time is over): go on. */
static void
client_hello_done(struct service *s, struct client *c)
{
	c->state = C_READY;
	if (s->started)
		client_start(s, c);
}

static void
client_line(struct service *s, struct client *c, char *line)
{
	char err[512];
	size_t n = strlen(line);
	const char *expr;

	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n == 0 || strcmp(line, "FILTER") == 0) {
		client_hello_done(s, c);
		return;
	}
	if (strncmp(line, "FILTER ", 7) != 0) {
		gf_warn("service: client %s: unknown request (expected "
		    "\"FILTER <expression>\"); closed", c->name);
		tell_refused(c->fd, "unknown request (expected \"FILTER "
		    "<expression>\")");
		client_kill(c, NULL);
		return;
	}
	expr = line + 7;
	if (expr[strspn(expr, " \t")] != '\0') {
		c->filter = gf_filter_compile(expr, err, sizeof(err));
		if (c->filter == NULL) {
			gf_warn("service: client %s: %s; closed", c->name, err);
			tell_refused(c->fd, err);
			client_kill(c, NULL);
			return;
		}
		/* -v: which client asked for what, so that a remote filter
		 * can be seen to be applied here */
		gf_info("service: client %s: filter '%.200s'%s", c->name, expr,
		    strlen(expr) > 200 ? " (cut)" : "");
	}
	client_hello_done(s, c);
}

static void
client_read(struct service *s, struct client *c)
{
	char buf[4096];

	for (int rounds = 0; rounds < 64 && c->state != C_DEAD; rounds++) {
		ssize_t n;
		if (c->state == C_HELLO) {
			char *nl;
			if (c->line == NULL)
				c->line = gf_xmalloc(LINE_CAP + 1);
			n = recv(c->fd, c->line + c->linelen,
			    LINE_CAP - c->linelen, MSG_DONTWAIT);
			if (n > 0) {
				c->linelen += (size_t)n;
				c->line[c->linelen] = '\0';
				nl = memchr(c->line, '\n', c->linelen);
				if (nl != NULL) {
					*nl = '\0';
					if (strlen(c->line) != (size_t)(nl -
					    c->line)) {
						gf_warn("service: client %s: "
						    "NUL in request; closed",
						    c->name);
						client_kill(c, NULL);
						return;
					}
					client_line(s, c, c->line);
					continue;
				}
				if (c->linelen == LINE_CAP) {
					gf_warn("service: client %s: request "
					    "line too long; closed", c->name);
					client_kill(c, NULL);
					return;
				}
				continue;
			}
		} else {
			/* later bytes mean nothing; read them to see EOF */
			n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0)
				continue;
		}
		if (n == 0) {
			/* the sending side shut: a line without its newline
			 * is still the request, not "everything" */
			if (c->state == C_HELLO && c->linelen > 0 &&
			    strlen(c->line) != c->linelen) {
				gf_warn("service: client %s: NUL in request; "
				    "closed", c->name);
				client_kill(c, NULL);
				return;
			}
			if (c->state == C_HELLO && c->linelen > 0)
				client_line(s, c, c->line);
			else if (c->state == C_HELLO)
				client_hello_done(s, c);
			c->rd_eof = 1;
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			client_kill(c, strerror(errno));
		return;
	}
}

/* Best effort, never blocking: the reason, for the client to show. */
static void
tell_refused(int fd, const char *why)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "REFUSED %s\n", why);
	if (n > 0)
		(void)send(fd, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Dead peers are found by the kernel too, not only by a failing write. */
static void
keepalive(int fd)
{
	int on = 1, idle = GF_SVC_KEEPIDLE_S, intvl = GF_SVC_KEEPINTVL_S,
	    cnt = GF_SVC_KEEPCNT;
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static int
from_source(const struct service *s, const struct gf_addr *a)
{
	int n = 0;
	for (int i = 0; i < s->nc; i++)
		n += s->c[i]->state != C_DEAD &&
		    gf_addr_cmp(&s->c[i]->peer, a) == 0;
	return n;
}

/* Log a refusal: at once for a source not refused within the last
 * minute, else counted and said with the count a minute after its last
 * line (service_tick).  The oldest entry makes room. */
static void
refused(struct service *s, const struct gf_addr *a, const char *why,
    uint64_t now)
{
	struct refusal *r = NULL, *old = &s->ref[0];
	char as[64];

	for (int i = 0; i < GF_SVC_REFUSALS; i++) {
		struct refusal *x = &s->ref[i];
		if (x->logged != 0 && gf_addr_cmp(&x->a, a) == 0) {
			r = x;
			break;
		}
		if (x->logged < old->logged)
			old = x;
	}
	if (r != NULL && now < r->logged + GF_SVC_REFUSAL_LOG_NS) {
		r->more++;
		snprintf(r->why, sizeof(r->why), "%s", why);
		return;
	}
	if (r == NULL) {
		r = old;
		if (r->logged != 0 && r->more > 0)
			refusal_summary(r);
		r->a = *a;
	}
	gf_addr_format(a, as, sizeof(as));
	gf_warn("service: refused %s: %s%s", as, why, r->more ? "" :
	    " (further refusals of it are counted, and said once a minute)");
	r->logged = now ? now : 1;
	r->more = 0;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

static void
refusal_summary(struct refusal *r)
{
	char as[64];
	gf_addr_format(&r->a, as, sizeof(as));
	gf_warn("service: refused %s %llu more times in the last minute "
	    "(the last: %s)", as, (unsigned long long)r->more, r->why);
	r->more = 0;
}

static void
accept_clients(struct service *s, uint64_t now)
{
	/* a whole crowd per wake-up: those over a limit go at once */
	for (int i = 0; i < 2 * GF_SVC_MAX_CLIENTS; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct gf_addr a;
		uint16_t port;
		struct client *c;
		char name[64], why[128];
		int fd;

		fd = accept4(s->lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				gf_warn("service: accept: %s", strerror(errno));
			return;
		}
		gf_net_peer(&ss, &a, &port);
		gf_net_format(&a, port, name, sizeof(name));
		if (!gf_net_allowed(&a, s->allow, s->nallow)) {
			/* not told why: an outsider learns nothing */
			refused(s, &a, s->nallow ? "not in service.allow" :
			    "not in service.allow (empty: loopback only)", now);
			close(fd);
			continue;
		}
		if (s->nc == GF_SVC_MAX_CLIENTS) {
			snprintf(why, sizeof(why), "already %d clients",
			    GF_SVC_MAX_CLIENTS);
			tell_refused(fd, why);
			refused(s, &a, why, now);
			close(fd);
			continue;
		}
		if (from_source(s, &a) >= s->max_per_source) {
			char as[64];
			gf_addr_format(&a, as, sizeof(as));
			snprintf(why, sizeof(why), "too many clients from %s "
			    "(service.max_per_source %d)", as,
			    s->max_per_source);
			tell_refused(fd, why);
			refused(s, &a, why, now);
			close(fd);
			continue;
		}
		keepalive(fd);
		c = gf_xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->state = C_HELLO;
		c->since = now;
		c->qtail = &c->qhead;
		c->peer = a;
		snprintf(c->name, sizeof(c->name), "%s", name);
		s->c[s->nc++] = c;
		gf_info("service: client %s connected", name);
	}
}

/* ---- the API ------------------------------------------------------------ */

struct service *
service_open(const char *spec, const struct gf_netprefix *allow, int nallow,
    char *err, size_t errlen)
{
	struct service *s;
	int fd = gf_net_listen(spec, err, errlen);

	if (fd < 0)
		return NULL;
	s = gf_xcalloc(1, sizeof(*s));
	s->lfd = fd;
	s->spec = gf_xstrdup(spec);
	s->max_per_source = GF_SVC_MAX_PER_SOURCE;
	service_set_allow(s, allow, nallow);
	return s;
}

void
service_set_allow(struct service *s, const struct gf_netprefix *allow,
    int nallow)
{
	if (nallow > GF_CFG_MAX_ALLOW)
		nallow = GF_CFG_MAX_ALLOW;
	if (nallow > 0)
		memcpy(s->allow, allow, (size_t)nallow * sizeof(*allow));
	s->nallow = nallow;
}

void
service_start(struct service *s, const struct gf_stream_info *info, int level)
{
	if (s->started)
		return;
	s->info = *info;
	s->level = level;
	s->out = gf_xmalloc(GF_BLOCK_HDR_LEN + GF_BLOCK_MAX_STORED);
	builder_init(&s->shared);
	s->started = 1;
	for (int i = 0; i < s->nc; i++)
		if (s->c[i]->state == C_READY)
			client_start(s, s->c[i]);
}

int
service_pollfds(struct service *s, struct pollfd *pfd, int max)
{
	int n = 0;

	compact(s);
	if (max < 1)
		return 0;
	pfd[n].fd = s->lfd;
	pfd[n].events = POLLIN;
	pfd[n++].revents = 0;
	s->npolled = 0;
	for (int i = 0; i < s->nc && n < max; i++) {
		struct client *c = s->c[i];
		pfd[n].fd = c->fd;
		pfd[n].events = (c->rd_eof ? 0 : POLLIN) |
		    (c->qhead != NULL ? POLLOUT : 0);
		pfd[n++].revents = 0;
		s->npolled++;
	}
	return n;
}

void
service_events(struct service *s, const struct pollfd *pfd, int n,
    uint64_t now)
{
	int polled = s->npolled;

	/* clients first: accepting appends to the array */
	for (int i = 0; i < polled && i + 1 < n; i++) {
		struct client *c = s->c[i];
		short re = pfd[i + 1].revents;
		if (c->state == C_DEAD || re == 0)
			continue;
		if (re & (POLLIN | POLLHUP | POLLERR))
			client_read(s, c);
		if ((re & POLLOUT) && c->state == C_STREAM)
			client_send(c);
		/* both directions gone: a reset, or a close after rd_eof */
		if ((re & (POLLERR | POLLNVAL | POLLHUP)) &&
		    c->state != C_DEAD)
			client_kill(c, "connection closed");
	}
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_clients(s, now);
	compact(s);
}

void
service_put(struct service *s, const struct gf_record *r, uint64_t now)
{
	int shared = 0;

	if (!s->started)
		return;
	for (int i = 0; i < s->nc; i++) {
		struct client *c = s->c[i];
		if (c->state != C_STREAM)
			continue;
		if (c->filter == NULL) {
			shared = 1;
			continue;
		}
		/* SENSOR records go to everyone: the heartbeat that finds a
		 * dead peer by a failing write, whatever its filter */
		if (r->type != GF_RT_SENSOR && !gf_filter_match(c->filter, r))
			continue;
		if (builder_add(&c->own, r, now)) {
			flush_own(s, c);
			(void)builder_add(&c->own, r, now);
		}
	}
	if (shared && builder_add(&s->shared, r, now)) {
		flush_shared(s);
		(void)builder_add(&s->shared, r, now);
	}
}

void
service_tick(struct service *s, uint64_t now)
{
	for (int i = 0; i < s->nc; i++) {
		struct client *c = s->c[i];
		if (c->state == C_HELLO && now >= c->since + GF_SVC_HELLO_NS) {
			if (c->linelen > 0) {
				/* started a request and never ended it */
				gf_warn("service: client %s: request not "
				    "finished within %llu s; closed", c->name,
				    GF_SVC_HELLO_NS / 1000000000ull);
				tell_refused(c->fd, "request not finished in "
				    "time");
				client_kill(c, NULL);
				continue;
			}
			client_hello_done(s, c);
		}
		if (c->state == C_STREAM && c->filter != NULL &&
		    c->own.nrec > 0 && now >= c->own.first + GF_SVC_FLUSH_NS)
			flush_own(s, c);
	}
	if (s->started && s->shared.nrec > 0 &&
	    now >= s->shared.first + GF_SVC_FLUSH_NS)
		flush_shared(s);
	for (int i = 0; i < GF_SVC_REFUSALS; i++)
		if (s->ref[i].more > 0 &&
		    now >= s->ref[i].logged + GF_SVC_REFUSAL_LOG_NS) {
			refusal_summary(&s->ref[i]);
			s->ref[i].logged = now;
		}
	compact(s);
}

static long long
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
service_close(struct service *s, int linger_ms)
{
	long long deadline = mono_ms() + linger_ms;

	if (s == NULL)
		return;
	if (s->started) {
		flush_shared(s);
		for (int i = 0; i < s->nc; i++)
			if (s->c[i]->filter != NULL &&
			    s->c[i]->state == C_STREAM)
				flush_own(s, s->c[i]);
	}
	/* a finished stream ends with the end block */
	if (s->started) {
		uint8_t end[GF_BLOCK_HDR_LEN];
		struct qblock *b;
		gf_block_end(s->shared.seq, end);
		b = qblock_new(s, end, sizeof(end));
		b->refs = 1;
		for (int i = 0; i < s->nc; i++) {
			struct client *c = s->c[i];
			struct qblock *own;
			if (c->state != C_STREAM)
				continue;
			if (c->filter == NULL) {
				client_queue(s, c, b);
				continue;
			}
			gf_block_end(c->own.seq, end);
			own = qblock_new(s, end, sizeof(end));
			own->refs = 1;
			client_queue(s, c, own);
			qblock_unref(own);
		}
		qblock_unref(b);
	}
	/* clients still saying hello get nothing: there is nothing left */
	for (int i = 0; i < s->nc; i++)
		if (s->c[i]->state != C_STREAM)
			client_kill(s->c[i], NULL);
	compact(s);
	for (;;) {
		struct pollfd pfd[GF_SVC_MAX_CLIENTS];
		int n = 0;
		long long left = deadline - mono_ms();
		for (int i = 0; i < s->nc; i++) {
			if (s->c[i]->qhead == NULL)
				continue;
			pfd[n].fd = s->c[i]->fd;
			pfd[n].events = POLLOUT;
			n++;
		}
		if (n == 0 || left <= 0)
			break;
		if (poll(pfd, (nfds_t)n, (int)left) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < s->nc; i++)
			client_send(s->c[i]);
		compact(s);
	}
	for (int i = 0; i < s->nc; i++) {
		if (s->c[i]->qhead != NULL)
			gf_warn("service: client %s: %zu bytes not sent at "
			    "shutdown", s->c[i]->name, s->c[i]->qbytes);
		/* an orderly end of stream, not a reset */
		shutdown(s->c[i]->fd, SHUT_WR);
		s->c[i]->state = C_DEAD;
	}
	compact(s);
	close(s->lfd);
	free(s->shared.raw);
	free(s->out);
	free(s->spec);
	free(s);
}

uint64_t
service_cutoff(const struct service *s)
{
	return s->cutoff;
}

int
service_clients(const struct service *s)
{
	return s->nc;
}

int
service_streaming(const struct service *s)
{
	int n = 0;
	for (int i = 0; i < s->nc; i++)
		n += s->c[i]->state == C_STREAM;
	return n;
}

int
service_cut_all(struct service *s, const char *why)
{
	int n = 0;
	for (int i = 0; i < s->nc; i++) {
		struct client *c = s->c[i];
		if (c->state != C_STREAM)
			continue;
		gf_warn("service: client %s cut off: %s", c->name, why);
		client_kill(c, NULL);
		client_drop_queue(c);
		s->cutoff++;
		n++;
	}
	return n;
}
