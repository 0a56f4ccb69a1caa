/* Interleaved A/B/... timing of a command under several environments.
 *
 *   spawnbench [-o|-m] RUNS SPEC... -- COMMAND [ARG...]
 *
 * Each SPEC is "-" (nothing added) or VAR=VALUE[;VAR=VALUE...], applied on
 * top of this process's environment minus LD_PRELOAD.  Every round runs the
 * command once per SPEC, in an order rotated each round, so drift in the
 * machine hits every configuration alike.  Per SPEC it prints one line:
 *   median p25 p75 RUNS
 * of the per-run value: the wall time of posix_spawn + wait4 in microseconds
 * (default), the number the command printed last on stdout (-o), or the
 * child's peak RSS in KB (-m).  A run that exits non-zero aborts the bench.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char **make_env(const char *spec)
{
	size_t n = 0, i, k = 0;
	char **env, *s, *tok, *save = NULL;

	while (environ[n])
		n++;
	env = calloc(n + 64, sizeof(*env));
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			env[k++] = environ[i];
	if (strcmp(spec, "-") == 0)
		return env;
	s = strdup(spec);
	for (tok = strtok_r(s, ";", &save); tok && k < n + 63; tok = strtok_r(NULL, ";", &save)) {
		size_t len = strcspn(tok, "=") + 1, j;

		for (j = 0; j < k; j++)  /* replace an inherited value */
			if (strncmp(env[j], tok, len) == 0)
				break;
		env[j] = tok;
		if (j == k)
			k++;
	}
	env[k] = NULL;
	return env;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double run(char **argv, char **env, int mode)
{
	posix_spawn_file_actions_t fa;
	struct timespec t0, t1;
	struct rusage ru;
	int status, pipefd[2] = { -1, -1 };
	char out[4096];
	size_t got = 0;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	if (mode != 'o')
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (mode == 'o') {
		if (pipe(pipefd) != 0)
			exit(2);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((errno = posix_spawn(&pid, argv[0], &fa, NULL, argv, env)) != 0) {
		perror(argv[0]);
		exit(2);
	}
	if (mode == 'o') {
		ssize_t r;

		close(pipefd[1]);
		while ((r = read(pipefd[0], out + got, sizeof(out) - 1 - got)) > 0)
			got += (size_t)r;
		close(pipefd[0]);
	}
	out[got] = '\0';
	if (wait4(pid, &status, 0, &ru) != pid)
		exit(2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "spawnbench: %s failed (status %d): %s\n", argv[0], status, out);
		exit(1);
	}
	if (mode == 'm')
		return (double)ru.ru_maxrss;
	if (mode == 'o') {
		char *last = NULL, *p;

		for (p = strtok(out, " \t\n"); p; p = strtok(NULL, " \t\n"))
			last = p;
		return last ? strtod(last, NULL) : -1;
	}
	return (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
}

int main(int argc, char **argv)
{
	int mode = 0, runs, nspec = 0, i, r, first;
	char ***envs;
	double **v;

	if (argc > 1 && (strcmp(argv[1], "-o") == 0 || strcmp(argv[1], "-m") == 0)) {
		mode = argv[1][1];
		argv++, argc--;
	}
	if (argc < 5 || (runs = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: spawnbench [-o|-m] RUNS SPEC... -- COMMAND [ARG...]\n");
		return 2;
	}
	for (first = 2; first < argc && strcmp(argv[first], "--") != 0; first++)
		nspec++;
	if (first + 1 >= argc || nspec == 0)
		return 2;
	envs = calloc((size_t)nspec, sizeof(*envs));
	v = calloc((size_t)nspec, sizeof(*v));
	for (i = 0; i < nspec; i++) {
		envs[i] = make_env(argv[2 + i]);
		v[i] = calloc((size_t)runs, sizeof(**v));
	}
	for (r = 0; r < runs; r++)
		for (i = 0; i < nspec; i++) {
			int k = (i + r) % nspec;

			v[k][r] = run(argv + first + 1, envs[k], mode);
		}
	for (i = 0; i < nspec; i++) {
		qsort(v[i], (size_t)runs, sizeof(double), cmp);
		printf("%.3f %.3f %.3f %d\n", v[i][runs / 2], v[i][runs / 4], v[i][(3 * runs) / 4], runs);
	}
	return 0;
}
