// LIBS: -shared -fPIC -ldl
/* Not a client: a helper that `make check-asan` preloads right after
 * libasan.  A preloaded libasan initialises lazily, at the first intercepted
 * call, and its constructor runs after those of the program's libraries.
 * libp11-kit's constructor (curl, wget, git through GnuTLS) calls newlocale(),
 * which mallocs while holding glibc's locale lock; ASan's lazy init then
 * calls dlerror() -> dcgettext(), which takes and releases that same lock:
 * the lock is corrupted and the program hangs at its next setlocale().  That
 * happens with or without trustshim.  Interposing newlocale() to make one
 * malloc first initialises ASan outside the lock. */
#include <dlfcn.h>
#include <locale.h>
#include <stdlib.h>

__attribute__((visibility("default")))
locale_t newlocale(int mask, const char *locale, locale_t base)
{
	static locale_t (*real)(int, const char *, locale_t);
	void *volatile p = malloc(1);

	free(p);
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "newlocale");
	return real(mask, locale, base);
}
