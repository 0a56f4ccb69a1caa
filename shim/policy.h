/* The ONE place that decides what happens to an attempt to skip
 * verification.  Both backends call ts_judge. */
#ifndef TS_POLICY_H
#define TS_POLICY_H

#include "config.h"

/* What a backend saw at handshake time. */
struct ts_attempt {
	const char *lib;          /* "openssl" or "gnutls" */
	const char *host;         /* name or IP literal being verified; NULL if unknown */
	const char *host_source;  /* "sni", "peer", "app" or "unknown" */
	const char *peer_ip;      /* numeric peer address, NULL if unknown */
	unsigned port;            /* peer port, 0 if unknown */
	const char *api;          /* how verification was switched off, e.g. "SSL_CTX_set_verify(SSL_VERIFY_NONE)" */
	const char *caller;       /* "libcurl.so.4(Curl_ossl_connect+0x1a2)" or NULL */
	const char *python;       /* CPython frames "file:line in fn", innermost first, "\n"-separated; or NULL */
	const char *error;        /* what real verification said; NULL when it passed */
};

enum ts_verdict {
	TS_PASS = 0,   /* mode off: nothing touched, nothing recorded */
	TS_REFUSED,    /* enforce: the skip is refused, verification result stands */
	TS_ALLOWED,    /* an allowlist entry matched: the skip is honoured */
	TS_AUDITED     /* audit mode: the skip is honoured and recorded */
};

/* Does an allowlist entry cover this connection?  host may be a name or an
 * IP literal; peer_ip the numeric address; exe the absolute program path.
 * Returns the matching entry or NULL.  Pure, for unit tests and fuzzing. */
const struct ts_allow_entry *ts_allow_match(const struct ts_allowlist *l, const char *host,
					    const char *peer_ip, unsigned port, const char *exe);

/* Decides, then records the attempt through the audit writer.  */
enum ts_verdict ts_judge(const struct ts_attempt *a);

/* The same decision without recording (for callers that must know before
 * they act, e.g. to decide whether to bother re-verifying). */
enum ts_verdict ts_decide(const struct ts_attempt *a, const struct ts_allow_entry **rule);

#endif
