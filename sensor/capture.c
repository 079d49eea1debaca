/*
 * capture.c - packet sources through libpcap (see capture.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile.h"
#include "capture.h"
#include "decode.h"
#include "log.h"

#define LIVE_TIMEOUT_MS 100
/* Each open file's stdio buffer: 1 MiB (a read(2) per MiB) while the
 * files are few, less when many are given, since files that overlap in
 * time are all open at once: FILE_BUFFERS in all, at least FILE_BUFFER_MIN
 * each. */
#define FILE_BUFFER     (1u << 20)
#define FILE_BUFFERS    (4u << 20)
#define FILE_BUFFER_MIN (64u << 10)

static int
apply_filter(struct capture_source *s, const char *filter)
{
	struct bpf_program prog;

	if (filter == NULL || *filter == '\0')
		return 0;
	if (pcap_compile(s->pcap, &prog, filter, 1,
	    PCAP_NETMASK_UNKNOWN) != 0) {
		gf_err("%s: bad capture filter '%s': %s", s->name, filter,
		    pcap_geterr(s->pcap));
		return -1;
	}
	if (pcap_setfilter(s->pcap, &prog) != 0) {
		gf_err("%s: cannot set capture filter: %s", s->name,
		    pcap_geterr(s->pcap));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static int
check_linktype(struct capture_source *s)
{
	s->dlt = pcap_datalink(s->pcap);
	if (!gf_decode_linktype_supported(s->dlt)) {
		gf_err("%s: link type %s (%d) is not supported", s->name,
		    pcap_datalink_val_to_name(s->dlt) ?
		    pcap_datalink_val_to_name(s->dlt) : "unknown", s->dlt);
		return -1;
	}
	return 0;
}

/* Close a file source (it may be opened again); its counts stay. */
static void
close_file(struct capture_source *s)
{
	if (s->pcap != NULL)
		pcap_close(s->pcap);            /* closes the FILE */
	s->pcap = NULL;
	s->gz = NULL;
	free(s->iobuf);
	s->iobuf = NULL;
	s->have = 0;
}

/* Open s's file (s->path, or stdin) with the filter; the name is set. */
static int
open_file(struct capture *c, struct capture_source *s)
{
	char err[PCAP_ERRBUF_SIZE > 256 ? PCAP_ERRBUF_SIZE : 256];
	FILE *fp;
	int regular;

	fp = capfile_open(s->path != NULL ? s->path : "-", c->bufsize,
	    &s->iobuf, &s->gz, &regular, err, sizeof(err));
	if (fp == NULL) {
		gf_err("%s: cannot read as a capture file: %s", s->name, err);
		return -1;
	}
	/* only a regular file can be read again from its start */
	if (!regular) {
		free(s->path);
		s->path = NULL;
	}
	s->pcap = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, err);
	if (s->pcap == NULL) {
		const char *zerr = capfile_gzerror(s->gz);
		if (zerr != NULL)
			gf_err("%s: cannot read as a capture file: gzip: %s",
			    s->name, zerr);
		else
			gf_err("%s: cannot read as a capture file: %s",
			    s->name, err);
		fclose(fp);
		s->gz = NULL;
		free(s->iobuf);
		s->iobuf = NULL;
		return -1;
	}
	if (check_linktype(s) != 0 || apply_filter(s, c->filter) != 0) {
		close_file(s);
		return -1;
	}
	return 0;
}

#define LIVE_CALL(expr, what) do { \
	int rc_ = (expr); \
	if (rc_ < 0) { \
		gf_err("%s: cannot set %s: %s", s->name, what, \
		    pcap_statustostr(rc_)); \
		return -1; \
	} \
} while (0)

static int
open_iface(struct capture_source *s, const char *ifname,
    const struct gf_config *cfg, int timeout_ms)
{
	char err[PCAP_ERRBUF_SIZE];
	int rc;

	s->name = gf_xstrdup(ifname);
	s->live = 1;
	s->pcap = pcap_create(ifname, err);
	if (s->pcap == NULL) {
		gf_err("%s: cannot open interface: %s", ifname, err);
		return -1;
	}
	LIVE_CALL(pcap_set_snaplen(s->pcap, cfg->snaplen), "snaplen");
	LIVE_CALL(pcap_set_promisc(s->pcap, cfg->promisc), "promiscuous mode");
	LIVE_CALL(pcap_set_timeout(s->pcap, timeout_ms), "read timeout");
	if (cfg->buffer_size > 0)
		LIVE_CALL(pcap_set_buffer_size(s->pcap,
		    cfg->buffer_size > INT32_MAX ? INT32_MAX :
		    (int)cfg->buffer_size), "buffer size");
	/* several interfaces are merged by timestamp: a packet must not
	 * wait in a half-filled kernel block while the other interface's
	 * later packets are taken, so each is handed over at once */
	if (cfg->nifaces > 1)
		LIVE_CALL(pcap_set_immediate_mode(s->pcap, 1),
		    "immediate mode");
	/* nanosecond stamps where the platform has them; else microseconds
	 * (the failure is harmless: precision stays micro) */
	(void)pcap_set_tstamp_precision(s->pcap, PCAP_TSTAMP_PRECISION_NANO);
	rc = pcap_activate(s->pcap);
	if (rc < 0) {
		gf_err("%s: cannot start capture: %s (%s)", ifname,
		    pcap_statustostr(rc), pcap_geterr(s->pcap));
		return -1;
	}
	if (rc > 0)
		gf_warn("%s: %s (%s)", ifname, pcap_statustostr(rc),
		    pcap_geterr(s->pcap));
	if (pcap_setnonblock(s->pcap, 1, err) != 0) {
		gf_err("%s: cannot set non-blocking mode: %s", ifname, err);
		return -1;
	}
	return check_linktype(s);
}

/*
 * One interface: the kernel hands packets over a block at a time, at the
 * latest after this timeout, which is how far behind the wall clock the
 * flow engine's idle clock must run.  Several: immediate mode, no wait.
 */
static int
live_timeout(const struct gf_config *cfg)
{
	return cfg->nifaces > 1 ? 0 : LIVE_TIMEOUT_MS;
}

static uint64_t
ts_ns(const struct pcap_pkthdr *h)
{
	/* the sources were opened with nanosecond precision */
	return (uint64_t)h->ts.tv_sec * GF_NS_PER_SEC + (uint64_t)h->ts.tv_usec;
}

/*
 * The look at a file at start: open it (every error is found now, as for
 * one file), note its first packet's time, close it.  An empty file ends
 * here; a file whose first read fails comes first in the merge, which
 * reports the error.  Standard input cannot be read twice: it stays open
 * and the merge reads its first packet when it needs it.
 */
static int
look_file(struct capture *c, struct capture_source *s)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;

	if (open_file(c, s) != 0)
		return -1;
	if (s->path == NULL) {
		/* a pipe's first packet may come much later (the sensor must
		 * not wait for it before opening its service port): the
		 * merge's first read takes it */
		c->act[c->nact++] = s;
		return 0;
	}
	rc = pcap_next_ex(s->pcap, &h, &d);
	if (rc == 1)
		s->first = ts_ns(h);
	close_file(s);
	if (rc == PCAP_ERROR_BREAK)
		s->eof = 1;
	else
		c->wait[c->nwait++] = s;
	return 0;
}

static int
by_first(const void *a, const void *b)
{
	const struct capture_source *x = *(struct capture_source *const *)a;
	const struct capture_source *y = *(struct capture_source *const *)b;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x < y ? -1 : x > y;      /* ties: in the order given */
}

int
capture_open(struct capture *c, const struct gf_config *cfg)
{
	size_t n = (size_t)cfg->nfiles + (size_t)cfg->nifaces;

	memset(c, 0, sizeof(*c));
	c->timeout_ms = live_timeout(cfg);
	c->src = gf_xcalloc(n > 0 ? n : 1, sizeof(*c->src));
	c->act = gf_xcalloc(n > 0 ? n : 1, sizeof(*c->act));
	c->wait = gf_xcalloc(n > 0 ? n : 1, sizeof(*c->wait));
	c->filter = cfg->filter != NULL ? gf_xstrdup(cfg->filter) : NULL;
	c->bufsize = cfg->nfiles > 0 ? FILE_BUFFERS / (size_t)cfg->nfiles : 0;
	if (c->bufsize > FILE_BUFFER)
		c->bufsize = FILE_BUFFER;
	if (c->bufsize < FILE_BUFFER_MIN)
		c->bufsize = FILE_BUFFER_MIN;
	for (int i = 0; i < cfg->nfiles; i++) {
		struct capture_source *s = &c->src[c->n++];
		int std = strcmp(cfg->files[i], "-") == 0;
		s->name = gf_xstrdup(std ? "stdin" : cfg->files[i]);
		s->path = std ? NULL : gf_xstrdup(cfg->files[i]);
		if (look_file(c, s) != 0)
			goto fail;
	}
	qsort(c->wait, (size_t)c->nwait, sizeof(*c->wait), by_first);
	for (int i = 0; i < cfg->nifaces; i++) {
		struct capture_source *s = &c->src[c->n++];
		if (open_iface(s, cfg->ifaces[i], cfg, LIVE_TIMEOUT_MS) != 0 ||
		    apply_filter(s, cfg->filter) != 0)
			goto fail;
		c->live = 1;
		c->act[c->nact++] = s;
	}
	return 0;
fail:
	capture_close(c);
	return -1;
}

void
capture_close(struct capture *c)
{
	for (int i = 0; i < c->n; i++) {
		close_file(&c->src[i]);
		free(c->src[i].name);
		free(c->src[i].path);
	}
	free(c->src);
	free(c->act);
	free(c->wait);
	free(c->filter);
	memset(c, 0, sizeof(*c));
}

/* Fetch s's next packet into its slot.  Returns 1 have, 0 none now
 * (live) or end, -1 error. */
static int
fill(struct capture_source *s)
{
	const char *zerr;
	int rc;
	if (s->have || s->eof)
		return s->have;
	rc = pcap_next_ex(s->pcap, &s->hdr, &s->data);
	if (rc == 1) {
		s->have = 1;
		s->ts = ts_ns(s->hdr);
		return 1;
	}
	if (rc == 0)
		return 0;
	s->eof = 1;
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if ((zerr = capfile_gzerror(s->gz)) != NULL)
		gf_err("%s: read error: gzip: %s", s->name, zerr);
	else
		gf_err("%s: read error: %s", s->name, pcap_geterr(s->pcap));
	return -1;
}

static void
wait_live(struct capture *c)
{
	struct pollfd pfd[GF_CFG_MAX_SOURCES];
	nfds_t n = 0;
	for (int i = 0; i < c->nact && n < GF_CFG_MAX_SOURCES; i++) {
		int fd;
		if (!c->act[i]->live || c->act[i]->eof)
			continue;
		fd = pcap_get_selectable_fd(c->act[i]->pcap);
		if (fd < 0)
			continue;
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		n++;
	}
	if (n > 0 && poll(pfd, n, LIVE_TIMEOUT_MS) < 0 && errno != EINTR)
		gf_warn("poll: %s", strerror(errno));
}

/* Open the next waiting file into the merge; -1 if it cannot be. */
static int
open_next(struct capture *c)
{
	struct capture_source *s = c->wait[c->next_wait++];
	if (open_file(c, s) != 0) {
		s->eof = 1;
		return -1;
	}
	c->act[c->nact++] = s;
	return 0;
}

/*
 * Only the open sources are compared, so the work per packet does not
 * grow with the number of files.  A waiting file joins before a packet
 * as late as its first one is handed out; a file at its end leaves and
 * is closed (its buffers freed) at once.
 */
int
capture_next(struct capture *c, struct capture_source **src,
    const struct pcap_pkthdr **hdr, const u_char **data, uint64_t *ts)
{
	struct capture_source *best;
	int err = 0;

again:
	best = NULL;
	for (int i = 0; i < c->nact; i++) {
		struct capture_source *s = c->act[i];
		if (fill(s) < 0)
			err = 1;
		if (s->eof) {
			if (!s->live)
				close_file(s);
			c->act[i--] = c->act[--c->nact];
			continue;
		}
		if (s->have && (best == NULL || s->ts < best->ts ||
		    (s->ts == best->ts && s < best)))
			best = s;
	}
	if (err)
		return -1;
	if (c->next_wait < c->nwait &&
	    (best == NULL || c->wait[c->next_wait]->first <= best->ts)) {
		if (open_next(c) != 0)
			return -1;
		goto again;
	}
	if (best == NULL) {
		if (c->nact == 0)
			return 0;
		wait_live(c);
		return 2;
	}
	best->have = 0;
	*src = best;
	*hdr = best->hdr;
	*data = best->data;
	*ts = best->ts;
	return 1;
}

void
capture_stats(struct capture *c, struct gf_sensor *s)
{
	for (int i = 0; i < c->n; i++) {
		struct capture_source *src = &c->src[i];
		struct pcap_stat ps;
		if (!src->live || src->pcap == NULL ||
		    pcap_stats(src->pcap, &ps) != 0)
			continue;
		/* the kernel counters are 32-bit and wrap: unsigned
		 * subtraction gives the right delta across one wrap */
		s->kdrops += (uint32_t)(ps.ps_drop - src->last.ps_drop);
		s->ifdrops += (uint32_t)(ps.ps_ifdrop - src->last.ps_ifdrop);
		src->last = ps;
	}
}

int
capture_dispatch(struct capture_source *s, int max, pcap_handler cb,
    u_char *user)
{
	int n;
	if (s->eof)
		return -1;
	n = pcap_dispatch(s->pcap, max, cb, user);
	if (n >= 0)
		return n;
	if (n == PCAP_ERROR_BREAK)
		return 0;
	s->eof = 1;
	gf_err("%s: read error: %s", s->name, pcap_geterr(s->pcap));
	return -1;
}

void
capture_wait_source(struct capture_source *s, int fd, int timeout_ms)
{
	struct pollfd pfd[2];
	nfds_t n = 0;

	pfd[n].fd = pcap_get_selectable_fd(s->pcap);
	pfd[n].events = POLLIN;
	if (pfd[n].fd >= 0)
		n++;
	pfd[n].fd = fd;
	pfd[n].events = POLLIN;
	if (fd >= 0)
		n++;
	if (poll(pfd, n, timeout_ms) < 0 && errno != EINTR)
		gf_warn("%s: poll: %s", s->name, strerror(errno));
}

void
capture_source_drops(struct capture_source *s, uint64_t *kdrops,
    uint64_t *ifdrops)
{
	struct pcap_stat ps;
	if (s->live && s->pcap != NULL && pcap_stats(s->pcap, &ps) == 0) {
		/* 32-bit kernel counters: the unsigned delta survives a wrap */
		s->kdrops += (uint32_t)(ps.ps_drop - s->last.ps_drop);
		s->ifdrops += (uint32_t)(ps.ps_ifdrop - s->last.ps_ifdrop);
		s->last = ps;
	}
	*kdrops = s->kdrops;
	*ifdrops = s->ifdrops;
}
