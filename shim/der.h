/* A small, bounded DER reader: enough to tell a certificate from a key and to
 * find a certificate's notAfter.  It never recurses, never reads past the
 * bytes it is given, and accepts only single-byte tags and definite lengths
 * of at most 4 length bytes.  Not a validator of everything X.509 says: the
 * backends parse the bytes again with their own libraries. */
#ifndef TS_DER_H
#define TS_DER_H

#include <stddef.h>

struct ts_der {
	const unsigned char *p;  /* next unread byte */
	size_t n;                /* bytes left */
};

struct ts_der_tlv {
	unsigned tag;              /* the identifier byte, e.g. 0x30 for SEQUENCE */
	const unsigned char *val;  /* contents */
	size_t len;                /* contents length */
	size_t total;              /* header + contents */
};

/* Reads one TLV and advances past it.  0, or -1 when the bytes left do not
 * hold a complete TLV (d is then unchanged). */
int ts_der_next(struct ts_der *d, struct ts_der_tlv *t);

/* The certificate that starts at p: Certificate ::= SEQUENCE { tbs SEQUENCE,
 * sigAlg SEQUENCE, sig BIT STRING } with a well-formed TBSCertificate up to
 * subjectPublicKeyInfo.  Sets *cert_len to the length of the outer TLV (the
 * caller decides what may follow it) and not_after to "YYYYMMDDHHMMSS" plus a
 * NUL (UTCTime years 50-99 are 19xx, as RFC 5280 says).  0 or -1. */
int ts_der_cert(const unsigned char *p, size_t n, size_t *cert_len, char not_after[15]);

/* What a DER blob that is not a certificate looks like, to explain why it was
 * refused: 1 when it has the shape of a private key (RSAPrivateKey, EC
 * private key, PKCS#8 PrivateKeyInfo: a SEQUENCE starting with an INTEGER; or
 * PKCS#8 EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE, OCTET STRING }). */
int ts_der_looks_like_key(const unsigned char *p, size_t n);

#endif
