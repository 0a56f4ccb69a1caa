/* Anchor loading from arbitrary bytes (anchors.c ts_anchors_from_buffer):
 * PEM bundles, DER, keys and junk.
 *
 * Invariants: the return value and *why agree (-1 always says why; a count
 * is the number of anchors added); each anchor is a whole DER certificate
 * by the DER reader, distinct from the others, and its source is recorded;
 * loading the same bytes again adds nothing (duplicates are dropped); and
 * memory is released by ts_anchors_free (LeakSanitizer checks). */
#include "fuzz.h"
#include "anchors.h"
#include "der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_anchors a = { 0 };
	const char *why = "unset";
	int n, n2;

	n = ts_anchors_from_buffer(data, size, "fuzz", &a, &why);
	FUZZ_CHECK(n >= -1);
	if (n < 0) {
		FUZZ_CHECK(why != NULL && why[0] != '\0');
		FUZZ_CHECK(a.n == 0);
	} else {
		FUZZ_CHECK((size_t)n == a.n);
	}
	for (size_t i = 0; i < a.n; i++) {
		size_t clen;
		char na[15];

		FUZZ_CHECK(a.v[i].der != NULL && a.v[i].len > 0 && a.v[i].len <= size);
		FUZZ_CHECK(ts_der_cert(a.v[i].der, a.v[i].len, &clen, na) == 0 && clen == a.v[i].len);
		FUZZ_CHECK(strcmp(a.v[i].source, "fuzz") == 0);
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(a.v[j].len != a.v[i].len || memcmp(a.v[j].der, a.v[i].der, a.v[i].len) != 0);
	}
	if (a.n > 0)
		FUZZ_CHECK(a.sources != NULL && strcmp(a.sources, "fuzz") == 0);

	/* Again into the same set: nothing new. */
	{
		size_t before = a.n;

		n2 = ts_anchors_from_buffer(data, size, "again", &a, &why);
		FUZZ_CHECK(a.n == before);
		FUZZ_CHECK(n2 <= 0);
	}
	ts_anchors_free(&a);
	return 0;
}
