/* The allowlist matcher (policy.c ts_allow_match) on an allowlist parsed by
 * config.c and an arbitrary connection.
 *
 * Input: five lines: TRUSTSHIM_ALLOW, host, peer_ip, port (decimal, taken
 * modulo 65536), exe.  An empty host/peer/exe line means NULL.
 *
 * Invariants: the match is an entry of the list, and that entry really
 * covers the connection by an independent reading of the grammar (port;
 * exact name, case-insensitive, one trailing dot ignored; a wildcard needs
 * one label or more; an address literal never matches a name; addresses
 * compare as addresses; exe globs by fnmatch).  The first covering entry
 * wins: matching the same connection against each entry alone finds no
 * earlier one. */
#include "fuzz.h"
#include "config.h"
#include "policy.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <strings.h>

static int parse_addr(const char *s, unsigned char out[16], int *fam)
{
	char buf[80];
	size_t n;

	*fam = 0;
	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(AF_INET, buf, out) == 1) {
		*fam = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		*fam = 6;
		if (memcmp(out, mapped, 12) == 0) {
			memmove(out, out + 12, 4);
			*fam = 4;
		}
		return 0;
	}
	return -1;
}

/* ".suffix" at the end, one label or more (none empty) before it. */
static int wildcard_covers(const char *h, size_t hl, const char *suffix)
{
	size_t sl = strlen(suffix), pl;

	if (hl <= sl || strcasecmp(h + hl - sl, suffix) != 0)
		return 0;
	pl = hl - sl;
	if (h[0] == '.' || h[pl - 1] == '.')
		return 0;
	for (size_t i = 1; i < pl; i++)
		if (h[i] == '.' && h[i - 1] == '.')
			return 0;
	return 1;
}

/* Independent reading of "does e cover this connection". */
static int covers(const struct ts_allow_entry *e, const char *host, const char *peer, unsigned port, const char *exe)
{
	unsigned char a[16];
	int fam;
	char *h;
	size_t hl;
	int r;

	if (e->kind == TS_ALLOW_EXE) {
		const char *b = exe ? strrchr(exe, '/') : NULL;
		return exe != NULL && (fnmatch(e->pattern, exe, 0) == 0 || (b && fnmatch(e->pattern, b + 1, 0) == 0));
	}
	if (e->port != 0 && e->port != port)
		return 0;
	if (e->kind == TS_ALLOW_IP4 || e->kind == TS_ALLOW_IP6) {
		int want = e->kind == TS_ALLOW_IP4 ? 4 : 6;
		size_t len = want == 4 ? 4 : 16;
		if (parse_addr(host, a, &fam) == 0 && fam == want && memcmp(a, e->addr, len) == 0)
			return 1;
		if (parse_addr(peer, a, &fam) == 0 && fam == want && memcmp(a, e->addr, len) == 0)
			return 1;
		return 0;
	}
	if (host == NULL || (h = strdup(host)) == NULL)
		return 0;
	hl = strlen(h);
	if (hl > 0 && h[hl - 1] == '.')
		h[--hl] = 0;
	if (hl == 0 || parse_addr(h, a, &fam) == 0)
		r = 0;   /* an address (with or without the dot) is no name */
	else if (e->kind == TS_ALLOW_HOST)
		r = strcasecmp(h, e->pattern) == 0;
	else
		r = wildcard_covers(h, hl, e->pattern);
	free(h);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **f = fuzz_fields(data, size, 5);
	struct ts_allowlist l;
	const char *host = f[1][0] ? f[1] : NULL, *peer = f[2][0] ? f[2] : NULL, *exe = f[4][0] ? f[4] : NULL;
	unsigned port = (unsigned)(strtoul(f[3], NULL, 10) % 65536);
	const struct ts_allow_entry *m;

	ts_parse_allow(f[0], &l, NULL, NULL);
	m = ts_allow_match(&l, host, peer, port, exe);
	FUZZ_CHECK(ts_allow_match(NULL, host, peer, port, exe) == NULL);
	if (m != NULL) {
		FUZZ_CHECK(m >= l.v && m < l.v + l.n);
		FUZZ_CHECK(covers(m, host, peer, port, exe));
	}
	/* First covering entry wins, and nothing covers when m is NULL. */
	for (size_t i = 0; i < l.n; i++) {
		struct ts_allowlist one = { &l.v[i], 1 };
		const struct ts_allow_entry *m1 = ts_allow_match(&one, host, peer, port, exe);

		FUZZ_CHECK((m1 != NULL) == covers(&l.v[i], host, peer, port, exe));
		if (m == NULL || &l.v[i] < m)
			FUZZ_CHECK(m1 == NULL);
		else if (&l.v[i] == m)
			FUZZ_CHECK(m1 == &l.v[i]);
	}
	ts_allowlist_free(&l);
	fuzz_fields_free(f, 5);
	return 0;
}
