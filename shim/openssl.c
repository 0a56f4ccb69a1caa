/* OpenSSL 3 backend: trust injection, handshake-time enforcement and
 * attribution.  Every OpenSSL call goes through the resolved table built from
 * openssl_api.h; the library is never linked.
 *
 * The one enforcement point is a cert_verify_callback installed on every
 * context.  ssl_verify_cert_chain() (ssl/ssl_cert.c) calls it instead of
 * X509_verify_cert(), and tls_post_process_server_certificate()
 * (ssl/statem/statem_clnt.c) reads verify_mode only after it returns, in TLS
 * 1.2 and 1.3 alike.  So the callback can judge the state really in force for
 * this connection, run the real verification, and fail the handshake by
 * returning 0 with SSL_VERIFY_PEER set.  Setters are never judged: CPython
 * sets mode 0 while it builds a context and IO::Socket::SSL sets 0 when it
 * frees one; they only leave a note of who set what, for the record. */
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <openssl/err.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchors.h"
#include "audit.h"
#include "bundle_cache.h"
#include "config.h"
#include "openssl_api.h"
#include "peer.h"
#include "policy.h"
#include "pyframes.h"
#include "resolve.h"

#define TS_EXPORT __attribute__((visibility("default")))

TS_OPENSSL_API(TS_SYM_TYPEDEF)
enum { TS_OPENSSL_API(TS_SYM_ENUM) TS_OSSL_COUNT };
static struct ts_sym ossl[] = { TS_OPENSSL_API(TS_SYM_ROW) };
#define R(name) TS_REAL(ossl, name)

/* Who last switched verification off on a context or connection, noted at
 * the setter so that the handshake-time record can name the code. */
struct origin {
	const char *api;        /* static string */
	const void *caller;     /* return address of the setter call */
	char *python;           /* CPython frames at that call, or NULL */
};

struct ctx_state {
	int (*app_cb)(X509_STORE_CTX *, void *);  /* the program's cert_verify_callback */
	void *app_arg;
	struct origin off;      /* guarded by origin_lock */
};

struct ssl_state {
	struct origin off;
};

static int ctx_idx = -1, ssl_idx = -1, store_idx = -1;
static X509 **anchor_x509;      /* parsed once per process, shared by reference */
static size_t anchor_count;
static X509_STORE *shim_store;  /* system default paths + anchors, built on first need */
static pthread_once_t ready_once = PTHREAD_ONCE_INIT, shim_store_once = PTHREAD_ONCE_INIT;
static atomic_int ready;        /* 1: every CALL resolved and indices allocated */
/* Guards every context's origin (off.python) against concurrent setters.
 * One lock for the process, not one per context, so that an atfork handler
 * can hold it across fork(): a child that inherited it locked by a thread
 * that does not exist there hung in its next SSL_CTX_set_verify on a
 * context made before the fork (tests/integration/harden_fork.t). */
static pthread_mutex_t origin_lock = PTHREAD_MUTEX_INITIALIZER;

static void origin_lock_take(void) { pthread_mutex_lock(&origin_lock); }
static void origin_lock_drop(void) { pthread_mutex_unlock(&origin_lock); }

/* Registered in init_ready, at the first TLS call: the lock is never taken
 * before it, and a process without TLS pays nothing at start-up.  A leaf
 * lock: nothing else is taken while it is held, so the order of the prepare
 * handlers does not matter. */
static void origin_lock_atfork(void)
{
	pthread_atfork(origin_lock_take, origin_lock_drop, origin_lock_drop);
}

static void origin_clear(struct origin *o)
{
	free(o->python);
	memset(o, 0, sizeof(*o));
}

static void origin_set(struct origin *o, const char *api, const void *caller)
{
	char frames[6144];

	origin_clear(o);
	o->api = api;
	o->caller = caller;
	if (ts_python_frames(frames, sizeof(frames)) > 0)
		o->python = strdup(frames);
}

static void ctx_state_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct ctx_state *st = ptr;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (st == NULL)
		return;
	origin_clear(&st->off);
	free(st);
}

static void ssl_state_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct ssl_state *st = ptr;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (st == NULL)
		return;
	origin_clear(&st->off);
	free(st);
}

static void parse_anchors(void)
{
	const struct ts_anchors *a = ts_anchors();
	size_t i;

	anchor_x509 = calloc(a->n ? a->n : 1, sizeof(*anchor_x509));
	if (anchor_x509 == NULL)
		return;
	R(ERR_set_mark)();
	for (i = 0; i < a->n; i++) {
		const unsigned char *p = a->v[i].der;
		X509 *x = R(d2i_X509)(NULL, &p, (long)a->v[i].len);

		if (x == NULL) {
			ts_audit_config_error(NULL, "TRUSTSHIM_CA", a->v[i].source,
					      "OpenSSL cannot parse a certificate; skipped");
			continue;
		}
		anchor_x509[anchor_count++] = x;
	}
	R(ERR_pop_to_mark)();
	ts_audit_anchors_loaded("openssl", anchor_count, a->sources);
}

static void init_ready(void)
{
	ts_env_snapshot();
	if (ts_config()->mode == TS_MODE_OFF)
		return;
	origin_lock_atfork();
	if (!ts_resolve_calls(ossl, TS_OSSL_COUNT))
		return;  /* not OpenSSL 3 as we know it: pass everything through */
	ctx_idx = R(CRYPTO_get_ex_new_index)(CRYPTO_EX_INDEX_SSL_CTX, 0, NULL, NULL, NULL, ctx_state_free);
	ssl_idx = R(CRYPTO_get_ex_new_index)(CRYPTO_EX_INDEX_SSL, 0, NULL, NULL, NULL, ssl_state_free);
	store_idx = R(CRYPTO_get_ex_new_index)(CRYPTO_EX_INDEX_X509_STORE, 0, NULL, NULL, NULL, NULL);
	if (ctx_idx < 0 || ssl_idx < 0 || store_idx < 0)
		return;
	parse_anchors();
	atomic_store(&ready, 1);
}

/* True when the shim acts on OpenSSL in this process. */
static int active(void)
{
	pthread_once(&ready_once, init_ready);
	return atomic_load(&ready);
}

int ts_openssl_active(void)
{
	return active();
}

struct ts_sym *ts_openssl_syms(void)
{
	return ossl;
}

static int ts_cert_verify(X509_STORE_CTX *xctx, void *arg);

/* Once per context; SSL_CTX_new reaches SSL_CTX_new_ex through libssl's PLT,
 * so both hooks see the same context. */
static struct ctx_state *ctx_setup(SSL_CTX *ctx)
{
	struct ctx_state *st = R(SSL_CTX_get_ex_data)(ctx, ctx_idx);

	if (st != NULL)
		return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	if (!R(SSL_CTX_set_ex_data)(ctx, ctx_idx, st)) {
		ctx_state_free(NULL, st, NULL, 0, 0, NULL);
		return NULL;
	}
	R(SSL_CTX_set_cert_verify_callback)(ctx, ts_cert_verify, NULL);
	return st;
}

static struct ssl_state *ssl_setup(SSL *s)
{
	struct ssl_state *st = R(SSL_get_ex_data)(s, ssl_idx);

	if (st != NULL)
		return st;
	st = calloc(1, sizeof(*st));
	if (st != NULL && !R(SSL_set_ex_data)(s, ssl_idx, st)) {
		free(st);
		st = NULL;
	}
	return st;
}

/* ---- trust ---- */

/* Adds the anchors to a store the program verifies a client connection with.
 * Done lazily, at the first client verification with that store, so that a
 * server's store never gains them; marked so it happens once per store. */
static void inject(X509_STORE *store)
{
	size_t i;

	if (store == NULL || anchor_count == 0 || R(X509_STORE_get_ex_data)(store, store_idx) != NULL)
		return;
	R(ERR_set_mark)();
	for (i = 0; i < anchor_count; i++)
		R(X509_STORE_add_cert)(store, anchor_x509[i]);  /* a duplicate returns 1 */
	R(ERR_pop_to_mark)();
	R(X509_STORE_set_ex_data)(store, store_idx, (void *)1);
}

static int is_anchor(X509 *x)
{
	size_t i;

	for (i = 0; i < anchor_count; i++)
		if (anchor_x509[i] == x)
			return 1;
	return 0;
}

/* System trust plus the anchors: what a client that loaded no roots of its
 * own (curl -k, python's unverified context) is verified against. */
static void build_shim_store(void)
{
	X509_STORE *st;
	size_t i;

	R(ERR_set_mark)();
	st = R(X509_STORE_new)();
	if (st != NULL) {
		R(X509_STORE_set_default_paths)(st);
		for (i = 0; i < anchor_count; i++)
			R(X509_STORE_add_cert)(st, anchor_x509[i]);
	}
	R(ERR_pop_to_mark)();
	shim_store = st;
}

/* ---- the connection ---- */

struct conn {
	char host[256];
	const char *host_source;   /* "app", "sni", "peer", "unknown" */
	int app_checks_host;       /* the program asked OpenSSL to check a name or IP */
	struct ts_peer peer;
};

static void conn_identify(SSL *s, X509_STORE_CTX *xctx, struct conn *c)
{
	X509_VERIFY_PARAM *param = R(X509_STORE_CTX_get0_param)(xctx);
	const char *h = param ? R(X509_VERIFY_PARAM_get0_host)(param, 0) : NULL;
	char *ip = NULL;

	memset(c, 0, sizeof(*c));
	ts_peer_lookup(R(SSL_get_fd)(s), &c->peer);
	if (h == NULL && param != NULL)
		h = ip = R(X509_VERIFY_PARAM_get1_ip_asc)(param);
	if (h != NULL) {
		c->app_checks_host = 1;
		c->host_source = "app";
	} else if ((h = R(SSL_get_servername)(s, TLSEXT_NAMETYPE_host_name)) != NULL && *h) {
		c->host_source = "sni";
	} else if (c->peer.ip[0]) {
		h = c->peer.ip;
		c->host_source = "peer";
	} else {
		h = NULL;
		c->host_source = "unknown";
	}
	if (h != NULL)
		snprintf(c->host, sizeof(c->host), "%s", h);
	if (ip != NULL)
		R(CRYPTO_free)(ip, __FILE__, __LINE__);
}

/* Verifies cert+untrusted against store with the connection's parameters,
 * on a fresh context (X509_verify_cert twice on one context fails with 69).
 * When the program did not ask for a name check, the shim's own name (SNI,
 * else peer address) is checked.  Returns an X509_V_* code. */
static int verify_with(X509_STORE *store, X509_STORE_CTX *xctx, const struct conn *c)
{
	X509_STORE_CTX *g = R(X509_STORE_CTX_new)();
	int err = X509_V_ERR_UNSPECIFIED;

	if (g == NULL)
		return err;
	if (R(X509_STORE_CTX_init)(g, store, R(X509_STORE_CTX_get0_cert)(xctx), R(X509_STORE_CTX_get0_untrusted)(xctx))) {
		X509_VERIFY_PARAM *p = R(X509_STORE_CTX_get0_param)(g);

		R(X509_STORE_CTX_set_default)(g, "ssl_server");
		R(X509_VERIFY_PARAM_set1)(p, R(X509_STORE_CTX_get0_param)(xctx));
		if (!c->app_checks_host && c->host[0]) {
			if (ts_is_ip_literal(c->host))
				R(X509_VERIFY_PARAM_set1_ip_asc)(p, c->host);
			else
				R(X509_VERIFY_PARAM_set1_host)(p, c->host, 0);
		}
		err = R(X509_verify_cert)(g) > 0 ? X509_V_OK : R(X509_STORE_CTX_get_error)(g);
		if (err == X509_V_OK && R(X509_STORE_CTX_get_error)(g) != X509_V_OK)
			err = R(X509_STORE_CTX_get_error)(g);
	}
	R(X509_STORE_CTX_free)(g);
	return err;
}

/* The verification the program should have done: the program's store (with
 * the anchors), then system trust plus the anchors. */
static int verify_really(X509_STORE_CTX *xctx, const struct conn *c)
{
	int err;

	R(ERR_set_mark)();
	err = verify_with(R(X509_STORE_CTX_get0_store)(xctx), xctx, c);
	if (err != X509_V_OK) {
		int err2;

		pthread_once(&shim_store_once, build_shim_store);
		if (shim_store != NULL && (err2 = verify_with(shim_store, xctx, c)) == X509_V_OK)
			err = X509_V_OK;
	}
	R(ERR_pop_to_mark)();
	return err;
}

/* The name check alone, on the leaf of a chain that verified. */
static int check_name(X509_STORE_CTX *xctx, const struct conn *c)
{
	X509 *leaf = R(X509_STORE_CTX_get0_cert)(xctx);
	int ip, match;

	if (c->app_checks_host || c->host[0] == '\0' || leaf == NULL)
		return X509_V_OK;
	ip = ts_is_ip_literal(c->host);
	R(ERR_set_mark)();
	match = ip ? R(X509_check_ip_asc)(leaf, c->host, 0) : R(X509_check_host)(leaf, c->host, 0, 0, NULL);
	R(ERR_pop_to_mark)();
	if (match == 1)
		return X509_V_OK;
	return ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH;
}

static int run_program_verify(X509_STORE_CTX *xctx, int (*app_cb)(X509_STORE_CTX *, void *), void *app_arg)
{
	return app_cb != NULL ? app_cb(xctx, app_arg) : R(X509_verify_cert)(xctx);
}

static int server_verify(X509_STORE_CTX *xctx, int (*app_cb)(X509_STORE_CTX *, void *), void *app_arg)
{
	int r = run_program_verify(xctx, app_cb, app_arg);
	X509_STORE *store = R(X509_STORE_CTX_get0_store)(xctx);

	/* A store shared with client contexts may hold our anchors: a server
	 * never accepts a client certificate on their strength. */
	if (r > 0 && store != NULL && R(X509_STORE_get_ex_data)(store, store_idx) != NULL) {
		STACK_OF(X509) *chain = R(X509_STORE_CTX_get0_chain)(xctx);
		int n = chain ? R(OPENSSL_sk_num)((const OPENSSL_STACK *)chain) : 0;

		if (n > 0 && is_anchor(R(OPENSSL_sk_value)((const OPENSSL_STACK *)chain, n - 1))) {
			R(X509_STORE_CTX_set_error)(xctx, X509_V_ERR_CERT_UNTRUSTED);
			return 0;
		}
	}
	return r;
}

static int client_verify(SSL *s, struct ctx_state *cst, X509_STORE_CTX *xctx)
{
	struct ssl_state *sst = R(SSL_get_ex_data)(s, ssl_idx);
	int (*app_cb)(X509_STORE_CTX *, void *) = cst->app_cb;
	int mode = R(SSL_get_verify_mode)(s);
	struct ts_attempt a = { .lib = "openssl" };
	char caller[512], python[6144] = "";
	const void *caller_addr = NULL;
	struct conn c;
	int r, err;
	enum ts_verdict v;

	inject(R(X509_STORE_CTX_get0_store)(xctx));
	r = run_program_verify(xctx, app_cb, cst->app_arg);
	conn_identify(s, xctx, &c);
	/* With no callback of the program's in the way, its X509_verify_cert
	 * result is the real one for the chain.  A verifying program that named
	 * the host itself is then done; otherwise only the name is left to
	 * check.  Either way no second chain check on every handshake (make
	 * bench, figure 3). */
	if (r > 0 && app_cb == NULL && R(SSL_get_verify_callback)(s) == NULL) {
		if (mode != SSL_VERIFY_NONE && c.app_checks_host)
			return r;
		err = check_name(xctx, &c);
	} else {
		err = verify_really(xctx, &c);
	}

	/* statem_clnt.c verifies when any verify_mode bit is set. */
	if (mode == SSL_VERIFY_NONE) {
		const struct origin *o = (sst && sst->off.api) ? &sst->off : &cst->off;

		pthread_mutex_lock(&origin_lock);
		a.api = o->api ? o->api : "SSL_VERIFY_NONE (the client default: no verify mode set where the shim could see it)";
		caller_addr = o->caller;
		if (o->python)
			snprintf(python, sizeof(python), "%s", o->python);
		pthread_mutex_unlock(&origin_lock);
	} else if (r > 0 && err != X509_V_OK) {
		if (app_cb != NULL) {
			a.api = "SSL_CTX_set_cert_verify_callback (callback accepted a certificate that fails verification)";
			caller_addr = (const void *)app_cb;
		} else if (!c.app_checks_host && (err == X509_V_ERR_HOSTNAME_MISMATCH || err == X509_V_ERR_IP_ADDRESS_MISMATCH)
			   && R(X509_STORE_CTX_get_error)(xctx) == X509_V_OK) {
			a.api = "no host-name check in OpenSSL (no X509_VERIFY_PARAM_set1_host; a program that checks names itself, like curl or requests, would have failed too)";
		} else {
			a.api = "verify callback (returned 1 for a certificate that fails verification)";
			caller_addr = (const void *)R(SSL_get_verify_callback)(s);
		}
	}
	if (a.api == NULL)
		return r;  /* the program verifies, against a store that now holds the anchors */

	if (caller_addr != NULL) {
		ts_describe_addr(caller_addr, caller, sizeof(caller));
		a.caller = caller;
	}
	a.python = python[0] ? python : NULL;
	a.host = c.host[0] ? c.host : NULL;
	a.host_source = c.host_source;
	a.peer_ip = c.peer.ip[0] ? c.peer.ip : NULL;
	a.port = c.peer.port;
	a.error = err == X509_V_OK ? NULL : R(X509_verify_cert_error_string)(err);
	if (err == X509_V_OK && c.host[0] == '\0')
		a.error = NULL;  /* chain only: the record's host_source says "unknown" */

	v = ts_judge(&a);
	if (v != TS_REFUSED)
		return r;  /* allowed or audited: the program's own choice stands */
	R(X509_STORE_CTX_set_error)(xctx, err);
	if (err == X509_V_OK)
		return 1;
	/* Make the failure count: statem_clnt.c fails the handshake only when
	 * verify_mode is set, and reads it after we return. */
	R(SSL_set_verify)(s, mode | SSL_VERIFY_PEER, NULL);
	return 0;
}

static int ts_cert_verify(X509_STORE_CTX *xctx, void *arg)
{
	SSL *s = R(X509_STORE_CTX_get_ex_data)(xctx, R(SSL_get_ex_data_X509_STORE_CTX_idx)());
	SSL_CTX *ctx = s ? R(SSL_get_SSL_CTX)(s) : NULL;
	struct ctx_state *st = ctx ? R(SSL_CTX_get_ex_data)(ctx, ctx_idx) : NULL;

	(void)arg;
	if (st == NULL)
		return R(X509_verify_cert)(xctx);
	if (s == NULL || R(SSL_is_server)(s))
		return server_verify(xctx, st->app_cb, st->app_arg);
	return client_verify(s, st, xctx);
}

/* ---- resumption ---- */

/* A resumed session runs no verification callback.  In enforce mode a client
 * does not resume a session whose certificate would not verify now: the
 * session is dropped and a full handshake (which the callback judges) runs. */
static int session_verifies(SSL *s, SSL_SESSION *sess)
{
	X509 *leaf = R(SSL_SESSION_get0_peer)(sess);
	const char *name = R(SSL_SESSION_get0_hostname)(sess);
	X509_STORE_CTX *g;
	int ok = 0;

	if (leaf == NULL)
		return 1;  /* PSK/anonymous: nothing the shim can check (README: limits) */
	if (name == NULL)
		name = R(SSL_get_servername)(s, TLSEXT_NAMETYPE_host_name);
	pthread_once(&shim_store_once, build_shim_store);
	if (shim_store == NULL || (g = R(X509_STORE_CTX_new)()) == NULL)
		return 0;
	R(ERR_set_mark)();
	if (R(X509_STORE_CTX_init)(g, shim_store, leaf, NULL)) {
		X509_VERIFY_PARAM *p = R(X509_STORE_CTX_get0_param)(g);

		R(X509_STORE_CTX_set_default)(g, "ssl_server");
		if (name != NULL && *name)
			R(X509_VERIFY_PARAM_set1_host)(p, name, 0);
		ok = R(X509_verify_cert)(g) > 0;
	}
	R(ERR_pop_to_mark)();
	R(X509_STORE_CTX_free)(g);
	return ok;
}

/* ---- hooks: each exported entry point is a one-liner ---- */

static SSL_CTX *ts_ctx_new_ex(OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *meth)
{
	ts_SSL_CTX_new_ex_fn real = R(SSL_CTX_new_ex);
	SSL_CTX *ctx = real ? real(libctx, propq, meth) : NULL;

	if (ctx != NULL && active())
		ctx_setup(ctx);
	return ctx;
}

static SSL_CTX *ts_ctx_new(const SSL_METHOD *meth)
{
	ts_SSL_CTX_new_fn real = R(SSL_CTX_new);
	SSL_CTX *ctx = real ? real(meth) : NULL;

	if (ctx != NULL && active())
		ctx_setup(ctx);
	return ctx;
}

static SSL *ts_ssl_new(SSL_CTX *ctx)
{
	ts_SSL_new_fn real = R(SSL_new);

	/* Second chance for a context made through a path we did not see. */
	if (ctx != NULL && real != NULL && active())
		ctx_setup(ctx);
	return real ? real(ctx) : NULL;
}

static void ts_ctx_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb cb, const void *caller)
{
	ts_SSL_CTX_set_verify_fn real = R(SSL_CTX_set_verify);
	struct ctx_state *st;

	if (real == NULL)
		return;
	real(ctx, mode, cb);
	if (ctx == NULL || !active() || (st = ctx_setup(ctx)) == NULL)
		return;
	pthread_mutex_lock(&origin_lock);
	if (mode == SSL_VERIFY_NONE)
		origin_set(&st->off, "SSL_CTX_set_verify(SSL_VERIFY_NONE)", caller);
	else
		origin_clear(&st->off);
	pthread_mutex_unlock(&origin_lock);
}

static void ts_ssl_set_verify(SSL *s, int mode, SSL_verify_cb cb, const void *caller)
{
	ts_SSL_set_verify_fn real = R(SSL_set_verify);
	struct ssl_state *st;

	if (real == NULL)
		return;
	real(s, mode, cb);
	if (s == NULL || !active() || (st = ssl_setup(s)) == NULL)
		return;
	if (mode == SSL_VERIFY_NONE)
		origin_set(&st->off, "SSL_set_verify(SSL_VERIFY_NONE)", caller);
	else
		origin_clear(&st->off);
}

static void ts_ctx_set_cert_verify_cb(SSL_CTX *ctx, int (*cb)(X509_STORE_CTX *, void *), void *arg)
{
	ts_SSL_CTX_set_cert_verify_callback_fn real = R(SSL_CTX_set_cert_verify_callback);
	struct ctx_state *st;

	if (real == NULL)
		return;
	if (ctx == NULL || !active() || (st = ctx_setup(ctx)) == NULL) {
		real(ctx, cb, arg);
		return;
	}
	/* Ours stays installed; the program's runs inside it. */
	st->app_cb = cb;
	st->app_arg = arg;
}

static int ts_ssl_set_session(SSL *s, SSL_SESSION *sess)
{
	ts_SSL_set_session_fn real = R(SSL_set_session);

	if (real == NULL)
		return 0;
	if (sess != NULL && s != NULL && active() && ts_config()->mode == TS_MODE_ENFORCE
	    && !R(SSL_is_server)(s) && !session_verifies(s, sess))
		return real(s, NULL);
	return real(s, sess);
}

TS_EXPORT SSL_CTX *SSL_CTX_new_ex(OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *meth) { return ts_ctx_new_ex(libctx, propq, meth); }
TS_EXPORT SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth) { return ts_ctx_new(meth); }
TS_EXPORT SSL *SSL_new(SSL_CTX *ctx) { return ts_ssl_new(ctx); }
TS_EXPORT void SSL_CTX_set_verify(SSL_CTX *ctx, int mode, SSL_verify_cb cb) { ts_ctx_set_verify(ctx, mode, cb, __builtin_return_address(0)); }
TS_EXPORT void SSL_set_verify(SSL *s, int mode, SSL_verify_cb cb) { ts_ssl_set_verify(s, mode, cb, __builtin_return_address(0)); }
TS_EXPORT void SSL_CTX_set_cert_verify_callback(SSL_CTX *ctx, int (*cb)(X509_STORE_CTX *, void *), void *arg) { ts_ctx_set_cert_verify_cb(ctx, cb, arg); }
TS_EXPORT int SSL_set_session(SSL *s, SSL_SESSION *sess) { return ts_ssl_set_session(s, sess); }
