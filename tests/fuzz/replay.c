/* Replays fuzz inputs through a target without libFuzzer: `make test` builds
 * each target with this driver (gcc, no sanitizer runtime needed) and runs it
 * over tests/fuzz/<target>/, the seeds and the inputs that once broke
 * something.  Arguments are files or directories (not recursive).  Prints
 * "replayed N inputs" and exits 0, or aborts in the target. */
#include "fuzz.h"

#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((buf = realloc(buf, cap)) == NULL)
				abort();
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	/* A copy of exactly n bytes, so that ASan/valgrind see overreads. */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact == NULL)
		abort();
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	long count = 0;
	int bad = 0;

	/* A target's initialiser may change directory (fixture.h). */
	for (int i = 1; i < argc; i++) {
		char *abs = realpath(argv[i], NULL);
		if (abs != NULL)
			argv[i] = abs;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;
		char **names = NULL;
		size_t n = 0;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= replay_file(argv[i]) != 0;
			count++;
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if ((names = realloc(names, (n + 1) * sizeof(*names))) == NULL)
				abort();
			if (asprintf(&names[n], "%s/%s", argv[i], de->d_name) < 0)
				abort();
			n++;
		}
		closedir(d);
		if (n > 0)
			qsort(names, n, sizeof(*names), cmp);
		for (size_t k = 0; k < n; k++) {
			bad |= replay_file(names[k]) != 0;
			count++;
			free(names[k]);
		}
		free(names);
	}
	printf("replayed %ld inputs\n", count);
	return bad;
}
