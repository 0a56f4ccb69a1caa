// LIBS: -lssl -lcrypto
/* The per-context path in C: SSL_CTX_new + SSL_CTX_set_default_verify_paths
 * + SSL_CTX_free, N times.
 *
 *   ctxbench N           prints the milliseconds the N contexts took
 *   ctxbench --warm N    one context first, outside the measured function,
 *                        so that callgrind --toggle-collect=bench_contexts
 *                        counts the steady state only
 */
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int one(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int ok = ctx != NULL && SSL_CTX_set_default_verify_paths(ctx) == 1;

	SSL_CTX_free(ctx);
	return ok;
}

__attribute__((noinline)) int bench_contexts(int n)
{
	int i, ok = 1;

	for (i = 0; i < n; i++)
		ok &= one();
	return ok;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int warm = argc > 1 && strcmp(argv[1], "--warm") == 0;
	int n = argc > 1 + warm ? atoi(argv[1 + warm]) : 50;

	if (warm && !one())
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!bench_contexts(n))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f\n", (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	return 0;
}
