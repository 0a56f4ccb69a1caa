#include "peer.h"
#include "resolve.h"
#include "libc_api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

TS_LIBC_API(TS_SYM_TYPEDEF)
enum { TS_LIBC_API(TS_SYM_ENUM) TS_LIBC_COUNT };
static struct ts_sym libc_syms[] = { TS_LIBC_API(TS_SYM_ROW) };

static __thread int last_recv_fd = -1;

__attribute__((visibility("default")))
ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	ts_recv_fn real = TS_REAL(libc_syms, recv);

	last_recv_fd = fd;
	if (real == NULL)
		return recvfrom(fd, buf, len, flags, NULL, NULL);
	return real(fd, buf, len, flags);
}

static int peer_of(int fd, struct ts_peer *p)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int type = 0;
	socklen_t tl = sizeof(type);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM)
		return -1;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
		return -1;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, p->ip, sizeof(p->ip));
		p->port = ntohs(in->sin_port);
		return 0;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], p->ip, sizeof(p->ip));
		else
			inet_ntop(AF_INET6, &in6->sin6_addr, p->ip, sizeof(p->ip));
		p->port = ntohs(in6->sin6_port);
		return 0;
	}
	return -1;
}

int ts_peer_lookup(int fd, struct ts_peer *p)
{
	memset(p, 0, sizeof(*p));
	if (peer_of(fd, p) == 0)
		return 0;
	if (peer_of(last_recv_fd, p) == 0)
		return 0;
	memset(p, 0, sizeof(*p));
	return -1;
}

int ts_is_ip_literal(const char *s)
{
	unsigned char buf[16];

	return s != NULL && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}
