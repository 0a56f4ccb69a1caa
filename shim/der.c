/* A small, bounded DER reader; see der.h. */
#include <string.h>
#include "der.h"

int ts_der_next(struct ts_der *d, struct ts_der_tlv *t)
{
	const unsigned char *p = d->p;
	size_t n = d->n, len, hdr = 2;

	if (n < 2)
		return -1;
	/* High tag numbers (low 5 bits all set) never occur in the parts of a
	 * certificate we read. */
	if ((p[0] & 0x1f) == 0x1f)
		return -1;
	len = p[1];
	if (len & 0x80) {
		size_t nb = len & 0x7f, i;
		/* 0x80 is BER's indefinite length, which DER forbids; more
		 * than 4 length bytes would mean a 4 GiB object. */
		if (nb == 0 || nb > 4 || n - 2 < nb)
			return -1;
		len = 0;
		for (i = 0; i < nb; i++)
			len = (len << 8) | p[2 + i];
		hdr += nb;
	}
	if (len > n - hdr)
		return -1;
	t->tag = p[0];
	t->val = p + hdr;
	t->len = len;
	t->total = hdr + len;
	d->p = p + t->total;
	d->n = n - t->total;
	return 0;
}

/* Reads the next TLV and insists on its tag. */
static int expect(struct ts_der *d, unsigned tag, struct ts_der_tlv *t)
{
	struct ts_der save = *d;

	if (ts_der_next(d, t) < 0 || t->tag != tag) {
		*d = save;
		return -1;
	}
	return 0;
}

static int digits(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int num2(const unsigned char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, the only forms
 * RFC 5280 (4.1.2.5) allows, into "YYYYMMDDHHMMSS". */
static int der_time(const struct ts_der_tlv *t, char out[15])
{
	const unsigned char *v = t->val;

	if (t->tag == 0x17 && t->len == 13 && v[12] == 'Z' && digits(v, 12)) {
		/* RFC 5280: YY >= 50 is 19YY, YY < 50 is 20YY. */
		memcpy(out, num2(v) >= 50 ? "19" : "20", 2);
		memcpy(out + 2, v, 12);
	} else if (t->tag == 0x18 && t->len == 15 && v[14] == 'Z' && digits(v, 14)) {
		memcpy(out, v, 14);
	} else {
		return -1;
	}
	out[14] = '\0';
	const unsigned char *m = (const unsigned char *)out + 4;
	int mon = num2(m), day = num2(m + 2), hh = num2(m + 4), mm = num2(m + 6), ss = num2(m + 8);
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
		return -1;
	return 0;
}

/* TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serial INTEGER,
 * signature AlgorithmIdentifier, issuer Name, validity SEQUENCE { notBefore,
 * notAfter }, subject Name, subjectPublicKeyInfo SEQUENCE, [1] [2] [3]
 * OPTIONAL } (RFC 5280 4.1). */
static int der_tbs(const unsigned char *p, size_t n, char not_after[15])
{
	struct ts_der d = { p, n }, v;
	struct ts_der_tlv t, nb, na;

	if (d.n >= 1 && d.p[0] == 0xa0) {
		struct ts_der_tlv ver;
		if (ts_der_next(&d, &t) < 0)
			return -1;
		v = (struct ts_der){ t.val, t.len };
		if (expect(&v, 0x02, &ver) < 0 || v.n != 0)
			return -1;
	}
	if (expect(&d, 0x02, &t) < 0 || t.len == 0)   /* serialNumber */
		return -1;
	if (expect(&d, 0x30, &t) < 0)                  /* signature */
		return -1;
	if (expect(&d, 0x30, &t) < 0)                  /* issuer */
		return -1;
	if (expect(&d, 0x30, &t) < 0)                  /* validity */
		return -1;
	v = (struct ts_der){ t.val, t.len };
	if (ts_der_next(&v, &nb) < 0 || ts_der_next(&v, &na) < 0 || v.n != 0)
		return -1;
	char before[15];
	if (der_time(&nb, before) < 0 || der_time(&na, not_after) < 0)
		return -1;
	if (expect(&d, 0x30, &t) < 0)                  /* subject */
		return -1;
	if (expect(&d, 0x30, &t) < 0)                  /* subjectPublicKeyInfo */
		return -1;
	/* issuerUniqueID, subjectUniqueID, extensions: only their framing.
	 * Each step consumes at least 2 bytes, so this loop is bounded. */
	while (d.n > 0)
		if (ts_der_next(&d, &t) < 0)
			return -1;
	return 0;
}

int ts_der_cert(const unsigned char *p, size_t n, size_t *cert_len, char not_after[15])
{
	struct ts_der d = { p, n }, c;
	struct ts_der_tlv cert, tbs, alg, sig;

	if (expect(&d, 0x30, &cert) < 0)
		return -1;
	c = (struct ts_der){ cert.val, cert.len };
	if (expect(&c, 0x30, &tbs) < 0 || expect(&c, 0x30, &alg) < 0 || expect(&c, 0x03, &sig) < 0)
		return -1;
	/* A BIT STRING starts with its count of unused bits (0..7). */
	if (c.n != 0 || sig.len == 0 || sig.val[0] > 7)
		return -1;
	if (der_tbs(tbs.val, tbs.len, not_after) < 0)
		return -1;
	*cert_len = cert.total;
	return 0;
}

int ts_der_looks_like_key(const unsigned char *p, size_t n)
{
	struct ts_der d = { p, n }, s;
	struct ts_der_tlv outer, a, b;

	if (expect(&d, 0x30, &outer) < 0 || d.n != 0)
		return 0;
	s = (struct ts_der){ outer.val, outer.len };
	if (ts_der_next(&s, &a) < 0)
		return 0;
	if (a.tag == 0x02)
		return 1;
	/* EncryptedPrivateKeyInfo (RFC 5958): exactly { AlgorithmIdentifier,
	 * OCTET STRING }. */
	return a.tag == 0x30 && ts_der_next(&s, &b) == 0 && b.tag == 0x04 && s.n == 0;
}
