/*
 * test_config.c - the configuration loader (common/config.c): exact values
 * for every key, every kind of error with its line and key, the shipped
 * example, gf_config_set(), and print -> load round trips.
 *
 * Files are written to a private temporary directory removed at the end.
 * Run from the repository root (tests/run.sh does) so that the example
 * and the manual can be found.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "testlib.h"

#define MS      1000000ULL
#define SEC     1000000000ULL

static char tmpdir[64];
static char cfgpath[128];
static char err[1024];

/* Write len bytes (NULs allowed) to the scratch file; returns its path. */
static const char *
write_bytes(const char *text, size_t len)
{
	FILE *f = fopen(cfgpath, "wb");

	if (f == NULL) {
		perror(cfgpath);
		exit(2);
	}
	if (len > 0 && fwrite(text, 1, len, f) != len) {
		perror(cfgpath);
		exit(2);
	}
	fclose(f);
	return cfgpath;
}

static const char *
write_text(const char *text)
{
	return write_bytes(text, strlen(text));
}

/* gf_config_set() with the shared error buffer. */
static int
set(struct gf_config *cfg, const char *key, const char *value)
{
	return gf_config_set(cfg, key, value, err, sizeof(err));
}

/* Defaults, then the text as a file.  Returns gf_config_load()'s result. */
static int
load_text(const char *text, struct gf_config *cfg)
{
	gf_config_defaults(cfg);
	err[0] = '\0';
	return gf_config_load(write_text(text), cfg, err, sizeof(err));
}

/*
 * Loading text must fail with exactly "PATH" + want.  Prints both on a
 * mismatch; the caller's CHECK gives the line.
 */
static int
err_is(const char *text, const char *want)
{
	struct gf_config cfg;
	char full[1024];
	int rc = load_text(text, &cfg), ok;

	snprintf(full, sizeof(full), "%s%s", cfgpath, want);
	ok = rc == -1 && strcmp(err, full) == 0;
	if (!ok)
		printf("  rc %d\n  got:  %s\n  want: %s\n", rc, err, full);
	gf_config_free(&cfg);
	return ok;
}

/* Loading text must fail with a message that starts "PATH" + prefix and
 * contains fragment. */
static int
err_has(const char *text, const char *prefix, const char *fragment)
{
	struct gf_config cfg;
	char full[1024];
	int rc = load_text(text, &cfg), ok;

	snprintf(full, sizeof(full), "%s%s", cfgpath, prefix);
	ok = rc == -1 && strncmp(err, full, strlen(full)) == 0 &&
	    strstr(err, fragment) != NULL;
	if (!ok)
		printf("  rc %d\n  got:  %s\n  want: %s...%s...\n", rc, err,
		    full, fragment);
	gf_config_free(&cfg);
	return ok;
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Member-by-member equality; names what differs. */
static int
cfg_equal(const struct gf_config *a, const struct gf_config *b)
{
	int same = 1, i;

#define DIFF(cond, name) do { \
	if (cond) { \
		printf("  differs: %s\n", name); \
		same = 0; \
	} \
} while (0)
#define NUM(m) DIFF(a->m != b->m, #m)
#define STR(m) DIFF(!str_eq(a->m, b->m), #m)
	NUM(sensor_id);
	DIFF(memcmp(a->sensor_name, b->sensor_name, sizeof(a->sensor_name)),
	    "sensor_name");
	NUM(nfiles);
	for (i = 0; i < a->nfiles && i < b->nfiles; i++)
		STR(files[i]);
	NUM(nifaces);
	for (i = 0; i < a->nifaces && i < b->nifaces; i++)
		STR(ifaces[i]);
	STR(filter);
	NUM(snaplen);
	NUM(promisc);
	NUM(buffer_size);
	NUM(merge_skew);
	STR(output);
	NUM(compression);
	NUM(rotate_interval);
	NUM(rotate_size);
	NUM(status_interval);
	NUM(align_intervals);
	NUM(sensor_interval);
	NUM(max_flows);
	NUM(key_vlan);
	NUM(timeout_tcp);
	NUM(timeout_tcp_closed);
	NUM(timeout_udp);
	NUM(timeout_icmp);
	NUM(timeout_other);
	NUM(timeout_tcp_syn);
	NUM(timeout_tcp_half_open);
	NUM(emergency_high);
	NUM(emergency_low);
	NUM(emergency_timeout);
	NUM(handshake_skew);
	NUM(reorder_window);
	NUM(simplex_hole_timeout);
	STR(listen);
	NUM(nallow);
	for (i = 0; i < a->nallow && i < b->nallow; i++) {
		NUM(allow[i].family);
		NUM(allow[i].bits);
		DIFF(memcmp(a->allow[i].addr, b->allow[i].addr, 16) != 0,
		    "allow[i].addr");
	}
	STR(user);
	NUM(use_syslog);
	NUM(cpu);
	NUM(realtime);
	NUM(ring_size);
#undef STR
#undef NUM
#undef DIFF
	return same;
}

/* Print cfg to a file, load it over fresh defaults into out. */
static int
reload_printed(const struct gf_config *cfg, struct gf_config *out)
{
	FILE *f = fopen(cfgpath, "w");

	if (f == NULL)
		return -1;
	gf_config_print(cfg, f);
	fclose(f);
	gf_config_defaults(out);
	return gf_config_load(cfgpath, out, err, sizeof(err));
}

/* ---- defaults and plain values ----------------------------------------- */

TEST(defaults)
{
	struct gf_config c;

	gf_config_defaults(&c);
	CHECK_U64(c.sensor_id, 0);
	CHECK_STR(c.sensor_name, "");
	CHECK(c.nfiles == 0 && c.nifaces == 0 && c.filter == NULL);
	CHECK_U64(c.snaplen, 262144);
	CHECK_U64(c.promisc, 1);
	CHECK_U64(c.buffer_size, 64 * 1024 * 1024);
	CHECK_U64(c.merge_skew, 10 * MS);
	CHECK(c.output == NULL);
	CHECK_U64(c.compression, 1);
	CHECK_U64(c.rotate_interval, 0);
	CHECK_U64(c.rotate_size, 0);
	CHECK_U64(c.status_interval, 5 * SEC);
	CHECK_U64(c.align_intervals, 0);
	CHECK_U64(c.sensor_interval, 0);
	CHECK_U64(c.max_flows, 1000000);
	CHECK_U64(c.key_vlan, 0);
	CHECK_U64(c.key_tunnel, 0);
	CHECK_U64(c.timeout_tcp, 300 * SEC);
	CHECK_U64(c.timeout_tcp_closed, 5 * SEC);
	CHECK_U64(c.timeout_udp, 30 * SEC);
	CHECK_U64(c.timeout_icmp, 10 * SEC);
	CHECK_U64(c.timeout_other, 30 * SEC);
	CHECK_U64(c.timeout_tcp_syn, 20 * SEC);
	CHECK_U64(c.timeout_tcp_half_open, 30 * SEC);
	CHECK_U64(c.emergency_high, 90);
	CHECK_U64(c.emergency_low, 75);
	CHECK_U64(c.emergency_timeout, 5 * SEC);
	CHECK_U64(c.handshake_skew, 10 * MS);
	CHECK_U64(c.reorder_window, 3 * MS);
	CHECK_U64(c.simplex_hole_timeout, 5 * SEC);
	CHECK(c.listen == NULL && c.user == NULL);
	CHECK_U64(c.nallow, 0);
	CHECK_U64(c.use_syslog, 0);
	CHECK(c.cpu == -1);
	CHECK_U64(c.realtime, 0);
	CHECK_U64(c.ring_size, 65536);
	gf_config_free(&c);
	gf_config_free(&c);     /* a second free is harmless */
}

TEST(empty_files_keep_defaults)
{
	static const char *texts[] = {
		"",
		"# only a comment\n\n",
		"---\n",
		"---\n...\n",
		"~\n",
		"sensor:\ntcp:\n# every key commented out\n",
		"service: {}\n",
	};
	struct gf_config c, d;
	size_t i;

	gf_config_defaults(&d);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		CHECK(load_text(texts[i], &c) == 0);
		CHECK(cfg_equal(&c, &d));
		gf_config_free(&c);
	}
}

static const char every_key[] =
    "# every key, none at its default\n"
    "sensor:\n"
    "  id: 4294967295\n"
    "  name: \"tap-\\u00e9ast-1\"\n"
    "input:\n"
    "  files: [a.pcap, \"/data/b c.pcap\"]\n"
    "  interfaces:\n"
    "    - eth1\n"
    "    - eth2\n"
    "  filter: |\n"
    "    tcp or\n"
    "    \tudp\n"
    "  snaplen: 128\n"
    "  promiscuous: no\n"
    "  buffer_size: 256Mi\n"
    "  merge_skew: 0.25\n"
    "output:\n"
    "  file: /var/lib/gapflow/x.gf\n"
    "  compression: off\n"
    "  rotate_interval: 1h\n"
    "  rotate_size: 2G\n"
    "flows:\n"
    "  status_interval: 100ms\n"
    "  align_intervals: yes\n"
    "  sensor_interval: 0.1\n"
    "  max_flows: 16\n"
    "  key_vlan: true\n"
    "  timeouts:\n"
    "    tcp: 2h\n"
    "    tcp_closed: 1.5\n"
    "    udp: 5m\n"
    "    icmp: 250ms\n"
    "    other: 1d\n"
    "tcp:\n"
    "  handshake_skew: 0\n"
    "  reorder_window: 20ms\n"
    "  simplex_hole_timeout: 0.000001\n"
    "service:\n"
    "  listen: \"[::1]:9999\"\n"
    "  allow: [192.0.2.0/24, \"2001:db8::/32\", 10.1.2.3]\n"
    "  user: gapflow\n"
    "  syslog: on\n"
    "  cpu: 3\n"
    "  realtime_priority: TRUE\n"
    "  ring_size: 1024\n";

TEST(every_key_exact)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t host[16] = { 10, 1, 2, 3 };
	struct gf_config c;

	CHECK(load_text(every_key, &c) == 0);
	CHECK_U64(c.sensor_id, 4294967295u);
	CHECK_STR(c.sensor_name, "tap-\xc3\xa9" "ast-1");
	CHECK_U64(c.nfiles, 2);
	CHECK_STR(c.files[0], "a.pcap");
	CHECK_STR(c.files[1], "/data/b c.pcap");
	CHECK_U64(c.nifaces, 2);
	CHECK_STR(c.ifaces[0], "eth1");
	CHECK_STR(c.ifaces[1], "eth2");
	CHECK_STR(c.filter, "tcp or\n\tudp\n");
	CHECK_U64(c.snaplen, 128);
	CHECK_U64(c.promisc, 0);
	CHECK_U64(c.buffer_size, 268435456);
	CHECK_U64(c.merge_skew, 250000000);
	CHECK_STR(c.output, "/var/lib/gapflow/x.gf");
	CHECK(c.compression == -1);
	CHECK_U64(c.rotate_interval, 3600000000000ULL);
	CHECK_U64(c.rotate_size, 2000000000);
	CHECK_U64(c.status_interval, 100000000);
	CHECK_U64(c.align_intervals, 1);
	CHECK_U64(c.sensor_interval, 100000000);
	CHECK_U64(c.max_flows, 16);
	CHECK_U64(c.key_vlan, 1);
	CHECK_U64(c.timeout_tcp, 7200000000000ULL);
	CHECK_U64(c.timeout_tcp_closed, 1500000000);
	CHECK_U64(c.timeout_udp, 300000000000ULL);
	CHECK_U64(c.timeout_icmp, 250000000);
	CHECK_U64(c.timeout_other, 86400000000000ULL);
	CHECK_U64(c.handshake_skew, 0);
	CHECK_U64(c.reorder_window, 20000000);
	CHECK_U64(c.simplex_hole_timeout, 1000);
	CHECK_STR(c.listen, "[::1]:9999");
	CHECK_U64(c.nallow, 3);
	CHECK(c.allow[0].family == 4 && c.allow[0].bits == 24);
	CHECK(memcmp(c.allow[0].addr, "\xc0\x00\x02\x00", 4) == 0);
	CHECK(c.allow[1].family == 6 && c.allow[1].bits == 32);
	CHECK(memcmp(c.allow[1].addr, v6, 16) == 0);
	CHECK(c.allow[2].family == 4 && c.allow[2].bits == 32);
	CHECK(memcmp(c.allow[2].addr, host, 16) == 0);
	CHECK_STR(c.user, "gapflow");
	CHECK_U64(c.use_syslog, 1);
	CHECK(c.cpu == 3);
	CHECK_U64(c.realtime, 1);
	CHECK_U64(c.ring_size, 1024);
	gf_config_free(&c);
}

TEST(value_forms)
{
	static const struct {
		const char *text;
		uint64_t ns;
	} durs[] = {
		{ "0.1", 100000000 }, { "100ms", 100000000 },
		{ "1.5s", 1500000000 }, { "90", 90000000000ULL },
		{ "5m", 300000000000ULL }, { "1h", 3600000000000ULL },
		{ "0.5d", 43200000000000ULL }, { "1ms", 1000000 },
		{ "0.001", 1000000 }, { "\"7d\"", 604800000000000ULL },
	};
	static const struct {
		const char *text;
		uint64_t v;
	} sizes[] = {
		{ "64M", 64000000 }, { "64Mi", 67108864 },
		{ "64MiB", 67108864 },
		{ "64MB", 64000000 }, { "1G", 1000000000 },
		{ "1Gi", 1073741824 }, { "65536", 65536 }, { "64Ki", 65536 },
		{ "1.5Mi", 1572864 },
	};
	static const struct {
		const char *text;
		int v;
	} bools[] = {
		{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 },
		{ "on", 1 }, { "off", 0 }, { "True", 1 }, { "NO", 0 },
		{ "'on'", 1 },
	};
	struct gf_config c;
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		snprintf(text, sizeof(text), "flows:\n  timeouts:\n"
		    "    udp: %s\n", durs[i].text);
		CHECK(load_text(text, &c) == 0);
		CHECK_U64(c.timeout_udp, durs[i].ns);
		gf_config_free(&c);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(text, sizeof(text), "input:\n  buffer_size: %s\n",
		    sizes[i].text);
		CHECK(load_text(text, &c) == 0);
		CHECK_U64(c.buffer_size, sizes[i].v);
		gf_config_free(&c);
	}
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		snprintf(text, sizeof(text), "input:\n  promiscuous: %s\n",
		    bools[i].text);
		CHECK(load_text(text, &c) == 0);
		CHECK_U64(c.promisc, bools[i].v);
		gf_config_free(&c);
	}
	CHECK(load_text("output:\n  compression: -1\n", &c) == 0);
	CHECK(c.compression == -1);
	gf_config_free(&c);
	CHECK(load_text("output: {compression: 0, rotate_interval: 0, "
	    "rotate_size: 0}\n", &c) == 0);
	CHECK(c.compression == 0 && c.rotate_interval == 0 &&
	    c.rotate_size == 0);
	gf_config_free(&c);
	CHECK(load_text("sensor: {id: 007}\nservice:\n  cpu: -1\n"
	    "  ring_size: 16777216\n  listen: 9999\n", &c) == 0);
	CHECK_U64(c.sensor_id, 7);
	CHECK(c.cpu == -1);
	CHECK_U64(c.ring_size, 16777216);
	CHECK_STR(c.listen, "9999");
	gf_config_free(&c);
	/* null clears strings and lists; "" unsets a string */
	CHECK(load_text("input:\n  filter: ~\n  files:\nsensor:\n  name:\n"
	    "output:\n  file: \"\"\n", &c) == 0);
	CHECK(c.filter == NULL && c.nfiles == 0 && c.output == NULL);
	CHECK_STR(c.sensor_name, "");
	gf_config_free(&c);
	/* 32 bytes is the longest name */
	CHECK(load_text("sensor:\n  name: 0123456789abcdef0123456789abcdef\n",
	    &c) == 0);
	CHECK_STR(c.sensor_name, "0123456789abcdef0123456789abcdef");
	gf_config_free(&c);
}

TEST(listen_forms)
{
	static const char *good[] = {
		"1", "65535", "127.0.0.1:9999", "0.0.0.0:1", "[::]:80",
		"[2001:db8::1]:443",
	};
	static const char *badv[] = {
		"0", "65536", "x", "host:80", "::1:80", "[::1]", "[::1]80",
		"127.0.0.1:", ":80", "[127.0.0.1]:80", "1.2.3.4:+80",
		"80 ", "1.2.3:80",
	};
	struct gf_config c;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "service:\n  listen: \"%s\"\n",
		    good[i]);
		CHECK(load_text(text, &c) == 0);
		CHECK_STR(c.listen, good[i]);
		gf_config_free(&c);
	}
	for (i = 0; i < sizeof(badv) / sizeof(badv[0]); i++) {
		snprintf(text, sizeof(text), "service:\n  listen: \"%s\"\n",
		    badv[i]);
		CHECK(err_has(text, ":2: key 'service.listen': '", "is not "
		    "valid, expected [ADDR:]PORT"));
	}
}

TEST(lists_replace)
{
	struct gf_config c;

	/* Values from earlier (defaults, flags, a first file) are replaced,
	 * not appended to. */
	gf_config_defaults(&c);
	CHECK(set(&c, "input.files", "old1") == 0);
	CHECK(set(&c, "input.files", "old2") == 0);
	CHECK(set(&c, "service.allow", "10.0.0.0/8") == 0);
	CHECK(gf_config_load(write_text("input:\n  files: [new]\n"
	    "service:\n  allow: []\n"), &c, err, sizeof(err)) == 0);
	CHECK_U64(c.nfiles, 1);
	CHECK_STR(c.files[0], "new");
	CHECK(c.files[1] == NULL);
	CHECK_U64(c.nallow, 0);
	/* Keys absent from a second file keep the first file's values. */
	CHECK(gf_config_load(write_text("sensor: {id: 5}\n"), &c, err,
	    sizeof(err)) == 0);
	CHECK_U64(c.nfiles, 1);
	CHECK_STR(c.files[0], "new");
	CHECK_U64(c.sensor_id, 5);
	gf_config_free(&c);
}

/* ---- errors ------------------------------------------------------------ */

TEST(error_syntax)
{
	CHECK(err_is("sensor:\n  id: 1\n name: x\n",
	    ":3:2: YAML syntax error: did not find expected key"));
	CHECK(err_is("sensor:\n\tid: 1\n",
	    ":2:1: YAML syntax error: found character that cannot start "
	    "any token"));
	CHECK(err_is("sensor: {id: 1\n",
	    ":2:1: YAML syntax error: did not find expected ',' or '}'"));
	CHECK(err_is("sensor:\n  name: \"\xff\"\n",
	    ":2:10: YAML syntax error: invalid leading UTF-8 octet"));
}

TEST(error_unknown_key)
{
	CHECK(err_is("sensor:\n  id: 1\nflows:\n  timeouts:\n    tpc: 5s\n",
	    ":5: key 'flows.timeouts.tpc': unknown key, expected one of: tcp,"
	    " tcp_closed, udp, icmp, other, tcp_syn, tcp_half_open"));
	CHECK(err_is("# top\n\nflow:\n  x: 1\n",
	    ":3: key 'flow': unknown key, expected one of: sensor, input, "
	    "output, flows, decode, tcp, service"));
	CHECK(err_has("flows.status_interval: 1\n",
	    ":1: key 'flows.status_interval': unknown key, expected one of: "
	    "sensor,", "not dotted keys"));
	/* Hostile bytes in a key come back escaped, not raw. */
	CHECK(err_has("sensor:\n  \"\\e[2J\": 1\n",
	    ":2: key 'sensor.\\x1b[2J': unknown key", "one of: id, name"));
	CHECK(err_has("sensor:\n  \"a\\0b\": 1\n", ":2: key 'sensor.a\\x00b':"
	    " unknown key", "id, name"));
}

TEST(error_wrong_kind)
{
	CHECK(err_is("flows:\n  status_interval: [5s]\n",
	    ":2: key 'flows.status_interval': got a list, expected a duration"
	    " (number with unit ms, s, m, h or d) from 1ms to 1d"));
	CHECK(err_is("input:\n  files:\n    a: b\n",
	    ":3: key 'input.files': got a mapping, expected a list of strings "
	    "such as [a, b], or [] for none"));
	CHECK(err_is("input:\n  interfaces:\n    a: b\n",
	    ":3: key 'input.interfaces': got a mapping, expected a list of at "
	    "most 16 strings such as [a, b], or [] for none"));
	CHECK(err_has("input:\n  interfaces: eth0\n",
	    ":2: key 'input.interfaces': got a single value, expected a list",
	    "[] for none"));
	CHECK(err_has("input:\n  files:\n    - a\n    - [b]\n",
	    ":4: key 'input.files': entry 2 is a list, expected non-empty "
	    "printable UTF-8 text", "bytes"));
	CHECK(err_is("tcp: 5\n", ":1: key 'tcp': got a single value, expected"
	    " a mapping of keys, one of: handshake_skew, reorder_window, "
	    "simplex_hole_timeout, max_holes, hole_pool"));
	CHECK(err_has("sensor:\n  id: {a: 1}\n", ":2: key 'sensor.id': got a "
	    "mapping, expected an integer from 0 to 4294967295", ""));
	CHECK(err_is("- sensor\n", ":1: the top level is a list, expected a "
	    "mapping of sections, one of: sensor, input, output, flows, decode, tcp, "
	    "service"));
	CHECK(err_has("\n\njust text\n", ":3: the top level is a single value",
	    "mapping of sections"));
	CHECK(err_has("sensor:\n  ? [a]\n  : 1\n", ":2: key 'sensor': a key is "
	    "a list, expected a plain key", "id, name"));
}

TEST(error_values)
{
	CHECK(err_is("input:\n  promiscuous: maybe\n",
	    ":2: key 'input.promiscuous': 'maybe' is not a boolean, expected "
	    "true or false (also yes/no, on/off)"));
	CHECK(err_is("input:\n  snaplen: 63\n",
	    ":2: key 'input.snaplen': 63 is out of range, expected an integer "
	    "from 64 to 262144"));
	CHECK(err_has("input:\n  snaplen: 262145\n", ":2: key 'input.snaplen': "
	    "262145 is out of range", "64 to 262144"));
	CHECK(err_has("input:\n  snaplen: 0x100\n", ":2: key 'input.snaplen': "
	    "'0x100' is not an integer", "64 to 262144"));
	CHECK(err_has("input:\n  snaplen: +100\n", ":2: key 'input.snaplen': "
	    "'+100' is not an integer", ""));
	CHECK(err_has("sensor:\n  id: 4294967296\n", ":2: key 'sensor.id': "
	    "4294967296 is out of range", "0 to 4294967295"));
	CHECK(err_has("sensor:\n  id: 99999999999999999999999\n", ":2: key "
	    "'sensor.id': '99999999999999999999999' is not an integer", ""));
	CHECK(err_is("output:\n  compression: 10\n",
	    ":2: key 'output.compression': 10 is out of range, expected an "
	    "integer from -1 to 9, or off"));
	CHECK(err_is("flows:\n  timeouts:\n    tcp: 5x\n",
	    ":3: key 'flows.timeouts.tcp': '5x' is not a duration, expected a "
	    "duration (number with unit ms, s, m, h or d) from 1ms to 7d"));
	CHECK(err_has("flows:\n  timeouts:\n    tcp: 0\n", ":3: key "
	    "'flows.timeouts.tcp': 0 is out of range", "from 1ms to 7d"));
	CHECK(err_has("flows:\n  status_interval: 0\n", ":2: key "
	    "'flows.status_interval': 0 is out of range", "from 1ms to 1d"));
	CHECK(err_has("flows:\n  status_interval: -1\n", ":2: key "
	    "'flows.status_interval': '-1' is not a duration", ""));
	CHECK(err_has("flows:\n  status_interval: 1e3\n", ":2: key "
	    "'flows.status_interval': '1e3' is not a duration", ""));
	CHECK(err_has("flows:\n  status_interval: \" 5\"\n", ":2: key "
	    "'flows.status_interval': ' 5' is not a duration", ""));
	CHECK(err_has("flows:\n  status_interval: .5\n", ":2: key "
	    "'flows.status_interval': '.5' is not a duration", ""));
	CHECK(err_has("flows:\n  status_interval: ~\n", ":2: key "
	    "'flows.status_interval': no value, expected a duration", ""));
	CHECK(err_has("input:\n  buffer_size: 2Gi\n", ":2: key "
	    "'input.buffer_size': 2Gi is out of range", "64Ki to 2147483647"));
	CHECK(err_has("input:\n  buffer_size: 64mb\n", ":2: key "
	    "'input.buffer_size': '64mb' is not a size", ""));
	CHECK(err_has("output:\n  rotate_interval: 0.5\n", ":2: key "
	    "'output.rotate_interval': 0.5 is out of range", "0 or off, or"));
	CHECK(err_has("flows:\n  max_flows: 15\n", ":2: key 'flows.max_flows':"
	    " 15 is out of range", "16 to 4294967295"));
	CHECK(err_is("service:\n  ring_size: 3000\n",
	    ":2: key 'service.ring_size': 3000 is not a power of two, expected "
	    "a power of two from 1024 to 16777216"));
	CHECK(err_has("service:\n  ring_size: 512\n", ":2: key "
	    "'service.ring_size': 512 is out of range", ""));
	CHECK(err_has("service:\n  cpu: -2\n", ":2: key 'service.cpu': -2 is "
	    "out of range", "from -1 to"));
	CHECK(err_has("sensor:\n  name: 0123456789abcdef0123456789abcdefX\n",
	    ":2: key 'sensor.name': '0123456789abcdef0123456789abcdefX' is too "
	    "long (33 bytes)", "at most 32 bytes"));
	CHECK(err_has("sensor:\n  name: \"a\\tb\"\n", ":2: key 'sensor.name': "
	    "'a\\x09b' contains a control character", ""));
	CHECK(err_has("sensor:\n  name: \"a\\0b\"\n", ":2: key 'sensor.name': "
	    "'a\\x00b' contains a NUL byte", ""));
	CHECK(err_has("output:\n  file: \"x\\u009by\"\n", ":2: key "
	    "'output.file': 'x\\xc2\\x9by' contains a control character", ""));
}

TEST(error_lists)
{
	CHECK(err_is("service:\n  allow:\n    - 10.0.0.0/8\n"
	    "    - 10.0.0.0/33\n",
	    ":4: key 'service.allow': entry 2 '10.0.0.0/33' is not a network "
	    "prefix, expected a network prefix such as 192.0.2.0/24 or "
	    "2001:db8::/32, without host bits"));
	CHECK(err_has("service:\n  allow: [10.1.2.3/8]\n", ":2: key "
	    "'service.allow': entry 1 '10.1.2.3/8' has host bits set", ""));
	CHECK(err_has("service:\n  allow: [\"10.0.0.0/ 8\"]\n", ":2: key "
	    "'service.allow': entry 1 '10.0.0.0/ 8' is not a network prefix",
	    ""));
	CHECK(err_has("service:\n  allow: [example.com/8]\n", ":2: key "
	    "'service.allow': entry 1", "is not a network prefix"));
	CHECK(err_has("service:\n  allow: [~]\n", ":2: key 'service.allow': "
	    "entry 1 is empty", ""));
	CHECK(err_has("input:\n  interfaces: [a, b, c, d, e, f, g, h, i, j, k,"
	    " l, m, n, o, p, q]\n", ":2: key 'input.interfaces': too many "
	    "entries (more than 16)", "at most 16"));
	CHECK(err_has("input:\n  files: [\"\"]\n", ":2: key 'input.files': "
	    "entry 1 is empty", ""));
}

TEST(error_duplicates_and_structure)
{
	CHECK(err_is("input:\n  snaplen: 100\n  promiscuous: no\n"
	    "  snaplen: 200\n", ":4: key 'input.snaplen': duplicate key (first "
	    "on line 2), expected each key once"));
	CHECK(err_is("flows: {}\ntcp: {}\nflows:\n  max_flows: 20\n",
	    ":3: key 'flows': duplicate key (first on line 1), expected each "
	    "key once"));
	CHECK(err_has("flows:\n  timeouts: {tcp: 1}\n  timeouts: {udp: 1}\n",
	    ":3: key 'flows.timeouts': duplicate key (first on line 2)", ""));
	CHECK(err_is("sensor:\n  name: &n x\n  id: *n\n",
	    ":3: key 'sensor.id': alias *n is not supported, expected the "
	    "value written out"));
	CHECK(err_is("sensor: {id: 1}\n---\nsensor: {id: 2}\n",
	    ":2: a second YAML document, expected one document per file"));
}

TEST(error_files)
{
	struct gf_config c;
	char path[200];
	char *big;
	size_t n = 1024 * 1024 + 16;

	gf_config_defaults(&c);
	snprintf(path, sizeof(path), "%s/none.yaml", tmpdir);
	CHECK(gf_config_load(path, &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "none.yaml: cannot open: No such file") != NULL);
	CHECK(gf_config_load(tmpdir, &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, ": cannot read: is a directory") != NULL);
	big = malloc(n);
	CHECK(big != NULL);
	if (big != NULL) {
		memset(big, '#', n);
		big[n - 1] = '\n';
		CHECK(gf_config_load(write_bytes(big, n), &c, err,
		    sizeof(err)) == -1);
		CHECK(strstr(err, "larger than 1048576 bytes") != NULL);
		free(big);
	}
	/* A tiny error buffer truncates, never overflows. */
	CHECK(gf_config_load(write_text("x: 1\n"), &c, err, 8) == -1);
	CHECK(strlen(err) == 7);
	gf_config_free(&c);
}

TEST(failed_load_changes_nothing)
{
	struct gf_config c, before;

	gf_config_defaults(&c);
	CHECK(set(&c, "input.files", "keep.pcap") == 0);
	CHECK(set(&c, "output.file", "keep.gf") == 0);
	gf_config_defaults(&before);
	CHECK(set(&before, "input.files", "keep.pcap") == 0);
	CHECK(set(&before, "output.file", "keep.gf") == 0);
	/* The error comes after files, the output and the id were set. */
	CHECK(gf_config_load(write_text("input:\n  files: [x, y]\noutput:\n"
	    "  file: other\nsensor:\n  id: 9\n  bogus: 1\n"), &c, err,
	    sizeof(err)) == -1);
	CHECK(cfg_equal(&c, &before));
	gf_config_free(&c);
	gf_config_free(&before);
}

/* ---- gf_config_set ----------------------------------------------------- */

TEST(config_set)
{
	struct gf_config c;

	gf_config_defaults(&c);
	CHECK(set(&c, "flows.status_interval", "100ms") == 0);
	CHECK_U64(c.status_interval, 100000000);
	CHECK(set(&c, "flows.timeouts.tcp", "0.5") == 0);
	CHECK_U64(c.timeout_tcp, 500000000);
	CHECK(set(&c, "input.snaplen", "1500") == 0);
	CHECK_U64(c.snaplen, 1500);
	CHECK(set(&c, "output.compression", "off") == 0);
	CHECK(c.compression == -1);
	CHECK(set(&c, "output.file", "-") == 0);
	CHECK_STR(c.output, "-");
	CHECK(set(&c, "output.file", "/tmp/a") == 0);
	CHECK_STR(c.output, "/tmp/a");
	CHECK(set(&c, "sensor.name", "lab") == 0);
	CHECK_STR(c.sensor_name, "lab");
	CHECK(set(&c, "service.syslog", "yes") == 0);
	CHECK_U64(c.use_syslog, 1);
	CHECK(set(&c, "input.buffer_size", "1Gi") == 0);
	CHECK_U64(c.buffer_size, 1073741824);
	/* List keys append; NULL empties. */
	CHECK(set(&c, "input.interfaces", "eth0") == 0);
	CHECK(set(&c, "input.interfaces", "eth1") == 0);
	CHECK_U64(c.nifaces, 2);
	CHECK_STR(c.ifaces[1], "eth1");
	CHECK(set(&c, "input.interfaces", NULL) == 0);
	CHECK_U64(c.nifaces, 0);
	CHECK(set(&c, "service.allow", "2001:db8::/48") == 0);
	CHECK(c.nallow == 1 && c.allow[0].family == 6 && c.allow[0].bits == 48);
	CHECK(set(&c, "output.file", NULL) == 0);
	CHECK(c.output == NULL);

	/* Errors name the key and leave the value alone. */
	CHECK(set(&c, "input.snaplen", "10") == -1);
	CHECK_STR(err, "key 'input.snaplen': 10 is out of range, expected an "
	    "integer from 64 to 262144");
	CHECK_U64(c.snaplen, 1500);
	CHECK(set(&c, "flows.timeouts.udp", "soon") == -1);
	CHECK_STR(err, "key 'flows.timeouts.udp': 'soon' is not a duration, "
	    "expected a duration (number with unit ms, s, m, h or d) from 1ms "
	    "to 7d");
	CHECK(set(&c, "flows.timeouts.udpp", "1") == -1);
	CHECK_STR(err, "key 'flows.timeouts.udpp': unknown key, expected one "
	    "of: tcp, tcp_closed, udp, icmp, other, tcp_syn, tcp_half_open");
	CHECK(set(&c, "flows", "1") == -1);
	CHECK(strstr(err, "key 'flows': unknown key") != NULL);
	CHECK(set(&c, "input.promiscuous", NULL) == -1);
	CHECK(strstr(err, "no value") != NULL);
	CHECK(set(&c, "output.file", "bad\xff") == -1);
	CHECK(strstr(err, "is not valid UTF-8") != NULL);
	CHECK_STR(err, "key 'output.file': 'bad\\xff' is not valid UTF-8, "
	    "expected printable UTF-8 text of at most 4095 bytes");
	CHECK(c.output == NULL);
	gf_config_free(&c);
}

TEST(config_set_list_full)
{
	struct gf_config c, d;
	char name[16];
	int i, rc = 0;

	/* live interfaces keep a bound */
	gf_config_defaults(&c);
	for (i = 0; i < GF_CFG_MAX_SOURCES; i++) {
		snprintf(name, sizeof(name), "if%d", i);
		rc |= set(&c, "input.interfaces", name);
	}
	CHECK(rc == 0);
	CHECK(set(&c, "input.interfaces", "one.too.many") == -1);
	CHECK(strstr(err, "too many entries (more than 16)") != NULL);
	CHECK_U64(c.nifaces, GF_CFG_MAX_SOURCES);
	/* capture files do not: 300 (a day of tcpdump -G 300 is 288) */
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%03d.pcap", i);
		rc |= set(&c, "input.files", name);
	}
	CHECK(rc == 0);
	CHECK_U64(c.nfiles, 300);
	CHECK_STR(c.files[0], "f000.pcap");
	CHECK_STR(c.files[299], "f299.pcap");
	/* a load works on a deep copy: the list survives a failed load and
	 * is replaced by a good one */
	CHECK(gf_config_load(write_text("input:\n  files: [a, 7: x]\n"), &c,
	    err, sizeof(err)) == -1);
	CHECK_U64(c.nfiles, 300);
	CHECK_STR(c.files[17], "f017.pcap");
	CHECK(gf_config_load(write_text("input:\n  files: [a, b]\n"), &c,
	    err, sizeof(err)) == 0);
	CHECK_U64(c.nfiles, 2);
	CHECK_STR(c.files[1], "b");
	/* emptied, then filled again */
	CHECK(set(&c, "input.files", NULL) == 0);
	CHECK_U64(c.nfiles, 0);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		rc |= set(&c, "input.files", name);
	}
	CHECK(rc == 0 && c.nfiles == 20);
	CHECK_STR(c.files[19], "g19");
	gf_config_defaults(&d);
	CHECK(d.files == NULL && d.nfiles == 0);
	gf_config_free(&c);
	CHECK(c.files == NULL && c.nfiles == 0);
}

/* ---- the example, printing, documentation ------------------------------ */

TEST(example_file)
{
	struct gf_config got, want;

	/* The example documents every default; it differs on purpose only
	 * in the lines marked EXAMPLE. */
	gf_config_defaults(&got);
	err[0] = '\0';
	CHECK(gf_config_load(tl_repo_file("man/gapflow.yaml.example"), &got, err,
	    sizeof(err)) == 0);
	if (err[0] != '\0')
		printf("  %s\n", err);
	gf_config_defaults(&want);
	CHECK(set(&want, "sensor.id", "1") == 0);
	CHECK(set(&want, "sensor.name", "tap-dmz-1") == 0);
	CHECK(set(&want, "input.interfaces", "eth1") == 0);
	CHECK(set(&want, "output.file", "/var/lib/gapflow/flows.gf") == 0);
	CHECK(set(&want, "output.rotate_interval", "1h") == 0);
	CHECK(set(&want, "service.listen", "127.0.0.1:9999") == 0);
	CHECK(set(&want, "service.allow", "127.0.0.0/8") == 0);
	CHECK(set(&want, "service.allow", "::1/128") == 0);
	CHECK(set(&want, "service.user", "gapflow") == 0);
	CHECK(set(&want, "service.syslog", "true") == 0);
	CHECK(cfg_equal(&got, &want));
	CHECK_U64(got.timeout_tcp, 300 * SEC);
	CHECK_U64(got.rotate_interval, 3600 * SEC);
	CHECK_U64(got.buffer_size, 64 * 1024 * 1024);
	gf_config_free(&got);
	gf_config_free(&want);
}

TEST(print_round_trip)
{
	struct gf_config a, b;
	char *first, *second;
	char text[sizeof(every_key) + 128];

	/* Defaults. */
	gf_config_defaults(&a);
	CHECK(reload_printed(&a, &b) == 0);
	CHECK(cfg_equal(&a, &b));
	gf_config_free(&a);
	gf_config_free(&b);

	/* Every key away from its default, awkward strings included. */
	snprintf(text, sizeof(text), "%s", every_key);
	CHECK(load_text(text, &a) == 0);
	CHECK(set(&a, "sensor.name", "q\"b\\s \xe2\x80\xa8 "
	    "\xf0\x9f\x98\x80") == 0);
	CHECK(set(&a, "input.files", "x: y # z") == 0);
	CHECK(set(&a, "flows.timeouts.tcp", "6.99999999999d") == 0);
	CHECK(set(&a, "tcp.reorder_window", "59.999999999") == 0);
	CHECK(set(&a, "flows.status_interval", "0.123456789") == 0);
	CHECK(set(&a, "output.rotate_size", "10000001") == 0);
	err[0] = '\0';
	CHECK(reload_printed(&a, &b) == 0);
	if (err[0] != '\0')
		printf("  %s\n", err);
	CHECK(cfg_equal(&a, &b));

	/* Printing is stable: print(load(print(x))) == print(x). */
	first = tl_slurp(cfgpath);
	gf_config_free(&a);
	CHECK(reload_printed(&b, &a) == 0);
	second = tl_slurp(cfgpath);
	CHECK(first != NULL && second != NULL && strcmp(first, second) == 0);
	free(first);
	free(second);
	gf_config_free(&a);
	gf_config_free(&b);
}

TEST(print_shape)
{
	struct gf_config c;
	char *out;

	gf_config_defaults(&c);
	CHECK(set(&c, "input.files", "a.pcap") == 0);
	write_text("");
	{
		FILE *f = fopen(cfgpath, "w");
		CHECK(f != NULL);
		if (f != NULL) {
			gf_config_print(&c, f);
			fclose(f);
		}
	}
	out = tl_slurp(cfgpath);
	CHECK(out != NULL);
	if (out != NULL) {
		CHECK(strstr(out, "\ninput:\n  files:\n    - \"a.pcap\"\n"
		    "  interfaces: []\n") != NULL);
		CHECK(strstr(out, "\nflows:\n  status_interval: 5s\n") != NULL);
		CHECK(strstr(out, "\n  timeouts:\n    tcp: 5m\n") != NULL);
		CHECK(strstr(out, "  buffer_size: 64Mi\n") != NULL);
		CHECK(strstr(out, "  compression: 1\n  rotate_interval: off\n")
		    != NULL);
		free(out);
	}
	gf_config_free(&c);
}

/* Every key the printer knows is in the manual and in the example. */
TEST(docs_cover_every_key)
{
	struct gf_config c;
	char *printed, *man, *example, *line, *save = NULL;
	char stack[4][64], path[256], leaf[300];
	int depth, nkeys = 0;

	gf_config_defaults(&c);
	{
		FILE *f = fopen(cfgpath, "w");
		if (f == NULL)
			return;
		gf_config_print(&c, f);
		fclose(f);
	}
	gf_config_free(&c);
	printed = tl_slurp(cfgpath);
	man = tl_slurp(tl_repo_file("man/gapflow.yaml.5"));
	example = tl_slurp(tl_repo_file("man/gapflow.yaml.example"));
	CHECK(printed != NULL && man != NULL && example != NULL);
	if (printed == NULL || man == NULL || example == NULL)
		goto out;
	for (line = strtok_r(printed, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		const char *colon = strchr(line, ':');
		size_t n;
		int i;

		if (line[0] == '#' || strncmp(line + strspn(line, " "), "- ",
		    2) == 0 || colon == NULL)
			continue;
		depth = (int)strspn(line, " ") / 2;
		if (depth > 3)
			continue;
		n = (size_t)(colon - line) - (size_t)depth * 2;
		snprintf(stack[depth], sizeof(stack[depth]), "%.*s", (int)n,
		    line + depth * 2);
		if (colon[1] == '\0')
			continue;       /* a section */
		path[0] = '\0';
		for (i = 0; i <= depth; i++)
			snprintf(path + strlen(path), sizeof(path) -
			    strlen(path), "%s%s", i ? "." : "", stack[i]);
		nkeys++;
		/* The manual names keys in full, in bold. */
		snprintf(leaf, sizeof(leaf), ".B %s\n", path);
		if (strstr(man, leaf) == NULL) {
			printf("  %s not in man/gapflow.yaml.5\n", path);
			CHECK(0);
		}
		snprintf(leaf, sizeof(leaf), " %s:", stack[depth]);
		if (strstr(example, leaf) == NULL) {
			printf("  %s not in man/gapflow.yaml.example\n", path);
			CHECK(0);
		}
	}
	CHECK(nkeys == 56);
out:
	free(printed);
	free(man);
	free(example);
}

/* The EXAMPLE section of the manual is a file that loads. */
TEST(man_example_loads)
{
	struct gf_config c;
	char *man, *start, *end, *src, *dst;

	man = tl_slurp(tl_repo_file("man/gapflow.yaml.5"));
	CHECK(man != NULL);
	if (man == NULL)
		return;
	start = strstr(man, "\n.SH EXAMPLE\n");
	start = start != NULL ? strstr(start, "\n.nf\n") : NULL;
	end = start != NULL ? strstr(start, "\n.fi\n") : NULL;
	CHECK(start != NULL && end != NULL);
	if (start != NULL && end != NULL) {
		end[1] = '\0';
		/* roff's \- is a plain hyphen here. */
		for (src = dst = start + 5; *src != '\0'; src++) {
			if (src[0] == '\\' && src[1] == '-')
				src++;
			*dst++ = *src;
		}
		*dst = '\0';
		CHECK(load_text(start + 5, &c) == 0);
		if (err[0] != '\0')
			printf("  %s\n", err);
		CHECK_STR(c.sensor_name, "tap-dmz-1");
		CHECK_U64(c.timeout_tcp, 600 * SEC);
		CHECK_U64(c.buffer_size, 256 * 1024 * 1024);
		gf_config_free(&c);
	}
	free(man);
}

int
main(void)
{
	char path[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gf_test_config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(cfgpath, sizeof(cfgpath), "%s/c.yaml", tmpdir);

	RUN(defaults);
	RUN(empty_files_keep_defaults);
	RUN(every_key_exact);
	RUN(value_forms);
	RUN(listen_forms);
	RUN(lists_replace);
	RUN(error_syntax);
	RUN(error_unknown_key);
	RUN(error_wrong_kind);
	RUN(error_values);
	RUN(error_lists);
	RUN(error_duplicates_and_structure);
	RUN(error_files);
	RUN(failed_load_changes_nothing);
	RUN(config_set);
	RUN(config_set_list_full);
	RUN(example_file);
	RUN(print_round_trip);
	RUN(print_shape);
	RUN(docs_cover_every_key);
	RUN(man_example_loads);

	unlink(cfgpath);
	snprintf(path, sizeof(path), "%s", tmpdir);
	rmdir(path);
	return test_summary();
}
