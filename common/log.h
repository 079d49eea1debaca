/*
 * log.h - diagnostics.  Every message starts with the program name and
 * names the thing it is about (file and offset, option, key and line).
 * Messages go to stderr, or to syslog once gf_log_use_syslog() is called.
 */
#ifndef GF_LOG_H
#define GF_LOG_H

#include <stdarg.h>

void gf_log_init(const char *progname);
void gf_log_use_syslog(void);
void gf_log_set_verbose(int level);
int gf_log_verbose(void);

void gf_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gf_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gf_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Always said, without "warning: " (syslog: notice): summaries. */
void gf_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* gf_err, then exit(status). */
void gf_fatal(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* malloc/calloc/realloc/strdup that exit(2) with a message on failure;
 * for start-up and per-record paths, never per packet. */
void *gf_xmalloc(size_t n);
void *gf_xcalloc(size_t n, size_t size);
void *gf_xrealloc(void *p, size_t n);
char *gf_xstrdup(const char *s);

#endif
