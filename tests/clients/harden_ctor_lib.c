// LIBS: -shared -fPIC -lssl -lcrypto
/* Not a program: a shared object whose constructor makes a TLS connection,
 * as a library initialising itself at load time would (libfaketime tests
 * the same).  Preloaded after the shim (LD_PRELOAD="shim this"), its
 * constructor runs before the shim's: the loader runs constructors in
 * reverse load order.  Environment: HARDEN_CTOR_PORT (127.0.0.1), and
 * HARDEN_CTOR_VERIFY=none for SSL_VERIFY_NONE (default: SSL_VERIFY_PEER).
 * Prints "harden_ctor: handshake ok" or "harden_ctor: handshake failed" on
 * stderr. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((constructor)) static void harden_ctor(void)
{
	const char *port = getenv("HARDEN_CTOR_PORT"), *v = getenv("HARDEN_CTOR_VERIFY");
	struct sockaddr_in sa = { .sin_family = AF_INET };
	SSL_CTX *ctx;
	SSL *s = NULL;
	int fd, ok = 0;

	if (port == NULL)
		return;
	sa.sin_port = htons((unsigned short)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_verify(ctx, v && !strcmp(v, "none") ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_default_verify_paths(ctx);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && (s = SSL_new(ctx)) != NULL) {
		SSL_set_fd(s, fd);
		ok = SSL_connect(s) == 1;
	}
	fprintf(stderr, "harden_ctor: handshake %s\n", ok ? "ok" : "failed");
	ERR_clear_error();
	SSL_free(s);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
}
