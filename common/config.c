/*
 * config.c - the sensor's configuration: built-in defaults, the YAML file
 * (gapflow.yaml(5)), single keys set from command-line flags, and the
 * effective configuration printed back as YAML.
 *
 * One table, keys[], names every key with its type, its member of struct
 * gf_config and its bounds.  The loader, gf_config_set(), gf_config_print(),
 * the copy and the free all walk that table, so no key can be known to one
 * of them and unknown to another.
 *
 * The file is hostile input.  It is read whole up to a size cap; aliases
 * are refused (no expansion bombs); every scalar is checked lexically before
 * it is converted and then against the key's bounds; strings must be valid
 * UTF-8 without control characters.  A load works on a copy of the caller's
 * configuration and replaces it only on success, so a failed load changes
 * nothing.  Every error names the file, the 1-based line and the key:
 * "FILE:LINE: key 'flows.timeouts.tcp': WHAT, expected WHAT".
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "addr.h"
#include "config.h"
#include "gapflow.h"
#include "ipfix.h"
#include "ipfix_export.h"
#include "log.h"
#include "timefmt.h"

#define CFG_MAX_FILE    (1024 * 1024)   /* a real config is a few KiB */
#define CFG_MAX_KEYLEN  64              /* longer keys are unknown anyway */
#define CFG_PATHLEN     256
#define CFG_NUMLEN      40              /* longest number-with-unit text */
#define CFG_SHOWLEN     40              /* echoed input is cut after this */
#define CFG_WHYLEN      640             /* "WHAT, expected WHAT" */

#define MS      ((uint64_t)1000000)
#define SEC     (1000 * MS)
#define MIN     (60 * SEC)
#define HOUR    (60 * MIN)
#define DAY     (24 * HOUR)
#define KI      ((uint64_t)1024)
#define MI      (1024 * KI)

#ifdef CPU_SETSIZE
#define CFG_MAX_CPU     (CPU_SETSIZE - 1)       /* cpu_set_t's limit */
#else
#define CFG_MAX_CPU     1023
#endif

enum ktype {
	K_UINT,         /* unsigned decimal integer, uint32_t or uint64_t */
	K_INT,          /* signed decimal integer, int */
	K_BOOL,         /* int, 0 or 1 */
	K_DURATION,     /* uint64_t nanoseconds, gf_duration_parse() */
	K_SIZE,         /* uint64_t bytes, gf_size_parse() */
	K_STRING,       /* char *, heap; empty or null unsets (NULL) */
	K_NAME,         /* char array inside the struct */
	K_STRLIST,      /* char *[], count in an int member */
	K_PREFIXLIST,   /* struct gf_netprefix[], count in an int member */
};

#define F_OFF           0x01    /* "off" (and 0) allowed below the range */
#define F_POW2          0x02    /* the value must be a power of two */
#define F_MULTILINE     0x04    /* tabs and newlines allowed (BPF text) */
#define F_GROW          0x08    /* K_STRLIST: the member is a heap char **
				   that grows, up to GF_CFG_MAX_FILES */

/*
 * One row per key.  lo/hi bound the value for K_UINT, K_DURATION and
 * K_SIZE, the length in bytes for strings and list entries; ilo/ihi bound
 * K_INT.  The number of list entries is the member array's own size.
 */
struct key {
	const char *path;
	enum ktype type;
	size_t off;             /* member */
	size_t size;            /* sizeof member */
	size_t noff;            /* list count (int) */
	uint64_t lo, hi;
	int64_t ilo, ihi;
	int flags;
	int (*check)(const char *);     /* further syntax, 0 if fine */
	const char *expect;     /* replaces the generated "expected" text */
};

#define MEMBER(m)       .off = offsetof(struct gf_config, m), \
			.size = sizeof(((struct gf_config *)0)->m)
#define COUNT(m)        .noff = offsetof(struct gf_config, m)

static int check_listen(const char *);
static int check_ipfix(const char *);

static const struct key keys[] = {
	{ "sensor.id", K_UINT, MEMBER(sensor_id), .hi = UINT32_MAX },
	{ "sensor.name", K_NAME, MEMBER(sensor_name),
	    .hi = GF_SENSOR_NAME_LEN },

	{ "input.files", K_STRLIST, MEMBER(files), COUNT(nfiles),
	    .lo = 1, .hi = PATH_MAX - 1, .flags = F_GROW },
	{ "input.interfaces", K_STRLIST, MEMBER(ifaces), COUNT(nifaces),
	    .lo = 1, .hi = 255 },
	{ "input.filter", K_STRING, MEMBER(filter), .hi = 65535,
	    .flags = F_MULTILINE },
	{ "input.snaplen", K_INT, MEMBER(snaplen), .ilo = 64, .ihi = 262144 },
	{ "input.promiscuous", K_BOOL, MEMBER(promisc) },
	/* pcap_set_buffer_size() takes an int. */
	{ "input.buffer_size", K_SIZE, MEMBER(buffer_size),
	    .lo = 64 * KI, .hi = INT_MAX },
	{ "input.merge_skew", K_DURATION, MEMBER(merge_skew), .hi = 60 * SEC },
	{ "input.dup_window", K_DURATION, MEMBER(dup_window), .hi = SEC,
	    .flags = F_OFF },

	{ "output.file", K_STRING, MEMBER(output), .hi = PATH_MAX - 1 },
	{ "output.compression", K_INT, MEMBER(compression),
	    .ilo = -1, .ihi = 9, .flags = F_OFF },
	{ "output.rotate_interval", K_DURATION, MEMBER(rotate_interval),
	    .lo = SEC, .hi = 31 * DAY, .flags = F_OFF },
	{ "output.rotate_size", K_SIZE, MEMBER(rotate_size),
	    .lo = MI, .hi = (uint64_t)1 << 50, .flags = F_OFF },
	{ "output.metrics", K_STRING, MEMBER(metrics), .hi = PATH_MAX - 5 },
	{ "output.ipfix", K_STRLIST, MEMBER(ipfix), COUNT(nipfix),
	    .lo = 1, .hi = PATH_MAX - 1, .check = check_ipfix },
	{ "output.ipfix_pen", K_UINT, MEMBER(ipfix_pen), .hi = UINT32_MAX },
	{ "output.ipfix_mtu", K_UINT, MEMBER(ipfix_mtu), .lo = 576,
	    .hi = 65535 },
	{ "output.ipfix_template_refresh", K_DURATION,
	    MEMBER(ipfix_refresh), .lo = SEC, .hi = DAY },

	/* A floor of 1ms: a near-zero interval would make the sensor emit
	 * records in a tight loop between two packets. */
	{ "flows.status_interval", K_DURATION, MEMBER(status_interval),
	    .lo = MS, .hi = DAY },
	{ "flows.align_intervals", K_BOOL, MEMBER(align_intervals) },
	{ "flows.sensor_interval", K_DURATION, MEMBER(sensor_interval),
	    .hi = DAY },
	{ "flows.max_flows", K_UINT, MEMBER(max_flows),
	    .lo = 16, .hi = UINT32_MAX },
	{ "flows.key_vlan", K_BOOL, MEMBER(key_vlan) },
	{ "flows.key_tunnel", K_BOOL, MEMBER(key_tunnel) },
	{ "flows.timeouts.tcp", K_DURATION, MEMBER(timeout_tcp),
	    .lo = MS, .hi = 7 * DAY },
	{ "flows.timeouts.tcp_closed", K_DURATION, MEMBER(timeout_tcp_closed),
	    .lo = MS, .hi = 7 * DAY },
	{ "flows.timeouts.udp", K_DURATION, MEMBER(timeout_udp),
	    .lo = MS, .hi = 7 * DAY },
	{ "flows.timeouts.icmp", K_DURATION, MEMBER(timeout_icmp),
	    .lo = MS, .hi = 7 * DAY },
	{ "flows.timeouts.other", K_DURATION, MEMBER(timeout_other),
	    .lo = MS, .hi = 7 * DAY },
	{ "flows.timeouts.tcp_syn", K_DURATION, MEMBER(timeout_tcp_syn),
	    .lo = MS, .hi = 7 * DAY },
	{ "flows.timeouts.tcp_half_open", K_DURATION,
	    MEMBER(timeout_tcp_half_open), .lo = MS, .hi = 7 * DAY },
	{ "flows.emergency.high_water", K_UINT, MEMBER(emergency_high),
	    .lo = 2, .hi = 100 },
	{ "flows.emergency.low_water", K_UINT, MEMBER(emergency_low),
	    .lo = 1, .hi = 99 },
	{ "flows.emergency.timeout", K_DURATION, MEMBER(emergency_timeout),
	    .lo = MS, .hi = 7 * DAY },

	{ "decode.gtpu_port", K_INT, MEMBER(gtpu_port), .ilo = 0,
	    .ihi = 65535, .flags = F_OFF },
	{ "decode.vxlan_port", K_INT, MEMBER(vxlan_port), .ilo = 0,
	    .ihi = 65535, .flags = F_OFF },
	{ "decode.geneve_port", K_INT, MEMBER(geneve_port), .ilo = 0,
	    .ihi = 65535, .flags = F_OFF },
	{ "decode.gre_udp_port", K_INT, MEMBER(gre_udp_port), .ilo = 0,
	    .ihi = 65535, .flags = F_OFF },
	{ "decode.teredo_port", K_INT, MEMBER(teredo_port), .ilo = 0,
	    .ihi = 65535, .flags = F_OFF },
	{ "decode.pbb", K_BOOL, MEMBER(pbb) },
	{ "decode.pppoe", K_BOOL, MEMBER(pppoe) },
	{ "decode.reassembly.slots", K_UINT, MEMBER(reasm_slots),
	    .hi = 4096 },
	{ "decode.reassembly.timeout", K_DURATION, MEMBER(reasm_timeout),
	    .lo = MS, .hi = 600 * SEC },

	{ "tcp.handshake_skew", K_DURATION, MEMBER(handshake_skew),
	    .hi = 60 * SEC },
	{ "tcp.reorder_window", K_DURATION, MEMBER(reorder_window),
	    .hi = 60 * SEC },
	{ "tcp.simplex_hole_timeout", K_DURATION, MEMBER(simplex_hole_timeout),
	    .hi = DAY },
	{ "tcp.max_holes", K_UINT, MEMBER(max_holes), .lo = 16,
	    .hi = (uint64_t)1 << 24 },
	{ "tcp.hole_pool", K_UINT, MEMBER(hole_pool), .lo = 1024,
	    .hi = (uint64_t)1 << 28 },

	{ "service.listen", K_STRING, MEMBER(listen), .hi = 63,
	    .check = check_listen,
	    .expect = "[ADDR:]PORT such as 9999, 127.0.0.1:9999 or [::1]:9999"
	    " (ADDR an IP address, PORT 1 to 65535)" },
	{ "service.allow", K_PREFIXLIST, MEMBER(allow), COUNT(nallow) },
	{ "service.user", K_STRING, MEMBER(user), .hi = 255 },
	{ "service.syslog", K_BOOL, MEMBER(use_syslog) },
	{ "service.cpu", K_INT, MEMBER(cpu), .ilo = -1, .ihi = CFG_MAX_CPU },
	{ "service.realtime_priority", K_BOOL, MEMBER(realtime) },
	{ "service.ring_size", K_UINT, MEMBER(ring_size),
	    .lo = 1024, .hi = (uint64_t)1 << 24, .flags = F_POW2 },
};

#define NKEYS   (sizeof(keys) / sizeof(keys[0]))

struct loader {
	yaml_parser_t parser;
	const char *file;               /* for messages */
	const unsigned char *text;
	size_t textlen;
	struct gf_config *cfg;          /* the copy being loaded */
	char *err;
	size_t errlen;
	/* Keys (and sections) met so far, to refuse duplicates.  Only known
	 * paths are recorded, so twice the table is always enough. */
	struct {
		const char *path;       /* points into keys[] */
		size_t len;
		size_t line;
	} seen[2 * NKEYS];
	size_t nseen;
};

/* ---- small helpers ----------------------------------------------------- */

static void *
member(const struct gf_config *cfg, const struct key *k)
{
	return (char *)cfg + k->off;
}

static int *
count(const struct gf_config *cfg, const struct key *k)
{
	return (int *)((char *)cfg + k->noff);
}

/* A string list's entries: the member array, or the heap array it
 * points to (F_GROW). */
static char **
strv(const struct gf_config *cfg, const struct key *k)
{
	if (k->flags & F_GROW)
		return *(char ***)member(cfg, k);
	return (char **)member(cfg, k);
}

/* Entries an F_GROW array of n holds: 8, then powers of two. */
static size_t
grown(size_t n)
{
	size_t cap = 8;
	while (cap < n)
		cap *= 2;
	return cap;
}

static size_t
capacity(const struct key *k)
{
	if (k->flags & F_GROW)
		return GF_CFG_MAX_FILES;
	if (k->type == K_STRLIST)
		return k->size / sizeof(char *);
	return k->size / sizeof(struct gf_netprefix);
}

/*
 * Copy user text into a message: non-printable and non-ASCII bytes become
 * \xNN so a hostile file cannot send escape sequences to the operator's
 * terminal or log, and long text is cut.
 */
static void
show(char *out, size_t outlen, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == CFG_SHOWLEN) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\\') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else
			out[o++] = (char)c;
	}
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
}

static int
is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return strcmp(v, "") == 0 || strcmp(v, "~") == 0 ||
	    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0;
}

/* Strict decimal integers: digits only, optional leading '-', no '+',
 * spaces, hex or octal, and overflow is an error rather than a clamp. */
static int
parse_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 0;
}

static int
parse_i64(const char *s, int64_t *v)
{
	uint64_t n;
	int neg = *s == '-';

	if (parse_u64(s + neg, &n) != 0 || n > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)n : (int64_t)n;
	return 0;
}

/*
 * gf_duration_parse() and gf_size_parse() sit on strtod(), which also
 * takes leading blanks, hex floats and exponents; config text must be the
 * plain form the manual documents: digits, an optional fraction, a unit.
 */
static int
plain_number(const char *s)
{
	const char *p = s;

	if (strlen(s) > CFG_NUMLEN || *p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	for (; *p != '\0'; p++)
		if ((*p < 'a' || *p > 'z') && (*p < 'A' || *p > 'Z'))
			return 0;
	return 1;
}

static int
parse_size(const char *s, uint64_t *v)
{
	char tmp[CFG_NUMLEN + 1];
	size_t n = strlen(s);

	if (!plain_number(s))
		return -1;
	/* "64MiB" and "64MB" are how people write sizes; the B adds
	 * nothing, so take it off rather than refuse. */
	memcpy(tmp, s, n + 1);
	if (n > 1 && tmp[n - 1] == 'B')
		tmp[n - 1] = '\0';
	return gf_size_parse(tmp, v);
}

static int
parse_duration(const char *s, uint64_t *v)
{
	if (!plain_number(s))
		return -1;
	return gf_duration_parse(s, v);
}

/*
 * Shortest exact text for a duration: a whole number of the largest unit
 * that divides it, else seconds with a fraction.  The text is parsed back
 * and nudged if floating point would land on a neighbour, so printed
 * configurations load back to the same nanosecond.
 */
static void
fmt_duration(uint64_t ns, char *buf, size_t len)
{
	static const struct {
		uint64_t mult;
		const char *unit;
	} units[] = {
		{ DAY, "d" }, { HOUR, "h" }, { MIN, "m" }, { SEC, "s" },
		{ MS, "ms" },
	};
	uint64_t got, v;
	size_t i;
	char *e;
	int d;

	if (ns == 0) {
		snprintf(buf, len, "0");
		return;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns % units[i].mult != 0)
			continue;
		snprintf(buf, len, "%" PRIu64 "%s", ns / units[i].mult,
		    units[i].unit);
		if (gf_duration_parse(buf, &got) == 0 && got == ns)
			return;
		break;
	}
	for (d = 0; d <= 64; d++) {
		/* ns, ns - 1, ns + 1, ns - 2, ...; unsigned wrap intended. */
		v = ns + ((d & 1) ? (uint64_t)0 - (uint64_t)(d + 1) / 2 :
		    (uint64_t)d / 2);
		snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, v / SEC, v % SEC);
		if (gf_duration_parse(buf, &got) == 0 && got == ns)
			goto trim;
	}
	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ns / SEC, ns % SEC);
trim:
	/* Trailing zeros of the fraction say nothing. */
	e = buf + strlen(buf) - 1;
	while (*e == '0')
		*e-- = '\0';
	if (*e == '.')
		*e = '\0';
}

static void
fmt_size(uint64_t n, char *buf, size_t len)
{
	static const char *bin[] = { "Ti", "Gi", "Mi", "Ki" };
	static const char *dec[] = { "T", "G", "M", "K" };
	uint64_t got, m;
	int i, j;

	for (i = 0; n != 0 && i < 4; i++) {
		for (m = 1, j = 0; j < 4 - i; j++)
			m *= 1024;
		if (n % m == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", n / m, bin[i]);
			goto verify;
		}
	}
	for (i = 0; n != 0 && i < 4; i++) {
		for (m = 1, j = 0; j < 4 - i; j++)
			m *= 1000;
		if (n % m == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", n / m, dec[i]);
			goto verify;
		}
	}
	snprintf(buf, len, "%" PRIu64, n);
	return;
verify:
	if (gf_size_parse(buf, &got) != 0 || got != n)
		snprintf(buf, len, "%" PRIu64, n);
}

/*
 * Decode one UTF-8 sequence.  Returns its length, or 0 for an invalid,
 * overlong or surrogate sequence.
 */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Strings reach file names, log lines and record headers: refuse NUL,
 * invalid UTF-8 and control characters (C0, DEL, C1), allowing tab and
 * newline only where a key says so.
 */
static const char *
text_problem(const char *s, size_t len, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (p[i] == '\0')
			return "contains a NUL byte";
		if ((n = utf8_next(p + i, len - i, &cp)) == 0)
			return "is not valid UTF-8";
		if ((cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) &&
		    !(multiline && (cp == '\t' || cp == '\n')))
			return "contains a control character";
		i += n;
	}
	return NULL;
}

/* An IPFIX destination (ipfix_export.h). */
static int
check_ipfix(const char *s)
{
	return gf_ipfix_dest_check(s);
}

/* "[ADDR:]PORT": ADDR an IPv4 literal or a bracketed IPv6 literal. */
static int
check_listen(const char *s)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = s, *colon;
	struct gf_addr a;
	uint64_t p;
	size_t n;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':')
			return -1;
		n = (size_t)(close - s - 1);
		if (n >= sizeof(host))
			return -1;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (gf_addr_parse(host, &a) != 0 || a.family != 6)
			return -1;
		port = close + 2;
	} else if ((colon = strchr(s, ':')) != NULL) {
		n = (size_t)(colon - s);
		if (n >= sizeof(host))
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
		if (gf_addr_parse(host, &a) != 0 || a.family != 4)
			return -1;
		port = colon + 1;
	}
	if (parse_u64(port, &p) != 0 || p < 1 || p > 65535)
		return -1;
	return 0;
}

/* ---- values ------------------------------------------------------------ */

/* The "expected ..." half of a message, from the row's type and bounds. */
static void
describe(const struct key *k, int entry, char *buf, size_t len)
{
	char lo[32], hi[32], off[32] = "";

	if (k->expect != NULL) {
		snprintf(buf, len, "%s", k->expect);
		return;
	}
	switch (k->type) {
	case K_UINT:
		snprintf(buf, len, "%s from %" PRIu64 " to %" PRIu64,
		    (k->flags & F_POW2) ? "a power of two" : "an integer",
		    k->lo, k->hi);
		break;
	case K_INT:
		snprintf(buf, len, "an integer from %" PRId64 " to %" PRId64
		    "%s", k->ilo, k->ihi, (k->flags & F_OFF) ? ", or off" : "");
		break;
	case K_BOOL:
		snprintf(buf, len, "true or false (also yes/no, on/off)");
		break;
	case K_DURATION:
	case K_SIZE:
		if (k->type == K_DURATION) {
			fmt_duration(k->lo, lo, sizeof(lo));
			fmt_duration(k->hi, hi, sizeof(hi));
		} else {
			fmt_size(k->lo, lo, sizeof(lo));
			fmt_size(k->hi, hi, sizeof(hi));
		}
		if (k->flags & F_OFF)
			snprintf(off, sizeof(off), "0 or off, or ");
		snprintf(buf, len, "%s%s from %s to %s", off,
		    k->type == K_DURATION ?
		    "a duration (number with unit ms, s, m, h or d)" :
		    "a size (bytes, or number with K, M, G, T, Ki, Mi, Gi, Ti)",
		    lo, hi);
		break;
	case K_STRING:
	case K_NAME:
		snprintf(buf, len, "printable UTF-8 text of at most %" PRIu64
		    " bytes", k->hi);
		break;
	case K_STRLIST:
		if (entry)
			snprintf(buf, len, "non-empty printable UTF-8 text of "
			    "at most %" PRIu64 " bytes", k->hi);
		else if (k->flags & F_GROW)
			snprintf(buf, len, "a list of strings such as [a, b], "
			    "or [] for none");
		else
			snprintf(buf, len, "a list of at most %zu strings"
			    " such as [a, b], or [] for none", capacity(k));
		break;
	case K_PREFIXLIST:
		if (entry)
			snprintf(buf, len, "a network prefix such as "
			    "192.0.2.0/24 or 2001:db8::/32, without host bits");
		else
			snprintf(buf, len, "a list of at most %zu prefixes "
			    "such as [192.0.2.0/24, 2001:db8::/32], or [] for "
			    "none", capacity(k));
		break;
	}
}

/* Write "WHAT, expected WHAT" into why; returns -1 for the caller. */
static int __attribute__((format(printf, 5, 6)))
bad(const struct key *k, int entry, char *why, size_t whylen,
    const char *fmt, ...)
{
	char what[256], exp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	describe(k, entry, exp, sizeof(exp));
	snprintf(why, whylen, "%s, expected %s", what, exp);
	return -1;
}

static void
clear_list(struct gf_config *cfg, const struct key *k)
{
	char **v = k->type == K_STRLIST ? strv(cfg, k) : NULL;
	int i;

	if (k->type == K_STRLIST)
		for (i = 0; i < *count(cfg, k); i++) {
			free(v[i]);
			v[i] = NULL;
		}
	*count(cfg, k) = 0;
}

/*
 * Set one scalar key from text s (len bytes; isnull for YAML null).  On
 * failure returns -1 with "WHAT, expected WHAT" in why and cfg untouched.
 */
static int
set_scalar(struct gf_config *cfg, const struct key *k, const char *s,
    size_t len, int isnull, char *why, size_t whylen)
{
	char shown[4 * CFG_SHOWLEN + 8];
	const char *problem;
	void *m = member(cfg, k);
	uint64_t u;
	int64_t i;

	show(shown, sizeof(shown), s, len);
	if (isnull) {
		switch (k->type) {
		case K_STRING:
			free(*(char **)m);
			*(char **)m = NULL;
			return 0;
		case K_NAME:
			memset(m, 0, k->size);
			return 0;
		default:
			return bad(k, 0, why, whylen, "no value");
		}
	}
	if ((problem = text_problem(s, len, k->flags & F_MULTILINE)) != NULL)
		return bad(k, 0, why, whylen, "'%s' %s", shown, problem);

	switch (k->type) {
	case K_UINT:
		if (parse_u64(s, &u) != 0)
			return bad(k, 0, why, whylen, "'%s' is not an integer",
			    shown);
		if (u < k->lo || u > k->hi)
			return bad(k, 0, why, whylen, "%s is out of range",
			    shown);
		if ((k->flags & F_POW2) && (u & (u - 1)) != 0)
			return bad(k, 0, why, whylen,
			    "%s is not a power of two", shown);
		if (k->size == sizeof(uint32_t))
			*(uint32_t *)m = (uint32_t)u;
		else
			*(uint64_t *)m = u;
		return 0;
	case K_INT:
		if ((k->flags & F_OFF) && strcasecmp(s, "off") == 0)
			i = k->ilo;
		else if (parse_i64(s, &i) != 0)
			return bad(k, 0, why, whylen, "'%s' is not an integer",
			    shown);
		if (i < k->ilo || i > k->ihi)
			return bad(k, 0, why, whylen, "%s is out of range",
			    shown);
		*(int *)m = (int)i;
		return 0;
	case K_BOOL:
		if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
		    strcasecmp(s, "on") == 0)
			*(int *)m = 1;
		else if (strcasecmp(s, "false") == 0 ||
		    strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0)
			*(int *)m = 0;
		else
			return bad(k, 0, why, whylen, "'%s' is not a boolean",
			    shown);
		return 0;
	case K_DURATION:
	case K_SIZE:
		if ((k->flags & F_OFF) && strcasecmp(s, "off") == 0)
			u = 0;
		else if ((k->type == K_DURATION ? parse_duration(s, &u) :
		    parse_size(s, &u)) != 0)
			return bad(k, 0, why, whylen, "'%s' is not a %s", shown,
			    k->type == K_DURATION ? "duration" : "size");
		if ((u < k->lo && !(u == 0 && (k->flags & F_OFF))) ||
		    u > k->hi)
			return bad(k, 0, why, whylen, "%s is out of range",
			    shown);
		*(uint64_t *)m = u;
		return 0;
	case K_STRING:
		if (len > k->hi)
			return bad(k, 0, why, whylen, "'%s' is too long (%zu "
			    "bytes)", shown, len);
		if (len > 0 && k->check != NULL && k->check(s) != 0)
			return bad(k, 0, why, whylen, "'%s' is not valid",
			    shown);
		free(*(char **)m);
		*(char **)m = len == 0 ? NULL : gf_xstrdup(s);
		return 0;
	case K_NAME:
		if (len > k->hi || len >= k->size)
			return bad(k, 0, why, whylen, "'%s' is too long (%zu "
			    "bytes)", shown, len);
		memset(m, 0, k->size);
		memcpy(m, s, len);
		return 0;
	case K_STRLIST:
	case K_PREFIXLIST:
		break;
	}
	return bad(k, 0, why, whylen, "got a single value");
}

/* A prefix for an allow list, strictly: bits in plain digits, and no
 * host bits set, since "10.1.2.3/8" is a typo that would admit 10/8. */
static int
parse_prefix(const char *s, struct gf_netprefix *p)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/'), *d;
	struct gf_addr a, raw;
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int bits;

	if (slash != NULL) {
		if (slash[1] == '\0' || strlen(slash + 1) > 3)
			return -1;
		for (d = slash + 1; *d != '\0'; d++)
			if (*d < '0' || *d > '9')
				return -1;
	}
	if (n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	if (gf_addr_parse(host, &raw) != 0 ||
	    gf_prefix_parse(s, &a, &bits) != 0)
		return -1;
	if (memcmp(raw.a, a.a, sizeof(a.a)) != 0)
		return -2;
	memset(p, 0, sizeof(*p));
	p->family = a.family;
	memcpy(p->addr, a.a, sizeof(p->addr));
	p->bits = bits;
	return 0;
}

/* Append one list entry.  entry is 1-based, for messages. */
static int
add_entry(struct gf_config *cfg, const struct key *k, const char *s,
    size_t len, int entry, char *why, size_t whylen)
{
	char shown[4 * CFG_SHOWLEN + 8];
	const char *problem;
	int *n = count(cfg, k), r;

	show(shown, sizeof(shown), s, len);
	if ((size_t)*n >= capacity(k))
		return bad(k, 0, why, whylen, "too many entries (more than "
		    "%zu)", capacity(k));
	if (len == 0)
		return bad(k, 1, why, whylen, "entry %d is empty", entry);
	if ((problem = text_problem(s, len, 0)) != NULL)
		return bad(k, 1, why, whylen, "entry %d '%s' %s", entry, shown,
		    problem);
	if (k->type == K_STRLIST) {
		if (len > k->hi)
			return bad(k, 1, why, whylen, "entry %d '%s' is too "
			    "long (%zu bytes)", entry, shown, len);
		if (k->check != NULL && k->check(s) != 0)
			return bad(k, 1, why, whylen, "entry %d '%s' is not "
			    "udp:HOST:PORT, tcp:HOST:PORT or file:PATH", entry,
			    shown);
		if ((k->flags & F_GROW) && (*n == 0 ||
		    grown((size_t)*n) == (size_t)*n)) {
			char ***a = member(cfg, k);
			*a = gf_xrealloc(*a, grown((size_t)*n + 1) *
			    sizeof(char *));
		}
		strv(cfg, k)[*n] = gf_xstrdup(s);
	} else {
		struct gf_netprefix *p = member(cfg, k);
		if ((r = parse_prefix(s, &p[*n])) == -2)
			return bad(k, 1, why, whylen, "entry %d '%s' has host "
			    "bits set after the prefix length", entry, shown);
		if (r != 0)
			return bad(k, 1, why, whylen, "entry %d '%s' is not a "
			    "network prefix", entry, shown);
	}
	(*n)++;
	return 0;
}

static const struct key *
lookup(const char *path)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

/* The row of the first key inside section path, or NULL. */
static const struct key *
section(const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strncmp(keys[i].path, path, len) == 0 &&
		    keys[i].path[len] == '.')
			return &keys[i];
	return NULL;
}

/* "one of: a, b, c" for the keys directly inside section prefix. */
static void
children(const char *prefix, char *buf, size_t len)
{
	size_t plen = prefix != NULL ? strlen(prefix) + 1 : 0, o, i, n;
	const char *c, *last = NULL;
	size_t lastn = 0;

	o = (size_t)snprintf(buf, len, "one of:");
	for (i = 0; i < NKEYS && o < len; i++) {
		if (plen > 0 && (strncmp(keys[i].path, prefix, plen - 1) != 0 ||
		    keys[i].path[plen - 1] != '.'))
			continue;
		c = keys[i].path + plen;
		n = strcspn(c, ".");
		if (last != NULL && n == lastn && strncmp(c, last, n) == 0)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s %.*s",
		    last != NULL ? "," : "", (int)n, c);
		last = c;
		lastn = n;
	}
}

/* ---- the loader -------------------------------------------------------- */

static int __attribute__((format(printf, 4, 5)))
lfail(struct loader *ld, const yaml_mark_t *mark, const char *path,
    const char *fmt, ...)
{
	char msg[CFG_WHYLEN + 128], key[CFG_PATHLEN * 4 + 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path != NULL) {
		show(key, sizeof(key), path, strlen(path));
		snprintf(ld->err, ld->errlen, "%s:%zu: key '%s': %s", ld->file,
		    mark->line + 1, key, msg);
	} else
		snprintf(ld->err, ld->errlen, "%s:%zu: %s", ld->file,
		    mark->line + 1, msg);
	return -1;
}

static int
syntax_error(struct loader *ld)
{
	yaml_parser_t *p = &ld->parser;
	size_t line = p->problem_mark.line, col = p->problem_mark.column, i;

	if (p->error == YAML_MEMORY_ERROR) {
		snprintf(ld->err, ld->errlen, "%s: out of memory", ld->file);
		return -1;
	}
	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		line = col = 0;
		for (i = 0; i < p->problem_offset && i < ld->textlen; i++) {
			if (ld->text[i] == '\n') {
				line++;
				col = 0;
			} else
				col++;
		}
	}
	snprintf(ld->err, ld->errlen, "%s:%zu:%zu: YAML syntax error: %s",
	    ld->file, line + 1, col + 1,
	    p->problem != NULL ? p->problem : "unknown problem");
	return -1;
}

/* The next event; aliases are refused here, once, for every caller. */
static int
next(struct loader *ld, yaml_event_t *ev, const char *path)
{
	char name[4 * CFG_SHOWLEN + 8];

	if (!yaml_parser_parse(&ld->parser, ev))
		return syntax_error(ld);
	if (ev->type == YAML_ALIAS_EVENT) {
		const char *a = (const char *)ev->data.alias.anchor;
		show(name, sizeof(name), a, strlen(a));
		lfail(ld, &ev->start_mark, path, "alias *%s is not supported, "
		    "expected the value written out", name);
		yaml_event_delete(ev);
		return -1;
	}
	return 0;
}

static const char *
kind_name(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	default:
		return "a single value";
	}
}

static int
load_list(struct loader *ld, const struct key *k)
{
	char why[CFG_WHYLEN];
	yaml_event_t ev;
	int entry = 0, rc;

	clear_list(ld->cfg, k);         /* a list in the file replaces */
	for (;;) {
		if (next(ld, &ev, k->path) != 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		entry++;
		if (ev.type != YAML_SCALAR_EVENT) {
			char exp[256];
			describe(k, 1, exp, sizeof(exp));
			rc = lfail(ld, &ev.start_mark, k->path, "entry %d is "
			    "%s, expected %s", entry, kind_name(&ev), exp);
		} else if (is_null(&ev)) {
			bad(k, 1, why, sizeof(why), "entry %d is empty", entry);
			rc = lfail(ld, &ev.start_mark, k->path, "%s", why);
		} else if (add_entry(ld->cfg, k,
		    (const char *)ev.data.scalar.value, ev.data.scalar.length,
		    entry, why, sizeof(why)) != 0)
			rc = lfail(ld, &ev.start_mark, k->path, "%s", why);
		else
			rc = 0;
		yaml_event_delete(&ev);
		if (rc != 0)
			return -1;
	}
}

/* A leaf key's value; ev is its first event, owned by the caller. */
static int
load_value(struct loader *ld, const struct key *k, yaml_event_t *ev)
{
	int list = k->type == K_STRLIST || k->type == K_PREFIXLIST;
	char why[CFG_WHYLEN], exp[256];

	if (list && ev->type == YAML_SEQUENCE_START_EVENT)
		return load_list(ld, k);
	if (list && ev->type == YAML_SCALAR_EVENT && is_null(ev)) {
		clear_list(ld->cfg, k);
		return 0;
	}
	if (!list && ev->type == YAML_SCALAR_EVENT) {
		if (set_scalar(ld->cfg, k, (const char *)ev->data.scalar.value,
		    ev->data.scalar.length, is_null(ev), why, sizeof(why)) != 0)
			return lfail(ld, &ev->start_mark, k->path, "%s", why);
		return 0;
	}
	describe(k, 0, exp, sizeof(exp));
	return lfail(ld, &ev->start_mark, k->path, "got %s, expected %s",
	    kind_name(ev), exp);
}

/* Refuse a key met before in this file; paths point into keys[]. */
static int
seen_before(struct loader *ld, const char *path, size_t len,
    const yaml_mark_t *mark)
{
	const char *canon = NULL;
	size_t i;

	for (i = 0; i < ld->nseen; i++)
		if (ld->seen[i].len == len &&
		    strncmp(ld->seen[i].path, path, len) == 0)
			return lfail(ld, mark, path, "duplicate key (first "
			    "on line %zu), expected each key once",
			    ld->seen[i].line);
	for (i = 0; i < NKEYS && canon == NULL; i++)
		if (strncmp(keys[i].path, path, len) == 0 &&
		    (keys[i].path[len] == '\0' || keys[i].path[len] == '.'))
			canon = keys[i].path;
	if (canon != NULL &&
	    ld->nseen < sizeof(ld->seen) / sizeof(ld->seen[0])) {
		ld->seen[ld->nseen].path = canon;
		ld->seen[ld->nseen].len = len;
		ld->seen[ld->nseen].line = mark->line + 1;
		ld->nseen++;
	}
	return 0;
}

/* The body of a mapping whose MAPPING_START was consumed. */
static int
load_mapping(struct loader *ld, const char *prefix)
{
	char path[CFG_PATHLEN], exp[256], shown[4 * CFG_SHOWLEN + 8];
	const struct key *k;
	const char *name;
	yaml_event_t kev, vev;
	size_t nlen, plen;
	int plain, rc;

	for (;;) {
		if (next(ld, &kev, prefix) != 0)
			return -1;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			return 0;
		}
		if (kev.type != YAML_SCALAR_EVENT) {
			children(prefix, exp, sizeof(exp));
			rc = lfail(ld, &kev.start_mark, prefix, "a key is %s, "
			    "expected a plain key, %s", kind_name(&kev), exp);
			yaml_event_delete(&kev);
			return rc;
		}
		name = (const char *)kev.data.scalar.value;
		nlen = kev.data.scalar.length;
		plen = prefix != NULL ? strlen(prefix) + 1 : 0;
		if (nlen > CFG_MAX_KEYLEN)
			nlen = CFG_MAX_KEYLEN;  /* unknown anyway */
		if (plen > 0)
			snprintf(path, sizeof(path), "%s.", prefix);
		memcpy(path + plen, name, nlen);
		path[plen + nlen] = '\0';
		/* Dotted keys would alias the nested layout (and defeat the
		 * duplicate check), so they are unknown keys, as are keys
		 * with NUL bytes or too long to be ours. */
		plain = memchr(name, '.', kev.data.scalar.length) == NULL &&
		    strlen(name) == kev.data.scalar.length &&
		    kev.data.scalar.length <= CFG_MAX_KEYLEN;
		k = plain ? lookup(path) : NULL;
		if (k == NULL &&
		    (!plain || section(path, strlen(path)) == NULL)) {
			/* Shown from the event: the key may hold a NUL. */
			show(shown, sizeof(shown), name,
			    kev.data.scalar.length);
			children(prefix, exp, sizeof(exp));
			rc = lfail(ld, &kev.start_mark, NULL, "key '%s%s%s': "
			    "unknown key, expected %s%s", prefix != NULL ?
			    prefix : "", prefix != NULL ? "." : "", shown, exp,
			    strchr(name, '.') != NULL ?
			    " (write nested mappings, not dotted keys)" : "");
			yaml_event_delete(&kev);
			return rc;
		}
		rc = seen_before(ld, path, strlen(path), &kev.start_mark);
		yaml_event_delete(&kev);
		if (rc != 0 || next(ld, &vev, path) != 0)
			return -1;
		if (k != NULL)
			rc = load_value(ld, k, &vev);
		else if (vev.type == YAML_MAPPING_START_EVENT)
			rc = load_mapping(ld, path);
		else if (vev.type == YAML_SCALAR_EVENT && is_null(&vev))
			rc = 0;         /* every key of the section commented */
		else {
			children(path, exp, sizeof(exp));
			rc = lfail(ld, &vev.start_mark, path, "got %s, "
			    "expected a mapping of keys, %s", kind_name(&vev),
			    exp);
		}
		yaml_event_delete(&vev);
		if (rc != 0)
			return -1;
	}
}

/* STREAM_START [DOCUMENT_START root DOCUMENT_END] STREAM_END */
static int
load_stream(struct loader *ld)
{
	char exp[256];
	yaml_event_t ev;
	int rc = 0, docs = 0;

	if (next(ld, &ev, NULL) != 0)
		return -1;
	yaml_event_delete(&ev);         /* STREAM_START */
	for (;;) {
		if (next(ld, &ev, NULL) != 0)
			return -1;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_DOCUMENT_START_EVENT || docs++ > 0) {
			rc = lfail(ld, &ev.start_mark, NULL, "a second YAML "
			    "document, expected one document per file");
			yaml_event_delete(&ev);
			return rc;
		}
		yaml_event_delete(&ev);

		if (next(ld, &ev, NULL) != 0)
			return -1;
		if (ev.type == YAML_MAPPING_START_EVENT)
			rc = load_mapping(ld, NULL);
		else if (ev.type != YAML_SCALAR_EVENT || !is_null(&ev)) {
			children(NULL, exp, sizeof(exp));
			rc = lfail(ld, &ev.start_mark, NULL, "the top level is "
			    "%s, expected a mapping of sections, %s",
			    kind_name(&ev), exp);
		}
		yaml_event_delete(&ev);
		if (rc != 0)
			return -1;

		if (next(ld, &ev, NULL) != 0)
			return -1;
		yaml_event_delete(&ev);         /* DOCUMENT_END */
	}
}

/* The whole file, or -1 with a message.  Capped: config is small. */
static int
read_file(const char *path, unsigned char **bufp, size_t *lenp, char *err,
    size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	struct stat st;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot read: is a directory", path);
		close(fd);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			if (cap > CFG_MAX_FILE) {
				snprintf(err, errlen, "%s: larger than %d "
				    "bytes, expected a configuration file",
				    path, CFG_MAX_FILE);
				goto fail;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			buf = gf_xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: cannot read: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > CFG_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d bytes, expected a "
		    "configuration file", path, CFG_MAX_FILE);
		goto fail;
	}
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	close(fd);
	free(buf);
	return -1;
}

/* A deep copy: dst owns its own strings. */
static void
config_copy(struct gf_config *dst, const struct gf_config *src)
{
	size_t i;
	int j;

	*dst = *src;
	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (k->type == K_STRING && *(char **)member(src, k) != NULL)
			*(char **)member(dst, k) =
			    gf_xstrdup(*(char **)member(src, k));
		if ((k->flags & F_GROW) && strv(src, k) != NULL)
			*(char ***)member(dst, k) = gf_xcalloc(
			    grown((size_t)*count(src, k)), sizeof(char *));
		if (k->type == K_STRLIST)
			for (j = 0; j < *count(src, k); j++)
				strv(dst, k)[j] = gf_xstrdup(strv(src, k)[j]);
	}
}

/* ---- the API ----------------------------------------------------------- */

void
gf_config_defaults(struct gf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sensor_id = 0;
	cfg->snaplen = 262144;
	cfg->promisc = 1;
	cfg->buffer_size = 64 * MI;
	cfg->merge_skew = 10 * MS;
	cfg->compression = 1;
	cfg->rotate_interval = 0;
	cfg->rotate_size = 0;
	cfg->status_interval = 5 * SEC;
	cfg->align_intervals = 0;
	cfg->sensor_interval = 0;
	cfg->max_flows = 1000000;
	cfg->key_vlan = 0;
	cfg->key_tunnel = 0;
	cfg->gtpu_port = 2152;
	cfg->vxlan_port = 4789;
	cfg->geneve_port = 6081;
	cfg->gre_udp_port = 4754;
	cfg->teredo_port = 3544;
	cfg->pbb = 1;
	cfg->pppoe = 1;
	cfg->reasm_slots = 64;
	cfg->reasm_timeout = 30 * SEC;
	cfg->timeout_tcp = 300 * SEC;
	cfg->timeout_tcp_closed = 5 * SEC;
	cfg->timeout_udp = 30 * SEC;
	cfg->timeout_icmp = 10 * SEC;
	cfg->timeout_other = 30 * SEC;
	cfg->timeout_tcp_syn = 20 * SEC;
	cfg->timeout_tcp_half_open = 30 * SEC;
	cfg->emergency_high = 90;
	cfg->emergency_low = 75;
	cfg->emergency_timeout = 5 * SEC;
	cfg->handshake_skew = 10 * MS;
	cfg->reorder_window = 3 * MS;
	cfg->simplex_hole_timeout = 5 * SEC;
	cfg->max_holes = 16384;
	cfg->hole_pool = 1u << 20;
	cfg->dup_window = MS;
	cfg->cpu = -1;
	cfg->realtime = 0;
	cfg->ring_size = 65536;
	cfg->ipfix_pen = GF_IPFIX_PEN_DEFAULT;
	cfg->ipfix_mtu = GF_IPFIX_MTU_DEFAULT;
	cfg->ipfix_refresh = GF_IPFIX_REFRESH_DEFAULT;
}

int
gf_config_load(const char *path, struct gf_config *cfg, char *err,
    size_t errlen)
{
	struct loader ld;
	struct gf_config tmp;
	unsigned char *text;
	size_t len;
	int rc;

	if (read_file(path, &text, &len, err, errlen) != 0)
		return -1;
	memset(&ld, 0, sizeof(ld));
	if (!yaml_parser_initialize(&ld.parser)) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(text);
		return -1;
	}
	yaml_parser_set_input_string(&ld.parser, text, len);
	ld.file = path;
	ld.text = text;
	ld.textlen = len;
	ld.err = err;
	ld.errlen = errlen;
	config_copy(&tmp, cfg);
	ld.cfg = &tmp;

	rc = load_stream(&ld);

	yaml_parser_delete(&ld.parser);
	free(text);
	if (rc != 0) {
		gf_config_free(&tmp);
		return -1;
	}
	gf_config_free(cfg);
	*cfg = tmp;
	return 0;
}

void
gf_config_free(struct gf_config *cfg)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (k->type == K_STRING) {
			free(*(char **)member(cfg, k));
			*(char **)member(cfg, k) = NULL;
		} else if (k->type == K_STRLIST) {
			clear_list(cfg, k);
			if (k->flags & F_GROW) {
				free(strv(cfg, k));
				*(char ***)member(cfg, k) = NULL;
			}
		}
	}
}

int
gf_config_set(struct gf_config *cfg, const char *keypath, const char *value,
    char *err, size_t errlen)
{
	char why[CFG_WHYLEN], exp[256], key[CFG_PATHLEN * 4 + 8];
	const struct key *k = lookup(keypath);

	show(key, sizeof(key), keypath, strlen(keypath));
	if (k == NULL) {
		const char *dot = strrchr(keypath, '.');
		char parent[CFG_PATHLEN];
		size_t n = dot != NULL ? (size_t)(dot - keypath) : 0;

		if (n >= sizeof(parent) || section(keypath, n) == NULL)
			n = 0;
		memcpy(parent, keypath, n);
		parent[n] = '\0';
		children(n > 0 ? parent : NULL, exp, sizeof(exp));
		snprintf(err, errlen, "key '%s': unknown key, expected %s", key,
		    exp);
		return -1;
	}
	if (k->type == K_STRLIST || k->type == K_PREFIXLIST) {
		/* NULL empties the list, so flags can replace the file's. */
		if (value == NULL) {
			clear_list(cfg, k);
			return 0;
		}
		if (add_entry(cfg, k, value, strlen(value), *count(cfg, k) + 1,
		    why, sizeof(why)) != 0)
			goto fail;
		return 0;
	}
	if (set_scalar(cfg, k, value != NULL ? value : "",
	    value != NULL ? strlen(value) : 0, value == NULL, why,
	    sizeof(why)) != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "key '%s': %s", key, why);
	return -1;
}

/* A YAML double-quoted string, ASCII only: every other code point is a
 * \u escape, so no byte of the output can be taken for a line break. */
static void
print_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	fputc('"', out);
	while (i < len) {
		if ((n = utf8_next(p + i, len - i, &cp)) == 0) {
			cp = 0xfffd;    /* only via a caller's own bytes */
			n = 1;
		}
		i += n;
		if (cp == '"' || cp == '\\')
			fprintf(out, "\\%c", (int)cp);
		else if (cp == '\n')
			fputs("\\n", out);
		else if (cp == '\t')
			fputs("\\t", out);
		else if (cp >= 0x20 && cp < 0x7f)
			fputc((int)cp, out);
		else if (cp <= 0xffff)
			fprintf(out, "\\u%04" PRIX32, cp);
		else
			fprintf(out, "\\U%08" PRIX32, cp);
	}
	fputc('"', out);
}

static void
print_value(FILE *out, const struct gf_config *cfg, const struct key *k,
    int depth)
{
	const void *m = member(cfg, k);
	char buf[64];
	struct gf_addr a;
	int i, n;

	switch (k->type) {
	case K_UINT:
		fprintf(out, " %" PRIu64 "\n", k->size == sizeof(uint32_t) ?
		    (uint64_t)*(const uint32_t *)m : *(const uint64_t *)m);
		return;
	case K_INT:
		if ((k->flags & F_OFF) && *(const int *)m == k->ilo)
			fprintf(out, " off\n");
		else
			fprintf(out, " %d\n", *(const int *)m);
		return;
	case K_BOOL:
		fprintf(out, " %s\n", *(const int *)m ? "true" : "false");
		return;
	case K_DURATION:
	case K_SIZE:
		if ((k->flags & F_OFF) && *(const uint64_t *)m == 0)
			snprintf(buf, sizeof(buf), "off");
		else if (k->type == K_DURATION)
			fmt_duration(*(const uint64_t *)m, buf, sizeof(buf));
		else
			fmt_size(*(const uint64_t *)m, buf, sizeof(buf));
		fprintf(out, " %s\n", buf);
		return;
	case K_STRING:
	case K_NAME:
		fputc(' ', out);
		print_string(out, k->type == K_NAME ? (const char *)m :
		    *(char *const *)m != NULL ? *(char *const *)m : "");
		fputc('\n', out);
		return;
	case K_STRLIST:
	case K_PREFIXLIST:
		n = *count(cfg, k);
		fprintf(out, "%s\n", n == 0 ? " []" : "");
		for (i = 0; i < n; i++) {
			fprintf(out, "%*s- ", 2 * depth + 2, "");
			if (k->type == K_STRLIST) {
				print_string(out, strv(cfg, k)[i]);
			} else {
				const struct gf_netprefix *p =
				    &((const struct gf_netprefix *)m)[i];
				memset(&a, 0, sizeof(a));
				a.family = p->family;
				memcpy(a.a, p->addr, sizeof(a.a));
				gf_addr_format(&a, buf, sizeof(buf));
				fprintf(out, "\"%s/%d\"", buf, p->bits);
			}
			fputc('\n', out);
		}
		return;
	}
}

void
gf_config_print(const struct gf_config *cfg, FILE *out)
{
	const char *prev = "", *p, *q, *c;
	size_t i, same;
	int depth;

	fprintf(out, "# gapflow %s effective configuration, gapflow.yaml(5)\n",
	    GF_VERSION_STRING);
	for (i = 0; i < NKEYS; i++) {
		/* Open the sections this key does not share with the one
		 * before: the table keeps sections together. */
		p = keys[i].path;
		q = prev;
		same = 0;
		for (;;) {
			size_t a = strcspn(p + same, ".");
			size_t b = strcspn(q + same, ".");

			if (p[same + a] != '.' || a != b ||
			    q[same + b] != '.' ||
			    strncmp(p + same, q + same, a) != 0)
				break;
			same += a + 1;
		}
		for (depth = 0, c = p; c < p + same; c++)
			if (*c == '.')
				depth++;
		for (c = p + same; strchr(c, '.') != NULL; depth++) {
			size_t n = strcspn(c, ".");
			fprintf(out, "%*s%.*s:\n", 2 * depth, "", (int)n, c);
			c += n + 1;
		}
		fprintf(out, "%*s%s:", 2 * depth, "", c);
		print_value(out, cfg, &keys[i], depth);
		prev = p;
	}
}
