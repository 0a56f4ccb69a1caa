#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "config.h"
#include "audit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/auxv.h>

/* The variables we copy, in the order of struct ts_snapshot's slots. */
enum { TS_ENV_CA, TS_ENV_CA_PEM, TS_ENV_MODE, TS_ENV_ALLOW, TS_ENV_LOG, TS_ENV_CACHE, TS_ENV_N };

static const char *const ts_env_names[TS_ENV_N] = {
	[TS_ENV_CA] = "TRUSTSHIM_CA",
	[TS_ENV_CA_PEM] = "TRUSTSHIM_CA_PEM",
	[TS_ENV_MODE] = "TRUSTSHIM_MODE",
	[TS_ENV_ALLOW] = "TRUSTSHIM_ALLOW",
	[TS_ENV_LOG] = "TRUSTSHIM_LOG",
	[TS_ENV_CACHE] = "TRUSTSHIM_CACHE",
};

struct ts_snapshot {
	int secure;          /* AT_SECURE: nothing was copied */
	int oom;             /* a strdup failed: that variable counts as unset */
	char *v[TS_ENV_N];   /* NULL: unset */
};

/* A problem found while parsing, kept until the parse is complete: the audit
 * writer asks ts_config() where to write, and calling it from inside our own
 * pthread_once would deadlock. */
#define TS_PENDING_MAX 16
#define TS_PENDING_VALUE_MAX 200

struct ts_pending_report {
	char *var, *value, *reason;
};

struct ts_pending {
	struct ts_pending_report r[TS_PENDING_MAX];
	size_t n;
	size_t dropped;       /* beyond TS_PENDING_MAX: summarised in one line */
	const char *dropped_var;
};

static struct ts_snapshot ts_snap;
static pthread_once_t ts_snap_once = PTHREAD_ONCE_INIT;
static struct ts_config ts_cfg;
static pthread_once_t ts_cfg_once = PTHREAD_ONCE_INIT;
static struct ts_pending ts_pend;
static atomic_int ts_pend_flushed;

/* ---- helpers ---- */

static int ts_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Start and length of s without surrounding whitespace. */
static const char *ts_trim(const char *s, size_t len, size_t *out_len)
{
	while (len > 0 && ts_isspace(*s)) {
		s++;
		len--;
	}
	while (len > 0 && ts_isspace(s[len - 1]))
		len--;
	*out_len = len;
	return s;
}

static int ts_word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* ---- snapshot ---- */

/* Values are copied into this arena when they fit: the constructor then
 * makes the process's first malloc (arena set-up, ~10 us) only for a very
 * long value such as a large TRUSTSHIM_CA_PEM (make bench, figure 1).  The
 * arena is .bss: no page of it is touched unless a variable is set. */
static char ts_arena[16384];
static size_t ts_arena_used;

static char *ts_snap_copy(const char *v)
{
	size_t n = strlen(v) + 1;
	char *p;

	if (n > sizeof(ts_arena) - ts_arena_used)
		return strdup(v);
	p = ts_arena + ts_arena_used;
	memcpy(p, v, n);
	ts_arena_used += n;
	return p;
}

static int ts_in_arena(const char *p)
{
	return p >= ts_arena && p < ts_arena + sizeof(ts_arena);
}

static void ts_snapshot_take(struct ts_snapshot *s, int secure)
{
	memset(s, 0, sizeof(*s));
	/* ld.so drops unsafe variables for setuid programs but not ours: ignore
	 * them all, as if unset. */
	if (secure) {
		s->secure = 1;
		return;
	}
	for (int i = 0; i < TS_ENV_N; i++) {
		const char *v = getenv(ts_env_names[i]);

		if (v == NULL)
			continue;
		s->v[i] = ts_snap_copy(v);
		if (s->v[i] == NULL)
			s->oom = 1;
	}
}

/* Unit tests build and free their own snapshots. */
__attribute__((unused)) static void ts_snapshot_free(struct ts_snapshot *s)
{
	for (int i = 0; i < TS_ENV_N; i++) {
		if (!ts_in_arena(s->v[i]))
			free(s->v[i]);
		s->v[i] = NULL;
	}
}

static void ts_env_snapshot_once(void)
{
	ts_snapshot_take(&ts_snap, getauxval(AT_SECURE) != 0);
}

void ts_env_snapshot(void)
{
	pthread_once(&ts_snap_once, ts_env_snapshot_once);
}

/* ---- parsers ---- */

int ts_parse_mode(const char *s, enum ts_mode *out, ts_report_fn report, void *arg)
{
	size_t len;
	const char *t;

	*out = TS_MODE_ENFORCE;
	if (s == NULL)
		return 0;
	t = ts_trim(s, strlen(s), &len);
	if (len == 0 || ts_word_is(t, len, "enforce"))
		return 0;
	if (ts_word_is(t, len, "audit")) {
		*out = TS_MODE_AUDIT;
		return 0;
	}
	if (ts_word_is(t, len, "off")) {
		*out = TS_MODE_OFF;
		return 0;
	}
	if (report != NULL)
		report(arg, "TRUSTSHIM_MODE", s, "unknown mode; expected enforce, audit or off; using enforce");
	return -1;
}

int ts_parse_log(const char *s, enum ts_log_kind *kind, const char **path, ts_report_fn report, void *arg)
{
	size_t len;
	const char *t;

	*kind = TS_LOG_DEFAULT;
	*path = NULL;
	if (s == NULL)
		return 0;
	t = ts_trim(s, strlen(s), &len);
	if (len == 0)
		return 0;
	if (ts_word_is(t, len, "stderr")) {
		*kind = TS_LOG_STDERR;
		return 0;
	}
	if (ts_word_is(t, len, "syslog")) {
		*kind = TS_LOG_SYSLOG;
		return 0;
	}
	/* The path is used as written (not trimmed): a file name is bytes. */
	if (s[0] == '/') {
		*kind = TS_LOG_FILE;
		*path = s;
		return 0;
	}
	if (report != NULL)
		report(arg, "TRUSTSHIM_LOG", s,
		       "not stderr, syslog or an absolute path; logging human lines to stderr");
	return -1;
}

#define TS_BAD_ENTRY(why) "unparsable allowlist entry: " why "; ignored"

/* 1..65535, decimal digits only (strtoul alone accepts " +80"). */
static const char *ts_parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return TS_BAD_ENTRY("port must be a decimal number 1..65535");
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
		return TS_BAD_ENTRY("port must be a decimal number 1..65535");
	*port = (unsigned)v;
	return NULL;
}

/* Letters, digits, '-', '_' and '.', no empty label.  NULL when valid. */
static const char *ts_check_name(const char *s, size_t len)
{
	int label = 0;

	if (len == 0)
		return TS_BAD_ENTRY("empty host");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return TS_BAD_ENTRY("empty label in host name");
			label = 0;
		} else if (c == '*') {
			return TS_BAD_ENTRY("'*' is only allowed as a whole first label, as in *.example.test");
		} else if (isalnum(c) || c == '-' || c == '_') {
			label++;
		} else {
			return TS_BAD_ENTRY("invalid character in host name");
		}
	}
	if (label == 0)
		return TS_BAD_ENTRY("empty label in host name");
	return NULL;
}

static char *ts_strndup_lower(const char *s, size_t len)
{
	char *p = strndup(s, len);

	if (p != NULL)
		for (char *q = p; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	return p;
}

/* Parses one trimmed, non-empty entry into e (pattern allocated).  Returns
 * NULL or the reason it is not valid. */
static const char *ts_parse_entry(const char *t, struct ts_allow_entry *e)
{
	const char *why, *colon, *host;
	size_t hlen;
	char buf[64];

	memset(e, 0, sizeof(*e));
	if (strncmp(t, "exe=", 4) == 0) {
		if (t[4] == '\0')
			return TS_BAD_ENTRY("empty exe= glob");
		e->kind = TS_ALLOW_EXE;
		e->pattern = strdup(t + 4);
		return e->pattern ? NULL : TS_BAD_ENTRY("out of memory");
	}
	if (t[0] == '[') {
		const char *close = strchr(t, ']');
		size_t alen;

		if (close == NULL)
			return TS_BAD_ENTRY("missing ']' after IPv6 address");
		alen = (size_t)(close - (t + 1));
		if (alen == 0 || alen >= sizeof(buf))
			return TS_BAD_ENTRY("invalid IPv6 address");
		memcpy(buf, t + 1, alen);
		buf[alen] = '\0';
		if (inet_pton(AF_INET6, buf, e->addr) != 1)
			return TS_BAD_ENTRY("invalid IPv6 address");
		e->kind = TS_ALLOW_IP6;
		/* "[::ffff:10.0.0.1]" is 10.0.0.1: policy compares such peers
		 * as IPv4, so store the entry that way too. */
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)(const void *)e->addr)) {
			memmove(e->addr, e->addr + 12, 4);
			memset(e->addr + 4, 0, 12);
			e->kind = TS_ALLOW_IP4;
		}
		if (close[1] == ':') {
			if ((why = ts_parse_port(close + 2, &e->port)) != NULL)
				return why;
		} else if (close[1] != '\0') {
			return TS_BAD_ENTRY("expected ':PORT' or nothing after ']'");
		}
		e->pattern = strdup(buf);
		return e->pattern ? NULL : TS_BAD_ENTRY("out of memory");
	}

	colon = strchr(t, ':');
	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return TS_BAD_ENTRY("more than one ':' (write an IPv6 address as [ADDR] or [ADDR]:PORT)");
	hlen = colon ? (size_t)(colon - t) : strlen(t);
	if (colon != NULL && (why = ts_parse_port(colon + 1, &e->port)) != NULL)
		return why;
	host = t;
	if (hlen == 0)
		return TS_BAD_ENTRY("empty host");

	if (host[0] == '*') {
		if (hlen < 3 || host[1] != '.')
			return TS_BAD_ENTRY("'*' must be followed by '.' and a domain, as in *.example.test");
		if ((why = ts_check_name(host + 2, hlen - 2)) != NULL)
			return why;
		e->kind = TS_ALLOW_WILDCARD;
		/* Keep the leading '.': the match is then a plain suffix compare
		 * that cannot match "example.test" itself or "badexample.test". */
		e->pattern = ts_strndup_lower(host + 1, hlen - 1);
		return e->pattern ? NULL : TS_BAD_ENTRY("out of memory");
	}

	if (strspn(host, "0123456789.") >= hlen) {
		/* All digits and dots: an address, never a name. */
		if (hlen >= sizeof(buf))
			return TS_BAD_ENTRY("invalid IPv4 address");
		memcpy(buf, host, hlen);
		buf[hlen] = '\0';
		if (inet_pton(AF_INET, buf, e->addr) != 1)
			return TS_BAD_ENTRY("invalid IPv4 address");
		e->kind = TS_ALLOW_IP4;
		e->pattern = strdup(buf);
		return e->pattern ? NULL : TS_BAD_ENTRY("out of memory");
	}

	if ((why = ts_check_name(host, hlen)) != NULL)
		return why;
	e->kind = TS_ALLOW_HOST;
	e->pattern = ts_strndup_lower(host, hlen);
	return e->pattern ? NULL : TS_BAD_ENTRY("out of memory");
}

static int ts_allowlist_push(struct ts_allowlist *l, size_t *cap, const struct ts_allow_entry *e)
{
	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct ts_allow_entry *v = realloc(l->v, ncap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		*cap = ncap;
	}
	l->v[l->n++] = *e;
	return 0;
}

int ts_parse_allow(const char *s, struct ts_allowlist *out, ts_report_fn report, void *arg)
{
	size_t cap = 0;
	int bad = 0;

	out->v = NULL;
	out->n = 0;
	if (s == NULL)
		return 0;
	while (*s != '\0') {
		size_t raw = strcspn(s, ",");
		size_t len;
		const char *t = ts_trim(s, raw, &len);
		struct ts_allow_entry e;
		const char *why;
		char *text;

		s += raw;
		if (*s == ',')
			s++;
		if (len == 0)
			continue;
		text = strndup(t, len);
		if (text == NULL) {
			/* Dropping an entry never widens the list. */
			bad++;
			if (report != NULL)
				report(arg, "TRUSTSHIM_ALLOW", "", TS_BAD_ENTRY("out of memory"));
			continue;
		}
		why = ts_parse_entry(text, &e);
		if (why == NULL) {
			e.text = text;
			if (ts_allowlist_push(out, &cap, &e) == 0)
				continue;
			why = TS_BAD_ENTRY("out of memory");
		}
		bad++;
		if (report != NULL)
			report(arg, "TRUSTSHIM_ALLOW", text, why);
		free(e.pattern);
		free(text);
	}
	return bad;
}

void ts_allowlist_free(struct ts_allowlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].pattern);
		free(l->v[i].text);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int ts_parse_cache(const char *s, int *off, ts_report_fn report, void *arg)
{
	size_t len;
	const char *t;

	*off = 0;
	if (s == NULL)
		return 0;
	t = ts_trim(s, strlen(s), &len);
	if (len == 0 || ts_word_is(t, len, "on"))
		return 0;
	if (ts_word_is(t, len, "off")) {
		*off = 1;
		return 0;
	}
	if (report != NULL)
		report(arg, "TRUSTSHIM_CACHE", s, "unknown value; expected on or off; cache stays on");
	return -1;
}

/* ---- the configuration ---- */

/* Fills c from a snapshot; c's strings point into the snapshot. */
static void ts_config_build(struct ts_config *c, const struct ts_snapshot *s, ts_report_fn report, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->secure = s->secure;
	/* The log first: its own problem then goes to the default place, and
	 * the audit writer knows the destination for everything after. */
	ts_parse_log(s->v[TS_ENV_LOG], &c->log_kind, &c->log_path, report, arg);
	if (s->oom && report != NULL)
		report(arg, "TRUSTSHIM_*", "", "out of memory while copying the environment; a variable is treated as unset");
	ts_parse_mode(s->v[TS_ENV_MODE], &c->mode, report, arg);
	ts_parse_allow(s->v[TS_ENV_ALLOW], &c->allow, report, arg);
	c->ca = (s->v[TS_ENV_CA] && s->v[TS_ENV_CA][0]) ? s->v[TS_ENV_CA] : NULL;
	c->ca_pem = (s->v[TS_ENV_CA_PEM] && s->v[TS_ENV_CA_PEM][0]) ? s->v[TS_ENV_CA_PEM] : NULL;
	ts_parse_cache(s->v[TS_ENV_CACHE], &c->cache_off, report, arg);
}

__attribute__((unused)) static void ts_config_free(struct ts_config *c)
{
	ts_allowlist_free(&c->allow);
	memset(c, 0, sizeof(*c));
}

/* A ts_report_fn that keeps copies; values are cut so that a 1 MB variable
 * makes a readable line, and a flood of bad entries makes at most
 * TS_PENDING_MAX + 1 lines. */
static void ts_pending_add(void *arg, const char *var, const char *value, const char *reason)
{
	struct ts_pending *p = arg;
	struct ts_pending_report *r;
	size_t vlen = strlen(value);

	if (p->n == TS_PENDING_MAX) {
		if (p->dropped++ == 0)
			p->dropped_var = var;
		return;
	}
	r = &p->r[p->n];
	r->var = strdup(var);
	r->reason = strdup(reason);
	if (vlen > TS_PENDING_VALUE_MAX) {
		r->value = malloc(TS_PENDING_VALUE_MAX + 4);
		if (r->value != NULL) {
			memcpy(r->value, value, TS_PENDING_VALUE_MAX);
			memcpy(r->value + TS_PENDING_VALUE_MAX, "...", 4);
		}
	} else {
		r->value = strdup(value);
	}
	if (r->var == NULL || r->value == NULL || r->reason == NULL) {
		free(r->var);
		free(r->value);
		free(r->reason);
		return;
	}
	p->n++;
}

static void ts_pending_flush(struct ts_pending *p, ts_report_fn report)
{
	for (size_t i = 0; i < p->n; i++) {
		struct ts_pending_report *r = &p->r[i];

		report(NULL, r->var, r->value, r->reason);
		free(r->var);
		free(r->value);
		free(r->reason);
	}
	p->n = 0;
	if (p->dropped > 0)
		report(NULL, p->dropped_var, "", "more problems of this kind were found and not shown");
	p->dropped = 0;
}

static void ts_config_once(void)
{
	ts_env_snapshot();
	ts_config_build(&ts_cfg, &ts_snap, ts_pending_add, &ts_pend);
}

static void ts_config_atfork_prepare(void);
static pthread_once_t ts_atfork_once = PTHREAD_ONCE_INIT;

/* Registered at the first parse, not at load: before it no parse can be in
 * progress, and a process without TLS pays nothing at start-up. */
static void ts_config_atfork(void)
{
	pthread_atfork(ts_config_atfork_prepare, NULL, NULL);
}

const struct ts_config *ts_config(void)
{
	pthread_once(&ts_atfork_once, ts_config_atfork);
	pthread_once(&ts_cfg_once, ts_config_once);
	/* Reported after the once has completed, so that the audit writer may
	 * call ts_config() to find its destination. */
	if (!atomic_load_explicit(&ts_pend_flushed, memory_order_acquire) &&
	    atomic_exchange(&ts_pend_flushed, 1) == 0)
		ts_pending_flush(&ts_pend, ts_audit_config_error);
	return &ts_cfg;
}

/* Parse in the parent before fork: a child forked while another thread is
 * inside the once would wait on it forever (cwrap's fork deadlock).  Only
 * the parse: reports stay pending until the first ts_config(). */
static void ts_config_atfork_prepare(void)
{
	pthread_once(&ts_cfg_once, ts_config_once);
}

__attribute__((constructor)) static void ts_config_ctor(void)
{
	ts_env_snapshot();
}
