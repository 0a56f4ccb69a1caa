/* The ONE writer of records: human lines on stderr, syslog, or JSON Lines
 * appended to a file with one write() each. */
#ifndef TS_AUDIT_H
#define TS_AUDIT_H

#include <stddef.h>
#include "policy.h"

/* An attempt to skip verification and what policy decided. */
void ts_audit_attempt(const struct ts_attempt *a, enum ts_verdict v, const char *rule);

/* A bad TRUSTSHIM_* value; matches ts_report_fn. */
void ts_audit_config_error(void *arg, const char *var, const char *value, const char *reason);

/* Once per process: how many anchors loaded and from where. */
void ts_audit_anchors_loaded(const char *lib, size_t count, const char *sources);

/* The program's absolute path (from /proc/self/exe, read once). */
const char *ts_exe(void);

/* "libcurl.so.4(Curl_ossl_connect+0x1a2)" for a code address, via dladdr. */
void ts_describe_addr(const void *addr, char *buf, size_t cap);


/* Writes the final count of every repeated attempt whose last record is
 * behind (see the flood rule in audit.c).  Runs by itself at exit, from a
 * destructor; exported for tests and for a backend that must flush before
 * exec. */
void ts_audit_flush(void);

#endif
