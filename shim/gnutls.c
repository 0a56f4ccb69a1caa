/* GnuTLS 3.x backend (libgnutls.so.30): trust injection, handshake-time
 * enforcement and attribution.  Every GnuTLS call goes through the resolved
 * table built from gnutls_api.h; the library is never linked.
 *
 * The one enforcement point is a session verify function that the shim
 * installs on every CLIENT session at gnutls_init.
 * _gnutls_run_verify_callback() (lib/handshake.c) runs the session's verify
 * function if one is set, otherwise the credentials' one, never both, after
 * the server's Certificate (TLS 1.2: STATE8) or CertificateVerify (TLS 1.3:
 * lib/handshake-tls13.c STATE106) and fails the handshake when it returns
 * non-zero.  So the shim's function runs the program's own (session or
 * credentials) function, which can only make things stricter, then verifies
 * the chain and the host name itself, and asks policy when the program would
 * have gone on with a certificate that fails.  Programs that verify only
 * after the handshake (wget, libcurl-gnutls: gnutls_certificate_verify_peers2
 * and their own host check) cannot be told apart at that point from the same
 * programs told not to check (--no-check-certificate, CURLOPT_SSL_VERIFYPEER
 * 0, whose only difference is that the later result is ignored), so a client
 * session that reaches the handshake with a failing certificate and no verify
 * function of its own is judged then.
 *
 * Trust: the anchors are added, lazily, to the trust list of credentials that
 * a client session uses (gnutls_credentials_set), never with
 * GNUTLS_TL_USE_IN_TLS, so that the program's own verify_peers* after the
 * handshake sees them; credentials a server session uses are never touched.
 * A client that loaded no trust at all is verified against system trust plus
 * the anchors, in a trust list the shim owns.
 *
 * Server sessions are not touched at all: no verify function, no anchors. */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchors.h"
#include "audit.h"
#include "config.h"
#include "gnutls_api.h"
#include "peer.h"
#include "policy.h"
#include "pyframes.h"
#include "resolve.h"

#define TS_EXPORT __attribute__((visibility("default")))

TS_GNUTLS_API(TS_SYM_TYPEDEF)
enum { TS_GNUTLS_API(TS_SYM_ENUM) TS_GNUTLS_COUNT };
static struct ts_sym gtls[] = { TS_GNUTLS_API(TS_SYM_ROW) };
#define R(name) TS_REAL(gtls, name)

#define TS_MAX_CHAIN 16   /* certificates of a peer chain the shim verifies */
#define TS_PY_CAP 2048

static pthread_once_t ready_once = PTHREAD_ONCE_INIT, shim_tl_once = PTHREAD_ONCE_INIT;
static atomic_int ready;             /* 1: every CALL row resolved, mode not off */
static gnutls_x509_trust_list_t shim_tl;  /* system trust + anchors, built on first need */

/* libgnutls calls gnutls_session_set_verify_function through its PLT from
 * gnutls_session_set_verify_cert (lib/auto-verify.c): the nested call must
 * be recognised as the library's, not the program's. */
static __thread int in_set_verify_cert;

/* ---- per-object state: small lock-protected tables keyed by pointer ---- */

/* A client session.  GnuTLS has no getter for a session's side
 * (gnutls_server_name_get even fails on clients), so only sessions that
 * gnutls_init made as GNUTLS_CLIENT are in the table. */
struct sess {
	struct sess *next;
	gnutls_session_t s;
	gnutls_certificate_verify_function *app_fn;  /* the program's session function (maybe lib's auto_verify_cb) */
	const void *app_fn_caller;    /* who installed it */
	int auto_verify;              /* gnutls_session_set_verify_cert{,2} was used */
	int auto_host;                /* ...with a host name */
	const void *auto_caller;
	const void *init_caller;      /* the code that made the session */
	int cb_ran;                   /* the shim's verify function ran in this handshake */
	char vc_host[256];            /* host given to set_verify_cert{,2} */
	char sni[256];                /* from gnutls_server_name_set */
	char *python;                 /* CPython frames at the first setter, or NULL */
};

/* Certificate credentials seen by a hook. */
struct cred {
	struct cred *next;
	gnutls_certificate_credentials_t c;
	gnutls_certificate_verify_function *app_fn;  /* the program's credentials function */
	int injected;                 /* anchors are in its trust list */
	int server;                   /* a server session uses it: never inject */
	unsigned char *added;         /* added[i]: anchor i was added by the shim (not already trusted) */
};

#define TS_BUCKETS 64
static struct sess *sess_tab[TS_BUCKETS];
static struct cred *cred_tab[TS_BUCKETS];
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned bucket(const void *p)
{
	uintptr_t u = (uintptr_t)p;

	return (unsigned)((u >> 4) ^ (u >> 12)) % TS_BUCKETS;
}

/* Call with tab_lock held. */
static struct sess *sess_find(gnutls_session_t s)
{
	struct sess *e;

	for (e = sess_tab[bucket(s)]; e != NULL; e = e->next)
		if (e->s == s)
			return e;
	return NULL;
}

static struct cred *cred_find(gnutls_certificate_credentials_t c, int create)
{
	struct cred *e;
	unsigned b = bucket(c);

	for (e = cred_tab[b]; e != NULL; e = e->next)
		if (e->c == c)
			return e;
	if (!create || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->c = c;
	e->next = cred_tab[b];
	cred_tab[b] = e;
	return e;
}

static void python_note(struct sess *e)
{
	char frames[TS_PY_CAP];

	if (e->python == NULL && ts_python_frames(frames, sizeof(frames)) > 0)
		e->python = strdup(frames);
}

/* ---- readiness ---- */

/* A fork while another thread holds the table lock must not leave the child
 * with a lock nobody will release (cwrap's fork lesson). */
static void tab_lock_take(void) { pthread_mutex_lock(&tab_lock); }
static void tab_lock_give(void) { pthread_mutex_unlock(&tab_lock); }

static void init_ready(void)
{
	ts_env_snapshot();
	if (ts_config()->mode == TS_MODE_OFF)
		return;
	if (!ts_resolve_calls(gtls, TS_GNUTLS_COUNT))
		return;  /* not GnuTLS 3.6.5+ as we know it: pass everything through */
	if (pthread_atfork(tab_lock_take, tab_lock_give, tab_lock_give) != 0)
		return;
	atomic_store(&ready, 1);
}

/* True when the shim acts on GnuTLS in this process. */
static int active(void)
{
	pthread_once(&ready_once, init_ready);
	return atomic_load(&ready);
}

/* ---- trust ---- */

static gnutls_x509_crt_t anchor_import(const struct ts_anchor *a)
{
	gnutls_datum_t d = { a->der, (unsigned)a->len };
	gnutls_x509_crt_t x;

	if (R(gnutls_x509_crt_init)(&x) < 0)
		return NULL;
	if (R(gnutls_x509_crt_import)(x, &d, GNUTLS_X509_FMT_DER) < 0) {
		R(gnutls_x509_crt_deinit)(x);
		return NULL;
	}
	return x;
}

/* Which anchors GnuTLS can parse: checked once per process, reported once
 * (count and sources), whatever path needs them first. */
static pthread_once_t anchors_once = PTHREAD_ONCE_INIT;
static unsigned char *anchor_good;   /* anchor_good[i]: ts_anchors()->v[i] parses */

static void check_anchors(void)
{
	const struct ts_anchors *a = ts_anchors();
	size_t i, n = 0;

	anchor_good = calloc(a->n ? a->n : 1, 1);
	for (i = 0; anchor_good != NULL && i < a->n; i++) {
		gnutls_x509_crt_t x = anchor_import(&a->v[i]);

		if (x == NULL) {
			ts_audit_config_error(NULL, "TRUSTSHIM_CA", a->v[i].source,
					      "GnuTLS cannot parse a certificate; skipped");
			continue;
		}
		R(gnutls_x509_crt_deinit)(x);
		anchor_good[i] = 1;
		n++;
	}
	ts_audit_anchors_loaded("gnutls", n, a->sources);
}

/* A fresh copy of anchor i (each trust list owns and frees what it holds:
 * verify-high.c gnutls_x509_trust_list_deinit(list, 1)), or NULL. */
static gnutls_x509_crt_t anchor_copy(size_t i)
{
	pthread_once(&anchors_once, check_anchors);
	if (anchor_good == NULL || !anchor_good[i])
		return NULL;
	return anchor_import(&ts_anchors()->v[i]);
}

/* System trust plus the anchors: what a client that loaded no roots of its
 * own is verified against.  Built on first need (Debian's system bundle
 * costs 10-30 ms to parse), never freed. */
static void build_shim_tl(void)
{
	const struct ts_anchors *a = ts_anchors();
	gnutls_x509_trust_list_t tl;
	size_t i;

	if (R(gnutls_x509_trust_list_init)(&tl, 0) < 0)
		return;
	R(gnutls_x509_trust_list_add_system_trust)(tl, 0, 0);
	for (i = 0; i < a->n; i++) {
		gnutls_x509_crt_t x = anchor_copy(i);

		if (x != NULL && R(gnutls_x509_trust_list_add_cas)(tl, &x, 1, 0) != 1)
			R(gnutls_x509_crt_deinit)(x);
	}
	shim_tl = tl;
}

static gnutls_x509_trust_list_t shim_trust(void)
{
	pthread_once(&shim_tl_once, build_shim_tl);
	return shim_tl;
}

/* Adds the anchors to the trust list of credentials a client session uses,
 * once per credentials object.  Without GNUTLS_TL_USE_IN_TLS, which
 * gnutls_certificate_set_x509_trust would use: that flag puts a CA's name in
 * a server's CertificateRequest (verify-high.c add_new_ca_to_rdn_seq).  Each
 * trust list owns and frees its certificates, so every list gets fresh
 * copies; an anchor the list already trusts is not added again. */
static void inject(gnutls_certificate_credentials_t c)
{
	const struct ts_anchors *a = ts_anchors();
	gnutls_x509_trust_list_t tl = NULL;
	struct cred *e;
	unsigned char *added;
	size_t i;

	pthread_once(&anchors_once, check_anchors);  /* the record, even for none */
	if (a->n == 0)
		return;
	if ((added = calloc(a->n, 1)) == NULL)
		return;
	pthread_mutex_lock(&tab_lock);
	e = cred_find(c, 1);
	if (e == NULL || e->injected || e->server) {
		pthread_mutex_unlock(&tab_lock);
		free(added);
		return;
	}
	e->injected = 1;
	pthread_mutex_unlock(&tab_lock);
	R(gnutls_certificate_get_trust_list)(c, &tl);
	for (i = 0; tl != NULL && i < a->n; i++) {
		gnutls_x509_crt_t x = anchor_copy(i);
		unsigned status = 1;

		if (x == NULL)
			continue;
		if (R(gnutls_x509_trust_list_verify_crt2)(tl, &x, 1, NULL, 0, 0, &status, NULL) == 0 && status == 0) {
			R(gnutls_x509_crt_deinit)(x);  /* already trusted */
			continue;
		}
		if (R(gnutls_x509_trust_list_add_cas)(tl, &x, 1, 0) == 1)
			added[i] = 1;
		else
			R(gnutls_x509_crt_deinit)(x);
	}
	pthread_mutex_lock(&tab_lock);
	if ((e = cred_find(c, 0)) != NULL && e->added == NULL)
		e->added = added, added = NULL;
	pthread_mutex_unlock(&tab_lock);
	free(added);
}

/* Credentials that a client session got first and a server session gets
 * now: the server must not trust the anchors, so the ones the shim added are
 * taken out again.  remove_cas also puts them on the list's blacklist
 * (verify-high.c); the program never trusted them, so nothing it trusts is
 * lost, and its client sessions still get the anchors from the shim's own
 * check at the handshake. */
static void uninject(gnutls_certificate_credentials_t c, unsigned char *added)
{
	const struct ts_anchors *a = ts_anchors();
	gnutls_x509_trust_list_t tl = NULL;
	size_t i;

	R(gnutls_certificate_get_trust_list)(c, &tl);
	for (i = 0; tl != NULL && added != NULL && i < a->n; i++) {
		gnutls_x509_crt_t x;

		if (!added[i] || (x = anchor_copy(i)) == NULL)
			continue;
		R(gnutls_x509_trust_list_remove_cas)(tl, &x, 1);
		R(gnutls_x509_crt_deinit)(x);  /* remove_cas keeps its own copy */
	}
	free(added);
}

/* ---- verification ---- */

/* What the status bits mean, as one phrase (no allocation on this path). */
static void status_text(unsigned st, char *buf, size_t cap)
{
	static const struct { unsigned bit; const char *text; } t[] = {
		{ GNUTLS_CERT_SIGNER_NOT_FOUND, "the certificate issuer is unknown" },
		{ GNUTLS_CERT_UNEXPECTED_OWNER, "the certificate does not match the host name" },
		{ GNUTLS_CERT_EXPIRED, "the certificate has expired" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "the certificate is not yet activated" },
		{ GNUTLS_CERT_REVOKED, "the certificate is revoked" },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "the certificate signer is not a CA" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM, "the certificate uses an insecure algorithm" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH, "the certificate is not for a TLS server" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE, "the certificate signature is invalid" },
		{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "the signer's constraints are violated" },
		{ GNUTLS_CERT_MISMATCH, "the certificate differs from the expected one" },
	};
	size_t i, used = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(t) / sizeof(t[0]) && used + 1 < cap; i++)
		if (st & t[i].bit)
			used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? "; " : "", t[i].text);
	if (buf[0] == 0)
		snprintf(buf, cap, "the certificate is not trusted (status 0x%x)", st);
}

/* The connection as the shim sees it. */
struct conn {
	char host[256];
	const char *host_source;   /* "app", "sni", "peer", "unknown" */
	struct ts_peer peer;
};

/* The socket the handshake was just read from (libcurl-gnutls pulls through
 * its own function; libgnutls's default pull is recv() on the transport,
 * lib/system.c), else the transport's descriptor. */
static void conn_identify(gnutls_session_t s, const struct sess *st, struct conn *c)
{
	int fd;

	memset(c, 0, sizeof(*c));
	if (ts_peer_lookup(-1, &c->peer) != 0) {
		fd = R(gnutls_transport_get_int)(s);
		if (fd < 0 || fd >= 65536 || ts_peer_lookup(fd, &c->peer) != 0)
			memset(&c->peer, 0, sizeof(c->peer));
	}
	if (st->vc_host[0]) {
		snprintf(c->host, sizeof(c->host), "%s", st->vc_host);
		c->host_source = "app";
	} else if (st->sni[0]) {
		snprintf(c->host, sizeof(c->host), "%s", st->sni);
		c->host_source = "sni";
	} else if (c->peer.ip[0]) {
		snprintf(c->host, sizeof(c->host), "%s", c->peer.ip);
		c->host_source = "peer";
	} else {
		c->host_source = "unknown";
	}
}

/* Verifies the peer's chain for host (a name or an IP literal; NULL: chain
 * only) as a TLS server certificate, against the trust of the session's
 * credentials (which holds the anchors), then against system trust plus the
 * anchors.  Default verification flags: a program's own loosening flags
 * (GNUTLS_VERIFY_ALLOW_BROKEN, ...) are not honoured here.  Returns 0 when
 * it verifies, else -1 with *status set (0 if no certificate). */
static int verify_peer(gnutls_session_t s, const char *host, unsigned *status)
{
	const gnutls_datum_t *raw;
	unsigned n = 0, i, got = 0;
	gnutls_x509_crt_t chain[TS_MAX_CHAIN];
	gnutls_typed_vdata_st data[2];
	unsigned nd = 0;
	void *cred = NULL;
	gnutls_x509_trust_list_t tl = NULL;
	int ok = 0;

	*status = 0;
	raw = R(gnutls_certificate_get_peers)(s, &n);
	if (raw == NULL || n == 0 || R(gnutls_certificate_type_get2)(s, GNUTLS_CTYPE_PEERS) != GNUTLS_CRT_X509)
		return -1;
	if (n > TS_MAX_CHAIN)
		n = TS_MAX_CHAIN;
	for (i = 0; i < n; i++) {
		if (R(gnutls_x509_crt_init)(&chain[got]) < 0)
			break;
		if (R(gnutls_x509_crt_import)(chain[got], &raw[i], GNUTLS_X509_FMT_DER) < 0) {
			R(gnutls_x509_crt_deinit)(chain[got]);
			break;
		}
		got++;
	}
	if (got == 0)
		return -1;
	if (host != NULL && *host) {
		/* check_hostname2 matches an IP literal against IP SANs
		 * (lib/x509/hostname-verify.c). */
		data[nd].type = GNUTLS_DT_DNS_HOSTNAME;
		data[nd].data = (unsigned char *)host;
		data[nd].size = 0;
		nd++;
	}
	data[nd].type = GNUTLS_DT_KEY_PURPOSE_OID;
	data[nd].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	data[nd].size = 0;
	nd++;

	if (R(gnutls_credentials_get)(s, GNUTLS_CRD_CERTIFICATE, &cred) >= 0 && cred != NULL)
		R(gnutls_certificate_get_trust_list)(cred, &tl);
	if (tl != NULL && R(gnutls_x509_trust_list_verify_crt2)(tl, chain, got, data, nd, 0, status, NULL) == 0
	    && *status == 0)
		ok = 1;
	if (!ok && (tl = shim_trust()) != NULL) {
		unsigned st2 = 0;

		/* Report what the program's trust says unless it lacks the
		 * issuer: the anchors are in it, so that is the nearer view. */
		if (R(gnutls_x509_trust_list_verify_crt2)(tl, chain, got, data, nd, 0, &st2, NULL) == 0) {
			if (st2 == 0)
				ok = 1;
			else if (*status == 0 || (*status & GNUTLS_CERT_SIGNER_NOT_FOUND))
				*status = st2;
		}
	}
	for (i = 0; i < got; i++)
		R(gnutls_x509_crt_deinit)(chain[i]);
	if (!ok && *status == 0)
		*status = GNUTLS_CERT_INVALID;
	return ok ? 0 : -1;
}

/* A copy of what the shim knows about a client session, taken under the
 * lock so that no lock is held while the program's callback runs. */
static int sess_snapshot(gnutls_session_t s, struct sess *out, char *python, size_t cap, int mark_ran)
{
	struct sess *e;

	pthread_mutex_lock(&tab_lock);
	e = sess_find(s);
	if (e != NULL) {
		*out = *e;
		out->next = NULL;
		out->python = NULL;
		if (e->python)
			snprintf(python, cap, "%s", e->python);
		if (mark_ran)
			e->cb_ran = 1;
	}
	pthread_mutex_unlock(&tab_lock);
	return e != NULL ? 0 : -1;
}

static gnutls_certificate_verify_function *cred_fn(gnutls_session_t s)
{
	void *c = NULL;
	struct cred *e;
	gnutls_certificate_verify_function *fn = NULL;

	if (R(gnutls_credentials_get)(s, GNUTLS_CRD_CERTIFICATE, &c) < 0 || c == NULL)
		return NULL;
	pthread_mutex_lock(&tab_lock);
	if ((e = cred_find(c, 0)) != NULL)
		fn = e->app_fn;
	pthread_mutex_unlock(&tab_lock);
	return fn;
}

/* Verifies a client session that the program would let through and asks
 * policy if it fails.  api/caller say how the program came to skip.
 * Returns 0 to go on, or a GnuTLS error that fails the handshake. */
static int judge(gnutls_session_t s, const struct sess *st, const char *api, const void *caller_addr,
		 const char *python)
{
	struct ts_attempt a = { .lib = "gnutls" };
	char caller[512], error[512], live_py[TS_PY_CAP];
	unsigned status;
	struct conn c;

	conn_identify(s, st, &c);
	if (verify_peer(s, c.host[0] ? c.host : NULL, &status) == 0)
		return 0;
	status_text(status, error, sizeof(error));
	if (caller_addr != NULL) {
		ts_describe_addr(caller_addr, caller, sizeof(caller));
		a.caller = caller;
	}
	if ((python == NULL || *python == 0) && ts_python_frames(live_py, sizeof(live_py)) > 0)
		python = live_py;
	a.api = api;
	a.python = python && *python ? python : NULL;
	a.host = c.host[0] ? c.host : NULL;
	a.host_source = c.host_source;
	a.peer_ip = c.peer.ip[0] ? c.peer.ip : NULL;
	a.port = c.peer.port;
	a.error = error;
	return ts_judge(&a) == TS_REFUSED ? GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR : 0;
}

/* The verify function on every client session (see the top of the file). */
static int ts_session_verify(gnutls_session_t s)
{
	struct sess st;
	char python[TS_PY_CAP] = "";
	gnutls_certificate_verify_function *cfn = NULL;
	const char *api;
	const void *caller;
	int r = 0;

	if (sess_snapshot(s, &st, python, sizeof(python), 1) != 0)
		return 0;  /* not ours (cannot happen: installed on client sessions only) */
	if (st.app_fn != NULL) {
		r = st.app_fn(s);
	} else if (st.auto_verify) {
		/* set_verify_cert's own function was not seen (a libgnutls that
		 * does not call set_verify_function through its PLT): do what
		 * lib/auto-verify.c auto_verify_cb does. */
		gnutls_typed_vdata_st d = { GNUTLS_DT_DNS_HOSTNAME, (unsigned char *)st.vc_host, 0 };
		unsigned status = 0;

		if (R(gnutls_certificate_verify_peers)(s, st.vc_host[0] ? &d : NULL, st.vc_host[0] ? 1 : 0, &status) < 0
		    || status != 0)
			r = GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
	} else if ((cfn = cred_fn(s)) != NULL) {
		r = cfn(s);
	}
	if (r != 0)
		return r;  /* the program refuses this certificate itself */

	if (st.auto_verify) {
		api = st.auto_host ? "gnutls_session_set_verify_cert (accepted a certificate that fails default verification)"
				   : "gnutls_session_set_verify_cert without a host name (no host-name check)";
		caller = st.auto_caller;
	} else if (st.app_fn != NULL) {
		api = "gnutls_session_set_verify_function (callback accepted a certificate that fails verification)";
		caller = (const void *)st.app_fn;
	} else if (cfn != NULL) {
		api = "gnutls_certificate_set_verify_function (callback accepted a certificate that fails verification)";
		caller = (const void *)cfn;
	} else {
		api = "handshake without a verify function (a later check may be skipped or ignored: wget --no-check-certificate, curl -k)";
		caller = st.init_caller;
	}
	return judge(s, &st, api, caller, python);
}

/* ---- hooks: each exported entry point is a one-liner ---- */

static int ts_init(gnutls_session_t *session, unsigned int flags, const void *caller)
{
	ts_gnutls_init_fn real = R(gnutls_init);
	struct sess *e;
	int r;

	if (real == NULL)
		return GNUTLS_E_INTERNAL_ERROR;
	r = real(session, flags);
	if (r < 0 || !(flags & GNUTLS_CLIENT) || session == NULL || *session == NULL || !active())
		return r;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return r;  /* no state: the session is passed through */
	e->s = *session;
	e->init_caller = caller;
	python_note(e);
	pthread_mutex_lock(&tab_lock);
	e->next = sess_tab[bucket(e->s)];
	sess_tab[bucket(e->s)] = e;
	pthread_mutex_unlock(&tab_lock);
	R(gnutls_session_set_verify_function)(*session, ts_session_verify);
	return r;
}

static void ts_deinit(gnutls_session_t s)
{
	ts_gnutls_deinit_fn real = R(gnutls_deinit);
	struct sess **pp, *e = NULL;

	if (s != NULL && atomic_load(&ready)) {
		pthread_mutex_lock(&tab_lock);
		for (pp = &sess_tab[bucket(s)]; *pp != NULL; pp = &(*pp)->next)
			if ((*pp)->s == s) {
				e = *pp;
				*pp = e->next;
				break;
			}
		pthread_mutex_unlock(&tab_lock);
		if (e != NULL) {
			free(e->python);
			free(e);
		}
	}
	if (real != NULL)
		real(s);
}

static int ts_credentials_set(gnutls_session_t s, gnutls_credentials_type_t type, void *cred)
{
	ts_gnutls_credentials_set_fn real = R(gnutls_credentials_set);
	unsigned char *added = NULL;
	int r, client, shared = 0;

	if (real == NULL)
		return GNUTLS_E_INTERNAL_ERROR;
	r = real(s, type, cred);
	if (r < 0 || type != GNUTLS_CRD_CERTIFICATE || cred == NULL || !active())
		return r;
	pthread_mutex_lock(&tab_lock);
	client = sess_find(s) != NULL;
	if (!client) {
		struct cred *e = cred_find(cred, 1);

		if (e != NULL && !e->server) {
			e->server = 1;
			if (e->injected) {
				e->injected = 0;
				added = e->added;
				e->added = NULL;
				shared = 1;
			}
		}
	}
	pthread_mutex_unlock(&tab_lock);
	if (client)
		inject(cred);
	else if (shared)
		uninject(cred, added);
	return r;
}

static int ts_server_name_set(gnutls_session_t s, gnutls_server_name_type_t type, const void *name, size_t len)
{
	ts_gnutls_server_name_set_fn real = R(gnutls_server_name_set);
	struct sess *e;
	int r;

	if (real == NULL)
		return GNUTLS_E_INTERNAL_ERROR;
	r = real(s, type, name, len);
	if (r < 0 || type != GNUTLS_NAME_DNS || name == NULL || !atomic_load(&ready))
		return r;
	pthread_mutex_lock(&tab_lock);
	if ((e = sess_find(s)) != NULL) {
		size_t n = len < sizeof(e->sni) - 1 ? len : sizeof(e->sni) - 1;

		memcpy(e->sni, name, n);
		e->sni[n] = 0;
	}
	pthread_mutex_unlock(&tab_lock);
	return r;
}

static void ts_session_set_verify_function(gnutls_session_t s, gnutls_certificate_verify_function *fn,
					   const void *caller)
{
	ts_gnutls_session_set_verify_function_fn real = R(gnutls_session_set_verify_function);
	struct sess *e;

	if (real == NULL)
		return;
	if (!atomic_load(&ready)) {
		real(s, fn);
		return;
	}
	pthread_mutex_lock(&tab_lock);
	if ((e = sess_find(s)) != NULL) {
		/* Ours stays installed; the program's runs inside it. */
		e->app_fn = fn;
		e->app_fn_caller = caller;
		if (!in_set_verify_cert) {
			/* The program's own function replaces auto-verification. */
			e->auto_verify = e->auto_host = 0;
			e->vc_host[0] = 0;
			python_note(e);
		}
	}
	pthread_mutex_unlock(&tab_lock);
	if (e == NULL)
		real(s, fn);
}

/* Both set_verify_cert forms: remember the host (for the record and for the
 * shim's own check) and keep the shim's function installed whether or not
 * libgnutls's nested set_verify_function call came through the hook. */
static void auto_verify_note(gnutls_session_t s, const char *host, const void *caller)
{
	ts_gnutls_session_set_verify_function_fn set = R(gnutls_session_set_verify_function);
	struct sess *e;

	pthread_mutex_lock(&tab_lock);
	if ((e = sess_find(s)) != NULL) {
		e->auto_verify = 1;
		e->auto_host = host != NULL && *host;
		e->auto_caller = caller;
		snprintf(e->vc_host, sizeof(e->vc_host), "%s", e->auto_host ? host : "");
		python_note(e);
	}
	pthread_mutex_unlock(&tab_lock);
	if (e != NULL && set != NULL)
		set(s, ts_session_verify);
}

static void ts_session_set_verify_cert(gnutls_session_t s, const char *host, unsigned flags, const void *caller)
{
	ts_gnutls_session_set_verify_cert_fn real = R(gnutls_session_set_verify_cert);

	if (real == NULL)
		return;
	in_set_verify_cert++;
	real(s, host, flags);
	in_set_verify_cert--;
	if (atomic_load(&ready))
		auto_verify_note(s, host, caller);
}

static void ts_session_set_verify_cert2(gnutls_session_t s, gnutls_typed_vdata_st *data, unsigned n,
					unsigned flags, const void *caller)
{
	ts_gnutls_session_set_verify_cert2_fn real = R(gnutls_session_set_verify_cert2);
	const char *host = NULL;
	unsigned i;

	if (real == NULL)
		return;
	in_set_verify_cert++;
	real(s, data, n, flags);
	in_set_verify_cert--;
	for (i = 0; data != NULL && i < n; i++)
		if (data[i].type == GNUTLS_DT_DNS_HOSTNAME && data[i].data != NULL)
			host = (const char *)data[i].data;
	if (atomic_load(&ready))
		auto_verify_note(s, host, caller);
}

static void ts_cred_set_verify_function(gnutls_certificate_credentials_t c, gnutls_certificate_verify_function *fn)
{
	ts_gnutls_certificate_set_verify_function_fn real = R(gnutls_certificate_set_verify_function);
	struct cred *e;

	if (real == NULL)
		return;
	/* Installed for real: server sessions run it as GnuTLS would; on a
	 * client session the shim's session function runs it. */
	real(c, fn);
	if (c == NULL || !active())
		return;
	pthread_mutex_lock(&tab_lock);
	if ((e = cred_find(c, 1)) != NULL)
		e->app_fn = fn;
	pthread_mutex_unlock(&tab_lock);
}

/* gnutls_certificate_set_trust_list frees the credentials' trust list and
 * takes the program's (lib/cert-cred-x509.c): anchors added before are gone. */
static void ts_set_trust_list(gnutls_certificate_credentials_t c, gnutls_x509_trust_list_t tl, unsigned flags)
{
	ts_gnutls_certificate_set_trust_list_fn real = R(gnutls_certificate_set_trust_list);
	struct cred *e;
	int again = 0;

	if (real == NULL)
		return;
	real(c, tl, flags);
	if (c == NULL || !atomic_load(&ready))
		return;
	pthread_mutex_lock(&tab_lock);
	if ((e = cred_find(c, 0)) != NULL && e->injected) {
		e->injected = 0;
		free(e->added);
		e->added = NULL;
		again = 1;
	}
	pthread_mutex_unlock(&tab_lock);
	if (again)
		inject(c);
}

static void ts_free_credentials(gnutls_certificate_credentials_t c)
{
	ts_gnutls_certificate_free_credentials_fn real = R(gnutls_certificate_free_credentials);
	struct cred **pp, *e = NULL;

	if (c != NULL && atomic_load(&ready)) {
		pthread_mutex_lock(&tab_lock);
		for (pp = &cred_tab[bucket(c)]; *pp != NULL; pp = &(*pp)->next)
			if ((*pp)->c == c) {
				e = *pp;
				*pp = e->next;
				break;
			}
		pthread_mutex_unlock(&tab_lock);
		if (e != NULL)
			free(e->added);
		free(e);
	}
	if (real != NULL)
		real(c);
}

/* A resumed handshake runs no verify function: TLS 1.3 selects a PSK and
 * _gnutls_run_verify_callback (lib/handshake.c) returns early on
 * HSK_PSK_SELECTED; TLS 1.2 resumption ran none either (measured with
 * gnutls-cli -r and a saved session).  The session still carries the peer's
 * certificates, so they are checked here, after the handshake returns. */
static int ts_handshake(gnutls_session_t s)
{
	ts_gnutls_handshake_fn real = R(gnutls_handshake);
	struct sess st;
	char python[TS_PY_CAP] = "";
	unsigned n = 0;
	int r;

	if (real == NULL)
		return GNUTLS_E_INTERNAL_ERROR;
	r = real(s);
	if (r != 0 || !atomic_load(&ready) || sess_snapshot(s, &st, python, sizeof(python), 0) != 0)
		return r;
	pthread_mutex_lock(&tab_lock);
	{
		struct sess *e = sess_find(s);

		if (e != NULL)
			e->cb_ran = 0;  /* the next handshake on this session starts afresh */
	}
	pthread_mutex_unlock(&tab_lock);
	if (st.cb_ran || !R(gnutls_session_is_resumed)(s) || R(gnutls_certificate_get_peers)(s, &n) == NULL || n == 0)
		return r;
	return judge(s, &st, "session resumption (no verify function runs on a resumed handshake)",
		     st.init_caller, python);
}

TS_EXPORT int gnutls_init(gnutls_session_t *session, unsigned int flags) { return ts_init(session, flags, __builtin_return_address(0)); }
TS_EXPORT void gnutls_deinit(gnutls_session_t session) { ts_deinit(session); }
TS_EXPORT int gnutls_credentials_set(gnutls_session_t session, gnutls_credentials_type_t type, void *cred) { return ts_credentials_set(session, type, cred); }
TS_EXPORT int gnutls_server_name_set(gnutls_session_t session, gnutls_server_name_type_t type, const void *name, size_t name_length) { return ts_server_name_set(session, type, name, name_length); }
TS_EXPORT void gnutls_session_set_verify_function(gnutls_session_t session, gnutls_certificate_verify_function *func) { ts_session_set_verify_function(session, func, __builtin_return_address(0)); }
TS_EXPORT void gnutls_session_set_verify_cert(gnutls_session_t session, const char *hostname, unsigned flags) { ts_session_set_verify_cert(session, hostname, flags, __builtin_return_address(0)); }
TS_EXPORT void gnutls_session_set_verify_cert2(gnutls_session_t session, gnutls_typed_vdata_st *data, unsigned elements, unsigned flags) { ts_session_set_verify_cert2(session, data, elements, flags, __builtin_return_address(0)); }
TS_EXPORT void gnutls_certificate_set_verify_function(gnutls_certificate_credentials_t cred, gnutls_certificate_verify_function *func) { ts_cred_set_verify_function(cred, func); }
TS_EXPORT void gnutls_certificate_set_trust_list(gnutls_certificate_credentials_t res, gnutls_x509_trust_list_t tlist, unsigned flags) { ts_set_trust_list(res, tlist, flags); }
TS_EXPORT void gnutls_certificate_free_credentials(gnutls_certificate_credentials_t sc) { ts_free_credentials(sc); }
TS_EXPORT int gnutls_handshake(gnutls_session_t session) { return ts_handshake(session); }
