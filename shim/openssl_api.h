/* The ONE list of OpenSSL functions the shim hooks (HOOK) or calls (CALL).
 * Typedefs, the symbol table, real_*() and the version script are all
 * generated from it.  Columns: kind, library, return type, name, parameters.
 * OPT marks a CALL the shim can do without. */
#ifndef TS_OPENSSL_API_H
#define TS_OPENSSL_API_H

#define TS_OPENSSL_API(X) \
	X(HOOK, SSL, SSL_CTX *, SSL_CTX_new_ex, (OSSL_LIB_CTX *libctx, const char *propq, const SSL_METHOD *meth)) \
	X(HOOK, SSL, SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *meth)) \
	X(HOOK, SSL, SSL *, SSL_new, (SSL_CTX *ctx)) \
	X(HOOK, SSL, void, SSL_CTX_set_verify, (SSL_CTX *ctx, int mode, SSL_verify_cb cb)) \
	X(HOOK, SSL, void, SSL_set_verify, (SSL *s, int mode, SSL_verify_cb cb)) \
	X(HOOK, SSL, void, SSL_CTX_set_cert_verify_callback, (SSL_CTX *ctx, int (*cb)(X509_STORE_CTX *, void *), void *arg)) \
	X(HOOK, SSL, int, SSL_set_session, (SSL *s, SSL_SESSION *sess)) \
	X(CALL, CRYPTO, int, CRYPTO_get_ex_new_index, (int class_index, long argl, void *argp, CRYPTO_EX_new *new_func, CRYPTO_EX_dup *dup_func, CRYPTO_EX_free *free_func)) \
	X(CALL, SSL, void *, SSL_CTX_get_ex_data, (const SSL_CTX *ctx, int idx)) \
	X(CALL, SSL, int, SSL_CTX_set_ex_data, (SSL_CTX *ctx, int idx, void *data)) \
	X(CALL, SSL, void *, SSL_get_ex_data, (const SSL *s, int idx)) \
	X(CALL, SSL, int, SSL_set_ex_data, (SSL *s, int idx, void *data)) \
	X(CALL, SSL, int, SSL_get_ex_data_X509_STORE_CTX_idx, (void)) \
	X(CALL, SSL, SSL_CTX *, SSL_get_SSL_CTX, (const SSL *s)) \
	X(CALL, SSL, int, SSL_is_server, (const SSL *s)) \
	X(CALL, SSL, int, SSL_get_verify_mode, (const SSL *s)) \
	X(CALL, SSL, SSL_verify_cb, SSL_get_verify_callback, (const SSL *s)) \
	X(CALL, SSL, const char *, SSL_get_servername, (const SSL *s, const int type)) \
	X(CALL, SSL, int, SSL_get_fd, (const SSL *s)) \
	X(CALL, SSL, X509_VERIFY_PARAM *, SSL_get0_param, (SSL *s)) \
	X(CALL, SSL, X509 *, SSL_SESSION_get0_peer, (SSL_SESSION *s)) \
	X(CALL, SSL, const char *, SSL_SESSION_get0_hostname, (const SSL_SESSION *s)) \
	X(CALL, CRYPTO, void *, X509_STORE_CTX_get_ex_data, (const X509_STORE_CTX *ctx, int idx)) \
	X(CALL, CRYPTO, X509_STORE *, X509_STORE_CTX_get0_store, (const X509_STORE_CTX *ctx)) \
	X(CALL, CRYPTO, X509 *, X509_STORE_CTX_get0_cert, (const X509_STORE_CTX *ctx)) \
	X(CALL, CRYPTO, STACK_OF(X509) *, X509_STORE_CTX_get0_untrusted, (const X509_STORE_CTX *ctx)) \
	X(CALL, CRYPTO, STACK_OF(X509) *, X509_STORE_CTX_get0_chain, (const X509_STORE_CTX *ctx)) \
	X(CALL, CRYPTO, X509_VERIFY_PARAM *, X509_STORE_CTX_get0_param, (const X509_STORE_CTX *ctx)) \
	X(CALL, CRYPTO, int, X509_STORE_CTX_get_error, (const X509_STORE_CTX *ctx)) \
	X(CALL, CRYPTO, void, X509_STORE_CTX_set_error, (X509_STORE_CTX *ctx, int s)) \
	X(CALL, CRYPTO, X509_STORE_CTX *, X509_STORE_CTX_new, (void)) \
	X(CALL, CRYPTO, int, X509_STORE_CTX_init, (X509_STORE_CTX *ctx, X509_STORE *store, X509 *x509, STACK_OF(X509) *chain)) \
	X(CALL, CRYPTO, int, X509_STORE_CTX_set_default, (X509_STORE_CTX *ctx, const char *name)) \
	X(CALL, CRYPTO, void, X509_STORE_CTX_free, (X509_STORE_CTX *ctx)) \
	X(CALL, CRYPTO, int, X509_verify_cert, (X509_STORE_CTX *ctx)) \
	X(CALL, CRYPTO, const char *, X509_verify_cert_error_string, (long n)) \
	X(CALL, CRYPTO, int, X509_check_host, (X509 *x, const char *chk, size_t chklen, unsigned int flags, char **peername)) \
	X(CALL, CRYPTO, int, X509_check_ip_asc, (X509 *x, const char *address, unsigned int flags)) \
	X(CALL, CRYPTO, int, X509_VERIFY_PARAM_set1, (X509_VERIFY_PARAM *to, const X509_VERIFY_PARAM *from)) \
	X(CALL, CRYPTO, char *, X509_VERIFY_PARAM_get0_peername, (const X509_VERIFY_PARAM *param)) \
	X(CALL, CRYPTO, char *, X509_VERIFY_PARAM_get0_host, (X509_VERIFY_PARAM *param, int idx)) \
	X(CALL, CRYPTO, char *, X509_VERIFY_PARAM_get1_ip_asc, (X509_VERIFY_PARAM *param)) \
	X(CALL, CRYPTO, int, X509_VERIFY_PARAM_set1_host, (X509_VERIFY_PARAM *param, const char *name, size_t namelen)) \
	X(CALL, CRYPTO, int, X509_VERIFY_PARAM_set1_ip_asc, (X509_VERIFY_PARAM *param, const char *ipasc)) \
	X(CALL, CRYPTO, X509_STORE *, X509_STORE_new, (void)) \
	X(CALL, CRYPTO, int, X509_STORE_add_cert, (X509_STORE *store, X509 *x)) \
	X(CALL, CRYPTO, int, X509_STORE_set_default_paths, (X509_STORE *store)) \
	X(CALL, CRYPTO, void *, X509_STORE_get_ex_data, (const X509_STORE *store, int idx)) \
	X(CALL, CRYPTO, int, X509_STORE_set_ex_data, (X509_STORE *store, int idx, void *data)) \
	X(CALL, CRYPTO, X509 *, d2i_X509, (X509 **a, const unsigned char **in, long len)) \
	X(CALL, CRYPTO, void, X509_free, (X509 *x)) \
	X(CALL, CRYPTO, int, X509_cmp, (const X509 *a, const X509 *b)) \
	X(CALL, CRYPTO, void *, OPENSSL_sk_value, (const OPENSSL_STACK *st, int i)) \
	X(CALL, CRYPTO, int, OPENSSL_sk_num, (const OPENSSL_STACK *st)) \
	X(CALL, CRYPTO, int, ERR_set_mark, (void)) \
	X(CALL, CRYPTO, int, ERR_pop_to_mark, (void)) \
	X(CALL, CRYPTO, void, CRYPTO_free, (void *ptr, const char *file, int line)) \
	X(HOOK, CRYPTO, int, X509_load_cert_crl_file_ex, (X509_LOOKUP *ctx, const char *file, int type, OSSL_LIB_CTX *libctx, const char *propq)) \
	X(CALL, CRYPTO, X509_STORE *, X509_LOOKUP_get_store, (const X509_LOOKUP *ctx)) \
	X(CALL, CRYPTO, int, X509_STORE_add_crl, (X509_STORE *store, X509_CRL *x)) \
	X(CALL, CRYPTO, BIO *, BIO_new_mem_buf, (const void *buf, int len)) \
	X(CALL, CRYPTO, int, BIO_free, (BIO *a)) \
	X(CALL, CRYPTO, STACK_OF(X509_INFO) *, PEM_X509_INFO_read_bio_ex, (BIO *bp, STACK_OF(X509_INFO) *sk, pem_password_cb *cb, void *u, OSSL_LIB_CTX *libctx, const char *propq)) \
	X(CALL, CRYPTO, void, X509_INFO_free, (X509_INFO *a)) \
	X(CALL, CRYPTO, void, OPENSSL_sk_pop_free, (OPENSSL_STACK *st, void (*func)(void *))) \
	X(CALL, CRYPTO, int, X509_up_ref, (X509 *x)) \
	X(CALL, CRYPTO, int, X509_CRL_up_ref, (X509_CRL *x)) \
	X(CALL, CRYPTO, void, X509_CRL_free, (X509_CRL *x))

#endif
