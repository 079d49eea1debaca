/*
 * addr.c - address formatting, parsing and prefix tests.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static int
addr_len(int family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

int
gf_addr_format(const struct gf_addr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];
	int af = a->family == 4 ? AF_INET : a->family == 6 ? AF_INET6 : 0;
	if (af == 0 || inet_ntop(af, a->a, tmp, sizeof(tmp)) == NULL)
		return snprintf(buf, len, "-");
	return snprintf(buf, len, "%s", tmp);
}

int
gf_addr_parse(const char *s, struct gf_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = 6;
		return 0;
	}
	return -1;
}

int
gf_prefix_parse(const char *s, struct gf_addr *a, int *bits)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (gf_addr_parse(tmp, a) != 0)
		return -1;
	*bits = addr_len(a->family) * 8;
	if (slash != NULL) {
		char *end;
		long b = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || b < 0 || b > *bits)
			return -1;
		*bits = (int)b;
	}
	gf_addr_mask(a, *bits);
	return 0;
}

void
gf_addr_mask(struct gf_addr *a, int bits)
{
	int n = addr_len(a->family);
	for (int i = 0; i < 16; i++) {
		int keep = bits - i * 8;
		if (i >= n || keep <= 0)
			a->a[i] = 0;
		else if (keep < 8)
			a->a[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

int
gf_addr_in_prefix(const struct gf_addr *a, const struct gf_addr *p, int bits)
{
	struct gf_addr m;
	if (a->family != p->family)
		return 0;
	m = *a;
	gf_addr_mask(&m, bits);
	return memcmp(m.a, p->a, 16) == 0;
}

int
gf_addr_cmp(const struct gf_addr *a, const struct gf_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->a, b->a, 16);
}
