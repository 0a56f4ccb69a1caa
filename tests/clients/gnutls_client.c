// LIBS: -lgnutls
/* A small GnuTLS client for the integration tests: one HTTPS GET to
 * 127.0.0.1:PORT with a chosen way of (not) verifying the server.
 *
 *   gnutls_client [options] PORT
 *   --verify none            no verify function, no verify_peers call (default)
 *   --verify cred-cb-accept  credentials verify function that returns 0
 *   --verify cred-cb-verify  credentials verify function that really verifies (verify_peers3)
 *   --verify session-cb      session verify function that returns 0
 *   --verify cert-host       gnutls_session_set_verify_cert(session, HOST, 0)
 *   --verify cert-nohost     gnutls_session_set_verify_cert(session, NULL, 0)
 *   --verify cert2-host      gnutls_session_set_verify_cert2 with a DNS host name
 *   --verify peers3          gnutls_certificate_verify_peers3(HOST) after the handshake
 *   --verify peers2-ignore   verify_peers2 after the handshake, result printed and ignored (wget --no-check-certificate)
 *   --host NAME     name to verify and to send as SNI (default: none; peers3 uses 127.0.0.1)
 *   --ca FILE       gnutls_certificate_set_x509_trust_file
 *   --system        gnutls_certificate_set_x509_system_trust
 *   --trust-list    like gnutls-cli: set_trust_list first, then system trust into that list
 *   --tls12         limit to TLS 1.2
 *   --save FILE     write the session data after the GET (for resumption)
 *   --resume FILE   resume the session saved in FILE
 *   --expect-resumed  fail unless the session was resumed
 *   --then-serve CERT KEY PEERCERT PEERKEY
 *                   after the GET, use the SAME credentials for a server
 *                   session (certificate CERT/KEY) that requires a client
 *                   certificate, over a socketpair to a client thread that
 *                   presents PEERCERT/PEERKEY; verify it with verify_peers2.
 *                   Exit 0 if the server accepted it, 3 if not.
 * Exit: 0 when the GET got a response, 1 otherwise. */
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *host;

static int accept_all(gnutls_session_t s)
{
	(void)s;
	return 0;
}

static int really_verify(gnutls_session_t s)
{
	unsigned status = 0;

	if (gnutls_certificate_verify_peers3(s, host ? host : "127.0.0.1", &status) < 0 || status != 0)
		return -1;
	return 0;
}

static int read_file(const char *path, gnutls_datum_t *d)
{
	return gnutls_load_file(path, d);
}

struct peer { int fd; const char *cert, *key; };

/* The client end of --then-serve: its own credentials, no verification of
 * its own (under the shim: checked against system trust and the anchors). */
static void *peer_client(void *arg)
{
	struct peer *p = arg;
	gnutls_certificate_credentials_t c;
	gnutls_session_t s;
	int r;

	gnutls_certificate_allocate_credentials(&c);
	gnutls_certificate_set_x509_key_file(c, p->cert, p->key, GNUTLS_X509_FMT_PEM);
	gnutls_init(&s, GNUTLS_CLIENT);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, c);
	gnutls_transport_set_int(s, p->fd);
	do
		r = gnutls_handshake(s);
	while (r < 0 && !gnutls_error_is_fatal(r));
	close(p->fd);
	return NULL;
}

/* A server session on credentials a client session used first. */
static int serve_shared(gnutls_certificate_credentials_t cred, char **a)
{
	gnutls_session_t s;
	struct peer p;
	pthread_t t;
	int sv[2], r;
	unsigned status = 0;

	if (gnutls_certificate_set_x509_key_file(cred, a[0], a[1], GNUTLS_X509_FMT_PEM) < 0
	    || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
		fprintf(stderr, "cannot set up the server\n");
		return 2;
	}
	p.fd = sv[1];
	p.cert = a[2];
	p.key = a[3];
	pthread_create(&t, NULL, peer_client, &p);
	gnutls_init(&s, GNUTLS_SERVER);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
	/* An empty CA list in the CertificateRequest: the client sends its
	 * certificate whoever issued it, so verification decides. */
	gnutls_certificate_send_x509_rdn_sequence(s, 1);
	gnutls_transport_set_int(s, sv[0]);
	do
		r = gnutls_handshake(s);
	while (r < 0 && !gnutls_error_is_fatal(r));
	if (r == 0)
		r = gnutls_certificate_verify_peers2(s, &status);
	close(sv[0]);
	pthread_join(t, NULL);
	if (r < 0 || status != 0) {
		fprintf(stderr, "server refused the client certificate: %s (status 0x%x)\n", r < 0 ? gnutls_strerror(r) : "verify_peers2", status);
		return 3;
	}
	printf("server accepted the client certificate\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *verify = "none", *ca = NULL, *save = NULL, *resume = NULL;
	int system_trust = 0, trust_list = 0, tls12 = 0, expect_resumed = 0;
	char **serve = NULL;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	gnutls_datum_t data = { NULL, 0 };
	gnutls_typed_vdata_st vd[1];
	struct sockaddr_in sa;
	char buf[4096];
	int fd, r, i, port;
	unsigned status;

	for (i = 1; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--verify")) verify = argv[++i];
		else if (!strcmp(argv[i], "--host")) host = argv[++i];
		else if (!strcmp(argv[i], "--ca")) ca = argv[++i];
		else if (!strcmp(argv[i], "--system")) system_trust = 1;
		else if (!strcmp(argv[i], "--trust-list")) trust_list = 1;
		else if (!strcmp(argv[i], "--tls12")) tls12 = 1;
		else if (!strcmp(argv[i], "--save")) save = argv[++i];
		else if (!strcmp(argv[i], "--resume")) resume = argv[++i];
		else if (!strcmp(argv[i], "--expect-resumed")) expect_resumed = 1;
		else if (!strcmp(argv[i], "--then-serve") && i + 4 < argc - 1) { serve = &argv[i + 1]; i += 4; }
		else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: gnutls_client [options] PORT\n");
		return 2;
	}
	port = atoi(argv[argc - 1]);

	gnutls_global_init();
	gnutls_certificate_allocate_credentials(&cred);
	if (trust_list) {
		gnutls_x509_trust_list_t tl;

		gnutls_x509_trust_list_init(&tl, 0);
		gnutls_certificate_set_trust_list(cred, tl, 0);
		if (ca)
			gnutls_x509_trust_list_add_trust_file(tl, ca, NULL, GNUTLS_X509_FMT_PEM, GNUTLS_TL_USE_IN_TLS, 0);
		else
			gnutls_x509_trust_list_add_system_trust(tl, GNUTLS_TL_USE_IN_TLS, 0);
	} else {
		if (ca && gnutls_certificate_set_x509_trust_file(cred, ca, GNUTLS_X509_FMT_PEM) < 0) {
			fprintf(stderr, "cannot load %s\n", ca);
			return 2;
		}
		if (system_trust)
			gnutls_certificate_set_x509_system_trust(cred);
	}
	if (!strcmp(verify, "cred-cb-accept"))
		gnutls_certificate_set_verify_function(cred, accept_all);
	else if (!strcmp(verify, "cred-cb-verify"))
		gnutls_certificate_set_verify_function(cred, really_verify);

	gnutls_init(&s, GNUTLS_CLIENT);
	if (tls12)
		gnutls_priority_set_direct(s, "NORMAL:-VERS-ALL:+VERS-TLS1.2", NULL);
	else
		gnutls_set_default_priority(s);
	if (host)
		gnutls_server_name_set(s, GNUTLS_NAME_DNS, host, strlen(host));
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	if (!strcmp(verify, "session-cb"))
		gnutls_session_set_verify_function(s, accept_all);
	else if (!strcmp(verify, "cert-host"))
		gnutls_session_set_verify_cert(s, host ? host : "127.0.0.1", 0);
	else if (!strcmp(verify, "cert-nohost"))
		gnutls_session_set_verify_cert(s, NULL, 0);
	else if (!strcmp(verify, "cert2-host")) {
		vd[0].type = GNUTLS_DT_DNS_HOSTNAME;
		vd[0].data = (unsigned char *)(host ? host : "127.0.0.1");
		vd[0].size = 0;
		gnutls_session_set_verify_cert2(s, vd, 1, 0);
	}
	if (resume) {
		if (read_file(resume, &data) < 0 || gnutls_session_set_data(s, data.data, data.size) < 0) {
			fprintf(stderr, "cannot resume from %s\n", resume);
			return 2;
		}
		gnutls_free(data.data);
	}

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("connect");
		return 1;
	}
	gnutls_transport_set_int(s, fd);
	do
		r = gnutls_handshake(s);
	while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0) {
		fprintf(stderr, "handshake failed: %s\n", gnutls_strerror(r));
		return 1;
	}
	if (expect_resumed && !gnutls_session_is_resumed(s)) {
		fprintf(stderr, "session was not resumed\n");
		return 1;
	}
	if (!strcmp(verify, "peers3") || !strcmp(verify, "peers2-ignore")) {
		status = 0;
		if (!strcmp(verify, "peers3"))
			r = gnutls_certificate_verify_peers3(s, host ? host : "127.0.0.1", &status);
		else
			r = gnutls_certificate_verify_peers2(s, &status);
		if (r < 0 || status != 0) {
			gnutls_datum_t out;

			if (r >= 0 && gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) >= 0) {
				fprintf(stderr, "verification: %s\n", out.data);
				gnutls_free(out.data);
			}
			if (!strcmp(verify, "peers3"))
				return 1;
			fprintf(stderr, "WARNING: ignoring the verification result\n");
		}
	}
	snprintf(buf, sizeof(buf), "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
	if (gnutls_record_send(s, buf, strlen(buf)) < 0) {
		fprintf(stderr, "send failed\n");
		return 1;
	}
	do
		r = gnutls_record_recv(s, buf, sizeof(buf) - 1);
	while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	if (r <= 0) {
		fprintf(stderr, "recv failed: %s\n", r < 0 ? gnutls_strerror(r) : "eof");
		return 1;
	}
	buf[r] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	printf("%s\n", buf);
	if (save) {
		FILE *f;

		/* TLS 1.3 tickets arrive after the handshake: the response read
		 * above has brought them in. */
		if (gnutls_session_get_data2(s, &data) < 0 || (f = fopen(save, "wb")) == NULL) {
			fprintf(stderr, "cannot save the session\n");
			return 1;
		}
		fwrite(data.data, 1, data.size, f);
		fclose(f);
		gnutls_free(data.data);
	}
	gnutls_bye(s, GNUTLS_SHUT_WR);
	close(fd);
	gnutls_deinit(s);
	if (serve != NULL)
		return serve_shared(cred, serve);
	gnutls_certificate_free_credentials(cred);
	gnutls_global_deinit();
	return 0;
}
