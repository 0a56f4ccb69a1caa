/* Unit tests for shim/policy.c: allowlist matching and the decision.  The
 * .c files are included so that the configuration's state can be set. */
#include "tap.h"
#include "config.c"
#include "policy.c"

#include <stdlib.h>

/* ---- fakes for what audit.c provides ---- */

static const char *fake_exe = "/usr/bin/fake";
static int fake_attempts;
static enum ts_verdict fake_last_verdict;
static const char *fake_last_rule;
static const struct ts_attempt *fake_last_attempt;

const char *ts_exe(void)
{
	return fake_exe;
}

void ts_audit_attempt(const struct ts_attempt *a, enum ts_verdict v, const char *rule)
{
	fake_attempts++;
	fake_last_attempt = a;
	fake_last_verdict = v;
	fake_last_rule = rule;
}

void ts_audit_config_error(void *arg, const char *var, const char *value, const char *reason)
{
	(void)arg;
	(void)var;
	(void)value;
	(void)reason;
}

/* ---- ts_allow_match ---- */

static const struct match_case {
	const char *allow;
	const char *host;
	const char *peer_ip;
	unsigned port;
	const char *exe;
	const char *want;  /* text of the entry that matches, or NULL */
	const char *why;
} match_cases[] = {
	/* exact names */
	{ "example.test", "example.test", NULL, 443, NULL, "example.test", "exact name" },
	{ "example.test", "EXAMPLE.Test", NULL, 443, NULL, "example.test", "host compared case-insensitively" },
	{ "Example.TEST", "example.test", NULL, 443, NULL, "Example.TEST", "entry compared case-insensitively" },
	{ "example.test", "example.test.", NULL, 443, NULL, "example.test", "a trailing dot on the host is ignored" },
	{ "example.test", "example.test..", NULL, 443, NULL, NULL, "only one trailing dot is ignored" },
	{ "example.test", "www.example.test", NULL, 443, NULL, NULL, "an exact name does not cover subdomains" },
	{ "example.test", "example.testx", NULL, 443, NULL, NULL, "no prefix match" },
	{ "example.test", "xexample.test", NULL, 443, NULL, NULL, "no suffix match" },
	{ "example.test", "example", NULL, 443, NULL, NULL, "a shorter host" },
	{ "example.test", NULL, NULL, 443, NULL, NULL, "unknown host matches no name" },
	{ "example.test", "", NULL, 443, NULL, NULL, "empty host matches no name" },
	{ "example.test", ".", NULL, 443, NULL, NULL, "'.' matches no name" },
	{ "example.test", NULL, "example.test", 443, NULL, NULL, "a name never matches through peer_ip" },
	{ "localhost", "127.0.0.1", "127.0.0.1", 443, NULL, NULL, "a name does not cover its address" },
	/* ports */
	{ "example.test:8443", "example.test", NULL, 8443, NULL, "example.test:8443", "the entry's port" },
	{ "example.test:8443", "example.test", NULL, 443, NULL, NULL, "another port" },
	{ "example.test:8443", "example.test", NULL, 0, NULL, NULL, "unknown port never matches a port entry" },
	{ "example.test", "example.test", NULL, 0, NULL, "example.test", "an entry without a port covers an unknown port" },
	{ "example.test", "example.test", NULL, 65535, NULL, "example.test", "an entry without a port covers any port" },
	/* wildcards */
	{ "*.example.test", "a.example.test", NULL, 443, NULL, "*.example.test", "wildcard: one label" },
	{ "*.example.test", "a.b.example.test", NULL, 443, NULL, "*.example.test", "wildcard: two labels" },
	{ "*.example.test", "x.y.z.example.test", NULL, 443, NULL, "*.example.test", "wildcard: three labels" },
	{ "*.example.test", "example.test", NULL, 443, NULL, NULL, "wildcard: not the domain itself" },
	{ "*.example.test", "xexample.test", NULL, 443, NULL, NULL, "wildcard: not a longer last label" },
	{ "*.example.test", ".example.test", NULL, 443, NULL, NULL, "wildcard: empty label before the suffix" },
	{ "*.example.test", "a..example.test", NULL, 443, NULL, NULL, "wildcard: empty label inside the prefix" },
	{ "*.example.test", ".a.example.test", NULL, 443, NULL, NULL, "wildcard: leading dot" },
	{ "*.example.test", "A.EXAMPLE.TEST.", NULL, 443, NULL, "*.example.test", "wildcard: case and trailing dot" },
	{ "*.example.test", "a.example.test.evil", NULL, 443, NULL, NULL, "wildcard: suffix must end the name" },
	{ "*.example.test", "a.example.test..", NULL, 443, NULL, NULL, "wildcard: two trailing dots" },
	{ "*.Example.Test", "a.example.test", NULL, 443, NULL, "*.Example.Test", "wildcard: entry case-insensitive" },
	{ "*.example.test:443", "a.example.test", NULL, 443, NULL, "*.example.test:443", "wildcard with its port" },
	{ "*.example.test:443", "a.example.test", NULL, 8443, NULL, NULL, "wildcard with another port" },
	{ "*.example.test:443", "a.example.test", NULL, 0, NULL, NULL, "wildcard with an unknown port" },
	{ "*.0.0.1", "127.0.0.1", NULL, 443, NULL, NULL, "an address is never covered by a wildcard" },
	{ "*.0.0.1", "127.0.0.1.", NULL, 443, NULL, NULL, "nor an address with a trailing dot" },
	/* IPv4 */
	{ "127.0.0.1", "127.0.0.1", NULL, 443, NULL, "127.0.0.1", "IPv4 as the host" },
	{ "127.0.0.1", "localhost", "127.0.0.1", 443, NULL, "127.0.0.1", "IPv4 as the peer address" },
	{ "127.0.0.1", NULL, "127.0.0.1", 443, NULL, "127.0.0.1", "IPv4 peer, host unknown" },
	{ "127.0.0.1", "127.0.0.2", "127.0.0.2", 443, NULL, NULL, "another IPv4 address" },
	{ "127.0.0.1", NULL, "::ffff:127.0.0.1", 443, NULL, "127.0.0.1", "IPv4-mapped peer on a dual-stack socket" },
	{ "127.0.0.1", "127.000.000.001", NULL, 443, NULL, NULL, "a non-canonical spelling is not an address" },
	{ "127.0.0.1", "127.0.0.1.", NULL, 443, NULL, NULL, "an address with a trailing dot is not an address" },
	{ "127.0.0.1", NULL, NULL, 443, NULL, NULL, "host and peer unknown" },
	{ "127.0.0.1", "::1", "::1", 443, NULL, NULL, "IPv4 entry, IPv6 connection" },
	{ "127.0.0.1:8443", NULL, "127.0.0.1", 8443, NULL, "127.0.0.1:8443", "IPv4 with its port" },
	{ "127.0.0.1:8443", NULL, "127.0.0.1", 443, NULL, NULL, "IPv4 with another port" },
	{ "127.0.0.1:8443", NULL, "127.0.0.1", 0, NULL, NULL, "IPv4 with an unknown port" },
	{ "10.0.0.1", "10.0.0.1.example.test", NULL, 443, NULL, NULL, "a name that starts like the address" },
	/* IPv6 */
	{ "[::1]", "::1", NULL, 443, NULL, "[::1]", "IPv6 as the host" },
	{ "[::1]", "0:0::1", NULL, 443, NULL, "[::1]", "IPv6 compared as an address (0:0::1)" },
	{ "[::1]", "0:0:0:0:0:0:0:1", NULL, 443, NULL, "[::1]", "IPv6 compared as an address (full form)" },
	{ "[0:0::1]", "::1", NULL, 443, NULL, "[0:0::1]", "the entry may be non-canonical too" },
	{ "[::1]", "[::1]", NULL, 443, NULL, "[::1]", "a bracketed host" },
	{ "[::1]", NULL, "::1", 443, NULL, "[::1]", "IPv6 as the peer address" },
	{ "[::1]", "::2", "::2", 443, NULL, NULL, "another IPv6 address" },
	{ "[::1]", "127.0.0.1", "127.0.0.1", 443, NULL, NULL, "IPv6 entry, IPv4 connection" },
	{ "[::1]:8443", "::1", NULL, 8443, NULL, "[::1]:8443", "IPv6 with its port" },
	{ "[::1]:8443", "::1", NULL, 443, NULL, NULL, "IPv6 with another port" },
	{ "[2001:db8::1]", "2001:DB8:0::1", NULL, 443, NULL, "[2001:db8::1]", "IPv6 hex digits in any case" },
	{ "[::ffff:10.0.0.1]", NULL, "10.0.0.1", 443, NULL, "[::ffff:10.0.0.1]", "a mapped entry covers the IPv4 peer" },
	/* programs */
	{ "exe=/usr/bin/curl", NULL, NULL, 0, "/usr/bin/curl", "exe=/usr/bin/curl", "exe by absolute path" },
	{ "exe=/usr/bin/curl", NULL, NULL, 0, "/usr/local/bin/curl", NULL, "exe: another path" },
	{ "exe=/usr/bin/curl", "example.test", NULL, 443, NULL, NULL, "exe: unknown program" },
	{ "exe=curl", NULL, NULL, 0, "/usr/bin/curl", "exe=curl", "exe by basename" },
	{ "exe=curl", NULL, NULL, 0, "/usr/bin/curl-config", NULL, "exe: basename must match whole" },
	{ "exe=curl", NULL, NULL, 0, "/usr/bin/Curl", NULL, "exe: globs are case-sensitive" },
	{ "exe=py*", NULL, NULL, 0, "/usr/bin/python3", "exe=py*", "exe: a basename glob" },
	{ "exe=/opt/*/bin/app", NULL, NULL, 0, "/opt/x/bin/app", "exe=/opt/*/bin/app", "exe: a path glob" },
	{ "exe=/opt/*/bin/app", NULL, NULL, 0, "/srv/x/bin/app", NULL, "exe: a path glob elsewhere" },
	{ "exe=python3.1[01]", NULL, NULL, 0, "/usr/bin/python3.11", "exe=python3.1[01]", "exe: a bracket glob" },
	{ "exe=*", NULL, NULL, 0, "/bin/true", "exe=*", "exe=* covers every program" },
	{ "exe=example.test", "example.test", NULL, 443, "/bin/x", NULL, "an exe entry never matches a host" },
	{ "exe=curl", NULL, NULL, 0, "curl", "exe=curl", "exe without a directory" },
	/* lists */
	{ "a.test,*.test,exe=fake", "a.test", NULL, 443, "/usr/bin/fake", "a.test", "the first matching entry wins" },
	{ "b.test,*.test", "a.test", NULL, 443, NULL, "*.test", "a later entry matches" },
	{ "::1,exe=,*", "::1", "::1", 443, "/bin/x", NULL, "bad entries never widen the list" },
	{ "", "example.test", "127.0.0.1", 443, "/bin/x", NULL, "an empty list matches nothing" },
};

static void test_match(void)
{
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		struct ts_allowlist l;
		const struct ts_allow_entry *e;

		ts_parse_allow(c->allow, &l, NULL, NULL);
		e = ts_allow_match(&l, c->host, c->peer_ip, c->port, c->exe);
		is_str(e ? e->text : NULL, c->want, "match: %s", c->why);
		ts_allowlist_free(&l);
	}
	ok(ts_allow_match(NULL, "example.test", NULL, 443, NULL) == NULL, "match: NULL list");
}

/* ---- ts_decide and ts_judge ---- */

static const struct decide_case {
	enum ts_mode mode;
	const char *allow;
	const char *host;
	const char *peer_ip;
	unsigned port;
	const char *exe;
	enum ts_verdict want;
	const char *rule;
	const char *why;
} decide_cases[] = {
	{ TS_MODE_OFF, "example.test", "example.test", NULL, 443, "/bin/x", TS_PASS, NULL, "off: pass even when allowlisted" },
	{ TS_MODE_OFF, "", "example.test", NULL, 443, "/bin/x", TS_PASS, NULL, "off: pass, nothing recorded" },
	{ TS_MODE_ENFORCE, "example.test:443", "example.test", NULL, 443, "/bin/x", TS_ALLOWED, "example.test:443", "enforce: allowlisted host" },
	{ TS_MODE_ENFORCE, "example.test:443", "example.test", NULL, 8443, "/bin/x", TS_REFUSED, NULL, "enforce: another port is refused" },
	{ TS_MODE_ENFORCE, "", "example.test", NULL, 443, "/bin/x", TS_REFUSED, NULL, "enforce: empty allowlist refuses" },
	{ TS_MODE_ENFORCE, "127.0.0.1", "localhost", "127.0.0.1", 443, "/bin/x", TS_ALLOWED, "127.0.0.1", "enforce: allowlisted peer address" },
	{ TS_MODE_ENFORCE, "exe=curl", "example.test", NULL, 443, "/usr/bin/curl", TS_ALLOWED, "exe=curl", "enforce: allowlisted program (from ts_exe)" },
	{ TS_MODE_ENFORCE, "exe=curl", "example.test", NULL, 443, "/usr/bin/wget", TS_REFUSED, NULL, "enforce: another program" },
	{ TS_MODE_ENFORCE, "exe=curl", "example.test", NULL, 443, NULL, TS_REFUSED, NULL, "enforce: unknown program" },
	{ TS_MODE_AUDIT, "", "example.test", NULL, 443, "/bin/x", TS_AUDITED, NULL, "audit: not allowlisted is audited" },
	{ TS_MODE_AUDIT, "*.test", "a.test", NULL, 443, "/bin/x", TS_ALLOWED, "*.test", "audit: allowlisted is allowed" },
	{ TS_MODE_ENFORCE, "::1,*", "::1", "::1", 443, "/bin/x", TS_REFUSED, NULL, "enforce: bad entries do not allow" },
};

static void set_policy(enum ts_mode mode, const char *allow)
{
	ts_allowlist_free(&ts_cfg.allow);
	ts_cfg.mode = mode;
	ts_parse_allow(allow, &ts_cfg.allow, NULL, NULL);
}

static void test_decide(void)
{
	/* Parse whatever this process started with, then replace the policy:
	 * the once has run, so ts_config() returns ts_cfg as set here. */
	(void)ts_config();

	for (size_t i = 0; i < sizeof(decide_cases) / sizeof(decide_cases[0]); i++) {
		const struct decide_case *c = &decide_cases[i];
		struct ts_attempt a = {
			.lib = "openssl", .host = c->host, .host_source = "sni", .peer_ip = c->peer_ip,
			.port = c->port, .api = "SSL_CTX_set_verify(SSL_VERIFY_NONE)",
		};
		const struct ts_allow_entry *rule = (const void *)&a; /* must be overwritten */
		enum ts_verdict v;

		set_policy(c->mode, c->allow);
		fake_exe = c->exe;
		v = ts_decide(&a, &rule);
		is_int(v, c->want, "decide: %s", c->why);
		is_str(rule ? rule->text : NULL, c->rule, "decide rule: %s", c->why);
		is_int(fake_attempts, 0, "decide records nothing: %s", c->why);

		fake_attempts = 0;
		fake_last_rule = "unset";
		fake_last_attempt = NULL;
		v = ts_judge(&a);
		is_int(v, c->want, "judge: %s", c->why);
		if (c->want == TS_PASS) {
			is_int(fake_attempts, 0, "judge records nothing in off mode: %s", c->why);
		} else {
			is_int(fake_attempts, 1, "judge records once: %s", c->why);
			is_int(fake_last_verdict, c->want, "judge records the verdict: %s", c->why);
			is_str(fake_last_rule, c->rule, "judge records the rule: %s", c->why);
			ok(fake_last_attempt == &a, "judge records the attempt: %s", c->why);
		}
		fake_attempts = 0;
	}

	/* A NULL rule pointer and a NULL attempt are tolerated. */
	set_policy(TS_MODE_ENFORCE, "example.test");
	fake_exe = "/bin/x";
	{
		struct ts_attempt a = { .host = "example.test", .port = 443 };

		is_int(ts_decide(&a, NULL), TS_ALLOWED, "decide: NULL rule pointer");
	}
	is_int(ts_decide(NULL, NULL), TS_REFUSED, "decide: NULL attempt is refused in enforce mode");
	ts_allowlist_free(&ts_cfg.allow);
}

int main(void)
{
	test_match();
	test_decide();
	return done_testing();
}
