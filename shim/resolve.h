/* Finding the real functions behind our hooks, at run time, without ever
 * loading a library the host did not load. */
#ifndef TS_RESOLVE_H
#define TS_RESOLVE_H

#include <stdatomic.h>
#include <stddef.h>

/* One entry per function we call or hook; tables of these are generated from
 * the X-macro lists in openssl_api.h and gnutls_api.h. */
struct ts_sym {
	const char *name;
	const char *soname;     /* where to look when RTLD_NEXT cannot see it */
	void *self;             /* our own exported hook, never to be returned */
	int call;               /* a CALL row: the backend cannot work without it */
	_Atomic(void *) real;   /* cached once found */
};

/* The real function, or NULL when the process has not loaded its library.
 * Order: cached, dlsym(RTLD_NEXT), dlopen(soname, RTLD_NOLOAD) + dlsym.
 * Python's _ssl and ctypes load libraries RTLD_LOCAL, where only the
 * RTLD_NOLOAD handle sees them. */
void *ts_resolve(struct ts_sym *sym);

/* Resolves every CALL row of a table: 1 when all are there (the library is
 * the one the list was written for), else 0 and the backend passes
 * everything through. */
int ts_resolve_calls(struct ts_sym *table, size_t n);

/* Is this shared object loaded in the process?  Never loads it. */
int ts_lib_loaded(const char *soname);

#endif

/* Table generators for the X-macro lists (columns: kind, lib, ret, name,
 * params).  Each backend expands its list once into typedefs, an index enum
 * and a table of struct ts_sym, then calls real functions with TS_REAL. */
#define TS_SONAME_SSL    "libssl.so.3"
#define TS_SONAME_CRYPTO "libcrypto.so.3"
#define TS_SONAME_GNUTLS "libgnutls.so.30"
#define TS_SONAME_C      "libc.so.6"
#define TS_SELF_HOOK(name) ((void *)&name)
#define TS_SELF_CALL(name) NULL
#define TS_SYM_TYPEDEF(kind, lib, ret, name, params) typedef ret (*ts_##name##_fn) params;
#define TS_SYM_ENUM(kind, lib, ret, name, params) TS_SYM_##name,
#define TS_SYM_ROW(kind, lib, ret, name, params) { #name, TS_SONAME_##lib, TS_SELF_##kind(name), TS_SYM_IS_CALL_##kind, NULL },
#define TS_SYM_IS_CALL_HOOK 0
#define TS_SYM_IS_CALL_CALL 1

/* TS_REAL(table, name): the real function as a typed pointer (maybe NULL). */
#define TS_REAL(table, name) ((ts_##name##_fn)ts_resolve(&(table)[TS_SYM_##name]))
