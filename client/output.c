/*
 * output.c - text, CSV and JSON record printers (see output.h).
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

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

static void
print_text_header(struct output *o, const struct out_list *l)
{
	for (int i = 0; i < l->n; i++) {
		const struct out_column *c = &l->col[i];
		if (i > 0)
			fputc(' ', o->fp);
		if (is_number_shown(c->f))
			fprintf(o->fp, "%*s", c->width, c->f->name);
		else if (i == l->n - 1)
			fputs(c->f->name, o->fp);
		else
			fprintf(o->fp, "%-*s", c->width, c->f->name);
	}
	fputc('\n', o->fp);
}

static void
print_text(struct output *o, const struct out_list *l,
    const struct gf_record *r)
{
	char buf[128];
	for (int i = 0; i < l->n; i++) {
		const struct out_column *c = &l->col[i];
		gf_field_format(c->f, r, o->numeric, buf, sizeof(buf));
		if (i > 0)
			fputc(' ', o->fp);
		if (is_number_shown(c->f))
			fprintf(o->fp, "%*s", c->width, buf);
		else if (i == l->n - 1)
			fputs(buf, o->fp);
		else
			fprintf(o->fp, "%-*s", c->width, buf);
	}
	fputc('\n', o->fp);
}

static void
csv_cell(struct output *o, const char *s)
{
	if (strchr(s, o->delim) == NULL && strchr(s, '"') == NULL &&
	    strchr(s, '\n') == NULL) {
		fputs(s, o->fp);
		return;
	}
	fputc('"', o->fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', o->fp);
		fputc(*s, o->fp);
	}
	fputc('"', o->fp);
}

static void
print_csv(struct output *o, const struct out_list *l,
    const struct gf_record *r, int header)
{
	char buf[128];
	for (int i = 0; i < l->n; i++) {
		if (i > 0)
			fputc(o->delim, o->fp);
		if (header) {
			csv_cell(o, l->col[i].f->name);
		} else {
			gf_field_format(l->col[i].f, r, o->numeric, buf,
			    sizeof(buf));
			csv_cell(o, buf);
		}
	}
	fputc('\n', o->fp);
}

static void
json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
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
	char buf[128];
	fputs("{\"type\":", o->fp);
	json_string(o->fp, r->type == GF_RT_SENSOR ? "sensor" : "flow");
	for (int i = 0; i < l->n; i++) {
		const struct gf_field *f = l->col[i].f;
		if (strcmp(f->name, "type") == 0)
			continue;
		gf_field_format(f, r, o->numeric, buf, sizeof(buf));
		fputc(',', o->fp);
		json_string(o->fp, f->name);
		fputc(':', o->fp);
		if (json_is_number(f, buf))
			fputs(buf, o->fp);
		else
			json_string(o->fp, buf);
	}
	fputs("}\n", o->fp);
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
