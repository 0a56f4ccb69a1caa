/* libc functions the shim hooks; same columns as openssl_api.h.
 * recv: curl's and libcurl-gnutls's transports read the server's handshake
 * with recv() on the connection's socket, in the thread that then verifies,
 * while SSL_get_fd() says -1.  peer.c remembers that socket per thread. */
#ifndef TS_LIBC_API_H
#define TS_LIBC_API_H

#define TS_LIBC_API(X) \
	X(HOOK, C, ssize_t, recv, (int fd, void *buf, size_t len, int flags))

#endif
