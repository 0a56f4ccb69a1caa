// LIBS: -lssl -lcrypto -lgnutls
/* OpenSSL and GnuTLS in one process, many threads at once: even threads make
 * OpenSSL handshakes, odd threads GnuTLS ones, each with a context or
 * credentials created and freed per handshake, all verifying against the
 * system trust (the test CA comes from the shim's anchors).
 *   mixed_threads THREADS COUNT PORT [--insecure]
 * --insecure switches verification off in both libraries (SSL_VERIFY_NONE,
 * no GnuTLS verification): under the shim every handshake must then fail
 * against an untrusted server.  Prints "N ok, M failed". */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int port, count, insecure;
static int ok_n, fail_n;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int tcp(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int openssl_once(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *s = NULL;
	int fd = tcp(), rc = -1;

	if (ctx == NULL || fd < 0)
		goto out;
	SSL_CTX_set_default_verify_paths(ctx);
	SSL_CTX_set_verify(ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	s = SSL_new(ctx);
	SSL_set_fd(s, fd);
	SSL_set_tlsext_host_name(s, "localhost");
	if (!insecure)
		SSL_set1_host(s, "localhost");
	rc = SSL_connect(s) == 1 ? 0 : -1;
out:
	ERR_clear_error();
	SSL_free(s);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int gnutls_once(void)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	int fd = tcp(), rc = -1, r;

	if (fd < 0 || gnutls_certificate_allocate_credentials(&cred) < 0)
		goto out;
	gnutls_certificate_set_x509_system_trust(cred);
	if (gnutls_init(&s, GNUTLS_CLIENT) < 0)
		goto out;
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9);
	if (!insecure)
		gnutls_session_set_verify_cert(s, "localhost", 0);
	gnutls_transport_set_int(s, fd);
	do
		r = gnutls_handshake(s);
	while (r < 0 && gnutls_error_is_fatal(r) == 0);
	rc = r < 0 ? -1 : 0;
out:
	if (s != NULL)
		gnutls_deinit(s);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	if (fd >= 0)
		close(fd);
	return rc;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	int i, good = 0, bad = 0;

	for (i = 0; i < count; i++) {
		if ((id % 2 == 0 ? openssl_once() : gnutls_once()) == 0)
			good++;
		else
			bad++;
	}
	pthread_mutex_lock(&lock);
	ok_n += good;
	fail_n += bad;
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[256];
	long i, n;

	if (argc < 4 || (n = atol(argv[1])) < 1 || n > 256) {
		fprintf(stderr, "usage: mixed_threads THREADS COUNT PORT [--insecure]\n");
		return 2;
	}
	count = atoi(argv[2]);
	port = atoi(argv[3]);
	insecure = argc > 4 && strcmp(argv[4], "--insecure") == 0;
	gnutls_global_init();
	for (i = 0; i < n; i++)
		pthread_create(&tid[i], NULL, worker, (void *)i);
	for (i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	printf("%d ok, %d failed\n", ok_n, fail_n);
	return fail_n ? 1 : 0;
}
