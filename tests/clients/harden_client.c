// LIBS: -lssl -lcrypto
/* An OpenSSL client for the hardening tests (tests/integration/harden_*.t):
 * descriptors, log destinations that fail, setuid.
 *
 *   harden_client [options] HOST PORT [-- COMMAND ARG...]
 *     --verify none|peer    SSL_CTX_set_verify mode (default: peer); a comma-
 *                           separated list gives the mode of each handshake
 *                           in turn ("peer,none")
 *     --default-paths       SSL_CTX_set_default_verify_paths
 *     --ca FILE             SSL_CTX_load_verify_locations
 *     --count N             N handshakes, each with its own context and a GET
 *     --sleep-ms N          pause between handshakes
 *     --pause-ms N          pause after SSL_CTX_new (the shim's first-call
 *                           records are out by then) and before connecting
 *     --quiet               print nothing of its own
 *     --close-all           close every descriptor (0, 1 and 2 too) first
 *     --close-stderr        close descriptor 2 first: the first socket gets it
 *     --maps-has TEXT       exit 3 unless TEXT is in /proc/self/maps
 *     -- COMMAND ARG...     after the handshakes, exec COMMAND (execvp)
 * Exit status: 0 when every handshake and GET succeeded, 1 otherwise (the
 * exec'd command's status with --).  With descriptors closed nothing is
 * printed, so the status is the result. */
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "tcp.h"

static const char *host, *port, *verify = "peer", *ca, *maps_has;
static int default_paths, count = 1, sleep_ms, pause_ms, close_all, close_stderr, quiet;

static void sleep_ms_(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Is the k-th entry of the comma-separated --verify list "none"?  The last
 * entry repeats. */
static int verify_none(int k)
{
	const char *p = verify, *c;

	while (k-- > 0 && (c = strchr(p, ',')) != NULL)
		p = c + 1;
	return strncmp(p, "none", 4) == 0 && (p[4] == '\0' || p[4] == ',');
}

/* One context, one connection, a GET whose answer must start with HTTP/. */
static int one(int k)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *s = NULL;
	int fd = -1, rc = 1;
	char buf[64] = "";

	if (ctx == NULL)
		return 1;
	if (pause_ms)
		sleep_ms_(pause_ms);
	SSL_CTX_set_verify(ctx, verify_none(k) ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	if (ca && !SSL_CTX_load_verify_locations(ctx, ca, NULL))
		goto out;
	if (default_paths)
		SSL_CTX_set_default_verify_paths(ctx);
	if ((fd = tcp_connect(host, port)) < 0 || (s = SSL_new(ctx)) == NULL)
		goto out;
	SSL_set_fd(s, fd);
	if (SSL_connect(s) != 1 || SSL_write(s, "GET / HTTP/1.0\r\n\r\n", 18) <= 0)
		goto out;
	if (SSL_read(s, buf, sizeof(buf) - 1) >= 5 && strncmp(buf, "HTTP/", 5) == 0)
		rc = 0;
out:
	if (rc && !close_all && !quiet)
		fprintf(stderr, "harden_client: handshake or GET failed (verify result %ld)\n",
			s ? SSL_get_verify_result(s) : -1L);
	ERR_clear_error();
	SSL_free(s);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	char **cmd = NULL;
	int i, bad = 0;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2]; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--verify")) verify = argv[++i];
		else if (!strcmp(o, "--default-paths")) default_paths = 1;
		else if (!strcmp(o, "--ca")) ca = argv[++i];
		else if (!strcmp(o, "--count")) count = atoi(argv[++i]);
		else if (!strcmp(o, "--sleep-ms")) sleep_ms = atoi(argv[++i]);
		else if (!strcmp(o, "--pause-ms")) pause_ms = atoi(argv[++i]);
		else if (!strcmp(o, "--quiet")) quiet = 1;
		else if (!strcmp(o, "--close-all")) close_all = 1;
		else if (!strcmp(o, "--close-stderr")) close_stderr = 1;
		else if (!strcmp(o, "--maps-has")) maps_has = argv[++i];
		else { fprintf(stderr, "unknown option %s\n", o); return 2; }
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: harden_client [options] HOST PORT [-- COMMAND ARG...]\n");
		return 2;
	}
	host = argv[i];
	port = argv[i + 1];
	if (argc - i > 2 && !strcmp(argv[i + 2], "--"))
		cmd = argv + i + 3;
	if (maps_has) {
		FILE *f = fopen("/proc/self/maps", "r");
		char line[4096];
		int found = 0;

		while (f && fgets(line, sizeof(line), f))
			found |= strstr(line, maps_has) != NULL;
		if (f)
			fclose(f);
		if (!found) {
			fprintf(stderr, "harden_client: %s is not mapped\n", maps_has);
			return 3;
		}
	}
	if (close_all) {
		struct rlimit rl;
		long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (long)rl.rlim_cur : 65536;
		for (long fd = 0; fd < max; fd++)
			close((int)fd);
	} else if (close_stderr) {
		close(2);
	}
	for (int k = 0; k < count; k++) {
		if (k && sleep_ms)
			sleep_ms_(sleep_ms);
		bad += one(k);
	}
	if (cmd && cmd[0]) {
		execvp(cmd[0], cmd);
		return 127;
	}
	if (!close_all && !close_stderr && !quiet)
		printf("%d of %d handshakes ok\n", count - bad, count);
	return bad ? 1 : 0;
}
