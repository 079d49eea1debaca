/*
 * ipfix_export.c - IPFIX transports: UDP, TCP, RFC 5655 file (see
 * ipfix_export.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gapflow.h"
#include "ipfix.h"
#include "ipfix_export.h"
#include "log.h"
#include "timefmt.h"
#include "netio.h"

#define MS              1000000ull
#define BACKOFF_MIN     (1000 * MS)
#define BACKOFF_MAX     (60000 * MS)
#define LOG_EVERY       (60000 * MS)
/* UDP: messages per sendmmsg, a syscall per up to 32 datagrams, built in
 * place back to back in a buffer of UDP_BUF bytes (4 of the largest) */
#define UDP_BATCH       32
#define UDP_BUF         (4 * (size_t)GF_IPFIX_MTU_MAX)
#define QMSGS           (GF_IPFIX_QUEUE / 32)   /* a message >= 56 bytes */

enum kind { D_UDP, D_TCP, D_FILE };

struct dest {
	char *name;             /* as given */
	enum kind kind;
	int fd;
	struct gf_ipfix enc;
	/* UDP, TCP: the peer; connect(2) done */
	struct sockaddr_storage sa;
	socklen_t salen;
	int connected;
	/* TCP */
	int connecting;
	uint64_t next_try, backoff;
	uint8_t *q;             /* queued bytes [qhead, qlen) */
	size_t qhead, qlen;
	/* queued messages, oldest first: stream offset of each one's end
	 * and its FLOW records, counted sent once written whole */
	struct qmsg { uint64_t end; uint32_t nflow; } *qm;
	size_t qm_head, qm_n;
	uint64_t queued, written;       /* stream bytes */
	/* the message being built: its export time */
	uint32_t etime;
	/* UDP: templates and path MTU due; the path MTU (0 unknown);
	 * messages waiting for one sendmmsg, ub[0, uoff), the one being
	 * built at ub + uoff */
	uint64_t next_refresh;
	unsigned pmtu;
	uint8_t *ub;
	size_t uoff;
	struct mmsghdr um[UDP_BATCH];
	struct iovec uv[UDP_BATCH];
	uint32_t unrec[UDP_BATCH];
	int un;
	/* counts */
	uint64_t sent, notsent, logged_notsent, last_log;
	int logged_once;
};

struct gf_ipfix_exp {
	struct gf_ipfix_opts o;
	int n;
	struct dest d[GF_IPFIX_MAX_DEST];
	struct gf_ipfix_stats tot;      /* dropped and ignored: sensor's */
};

static uint32_t
export_time(void)
{
	return (uint32_t)time(NULL);
}

int
gf_ipfix_dest_check(const char *dest)
{
	char host[256], port[8];

	if (strncmp(dest, "file:", 5) == 0)
		return dest[5] != '\0' ? 0 : -1;
	if (strncmp(dest, "udp:", 4) != 0 && strncmp(dest, "tcp:", 4) != 0)
		return -1;
	return gf_net_split(dest + 4, NULL, host, sizeof(host), port,
	    sizeof(port));
}

/* ---- losses --------------------------------------------------------------- */

static void
lost(struct dest *d, uint64_t nrec, const char *why)
{
	uint64_t now;

	if (nrec == 0)
		return;
	d->notsent += nrec;
	now = gf_mono_ns();
	if (d->logged_once && now - d->last_log < LOG_EVERY)
		return;
	gf_warn("ipfix %s: %s; %llu records not sent so far (%llu since the "
	    "last message)", d->name, why, (unsigned long long)d->notsent,
	    (unsigned long long)(d->notsent - d->logged_notsent));
	d->logged_once = 1;
	d->last_log = now;
	d->logged_notsent = d->notsent;
}

/* ---- TCP ------------------------------------------------------------------ */

static void
tcp_drop(struct dest *d, const char *why)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->connected = d->connecting = 0;
	/* what is queued or half built belonged to the lost session */
	{
		uint32_t n;
		uint64_t left = 0;
		gf_ipfix_take(&d->enc, &n);
		for (size_t i = 0; i < d->qm_n; i++)
			left += d->qm[(d->qm_head + i) % QMSGS].nflow;
		d->qm_head = d->qm_n = 0;
		d->qhead = d->qlen = 0;
		d->queued = d->written = 0;
		lost(d, left + n, "connection lost with records queued");
	}
	d->next_try = gf_mono_ns() + d->backoff;
	d->backoff = d->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : d->backoff * 2;
	if (why != NULL)
		gf_warn("ipfix %s: %s; retrying", d->name, why);
}

static void
tcp_try_connect(struct dest *d)
{
	int fd = socket(d->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		tcp_drop(d, strerror(errno));
		return;
	}
	d->fd = fd;
	if (connect(fd, (struct sockaddr *)&d->sa, d->salen) == 0) {
		d->connected = 1;
	} else if (errno == EINPROGRESS) {
		d->connecting = 1;
		return;
	} else {
		char why[128];
		snprintf(why, sizeof(why), "cannot connect: %s",
		    strerror(errno));
		tcp_drop(d, why);
		return;
	}
}

/* A connect finished (or not yet). */
static void
tcp_check_connect(struct dest *d)
{
	struct pollfd p = { .fd = d->fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (poll(&p, 1, 0) <= 0)
		return;
	if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 ||
	    soerr != 0) {
		char why[128];
		snprintf(why, sizeof(why), "cannot connect: %s",
		    strerror(soerr ? soerr : errno));
		tcp_drop(d, why);
		return;
	}
	d->connecting = 0;
	d->connected = 1;
}

static void
on_connected(struct dest *d)
{
	/* a new transport session: sequence 0, templates first */
	gf_ipfix_reset(&d->enc);
	d->backoff = BACKOFF_MIN;
	gf_info("ipfix %s: connected", d->name);
}

static void
tcp_flush(struct dest *d)
{
	while (d->connected && d->qhead < d->qlen) {
		ssize_t w = send(d->fd, d->q + d->qhead, d->qlen - d->qhead,
		    MSG_NOSIGNAL);
		if (w > 0) {
			d->qhead += (size_t)w;
			d->written += (uint64_t)w;
			while (d->qm_n > 0 &&
			    d->qm[d->qm_head].end <= d->written) {
				d->sent += d->qm[d->qm_head].nflow;
				d->qm_head = (d->qm_head + 1) % QMSGS;
				d->qm_n--;
			}
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return;
		{
			char why[128];
			snprintf(why, sizeof(why), "connection lost: %s",
			    w == 0 ? "closed" : strerror(errno));
			tcp_drop(d, why);
		}
		return;
	}
	if (d->qhead == d->qlen)
		d->qhead = d->qlen = 0;
}

/* ---- sending a message ------------------------------------------------- */

/* opts.wait: until fd can take more, or 1 s. */
static void wait_writable(int fd);

/* Send the batched UDP messages; what the socket refuses is lost (with
 * opts.wait, waited for).  Only between messages: none is being built in
 * ub. */
static void
udp_flush(struct gf_ipfix_exp *x, struct dest *d)
{
	int done = 0;

	for (int i = 0; i < d->un; i++) {
		memset(&d->um[i].msg_hdr, 0, sizeof(d->um[i].msg_hdr));
		if (!d->connected) {
			d->um[i].msg_hdr.msg_name = &d->sa;
			d->um[i].msg_hdr.msg_namelen = d->salen;
		}
		d->um[i].msg_hdr.msg_iov = &d->uv[i];
		d->um[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < d->un) {
		int n = sendmmsg(d->fd, d->um + done, (unsigned)(d->un - done),
		    MSG_DONTWAIT);
		if (n > 0) {
			for (int i = done; i < done + n; i++)
				d->sent += d->unrec[i];
			done += n;
			continue;
		}
		if (n < 0 && x->o.wait && (errno == EAGAIN ||
		    errno == EWOULDBLOCK || errno == EINTR)) {
			wait_writable(d->fd);
			continue;
		}
		{
			char why[160];
			snprintf(why, sizeof(why), "cannot send: %s",
			    n < 0 ? strerror(errno) : "nothing sent");
			/* this message is lost; the rest are tried again */
			lost(d, d->unrec[done], why);
			done++;
		}
	}
	d->un = 0;
	d->uoff = 0;
}

/* The message just taken, built in place at ub + uoff, joins the batch. */
static void
udp_queue(struct dest *d, size_t len, uint32_t nrec)
{
	d->uv[d->un].iov_base = d->ub + d->uoff;
	d->uv[d->un].iov_len = len;
	d->unrec[d->un++] = nrec;
	d->uoff += len;
}

size_t
gf_ipfix_udp_size(int family, unsigned pmtu, size_t max)
{
	/* IP header, and the IPv4 total length or the IPv6 payload length
	 * (16 bits, the IPv6 header not counted) that bounds a datagram */
	size_t ip = family == AF_INET6 ? 40 : 20;
	size_t room = family == AF_INET6 ? 65535 - 8 : 65535 - ip - 8;

	if (pmtu == 0)
		return GF_IPFIX_MTU_MIN;
	if (pmtu < ip + 8 + room)
		room = pmtu > ip + 8 ? pmtu - ip - 8 : 0;
	if (room > max)
		room = max;
	return room < GF_IPFIX_MTU_MIN ? GF_IPFIX_MTU_MIN : room;
}

/* UDP: connect(2) if not yet (a connected socket has a path MTU), and
 * size the messages from the path MTU the kernel reports now.  Only
 * between messages. */
static void
udp_size(struct gf_ipfix_exp *x, struct dest *d, int first)
{
	unsigned pmtu = 0;
	size_t was = d->enc.mtu;

	if (!d->connected) {
		if (connect(d->fd, (struct sockaddr *)&d->sa, d->salen) == 0)
			d->connected = 1;
		else if (first)
			gf_warn("ipfix %s: cannot connect: %s; path MTU unknown, "
			    "messages of %d bytes until it can", d->name,
			    strerror(errno), GF_IPFIX_MTU_MIN);
	}
	if (d->connected) {
		int v = 0;
		socklen_t len = sizeof(v);
		if ((d->sa.ss_family == AF_INET6 ?
		    getsockopt(d->fd, IPPROTO_IPV6, IPV6_MTU, &v, &len) :
		    getsockopt(d->fd, IPPROTO_IP, IP_MTU, &v, &len)) == 0 &&
		    v > 0)
			pmtu = (unsigned)v;
	}
	gf_ipfix_set_mtu(&d->enc, gf_ipfix_udp_size(d->sa.ss_family, pmtu,
	    x->o.mtu));
	if (first || d->enc.mtu != was || pmtu != d->pmtu)
		gf_info("ipfix %s: messages of up to %zu bytes (path MTU %u%s)",
		    d->name, d->enc.mtu, pmtu, pmtu ? "" : ": unknown");
	d->pmtu = pmtu;
}

static void
wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	poll(&p, 1, 1000);
}

static void
deliver(struct gf_ipfix_exp *x, struct dest *d, const uint8_t *m,
    size_t len, uint32_t nrec)
{
	switch (d->kind) {
	case D_FILE: {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(d->fd, m + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				char why[160];
				snprintf(why, sizeof(why), "cannot write: %s",
				    w < 0 ? strerror(errno) : "no space");
				lost(d, nrec, why);
				return;
			}
			off += (size_t)w;
		}
		d->sent += nrec;
		return;
	}
	case D_UDP:             /* udp_queue: built in place */
		return;
	case D_TCP:
		if (!d->connected) {
			lost(d, nrec, "not connected");
			return;
		}
		if (d->qhead > 0 && d->qlen + len > GF_IPFIX_QUEUE) {
			memmove(d->q, d->q + d->qhead, d->qlen - d->qhead);
			d->qlen -= d->qhead;
			d->qhead = 0;
		}
		while (x->o.wait && d->connected && (d->qlen - d->qhead +
		    len > GF_IPFIX_QUEUE || d->qm_n == QMSGS)) {
			wait_writable(d->fd);
			tcp_flush(d);
			if (d->qhead > 0) {
				memmove(d->q, d->q + d->qhead,
				    d->qlen - d->qhead);
				d->qlen -= d->qhead;
				d->qhead = 0;
			}
		}
		if (!d->connected) {
			lost(d, nrec, "connection lost");
			return;
		}
		if (d->qlen + len > GF_IPFIX_QUEUE || d->qm_n == QMSGS) {
			lost(d, nrec, "collector too slow, queue full");
			/* the session's sequence now has a hole the
			 * collector sees: the honest account of the loss */
			return;
		}
		memcpy(d->q + d->qlen, m, len);
		d->qlen += len;
		d->queued += len;
		d->qm[(d->qm_head + d->qm_n) % QMSGS] =
		    (struct qmsg){ d->queued, nrec };
		d->qm_n++;
		tcp_flush(d);
		return;
	}
}

/* Take the message being built, if any, and send it (UDP: batch it). */
static void
flush_enc(struct gf_ipfix_exp *x, struct dest *d)
{
	uint32_t nrec;
	size_t len = gf_ipfix_take(&d->enc, &nrec);
	if (len == 0)
		return;
	if (d->kind == D_UDP)
		udp_queue(d, len, nrec);
	else
		deliver(x, d, d->enc.msg, len, nrec);
}

/* Before encoding into d: a TCP session must be up, or the records are
 * lost at once (the encoder would number them into no session). */
static int
dest_ready(struct dest *d)
{
	return d->kind != D_TCP || d->connected;
}

/* UDP: the templates again, and the path MTU looked at again, when the
 * refresh interval has passed; only between messages. */
static void
refresh_due(struct gf_ipfix_exp *x, struct dest *d)
{
	uint64_t now;

	if (d->kind != D_UDP || gf_ipfix_pending(&d->enc) != 0)
		return;
	now = gf_mono_ns();
	if (now >= d->next_refresh) {
		gf_ipfix_want_templates(&d->enc);
		d->next_refresh = now + x->o.refresh_ns;
		udp_size(x, d, 0);
	}
}

/* Before a record is added: if it begins a message, the message's export
 * time and, over UDP, the refresh check and its place in the batch (a
 * clock read per message, not per record). */
static void
begin(struct gf_ipfix_exp *x, struct dest *d)
{
	if (gf_ipfix_pending(&d->enc) != 0)
		return;
	d->etime = export_time();
	if (d->kind != D_UDP)
		return;
	refresh_due(x, d);
	if (d->un == UDP_BATCH || UDP_BUF - d->uoff < d->enc.mtu)
		udp_flush(x, d);
	gf_ipfix_set_buffer(&d->enc, d->ub + d->uoff);
}

static void
add_flow(struct gf_ipfix_exp *x, struct dest *d, const struct gf_flow *f)
{
	int rc;

	if (!dest_ready(d)) {
		lost(d, 1, "not connected");
		return;
	}
	begin(x, d);
	if ((rc = gf_ipfix_add_flow(&d->enc, f, d->etime)) == 1) {
		flush_enc(x, d);
		if (!dest_ready(d)) {
			lost(d, 1, "not connected");
			return;
		}
		begin(x, d);
		rc = gf_ipfix_add_flow(&d->enc, f, d->etime);
	}
	if (rc != 0)
		lost(d, 1, "record without IPv4 or IPv6 addresses");
}

static void
add_stats(struct gf_ipfix_exp *x, struct dest *d)
{
	struct gf_ipfix_stats s = x->tot;

	if (!dest_ready(d))
		return;
	s.exported = d->sent;
	s.notsent = d->notsent;
	begin(x, d);
	if (gf_ipfix_add_stats(&d->enc, &s, d->etime) == 1) {
		flush_enc(x, d);
		if (dest_ready(d)) {
			begin(x, d);
			gf_ipfix_add_stats(&d->enc, &s, d->etime);
		}
	}
}

/* ---- the API ------------------------------------------------------------ */

static int
resolve(struct dest *d, const char *hostport, int socktype, char *err,
    size_t errlen)
{
	char host[256], port[8];
	struct addrinfo hints, *ai;
	int rc;

	if (gf_net_split(hostport, NULL, host, sizeof(host), port,
	    sizeof(port)) != 0) {
		snprintf(err, errlen, "ipfix %s: not HOST:PORT", d->name);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "ipfix %s: %s", d->name,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(&d->sa, ai->ai_addr, ai->ai_addrlen);
	d->salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int
open_dest(struct gf_ipfix_exp *x, struct dest *d, const char *spec,
    char *err, size_t errlen)
{
	d->name = gf_xstrdup(spec);
	d->fd = -1;
	gf_ipfix_init(&d->enc, x->o.pen, x->o.domain, x->o.mtu);
	if (gf_ipfix_dest_check(spec) != 0) {
		snprintf(err, errlen, "ipfix %s: not udp:HOST:PORT, "
		    "tcp:HOST:PORT or file:PATH", spec);
		return -1;
	}
	if (strncmp(spec, "file:", 5) == 0) {
		d->kind = D_FILE;
		if (strcmp(spec + 5, "-") == 0)
			d->fd = dup(1);
		else
			d->fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC |
			    O_CLOEXEC, 0644);
		if (d->fd < 0) {
			snprintf(err, errlen, "ipfix %s: cannot open: %s",
			    spec, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (strncmp(spec, "udp:", 4) == 0) {
		d->kind = D_UDP;
		if (resolve(d, spec + 4, SOCK_DGRAM, err, errlen) != 0)
			return -1;
		d->fd = socket(d->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (d->fd < 0) {
			snprintf(err, errlen, "ipfix %s: cannot create socket: "
			    "%s", spec, strerror(errno));
			return -1;
		}
		/* room for a batch in the socket buffer, should the kernel
		 * hold the datagrams until the interface has sent them (it
		 * doubles the value; its cap, net.core.wmem_max, may win) */
		{
			int sb = (int)UDP_BUF;
			setsockopt(d->fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb));
		}
		d->next_refresh = gf_mono_ns() + x->o.refresh_ns;
		d->ub = gf_xmalloc(UDP_BUF);
		udp_size(x, d, 1);
		return 0;
	}
	d->kind = D_TCP;
	if (resolve(d, spec + 4, SOCK_STREAM, err, errlen) != 0)
		return -1;
	d->q = gf_xmalloc(GF_IPFIX_QUEUE);
	d->qm = gf_xcalloc(QMSGS, sizeof(*d->qm));
	d->backoff = BACKOFF_MIN;
	tcp_try_connect(d);
	/* before capture starts: a collector that answers at once gets
	 * the first records too */
	if (d->connecting) {
		struct pollfd p = { .fd = d->fd, .events = POLLOUT };
		poll(&p, 1, x->o.wait ? 5000 : 1000);
		tcp_check_connect(d);
	}
	if (d->connected)
		on_connected(d);
	return 0;
}

static void
free_dest(struct dest *d)
{
	if (d->fd >= 0)
		close(d->fd);
	free(d->q);
	free(d->qm);
	free(d->ub);
	free(d->name);
}

struct gf_ipfix_exp *
gf_ipfix_exp_open(char *const *dests, int n, const struct gf_ipfix_opts *o,
    char *err, size_t errlen)
{
	struct gf_ipfix_exp *x;

	if (n <= 0)
		return NULL;
	if (n > GF_IPFIX_MAX_DEST) {
		snprintf(err, errlen, "ipfix: at most %d destinations",
		    GF_IPFIX_MAX_DEST);
		return NULL;
	}
	x = gf_xcalloc(1, sizeof(*x));
	x->o = *o;
	if (x->o.mtu == 0)
		x->o.mtu = GF_IPFIX_MTU_DEFAULT;
	if (x->o.refresh_ns == 0)
		x->o.refresh_ns = GF_IPFIX_REFRESH_DEFAULT;
	for (int i = 0; i < n; i++) {
		x->n++;
		if (open_dest(x, &x->d[i], dests[i], err, errlen) != 0) {
			for (int j = 0; j < x->n; j++)
				free_dest(&x->d[j]);
			free(x);
			return NULL;
		}
	}
	return x;
}

void
gf_ipfix_exp_put(struct gf_ipfix_exp *x, const struct gf_record *r)
{
	if (x == NULL)
		return;
	if (r->type == GF_RT_FLOW) {
		for (int i = 0; i < x->n; i++)
			add_flow(x, &x->d[i], &r->u.flow);
		return;
	}
	if (r->type != GF_RT_SENSOR)
		return;
	x->tot.dropped += r->u.sensor.kdrops + r->u.sensor.ifdrops;
	x->tot.ignored += r->u.sensor.nonip;
	for (int b = 0; b < GF_BAD_COUNT; b++)
		x->tot.ignored += r->u.sensor.bad[b];
	for (int i = 0; i < x->n; i++)
		add_stats(x, &x->d[i]);
}

void
gf_ipfix_exp_tick(struct gf_ipfix_exp *x)
{
	uint64_t now;

	if (x == NULL)
		return;
	now = gf_mono_ns();
	for (int i = 0; i < x->n; i++) {
		struct dest *d = &x->d[i];
		flush_enc(x, d);
		if (d->kind == D_UDP)
			udp_flush(x, d);
		refresh_due(x, d);
		if (d->kind != D_TCP)
			continue;
		if (d->connecting) {
			tcp_check_connect(d);
			if (d->connected)
				on_connected(d);
		} else if (!d->connected && now >= d->next_try) {
			tcp_try_connect(d);
			if (d->connected)
				on_connected(d);
		}
		if (d->connected) {
			/* a peer that closed shows as a readable EOF */
			struct pollfd p = { .fd = d->fd, .events = POLLIN };
			char c;
			if (poll(&p, 1, 0) > 0 && recv(d->fd, &c, 1,
			    MSG_DONTWAIT) == 0) {
				tcp_drop(d, "connection closed by the collector");
				continue;
			}
			tcp_flush(d);
		}
	}
}

uint64_t
gf_ipfix_exp_notsent(const struct gf_ipfix_exp *x)
{
	uint64_t n = 0;
	if (x != NULL)
		for (int i = 0; i < x->n; i++)
			n += x->d[i].notsent;
	return n;
}

uint64_t
gf_ipfix_exp_close(struct gf_ipfix_exp *x, int linger_ms)
{
	uint64_t deadline, notsent;

	if (x == NULL)
		return 0;
	deadline = gf_mono_ns() + (uint64_t)linger_ms * MS;
	for (int i = 0; i < x->n; i++) {
		flush_enc(x, &x->d[i]);
		if (x->d[i].kind == D_UDP)
			udp_flush(x, &x->d[i]);
	}
	for (int i = 0; i < x->n; i++) {
		struct dest *d = &x->d[i];
		while (d->kind == D_TCP && d->connected && d->qhead < d->qlen &&
		    gf_mono_ns() < deadline) {
			struct pollfd p = { .fd = d->fd, .events = POLLOUT };
			poll(&p, 1, 50);
			tcp_flush(d);
		}
		if (d->kind == D_TCP && d->qhead < d->qlen)
			tcp_drop(d, NULL);
		if (d->kind == D_FILE && d->fd >= 0 && close(d->fd) != 0) {
			gf_warn("ipfix %s: cannot close: %s", d->name,
			    strerror(errno));
		}
		if (d->kind == D_FILE)
			d->fd = -1;
	}
	notsent = gf_ipfix_exp_notsent(x);
	for (int i = 0; i < x->n; i++) {
		struct dest *d = &x->d[i];
		if (d->notsent > 0)
			gf_warn("ipfix %s: %llu FLOW records not sent, %llu "
			    "sent", d->name, (unsigned long long)d->notsent,
			    (unsigned long long)d->sent);
		free_dest(d);
	}
	free(x);
	return notsent;
}
