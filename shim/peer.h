/* Where the connection being verified goes: the peer's numeric address and
 * port, found from the TLS object's descriptor or, for transports that hide
 * it (curl's BIO, libcurl-gnutls's pull function), from the socket this
 * thread last read from. */
#ifndef TS_PEER_H
#define TS_PEER_H

#include <stddef.h>

struct ts_peer {
	char ip[64];     /* numeric, IPv4-mapped IPv6 shown as IPv4; "" if unknown */
	unsigned port;   /* 0 if unknown */
};

/* Fills *p from fd if it is a connected TCP socket, else from the socket
 * this thread last called recv() on.  Returns 0 when an address was found. */
int ts_peer_lookup(int fd, struct ts_peer *p);

/* Is s an IPv4 or IPv6 literal? */
int ts_is_ip_literal(const char *s);

#endif
