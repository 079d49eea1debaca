/*
 * names.c - printable names for the wire enums (see names.h).
 */
#include <stdio.h>
#include <string.h>

#include "gapflow.h"
#include "names.h"

struct tok {
	int v;
	const char *s;
};

static const char *
tok_name(const struct tok *t, int v, const char *dflt)
{
	for (; t->s != NULL; t++)
		if (t->v == v)
			return t->s;
	return dflt;
}

static int
tok_lookup(const struct tok *t, const char *s)
{
	for (; t->s != NULL; t++)
		if (strcmp(t->s, s) == 0)
			return t->v;
	return -1;
}

static const struct tok protos[] = {
	{ 1, "icmp" }, { 2, "igmp" }, { 4, "ipip" }, { 6, "tcp" },
	{ 17, "udp" }, { 41, "ipv6" }, { 47, "gre" }, { 50, "esp" },
	{ 51, "ah" }, { 58, "icmp6" }, { 89, "ospf" }, { 103, "pim" },
	{ 112, "vrrp" }, { 132, "sctp" }, { 0, NULL },
};

static const struct tok states[] = {
	{ GF_ST_NONE, "-" }, { GF_ST_REQ, "REQ" }, { GF_ST_ACC, "ACC" },
	{ GF_ST_EST, "EST" }, { GF_ST_FIN, "FIN" }, { GF_ST_CLO, "CLO" },
	{ GF_ST_RST, "RST" }, { GF_ST_INT, "INT" }, { GF_ST_CON, "CON" },
	{ 0, NULL },
};

static const struct tok kinds[] = {
	{ GF_KIND_STATUS, "status" }, { GF_KIND_FINAL, "final" }, { 0, NULL },
};

static const struct tok ends[] = {
	{ GF_END_NONE, "-" }, { GF_END_FIN, "fin" }, { GF_END_RST, "rst" },
	{ GF_END_IDLE, "idle" }, { GF_END_REUSE, "reuse" },
	{ GF_END_EOF, "eof" }, { GF_END_SHUTDOWN, "shutdown" },
	{ GF_END_EVICTED, "evicted" }, { 0, NULL },
};

static const struct tok orients[] = {
	{ GF_ORIENT_UNKNOWN, "first" }, { GF_ORIENT_PORT, "port" },
	{ GF_ORIENT_SYNACK, "synack" }, { GF_ORIENT_SYN, "syn" }, { 0, NULL },
};

static const struct tok rtypes[] = {
	{ GF_RT_FLOW, "flow" }, { GF_RT_SENSOR, "sensor" }, { 0, NULL },
};

const char *
gf_proto_name(int proto)
{
	return tok_name(protos, proto, NULL);
}

int
gf_proto_lookup(const char *name)
{
	return tok_lookup(protos, name);
}

const char *
gf_state_name(int state)
{
	return tok_name(states, state, "?");
}

const char *
gf_kind_name(int kind)
{
	return tok_name(kinds, kind, "?");
}

const char *
gf_end_name(int end)
{
	return tok_name(ends, end, "?");
}

int
gf_end_lookup(const char *name)
{
	return tok_lookup(ends, name);
}

const char *
gf_orient_name(int orient)
{
	return tok_name(orients, orient, "?");
}

const char *
gf_dir_name(int dirbits)
{
	switch (dirbits) {
	case 1: return "->";
	case 2: return "<-";
	case 3: return "<->";
	default: return "-";
	}
}

const char *
gf_rtype_name(int rtype)
{
	return tok_name(rtypes, rtype, "?");
}

int
gf_str_put(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len > 0) {
		size_t k = n < len ? n : len - 1;
		memcpy(buf, s, k);
		buf[k] = '\0';
	}
	return (int)n;
}

/* Letters for set bits, in table order; "-" when none is set. */
struct bitname {
	uint32_t bit;
	char c;
};

static int
bits_format(const struct bitname *t, size_t n, uint32_t v, char *buf,
    size_t len)
{
	char s[40];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < sizeof(s); i++)
		if (v & t[i].bit)
			s[k++] = t[i].c;
	if (k == 0)
		s[k++] = '-';
	s[k] = '\0';
	return gf_str_put(buf, len, s);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

int
gf_tcpflags_format(unsigned flags, char *buf, size_t len)
{
	static const struct bitname t[] = {
		{ 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' }, { 0x08, 'P' },
		{ 0x10, 'A' }, { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'C' },
	};
	return bits_format(t, NELEM(t), flags, buf, len);
}

int
gf_flgs_format(uint32_t flgs, char *buf, size_t len)
{
	static const struct bitname t[] = {
		{ GF_F_SIMPLEX, 'S' },
		{ GF_F_SGAP | GF_F_DGAP, 'g' },
		{ GF_F_SGAP_NOACK | GF_F_DGAP_NOACK, 'G' },
		{ GF_F_SLOSS, 's' }, { GF_F_DLOSS, 'd' },
		{ GF_F_SOOO, 'i' }, { GF_F_DOOO, 'r' },
		{ GF_F_HOLES_FULL, 'h' }, { GF_F_MIDSTREAM, 'm' },
		{ GF_F_SKEW, 'k' }, { GF_F_FRAG, 'F' },
		{ GF_F_FRAG_ORPHAN, 'f' }, { GF_F_IPOPT, 'O' },
		{ GF_F_ICMPERR, 'I' }, { GF_F_SWIN0, 'w' },
		{ GF_F_DWIN0, 'W' }, { GF_F_REUSE, 'R' },
	};
	return bits_format(t, NELEM(t), flgs, buf, len);
}

int
gf_encaps_format(unsigned encaps, char *buf, size_t len)
{
	static const struct bitname t[] = {
		{ GF_E_ETHER, 'e' }, { GF_E_VLAN, 'v' }, { GF_E_QINQ, 'q' },
		{ GF_E_MPLS, 'm' }, { GF_E_SLL, 'S' }, { GF_E_NULL, 'n' },
		{ GF_E_RAW, 'r' }, { GF_E_GRE, 'G' }, { GF_E_ERSPAN, 'E' },
		{ GF_E_IPIP, '4' }, { GF_E_GTPU, 'T' }, { GF_E_VXLAN, 'X' },
		{ GF_E_GENEVE, 'N' }, { GF_E_TEREDO, 'D' }, { GF_E_PBB, 'B' },
		{ GF_E_PPPOE, 'P' },
	};
	return bits_format(t, NELEM(t), encaps, buf, len);
}
