// LIBS: -lssl -lcrypto
/* A small OpenSSL client for the tests: each option switches verification
 * off (or on) in one of the ways real programs do, so every hook path is
 * exercised by a real handshake against a real loopback server.
 *
 *   ossl_client [options] HOST PORT
 *     --verify none|peer|unset   SSL_CTX_set_verify mode (default: peer)
 *     --ssl-verify none|peer     SSL_set_verify on the connection as well
 *     --cb-accept-all            verify callback that returns 1 always
 *     --cert-cb-accept-all       cert_verify_callback that returns 1 always
 *     --cert-cb-verify           cert_verify_callback that calls X509_verify_cert
 *     --generic                  TLS_method + SSL_set_connect_state + SSL_write
 *     --ca FILE                  load_verify_locations
 *     --default-paths            SSL_CTX_set_default_verify_paths
 *     --sni NAME                 send SNI
 *     --check-host NAME          SSL_set1_host
 *     --threads N --count M      N threads x M handshakes, a context per handshake
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcp.h"

static const char *host, *port, *verify = "peer", *ssl_verify, *ca, *sni, *check_host;
static int cb_accept_all, cert_cb_accept_all, cert_cb_verify, generic, default_paths, threads = 1, count = 1;
static int failures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int accept_all(int ok, X509_STORE_CTX *x) { (void)ok; (void)x; return 1; }
static int cert_accept_all(X509_STORE_CTX *x, void *arg) { (void)x; (void)arg; return 1; }
static int cert_verify(X509_STORE_CTX *x, void *arg) { (void)arg; return X509_verify_cert(x); }

static int mode_of(const char *s)
{
	return strcmp(s, "none") == 0 ? SSL_VERIFY_NONE : SSL_VERIFY_PEER;
}

static int one_handshake(void)
{
	SSL_CTX *ctx = SSL_CTX_new(generic ? TLS_method() : TLS_client_method());
	SSL *s = NULL;
	int fd = -1, rc = 1;
	char buf[256];

	if (ctx == NULL)
		goto out;
	if (strcmp(verify, "unset") != 0)
		SSL_CTX_set_verify(ctx, mode_of(verify), cb_accept_all ? accept_all : NULL);
	if (cert_cb_accept_all)
		SSL_CTX_set_cert_verify_callback(ctx, cert_accept_all, NULL);
	if (cert_cb_verify)
		SSL_CTX_set_cert_verify_callback(ctx, cert_verify, NULL);
	if (ca && !SSL_CTX_load_verify_locations(ctx, ca, NULL))
		goto out;
	if (default_paths)
		SSL_CTX_set_default_verify_paths(ctx);
	if ((fd = tcp_connect(host, port)) < 0) {
		fprintf(stderr, "connect failed\n");
		goto out;
	}
	s = SSL_new(ctx);
	SSL_set_fd(s, fd);
	if (ssl_verify)
		SSL_set_verify(s, mode_of(ssl_verify), NULL);
	if (sni)
		SSL_set_tlsext_host_name(s, sni);
	if (check_host)
		SSL_set1_host(s, check_host);
	if (generic) {
		SSL_set_connect_state(s);
		if (SSL_write(s, "GET / HTTP/1.0\r\n\r\n", 18) <= 0)
			goto out;
	} else {
		if (SSL_connect(s) != 1)
			goto out;
		if (SSL_write(s, "GET / HTTP/1.0\r\n\r\n", 18) <= 0)
			goto out;
	}
	if (SSL_read(s, buf, sizeof(buf)) <= 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		unsigned long e = ERR_get_error();
		pthread_mutex_lock(&lock);
		fprintf(stderr, "handshake failed: %s (verify result %ld: %s)\n",
			e ? ERR_reason_error_string(e) : "no error queued",
			s ? SSL_get_verify_result(s) : -1L,
			s ? X509_verify_cert_error_string(SSL_get_verify_result(s)) : "-");
		pthread_mutex_unlock(&lock);
	}
	ERR_clear_error();
	SSL_free(s);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return rc;
}

static void *worker(void *arg)
{
	int i, bad = 0;

	(void)arg;
	for (i = 0; i < count; i++)
		bad += one_handshake();
	pthread_mutex_lock(&lock);
	failures += bad;
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[256];
	int i, n;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--verify")) verify = argv[++i];
		else if (!strcmp(o, "--ssl-verify")) ssl_verify = argv[++i];
		else if (!strcmp(o, "--cb-accept-all")) cb_accept_all = 1;
		else if (!strcmp(o, "--cert-cb-accept-all")) cert_cb_accept_all = 1;
		else if (!strcmp(o, "--cert-cb-verify")) cert_cb_verify = 1;
		else if (!strcmp(o, "--generic")) generic = 1;
		else if (!strcmp(o, "--ca")) ca = argv[++i];
		else if (!strcmp(o, "--default-paths")) default_paths = 1;
		else if (!strcmp(o, "--sni")) sni = argv[++i];
		else if (!strcmp(o, "--check-host")) check_host = argv[++i];
		else if (!strcmp(o, "--threads")) threads = atoi(argv[++i]);
		else if (!strcmp(o, "--count")) count = atoi(argv[++i]);
		else { fprintf(stderr, "unknown option %s\n", o); return 2; }
	}
	if (argc - i != 2 || threads < 1 || threads > 256) {
		fprintf(stderr, "usage: ossl_client [options] HOST PORT\n");
		return 2;
	}
	host = argv[i];
	port = argv[i + 1];
	n = threads;
	if (n == 1) {
		worker(NULL);
	} else {
		for (i = 0; i < n; i++)
			pthread_create(&tid[i], NULL, worker, NULL);
		for (i = 0; i < n; i++)
			pthread_join(tid[i], NULL);
	}
	if (failures)
		fprintf(stderr, "%d of %d handshakes failed\n", failures, threads * count);
	else
		printf("%d handshakes ok\n", threads * count);
	return failures ? 1 : 0;
}
