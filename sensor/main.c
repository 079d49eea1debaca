/*
 * main.c - gapflow, the sensor: options, then the packet loop.
 *
 * Exit status (gapflow(8)): 0 done; 1 done, but some input was damaged
 * (a truncated capture file, a read error on one source); 2 error (bad
 * option or configuration, no usable input, output not writable).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "config.h"
#include "decode.h"
#include "flow_proc.h"
#include "gapflow.h"
#include "log.h"
#include "stream.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gapflow [-c config.yaml] (-r file ... | -i iface ...) [-w file]\n"
	    "               [-S seconds] [--align] [options] [bpf expression]\n"
	    "  -r FILE          read a pcap/pcapng file; repeat to merge files by time; - is stdin\n"
	    "  -i IFACE         capture live from IFACE; repeatable\n"
	    "  -w FILE          write the record stream to FILE (- for stdout)\n"
	    "  -c FILE          read the YAML configuration FILE (flags override it)\n"
	    "  -S SECONDS       status interval (fractions allowed: 0.1, 100ms, 5m)\n"
	    "  --align          align status intervals to multiples of the interval\n"
	    "  -s SNAPLEN       live snap length\n"
	    "  -B SIZE          live kernel buffer size (64M, 1G)\n"
	    "  -p               do not put interfaces into promiscuous mode\n"
	    "  -Z LEVEL         zlib level 0-9 for record blocks, or 'off'\n"
	    "  --max-flows N    flow table size; the least recently used flow is evicted beyond it\n"
	    "  --sensor-id N    sensor id written into the stream and SENSOR records\n"
	    "  --set KEY=VALUE  set any configuration key (see gapflow.yaml(5))\n"
	    "  --print-config   print the effective configuration as YAML and exit\n"
	    "  -v               verbose: report statistics at the end\n"
	    "  -V, --version    print the version; -h, --help this text\n");
}

static void
set_or_die(struct gf_config *cfg, const char *key, const char *val,
    const char *opt)
{
	char err[512];
	if (gf_config_set(cfg, key, val, err, sizeof(err)) != 0)
		gf_fatal(GF_EXIT_ERROR, "option %s: %s", opt, err);
}

/* Everything after the options is the BPF expression, joined by spaces
 * as tcpdump does. */
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
};

static const struct option longopts[] = {
	{ "align", no_argument, NULL, OPT_ALIGN },
	{ "max-flows", required_argument, NULL, OPT_MAXFLOWS },
	{ "sensor-id", required_argument, NULL, OPT_SENSORID },
	{ "print-config", no_argument, NULL, OPT_PRINTCONFIG },
	{ "set", required_argument, NULL, OPT_SET },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
static const char shortopts[] = "+c:r:i:w:S:s:B:pZ:vhV";

/* A list flag (-r, -i) replaces the configuration file's list the first
 * time it is given, then appends. */
static void
add_to_list(struct gf_config *cfg, const char *key, const char *val,
    const char *opt, int *cleared)
{
	char err[512];
	if (!*cleared && gf_config_set(cfg, key, NULL, err, sizeof(err)) != 0)
		gf_fatal(GF_EXIT_ERROR, "option %s: %s", opt, err);
	*cleared = 1;
	set_or_die(cfg, key, val, opt);
}

static void
parse_args(int argc, char **argv, struct gf_config *cfg, int *print_config)
{
	char err[512];
	int ch, files_cleared = 0, ifaces_cleared = 0;

	/* pass 1: the configuration file, so that flags override it */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (ch == 'c' && gf_config_load(optarg, cfg, err,
		    sizeof(err)) != 0)
			gf_fatal(GF_EXIT_ERROR, "%s", err);
	}
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			break;
		case 'r':
			add_to_list(cfg, "input.files", optarg, "-r",
			    &files_cleared);
			break;
		case 'i':
			add_to_list(cfg, "input.interfaces", optarg, "-i",
			    &ifaces_cleared);
			break;
		case 'w':
			set_or_die(cfg, "output.file", optarg, "-w");
			break;
		case 'S':
			set_or_die(cfg, "flows.status_interval", optarg, "-S");
			break;
		case 's':
			set_or_die(cfg, "input.snaplen", optarg, "-s");
			break;
		case 'B':
			set_or_die(cfg, "input.buffer_size", optarg, "-B");
			break;
		case 'p':
			set_or_die(cfg, "input.promiscuous", "false", "-p");
			break;
		case 'Z':
			set_or_die(cfg, "output.compression", optarg, "-Z");
			break;
		case OPT_ALIGN:
			set_or_die(cfg, "flows.align_intervals", "true",
			    "--align");
			break;
		case OPT_MAXFLOWS:
			set_or_die(cfg, "flows.max_flows", optarg, "--max-flows");
			break;
		case OPT_SENSORID:
			set_or_die(cfg, "sensor.id", optarg, "--sensor-id");
			break;
		case OPT_SET: {
			char *eq = strchr(optarg, '=');
			if (eq == NULL)
				gf_fatal(GF_EXIT_ERROR, "option --set: '%s' is "
				    "not KEY=VALUE", optarg);
			*eq = '\0';
			set_or_die(cfg, optarg, eq + 1, "--set");
			*eq = '=';
			break;
		}
		case OPT_PRINTCONFIG:
			*print_config = 1;
			break;
		case 'v':
			gf_log_set_verbose(gf_log_verbose() + 1);
			break;
		case 'V':
			printf("gapflow %s (record format %d.%d, %s)\n",
			    GF_VERSION_STRING, GF_FORMAT_MAJOR, GF_FORMAT_MINOR,
			    pcap_lib_version());
			exit(GF_EXIT_OK);
		case 'h':
			usage(stdout);
			exit(GF_EXIT_OK);
		default:
			usage(stderr);
			exit(GF_EXIT_ERROR);
		}
	}
	if (optind < argc) {
		char *expr = join_args(argc - optind, argv + optind);
		set_or_die(cfg, "input.filter", expr, "(capture filter)");
		free(expr);
	}
}

struct output {
	struct gf_writer *w;
	const struct gf_config *cfg;
	uint64_t start;
	int failed;
};

static void
output_open(struct output *o, uint64_t start)
{
	struct gf_stream_info info;

	memset(&info, 0, sizeof(info));
	info.sensorid = o->cfg->sensor_id;
	info.flags = o->cfg->align_intervals ? GF_HDR_ALIGNED : 0;
	info.start = start;
	info.interval = o->cfg->status_interval;
	snprintf(info.name, sizeof(info.name), "%s", o->cfg->sensor_name);
	o->w = gf_writer_open_path(o->cfg->output, &info,
	    o->cfg->compression);
	if (o->w == NULL)
		exit(GF_EXIT_ERROR);
}

static void
sink_record(void *ctx, const struct gf_record *r)
{
	struct output *o = ctx;
	if (gf_writer_put(o->w, r) != 0)
		o->failed = 1;
}

struct run {
	struct capture cap;
	struct flow_proc fp;
	struct output out;
	uint64_t packets;
	int input_damaged;
};

static void
stats_hook(void *ctx, struct gf_sensor *s)
{
	struct run *r = ctx;
	capture_stats(&r->cap, s);
	s->recdrops += gf_writer_lost(r->out.w);
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * GF_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void
packet_loop(struct run *r)
{
	for (;;) {
		struct capture_source *src;
		const struct pcap_pkthdr *hdr;
		const u_char *data;
		struct gf_packet pkt;
		enum gf_decode_rc rc;
		uint64_t ts;
		int n;

		if (stop_requested)
			return;
		n = capture_next(&r->cap, &src, &hdr, &data, &ts);
		if (n == 0)
			return;
		if (n < 0) {
			r->input_damaged = 1;
			continue;
		}
		if (n == 2) {
			if (r->out.w != NULL)
				flow_proc_tick(&r->fp, wall_ns());
			continue;
		}
		if (r->out.w == NULL)
			output_open(&r->out, ts);
		rc = gf_decode(src->dlt, data, hdr->caplen, hdr->len, &pkt);
		pkt.ts = ts;
		pkt.wire_len = hdr->len;
		flow_proc_packet(&r->fp, rc, &pkt);
		r->packets++;
	}
}

int
main(int argc, char **argv)
{
	static struct run r;
	struct gf_config cfg;
	int print_config = 0, status = GF_EXIT_OK;
	struct sigaction sa;

	gf_log_init(argv[0]);
	gf_config_defaults(&cfg);
	parse_args(argc, argv, &cfg, &print_config);
	if (print_config) {
		gf_config_print(&cfg, stdout);
		gf_config_free(&cfg);
		return GF_EXIT_OK;
	}
	if (cfg.nfiles == 0 && cfg.nifaces == 0) {
		usage(stderr);
		gf_fatal(GF_EXIT_ERROR, "no input: give -r FILE or -i IFACE");
	}
	if (cfg.output == NULL) {
		if (isatty(STDOUT_FILENO))
			gf_fatal(GF_EXIT_ERROR, "no output: give -w FILE (or "
			    "-w - to write the binary stream to stdout)");
		cfg.output = gf_xstrdup("-");
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (capture_open(&r.cap, &cfg) != 0) {
		gf_config_free(&cfg);
		return GF_EXIT_ERROR;
	}
	r.out.cfg = &cfg;
	if (flow_proc_init(&r.fp, &cfg, sink_record, &r.out) != 0)
		gf_fatal(GF_EXIT_ERROR, "cannot allocate the flow table for "
		    "%llu flows (flows.max_flows)",
		    (unsigned long long)cfg.max_flows);
	r.fp.stats_hook = stats_hook;
	r.fp.stats_ctx = &r;

	packet_loop(&r);
	if (r.out.w == NULL)
		output_open(&r.out, r.cap.live ? wall_ns() : 0);
	flow_proc_finish(&r.fp, stop_requested ? GF_END_SHUTDOWN : GF_END_EOF);
	if (gf_log_verbose())
		gf_info("%llu packets, %llu records written, %llu lost",
		    (unsigned long long)r.packets,
		    (unsigned long long)gf_writer_records(r.out.w),
		    (unsigned long long)gf_writer_lost(r.out.w));
	if (gf_writer_close(r.out.w) != 0 || r.out.failed)
		status = GF_EXIT_ERROR;
	else if (r.input_damaged)
		status = 1;
	flow_proc_free(&r.fp);
	capture_close(&r.cap);
	gf_config_free(&cfg);
	return status;
}
