/* The ONE list of GnuTLS functions the shim hooks (HOOK) or calls (CALL);
 * same columns as openssl_api.h. */
#ifndef TS_GNUTLS_API_H
#define TS_GNUTLS_API_H

#define TS_GNUTLS_API(X)

#endif
