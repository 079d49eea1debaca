/*
 * addr.h - IPv4/IPv6 addresses as stored in records.
 */
#ifndef GF_ADDR_H
#define GF_ADDR_H

#include <stddef.h>
#include "record.h"

/* Text form (inet_ntop); "-" for family 0.  snprintf semantics. */
int gf_addr_format(const struct gf_addr *a, char *buf, size_t len);
/* Parse "a.b.c.d" or an IPv6 literal.  0 on success, -1 otherwise. */
int gf_addr_parse(const char *s, struct gf_addr *a);
/* Parse "addr/bits" (bits optional = full length).  0 ok, -1 bad. */
int gf_prefix_parse(const char *s, struct gf_addr *a, int *bits);
/* Whether a lies in prefix p/bits (same family). */
int gf_addr_in_prefix(const struct gf_addr *a, const struct gf_addr *p, int bits);
/* Zero all bits of a after the first 'bits'. */
void gf_addr_mask(struct gf_addr *a, int bits);
int gf_addr_cmp(const struct gf_addr *a, const struct gf_addr *b);

#endif
