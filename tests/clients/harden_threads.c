// LIBS: -lssl -lcrypto -lgnutls
/* Many threads, each making handshakes with contexts (and GnuTLS
 * credentials) created and freed concurrently, in the ways programs do:
 *   OpenSSL thread i, by i % 5:
 *     0  SSL_VERIFY_PEER, a new context per handshake (trust: the anchor)
 *     1  SSL_VERIFY_NONE, a new context: refused, verified anyway, succeeds
 *     2  a cert_verify_callback that accepts everything: judged, succeeds
 *     3  one context shared by all such threads, whose verify mode they
 *        keep switching; an SSL per handshake
 *     4  SSL_VERIFY_NONE to the untrusted server (--bad-port): must fail
 *        (refused); without --bad-port, as 0
 *   GnuTLS thread (--gnutls-threads): credentials with system trust, a
 *     session with gnutls_session_set_verify_cert("localhost"), per
 *     handshake; succeeds only when the shim's GnuTLS backend adds the
 *     anchor, or with --gnutls-ca FILE (set_x509_trust_file as well).
 *
 *   harden_threads [--threads N] [--gnutls-threads G] [--gnutls-ca FILE]
 *                  [--count M] [--bad-port P] PORT
 * Connects to 127.0.0.1 (SNI and host check "localhost").  Prints one line
 * per library and exits 0 when every handshake ended as expected. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int threads = 32, gthreads, count = 100, port, bad_port;
static SSL_CTX *shared;
static const char *gnutls_ca;
static atomic_int ossl_ok, ossl_refused, ossl_bad, gnutls_ok, gnutls_bad;

static int tcp(int p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)p) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int accept_all(X509_STORE_CTX *x, void *arg) { (void)x; (void)arg; return 1; }

/* 1 when the handshake succeeded. */
static int ossl_one(int kind)
{
	SSL_CTX *ctx = kind == 3 ? shared : SSL_CTX_new(TLS_client_method());
	SSL *s = NULL;
	int fd = -1, ok = 0;

	if (ctx == NULL)
		return 0;
	switch (kind) {
	case 0: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL); break;
	case 1: case 4: SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); break;
	case 2: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_cert_verify_callback(ctx, accept_all, NULL); break;
	case 3: SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL); break;
	}
	if ((fd = tcp(kind == 4 ? bad_port : port)) >= 0 && (s = SSL_new(ctx)) != NULL) {
		SSL_set_fd(s, fd);
		SSL_set_tlsext_host_name(s, "localhost");
		if (kind != 4)
			SSL_set1_host(s, "localhost");
		ok = SSL_connect(s) == 1;
	}
	ERR_clear_error();
	SSL_free(s);
	if (kind != 3)
		SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return ok;
}

static void *ossl_worker(void *arg)
{
	int kind = (int)(long)arg % 5;

	if (kind == 4 && !bad_port)
		kind = 0;
	for (int i = 0; i < count; i++) {
		int ok = ossl_one(kind);

		if (kind == 4)
			atomic_fetch_add(ok ? &ossl_bad : &ossl_refused, 1);
		else
			atomic_fetch_add(ok ? &ossl_ok : &ossl_bad, 1);
	}
	return NULL;
}

static int gnutls_one(void)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t sess = NULL;
	int fd = -1, ok = 0, r;

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return 0;
	gnutls_certificate_set_x509_system_trust(cred);
	if (gnutls_ca)
		gnutls_certificate_set_x509_trust_file(cred, gnutls_ca, GNUTLS_X509_FMT_PEM);
	if (gnutls_init(&sess, GNUTLS_CLIENT) < 0)
		goto out;
	gnutls_set_default_priority(sess);
	gnutls_server_name_set(sess, GNUTLS_NAME_DNS, "localhost", 9);
	gnutls_credentials_set(sess, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_session_set_verify_cert(sess, "localhost", 0);
	if ((fd = tcp(port)) < 0)
		goto out;
	gnutls_transport_set_int(sess, fd);
	do
		r = gnutls_handshake(sess);
	while (r < 0 && !gnutls_error_is_fatal(r));
	ok = r == 0;
	if (ok)
		gnutls_bye(sess, GNUTLS_SHUT_WR);
out:
	if (sess)
		gnutls_deinit(sess);
	gnutls_certificate_free_credentials(cred);
	if (fd >= 0)
		close(fd);
	return ok;
}

static void *gnutls_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < count; i++)
		atomic_fetch_add(gnutls_one() ? &gnutls_ok : &gnutls_bad, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[512];
	int i, n = 0;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (!strcmp(argv[i], "--threads")) threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--gnutls-threads")) gthreads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--gnutls-ca")) gnutls_ca = argv[++i];
		else if (!strcmp(argv[i], "--count")) count = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--bad-port")) bad_port = atoi(argv[++i]);
		else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
	}
	if (argc - i != 1 || threads < 0 || gthreads < 0 || threads + gthreads > 512) {
		fprintf(stderr, "usage: harden_threads [--threads N] [--gnutls-threads G] [--gnutls-ca FILE] [--count M] [--bad-port P] PORT\n");
		return 2;
	}
	port = atoi(argv[i]);
	if (gthreads)
		gnutls_global_init();
	shared = SSL_CTX_new(TLS_client_method());
	/* OpenSSL and GnuTLS threads interleaved, all started at once. */
	for (i = 0; i < threads || i < gthreads; i++) {
		if (i < threads)
			pthread_create(&tid[n++], NULL, ossl_worker, (void *)(long)i);
		if (i < gthreads)
			pthread_create(&tid[n++], NULL, gnutls_worker, NULL);
	}
	for (i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	SSL_CTX_free(shared);
	printf("openssl: %d threads x %d: %d ok, %d refused as expected, %d unexpected\n",
	       threads, count, ossl_ok, ossl_refused, ossl_bad);
	if (gthreads)
		printf("gnutls: %d threads x %d: %d ok, %d failed\n", gthreads, count, gnutls_ok, gnutls_bad);
	return ossl_bad || gnutls_bad ? 1 : 0;
}
