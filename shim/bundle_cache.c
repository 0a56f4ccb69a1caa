/* The bundle cache.  Debian's OpenSSL 3 parses the whole system bundle (144
 * certificates, 30 to 50 ms) again for every context that loads default
 * trust, and every live context holds its own parsed copy (~860 KB).  Here
 * each CA file is parsed once per process and its objects are added to each
 * new store by reference, as X509_STORE_add_cert/add_crl always do.
 *
 * The one hook point is X509_load_cert_crl_file_ex, the function that parses
 * a PEM file into a store (crypto/x509/by_file.c).  Every eager file load
 * reaches it, through libcrypto's PLT (it has a JUMP_SLOT relocation, so a
 * preloaded definition wins):
 *   SSL_CTX_set_default_verify_paths -> X509_STORE_set_default_paths_ex
 *     -> X509_LOOKUP_load_file_ex(X509_FILETYPE_DEFAULT) -> by_file_ctrl_ex,
 *        which reads SSL_CERT_FILE (ossl_safe_getenv) or
 *        X509_get_default_cert_file() and calls X509_load_cert_crl_file_ex;
 *   SSL_CTX_load_verify_locations/_file -> X509_STORE_load_file_ex
 *     -> X509_LOOKUP_load_file_ex(X509_FILETYPE_PEM) -> the same;
 *   X509_STORE_load_locations(_ex), X509_LOOKUP_load_file, X509_load_cert_crl_file.
 * Hooking this deep leaves everything around it to OpenSSL itself: which
 * file (the environment is read by OpenSSL, at the call, with its AT_SECURE
 * rules), the hashed-directory and store lookups, the missing default file
 * that set_default_paths ignores, ERR_clear_error at its end.
 *
 * Semantics of a cached load are those of by_file.c's success path: each
 * certificate and CRL, in file order, goes through X509_STORE_add_cert/
 * add_crl (a duplicate returns 1), the count is returned, and the error queue
 * is untouched.  Anything else (a missing, unreadable, empty or bad file, a
 * non-PEM type, a lookup without a store, a failed add, a library context or
 * property query of the program's own) is handed to the real function, so
 * errors and return values are OpenSSL's own.
 *
 * Staleness: the entry is keyed by path and the identity of the file it was
 * parsed from (device, inode, size, mtime, ctime, from fstat of the very
 * descriptor read), and every use stats the path again: a replaced or edited
 * file is re-read.  The lock guards only the table; files are read and
 * parsed outside it, and objects are added to stores outside it under a
 * reference to the entry. */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle_cache.h"
#include "config.h"
#include "openssl_api.h"
#include "resolve.h"

#define TS_EXPORT __attribute__((visibility("default")))

TS_OPENSSL_API(TS_SYM_TYPEDEF)
enum { TS_OPENSSL_API(TS_SYM_ENUM) TS_OSSL_COUNT };
#define R(name) TS_REAL(ts_openssl_syms(), name)

struct item {
	X509 *x;          /* one reference each, or NULL */
	X509_CRL *crl;
};

struct bundle {
	atomic_int refs;  /* the table's, plus one per load in progress */
	char *path;
	struct stat id;   /* fstat of the descriptor that was parsed */
	struct item *v;
	size_t n;
	int count;        /* certificates + CRLs: what the real function returns */
	unsigned long used;
};

static struct bundle *table[TS_CACHE_MAX_FILES];
static unsigned long ticks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

/* No fork ever leaves the table half-changed or its lock held in the child. */
static void fork_prepare(void) { pthread_mutex_lock(&lock); }
static void fork_after(void) { pthread_mutex_unlock(&lock); }
static void fork_setup(void) { pthread_atfork(fork_prepare, fork_after, fork_after); }

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size
	       && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
	       && a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void bundle_free(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (b->v[i].x)
			R(X509_free)(b->v[i].x);
		if (b->v[i].crl)
			R(X509_CRL_free)(b->v[i].crl);
	}
	free(b->v);
	free(b->path);
	free(b);
}

/* Never called with the lock held: freeing runs OpenSSL code. */
static void bundle_put(struct bundle *b)
{
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		bundle_free(b);
}

/* The entry for path when it still describes the file st describes, with a
 * reference for the caller; else NULL. */
static struct bundle *cache_get(const char *path, const struct stat *st)
{
	struct bundle *b = NULL;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < TS_CACHE_MAX_FILES; i++)
		if (table[i] != NULL && strcmp(table[i]->path, path) == 0 && same_file(&table[i]->id, st)) {
			b = table[i];
			b->used = ++ticks;
			atomic_fetch_add(&b->refs, 1);
			break;
		}
	pthread_mutex_unlock(&lock);
	return b;
}

/* Puts b in the table (which takes its own reference), in place of an older
 * entry for the same path, else in a free slot, else in place of the least
 * recently used entry. */
static void cache_put(struct bundle *b)
{
	struct bundle *old = NULL;
	size_t i, slot = TS_CACHE_MAX_FILES;

	atomic_fetch_add(&b->refs, 1);
	pthread_mutex_lock(&lock);
	for (i = 0; i < TS_CACHE_MAX_FILES; i++)
		if (table[i] != NULL && strcmp(table[i]->path, b->path) == 0) {
			slot = i;
			break;
		}
	for (i = 0; slot == TS_CACHE_MAX_FILES && i < TS_CACHE_MAX_FILES; i++)
		if (table[i] == NULL)
			slot = i;
	if (slot == TS_CACHE_MAX_FILES) {
		slot = 0;
		for (i = 1; i < TS_CACHE_MAX_FILES; i++)
			if (table[i]->used < table[slot]->used)
				slot = i;
	}
	old = table[slot];
	table[slot] = b;
	b->used = ++ticks;
	pthread_mutex_unlock(&lock);
	bundle_put(old);
}

/* Reads a regular file whole; identity from the descriptor read, before the
 * read, so a file changed meanwhile has another identity at the next stat. */
static char *read_file(const char *path, struct stat *id, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, id) != 0 || !S_ISREG(id->st_mode) || id->st_size <= 0 || id->st_size > TS_CACHE_MAX_BYTES)
		goto err;
	if ((buf = malloc((size_t)id->st_size)) == NULL)
		goto err;
	while (got < (size_t)id->st_size) {
		ssize_t r = read(fd, buf + got, (size_t)id->st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)id->st_size)
		goto err;  /* shrank while read: let OpenSSL read it */
	close(fd);
	*len = got;
	return buf;
err:
	free(buf);
	close(fd);
	return NULL;
}

/* Parses a file as by_file.c does (PEM_X509_INFO_read_bio_ex, passphrase
 * ""), keeping the certificates and CRLs in file order.  NULL when it cannot
 * or there is nothing to keep: the real function then says why.  Leaves the
 * error queue as it found it. */
static struct bundle *parse(const char *path)
{
	struct bundle *b = calloc(1, sizeof(*b));
	STACK_OF(X509_INFO) *inf = NULL;
	char *buf = NULL;
	size_t len = 0;
	BIO *bio;
	int i, n;

	if (b == NULL || (b->path = strdup(path)) == NULL || (buf = read_file(path, &b->id, &len)) == NULL)
		goto err;
	R(ERR_set_mark)();
	if ((bio = R(BIO_new_mem_buf)(buf, (int)len)) != NULL) {
		inf = R(PEM_X509_INFO_read_bio_ex)(bio, NULL, NULL, "", NULL, NULL);
		R(BIO_free)(bio);
	}
	R(ERR_pop_to_mark)();
	free(buf);
	if (inf == NULL)
		goto err;
	n = R(OPENSSL_sk_num)((const OPENSSL_STACK *)inf);
	if (n <= 0 || (b->v = calloc((size_t)n, sizeof(*b->v))) == NULL)
		goto err;
	for (i = 0; i < n; i++) {
		X509_INFO *it = R(OPENSSL_sk_value)((const OPENSSL_STACK *)inf, i);

		if (it->x509 == NULL && it->crl == NULL)
			continue;  /* a key alone: by_file.c skips it too */
		if (it->x509 != NULL && R(X509_up_ref)(it->x509)) {
			b->v[b->n].x = it->x509;
			b->count++;
		}
		if (it->crl != NULL && R(X509_CRL_up_ref)(it->crl)) {
			b->v[b->n].crl = it->crl;
			b->count++;
		}
		b->n++;
	}
	R(OPENSSL_sk_pop_free)((OPENSSL_STACK *)inf, (void (*)(void *))R(X509_INFO_free));
	inf = NULL;
	if (b->count == 0)
		goto err;  /* the real function raises NO_CERTIFICATE_OR_CRL_FOUND */
	return b;
err:
	if (inf != NULL)
		R(OPENSSL_sk_pop_free)((OPENSSL_STACK *)inf, (void (*)(void *))R(X509_INFO_free));
	if (b != NULL)
		bundle_free(b);
	return NULL;
}

/* by_file.c's loop over the parsed items, on shared objects.  -1 when an add
 * fails (out of memory): the caller then lets the real function run. */
static int add_all(X509_STORE *store, const struct bundle *b)
{
	int count = 0;
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (b->v[i].x != NULL) {
			if (!R(X509_STORE_add_cert)(store, b->v[i].x))
				return -1;
			count++;
		}
		if (b->v[i].crl != NULL) {
			if (!R(X509_STORE_add_crl)(store, b->v[i].crl))
				return -1;
			count++;
		}
	}
	return count;
}

static int ts_load_cert_crl_file(X509_LOOKUP *lu, const char *file, int type, OSSL_LIB_CTX *libctx, const char *propq)
{
	ts_X509_load_cert_crl_file_ex_fn real = R(X509_load_cert_crl_file_ex);
	X509_STORE *store;
	struct bundle *b;
	struct stat st;
	int count;

	if (real == NULL)
		return 0;
	/* A program's own library context or property query would be baked
	 * into the parsed objects: those loads are not shared. */
	if (type != X509_FILETYPE_PEM || file == NULL || lu == NULL || libctx != NULL || propq != NULL
	    || !ts_openssl_active() || ts_config()->cache_off)
		return real(lu, file, type, libctx, propq);
	if ((store = R(X509_LOOKUP_get_store)(lu)) == NULL || stat(file, &st) != 0 || !S_ISREG(st.st_mode))
		return real(lu, file, type, libctx, propq);
	pthread_once(&fork_once, fork_setup);
	if ((b = cache_get(file, &st)) == NULL) {
		if ((b = parse(file)) == NULL)
			return real(lu, file, type, libctx, propq);
		atomic_store(&b->refs, 1);  /* ours */
		cache_put(b);
	}
	count = add_all(store, b);
	bundle_put(b);
	return count < 0 ? real(lu, file, type, libctx, propq) : count;
}

TS_EXPORT int X509_load_cert_crl_file_ex(X509_LOOKUP *ctx, const char *file, int type, OSSL_LIB_CTX *libctx, const char *propq) { return ts_load_cert_crl_file(ctx, file, type, libctx, propq); }
