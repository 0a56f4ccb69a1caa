// LIBS: -lssl -lcrypto -pthread
/* Checks for the bundle cache (tests/integration/cache_*.t).  Each mode
 * prints lines that the tests compare between cache on, cache off and no
 * shim; the exit status is 0 unless the check itself failed.
 *
 *   cache_check share SRC        two contexts load SRC; "shared" when their
 *                                stores hold the same X509 object, else
 *                                "private"; and the object count
 *   cache_check load SRC...      X509_load_cert_crl_file on a fresh store per
 *                                SRC: the return value, the object count and
 *                                the error queue (reason strings)
 *   cache_check errq SRC         the program's error queue around loads: a
 *                                marker error pushed before must survive, and
 *                                nothing else may appear
 *   cache_check threads N M SRC  N threads x M contexts loading SRC at once;
 *                                every store must hold the same count
 *   cache_check fork N SRC       a thread keeps loading SRC while the main
 *                                thread forks N children that load SRC too
 *                                (the cache's lock held across fork would
 *                                hang them)
 *
 * SRC is a file (load_verify_locations) or "default"
 * (set_default_verify_paths).
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int load(SSL_CTX *ctx, const char *src)
{
	if (strcmp(src, "default") == 0)
		return SSL_CTX_set_default_verify_paths(ctx);
	return SSL_CTX_load_verify_locations(ctx, src, NULL);
}

static int nobjs(SSL_CTX *ctx)
{
	return sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx)));
}

static X509 *first_cert(SSL_CTX *ctx)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
	int i;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (x != NULL)
			return x;
	}
	return NULL;
}

/* The error queue as reason strings, oldest first: library-independent of
 * file/line, so cache on/off runs compare equal when OpenSSL's own code ran. */
static void print_errors(const char *what)
{
	unsigned long e;
	int n = 0;

	printf("%s errors:", what);
	while ((e = ERR_get_error()) != 0) {
		const char *r = ERR_reason_error_string(e);

		printf(" [%s]", r ? r : "?");
		n++;
	}
	printf("%s\n", n ? "" : " none");
}

static int do_share(const char *src)
{
	SSL_CTX *a = SSL_CTX_new(TLS_client_method()), *b = SSL_CTX_new(TLS_client_method());
	int ra = load(a, src), rb = load(b, src);
	X509 *xa = first_cert(a), *xb = first_cert(b);

	printf("load %d %d\n", ra, rb);
	printf("objects %d %d\n", nobjs(a), nobjs(b));
	printf("%s\n", xa == NULL ? "empty" : xa == xb ? "shared" : "private");
	print_errors("share");
	SSL_CTX_free(a);
	SSL_CTX_free(b);
	return 0;
}

static int do_load(int n, char **files)
{
	int i;

	for (i = 0; i < n; i++) {
		X509_STORE *st = X509_STORE_new();
		X509_LOOKUP *lu = X509_STORE_add_lookup(st, X509_LOOKUP_file());
		int r = X509_load_cert_crl_file(lu, files[i], X509_FILETYPE_PEM);

		printf("%s: returns %d, objects %d;", files[i], r, sk_X509_OBJECT_num(X509_STORE_get0_objects(st)));
		print_errors("");
		X509_STORE_free(st);
	}
	return 0;
}

static int do_errq(const char *src)
{
	SSL_CTX *ctx;
	int bad = 0, round;
	unsigned long e;

	for (round = 0; round < 2; round++) {  /* the second round is a cache hit */
		ERR_clear_error();
		ctx = SSL_CTX_new(TLS_client_method());
		if (ERR_peek_error() != 0) {
			print_errors("SSL_CTX_new left");
			bad = 1;
		}
		/* A marker the program left: the load must neither add to the
		 * queue nor (for a file) remove it, just as without the cache. */
		ERR_raise(ERR_LIB_USER, 42);
		printf("round %d load %d\n", round, load(ctx, src));
		e = ERR_get_error();
		printf("round %d first %s\n", round, e == 0 ? "none" : ERR_GET_LIB(e) == ERR_LIB_USER ? "marker" : "other");
		if ((e = ERR_peek_error()) != 0) {
			print_errors("stray");
			bad = 1;
		}
		SSL_CTX_free(ctx);
	}
	printf("%s\n", bad ? "stray errors" : "clean");
	return bad;
}

struct job {
	const char *src;
	int m, count, bad;
};

static void *thread_main(void *arg)
{
	struct job *j = arg;
	int i;

	for (i = 0; i < j->m; i++) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

		if (ctx == NULL || load(ctx, j->src) != 1 || nobjs(ctx) != j->count)
			j->bad++;
		SSL_CTX_free(ctx);
	}
	return NULL;
}

static int do_threads(int n, int m, const char *src)
{
	SSL_CTX *ref = SSL_CTX_new(TLS_client_method());
	pthread_t *t = calloc((size_t)n, sizeof(*t));
	struct job *j = calloc((size_t)n, sizeof(*j));
	int i, bad = 0;

	/* The reference count is taken uncached, by a store of our own. */
	load(ref, src);
	for (i = 0; i < n; i++) {
		j[i] = (struct job){ src, m, nobjs(ref), 0 };
		pthread_create(&t[i], NULL, thread_main, &j[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		bad += j[i].bad;
	}
	printf("%d of %d contexts bad (objects %d)\n", bad, n * m, nobjs(ref));
	if (ERR_peek_error() != 0)
		print_errors("stray");
	SSL_CTX_free(ref);
	return bad != 0;
}

static volatile int stop;

static void *loader(void *arg)
{
	while (!stop) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

		load(ctx, arg);
		SSL_CTX_free(ctx);
	}
	return NULL;
}

/* The child loads into a context made before fork and finds the file
 * cached, so the only lock on its path that another thread may hold at fork
 * is the cache's own (OpenSSL's global locks would hang a child of a
 * threaded parent with or without the shim). */
static int do_fork(int n, const char *src)
{
	SSL_CTX *warm = SSL_CTX_new(TLS_client_method());
	pthread_t t;
	int i, hung = 0, bad = 0;

	load(warm, src);
	pthread_create(&t, NULL, loader, (void *)src);
	for (i = 0; i < n; i++) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			alarm(10);  /* a deadlocked child dies of SIGALRM */
			_exit(load(ctx, src) == 1 && nobjs(ctx) == nobjs(warm) ? 0 : 1);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			bad++;
		else if (WIFSIGNALED(status))
			hung++;
		else if (WEXITSTATUS(status) != 0)
			bad++;
		SSL_CTX_free(ctx);
	}
	stop = 1;
	pthread_join(t, NULL);
	SSL_CTX_free(warm);
	printf("%d children: %d hung, %d failed\n", n, hung, bad);
	return hung || bad;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "share") == 0)
		return do_share(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "load") == 0)
		return do_load(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "errq") == 0)
		return do_errq(argv[2]);
	if (argc == 5 && strcmp(argv[1], "threads") == 0)
		return do_threads(atoi(argv[2]), atoi(argv[3]), argv[4]);
	if (argc == 4 && strcmp(argv[1], "fork") == 0)
		return do_fork(atoi(argv[2]), argv[3]);
	fprintf(stderr, "usage: see the comment at the top of cache_check.c\n");
	return 2;
}
