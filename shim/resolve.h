/* Finding the real functions behind our hooks, at run time, without ever
 * loading a library the host did not load. */
#ifndef TS_RESOLVE_H
#define TS_RESOLVE_H

#include <stdatomic.h>

/* One entry per function we call or hook; tables of these are generated from
 * the X-macro lists in openssl_api.h and gnutls_api.h. */
struct ts_sym {
	const char *name;
	const char *soname;     /* where to look when RTLD_NEXT cannot see it */
	void *self;             /* our own exported hook, never to be returned */
	_Atomic(void *) real;   /* cached once found */
};

/* The real function, or NULL when the process has not loaded its library.
 * Order: cached, dlsym(RTLD_NEXT), dlopen(soname, RTLD_NOLOAD) + dlsym.
 * Python's _ssl and ctypes load libraries RTLD_LOCAL, where only the
 * RTLD_NOLOAD handle sees them. */
void *ts_resolve(struct ts_sym *sym);

/* Is this shared object loaded in the process?  Never loads it. */
int ts_lib_loaded(const char *soname);

#endif
