// LIBS:
/* Prints the mean cost of fork() + _exit-free exit() + waitpid in
 * microseconds, the best of three rounds of N (default 300): a shell forks
 * for every $(...), so a preload that slows fork() slows every script.
 *   harden_forkcost [N] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300;
	double best = 1e18;

	if (n < 1)
		n = 1;
	for (int round = 0; round < 3; round++) {
		struct timespec a, b;
		double us;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int i = 0; i < n; i++) {
			pid_t p = fork();

			if (p == 0)
				exit(0);  /* exit(), not _exit(): destructors run, as in a shell */
			if (p > 0)
				waitpid(p, NULL, 0);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / n / 1000.0;
		if (us < best)
			best = us;
	}
	printf("%.0f\n", best);
	return 0;
}
