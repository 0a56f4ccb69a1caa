#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "policy.h"
#include "audit.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

/* An address in the form we compare: IPv4-mapped IPv6 ("::ffff:1.2.3.4",
 * what getpeername gives on a dual-stack socket) counts as IPv4. */
struct ts_ip {
	int family;             /* 0: not an address, 4 or 6 */
	unsigned char b[16];
};

static void ts_ip_parse(const char *s, size_t len, struct ts_ip *ip)
{
	char buf[64];

	ip->family = 0;
	if (s == NULL)
		return;
	/* "[::1]" as a host is the same address as "::1". */
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(buf))
		return;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, ip->b) == 1) {
		ip->family = 4;
	} else if (inet_pton(AF_INET6, buf, ip->b) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		ip->family = 6;
		if (memcmp(ip->b, mapped, sizeof(mapped)) == 0) {
			memmove(ip->b, ip->b + 12, 4);
			ip->family = 4;
		}
	}
}

static int ts_ip_is(const struct ts_ip *ip, const struct ts_allow_entry *e)
{
	if (e->kind == TS_ALLOW_IP4)
		return ip->family == 4 && memcmp(ip->b, e->addr, 4) == 0;
	return ip->family == 6 && memcmp(ip->b, e->addr, 16) == 0;
}

/* host[0..len) ends with the entry's ".suffix" and what comes before it is
 * one label or more, none empty. */
static int ts_wildcard_covers(const char *host, size_t len, const char *suffix)
{
	size_t slen = strlen(suffix), plen;

	if (len <= slen || strncasecmp(host + len - slen, suffix, slen) != 0)
		return 0;
	plen = len - slen;
	if (host[0] == '.' || host[plen - 1] == '.')
		return 0;
	for (size_t i = 1; i < plen; i++)
		if (host[i] == '.' && host[i - 1] == '.')
			return 0;
	return 1;
}

static int ts_exe_matches(const char *glob, const char *exe)
{
	const char *base = strrchr(exe, '/');

	if (fnmatch(glob, exe, 0) == 0)
		return 1;
	return base != NULL && fnmatch(glob, base + 1, 0) == 0;
}

const struct ts_allow_entry *ts_allow_match(const struct ts_allowlist *l, const char *host,
					    const char *peer_ip, unsigned port, const char *exe)
{
	struct ts_ip host_ip, host_ip_dot, peer;
	size_t hlen = 0;

	if (l == NULL)
		return NULL;
	if (host != NULL) {
		hlen = strlen(host);
		ts_ip_parse(host, hlen, &host_ip);
		/* "example.test." is the same name as "example.test". */
		if (hlen > 0 && host[hlen - 1] == '.')
			hlen--;
		/* "127.0.0.1." is no address to compare, yet no name either. */
		ts_ip_parse(host, hlen, &host_ip_dot);
	} else {
		host_ip.family = host_ip_dot.family = 0;
	}
	ts_ip_parse(peer_ip, peer_ip ? strlen(peer_ip) : 0, &peer);

	for (size_t i = 0; i < l->n; i++) {
		const struct ts_allow_entry *e = &l->v[i];

		if (e->kind == TS_ALLOW_EXE) {
			if (exe != NULL && ts_exe_matches(e->pattern, exe))
				return e;
			continue;
		}
		/* Port 0 in an attempt is "unknown": it never satisfies an
		 * entry that names a port. */
		if (e->port != 0 && e->port != port)
			continue;
		switch (e->kind) {
		case TS_ALLOW_HOST:
			/* An address is never a name: "*.0.0.1" must not
			 * cover 127.0.0.1. */
			if (host != NULL && host_ip_dot.family == 0 && hlen > 0 &&
			    strlen(e->pattern) == hlen && strncasecmp(e->pattern, host, hlen) == 0)
				return e;
			break;
		case TS_ALLOW_WILDCARD:
			if (host != NULL && host_ip_dot.family == 0 && ts_wildcard_covers(host, hlen, e->pattern))
				return e;
			break;
		case TS_ALLOW_IP4:
		case TS_ALLOW_IP6:
			if (ts_ip_is(&host_ip, e) || ts_ip_is(&peer, e))
				return e;
			break;
		case TS_ALLOW_EXE:
			break;
		}
	}
	return NULL;
}

enum ts_verdict ts_decide(const struct ts_attempt *a, const struct ts_allow_entry **rule)
{
	const struct ts_config *c = ts_config();
	const struct ts_allow_entry *e;

	if (rule != NULL)
		*rule = NULL;
	if (c->mode == TS_MODE_OFF)
		return TS_PASS;
	e = ts_allow_match(&c->allow, a ? a->host : NULL, a ? a->peer_ip : NULL, a ? a->port : 0, ts_exe());
	if (e != NULL) {
		if (rule != NULL)
			*rule = e;
		return TS_ALLOWED;
	}
	return c->mode == TS_MODE_AUDIT ? TS_AUDITED : TS_REFUSED;
}

enum ts_verdict ts_judge(const struct ts_attempt *a)
{
	const struct ts_allow_entry *rule;
	enum ts_verdict v = ts_decide(a, &rule);

	if (v != TS_PASS)
		ts_audit_attempt(a, v, rule ? rule->text : NULL);
	return v;
}
