/* The environment snapshot (taken when the library loads) and its strict
 * parsing (done once, at the first TLS call). */
#ifndef TS_CONFIG_H
#define TS_CONFIG_H

#include <stddef.h>

enum ts_mode { TS_MODE_ENFORCE = 0, TS_MODE_AUDIT, TS_MODE_OFF };

enum ts_log_kind {
	TS_LOG_DEFAULT = 0, /* unset: one human line on stderr */
	TS_LOG_STDERR,      /* "stderr": human line on stderr */
	TS_LOG_SYSLOG,      /* "syslog" */
	TS_LOG_FILE         /* a path: JSON Lines appended */
};

enum ts_allow_kind {
	TS_ALLOW_HOST,      /* exact name, case-insensitive */
	TS_ALLOW_WILDCARD,  /* "*.example.test": one label or more before the suffix */
	TS_ALLOW_IP4,       /* dotted quad, compared as an address */
	TS_ALLOW_IP6,       /* "[::1]:PORT", compared as an address */
	TS_ALLOW_EXE        /* "exe=GLOB": fnmatch on absolute path or basename */
};

struct ts_allow_entry {
	enum ts_allow_kind kind;
	char *pattern;           /* lower-cased name, the suffix (".example.test"), the address text, or the glob */
	unsigned char addr[16];  /* IP4: 4 bytes, IP6: 16 bytes */
	unsigned port;           /* 0: any port */
	char *text;              /* the entry as the user wrote it, for records */
};

struct ts_allowlist {
	struct ts_allow_entry *v;
	size_t n;
};

/* Called once per configuration problem: var is the variable name
 * ("TRUSTSHIM_MODE"), value the offending value or path, reason a short
 * phrase ("unknown mode; using enforce"). */
typedef void (*ts_report_fn)(void *arg, const char *var, const char *value, const char *reason);

struct ts_config {
	int secure;                /* AT_SECURE: every TRUSTSHIM_* variable ignored */
	enum ts_mode mode;
	enum ts_log_kind log_kind;
	const char *log_path;      /* TS_LOG_FILE only */
	struct ts_allowlist allow;
	const char *ca;            /* raw TRUSTSHIM_CA, or NULL */
	const char *ca_pem;        /* raw TRUSTSHIM_CA_PEM, or NULL */
	int cache_off;             /* TRUSTSHIM_CACHE=off */
};

/* Copies the TRUSTSHIM_* strings out of environ.  Runs in the constructor and,
 * through pthread_once, from any hook that runs before it (another library's
 * constructor).  Reads no file, prints nothing. */
void ts_env_snapshot(void);

/* The parsed configuration; parsed once, at first use.  Problems are reported
 * through the audit writer (one line each).  Never NULL. */
const struct ts_config *ts_config(void);

/* Pure parsers, for unit tests and fuzzing.  Each returns 0 on success and -1
 * on a bad value (after calling report), leaving a safe value in *out. */
int ts_parse_mode(const char *s, enum ts_mode *out, ts_report_fn report, void *arg);
int ts_parse_log(const char *s, enum ts_log_kind *kind, const char **path, ts_report_fn report, void *arg);
/* Parses a comma-separated TRUSTSHIM_ALLOW.  Entries that do not parse are
 * reported and skipped: they never widen the list.  Returns the number of
 * bad entries (0 when all parsed).  Free with ts_allowlist_free. */
int ts_parse_allow(const char *s, struct ts_allowlist *out, ts_report_fn report, void *arg);
void ts_allowlist_free(struct ts_allowlist *l);

#endif
