/* The bundle cache: each CA file OpenSSL loads is parsed once per process,
 * and its certificates and CRLs are added to every later store by
 * reference.  See bundle_cache.c for the hook point and its semantics. */
#ifndef TS_BUNDLE_CACHE_H
#define TS_BUNDLE_CACHE_H

/* Most files cached at once; the least recently used is dropped. */
#define TS_CACHE_MAX_FILES 16
/* A larger file is passed through to OpenSSL, uncached. */
#define TS_CACHE_MAX_BYTES (64L << 20)

/* True when the OpenSSL backend acts in this process: mode is not off and
 * every CALL row resolved.  Defined in openssl.c (its active() gate). */
int ts_openssl_active(void);

/* openssl.c's table of the openssl_api.h rows (indexed by its TS_SYM_*
 * enum), so that each function is resolved once and the table is not
 * duplicated (each row costs relocations at load). */
struct ts_sym *ts_openssl_syms(void);

#endif
