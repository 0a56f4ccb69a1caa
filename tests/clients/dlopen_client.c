// LIBS: -ldl
/* Reaches libssl only through dlopen(RTLD_LOCAL) + dlsym, as Python's _ssl
 * and ctypes do: RTLD_NEXT cannot see such a library, so the shim must find
 * it with dlopen(RTLD_NOLOAD).  Connects to 127.0.0.1:PORT with
 * SSL_VERIFY_NONE (or, with --verify, SSL_VERIFY_PEER + default paths) and
 * exits 0 when the handshake succeeds.
 *   dlopen_client [--verify] PORT */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SYM(h, name) void *name = dlsym(h, #name); if (!name) { fprintf(stderr, "no %s\n", #name); return 2; }

int main(int argc, char **argv)
{
	int verify = argc > 2 && strcmp(argv[1], "--verify") == 0;
	int port = atoi(argv[argc - 1]);
	void *h = dlopen("libssl.so.3", RTLD_LOCAL | RTLD_NOW);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, rc;

	if (h == NULL || port <= 0) {
		fprintf(stderr, "usage: dlopen_client [--verify] PORT (%s)\n", dlerror());
		return 2;
	}
	SYM(h, TLS_client_method) SYM(h, SSL_CTX_new) SYM(h, SSL_CTX_set_verify) SYM(h, SSL_new)
	SYM(h, SSL_set_fd) SYM(h, SSL_connect) SYM(h, SSL_CTX_set_default_verify_paths)
	void *(*method)(void) = TLS_client_method;
	void *(*ctx_new)(void *) = SSL_CTX_new;
	void (*set_verify)(void *, int, void *) = SSL_CTX_set_verify;
	void *(*ssl_new)(void *) = SSL_new;
	int (*set_fd)(void *, int) = SSL_set_fd;
	int (*connect_)(void *) = SSL_connect;
	int (*paths)(void *) = SSL_CTX_set_default_verify_paths;

	void *ctx = ctx_new(method());
	set_verify(ctx, verify ? 1 : 0, NULL);
	if (verify)
		paths(ctx);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("connect");
		return 2;
	}
	void *s = ssl_new(ctx);
	set_fd(s, fd);
	rc = connect_(s);
	printf("handshake %s\n", rc == 1 ? "ok" : "failed");
	return rc == 1 ? 0 : 1;
}
