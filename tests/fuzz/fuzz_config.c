/* The TRUSTSHIM_* parsers of config.c (ts_parse_mode, ts_parse_log,
 * ts_parse_allow) and the TRUSTSHIM_CA path-list walk of anchors.c
 * (ts_anchors_load), each given the whole input as the variable's value.
 *
 * Invariants: every parser leaves a safe value (enforce; a log kind; an
 * allowlist of well-formed entries), reports exactly its failures, and the
 * allowlist never holds more entries than the value has comma-separated
 * pieces.  The CA walk runs in a fixture directory; entries that leave it
 * (absolute paths, "..") are not walked, so the fuzzer never reads the
 * machine's files. */
#include "fuzz.h"
#include "fixture.h"
#include "config.h"
#include "anchors.h"

#include <ctype.h>

struct reports {
	int n;
};

static void count_report(void *arg, const char *var, const char *value, const char *reason)
{
	struct reports *r = arg;

	FUZZ_CHECK(var != NULL && value != NULL && reason != NULL);
	FUZZ_CHECK(strncmp(var, "TRUSTSHIM_", 10) == 0);
	FUZZ_CHECK(reason[0] != '\0');
	r->n++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	fixture_make();
	return 0;
}

static void check_entry(const struct ts_allow_entry *e)
{
	FUZZ_CHECK(e->pattern != NULL && e->text != NULL);
	FUZZ_CHECK(e->text[0] != '\0');
	FUZZ_CHECK(e->port <= 65535);
	switch (e->kind) {
	case TS_ALLOW_HOST:
	case TS_ALLOW_WILDCARD:
		FUZZ_CHECK(e->pattern[0] != '\0');
		FUZZ_CHECK(strchr(e->pattern, '*') == NULL);
		FUZZ_CHECK(strchr(e->pattern, ':') == NULL);
		for (const char *p = e->pattern; *p; p++)
			FUZZ_CHECK(!isupper((unsigned char)*p));
		if (e->kind == TS_ALLOW_WILDCARD)
			FUZZ_CHECK(e->pattern[0] == '.' && e->pattern[1] != '\0' && e->pattern[1] != '.');
		break;
	case TS_ALLOW_IP4:
	case TS_ALLOW_IP6:
		break;
	case TS_ALLOW_EXE:
		FUZZ_CHECK(e->pattern[0] != '\0');
		break;
	default:
		FUZZ_CHECK(!"unknown entry kind");
	}
}

/* Does the CA list stay inside the fixture directory? */
static int stays_inside(const char *list)
{
	const char *p = list;

	if (strstr(list, "..") != NULL)
		return 0;
	for (;;) {
		if (*p == '/')
			return 0;
		p = strchr(p, ':');
		if (p == NULL)
			return 1;
		p++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct reports r = { 0 };
	enum ts_mode mode;
	enum ts_log_kind kind;
	const char *path;
	struct ts_allowlist l;
	int rc, bad;
	size_t pieces = 1;

	rc = ts_parse_mode(s, &mode, count_report, &r);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(r.n == (rc != 0));
	if (rc != 0)
		FUZZ_CHECK(mode == TS_MODE_ENFORCE);   /* a bad mode never weakens */
	FUZZ_CHECK(mode == TS_MODE_ENFORCE || mode == TS_MODE_AUDIT || mode == TS_MODE_OFF);

	r.n = 0;
	rc = ts_parse_log(s, &kind, &path, count_report, &r);
	FUZZ_CHECK(r.n == (rc != 0));
	if (kind == TS_LOG_FILE)
		FUZZ_CHECK(rc == 0 && path != NULL && path[0] == '/');
	else
		FUZZ_CHECK(path == NULL);

	r.n = 0;
	bad = ts_parse_allow(s, &l, count_report, &r);
	FUZZ_CHECK(bad >= 0 && bad == r.n);
	for (const char *p = s; *p; p++)
		pieces += *p == ',';
	FUZZ_CHECK(l.n + (size_t)bad <= pieces);
	for (size_t i = 0; i < l.n; i++)
		check_entry(&l.v[i]);
	ts_allowlist_free(&l);
	FUZZ_CHECK(l.v == NULL && l.n == 0);

	if (stays_inside(s)) {
		struct ts_anchors a;
		int n;

		r.n = 0;
		n = ts_anchors_load(s, NULL, &a, count_report, &r);
		FUZZ_CHECK(n >= 0 && (size_t)n == a.n);
		FUZZ_CHECK(a.n <= 1);      /* the fixture holds one distinct certificate */
		FUZZ_CHECK(a.sources != NULL);
		if (a.n == 0)
			FUZZ_CHECK(a.sources[0] == '\0');
		ts_anchors_free(&a);
		/* The same value as inline PEM. */
		r.n = 0;
		n = ts_anchors_load(NULL, s, &a, count_report, &r);
		FUZZ_CHECK(n >= 0 && (size_t)n == a.n);
		ts_anchors_free(&a);
	}
	free(s);
	return 0;
}
