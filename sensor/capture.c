/*
 * capture.c - packet sources through libpcap (see capture.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "decode.h"
#include "log.h"

#define LIVE_TIMEOUT_MS 100
/* stdio's default 4 KiB buffer costs one read(2) per 4 KiB of capture */
#define FILE_BUFFER (1u << 20)

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

static int
open_file(struct capture_source *s, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];

	FILE *fp;

	s->name = gf_xstrdup(strcmp(path, "-") == 0 ? "stdin" : path);
	fp = strcmp(path, "-") == 0 ? fdopen(dup(STDIN_FILENO), "rb") :
	    fopen(path, "rb");
	if (fp == NULL) {
		gf_err("%s: cannot read as a capture file: %s", s->name,
		    strerror(errno));
		return -1;
	}
	s->iobuf = gf_xmalloc(FILE_BUFFER);
	setvbuf(fp, s->iobuf, _IOFBF, FILE_BUFFER);
	s->pcap = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_NANO, err);
	if (s->pcap == NULL) {
		fclose(fp);
		gf_err("%s: cannot read as a capture file: %s", s->name, err);
		return -1;
	}
	return check_linktype(s);
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

int
capture_open(struct capture *c, const struct gf_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->timeout_ms = live_timeout(cfg);
	for (int i = 0; i < cfg->nfiles; i++) {
		struct capture_source *s = &c->src[c->n++];
		if (open_file(s, cfg->files[i]) != 0 ||
		    apply_filter(s, cfg->filter) != 0)
			goto fail;
	}
	for (int i = 0; i < cfg->nifaces; i++) {
		struct capture_source *s = &c->src[c->n++];
		if (open_iface(s, cfg->ifaces[i], cfg, LIVE_TIMEOUT_MS) != 0 ||
		    apply_filter(s, cfg->filter) != 0)
			goto fail;
		c->live = 1;
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
		if (c->src[i].pcap != NULL)
			pcap_close(c->src[i].pcap);     /* closes the FILE */
		free(c->src[i].iobuf);
		free(c->src[i].name);
	}
	memset(c, 0, sizeof(*c));
}

static uint64_t
ts_ns(const struct pcap_pkthdr *h)
{
	/* the sources were opened with nanosecond precision */
	return (uint64_t)h->ts.tv_sec * GF_NS_PER_SEC + (uint64_t)h->ts.tv_usec;
}

/* Fetch s's next packet into its slot.  Returns 1 have, 0 none now
 * (live) or end, -1 error. */
static int
fill(struct capture_source *s)
{
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
	gf_err("%s: read error: %s", s->name, pcap_geterr(s->pcap));
	return -1;
}

static void
wait_live(struct capture *c)
{
	struct pollfd pfd[2 * GF_CFG_MAX_SOURCES];
	int n = 0;
	for (int i = 0; i < c->n; i++) {
		int fd;
		if (!c->src[i].live || c->src[i].eof)
			continue;
		fd = pcap_get_selectable_fd(c->src[i].pcap);
		if (fd < 0)
			continue;
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		n++;
	}
	if (n > 0 && poll(pfd, (nfds_t)n, LIVE_TIMEOUT_MS) < 0 && errno != EINTR)
		gf_warn("poll: %s", strerror(errno));
}

int
capture_next(struct capture *c, struct capture_source **src,
    const struct pcap_pkthdr **hdr, const u_char **data, uint64_t *ts)
{
	struct capture_source *best = NULL;
	int open = 0, err = 0;

	for (int i = 0; i < c->n; i++) {
		struct capture_source *s = &c->src[i];
		if (fill(s) < 0)
			err = 1;
		if (!s->eof)
			open++;
		if (s->have && (best == NULL || s->ts < best->ts))
			best = s;
	}
	if (err)
		return -1;
	if (best == NULL) {
		if (open == 0)
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
