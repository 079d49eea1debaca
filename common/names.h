/*
 * names.h - the printable names of the enum values in gapflow.h, and their
 * inverse for parsers.  Tables live in names.c only.
 */
#ifndef GF_NAMES_H
#define GF_NAMES_H

#include <stddef.h>
#include <stdint.h>

const char *gf_proto_name(int proto);       /* NULL if unnamed */
int gf_proto_lookup(const char *name);      /* -1 if unknown */
const char *gf_state_name(int state);
const char *gf_kind_name(int kind);
const char *gf_end_name(int end);
int gf_end_lookup(const char *name);        /* -1 if unknown */
const char *gf_orient_name(int orient);
const char *gf_dir_name(int dirbits);       /* 1 src, 2 dst, 3 both */
const char *gf_rtype_name(int rtype);

/* s into buf as snprintf(buf, len, "%s", s) puts it (cut to len - 1
 * bytes, terminated); returns strlen(s).  For names on per-row paths. */
int gf_str_put(char *buf, size_t len, const char *s);

/* Flag strings; snprintf semantics. */
int gf_tcpflags_format(unsigned flags, char *buf, size_t len);
int gf_flgs_format(uint32_t flgs, char *buf, size_t len);
int gf_encaps_format(unsigned encaps, char *buf, size_t len);

#endif
