/*
 * output.c - text, CSV and JSON record printers (see output.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapflow.h"
#include "log.h"
#include "output.h"
#include "timefmt.h"

static const char *const default_flow[] = {
	"stime", "dur", "proto", "saddr", "sport", "dir", "daddr", "dport",
	"spkts", "dpkts", "sbytes", "dbytes", "state", "sgap", "dgap",
	"sloss", "dloss", "flgs", NULL,
};

static const char *const default_sensor[] = {
	"stime", "dur", "pkts", "kdrops", "ifdrops", "ackev", "gapev",
	"ackbytes", "gapbytes", "lossbytes_pct", "lossev_pct", "flows",
	"records", NULL,
};

static void
list_defaults(struct out_list *l, const char *const *names, uint16_t rtype)
{
	l->n = 0;
	for (int i = 0; names[i] != NULL && l->n < OUT_MAX_FIELDS; i++) {
		const struct gf_field *f = gf_field_find_type(names[i], rtype);
		if (f == NULL)
			continue;
		l->col[l->n].f = f;
		l->col[l->n].width = f->width;
		l->n++;
	}
}

void
output_init(struct output *o, FILE *fp)
{
	memset(o, 0, sizeof(*o));
	o->fp = fp;
	o->fmt = OUT_TEXT;
	o->delim = ',';
	o->header = 1;
	list_defaults(&o->list[GF_RT_FLOW], default_flow, GF_RT_FLOW);
	list_defaults(&o->list[GF_RT_SENSOR], default_sensor, GF_RT_SENSOR);
}

static int
list_find(const struct out_list *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->col[i].f->name, name) == 0 ||
		    (l->col[i].f->argus && strcmp(l->col[i].f->argus, name) == 0))
			return i;
	return -1;
}

static void
list_remove(struct out_list *l, int i)
{
	memmove(&l->col[i], &l->col[i + 1],
	    (size_t)(l->n - i - 1) * sizeof(l->col[0]));
	l->n--;
}

/* Apply one token to the list of record type rtype; 1 if the field
 * exists for that type, 0 if not, -1 on a bad width. */
static int
apply_token(struct out_list *l, uint16_t rtype, char op, const char *name,
    int width)
{
	const struct gf_field *f = gf_field_find_type(name, rtype);
	int i;
	if (f == NULL)
		return 0;
	i = list_find(l, f->name);
	if (op == '-') {
		if (i >= 0)
			list_remove(l, i);
		return 1;
	}
	if (i >= 0) {
		if (width > 0)
			l->col[i].width = width;
		return 1;
	}
	if (l->n >= OUT_MAX_FIELDS)
		return 1;
	l->col[l->n].f = f;
	l->col[l->n].width = width > 0 ? width : f->width;
	l->n++;
	return 1;
}

void
out_replace_flow(struct output *o, const char *spec)
{
	char *copy = gf_xstrdup(spec), *save = NULL, *tok;
	struct out_list *l = &o->list[GF_RT_FLOW];

	l->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		apply_token(l, GF_RT_FLOW, '+', tok, 0);
	free(copy);
}

int
output_select(struct output *o, const char *spec, char *err, size_t errlen)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	int rc = 0;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		char op = 0, *colon;
		int width = 0, found = 0;
		if (*tok == '+' || *tok == '-')
			op = *tok++;
		colon = strchr(tok, ':');
		if (colon != NULL) {
			char *end;
			long w = strtol(colon + 1, &end, 10);
			if (colon[1] == '\0' || *end != '\0' || w < 1 || w > 200) {
				snprintf(err, errlen, "option -s: bad width in "
				    "'%s' (want NAME:1..200)", tok);
				rc = -1;
				break;
			}
			*colon = '\0';
			width = (int)w;
		}
		if (op == 0 && !o->replaced) {
			/* a plain list replaces the default columns */
			o->list[GF_RT_FLOW].n = 0;
			o->list[GF_RT_SENSOR].n = 0;
			o->replaced = 1;
		}
		for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++)
			found |= apply_token(&o->list[t], t, op ? op : '+',
			    tok, width);
		if (!found) {
			snprintf(err, errlen, "option -s: unknown field '%s' "
			    "(gapdump --fields lists them)", tok);
			rc = -1;
			break;
		}
	}
	free(copy);
	return rc;
}

static int
is_number_shown(const struct gf_field *f)
{
	switch (f->show) {
	case GF_SH_NUM: case GF_SH_DUR: case GF_SH_SECS: case GF_SH_FLOAT:
	case GF_SH_PORT:
		return 1;
	default:
		return 0;
	}
}

/* ---- the row buffer ----------------------------------------------------- */

static void
line_flush(struct output *o)
{
	if (o->linelen > 0)
		fwrite(o->line, 1, o->linelen, o->fp);
	o->linelen = 0;
}

/* Room for n more bytes (n <= OUT_LINE_CAP). */
static char *
line_room(struct output *o, size_t n)
{
	if (o->linelen + n > sizeof(o->line))
		line_flush(o);
	return o->line + o->linelen;
}

static void
line_put(struct output *o, const char *s, size_t n)
{
	memcpy(line_room(o, n), s, n);
	o->linelen += n;
}

static void
line_char(struct output *o, char c)
{
	*line_room(o, 1) = c;
	o->linelen++;
}

/* ---- values ------------------------------------------------------------- */

/* Decimal digits of v into buf, terminated; returns the length.  The
 * length is found first, so the digits go straight to their places, two
 * at a time. */
static size_t
put_u64(char *buf, uint64_t v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324"
	    "25262728293031323334353637383940414243444546474849"
	    "50515253545556575859606162636465666768697071727374"
	    "75767778798081828384858687888990919293949596979899";
	size_t len = 1;
	uint64_t p = 10;
	char *q;

	while (len < 20 && v >= p) {    /* 10^20 wraps, but is not used */
		len++;
		p *= 10;
	}
	q = buf + len;
	*q = '\0';
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;
		v /= 100;
		q -= 2;
		q[0] = pairs[d];
		q[1] = pairs[d + 1];
	}
	if (v >= 10) {
		q[-2] = pairs[v * 2];
		q[-1] = pairs[v * 2 + 1];
	} else {
		q[-1] = (char)('0' + v);
	}
	return len;
}

/*
 * Seconds with six decimals, as printf("%.6f", d) writes them, or 0 when
 * the fast way might round differently: printf rounds the exact binary
 * value of d, llround() the product d * 1e6, which is off by at most an
 * ulp, so values within that distance of a half microsecond (and huge
 * ones) go the slow way.
 */
static size_t
put_secs(char *buf, double d)
{
	double x = d * 1e6, frac;
	uint64_t us;
	size_t n;

	if (!(x >= 0 && x < 1e15))
		return 0;
	frac = x - floor(x);
	if (fabs(frac - 0.5) <= x * 4e-16 + 1e-9)
		return 0;
	us = (uint64_t)llround(x);
	n = put_u64(buf, us / 1000000);
	buf[n++] = '.';
	for (int i = 5; i >= 0; i--) {
		buf[n + (size_t)i] = (char)('0' + us % 10);
		us /= 10;
	}
	n += 6;
	buf[n] = '\0';
	return n;
}

static size_t
put_ipv4(char *buf, const uint8_t *a)
{
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			buf[n++] = '.';
		n += put_u64(buf + n, a[i]);
	}
	return n;
}

/*
 * A time as gf_time_format() writes it.  Whatever the time mode, its text
 * has the microseconds as the six digits after the first '.', so the
 * text of a second is kept and only those digits change.
 */
static size_t
put_time(struct output *o, uint64_t ns, char *buf)
{
	uint64_t sec = ns / GF_NS_PER_SEC;
	uint64_t us = ns % GF_NS_PER_SEC / 1000;
	struct out_time *t = &o->tcache[sec % OUT_TIME_SLOTS];

	if (!t->valid || sec != t->sec) {
		char *dot;
		int n = gf_time_format(sec * GF_NS_PER_SEC, t->buf,
		    sizeof(t->buf));
		dot = strchr(t->buf, '.');
		if (n <= 0 || (size_t)n >= sizeof(t->buf) || dot == NULL ||
		    strlen(dot + 1) < 6) {
			t->valid = 0;
			return (size_t)gf_time_format(ns, buf, OUT_VALUE_MAX);
		}
		t->valid = 1;
		t->sec = sec;
		t->len = (size_t)n;
		t->frac = (int)(dot + 1 - t->buf);
	}
	memcpy(buf, t->buf, t->len + 1);
	for (int i = 5; i >= 0; i--) {
		buf[t->frac + i] = (char)('0' + us % 10);
		us /= 10;
	}
	return t->len;
}

/* Format a field's value into buf (OUT_VALUE_MAX bytes); the length. */
static size_t
format_value(struct output *o, const struct gf_field *f,
    const struct gf_record *r, char *buf)
{
	if (f->rtype != r->type) {
		buf[0] = '\0';
		return 0;
	}
	if (f->type == GF_FT_ADDR) {
		const struct gf_addr *a = (const struct gf_addr *)
		    ((const unsigned char *)gf_record_body(r) + f->offset);
		if (a->family == 4)
			return put_ipv4(buf, a->a);
	} else if (f->derive != NULL) {
		double d;
		if (f->show != GF_SH_SECS && f->show != GF_SH_FLOAT)
			goto slow;
		d = f->derive(r);
		if (!(d >= 0 && d < 1e15))
			goto slow;
		if (f->show == GF_SH_SECS) {
			size_t n = put_secs(buf, d);
			if (n > 0)
				return n;
			goto slow;
		}
		if (d == (double)(uint64_t)d)
			return put_u64(buf, (uint64_t)d);
	} else {
		uint64_t v;
		switch (f->show) {
		case GF_SH_NUM:
		case GF_SH_PORT:
			return put_u64(buf, gf_field_u64(f, r));
		case GF_SH_TIME:
			return put_time(o, gf_field_u64(f, r), buf);
		case GF_SH_DUR:
			v = put_secs(buf, (double)gf_field_u64(f, r) / 1e9);
			if (v > 0)
				return v;
			break;
		default:
			break;
		}
	}
slow:
	return (size_t)gf_field_format(f, r, o->numeric, buf, OUT_VALUE_MAX);
}

/* ---- text --------------------------------------------------------------- */

/*
 * Where column i's value goes: the line buffer, after the blank that
 * separates it from the previous column, with room for vmax bytes of
 * value, the column's padding and TEXT_SLACK bytes that text_cell_end
 * may write past the cell.
 */
#define TEXT_SLACK 32
static char *
text_cell_start(struct output *o, const struct out_list *l, int i,
    size_t vmax)
{
	char *p = line_room(o, 1 + (size_t)l->col[i].width + vmax +
	    TEXT_SLACK);

	if (i > 0) {
		*p++ = ' ';
		o->linelen++;
	}
	return p;
}

/* Blanks over p[0, n) in words of 8: up to 7 more bytes are written, in
 * a cell's room (text_cell_start), past what the cell keeps. */
static void
blanks(char *p, size_t n)
{
	for (size_t k = 0; k < n; k += 8)
		memcpy(p + k, "        ", 8);
}

/* Column i's value, n bytes at p (text_cell_start), aligned in the
 * column: numbers to the right, the rest to the left (the last column
 * unpadded); the cell joins the line.  Short values move as one fixed
 * 32-byte block, within the cell's room. */
static void
text_cell_end(struct output *o, const struct out_list *l, int i, char *p,
    size_t n)
{
	const struct out_column *c = &l->col[i];
	size_t w = (size_t)c->width, pad = n < w ? w - n : 0;

	if (pad > 0 && is_number_shown(c->f)) {
		char v[32];
		if (n <= sizeof(v)) {
			memcpy(v, p, sizeof(v));
			blanks(p, pad);
			memcpy(p + pad, v, sizeof(v));
		} else {
			memmove(p + pad, p, n);
			memset(p, ' ', pad);
		}
		n = w;
	} else if (pad > 0 && i < l->n - 1) {
		blanks(p + n, pad);
		n = w;
	}
	o->linelen += n;
}

static void
print_text_header(struct output *o, const struct out_list *l)
{
	for (int i = 0; i < l->n; i++) {
		const char *name = l->col[i].f->name;
		size_t n = strlen(name);
		char *p = text_cell_start(o, l, i, n);
		memcpy(p, name, n);
		text_cell_end(o, l, i, p, n);
	}
	line_char(o, '\n');
}

/* Each value is formatted in its place in the line buffer. */
static void
print_text(struct output *o, const struct out_list *l,
    const struct gf_record *r)
{
	for (int i = 0; i < l->n; i++) {
		char *p = text_cell_start(o, l, i, OUT_VALUE_MAX);
		text_cell_end(o, l, i, p, format_value(o, l->col[i].f, r, p));
	}
	line_char(o, '\n');
}

/* ---- CSV ---------------------------------------------------------------- */

static void
csv_cell(struct output *o, const char *s, size_t n)
{
	if (memchr(s, o->delim, n) == NULL && memchr(s, '"', n) == NULL &&
	    memchr(s, '\n', n) == NULL) {
		line_put(o, s, n);
		return;
	}
	line_char(o, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			line_char(o, '"');
		line_char(o, s[i]);
	}
	line_char(o, '"');
}

static void
print_csv(struct output *o, const struct out_list *l,
    const struct gf_record *r, int header)
{
	char buf[OUT_VALUE_MAX];
	for (int i = 0; i < l->n; i++) {
		if (i > 0)
			line_char(o, o->delim);
		if (header) {
			csv_cell(o, l->col[i].f->name,
			    strlen(l->col[i].f->name));
		} else {
			size_t n = format_value(o, l->col[i].f, r, buf);
			csv_cell(o, buf, n);
		}
	}
	line_char(o, '\n');
}

/* ---- JSON --------------------------------------------------------------- */

static void
json_string(struct output *o, const char *s)
{
	line_char(o, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			line_char(o, '\\');
			line_char(o, (char)ch);
		} else if (ch < 0x20) {
			char esc[8];
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			line_put(o, esc, 6);
		} else {
			line_char(o, (char)ch);
		}
	}
	line_char(o, '"');
}

/* A value is a JSON number when the registry says it is numeric and the
 * formatted text is a plain decimal number. */
static int
json_is_number(const struct gf_field *f, const char *s)
{
	char *end;
	if (f->type == GF_FT_ADDR || *s == '\0')
		return 0;
	if (!is_number_shown(f) && f->show != GF_SH_TIME &&
	    f->show != GF_SH_PROTO && f->show != GF_SH_STATE &&
	    f->show != GF_SH_KIND && f->show != GF_SH_END &&
	    f->show != GF_SH_ORIENT && f->show != GF_SH_FLGS &&
	    f->show != GF_SH_ENCAPS)
		return 0;
	if (*s == '-' || *s == '+' || *s == '.')
		return 0;
	strtod(s, &end);
	return *end == '\0';
}

static void
print_json(struct output *o, const struct out_list *l,
    const struct gf_record *r)
{
	char buf[OUT_VALUE_MAX];
	line_put(o, "{\"type\":", 8);
	json_string(o, r->type == GF_RT_SENSOR ? "sensor" : "flow");
	for (int i = 0; i < l->n; i++) {
		const struct gf_field *f = l->col[i].f;
		size_t n;
		if (strcmp(f->name, "type") == 0)
			continue;
		n = format_value(o, f, r, buf);
		line_char(o, ',');
		json_string(o, f->name);
		line_char(o, ':');
		if (json_is_number(f, buf))
			line_put(o, buf, n);
		else
			json_string(o, buf);
	}
	line_put(o, "}\n", 2);
}

void
output_record(struct output *o, const struct gf_record *r)
{
	const struct out_list *l;
	int newtype;

	if (r->type != GF_RT_FLOW && r->type != GF_RT_SENSOR)
		return;
	l = &o->list[r->type];
	newtype = o->last_type != r->type;
	o->last_type = r->type;
	switch (o->fmt) {
	case OUT_TEXT:
	case OUT_ZEEK:          /* refused without --loss */
		if (newtype && o->header)
			print_text_header(o, l);
		print_text(o, l, r);
		break;
	case OUT_CSV:
		if (newtype && o->header)
			print_csv(o, l, r, 1);
		print_csv(o, l, r, 0);
		break;
	case OUT_JSON:
		print_json(o, l, r);
		break;
	}
	/* rows are whole in the stream when the next stage looks */
	if (o->linelen > sizeof(o->line) / 2)
		line_flush(o);
}

void
output_flush(struct output *o)
{
	line_flush(o);
}

void
output_list_fields(FILE *fp)
{
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		fprintf(fp, "%-7s %-14s %-8s %s\n",
		    f->rtype == GF_RT_SENSOR ? "sensor" : "flow", f->name,
		    f->wire ? "" : "derived", f->desc);
	}
}
