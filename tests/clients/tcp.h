/* A TCP connection to HOST:PORT for the test clients: every address
 * getaddrinfo gives, in order; -1 when none connects. */
#ifndef TS_TEST_TCP_H
#define TS_TEST_TCP_H
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

static int tcp_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1;

	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}
#endif
