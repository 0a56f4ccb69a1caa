/* Unit tests for shim/config.c: the environment snapshot and the strict
 * parsers of TRUSTSHIM_MODE, TRUSTSHIM_LOG and TRUSTSHIM_ALLOW.  The .c file
 * is included so that its static helpers and state can be reached, as
 * cwrap's test_swrap_unit.c does. */
#include "tap.h"
#include "config.c"

#include <stdio.h>
#include <stdlib.h>

/* ---- fakes for what audit.c provides ---- */

static int fake_cfg_errors;
static char fake_cfg_vars[8][32]; /* the first vars reported, in order */
static int fake_reentered_ok;

void ts_audit_config_error(void *arg, const char *var, const char *value, const char *reason)
{
	(void)arg;
	(void)value;
	(void)reason;
	if (fake_cfg_errors < 8)
		snprintf(fake_cfg_vars[fake_cfg_errors], sizeof(fake_cfg_vars[0]), "%s", var);
	fake_cfg_errors++;
	/* The real writer asks the configuration where to write: that must not
	 * deadlock, since reports are sent after the parse has completed. */
	if (ts_config() != NULL)
		fake_reentered_ok++;
}

/* ---- a report function that records what the pure parsers say ---- */

struct rec {
	int n;
	char var[32];
	char value[128];
	char reason[256];
};

static void rec_report(void *arg, const char *var, const char *value, const char *reason)
{
	struct rec *r = arg;

	r->n++;
	snprintf(r->var, sizeof(r->var), "%s", var);
	snprintf(r->value, sizeof(r->value), "%s", value);
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

/* ---- TRUSTSHIM_MODE ---- */

static const struct mode_case {
	const char *in;
	enum ts_mode want;
	int rc;
	const char *why;
} mode_cases[] = {
	{ NULL, TS_MODE_ENFORCE, 0, "unset is enforce" },
	{ "", TS_MODE_ENFORCE, 0, "empty is unset, so enforce" },
	{ "  \t ", TS_MODE_ENFORCE, 0, "whitespace only is empty" },
	{ "enforce", TS_MODE_ENFORCE, 0, "enforce" },
	{ "audit", TS_MODE_AUDIT, 0, "audit" },
	{ "off", TS_MODE_OFF, 0, "off" },
	{ "EnFoRcE", TS_MODE_ENFORCE, 0, "case-insensitive enforce" },
	{ "AUDIT", TS_MODE_AUDIT, 0, "upper-case audit" },
	{ "Off", TS_MODE_OFF, 0, "mixed-case off" },
	{ " audit\t", TS_MODE_AUDIT, 0, "surrounding whitespace is trimmed" },
	{ "\nOFF \n", TS_MODE_OFF, 0, "newlines around the value" },
	{ "disable", TS_MODE_ENFORCE, -1, "garbage falls back to enforce" },
	{ "offf", TS_MODE_ENFORCE, -1, "no prefix matching: offf" },
	{ "of", TS_MODE_ENFORCE, -1, "no prefix matching: of" },
	{ "0", TS_MODE_ENFORCE, -1, "numbers are not modes" },
	{ "no", TS_MODE_ENFORCE, -1, "'no' is not a mode" },
	{ "audit,off", TS_MODE_ENFORCE, -1, "one mode only" },
	{ "au dit", TS_MODE_ENFORCE, -1, "inner whitespace is not trimmed" },
	{ "off\x01", TS_MODE_ENFORCE, -1, "a control character after off" },
};

static void test_mode(void)
{
	for (size_t i = 0; i < sizeof(mode_cases) / sizeof(mode_cases[0]); i++) {
		const struct mode_case *c = &mode_cases[i];
		struct rec r = { 0 };
		enum ts_mode m = (enum ts_mode)99;
		int rc = ts_parse_mode(c->in, &m, rec_report, &r);

		is_int(rc, c->rc, "mode rc: %s", c->why);
		is_int(m, c->want, "mode value: %s", c->why);
		is_int(r.n, c->rc ? 1 : 0, "mode reports: %s", c->why);
		if (c->rc) {
			is_str(r.var, "TRUSTSHIM_MODE", "mode report names the variable: %s", c->why);
			is_str(r.value, c->in, "mode report names the value: %s", c->why);
		}
	}
	/* A NULL report function is allowed (fuzzing). */
	{
		enum ts_mode m;

		is_int(ts_parse_mode("bogus", &m, NULL, NULL), -1, "mode: bad value with no report function");
	}
}

/* ---- TRUSTSHIM_LOG ---- */

static const struct log_case {
	const char *in;
	enum ts_log_kind kind;
	const char *path;
	int rc;
	const char *why;
} log_cases[] = {
	{ NULL, TS_LOG_DEFAULT, NULL, 0, "unset is the default" },
	{ "", TS_LOG_DEFAULT, NULL, 0, "empty is unset" },
	{ "   ", TS_LOG_DEFAULT, NULL, 0, "whitespace only is unset" },
	{ "stderr", TS_LOG_STDERR, NULL, 0, "stderr" },
	{ "STDERR", TS_LOG_STDERR, NULL, 0, "keywords are case-insensitive" },
	{ " syslog ", TS_LOG_SYSLOG, NULL, 0, "syslog, trimmed" },
	{ "Syslog", TS_LOG_SYSLOG, NULL, 0, "mixed-case syslog" },
	{ "/tmp/ts.log", TS_LOG_FILE, "/tmp/ts.log", 0, "an absolute path" },
	{ "/", TS_LOG_FILE, "/", 0, "'/' parses (opening it fails later, in audit)" },
	{ "/tmp/a b.log", TS_LOG_FILE, "/tmp/a b.log", 0, "a path with a space" },
	{ "relative/log", TS_LOG_DEFAULT, NULL, -1, "a relative path is refused" },
	{ "./ts.log", TS_LOG_DEFAULT, NULL, -1, "./ is relative" },
	{ "~/ts.log", TS_LOG_DEFAULT, NULL, -1, "~ is not expanded" },
	{ "ts.log", TS_LOG_DEFAULT, NULL, -1, "a bare file name" },
	{ " /tmp/ts.log", TS_LOG_DEFAULT, NULL, -1, "a path is used as written: leading space is relative" },
	{ "stdout", TS_LOG_DEFAULT, NULL, -1, "stdout is not a destination" },
	{ "file:/tmp/x", TS_LOG_DEFAULT, NULL, -1, "no URL forms" },
};

static void test_log(void)
{
	for (size_t i = 0; i < sizeof(log_cases) / sizeof(log_cases[0]); i++) {
		const struct log_case *c = &log_cases[i];
		struct rec r = { 0 };
		enum ts_log_kind k = (enum ts_log_kind)99;
		const char *path = "unchanged";
		int rc = ts_parse_log(c->in, &k, &path, rec_report, &r);

		is_int(rc, c->rc, "log rc: %s", c->why);
		is_int(k, c->kind, "log kind: %s", c->why);
		is_str(path, c->path, "log path: %s", c->why);
		is_int(r.n, c->rc ? 1 : 0, "log reports: %s", c->why);
		if (c->rc)
			is_str(r.var, "TRUSTSHIM_LOG", "log report names the variable: %s", c->why);
	}
}

/* ---- TRUSTSHIM_ALLOW: one entry each ---- */

#define BAD -1 /* kind column of a case that must not parse */

static const struct allow_case {
	const char *in;
	int kind;             /* enum ts_allow_kind, or BAD */
	const char *pattern;
	unsigned port;
	const char *text;
	const char *why;
} allow_cases[] = {
	/* names */
	{ "example.test", TS_ALLOW_HOST, "example.test", 0, "example.test", "a host name" },
	{ "Example.TEST", TS_ALLOW_HOST, "example.test", 0, "Example.TEST", "names are lower-cased, text kept as written" },
	{ "example.test:8443", TS_ALLOW_HOST, "example.test", 8443, "example.test:8443", "HOST:PORT" },
	{ "  example.test:443\t", TS_ALLOW_HOST, "example.test", 443, "example.test:443", "whitespace around the entry is trimmed" },
	{ "my_host-1.internal", TS_ALLOW_HOST, "my_host-1.internal", 0, "my_host-1.internal", "'_' and '-' are allowed" },
	{ "localhost", TS_ALLOW_HOST, "localhost", 0, "localhost", "a single label" },
	{ "example.test:1", TS_ALLOW_HOST, "example.test", 1, "example.test:1", "port 1 is the lowest" },
	{ "example.test:65535", TS_ALLOW_HOST, "example.test", 65535, "example.test:65535", "port 65535 is the highest" },
	{ "example.test:08443", TS_ALLOW_HOST, "example.test", 8443, "example.test:08443", "leading zeros in a port are decimal" },
	/* wildcards */
	{ "*.example.test", TS_ALLOW_WILDCARD, ".example.test", 0, "*.example.test", "a wildcard keeps the dotted suffix" },
	{ "*.Example.Test:8443", TS_ALLOW_WILDCARD, ".example.test", 8443, "*.Example.Test:8443", "a wildcard with a port, lower-cased" },
	{ "*.test", TS_ALLOW_WILDCARD, ".test", 0, "*.test", "a one-label suffix" },
	/* IPv4 */
	{ "127.0.0.1", TS_ALLOW_IP4, "127.0.0.1", 0, "127.0.0.1", "an IPv4 literal" },
	{ "10.0.0.1:65535", TS_ALLOW_IP4, "10.0.0.1", 65535, "10.0.0.1:65535", "IPv4 with a port" },
	/* IPv6 */
	{ "[::1]", TS_ALLOW_IP6, "::1", 0, "[::1]", "bracketed IPv6 without a port" },
	{ "[::1]:8443", TS_ALLOW_IP6, "::1", 8443, "[::1]:8443", "[IPv6]:PORT" },
	{ "[2001:DB8::1]:443", TS_ALLOW_IP6, "2001:DB8::1", 443, "[2001:DB8::1]:443", "IPv6 pattern keeps the address text" },
	{ "[::ffff:10.0.0.1]", TS_ALLOW_IP4, "::ffff:10.0.0.1", 0, "[::ffff:10.0.0.1]", "IPv4-mapped IPv6 is stored as IPv4" },
	/* programs */
	{ "exe=/usr/bin/curl", TS_ALLOW_EXE, "/usr/bin/curl", 0, "exe=/usr/bin/curl", "exe= with an absolute path" },
	{ "exe=curl*", TS_ALLOW_EXE, "curl*", 0, "exe=curl*", "exe= with a glob" },
	{ "exe=*", TS_ALLOW_EXE, "*", 0, "exe=*", "exe=* parses (and covers every program)" },
	/* errors: each is reported and skipped */
	{ "::1", BAD, NULL, 0, NULL, "a bare IPv6 address" },
	{ "2001:db8::1:443", BAD, NULL, 0, NULL, "a bare IPv6 address with what looks like a port" },
	{ "*", BAD, NULL, 0, NULL, "'*' alone" },
	{ "*:443", BAD, NULL, 0, NULL, "'*' alone with a port" },
	{ "*foo.com", BAD, NULL, 0, NULL, "'*' not followed by '.'" },
	{ "*.", BAD, NULL, 0, NULL, "'*.' with no domain" },
	{ "*..test", BAD, NULL, 0, NULL, "'*.' followed by an empty label" },
	{ "a.*.com", BAD, NULL, 0, NULL, "'*' inside a name" },
	{ "*.*.example.test", BAD, NULL, 0, NULL, "two wildcard labels" },
	{ "foo*.com", BAD, NULL, 0, NULL, "'*' as part of a label" },
	{ ":443", BAD, NULL, 0, NULL, "empty host with a port" },
	{ "example.test:0", BAD, NULL, 0, NULL, "port 0" },
	{ "example.test:65536", BAD, NULL, 0, NULL, "port 65536" },
	{ "example.test:70000", BAD, NULL, 0, NULL, "port 70000" },
	{ "example.test:", BAD, NULL, 0, NULL, "empty port" },
	{ "example.test:+80", BAD, NULL, 0, NULL, "a sign before the port" },
	{ "example.test:-1", BAD, NULL, 0, NULL, "a negative port" },
	{ "example.test:80x", BAD, NULL, 0, NULL, "junk after the port" },
	{ "example.test:0x50", BAD, NULL, 0, NULL, "a hexadecimal port" },
	{ "example.test:99999999999999999999999", BAD, NULL, 0, NULL, "a port that overflows" },
	{ "exe=", BAD, NULL, 0, NULL, "an empty exe= glob" },
	{ "EXE=curl", BAD, NULL, 0, NULL, "the exe= keyword is lower-case" },
	{ "example..test", BAD, NULL, 0, NULL, "an empty label" },
	{ ".example.test", BAD, NULL, 0, NULL, "a leading dot" },
	{ "example.test.", BAD, NULL, 0, NULL, "a trailing dot in an entry" },
	{ "exa mple.test", BAD, NULL, 0, NULL, "a space inside a name" },
	{ "example.test/path", BAD, NULL, 0, NULL, "a path is not a name" },
	{ "https://example.test", BAD, NULL, 0, NULL, "a URL is not an entry" },
	{ "\xc3\xbc.test", BAD, NULL, 0, NULL, "non-ASCII bytes in a name" },
	{ "256.1.1.1", BAD, NULL, 0, NULL, "an IPv4 octet over 255" },
	{ "1.2.3", BAD, NULL, 0, NULL, "three-part IPv4" },
	{ "01.2.3.4", BAD, NULL, 0, NULL, "a leading zero in IPv4 (octal in some parsers)" },
	{ "123", BAD, NULL, 0, NULL, "a number is not a name" },
	{ "1.2.3.4.5", BAD, NULL, 0, NULL, "five-part IPv4" },
	{ "[::1", BAD, NULL, 0, NULL, "a missing ']'" },
	{ "[::1]:", BAD, NULL, 0, NULL, "[IPv6]: with an empty port" },
	{ "[::1]:0", BAD, NULL, 0, NULL, "[IPv6]:0" },
	{ "[::1]x", BAD, NULL, 0, NULL, "junk after ']'" },
	{ "[]", BAD, NULL, 0, NULL, "empty brackets" },
	{ "[example.test]", BAD, NULL, 0, NULL, "a name in brackets" },
	{ "[1.2.3.4]", BAD, NULL, 0, NULL, "IPv4 in brackets" },
	{ "[fe80::1%eth0]", BAD, NULL, 0, NULL, "a zone index is not accepted" },
	{ "[::1]:8443:1", BAD, NULL, 0, NULL, "two ports" },
};

static void test_allow_forms(void)
{
	for (size_t i = 0; i < sizeof(allow_cases) / sizeof(allow_cases[0]); i++) {
		const struct allow_case *c = &allow_cases[i];
		struct ts_allowlist l;
		struct rec r = { 0 };
		int bad = ts_parse_allow(c->in, &l, rec_report, &r);

		if (c->kind == BAD) {
			is_int(bad, 1, "allow error counted: %s ('%s')", c->why, c->in);
			is_int(l.n, 0, "allow error skipped: %s", c->why);
			is_int(r.n, 1, "allow error reported once: %s", c->why);
			is_str(r.var, "TRUSTSHIM_ALLOW", "allow report names the variable: %s", c->why);
			ok(strstr(r.reason, "unparsable allowlist entry") && strstr(r.reason, "ignored"),
			   "allow report says unparsable ... ignored: %s (%s)", c->why, r.reason);
		} else {
			is_int(bad, 0, "allow parses: %s ('%s')", c->why, c->in);
			is_int(r.n, 0, "allow no report: %s", c->why);
			is_int(l.n, 1, "allow one entry: %s", c->why);
			if (l.n == 1) {
				is_int(l.v[0].kind, c->kind, "allow kind: %s", c->why);
				is_str(l.v[0].pattern, c->pattern, "allow pattern: %s", c->why);
				is_int(l.v[0].port, c->port, "allow port: %s", c->why);
				is_str(l.v[0].text, c->text, "allow text: %s", c->why);
			}
		}
		ts_allowlist_free(&l);
	}
}

static void test_allow_addresses(void)
{
	struct ts_allowlist l;
	static const unsigned char lo6[16] = { [15] = 1 };
	static const unsigned char ten[4] = { 10, 0, 0, 1 };

	/* The binary address is what policy compares. */
	ts_parse_allow("[0:0::1]:443,127.0.0.1,[::ffff:10.0.0.1]", &l, NULL, NULL);
	is_int(l.n, 3, "addresses: three entries");
	if (l.n == 3) {
		ok(memcmp(l.v[0].addr, lo6, 16) == 0, "addresses: [0:0::1] is ::1 in binary");
		ok(memcmp(l.v[1].addr, "\x7f\0\0\x01", 4) == 0, "addresses: 127.0.0.1 in binary");
		ok(memcmp(l.v[2].addr, ten, 4) == 0, "addresses: mapped 10.0.0.1 stored as its IPv4 bytes");
	}
	ts_allowlist_free(&l);
}

/* ---- TRUSTSHIM_ALLOW: lists ---- */

static void test_allow_lists(void)
{
	struct ts_allowlist l;
	struct rec r = { 0 };
	int bad;

	/* NULL and empty lists. */
	is_int(ts_parse_allow(NULL, &l, rec_report, &r), 0, "list: NULL parses");
	is_int(l.n, 0, "list: NULL is empty");
	ts_allowlist_free(&l);
	is_int(ts_parse_allow("", &l, rec_report, &r), 0, "list: empty string parses");
	is_int(l.n, 0, "list: empty string is empty");
	ts_allowlist_free(&l);
	/* Empty entries are ignored, not errors. */
	is_int(ts_parse_allow(",, , \t,", &l, rec_report, &r), 0, "list: only empty entries");
	is_int(l.n, 0, "list: only empty entries give an empty list");
	is_int(r.n, 0, "list: empty entries are not reported");
	ts_allowlist_free(&l);

	/* Bad entries are skipped while the good ones beside them stay, in order. */
	memset(&r, 0, sizeof(r));
	bad = ts_parse_allow("good.test, ::1 ,*.ok.test,,  , exe=,[::1]:8443, a.*.com,exe=curl", &l, rec_report, &r);
	is_int(bad, 3, "list: three bad entries");
	is_int(r.n, 3, "list: three reports");
	is_str(r.value, "a.*.com", "list: the last report names the trimmed entry");
	is_int(l.n, 4, "list: four good entries kept");
	if (l.n == 4) {
		is_str(l.v[0].text, "good.test", "list: first good entry");
		is_str(l.v[1].text, "*.ok.test", "list: second good entry");
		is_str(l.v[2].text, "[::1]:8443", "list: third good entry");
		is_str(l.v[3].text, "exe=curl", "list: fourth good entry");
	}
	ts_allowlist_free(&l);
	is_int(l.n, 0, "list: free empties the list");
	ts_allowlist_free(&l); /* freeing twice is harmless */
}

/* ---- huge values ---- */

#define MB (1024 * 1024)

static char *repeat(const char *unit, size_t total, size_t *count)
{
	size_t ul = strlen(unit), n = total / ul;
	char *s = malloc(n * ul + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	s[n * ul] = '\0';
	*count = n;
	return s;
}

static void test_huge(void)
{
	struct ts_allowlist l;
	struct rec r = { 0 };
	size_t n;
	char *s;

	/* 1 MB of good entries: all kept. */
	s = repeat("h1.example.test:443,", MB, &n);
	is_int(ts_parse_allow(s, &l, rec_report, &r), 0, "huge: 1 MB of good entries parses");
	is_int(l.n, n, "huge: every entry kept");
	ts_allowlist_free(&l);
	free(s);

	/* 1 MB of bad entries: each reported by the pure parser, none kept. */
	memset(&r, 0, sizeof(r));
	s = repeat("::1,", MB, &n);
	is_int(ts_parse_allow(s, &l, rec_report, &r), n, "huge: 1 MB of bad entries all counted");
	is_int(l.n, 0, "huge: no bad entry kept");
	is_int(r.n, n, "huge: each bad entry reported to the pure parser's callback");
	ts_allowlist_free(&l);
	free(s);

	/* One 1 MB entry: a single label of 1 MB parses as a (useless) name... */
	s = repeat("a", MB, &n);
	is_int(ts_parse_allow(s, &l, NULL, NULL), 0, "huge: one 1 MB name parses");
	is_int(l.n, 1, "huge: one 1 MB name kept");
	ts_allowlist_free(&l);
	/* ...and with a '*' in the middle it is refused. */
	s[MB / 2] = '*';
	is_int(ts_parse_allow(s, &l, NULL, NULL), 1, "huge: one 1 MB bad entry refused");
	ts_allowlist_free(&l);
	/* A 1 MB mode and log value are refused without trouble. */
	{
		enum ts_mode m;
		enum ts_log_kind k;
		const char *p;

		is_int(ts_parse_mode(s, &m, NULL, NULL), -1, "huge: 1 MB mode refused");
		is_int(ts_parse_log(s, &k, &p, NULL, NULL), -1, "huge: 1 MB relative log refused");
	}
	free(s);

	/* 1 MB of commas. */
	s = repeat(",", MB, &n);
	is_int(ts_parse_allow(s, &l, NULL, NULL), 0, "huge: 1 MB of commas is an empty list");
	is_int(l.n, 0, "huge: 1 MB of commas keeps nothing");
	ts_allowlist_free(&l);
	free(s);
}

/* ---- snapshot and whole configuration ---- */

struct rec_all {
	int n;
	char vars[8][32];
};

static void rec_all_report(void *arg, const char *var, const char *value, const char *reason)
{
	struct rec_all *r = arg;

	(void)value;
	(void)reason;
	if (r->n < 8)
		snprintf(r->vars[r->n], sizeof(r->vars[0]), "%s", var);
	r->n++;
}

static void set_env(const char *mode, const char *allow, const char *log, const char *ca,
		    const char *ca_pem, const char *cache)
{
	const char *v[TS_ENV_N] = {
		[TS_ENV_CA] = ca, [TS_ENV_CA_PEM] = ca_pem, [TS_ENV_MODE] = mode,
		[TS_ENV_ALLOW] = allow, [TS_ENV_LOG] = log, [TS_ENV_CACHE] = cache,
	};

	for (int i = 0; i < TS_ENV_N; i++) {
		if (v[i] != NULL)
			setenv(ts_env_names[i], v[i], 1);
		else
			unsetenv(ts_env_names[i]);
	}
}

static void test_snapshot(void)
{
	struct ts_snapshot s;
	struct ts_config c;
	struct rec_all r = { 0 };

	/* A snapshot copies the strings: a later setenv changes nothing. */
	set_env(" Audit ", "ok.test:443,::1", "relative.log", "/etc/a.pem:/etc/b", "-----BEGIN", "off");
	ts_snapshot_take(&s, 0);
	set_env("off", "evil.test", "/tmp/other.log", NULL, NULL, NULL);
	ts_config_build(&c, &s, rec_all_report, &r);
	is_int(c.secure, 0, "snapshot: not secure");
	is_int(c.mode, TS_MODE_AUDIT, "snapshot: mode from before setenv");
	is_int(c.allow.n, 1, "snapshot: allowlist from before setenv (bad ::1 skipped)");
	if (c.allow.n == 1)
		is_str(c.allow.v[0].text, "ok.test:443", "snapshot: the good entry");
	is_int(c.log_kind, TS_LOG_DEFAULT, "snapshot: bad relative log falls back to default");
	is_str(c.ca, "/etc/a.pem:/etc/b", "snapshot: TRUSTSHIM_CA copied raw");
	is_str(c.ca_pem, "-----BEGIN", "snapshot: TRUSTSHIM_CA_PEM copied raw");
	is_int(c.cache_off, 1, "snapshot: TRUSTSHIM_CACHE=off");
	/* The log is parsed first, so its problem is reported first. */
	is_int(r.n, 2, "snapshot: two problems (log, allow)");
	is_str(r.vars[0], "TRUSTSHIM_LOG", "snapshot: log problem reported first");
	is_str(r.vars[1], "TRUSTSHIM_ALLOW", "snapshot: allow problem reported second");
	ts_config_free(&c);
	ts_snapshot_free(&s);

	/* AT_SECURE: every variable ignored, as if unset. */
	set_env("off", "evil.test", "/tmp/x.log", "/etc/a.pem", "PEM", "off");
	memset(&r, 0, sizeof(r));
	ts_snapshot_take(&s, 1);
	ts_config_build(&c, &s, rec_all_report, &r);
	is_int(c.secure, 1, "secure: marked secure");
	is_int(c.mode, TS_MODE_ENFORCE, "secure: mode off ignored, enforce");
	is_int(c.allow.n, 0, "secure: allowlist ignored");
	is_int(c.log_kind, TS_LOG_DEFAULT, "secure: log ignored");
	is_str(c.ca, NULL, "secure: no anchors");
	is_str(c.ca_pem, NULL, "secure: no inline anchors");
	is_int(c.cache_off, 0, "secure: cache setting ignored");
	is_int(r.n, 0, "secure: nothing reported");
	ts_config_free(&c);
	ts_snapshot_free(&s);

	/* Empty TRUSTSHIM_CA is unset; cache values. */
	set_env(NULL, NULL, NULL, "", "", "ON");
	memset(&r, 0, sizeof(r));
	ts_snapshot_take(&s, 0);
	ts_config_build(&c, &s, rec_all_report, &r);
	is_str(c.ca, NULL, "empty TRUSTSHIM_CA is unset");
	is_str(c.ca_pem, NULL, "empty TRUSTSHIM_CA_PEM is unset");
	is_int(c.cache_off, 0, "TRUSTSHIM_CACHE=ON keeps the cache");
	is_int(r.n, 0, "all unset: nothing reported");
	ts_config_free(&c);
	ts_snapshot_free(&s);

	set_env(NULL, NULL, NULL, NULL, NULL, "maybe");
	memset(&r, 0, sizeof(r));
	ts_snapshot_take(&s, 0);
	ts_config_build(&c, &s, rec_all_report, &r);
	is_int(c.cache_off, 0, "TRUSTSHIM_CACHE=maybe keeps the cache");
	is_int(r.n, 1, "TRUSTSHIM_CACHE=maybe is reported");
	ts_config_free(&c);
	ts_snapshot_free(&s);
}

/* ts_pending_flush calls its reporter with arg NULL, as the real one is. */
static struct rec flush_rec;

static void flush_report(void *arg, const char *var, const char *value, const char *reason)
{
	(void)arg;
	rec_report(&flush_rec, var, value, reason);
}

static void test_pending(void)
{
	struct ts_pending p = { 0 };
	char *big;
	size_t n;

	/* A flood of problems becomes TS_PENDING_MAX lines plus one summary. */
	big = repeat("::1,", MB, &n);
	{
		struct ts_allowlist l;

		ts_parse_allow(big, &l, ts_pending_add, &p);
		ts_allowlist_free(&l);
	}
	is_int(p.n, TS_PENDING_MAX, "pending: capped");
	is_int(p.dropped, n - TS_PENDING_MAX, "pending: the rest counted");
	free(big);

	/* A 1 MB value is cut for the line. */
	big = repeat("x", MB, &n);
	p.n = TS_PENDING_MAX - 1;
	{
		/* Make room for one: free the last kept report first. */
		struct ts_pending_report *last = &p.r[TS_PENDING_MAX - 1];

		free(last->var);
		free(last->value);
		free(last->reason);
	}
	ts_pending_add(&p, "TRUSTSHIM_MODE", big, "unknown mode");
	is_int(strlen(p.r[TS_PENDING_MAX - 1].value), TS_PENDING_VALUE_MAX + 3, "pending: value cut, with '...'");
	free(big);

	/* Flushing sends every kept report, then one summary. */
	memset(&flush_rec, 0, sizeof(flush_rec));
	ts_pending_flush(&p, flush_report);
	is_int(flush_rec.n, TS_PENDING_MAX + 1, "pending: every kept report plus a summary flushed");
	is_int(p.n, 0, "pending: flushed");
}

static void test_global(void)
{
	const struct ts_config *c;
	int found = 0;

	/* The constructor took a snapshot of whatever environment this test
	 * started with.  Forget it (test only: nothing else runs) and take one
	 * of a controlled environment. */
	ts_snapshot_free(&ts_snap);
	ts_snap_once = (pthread_once_t)PTHREAD_ONCE_INIT;
	set_env("audit", "ok.test, [::1", "stderr", NULL, NULL, NULL);
	ts_env_snapshot();
	ts_env_snapshot(); /* once only */
	/* Now the program tries to change its own policy. */
	set_env("off", "evil.test", "syslog", "/tmp/evil.pem", NULL, NULL);

	fake_cfg_errors = 0;
	c = ts_config();
	ok(c != NULL, "global: ts_config is never NULL");
	is_int(c->mode, TS_MODE_AUDIT, "global: setenv after the snapshot does not change the mode");
	is_int(c->log_kind, TS_LOG_STDERR, "global: nor the log");
	is_str(c->ca, NULL, "global: nor the anchors");
	for (size_t i = 0; i < c->allow.n; i++)
		if (strcmp(c->allow.v[i].pattern, "evil.test") == 0)
			found = 1;
	is_int(found, 0, "global: nor the allowlist");
	is_int(c->allow.n, 1, "global: the snapshot's good entry");
	is_int(fake_cfg_errors, 1, "global: the bad entry reported through the audit writer");
	is_str(fake_cfg_vars[0], "TRUSTSHIM_ALLOW", "global: reported against TRUSTSHIM_ALLOW");
	is_int(fake_reentered_ok, 1, "global: the writer could call ts_config() without deadlock");
	ok(ts_config() == c, "global: the same configuration every time");
	is_int(fake_cfg_errors, 1, "global: reports are sent once");
}

static void test_pending_summary(void)
{
	struct ts_pending p = { 0 };

	/* Five over the cap: the last line is the summary. */
	for (int i = 0; i < TS_PENDING_MAX + 5; i++)
		ts_pending_add(&p, "TRUSTSHIM_ALLOW", "::1", "unparsable");
	memset(&flush_rec, 0, sizeof(flush_rec));
	ts_pending_flush(&p, flush_report);
	is_int(flush_rec.n, TS_PENDING_MAX + 1, "summary: capped lines plus one summary");
	is_str(flush_rec.var, "TRUSTSHIM_ALLOW", "summary: names the variable");
	ok(strstr(flush_rec.reason, "not shown") != NULL, "summary: says problems were not shown");
	/* The flush frees what it sent. */
	is_int(p.n, 0, "summary: nothing left after the flush");
}

int main(void)
{
	test_mode();
	test_log();
	test_allow_forms();
	test_allow_addresses();
	test_allow_lists();
	test_huge();
	test_snapshot();
	test_pending();
	test_pending_summary();
	test_global();
	return done_testing();
}
