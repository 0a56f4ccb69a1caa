/* Shared by the libFuzzer targets in tests/fuzz.  Each target defines
 * LLVMFuzzerTestOneInput; `make fuzz` links it with clang's libFuzzer and
 * ASan+UBSan, and `make test` links it with replay.c (no clang needed) to
 * replay the seed corpora and every input that once crashed, so the
 * regressions stay tested.
 *
 * A broken invariant calls FUZZ_CHECK, which aborts: libFuzzer then saves the
 * input as a crash and replay.c fails the test. */
#ifndef TS_FUZZ_H
#define TS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string: the bytes up to the first NUL.  Free it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	const uint8_t *z = memchr(data, 0, size);
	size_t n = z ? (size_t)(z - data) : size;
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Splits the input at '\n' into at most max fields, each a fresh C string
 * (NUL bytes inside a field end it early).  Missing fields are "".  Returns
 * the fields; free each, then the array. */
static inline char **fuzz_fields(const uint8_t *data, size_t size, int max)
{
	char **f = calloc((size_t)max, sizeof(*f));
	size_t pos = 0;

	if (f == NULL)
		abort();
	for (int i = 0; i < max; i++) {
		const uint8_t *nl = pos < size ? memchr(data + pos, '\n', size - pos) : NULL;
		size_t end = (i == max - 1 || nl == NULL) ? size : (size_t)(nl - data);

		if (pos > size)
			pos = size;
		f[i] = fuzz_cstr(data + pos, end - pos);
		pos = end + 1;
	}
	return f;
}

static inline void fuzz_fields_free(char **f, int max)
{
	for (int i = 0; i < max; i++)
		free(f[i]);
	free(f);
}

#endif
