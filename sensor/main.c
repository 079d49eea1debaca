/*
 * main.c - gapflow, the sensor: options, start-up in the order privileges
 * require (interfaces and service port as root, then --user), then the
 * pipeline (pipeline.h) until the input ends or a signal stops it.
 *
 * Exit status (gapflow(8)): 0 done; 1 done, but some input was damaged
 * (a truncated capture file, a read error on one source); 2 error (bad
 * option or configuration, no usable input, output not writable or
 * records lost on the way to it).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "capture.h"
#include "config.h"
#include "daemon.h"
#include "gapflow.h"
#include "ipfix_export.h"
#include "log.h"
#include "timefmt.h"
#include "pipeline.h"
#include "service.h"
#include "stream.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gapflow [-c config.yaml] (-r file ... | -i iface ...) [-w file|pattern]\n"
	    "               [-P [addr:]port] [-S seconds] [--align] [options] [- bpf expression]\n"
	    "  -r FILE ...      read pcap/pcapng files, plain or gzip-compressed, merged by\n"
	    "                   time: every word up to the next option is a file; - is stdin\n"
	    "  - EXPR, -- EXPR  a BPF capture filter: the words after a lone - or -- (or\n"
	    "                   after the last option, when that is not -r)\n"
	    "  -i IFACE         capture live from IFACE; repeat to merge interfaces (tap ports)\n"
	    "  -w FILE          write the record stream to FILE (- for stdout); with %% escapes\n"
	    "                   (strftime, UTC) or --rotate, a series of files, each renamed\n"
	    "                   into place when complete\n"
	    "  --rotate DUR     start a new file every DUR (5m, 1h), at multiples of DUR\n"
	    "  --rotate-size SZ start a new file when one reaches SZ bytes (100M, 1Gi)\n"
	    "  --metrics FILE   write Prometheus metrics to FILE (textfile collector) at\n"
	    "                   every status interval and at exit\n"
	    "  -P [ADDR:]PORT   serve live records over TCP (default address 127.0.0.1)\n"
	    "  --ipfix DEST     export records over IPFIX to udp:HOST:PORT, tcp:HOST:PORT or\n"
	    "                   file:PATH (RFC 5655); repeatable (output.ipfix*)\n"
	    "  -c FILE          read the YAML configuration FILE (flags override it)\n"
	    "  -S SECONDS       status interval (fractions allowed: 0.1, 100ms, 5m)\n"
	    "  --align          align status intervals to multiples of the interval\n"
	    "  -s SNAPLEN       live snap length\n"
	    "  -B SIZE          live kernel buffer size (64M, 1G)\n"
	    "  -p               do not put interfaces into promiscuous mode\n"
	    "  -Z LEVEL         zlib level 0-9 for record blocks, or 'off'\n"
	    "  --max-flows N    flow table size; beyond it flows are evicted, established TCP last\n"
	    "  --sensor-id N    sensor id written into the stream and SENSOR records\n"
	    "  --user NAME      run as NAME once interfaces and the service port are open\n"
	    "  --syslog         log to syslog (facility daemon) instead of stderr\n"
	    "  --set KEY=VALUE  set any configuration key (see gapflow.yaml(5))\n"
	    "  --print-config   print the effective configuration as YAML and exit\n"
	    "  -v               verbose: a line of totals at the end (also when stderr\n"
	    "                   is a terminal); skipped frames are always said\n"
	    "  -V, --version    print the version; -h, --help this text\n");
}

/* Option errors: fatal at start, reported and survived on SIGHUP. */
struct perr {
	int reload;
	char msg[600];
	int failed;
};

static void
set_or_fail(struct gf_config *cfg, const char *key, const char *val,
    const char *opt, struct perr *pe)
{
	char err[512];
	if (pe->failed || gf_config_set(cfg, key, val, err, sizeof(err)) == 0)
		return;
	snprintf(pe->msg, sizeof(pe->msg), "option %s: %s", opt, err);
	pe->failed = 1;
	if (!pe->reload)
		gf_fatal(GF_EXIT_ERROR, "%s", pe->msg);
}

/* Everything after the options (and after a lone - or --) is the BPF
 * expression, joined by spaces as tcpdump does. */
static char *
join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = gf_xcalloc(1, len);
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

enum {
	OPT_ALIGN = 256, OPT_MAXFLOWS, OPT_SENSORID, OPT_PRINTCONFIG, OPT_SET,
	OPT_ROTATE, OPT_ROTATESIZE, OPT_USER, OPT_SYSLOG, OPT_METRICS, OPT_IPFIX,
};

static const struct option longopts[] = {
	{ "align", no_argument, NULL, OPT_ALIGN },
	{ "max-flows", required_argument, NULL, OPT_MAXFLOWS },
	{ "sensor-id", required_argument, NULL, OPT_SENSORID },
	{ "print-config", no_argument, NULL, OPT_PRINTCONFIG },
	{ "set", required_argument, NULL, OPT_SET },
	{ "rotate", required_argument, NULL, OPT_ROTATE },
	{ "rotate-size", required_argument, NULL, OPT_ROTATESIZE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "ipfix", required_argument, NULL, OPT_IPFIX },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
static const char shortopts[] = "+c:r:i:w:S:s:B:pZ:P:vhV";

/* A list flag (-r, -i) replaces the configuration file's list the first
 * time it is given, then appends. */
static void
add_to_list(struct gf_config *cfg, const char *key, const char *val,
    const char *opt, int *cleared, struct perr *pe)
{
	if (!*cleared)
		set_or_fail(cfg, key, NULL, opt, pe);
	*cleared = 1;
	set_or_fail(cfg, key, val, opt, pe);
}

/*
 * The configuration from the defaults, the -c files and the flags.  At
 * start an error is fatal; on SIGHUP (pe->reload) it is returned, -1,
 * and the options that act at once (-v, -V, -h) are not acted on again.
 */
static int
parse_args(int argc, char **argv, struct gf_config *cfg, int *print_config,
    struct perr *pe)
{
	char err[512];
	int ch, files_cleared = 0, ifaces_cleared = 0, ipfix_cleared = 0;

	/* pass 1: the configuration file, so that flags override it */
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (ch == 'c' && !pe->failed && gf_config_load(optarg, cfg, err,
		    sizeof(err)) != 0) {
			snprintf(pe->msg, sizeof(pe->msg), "%s", err);
			pe->failed = 1;
			if (!pe->reload)
				gf_fatal(GF_EXIT_ERROR, "%s", err);
		}
	}
	optind = 1;
	opterr = !pe->reload;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			break;
		case 'r':
			/* as in ra: every word up to the next option is a
			 * file (a lone - ends the list: the filter follows) */
			add_to_list(cfg, "input.files", optarg, "-r",
			    &files_cleared, pe);
			while (optind < argc && argv[optind][0] != '-')
				add_to_list(cfg, "input.files", argv[optind++],
				    "-r", &files_cleared, pe);
			break;
		case 'i':
			add_to_list(cfg, "input.interfaces", optarg, "-i",
			    &ifaces_cleared, pe);
			break;
		case 'w':
			set_or_fail(cfg, "output.file", optarg, "-w", pe);
			break;
		case 'P':
			set_or_fail(cfg, "service.listen", optarg, "-P", pe);
			break;
		case 'S':
			set_or_fail(cfg, "flows.status_interval", optarg, "-S",
			    pe);
			break;
		case 's':
			set_or_fail(cfg, "input.snaplen", optarg, "-s", pe);
			break;
		case 'B':
			set_or_fail(cfg, "input.buffer_size", optarg, "-B", pe);
			break;
		case 'p':
			set_or_fail(cfg, "input.promiscuous", "false", "-p", pe);
			break;
		case 'Z':
			set_or_fail(cfg, "output.compression", optarg, "-Z", pe);
			break;
		case OPT_ALIGN:
			set_or_fail(cfg, "flows.align_intervals", "true",
			    "--align", pe);
			break;
		case OPT_MAXFLOWS:
			set_or_fail(cfg, "flows.max_flows", optarg,
			    "--max-flows", pe);
			break;
		case OPT_SENSORID:
			set_or_fail(cfg, "sensor.id", optarg, "--sensor-id", pe);
			break;
		case OPT_ROTATE:
			set_or_fail(cfg, "output.rotate_interval", optarg,
			    "--rotate", pe);
			break;
		case OPT_ROTATESIZE:
			set_or_fail(cfg, "output.rotate_size", optarg,
			    "--rotate-size", pe);
			break;
		case OPT_USER:
			set_or_fail(cfg, "service.user", optarg, "--user", pe);
			break;
		case OPT_METRICS:
			set_or_fail(cfg, "output.metrics", optarg, "--metrics",
			    pe);
			break;
		case OPT_IPFIX:
			add_to_list(cfg, "output.ipfix", optarg, "--ipfix",
			    &ipfix_cleared, pe);
			break;
		case OPT_SYSLOG:
			set_or_fail(cfg, "service.syslog", "true", "--syslog",
			    pe);
			break;
		case OPT_SET: {
			char *eq = strchr(optarg, '=');
			if (eq == NULL) {
				snprintf(pe->msg, sizeof(pe->msg), "option "
				    "--set: '%s' is not KEY=VALUE", optarg);
				pe->failed = 1;
				if (!pe->reload)
					gf_fatal(GF_EXIT_ERROR, "%s", pe->msg);
				break;
			}
			*eq = '\0';
			set_or_fail(cfg, optarg, eq + 1, "--set", pe);
			*eq = '=';
			break;
		}
		case OPT_PRINTCONFIG:
			*print_config = 1;
			break;
		case 'v':
			if (!pe->reload)
				gf_log_set_verbose(gf_log_verbose() + 1);
			break;
		case 'V':
			if (pe->reload)
				break;
			printf("gapflow %s (record format %d.%d, %s)\n",
			    GF_VERSION_STRING, GF_FORMAT_MAJOR, GF_FORMAT_MINOR,
			    pcap_lib_version());
			exit(GF_EXIT_OK);
		case 'h':
			if (pe->reload)
				break;
			usage(stdout);
			exit(GF_EXIT_OK);
		default:
			if (pe->reload)
				break;
			usage(stderr);
			exit(GF_EXIT_ERROR);
		}
	}
	/* ra's "- filter": the lone - before the filter is not part of it */
	if (optind < argc && strcmp(argv[optind], "-") == 0)
		optind++;
	if (optind < argc) {
		char *expr = join_args(argc - optind, argv + optind);
		set_or_fail(cfg, "input.filter", expr, "(capture filter)", pe);
		free(expr);
	}
	return pe->failed ? -1 : 0;
}

/* ---- SIGHUP ------------------------------------------------------------- */

static char *
config_text(const struct gf_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	gf_config_print(cfg, f);
	fclose(f);
	return buf;
}

/*
 * Re-read the configuration (file and flags, as at start) and apply the
 * keys that can change in a running sensor; say so when others changed.
 */
static void
reload(int argc, char **argv, const struct gf_config *cur,
    struct pipeline *pl)
{
	struct gf_config next, cmp;
	struct perr pe;
	char *a, *b;
	int dummy = 0;

	memset(&pe, 0, sizeof(pe));
	pe.reload = 1;
	gf_config_defaults(&next);
	if (parse_args(argc, argv, &next, &dummy, &pe) != 0) {
		gf_err("SIGHUP: configuration not reloaded, the running one is "
		    "kept: %s", pe.msg);
		gf_config_free(&next);
		return;
	}
	pipeline_reload(pl, &next);
	/* the same with the reloadable keys as they run: any difference
	 * left is in a key that needs a restart */
	cmp = next;
	cmp.timeout_tcp = cur->timeout_tcp;
	cmp.timeout_tcp_closed = cur->timeout_tcp_closed;
	cmp.timeout_udp = cur->timeout_udp;
	cmp.timeout_icmp = cur->timeout_icmp;
	cmp.timeout_other = cur->timeout_other;
	cmp.timeout_tcp_syn = cur->timeout_tcp_syn;
	cmp.timeout_tcp_half_open = cur->timeout_tcp_half_open;
	cmp.rotate_interval = cur->rotate_interval;
	cmp.rotate_size = cur->rotate_size;
	memcpy(cmp.allow, cur->allow, sizeof(cmp.allow));
	cmp.nallow = cur->nallow;
	a = config_text(cur);
	b = config_text(&cmp);
	if (a != NULL && b != NULL && strcmp(a, b) != 0)
		gf_warn("SIGHUP: keys other than flows.timeouts.*, "
		    "output.rotate_interval, output.rotate_size and "
		    "service.allow changed; they take effect at the next "
		    "start");
	free(a);
	free(b);
	gf_info("SIGHUP: configuration reloaded, output file rotated");
	gf_config_free(&next);
}

/* ---- main --------------------------------------------------------------- */

/* Capture files: the handler only sets a flag the packet loop reads. */
static volatile sig_atomic_t stop_requested, rotate_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		rotate_requested = 1;
	else
		stop_requested = 1;
}

/*
 * Live: the main thread only waits for signals (every other thread blocks
 * them), so no work is ever done in a handler.  It ends on SIGINT or
 * SIGTERM, or when no interface is left to read.
 */
static void
wait_signals(int argc, char **argv, const struct gf_config *cfg,
    struct pipeline *pl, const sigset_t *set)
{
	for (;;) {
		struct timespec to = { 1, 0 };
		int sig = sigtimedwait(set, NULL, &to);
		if (sig == SIGINT || sig == SIGTERM)
			return;
		if (sig == SIGHUP) {
			reload(argc, argv, cfg, pl);
			pipeline_rotate(pl);
			continue;
		}
		if (!pipeline_reading(pl)) {
			gf_err("no interface left to read: stopping");
			return;
		}
	}
}

static void
stream_info(const struct gf_config *cfg, uint64_t start,
    struct gf_stream_info *info)
{
	memset(info, 0, sizeof(*info));
	info->sensorid = cfg->sensor_id;
	info->flags = cfg->align_intervals ? GF_HDR_ALIGNED : 0;
	info->start = start;
	info->interval = cfg->status_interval;
	snprintf(info->name, sizeof(info->name), "%s", cfg->sensor_name);
}

int
main(int argc, char **argv)
{
	static struct capture cap;
	struct gf_config cfg;
	struct gf_stream_info info;
	struct gf_archive *ar = NULL;
	struct service *svc = NULL;
	struct pipeline *pl;
	struct perr pe;
	char err[512];
	int print_config = 0, status, live;
	sigset_t sigs;
	struct sigaction sa;

	gf_log_init(argv[0]);
	gf_config_defaults(&cfg);
	memset(&pe, 0, sizeof(pe));
	parse_args(argc, argv, &cfg, &print_config, &pe);
	if (print_config) {
		gf_config_print(&cfg, stdout);
		gf_config_free(&cfg);
		return GF_EXIT_OK;
	}
	if (cfg.use_syslog)
		gf_log_use_syslog();
	if (cfg.nfiles == 0 && cfg.nifaces == 0) {
		usage(stderr);
		gf_fatal(GF_EXIT_ERROR, "no input: give -r FILE or -i IFACE");
	}
	/* with a service port the records may go nowhere else; never
	 * default to stdout then: under systemd it is the journal */
	if (cfg.output == NULL && cfg.listen == NULL && cfg.nipfix == 0) {
		if (isatty(STDOUT_FILENO))
			gf_fatal(GF_EXIT_ERROR, "no output: give -w FILE (or "
			    "-w - to write the binary stream to stdout)");
		cfg.output = gf_xstrdup("-");
	}
	live = cfg.nifaces > 0;

	/*
	 * Live: block the signals here, before any thread exists, so that
	 * every thread inherits the mask and only wait_signals() takes them.
	 * Files: this thread runs the packet loop and polls flags.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (live) {
		pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	} else {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}

	if (capture_open(&cap, &cfg) != 0) {
		gf_config_free(&cfg);
		return GF_EXIT_ERROR;
	}
	/* every file of a live run carries the run's start; a capture
	 * file's run starts at its first packet */
	stream_info(&cfg, live ? gf_wall_ns() : 0, &info);
	if (cfg.listen != NULL) {
		svc = service_open(cfg.listen, cfg.allow, cfg.nallow, err,
		    sizeof(err));
		if (svc == NULL) {
			gf_err("-P %s", err);
			goto fail;
		}
	}
	if (cfg.output != NULL) {
		ar = gf_archive_open(cfg.output, &info, cfg.compression,
		    cfg.rotate_interval, cfg.rotate_size,
		    live ? GF_AR_LIVE : 0, err, sizeof(err));
		if (ar == NULL) {
			gf_err("%s", err);
			service_close(svc, 0);
			goto fail;
		}
	}
	pl = pipeline_new(&cfg, &cap, ar, svc, &info);
	if (pl == NULL)
		goto fail;
	if (cfg.nipfix > 0) {
		struct gf_ipfix_opts io = { cfg.ipfix_pen, cfg.sensor_id,
		    cfg.ipfix_mtu, cfg.ipfix_refresh, 0 };
		struct gf_ipfix_exp *ipx = gf_ipfix_exp_open(cfg.ipfix,
		    cfg.nipfix, &io, err, sizeof(err));
		if (ipx == NULL) {
			gf_err("--ipfix: %s", err);
			goto fail_pl;
		}
		pipeline_set_ipfix(pl, ipx);
	}
	if (live && pipeline_start_readers(pl) != 0)
		goto fail_pl;
	/* the interfaces and the service port are open: root is no longer
	 * needed (files are created from here on as the user) */
	if (cfg.user != NULL && daemon_drop_privileges(cfg.user, err,
	    sizeof(err)) != 0) {
		gf_err("--user: %s; not going on as root", err);
		goto fail_pl;
	}
	if (pipeline_start(pl) != 0)
		goto fail_pl;
	if (live)
		wait_signals(argc, argv, &cfg, pl, &sigs);
	else
		pipeline_run_files(pl, &stop_requested, &rotate_requested);
	status = pipeline_join(pl);
	/* the exit status stays that of the run: the lines only say */
	pipeline_summary(pl, gf_log_verbose() || (!cfg.use_syslog &&
	    isatty(STDERR_FILENO)));
	if (gf_log_verbose()) {
		uint64_t packets, written, lost;
		pipeline_totals(pl, &packets, &written, &lost);
		gf_info("%llu packets, %llu records written, %llu lost",
		    (unsigned long long)packets, (unsigned long long)written,
		    (unsigned long long)lost);
	}
	pipeline_free(pl);
	capture_close(&cap);
	gf_config_free(&cfg);
	return status;

fail_pl:
	pipeline_join(pl);
	pipeline_free(pl);
fail:
	capture_close(&cap);
	gf_config_free(&cfg);
	return GF_EXIT_ERROR;
}
