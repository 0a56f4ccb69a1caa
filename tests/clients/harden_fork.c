// LIBS: -lssl -lcrypto
/* The fork-deadlock regression test (the idea of cwrap's
 * test_thread_echo_tcp_fork): worker threads stay inside the shim, creating
 * and freeing contexts, handshaking and logging attempts to skip
 * verification, while the main thread forks again and again.  Each child
 * must not hang on a lock or a pthread_once that a parent thread held at
 * the fork, and must keep working: it does its own verified handshake (and,
 * with --child-none, one that skips verification) and exits.
 *
 *   harden_fork [--threads N] [--forks M] [--child-none] [--shared-ctx] [--quiesce] [--ca FILE] HOST PORT
 * Workers use SSL_VERIFY_NONE (so every handshake is judged and recorded);
 * children use SSL_VERIFY_PEER with --ca (or default paths) and must succeed.
 * --shared-ctx: the workers also keep switching verification off and on, on
 * one context made before the threads start, and each child verifies with
 * that context, as a program whose context outlives fork() does (Python's
 * requests session, a worker pool).  A child that has not exited within 20 s
 * (--hang-ms) is counted as hung: its stack goes to stderr (when gdb is
 * there, unless --no-stacks) and it is killed.
 * --quiesce: OpenSSL 3 registers no fork handlers, so a child can hang on
 * one of OpenSSL's own locks (the ex_data lock in SSL_new, a store's lock)
 * that a parent thread held at the fork, with or without the shim.  With
 * --quiesce the workers' handshakes hold a read lock that this program's
 * own atfork handler takes for writing, so forks land only between
 * handshakes, while the workers are still switching verification on the
 * shared context: what can then hang a child is the shim's own state.
 * Prints "forks M, children ok K, failed F, hung H" and exits 0 when K == M. */
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tcp.h"

static const char *host, *port, *ca;
static int threads = 8, forks = 100, child_none, hang_ms = 20000, gdb_stacks = 1;
static atomic_int stop;
static atomic_long worker_handshakes;
static SSL_CTX *shared;
static int quiesce, flip_only;
/* writer-preferring, or the forking thread would starve */
static pthread_rwlock_t quiet = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

static void quiet_prepare(void) { pthread_rwlock_wrlock(&quiet); }
static void quiet_release(void) { pthread_rwlock_unlock(&quiet); }

/* 0 when the handshake succeeded. */
static int handshake_with(SSL_CTX *use, int verify_none)
{
	SSL_CTX *ctx = use ? use : SSL_CTX_new(TLS_client_method());
	SSL *s = NULL;
	int fd = -1, rc = 1;

	if (ctx == NULL)
		return 1;
	SSL_CTX_set_verify(ctx, verify_none ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	if (!verify_none && use == NULL) {
		if (ca)
			SSL_CTX_load_verify_locations(ctx, ca, NULL);
		else
			SSL_CTX_set_default_verify_paths(ctx);
	}
	if ((fd = tcp_connect(host, port)) >= 0 && (s = SSL_new(ctx)) != NULL) {
		SSL_set_fd(s, fd);
		SSL_set_tlsext_host_name(s, "localhost");
		rc = SSL_connect(s) == 1 ? 0 : 1;
	}
	ERR_clear_error();
	SSL_free(s);
	if (use == NULL)
		SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int handshake(int verify_none)
{
	return handshake_with(NULL, verify_none);
}

static void *worker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		if (shared) {
			for (int k = 0; k < 50; k++) {
				SSL_CTX_set_verify(shared, SSL_VERIFY_NONE, NULL);
				SSL_CTX_set_verify(shared, SSL_VERIFY_PEER, NULL);
			}
		}
		if (flip_only)
			continue;
		if (quiesce)
			pthread_rwlock_rdlock(&quiet);
		handshake(1);
		if (quiesce)
			pthread_rwlock_unlock(&quiet);
		atomic_fetch_add(&worker_handshakes, 1);
	}
	return NULL;
}

static void child(void)
{
	int bad = shared ? handshake_with(shared, 0) : handshake(0);

	if (child_none)
		handshake(1);  /* judged and recorded in the child; its result depends on the mode */
	_exit(bad ? 1 : 0);
}

int main(int argc, char **argv)
{
	pthread_t tid[64];
	int i, ok = 0, failed = 0, hung = 0;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (!strcmp(argv[i], "--threads")) threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--forks")) forks = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--child-none")) child_none = 1;
		else if (!strcmp(argv[i], "--quiesce")) quiesce = 1;
		else if (!strcmp(argv[i], "--hang-ms")) hang_ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-stacks")) gdb_stacks = 0;
		else if (!strcmp(argv[i], "--flip-only")) flip_only = 1;
		else if (!strcmp(argv[i], "--shared-ctx")) shared = SSL_CTX_new(TLS_client_method());
		else if (!strcmp(argv[i], "--ca")) ca = argv[++i];
		else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
	}
	if (argc - i != 2 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: harden_fork [--threads N] [--forks M] [--child-none] [--shared-ctx] [--quiesce] [--ca FILE] HOST PORT\n");
		return 2;
	}
	host = argv[i];
	port = argv[i + 1];
	if (shared) {
		if (ca)
			SSL_CTX_load_verify_locations(shared, ca, NULL);
		else
			SSL_CTX_set_default_verify_paths(shared);
	}
	if (quiesce)
		pthread_atfork(quiet_prepare, quiet_release, quiet_release);
	/* No warm-up: the first forks land while the workers are still inside
	 * the shim's one-time initialisation. */
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, NULL);
	for (int f = 0; f < forks; f++) {
		pid_t pid = fork();
		int st = 0, waited = 0;

		if (pid == 0)
			child();
		if (pid < 0) {
			failed++;
			continue;
		}
		for (;;) {
			pid_t w = waitpid(pid, &st, WNOHANG);
			struct timespec ts = { 0, 5 * 1000000L };

			if (w == pid)
				break;
			if (waited >= hang_ms) {
				char cmd[128];

				fprintf(stderr, "harden_fork: child %d hung; its stack:\n", (int)pid);
				snprintf(cmd, sizeof(cmd), "gdb -p %d -batch -ex 'thread apply all bt 40' 2>/dev/null | grep '^#' >&2", (int)pid);
				if (!gdb_stacks || system(cmd) != 0)
					fprintf(stderr, "  (no gdb)\n");
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				st = -1;
				break;
			}
			nanosleep(&ts, NULL);
			waited += 5;
		}
		if (st == -1)
			hung++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		else
			failed++;
	}
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	printf("forks %d, children ok %d, failed %d, hung %d (workers did %ld handshakes)\n",
	       forks, ok, failed, hung, atomic_load(&worker_handshakes));
	return ok == forks ? 0 : 1;
}
