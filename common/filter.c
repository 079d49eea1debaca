/*
 * filter.c - the record filter language (see filter.h).
 *
 * Promise: an expression is parsed once, every error reported with the
 * 1-based byte column of the offending token; the result is a flat array
 * of tests, each with a jump for true and one for false (as in nfdump).
 * Matching walks that array without allocating or recursing, and always
 * ends because every jump goes to a lower index or to accept/reject.
 * Filter text is hostile input: it is bounded in length (64 KiB), in
 * word length (127 bytes) and in parenthesis depth (64), and no deeper
 * recursion than that depth is ever made.
 *
 * Grammar (EBNF).  Keywords are lower case; enum values (state, end
 * reason, kind, protocol names) are matched without regard to case.
 *
 *   filter     = [ or-expr ] ;                    (empty: match all)
 *   or-expr    = and-expr { ( "or" | "||" ) and-expr } ;
 *   and-expr   = unary { ( "and" | "&&" ) unary } ;
 *   unary      = { "not" | "!" } ( "(" or-expr ")" | primitive ) ;
 *   primitive  = FIELD op value
 *              | [ dir ] "host" ADDR
 *              | [ dir ] "net" ADDR [ "/" LEN ]
 *              | [ dir ] "port" PORT
 *              | [ dir ] "portrange" PORT "-" PORT
 *              | [ dir ] ADDR [ "/" LEN ]         (as host / net)
 *              | dir NAME op value                (src pkts > 5: spkts)
 *              | dir ( "gap" | "loss" | "ooo" )   (src gap: sgap > 0)
 *              | "tcp" | "udp" | "icmp" | "icmp6"
 *              | "ip" | "ipv4" | "ip6" | "ipv6"
 *              | "proto" ( NUMBER | PROTO-NAME )
 *              | "vlan" [ NUMBER ]
 *              | "state" STATE-NAME
 *              | "end" END-REASON
 *              | "flow" | "sensor" | "status" | "final"
 *              | "simplex" | "gap" | "loss" | "ooo"
 *              | "syn" | "fin" | "rst" | "psh" | "ack" | "urg"
 *              | "ece" | "cwr"
 *              | "timeout" | "idle" | "eof" | "shutdown" ;
 *   dir        = "src" | "dst" ;
 *   op         = "<" | "<=" | "=" | "==" | "!=" | ">=" | ">"
 *              | "lt" | "lte" | "eq" | "ne" | "gte" | "gt" ;
 *   value      = NUMBER [ "K" | "M" | "G" | "T" ] [ "i" ]   (1M = 10^6,
 *                                                   1Mi = 2^20)
 *              | SECONDS       for durations: 0.01, 10ms, 5m, 1h, 1d
 *              | EPOCH         for times: seconds since 1970, e.g.
 *                              1700000000.25
 *              | NAME          for state, end, kind, proto, orient, type
 *              | ADDR [ "/" LEN ]   for saddr/daddr, with = and != only ;
 *
 * Precedence: not binds tightest, then and, then or (argus gives and and
 * or equal precedence; tcpdump and C do not, and neither do we).  Two
 * primitives side by side without and/or are an error.
 *
 * Meaning:
 *   FIELD is any registry name (gapdump --fields), gapflow or argus
 *     spelling.  A name that exists for both record types (pkts, bytes,
 *     dur, stime, ...) is compared against whichever the record has; a
 *     record without the field does not match (sensor fields are false on
 *     flow records, and "!=" does not make them true: use "not").
 *   A word that is both a field and a keyword (gap, loss, ooo, proto,
 *     vlan, state, end) is a comparison when an operator follows it, else
 *     the keyword: "gap" = either direction's gap > 0, "gap > 1000" the
 *     derived field.
 *   host/net/ADDR test saddr or daddr (src/dst: only one).  port and
 *     portrange test sport or dport of TCP, UDP and SCTP flows only, since
 *     ICMP flows keep type and id there.
 *   icmp is protocol 1 or 58; icmp6 is 58 only; tcp 6; udp 17.
 *   ip/ipv4 and ip6/ipv6 test the address family.
 *   vlan N is the outermost VLAN id; vlan alone means any VLAN.
 *   syn fin rst psh ack urg ece cwr: the TCP flag was seen in either
 *     direction.  Reasons a flow ended are "end fin", "end rst", "end
 *     idle" (or "end timeout"), "end reuse", "end eof", "end shutdown",
 *     "end evicted"; timeout, idle, eof and shutdown alone are short for
 *     "end ...".  fin and rst alone are the TCP flags.
 *   loss and ooo alone: retransmitted / out-of-order packets in either
 *     direction.  simplex: only one direction was seen.
 *   flow and sensor select a record type; status and final a flow kind.
 *   An expression that names no record type (flow, sensor, or the field
 *     type) selects records of one type only: FLOW records, or the type
 *     the caller gives (gapdump --loss: SENSOR).  So "dur > 1" lists
 *     flows; "sensor and dur > 1" sensor intervals.  The empty filter
 *     matches every record.
 *   Times compare against epoch seconds or any form gf_time_parse reads
 *     (stime > 2026-11-22T03:18:27Z); ports against numbers or service
 *     names (dst port http, port mdns, dport = https).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netdb.h>

#include "addr.h"
#include "fields.h"
#include "filter.h"
#include "gapflow.h"
#include "names.h"
#include "record.h"
#include "timefmt.h"

#define MAXWORD  127            /* longest word; no valid one is close */
#define WORDBUF  (MAXWORD + 2)  /* room for a "s"/"d" prefix and NUL */

#define ACCEPT  (-1)
#define REJECT  (-2)

/* ---- compiled form ------------------------------------------------------ */

enum { OP_LT, OP_LE, OP_EQ, OP_NE, OP_GE, OP_GT };

enum {
	K_CMP,          /* registry field against a number */
	K_ADDR,         /* address(es) of a flow in a prefix */
	K_PORT,         /* sport/dport of a TCP/UDP/SCTP flow in a range */
	K_FAMILY,       /* flow address family */
	K_RTYPE,        /* record type */
	K_FLGS,         /* any of the GF_F_* bits */
	K_TCPF,         /* any of the TCP flags, either direction */
};

/* The field and value a K_CMP test uses for one record type. */
struct side {
	const struct gf_field *f;       /* NULL: records of this type fail */
	uint8_t dbl;                    /* compare as doubles */
	uint64_t u;
	double d;
};

struct test {
	uint8_t kind;
	uint8_t op;
	uint8_t neg;                    /* K_ADDR: invert, flows only */
	uint8_t noff;
	uint16_t off[2];                /* K_ADDR: gf_addr offsets in gf_flow */
	uint16_t lo, hi;                /* K_PORT range, inclusive */
	uint8_t which;                  /* K_PORT: 1 sport, 2 dport, 3 both */
	uint32_t mask;                  /* K_FLGS, K_TCPF; K_FAMILY, K_RTYPE */
	int bits;                       /* K_ADDR prefix length */
	struct gf_addr addr;            /* K_ADDR prefix, masked */
	struct side side[2];            /* K_CMP: [0] flow, [1] sensor */
};

struct insn {
	struct test t;
	int32_t yes, no;                /* next insn, or ACCEPT / REJECT */
};

struct gf_filter {
	uint16_t only;                  /* the one record type, 0 any */
	int32_t entry;
	uint32_t n, cap;
	struct insn code[];
};

/* ---- parser state --------------------------------------------------------- */

enum { TK_END, TK_WORD, TK_LP, TK_RP, TK_NOT, TK_AND, TK_OR, TK_CMP };

struct tok {
	uint8_t type;
	uint8_t op;                     /* TK_CMP */
	uint32_t off, len;
};

enum { N_LEAF, N_AND, N_OR, N_NOT };

/* Syntax tree: AND/OR nodes hold a list of children linked by 'next',
 * in reverse source order; chains of and/or stay one node, so the tree
 * is only as deep as the parentheses. */
struct node {
	uint8_t type;
	int32_t kid, next;
	struct test t;
};

struct parser {
	const char *s;
	size_t len;
	struct tok *tok;
	size_t ntok, pos;
	struct node *node;
	size_t nnode, capnode, nleaf;
	int depth;
	int failed;
	int names_rtype;                /* flow, sensor or the type field */
	char *err;
	size_t errlen;
};

/* ---- errors ---------------------------------------------------------------- */

static int
perr_at(struct parser *p, int withcol, size_t off, const char *fmt,
    va_list ap)
{
	char msg[320];

	if (p->failed)
		return -1;
	p->failed = 1;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (p->err != NULL && p->errlen > 0) {
		if (withcol)
			snprintf(p->err, p->errlen, "filter: column %zu: %s",
			    off + 1, msg);
		else
			snprintf(p->err, p->errlen, "filter: %s", msg);
	}
	return -1;
}

static int perr(struct parser *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static int
perr(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = perr_at(p, 1, off, fmt, ap);
	va_end(ap);
	return rc;
}

static int perr_nocol(struct parser *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static int
perr_nocol(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = perr_at(p, 0, 0, fmt, ap);
	va_end(ap);
	return rc;
}

/* A token as it may appear in a message: the filter may hold anything,
 * so control and non-ASCII bytes become '?' and long words are cut. */
#define QBUF 48
static const char *
quote(const struct parser *p, const struct tok *t, char *buf)
{
	size_t n = t->len, i;

	if (t->type == TK_END)
		return "end of filter";
	if (n > 32)
		n = 32;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p->s[t->off + i];
		buf[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (n < t->len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* A word token as a C string; the lexer bounds it by MAXWORD. */
static char *
word(const struct parser *p, const struct tok *t, char *buf)
{
	memcpy(buf, p->s + t->off, t->len);
	buf[t->len] = '\0';
	return buf;
}

/* ---- lexer ------------------------------------------------------------------ */

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static int
is_wordch(char c)
{
	return c != '\0' && !is_space(c) && strchr("()!&|<>=", c) == NULL;
}

static const struct {
	const char *w;
	uint8_t type, op;
} lexwords[] = {
	{ "and", TK_AND, 0 }, { "or", TK_OR, 0 }, { "not", TK_NOT, 0 },
	{ "lt", TK_CMP, OP_LT }, { "lte", TK_CMP, OP_LE },
	{ "eq", TK_CMP, OP_EQ }, { "ne", TK_CMP, OP_NE },
	{ "gte", TK_CMP, OP_GE }, { "gt", TK_CMP, OP_GT },
};

static int
lex(struct parser *p)
{
	const char *s = p->s;
	size_t i = 0, n = 0;

	/* Every token takes at least one byte, plus the end token. */
	p->tok = calloc(p->len + 1, sizeof(*p->tok));
	if (p->tok == NULL)
		return perr_nocol(p, "out of memory");
	while (i < p->len) {
		struct tok *t = &p->tok[n];
		char c = s[i];

		if (is_space(c)) {
			i++;
			continue;
		}
		t->off = (uint32_t)i;
		t->len = 1;
		switch (c) {
		case '(':
			t->type = TK_LP;
			break;
		case ')':
			t->type = TK_RP;
			break;
		case '!':
			/* s[i + 1] is at worst the terminating NUL. */
			if (s[i + 1] == '=') {
				t->type = TK_CMP;
				t->op = OP_NE;
				t->len = 2;
			} else
				t->type = TK_NOT;
			break;
		case '&':
		case '|':
			if (s[i + 1] != c)
				return perr(p, i, "unexpected '%c'", c);
			t->type = c == '&' ? TK_AND : TK_OR;
			t->len = 2;
			break;
		case '<':
		case '>':
			t->type = TK_CMP;
			if (s[i + 1] == '=') {
				t->op = c == '<' ? OP_LE : OP_GE;
				t->len = 2;
			} else
				t->op = c == '<' ? OP_LT : OP_GT;
			break;
		case '=':
			t->type = TK_CMP;
			t->op = OP_EQ;
			if (s[i + 1] == '=')
				t->len = 2;
			break;
		default: {
			size_t j = i;

			while (j < p->len && is_wordch(s[j]))
				j++;
			if (j - i > MAXWORD)
				return perr(p, i, "word longer than %d bytes",
				    MAXWORD);
			t->type = TK_WORD;
			t->len = (uint32_t)(j - i);
			for (size_t k = 0; k < sizeof(lexwords) /
			    sizeof(lexwords[0]); k++) {
				if (strlen(lexwords[k].w) == t->len &&
				    memcmp(lexwords[k].w, s + i, t->len) == 0) {
					t->type = lexwords[k].type;
					t->op = lexwords[k].op;
				}
			}
			break;
		}
		}
		i += t->len;
		n++;
	}
	p->tok[n].type = TK_END;
	p->tok[n].off = (uint32_t)p->len;
	p->tok[n].len = 0;
	p->ntok = n + 1;
	return 0;
}

/* The token k places ahead; the end token repeats past the end. */
static const struct tok *
peek(const struct parser *p, size_t k)
{
	size_t i = p->pos + k;
	return &p->tok[i < p->ntok ? i : p->ntok - 1];
}

static const struct tok *
cur(const struct parser *p)
{
	return peek(p, 0);
}

/* ---- tree building ------------------------------------------------------------ */

static int32_t
new_node(struct parser *p, int type)
{
	struct node *nd;

	if (p->nnode == p->capnode) {
		size_t cap = p->capnode ? p->capnode * 2 : 32;
		struct node *v = realloc(p->node, cap * sizeof(*v));
		if (v == NULL)
			return perr_nocol(p, "out of memory");
		p->node = v;
		p->capnode = cap;
	}
	nd = &p->node[p->nnode];
	memset(nd, 0, sizeof(*nd));
	nd->type = (uint8_t)type;
	nd->kid = nd->next = -1;
	return (int32_t)p->nnode++;
}

static int32_t
new_leaf(struct parser *p, const struct test *t)
{
	int32_t n = new_node(p, N_LEAF);

	if (n < 0)
		return -1;
	p->node[n].t = *t;
	p->nleaf++;
	return n;
}

/* Put kid in front of list node l's children. */
static void
add_kid(struct parser *p, int32_t l, int32_t kid)
{
	p->node[kid].next = p->node[l].kid;
	p->node[l].kid = kid;
}

/* ---- values ------------------------------------------------------------------- */

struct num {
	int dbl;
	uint64_t u;
	double d;
};

static int
all_digits(const char *w)
{
	if (*w == '\0')
		return 0;
	for (; *w != '\0'; w++)
		if (*w < '0' || *w > '9')
			return 0;
	return 1;
}

/*
 * A count: digits are read exactly (flow ids and byte counts go past
 * 2^53); anything else must be accepted by gf_size_parse, so that 1M
 * means the same here as everywhere else, and is then re-read as a double
 * because gf_size_parse rounds: "spkts > 2.5" must mean spkts >= 3.
 */
static int
parse_number(const char *w, struct num *v)
{
	uint64_t u;
	double d, mult = 1.0;
	char *end;

	memset(v, 0, sizeof(*v));
	if (all_digits(w)) {
		errno = 0;
		v->u = strtoull(w, NULL, 10);
		v->d = (double)v->u;
		return errno == 0 ? 0 : -1;
	}
	if (gf_size_parse(w, &u) != 0)
		return -1;
	d = strtod(w, &end);
	if (*end != '\0') {
		double base = end[1] == 'i' ? 1024.0 : 1000.0;
		for (const char *q = "KMGT"; *q != '\0'; q++) {
			mult *= base;
			if (*q == *end)
				break;
		}
	}
	d *= mult;
	v->d = d;
	/* gf_size_parse bounds d below 1.8e19, so the cast is defined. */
	if (d == floor(d)) {
		v->u = (uint64_t)d;
		v->d = (double)v->u;
	} else
		v->dbl = 1;
	return 0;
}

/* Seconds since the epoch, to the nanosecond, exactly: a double would
 * lose the last few hundred ns of a current time. */
static int
parse_epoch(const char *w, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	int nd = 0;

	if (*w < '0' || *w > '9')
		return -1;
	for (; *w >= '0' && *w <= '9'; w++) {
		if (sec > UINT64_MAX / GF_NS_PER_SEC)
			return -1;
		sec = sec * 10 + (uint64_t)(*w - '0');
	}
	if (*w == '.') {
		for (w++; *w >= '0' && *w <= '9'; w++) {
			if (++nd > 9)
				return -1;
			frac = frac * 10 + (uint64_t)(*w - '0');
		}
		for (int i = nd; i < 9; i++)
			frac *= 10;
	}
	if (*w != '\0' || sec > (UINT64_MAX - frac) / GF_NS_PER_SEC)
		return -1;
	*ns = sec * GF_NS_PER_SEC + frac;
	return 0;
}

static int
ieq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a, y = *b;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* The name function of an enum-valued presentation, or NULL. */
static const char *(*enum_namer(int show))(int)
{
	switch (show) {
	case GF_SH_STATE: return gf_state_name;
	case GF_SH_KIND: return gf_kind_name;
	case GF_SH_END: return gf_end_name;
	case GF_SH_ORIENT: return gf_orient_name;
	case GF_SH_RTYPE: return gf_rtype_name;
	case GF_SH_PROTO: return gf_proto_name;
	default: return NULL;
	}
}

/* Look a value name up among the names gapdump prints for show, so that
 * what is printed can be typed back.  -1 if none. */
static int
enum_lookup(int show, const char *w)
{
	const char *(*name)(int) = enum_namer(show);

	if (name == NULL)
		return -1;
	if (show == GF_SH_END && ieq(w, "timeout"))
		return GF_END_IDLE;
	for (int i = 0; i < 256; i++) {
		const char *s = name(i);
		if (s != NULL && strcmp(s, "?") != 0 && ieq(s, w))
			return i;
	}
	return -1;
}

/* "(a b c)": the names of show, for messages. */
static const char *
enum_list(int show, char *buf, size_t len)
{
	const char *(*name)(int) = enum_namer(show);
	size_t n = 0;

	buf[0] = '\0';
	if (name == NULL)
		return buf;
	for (int i = 0; i < 256 && n < len; i++) {
		const char *s = name(i);
		if (s == NULL || strcmp(s, "?") == 0 || strcmp(s, "-") == 0)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
		    n == 0 ? " (" : " ", s);
		if (show == GF_SH_END && i == GF_END_IDLE && n < len)
			n += (size_t)snprintf(buf + n, len - n, " timeout");
	}
	if (n > 0 && n < len)
		snprintf(buf + n, len - n, ")");
	return buf;
}

static const char *
enum_what(int show)
{
	switch (show) {
	case GF_SH_STATE: return "a state";
	case GF_SH_KIND: return "a record kind";
	case GF_SH_END: return "an end reason";
	case GF_SH_ORIENT: return "an orientation";
	case GF_SH_RTYPE: return "a record type";
	case GF_SH_PROTO: return "a protocol name or number";
	default: return "a number";
	}
}

static int parse_port(const char *w, uint16_t *port);

static uint64_t
wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * GF_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Parse the value token vt for field f into side s. */
static int
parse_value(struct parser *p, const struct gf_field *f,
    const struct tok *vt, struct side *s)
{
	char w[WORDBUF], q[QBUF], list[200];
	struct num v;
	uint64_t ns;
	uint16_t port;
	int e;

	word(p, vt, w);
	memset(&v, 0, sizeof(v));
	switch (f->show) {
	case GF_SH_DUR:
	case GF_SH_SECS:
		if (gf_duration_parse(w, &ns) != 0)
			return perr(p, vt->off,
			    "'%s' is not a duration in seconds",
			    quote(p, vt, q));
		if (f->show == GF_SH_DUR)
			v.u = ns;
		else {
			v.dbl = 1;
			v.d = (double)ns / 1e9;
		}
		break;
	case GF_SH_TIME:
		if (parse_epoch(w, &v.u) != 0 &&
		    gf_time_parse(w, wall_now(), &v.u, NULL) != 0)
			return perr(p, vt->off,
			    "'%s' is not a time (seconds since the epoch, "
			    "2026-11-22T03:18:27Z, 2026/11/22.03:18:27)",
			    quote(p, vt, q));
		break;
	default:
		if ((e = enum_lookup(f->show, w)) >= 0) {
			v.u = (uint64_t)e;
		} else if (f->show == GF_SH_PORT && !all_digits(w) &&
		    parse_port(w, &port) == 0) {
			v.u = port;
		} else if (parse_number(w, &v) != 0)
			return perr(p, vt->off, "'%s' is not %s%s",
			    quote(p, vt, q), enum_what(f->show),
			    enum_list(f->show, list, sizeof(list)));
		break;
	}
	s->f = f;
	s->dbl = (uint8_t)(v.dbl || f->derive != NULL);
	s->u = v.u;
	s->d = v.dbl ? v.d : (double)v.u;
	return 0;
}

/* A K_CMP test on a flow field with a known value (keyword forms). */
static int32_t
leaf_flow(struct parser *p, const char *name, int op, uint64_t v)
{
	struct test t;

	memset(&t, 0, sizeof(t));
	t.kind = K_CMP;
	t.op = (uint8_t)op;
	t.side[0].f = gf_field_find_type(name, GF_RT_FLOW);
	if (t.side[0].f == NULL)
		return perr_nocol(p, "field '%s' is missing from the registry",
		    name);
	t.side[0].dbl = t.side[0].f->derive != NULL;
	t.side[0].u = v;
	t.side[0].d = (double)v;
	return new_leaf(p, &t);
}

static int32_t
leaf_simple(struct parser *p, int kind, uint32_t mask)
{
	struct test t;

	memset(&t, 0, sizeof(t));
	t.kind = (uint8_t)kind;
	t.mask = mask;
	return new_leaf(p, &t);
}

/* Whether w could only be meant as an address or prefix. */
static int
looks_like_addr(const char *w)
{
	if (strchr(w, '.') == NULL && strchr(w, ':') == NULL)
		return 0;
	for (; *w != '\0'; w++)
		if (strchr("0123456789abcdefABCDEF.:/", *w) == NULL)
			return 0;
	return 1;
}

/*
 * The address argument at token t into a test's addr/bits.  A prefix
 * with bits set past its length is an error, as in tcpdump: it is
 * almost always a typo (10.0.0.1/8 for 10.0.0.0/8 or 10.0.0.1/32).
 */
static int
parse_addr(struct parser *p, const struct tok *t, int prefix_ok,
    const char *after, struct test *out)
{
	char w[WORDBUF], q[QBUF];
	struct gf_addr plain;
	const char *slash;

	if (t->type == TK_END)
		return perr(p, t->off, "unexpected end of filter");
	if (t->type != TK_WORD)
		return perr(p, t->off, "expected an address after '%s'", after);
	word(p, t, w);
	slash = strchr(w, '/');
	if (!prefix_ok || slash == NULL) {
		if ((!prefix_ok && slash != NULL) ||
		    gf_addr_parse(w, &out->addr) != 0)
			return perr(p, t->off, "'%s' is not an IP address%s",
			    quote(p, t, q), prefix_ok ? " or prefix" : "");
		out->bits = out->addr.family == 4 ? 32 : 128;
		return 0;
	}
	if (gf_prefix_parse(w, &out->addr, &out->bits) != 0)
		return perr(p, t->off, "'%s' is not an address prefix",
		    quote(p, t, q));
	w[slash - w] = '\0';
	if (gf_addr_parse(w, &plain) != 0 ||
	    memcmp(plain.a, out->addr.a, sizeof(plain.a)) != 0)
		return perr(p, t->off, "'%s' has bits set beyond /%d",
		    quote(p, t, q), out->bits);
	return 0;
}

/* A port number, or a name from the services database (tcp, else udp;
 * /etc/services): "http", "mdns". */
static int
parse_port(const char *w, uint16_t *port)
{
	unsigned long v = 0;

	if (!all_digits(w)) {
		struct servent *se = getservbyname(w, "tcp");
		if (se == NULL)
			se = getservbyname(w, "udp");
		if (se == NULL)
			return -1;
		*port = ntohs((uint16_t)se->s_port);
		return 0;
	}
	if (strlen(w) > 5)
		return -1;
	v = strtoul(w, NULL, 10);
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* ---- primitives ------------------------------------------------------------------ */

enum {
	KW_PROTO, KW_ICMP, KW_FAMILY, KW_HOST, KW_NET, KW_PORT, KW_PRANGE,
	KW_DIR, KW_PROTOARG, KW_VLAN, KW_STATE, KW_END, KW_FLGS, KW_POS,
	KW_TCPF, KW_ENDR, KW_RTYPE, KW_KIND,
};

static const struct kw {
	const char *w;
	uint8_t what;
	uint32_t arg;
	const char *field;              /* KW_POS */
} kws[] = {
	{ "tcp", KW_PROTO, 6, NULL },
	{ "udp", KW_PROTO, 17, NULL },
	{ "icmp", KW_ICMP, 0, NULL },
	{ "icmp6", KW_PROTO, 58, NULL },
	{ "ip", KW_FAMILY, 4, NULL },
	{ "ipv4", KW_FAMILY, 4, NULL },
	{ "ip6", KW_FAMILY, 6, NULL },
	{ "ipv6", KW_FAMILY, 6, NULL },
	{ "host", KW_HOST, 3, NULL },
	{ "net", KW_NET, 3, NULL },
	{ "port", KW_PORT, 3, NULL },
	{ "portrange", KW_PRANGE, 3, NULL },
	{ "src", KW_DIR, 1, NULL },
	{ "dst", KW_DIR, 2, NULL },
	{ "proto", KW_PROTOARG, 0, NULL },
	{ "vlan", KW_VLAN, 0, NULL },
	{ "state", KW_STATE, 0, NULL },
	{ "end", KW_END, 0, NULL },
	{ "simplex", KW_FLGS, GF_F_SIMPLEX, NULL },
	{ "gap", KW_POS, 0, "gap" },
	{ "loss", KW_POS, 0, "loss" },
	{ "ooo", KW_POS, 0, "ooo" },
	{ "fin", KW_TCPF, 0x01, NULL },
	{ "syn", KW_TCPF, 0x02, NULL },
	{ "rst", KW_TCPF, 0x04, NULL },
	{ "psh", KW_TCPF, 0x08, NULL },
	{ "ack", KW_TCPF, 0x10, NULL },
	{ "urg", KW_TCPF, 0x20, NULL },
	{ "ece", KW_TCPF, 0x40, NULL },
	{ "cwr", KW_TCPF, 0x80, NULL },
	{ "timeout", KW_ENDR, GF_END_IDLE, NULL },
	{ "idle", KW_ENDR, GF_END_IDLE, NULL },
	{ "eof", KW_ENDR, GF_END_EOF, NULL },
	{ "shutdown", KW_ENDR, GF_END_SHUTDOWN, NULL },
	{ "flow", KW_RTYPE, GF_RT_FLOW, NULL },
	{ "sensor", KW_RTYPE, GF_RT_SENSOR, NULL },
	{ "status", KW_KIND, GF_KIND_STATUS, NULL },
	{ "final", KW_KIND, GF_KIND_FINAL, NULL },
};

static const struct kw *
kw_find(const char *w)
{
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (strcmp(kws[i].w, w) == 0)
			return &kws[i];
	return NULL;
}

static int
is_field(const char *w)
{
	return gf_field_find(w) != NULL;
}

/*
 * FIELD op value, the field at the current token.  prefix is "s" or "d"
 * for "src FIELD" / "dst FIELD", else "".
 */
static int32_t
parse_compare(struct parser *p, const char *prefix, const char *dirw)
{
	const struct tok *ft = cur(p), *ot = peek(p, 1), *vt = peek(p, 2);
	char w[WORDBUF], name[WORDBUF + 1], q[QBUF], oq[QBUF];
	struct test t;

	word(p, ft, w);
	snprintf(name, sizeof(name), "%s%s", prefix, w);
	if (strcmp(name, "type") == 0)
		p->names_rtype = 1;
	memset(&t, 0, sizeof(t));
	t.kind = K_CMP;
	t.op = ot->op;
	t.side[0].f = gf_field_find_type(name, GF_RT_FLOW);
	t.side[1].f = gf_field_find_type(name, GF_RT_SENSOR);
	if (t.side[0].f == NULL && t.side[1].f == NULL) {
		if (*prefix != '\0')
			return perr(p, ft->off, "no field '%s%s' for '%s %s'",
			    prefix, quote(p, ft, q), dirw, quote(p, ft, q));
		if (kw_find(w) != NULL)
			return perr(p, ft->off,
			    "'%s' is not a field, it cannot be compared "
			    "with '%s'", w, quote(p, ot, oq));
		return perr(p, ft->off, "unknown word '%s'", quote(p, ft, q));
	}
	if (vt->type == TK_END)
		return perr(p, vt->off, "unexpected end of filter");
	if (vt->type != TK_WORD)
		return perr(p, vt->off, "expected a value after '%s'",
		    quote(p, ot, oq));
	if ((t.side[0].f != NULL && t.side[0].f->type == GF_FT_ADDR) ||
	    (t.side[1].f != NULL && t.side[1].f->type == GF_FT_ADDR)) {
		const struct gf_field *f = t.side[0].f != NULL ?
		    t.side[0].f : t.side[1].f;
		if (t.op != OP_EQ && t.op != OP_NE)
			return perr(p, ft->off, "'%s' is an address, it "
			    "cannot be compared with '%s'", f->name,
			    quote(p, ot, oq));
		/* Addresses live in flow records only (struct gf_flow). */
		if (f->rtype != GF_RT_FLOW)
			return perr(p, ft->off, "'%s' is not a flow field",
			    f->name);
		if (parse_addr(p, vt, 1, f->name, &t) != 0)
			return -1;
		t.kind = K_ADDR;
		t.neg = t.op == OP_NE;
		t.noff = 1;
		t.off[0] = f->offset;
		memset(t.side, 0, sizeof(t.side));
	} else {
		for (int i = 0; i < 2; i++)
			if (t.side[i].f != NULL &&
			    parse_value(p, t.side[i].f, vt, &t.side[i]) != 0)
				return -1;
	}
	p->pos += 3;
	return new_leaf(p, &t);
}

/* host/net/port/portrange at the current token, for directions dir
 * (1 src, 2 dst, 3 either); kwt is the keyword's token. */
static int32_t
parse_addrport(struct parser *p, int what, int dir)
{
	const struct tok *kt = cur(p), *at = peek(p, 1);
	char w[WORDBUF], q[QBUF], kq[QBUF];
	struct test t;

	memset(&t, 0, sizeof(t));
	quote(p, kt, kq);
	if (what == KW_HOST || what == KW_NET) {
		if (parse_addr(p, at, what == KW_NET, kq, &t) != 0)
			return -1;
		t.kind = K_ADDR;
		if (dir & 1)
			t.off[t.noff++] = offsetof(struct gf_flow, saddr);
		if (dir & 2)
			t.off[t.noff++] = offsetof(struct gf_flow, daddr);
		p->pos += 2;
		return new_leaf(p, &t);
	}
	if (at->type == TK_END)
		return perr(p, at->off, "unexpected end of filter");
	if (at->type != TK_WORD)
		return perr(p, at->off, "expected a port after '%s'", kq);
	word(p, at, w);
	t.kind = K_PORT;
	t.which = (uint8_t)dir;
	if (what == KW_PORT) {
		if (parse_port(w, &t.lo) != 0)
			return perr(p, at->off,
			    "'%s' is not a port number (0-65535) or a "
			    "service name (/etc/services)", quote(p, at, q));
		t.hi = t.lo;
	} else {
		char *dash = strchr(w, '-');
		if (dash != NULL)
			*dash = '\0';
		if (dash == NULL || parse_port(w, &t.lo) != 0 ||
		    parse_port(dash + 1, &t.hi) != 0 || t.lo > t.hi)
			return perr(p, at->off, "'%s' is not a port range "
			    "(low-high, 0-65535)", quote(p, at, q));
	}
	p->pos += 2;
	return new_leaf(p, &t);
}

/* A bare address or prefix: host or net. */
static int32_t
parse_bare_addr(struct parser *p, int dir)
{
	const struct tok *t = cur(p);
	struct test te;

	memset(&te, 0, sizeof(te));
	if (parse_addr(p, t, 1, "", &te) != 0)
		return -1;
	te.kind = K_ADDR;
	if (dir & 1)
		te.off[te.noff++] = offsetof(struct gf_flow, saddr);
	if (dir & 2)
		te.off[te.noff++] = offsetof(struct gf_flow, daddr);
	p->pos++;
	return new_leaf(p, &te);
}

/* "src ..." / "dst ...", at the src/dst token. */
static int32_t
parse_dir(struct parser *p, int dir)
{
	const struct tok *t = peek(p, 1);
	const char *dirw = dir == 1 ? "src" : "dst";
	const char *prefix = dir == 1 ? "s" : "d";
	char w[WORDBUF], name[WORDBUF + 1];
	const struct kw *k;

	if (t->type == TK_END)
		return perr(p, t->off, "unexpected end of filter");
	if (t->type != TK_WORD)
		goto bad;
	word(p, t, w);
	p->pos++;
	k = kw_find(w);
	if (peek(p, 1)->type == TK_CMP)
		return parse_compare(p, prefix, dirw);
	if (k != NULL && (k->what == KW_HOST || k->what == KW_NET ||
	    k->what == KW_PORT || k->what == KW_PRANGE))
		return parse_addrport(p, k->what, dir);
	if (k != NULL && k->what == KW_POS) {
		snprintf(name, sizeof(name), "%s%s", prefix, k->field);
		p->pos++;
		return leaf_flow(p, name, OP_GT, 0);
	}
	if (looks_like_addr(w))
		return parse_bare_addr(p, dir);
	snprintf(name, sizeof(name), "%s%s", prefix, w);
	if (gf_field_find(name) != NULL)
		return perr(p, peek(p, 1)->off,
		    "expected a comparison operator after '%s %s'", dirw, w);
bad:
	return perr(p, t->off, "expected host, net, port, portrange, "
	    "an address or a field after '%s'", dirw);
}

/* proto / state / end: a required enum argument compared for equality. */
static int32_t
parse_enum_arg(struct parser *p, const char *field, int show)
{
	const struct tok *kt = cur(p), *at = peek(p, 1);
	char w[WORDBUF], q[QBUF], kq[QBUF], list[200];
	int v;

	if (at->type == TK_END)
		return perr(p, at->off, "unexpected end of filter");
	if (at->type != TK_WORD)
		return perr(p, at->off, "expected %s after '%s'",
		    enum_what(show), quote(p, kt, kq));
	word(p, at, w);
	v = enum_lookup(show, w);
	if (v < 0 && all_digits(w) && strlen(w) <= 3 &&
	    strtoul(w, NULL, 10) <= 255)
		v = (int)strtoul(w, NULL, 10);
	if (v < 0) {
		if (show == GF_SH_PROTO)
			return perr(p, at->off, "'%s' is not a protocol name "
			    "or number (0-255)", quote(p, at, q));
		return perr(p, at->off, "'%s' is not %s%s", quote(p, at, q),
		    enum_what(show), enum_list(show, list, sizeof(list)));
	}
	p->pos += 2;
	return leaf_flow(p, field, OP_EQ, (uint64_t)v);
}

static int32_t
parse_keyword(struct parser *p, const struct kw *k)
{
	const struct tok *at;
	char w[WORDBUF], q[QBUF];
	int32_t a, b, o;

	switch (k->what) {
	case KW_PROTO:
		p->pos++;
		return leaf_flow(p, "proto", OP_EQ, k->arg);
	case KW_ICMP:
		p->pos++;
		if ((o = new_node(p, N_OR)) < 0 ||
		    (a = leaf_flow(p, "proto", OP_EQ, 1)) < 0 ||
		    (b = leaf_flow(p, "proto", OP_EQ, 58)) < 0)
			return -1;
		add_kid(p, o, a);
		add_kid(p, o, b);
		return o;
	case KW_FAMILY:
		p->pos++;
		return leaf_simple(p, K_FAMILY, k->arg);
	case KW_HOST:
	case KW_NET:
	case KW_PORT:
	case KW_PRANGE:
		return parse_addrport(p, k->what, (int)k->arg);
	case KW_DIR:
		return parse_dir(p, (int)k->arg);
	case KW_PROTOARG:
		return parse_enum_arg(p, "proto", GF_SH_PROTO);
	case KW_STATE:
		return parse_enum_arg(p, "state", GF_SH_STATE);
	case KW_END:
		return parse_enum_arg(p, "end", GF_SH_END);
	case KW_VLAN:
		at = peek(p, 1);
		if (at->type != TK_WORD) {
			/* "vlan" alone: tagged at all */
			p->pos++;
			return leaf_flow(p, "vlan", OP_NE, 0);
		}
		word(p, at, w);
		if (!all_digits(w) || strlen(w) > 4 ||
		    strtoul(w, NULL, 10) > 4095)
			return perr(p, at->off,
			    "'%s' is not a VLAN id (0-4095)", quote(p, at, q));
		p->pos += 2;
		return leaf_flow(p, "vlan", OP_EQ, strtoul(w, NULL, 10));
	case KW_FLGS:
		p->pos++;
		return leaf_simple(p, K_FLGS, k->arg);
	case KW_POS:
		p->pos++;
		return leaf_flow(p, k->field, OP_GT, 0);
	case KW_TCPF:
		p->pos++;
		return leaf_simple(p, K_TCPF, k->arg);
	case KW_ENDR:
		p->pos++;
		return leaf_flow(p, "end", OP_EQ, k->arg);
	case KW_RTYPE:
		p->pos++;
		p->names_rtype = 1;
		return leaf_simple(p, K_RTYPE, k->arg);
	case KW_KIND:
		p->pos++;
		return leaf_flow(p, "kind", OP_EQ, k->arg);
	}
	return perr_nocol(p, "internal error: keyword '%s'", k->w);
}

static int32_t
parse_primitive(struct parser *p)
{
	const struct tok *t = cur(p), *nt = peek(p, 1);
	char w[WORDBUF], q[QBUF];
	const struct kw *k;

	word(p, t, w);
	k = kw_find(w);
	/* A field name followed by an operator is always a comparison,
	 * which is how "gap > 0" differs from "gap".  src/dst take a field
	 * after them, and say so better themselves. */
	if (nt->type == TK_CMP && (k == NULL || k->what != KW_DIR))
		return parse_compare(p, "", NULL);
	if (k != NULL)
		return parse_keyword(p, k);
	if (is_field(w))
		return perr(p, nt->off,
		    "expected a comparison operator after '%s'", w);
	if (looks_like_addr(w))
		return parse_bare_addr(p, 3);
	return perr(p, t->off, "unknown word '%s'", quote(p, t, q));
}

/* ---- expressions ---------------------------------------------------------- */

static int32_t parse_or(struct parser *);

/* What follows a complete operand when neither and/or nor the expected
 * end came: name the problem as precisely as possible. */
static int
trailing(struct parser *p, int in_paren)
{
	const struct tok *t = cur(p);
	char q[QBUF];

	switch (t->type) {
	case TK_END:
		return perr(p, t->off, in_paren ? "expected ')'" :
		    "unexpected end of filter");
	case TK_RP:
		return perr(p, t->off, "unexpected ')'");
	case TK_WORD:
	case TK_LP:
	case TK_NOT:
		return perr(p, t->off, "expected 'and' or 'or' before '%s'",
		    quote(p, t, q));
	default:
		return perr(p, t->off, "unexpected '%s'", quote(p, t, q));
	}
}

static int32_t
parse_unary(struct parser *p)
{
	const struct tok *t;
	char q[QBUF];
	int neg = 0;
	int32_t n, x;

	/* Negations are folded iteratively: "not not ... x" is x or not x,
	 * however long the chain. */
	while (cur(p)->type == TK_NOT) {
		neg ^= 1;
		p->pos++;
	}
	t = cur(p);
	switch (t->type) {
	case TK_LP:
		if (++p->depth > GF_FILTER_MAX_DEPTH)
			return perr(p, t->off, "nesting deeper than %d",
			    GF_FILTER_MAX_DEPTH);
		p->pos++;
		if ((n = parse_or(p)) < 0)
			return -1;
		if (cur(p)->type != TK_RP)
			return trailing(p, 1);
		p->pos++;
		p->depth--;
		break;
	case TK_WORD:
		if ((n = parse_primitive(p)) < 0)
			return -1;
		break;
	case TK_END:
		return perr(p, t->off, "unexpected end of filter");
	default:
		return perr(p, t->off, "unexpected '%s'", quote(p, t, q));
	}
	if (!neg)
		return n;
	if ((x = new_node(p, N_NOT)) < 0)
		return -1;
	p->node[x].kid = n;
	return x;
}

/* and-expr or or-expr: one list node for a whole chain. */
static int32_t
parse_chain(struct parser *p, int optok, int ntype,
    int32_t (*sub)(struct parser *))
{
	int32_t first, l, k;

	if ((first = sub(p)) < 0)
		return -1;
	if (cur(p)->type != optok)
		return first;
	if ((l = new_node(p, ntype)) < 0)
		return -1;
	add_kid(p, l, first);
	while (cur(p)->type == optok) {
		p->pos++;
		if ((k = sub(p)) < 0)
			return -1;
		add_kid(p, l, k);
	}
	return l;
}

static int32_t
parse_and(struct parser *p)
{
	return parse_chain(p, TK_AND, N_AND, parse_unary);
}

static int32_t
parse_or(struct parser *p)
{
	return parse_chain(p, TK_OR, N_OR, parse_and);
}

/* ---- code generation -------------------------------------------------------- */

/*
 * Emit node n so that it continues at yes when true and at no when
 * false; returns its entry.  Code is emitted after its targets, so all
 * jumps go backwards.  Recursion follows the tree, whose depth is bounded
 * by the parenthesis limit.
 */
static int32_t
gen(const struct parser *p, struct gf_filter *f, int32_t n, int32_t yes,
    int32_t no)
{
	const struct node *nd = &p->node[n];
	int32_t k, e;

	switch (nd->type) {
	case N_LEAF:
		if (f->n >= f->cap)
			return REJECT;  /* cannot happen: cap counts leaves */
		f->code[f->n].t = nd->t;
		f->code[f->n].yes = yes;
		f->code[f->n].no = no;
		return (int32_t)f->n++;
	case N_NOT:
		return gen(p, f, nd->kid, no, yes);
	case N_AND:
		/* Children are listed last first: emit the last one first. */
		e = yes;
		for (k = nd->kid; k >= 0; k = p->node[k].next)
			e = gen(p, f, k, e, no);
		return e;
	case N_OR:
		e = no;
		for (k = nd->kid; k >= 0; k = p->node[k].next)
			e = gen(p, f, k, yes, e);
		return e;
	}
	return REJECT;
}

struct gf_filter *
gf_filter_compile(const char *expr, char *err, size_t errlen)
{
	return gf_filter_compile_type(expr, GF_RT_FLOW, err, errlen);
}

struct gf_filter *
gf_filter_compile_type(const char *expr, uint16_t deftype, char *err,
    size_t errlen)
{
	struct parser p;
	struct gf_filter *f = NULL;
	int32_t root;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	p.s = expr != NULL ? expr : "";
	p.len = strnlen(p.s, GF_FILTER_MAX_LEN + 1);
	if (p.len > GF_FILTER_MAX_LEN) {
		perr_nocol(&p, "expression longer than %d bytes",
		    GF_FILTER_MAX_LEN);
		return NULL;
	}
	if (lex(&p) != 0)
		goto out;
	if (p.tok[0].type == TK_END) {
		root = -1;
	} else {
		if ((root = parse_or(&p)) < 0)
			goto out;
		if (cur(&p)->type != TK_END) {
			trailing(&p, 0);
			goto out;
		}
	}
	f = calloc(1, sizeof(*f) + p.nleaf * sizeof(f->code[0]));
	if (f == NULL) {
		perr_nocol(&p, "out of memory");
		goto out;
	}
	f->cap = (uint32_t)p.nleaf;
	f->entry = root < 0 ? ACCEPT : gen(&p, f, root, ACCEPT, REJECT);
	/* an expression that names no record type is about deftype */
	f->only = root < 0 || p.names_rtype ? 0 : deftype;
out:
	free(p.tok);
	free(p.node);
	return f;
}

void
gf_filter_free(struct gf_filter *f)
{
	free(f);
}

/* ---- matching -------------------------------------------------------------- */

static int
cmp_u64(int op, uint64_t a, uint64_t b)
{
	switch (op) {
	case OP_LT: return a < b;
	case OP_LE: return a <= b;
	case OP_EQ: return a == b;
	case OP_NE: return a != b;
	case OP_GE: return a >= b;
	default: return a > b;
	}
}

static int
cmp_dbl(int op, double a, double b)
{
	switch (op) {
	case OP_LT: return a < b;
	case OP_LE: return a <= b;
	case OP_EQ: return a == b;
	case OP_NE: return a != b;
	case OP_GE: return a >= b;
	default: return a > b;
	}
}

static int
test(const struct test *t, const struct gf_record *r)
{
	const struct gf_flow *fl = &r->u.flow;
	const struct side *s;
	int hit = 0;

	if (t->kind == K_RTYPE)
		return r->type == t->mask;
	if (t->kind == K_CMP) {
		if (r->type == GF_RT_FLOW)
			s = &t->side[0];
		else if (r->type == GF_RT_SENSOR)
			s = &t->side[1];
		else
			return 0;
		if (s->f == NULL)
			return 0;
		if (s->f->derive != NULL)
			return cmp_dbl(t->op, s->f->derive(r), s->d);
		if (s->dbl)
			return cmp_dbl(t->op, (double)gf_field_u64(s->f, r),
			    s->d);
		return cmp_u64(t->op, gf_field_u64(s->f, r), s->u);
	}
	/* The rest test flow records only. */
	if (r->type != GF_RT_FLOW)
		return 0;
	switch (t->kind) {
	case K_ADDR:
		for (int i = 0; i < t->noff; i++) {
			const struct gf_addr *a = (const struct gf_addr *)
			    ((const unsigned char *)fl + t->off[i]);
			if (gf_addr_in_prefix(a, &t->addr, t->bits))
				hit = 1;
		}
		return hit ^ t->neg;
	case K_PORT:
		if (fl->proto != 6 && fl->proto != 17 && fl->proto != 132)
			return 0;
		return ((t->which & 1) && fl->sport >= t->lo &&
		    fl->sport <= t->hi) ||
		    ((t->which & 2) && fl->dport >= t->lo &&
		    fl->dport <= t->hi);
	case K_FAMILY:
		return fl->saddr.family == t->mask;
	case K_FLGS:
		return (fl->flgs & t->mask) != 0;
	case K_TCPF:
		return ((fl->src.flags | fl->dst.flags) & t->mask) != 0;
	}
	return 0;
}

int
gf_filter_match(const struct gf_filter *f, const struct gf_record *r)
{
	int32_t i;

	if (f == NULL)
		return 1;
	if (f->only != 0 && r->type != f->only)
		return 0;
	/* Jumps only go to lower indices, so this ends within n steps. */
	for (i = f->entry; i >= 0; )
		i = test(&f->code[i].t, r) ? f->code[i].yes : f->code[i].no;
	return i == ACCEPT;
}
