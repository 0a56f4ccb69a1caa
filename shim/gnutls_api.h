/* The ONE list of GnuTLS functions the shim hooks (HOOK) or calls (CALL);
 * same columns as openssl_api.h.  Every row exists in GnuTLS 3.6.5 and
 * later; a process whose libgnutls lacks a CALL row is passed through.
 *
 * HOOK rows that libgnutls also calls through its own PLT (lib/auto-verify.c:
 * gnutls_session_set_verify_cert -> gnutls_session_set_verify_function) see
 * nested calls; gnutls.c copes with both orders. */
#ifndef TS_GNUTLS_API_H
#define TS_GNUTLS_API_H

#define TS_GNUTLS_API(X) \
	X(HOOK, GNUTLS, int, gnutls_init, (gnutls_session_t *session, unsigned int flags)) \
	X(HOOK, GNUTLS, void, gnutls_deinit, (gnutls_session_t session)) \
	X(HOOK, GNUTLS, int, gnutls_credentials_set, (gnutls_session_t session, gnutls_credentials_type_t type, void *cred)) \
	X(HOOK, GNUTLS, int, gnutls_server_name_set, (gnutls_session_t session, gnutls_server_name_type_t type, const void *name, size_t name_length)) \
	X(HOOK, GNUTLS, void, gnutls_session_set_verify_function, (gnutls_session_t session, gnutls_certificate_verify_function *func)) \
	X(HOOK, GNUTLS, void, gnutls_session_set_verify_cert, (gnutls_session_t session, const char *hostname, unsigned flags)) \
	X(HOOK, GNUTLS, void, gnutls_session_set_verify_cert2, (gnutls_session_t session, gnutls_typed_vdata_st *data, unsigned elements, unsigned flags)) \
	X(HOOK, GNUTLS, void, gnutls_certificate_set_verify_function, (gnutls_certificate_credentials_t cred, gnutls_certificate_verify_function *func)) \
	X(HOOK, GNUTLS, void, gnutls_certificate_set_trust_list, (gnutls_certificate_credentials_t res, gnutls_x509_trust_list_t tlist, unsigned flags)) \
	X(HOOK, GNUTLS, void, gnutls_certificate_free_credentials, (gnutls_certificate_credentials_t sc)) \
	X(HOOK, GNUTLS, int, gnutls_handshake, (gnutls_session_t session)) \
	X(CALL, GNUTLS, int, gnutls_credentials_get, (gnutls_session_t session, gnutls_credentials_type_t type, void **cred)) \
	X(CALL, GNUTLS, const gnutls_datum_t *, gnutls_certificate_get_peers, (gnutls_session_t session, unsigned int *list_size)) \
	X(CALL, GNUTLS, gnutls_certificate_type_t, gnutls_certificate_type_get2, (gnutls_session_t session, gnutls_ctype_target_t target)) \
	X(CALL, GNUTLS, int, gnutls_certificate_verify_peers, (gnutls_session_t session, gnutls_typed_vdata_st *data, unsigned int elements, unsigned int *status)) \
	X(CALL, GNUTLS, void, gnutls_certificate_get_trust_list, (gnutls_certificate_credentials_t res, gnutls_x509_trust_list_t *tlist)) \
	X(CALL, GNUTLS, int, gnutls_session_is_resumed, (gnutls_session_t session)) \
	X(CALL, GNUTLS, int, gnutls_transport_get_int, (gnutls_session_t session)) \
	X(CALL, GNUTLS, int, gnutls_x509_crt_init, (gnutls_x509_crt_t *cert)) \
	X(CALL, GNUTLS, int, gnutls_x509_crt_import, (gnutls_x509_crt_t cert, const gnutls_datum_t *data, gnutls_x509_crt_fmt_t format)) \
	X(CALL, GNUTLS, void, gnutls_x509_crt_deinit, (gnutls_x509_crt_t cert)) \
	X(CALL, GNUTLS, int, gnutls_x509_trust_list_init, (gnutls_x509_trust_list_t *list, unsigned int size)) \
	X(CALL, GNUTLS, int, gnutls_x509_trust_list_add_cas, (gnutls_x509_trust_list_t list, const gnutls_x509_crt_t *clist, unsigned clist_size, unsigned int flags)) \
	X(CALL, GNUTLS, int, gnutls_x509_trust_list_remove_cas, (gnutls_x509_trust_list_t list, const gnutls_x509_crt_t *clist, unsigned clist_size)) \
	X(CALL, GNUTLS, int, gnutls_x509_trust_list_add_system_trust, (gnutls_x509_trust_list_t list, unsigned int tl_flags, unsigned int tl_vflags)) \
	X(CALL, GNUTLS, int, gnutls_x509_trust_list_verify_crt2, (gnutls_x509_trust_list_t list, gnutls_x509_crt_t *cert_list, unsigned int cert_list_size, gnutls_typed_vdata_st *data, unsigned int elements, unsigned int flags, unsigned int *voutput, gnutls_verify_output_function func))

#endif
