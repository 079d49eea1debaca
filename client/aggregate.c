/*
 * aggregate.c - -m and -b aggregation (see aggregate.h).
 *
 * Key layout (fixed length per run, zero-filled, so memcmp compares):
 *   u16 record type, u64 bin index, then for -m flow: u32 sensor id,
 *   u64 stream start, u64 flowid (sensor records: 0); for -m KEYS one
 *   slot per key: 17 bytes (family + address, masked) for an address,
 *   else the value as a u64.  A key absent from a record type stays 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "aggregate.h"
#include "aggtab.h"
#include "fields.h"
#include "flowset.h"
#include "log.h"
#include "merge.h"

#define ADDR_SLOT   17
#define INT_SLOT    8
#define HDR_KEY     10                  /* type + bin */
#define FLOW_KEY    (HDR_KEY + 4 + 8 + 8)
#define MAX_PARTS   100000u             /* bins one record may be cut into */
#define MAX_AUTO_HOLD (86400ull * GF_NS_PER_SEC)

/* nfdump's names for the same keys */
static const struct {
	const char *alias, *name;
} key_aliases[] = {
	{ "srcip", "saddr" }, { "dstip", "daddr" },
	{ "srcport", "sport" }, { "dstport", "dport" },
};

/* Identity fields an aggregate zeroes unless they are keys. */
static const char *const flow_identity[] = {
	"proto", "vlan", "sport", "dport", "saddr", "daddr", "flowid", NULL,
};
static const char *const sensor_identity[] = { "sensorid", NULL };

/* A bin: its rows of each record type, each list in its type's table;
 * rows are handed on in the order they were created (serial). */
struct obin {
	uint64_t idx;
	struct agg_group g[3];                  /* by record type */
};

struct aggregate {
	struct agg_opts o;
	struct sink out;
	struct aggtab *tab[3];                  /* by record type */
	size_t live, peak;                      /* rows held */
	struct gf_record row;                   /* the row handed on */
	size_t keylen;
	size_t slot_off[AGG_MAX_KEYS];
	struct merge_plan plan[3];              /* by record type */
	uint8_t *zero[3];                       /* identity fields to zero */
	/* current input */
	uint32_t sensorid;
	uint64_t start;
	uint64_t interval;
	int aligned;
	/* bins */
	struct obin *bins;                      /* open, by index */
	size_t nbins, capbins;
	uint64_t closed;                        /* bins below are handed on */
	uint64_t maxl;                          /* latest record end seen */
	uint64_t hold;
	int hold_unbounded;
	struct agg_stats st;
	unsigned char *kbuf;
	/* distinct flows per row (-m KEYS) */
	struct flowset *flows;
	uint64_t serial;                        /* rows created */
	/* each bin's totals, for the rows' shares (%flows ...) */
	struct share *shares;
	size_t nshares, capshares;
};

struct share {
	uint64_t bin;
	double flows, bytes, gap;
};

/* The aggregate whose rows are being printed: shares are looked up here
 * (the registry's derived fields call agg_share through gf_share_fn). */
static const struct aggregate *share_of;

/* ---- keys --------------------------------------------------------------- */

static int
add_key(struct agg_opts *o, char *tok, char *err, size_t errlen)
{
	char *slash = strchr(tok, '/');
	struct agg_key k;
	const char *name = tok;
	int found = 0;

	if (strcmp(tok, "flow") == 0 || strcmp(tok, "none") == 0) {
		if (o->flow || o->nkeys > 0 || o->set) {
			snprintf(err, errlen, "option -m: '%s' cannot be "
			    "combined with other keys", tok);
			return -1;
		}
		o->flow = tok[0] == 'f';
		o->set = 1;
		return 0;
	}
	if (o->set && o->nkeys == 0) {
		snprintf(err, errlen, "option -m: '%s' cannot be combined "
		    "with '%s'", tok, o->flow ? "flow" : "none");
		return -1;
	}
	if (o->nkeys == AGG_MAX_KEYS) {
		snprintf(err, errlen, "option -m: more than %d keys",
		    AGG_MAX_KEYS);
		return -1;
	}
	memset(&k, 0, sizeof(k));
	k.bits = -1;
	if (slash != NULL) {
		char *end;
		long bits = strtol(slash + 1, &end, 10);
		*slash = '\0';
		if (slash[1] == '\0' || *end != '\0' || bits < 0 ||
		    bits > 128) {
			snprintf(err, errlen, "option -m: bad prefix length "
			    "in '%s/%s' (0-128)", tok, slash + 1);
			return -1;
		}
		k.bits = (int)bits;
	}
	for (size_t i = 0; i < sizeof(key_aliases) / sizeof(key_aliases[0]);
	    i++)
		if (strcmp(tok, key_aliases[i].alias) == 0)
			name = key_aliases[i].name;
	for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++) {
		const struct gf_field *f = gf_field_find_type(name, t);
		if (f == NULL)
			continue;
		if (f->wire == 0) {
			snprintf(err, errlen, "option -m: '%s' is computed "
			    "from other fields and cannot be a key", tok);
			return -1;
		}
		if (k.bits >= 0 && f->type != GF_FT_ADDR) {
			snprintf(err, errlen, "option -m: a prefix length "
			    "applies to addresses, not to '%s'", tok);
			return -1;
		}
		k.f[t] = f;
		found = 1;
	}
	if (!found) {
		snprintf(err, errlen, "option -m: unknown key field '%s' "
		    "(flow, none, or a field: gapdump --fields)", tok);
		return -1;
	}
	o->key[o->nkeys++] = k;
	o->set = 1;
	return 0;
}

int
agg_parse_keys(struct agg_opts *o, const char *spec, char *err,
    size_t errlen)
{
	char *copy = gf_xstrdup(spec), *save = NULL, *tok;
	int rc = 0, any = 0;

	for (tok = strtok_r(copy, ", \t", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ", \t", &save)) {
		rc = add_key(o, tok, err, errlen);
		any = 1;
	}
	free(copy);
	if (rc == 0 && !any) {
		snprintf(err, errlen, "option -m: no key given (flow, none, "
		    "or fields such as saddr/24,dport)");
		rc = -1;
	}
	return rc;
}

static int
key_is_addr(const struct agg_key *k)
{
	return (k->f[GF_RT_FLOW] != NULL &&
	    k->f[GF_RT_FLOW]->type == GF_FT_ADDR) ||
	    (k->f[GF_RT_SENSOR] != NULL &&
	    k->f[GF_RT_SENSOR]->type == GF_FT_ADDR);
}

static void
mask_addr(struct gf_addr *a, int bits)
{
	if (bits < 0)
		return;
	if (a->family == 4 && bits > 32)
		bits = 32;
	gf_addr_mask(a, bits);
}

/* Fill a->kbuf for record r in bin. */
static void
make_key(struct aggregate *a, const struct gf_record *r, uint64_t bin)
{
	unsigned char *k = a->kbuf;

	memset(k, 0, a->keylen);
	memcpy(k, &r->type, 2);
	memcpy(k + 2, &bin, 8);
	if (a->o.flow) {
		memcpy(k + HDR_KEY, &a->sensorid, 4);
		memcpy(k + HDR_KEY + 4, &a->start, 8);
		if (r->type == GF_RT_FLOW)
			memcpy(k + HDR_KEY + 12, &r->u.flow.flowid, 8);
		return;
	}
	for (int i = 0; i < a->o.nkeys; i++) {
		const struct agg_key *key = &a->o.key[i];
		const struct gf_field *f = key->f[r->type];
		unsigned char *slot = k + a->slot_off[i];

		if (f == NULL)
			continue;
		if (f->type == GF_FT_ADDR) {
			struct gf_addr ad;
			memcpy(&ad, (const unsigned char *)gf_record_body(r) +
			    f->offset, sizeof(ad));
			mask_addr(&ad, key->bits);
			slot[0] = ad.family;
			memcpy(slot + 1, ad.a, 16);
		} else {
			uint64_t v = gf_field_u64(f, r);
			memcpy(slot, &v, 8);
		}
	}
}

/* The aggregate's first record: zero identity, mask addresses. */
static void
prepare_new(struct aggregate *a, struct gf_record *rec)
{
	uint8_t *zero = a->zero[rec->type];

	if (a->o.flow)
		return;
	for (size_t i = 0; i < gf_nfields; i++) {
		const struct gf_field *f = &gf_fields[i];
		if (!zero[i])
			continue;
		if (f->type == GF_FT_ADDR)
			memset((unsigned char *)gf_record_body_mut(rec) +
			    f->offset, 0, sizeof(struct gf_addr));
		else
			gf_field_set_u64(f, rec, 0);
	}
	for (int i = 0; i < a->o.nkeys; i++) {
		const struct gf_field *f = a->o.key[i].f[rec->type];
		if (f != NULL && f->type == GF_FT_ADDR)
			mask_addr((struct gf_addr *)((unsigned char *)
			    gf_record_body_mut(rec) + f->offset),
			    a->o.key[i].bits);
	}
}

/* ---- set-up ------------------------------------------------------------- */

static void
bin_init(struct obin *b, uint64_t idx)
{
	b->idx = idx;
	agg_group_init(&b->g[GF_RT_FLOW]);
	agg_group_init(&b->g[GF_RT_SENSOR]);
}

static int
in_list(const char *name, const char *const *list)
{
	for (int i = 0; list[i] != NULL; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

struct aggregate *
agg_new(const struct agg_opts *o, struct sink out)
{
	struct aggregate *a = gf_xcalloc(1, sizeof(*a));

	a->o = *o;
	a->out = out;
	if (o->flow) {
		a->keylen = FLOW_KEY;
	} else {
		a->keylen = HDR_KEY;
		for (int i = 0; i < o->nkeys; i++) {
			a->slot_off[i] = a->keylen;
			a->keylen += key_is_addr(&o->key[i]) ? ADDR_SLOT :
			    INT_SLOT;
		}
	}
	a->kbuf = gf_xmalloc(a->keylen);
	if (!o->flow)
		a->flows = flowset_new();
	share_of = a;
	gf_share_fn = agg_share;
	for (uint16_t t = GF_RT_FLOW; t <= GF_RT_SENSOR; t++) {
		uint8_t *frozen = gf_xcalloc(gf_nfields, 1);
		a->tab[t] = aggtab_new(a->keylen, gf_record_size(t));
		if (a->tab[t] == NULL)
			gf_fatal(GF_EXIT_ERROR, "option -m: key too long");
		a->zero[t] = gf_xcalloc(gf_nfields, 1);
		for (size_t i = 0; i < gf_nfields && !o->flow; i++) {
			const struct gf_field *f = &gf_fields[i];
			int iskey = 0;
			if (f->rtype != t)
				continue;
			for (int j = 0; j < o->nkeys; j++)
				if (o->key[j].f[t] == f)
					iskey = 1;
			if (!iskey && in_list(f->name, t == GF_RT_FLOW ?
			    flow_identity : sensor_identity))
				a->zero[t][i] = 1;
			frozen[i] = iskey || a->zero[t][i];
		}
		if (merge_plan_init(&a->plan[t], t, frozen) != 0)
			gf_fatal(GF_EXIT_ERROR, "aggregation: the field "
			    "registry is larger than the merge plan");
		free(frozen);
	}
	a->hold = o->hold_set ? o->hold : 0;
	if (o->binwidth == 0) {
		/* one group, always open: no bins */
		a->bins = gf_xcalloc(1, sizeof(*a->bins));
		a->nbins = a->capbins = 1;
		bin_init(&a->bins[0], 0);
	}
	return a;
}

void
agg_free(struct aggregate *a)
{
	if (a == NULL)
		return;
	aggtab_free(a->tab[GF_RT_FLOW]);
	aggtab_free(a->tab[GF_RT_SENSOR]);
	flowset_free(a->flows);
	free(a->shares);
	if (share_of == a) {
		share_of = NULL;
		gf_share_fn = NULL;
	}
	free(a->zero[GF_RT_FLOW]);
	free(a->zero[GF_RT_SENSOR]);
	free(a->bins);
	free(a->kbuf);
	free(a);
}

void
agg_begin_input(struct aggregate *a, const struct gf_stream_info *info)
{
	a->sensorid = info->sensorid;
	a->start = info->start;
	a->interval = info->interval;
	a->aligned = a->o.binwidth > 0 && (info->flags & GF_HDR_ALIGNED) &&
	    info->interval > 0 && a->o.binwidth % info->interval == 0;
	if (a->o.hold_set)
		return;
	/* Records come in the order the sensor wrote them: at the end of
	 * status intervals.  A stream without intervals (aggregated
	 * records) has no bound on how far back a record reaches. */
	if (info->interval == 0)
		a->hold_unbounded = 1;
	else if (info->interval > a->hold)
		a->hold = info->interval;
}

void
agg_get_stats(const struct aggregate *a, struct agg_stats *st)
{
	*st = a->st;
	st->peak = a->peak;
	st->hold = a->hold_unbounded ? 0 : a->hold;
}

/* ---- bins --------------------------------------------------------------- */

static struct obin *
bin_of(struct aggregate *a, uint64_t idx)
{
	size_t lo = 0, hi = a->nbins;

	if (a->o.binwidth == 0)
		return &a->bins[0];
	if (a->nbins > 0 && a->bins[a->nbins - 1].idx < idx) {
		lo = a->nbins;
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (a->bins[mid].idx < idx)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < a->nbins && a->bins[lo].idx == idx)
			return &a->bins[lo];
	}
	if (a->nbins == a->capbins) {
		a->capbins = a->capbins ? a->capbins * 2 : 16;
		a->bins = gf_xrealloc(a->bins, a->capbins * sizeof(*a->bins));
	}
	memmove(&a->bins[lo + 1], &a->bins[lo],
	    (a->nbins - lo) * sizeof(*a->bins));
	a->nbins++;
	bin_init(&a->bins[lo], idx);
	return &a->bins[lo];
}

/* The totals of bin b's rows, added before they are handed on. */
static void
add_share(struct aggregate *a, const struct obin *b)
{
	uint64_t bin = b->idx;
	struct share *sh = NULL;

	for (size_t i = a->nshares; i-- > 0; )
		if (a->shares[i].bin == bin) {
			sh = &a->shares[i];     /* a bin handed on again */
			break;
		}
	if (sh == NULL) {
		if (a->nshares == a->capshares) {
			a->capshares = a->capshares ? a->capshares * 2 : 16;
			a->shares = gf_xrealloc(a->shares, a->capshares *
			    sizeof(*a->shares));
		}
		sh = &a->shares[a->nshares++];
		memset(sh, 0, sizeof(*sh));
		sh->bin = bin;
	}
	for (uint32_t i = b->g[GF_RT_FLOW].head; i != AGG_NONE; ) {
		const struct agg_entry *e = aggtab_at(a->tab[GF_RT_FLOW], i);
		const struct gf_flow *f = &e->rec.u.flow;
		sh->flows += f->flows;
		sh->bytes += (double)f->src.bytes + (double)f->dst.bytes;
		sh->gap += (double)f->src.gap + (double)f->dst.gap;
		i = e->next;
	}
}

double
agg_share(const struct gf_record *r, int which)
{
	const struct aggregate *a = share_of;
	const struct gf_flow *f = &r->u.flow;
	uint64_t bin;
	double part, whole;

	if (a == NULL || r->type != GF_RT_FLOW)
		return 0.0;
	bin = a->o.binwidth > 0 ? f->stime / a->o.binwidth : 0;
	for (size_t i = a->nshares; i-- > 0; ) {
		const struct share *sh = &a->shares[i];
		if (sh->bin != bin)
			continue;
		switch (which) {
		case GF_SHARE_FLOWS:
			part = f->flows;
			whole = sh->flows;
			break;
		case GF_SHARE_BYTES:
			part = (double)f->src.bytes + (double)f->dst.bytes;
			whole = sh->bytes;
			break;
		default:
			part = (double)f->src.gap + (double)f->dst.gap;
			whole = sh->gap;
			break;
		}
		return whole > 0 ? 100.0 * part / whole : 0.0;
	}
	return 0.0;
}

/* Hand on row e of type t (a whole record: the table holds only the
 * type's part) and forget it. */
static void
emit_row(struct aggregate *a, uint16_t t, struct agg_entry *e,
    struct agg_group *g)
{
	memcpy(&a->row, &e->rec, gf_record_size(t));
	aggtab_remove(a->tab[t], e, g);
	a->live--;
	sink_put(&a->out, &a->row);
	a->st.out++;
}

/* Hand on the rows of bin b in the order they were created. */
static void
emit_bin(struct aggregate *a, struct obin *b)
{
	struct agg_group *gf = &b->g[GF_RT_FLOW], *gs = &b->g[GF_RT_SENSOR];

	for (;;) {
		struct agg_entry *f = gf->head == AGG_NONE ? NULL :
		    aggtab_at(a->tab[GF_RT_FLOW], gf->head);
		struct agg_entry *s = gs->head == AGG_NONE ? NULL :
		    aggtab_at(a->tab[GF_RT_SENSOR], gs->head);

		if (f != NULL && (s == NULL || f->serial < s->serial))
			emit_row(a, GF_RT_FLOW, f, gf);
		else if (s != NULL)
			emit_row(a, GF_RT_SENSOR, s, gs);
		else
			break;
	}
}

/* Hand on every open bin below index upto. */
static void
sweep(struct aggregate *a, uint64_t upto)
{
	size_t n = 0;

	while (n < a->nbins && a->bins[n].idx < upto) {
		if (!a->o.flow)
			add_share(a, &a->bins[n]);
		emit_bin(a, &a->bins[n]);
		n++;
	}
	if (n > 0) {
		memmove(&a->bins[0], &a->bins[n],
		    (a->nbins - n) * sizeof(*a->bins));
		a->nbins -= n;
	}
	if (upto > a->closed)
		a->closed = upto;
}

/* ---- records ------------------------------------------------------------ */

static struct agg_entry *
merge_into(struct aggregate *a, const struct gf_record *r, uint64_t bin)
{
	struct agg_group *g = &bin_of(a, bin)->g[r->type];
	struct agg_entry *e;
	int created;

	make_key(a, r, bin);
	e = aggtab_get(a->tab[r->type], a->kbuf, g, &created);
	if (created) {
		memcpy(&e->rec, r, gf_record_size(r->type));
		e->serial = ++a->serial;
		if (++a->live > a->peak)
			a->peak = a->live;
		prepare_new(a, &e->rec);
	} else {
		merge_add(&a->plan[r->type], &e->rec, r);
	}
	/* a sensor's record is one flow's (flows 0); an aggregate's
	 * flows were counted already and are summed; a record without
	 * packets (a flow's end marker) brings no flow to a row */
	if (r->type == GF_RT_FLOW && r->u.flow.flows == 0 &&
	    (r->u.flow.src.pkts > 0 || r->u.flow.dst.pkts > 0) &&
	    e->rec.u.flow.flows < UINT32_MAX) {
		if (a->o.flow ? created : flowset_add(a->flows, a->sensorid,
		    a->start, r->u.flow.flowid, e->serial))
			e->rec.u.flow.flows++;
	}
	return e;
}

static void
put_unbinned(struct aggregate *a, const struct gf_record *r)
{
	struct agg_entry *e = merge_into(a, r, 0);

	/* a flow ends with its final record: hand it on, forget it */
	if (a->o.flow && r->type == GF_RT_FLOW &&
	    e->rec.u.flow.kind == GF_KIND_FINAL)
		emit_row(a, GF_RT_FLOW, e, &a->bins[0].g[GF_RT_FLOW]);
}

static int
is_end_marker(const struct gf_record *r)
{
	return r->type == GF_RT_FLOW && r->u.flow.kind == GF_KIND_FINAL &&
	    r->u.flow.src.pkts == 0 && r->u.flow.dst.pkts == 0;
}

static void
put_binned(struct aggregate *a, const struct gf_record *r)
{
	uint64_t w = a->o.binwidth;
	uint64_t s = record_stime(r), l = record_ltime(r);
	uint64_t k0, k1;

	if (l < s)
		l = s;          /* hostile or broken: treat as an instant */
	if (!a->hold_unbounded) {
		if (r->type == GF_RT_SENSOR && !a->o.hold_set &&
		    l - s > a->hold && l - s <= MAX_AUTO_HOLD)
			a->hold = l - s;        /* a longer sensor interval */
		if (l > a->maxl)
			a->maxl = l;
		if (a->maxl > a->hold && (a->maxl - a->hold) / w > a->closed)
			sweep(a, (a->maxl - a->hold) / w);
	}
	k0 = s / w;
	k1 = l > s ? (l - 1) / w : k0;
	if (k0 < a->closed) {
		if (is_end_marker(r) && l == s) {
			struct gf_record m = *r;
			m.u.flow.stime = m.u.flow.ltime = a->closed * w;
			a->st.moved++;
			merge_into(a, &m, a->closed);
			return;
		}
		a->st.late++;
	}
	/* An aligned sensor's records lie within one interval, and so
	 * within one bin; one that reaches further (a longer SENSOR
	 * interval) is cut like any other. */
	if (k1 == k0 || (a->aligned && l - s <= a->interval)) {
		merge_into(a, r, k0);
		return;
	}
	if (k1 - k0 >= MAX_PARTS) {
		a->st.unsplit++;
		merge_into(a, r, k0);
		return;
	}
	a->st.split++;
	for (uint64_t k = k0; k <= k1; k++) {
		struct gf_record part;
		uint64_t from = k * w, to = from + w;
		if (from < s)
			from = s;
		if (k == k1 || to > l || to < from)
			to = l;
		merge_part(&a->plan[r->type], r, from, to, &part);
		merge_into(a, &part, k);
	}
}

void
agg_put(struct aggregate *a, const struct gf_record *r)
{
	if (r->type != GF_RT_FLOW && r->type != GF_RT_SENSOR)
		return;
	a->st.records++;
	if (a->o.binwidth == 0)
		put_unbinned(a, r);
	else
		put_binned(a, r);
	/* a flow's last record has passed: no row will see it again */
	if (a->flows != NULL && r->type == GF_RT_FLOW &&
	    r->u.flow.kind == GF_KIND_FINAL && r->u.flow.flows == 0)
		flowset_forget(a->flows, a->sensorid, a->start,
		    r->u.flow.flowid);
}

void
agg_finish(struct aggregate *a)
{
	if (a->o.binwidth == 0 && !a->o.flow)
		add_share(a, &a->bins[0]);
	if (a->o.binwidth == 0)
		emit_bin(a, &a->bins[0]);
	else
		sweep(a, UINT64_MAX);
}
