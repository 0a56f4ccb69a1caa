/* Unit tests for shim/anchors.c and shim/der.c.  Real certificates, keys and
 * a CSR are made at run time with the openssl command in a mkdtemp
 * directory; nothing binary is committed.  Report checks compare the exact
 * variable, value and reason, because users read those lines. */
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "tap.h"
#include "anchors.c"
#include "der.c"

/* ---- fakes for what anchors.c uses from config.c and audit.c ---- */

static struct ts_config fake_cfg;

const struct ts_config *ts_config(void)
{
	return &fake_cfg;
}

struct rec {
	int n;
	char var[64], value[512], reason[256];
};

static struct rec audit_rec;

static void record(void *arg, const char *var, const char *value, const char *reason)
{
	struct rec *r = arg;
	r->n++;
	snprintf(r->var, sizeof r->var, "%s", var);
	snprintf(r->value, sizeof r->value, "%s", value);
	snprintf(r->reason, sizeof r->reason, "%s", reason);
	printf("# report: %s=%s: %s\n", var, value, reason);
}

void ts_audit_config_error(void *arg, const char *var, const char *value, const char *reason)
{
	(void)arg;
	record(&audit_rec, var, value, reason);
}

/* ---- helpers ---- */

static char tmpdir[64];

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Certificates: EC P-256, quick to make.  The expired ones come from
 * `openssl ca -startdate/-enddate` (OpenSSL 3.0's req -x509 and x509 -req
 * cannot back-date); a notAfter in 2060 is a GeneralizedTime (RFC 5280
 * 4.1.2.5: from 2050 on). */
static const char gen_script[] =
	"set -e\n"
	"exec 2>gen.log\n"
	"k='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'\n"
	"for n in ca1 ca2 ca3; do openssl req -x509 $k -keyout $n.key -out $n.pem -days 3650 -subj /CN=$n; done\n"
	"openssl x509 -in ca1.pem -outform DER -out ca1.der\n"
	"openssl x509 -in ca1.pem -trustout -addtrust serverAuth -out trusted.pem\n"
	"sed 's/CERTIFICATE/X509 CERTIFICATE/' ca3.pem > x509.pem\n"
	"sed 's/$/\\r/' ca2.pem > crlf.pem\n"
	"openssl pkey -in ca1.key -outform DER -out key.der\n"
	"cp ca1.key key.pem\n"
	"openssl pkey -in ca1.key -pubout -out pub.pem\n"
	"openssl pkey -in ca1.key -pubout -outform DER -out pub.der\n"
	"openssl req -new -key ca1.key -subj /CN=req -out csr.pem\n"
	"mkdir db && touch db/index.txt && echo 01 > db/serial\n"
	"printf '[ca]\\ndefault_ca=c\\n[c]\\ndatabase=db/index.txt\\nnew_certs_dir=db\\nserial=db/serial\\n"
	"default_md=sha256\\npolicy=p\\nunique_subject=no\\n[p]\\ncommonName=supplied\\n' > ca.cnf\n"
	"mk() { openssl req -new $k -keyout $1.key -subj /CN=$1 -out $1.csr;"
	" openssl ca -batch -config ca.cnf -selfsign -keyfile $1.key -in $1.csr -startdate $2 -enddate $3 -out $1.pem; }\n"
	"mk expired 20200101000000Z 20200102000000Z\n"
	"mk expired2 20210101000000Z 20210301000000Z\n"
	"mk future 20240101000000Z 20600101000000Z\n"
	"{ printf '# A bundle of three, with comments as distributions write them\\n\\n';"
	"  openssl x509 -in ca1.pem -text; printf '\\n# ca2\\n'; cat ca2.pem; echo 'between blocks';"
	"  cat ca3.pem; echo '# end'; } > bundle.pem\n"
	"cat expired.pem ca2.pem expired2.pem > mixed.pem\n"
	"cat expired.pem expired2.pem > allexpired.pem\n"
	"head -c 300 ca1.pem > trunc.pem\n"
	"head -c 200 ca1.der > trunc.der\n"
	"{ cat ca2.pem; head -n 4 ca1.pem; cat ca3.pem; } > cutbundle.pem\n"
	"{ echo '-----BEGIN CERTIFICATE-----'; echo 'Proc-Type: 4,ENCRYPTED';"
	"  sed 1d ca1.pem; } > header.pem\n"
	"{ cat ca1.der; printf '\\n\\n'; } > dertrail.der\n"
	": > empty.pem\n"
	"printf 'this is not a certificate\\n\\001\\002 at all\\n' > garbage.txt\n"
	"head -c 52428800 /dev/urandom > random.bin\n"
	"mkdir mixed.d empty.d expired.d\n"
	"cp ca1.pem mixed.d/ca1.pem; cp ca1.key mixed.d/ca1.key; echo 'CA files' > mixed.d/README\n"
	"ln -s ca1.pem mixed.d/1a2b3c4d.0; cp ca3.pem mixed.d/.hidden.pem; mkdir mixed.d/sub; cp ca2.pem mixed.d/sub/\n"
	"ln -s nowhere mixed.d/dangling.0\n"
	"cp expired.pem expired.d/\n"
	"mkdir keys.d; cp key.pem keys.d/; echo hello > keys.d/notes.txt\n";

static int setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ts-anchors-XXXXXX");
	if (!mkdtemp(tmpdir) || chdir(tmpdir) < 0)
		return -1;
	FILE *f = fopen("gen.sh", "w");
	if (!f)
		return -1;
	fputs(gen_script, f);
	fclose(f);
	return system("sh gen.sh") == 0 ? 0 : -1;
}

/* ---- table: ts_anchors_load ---- */

struct load_case {
	const char *comment;
	const char *ca;          /* TRUSTSHIM_CA, relative to the temp directory */
	const char *pem;         /* file whose text becomes TRUSTSHIM_CA_PEM, or NULL */
	int anchors;             /* how many load */
	int reports;             /* how many report calls */
	const char *var, *value, *reason;   /* the last report, when reports > 0 */
	const char *sources;     /* out->sources */
};

static const struct load_case load_cases[] = {
	/* One PEM certificate. */
	{ "PEM one cert", "ca1.pem", NULL, 1, 0, NULL, NULL, NULL, "ca1.pem" },
	/* Bundle of three with comments, openssl -text output and text between blocks. */
	{ "PEM bundle of 3 with comments", "bundle.pem", NULL, 3, 0, NULL, NULL, NULL, "bundle.pem" },
	/* CRLF line endings. */
	{ "PEM with CRLF", "crlf.pem", NULL, 1, 0, NULL, NULL, NULL, "crlf.pem" },
	/* One DER certificate. */
	{ "DER", "ca1.der", NULL, 1, 0, NULL, NULL, NULL, "ca1.der" },
	/* DER followed by newlines (an editor touched it). */
	{ "DER with trailing whitespace", "dertrail.der", NULL, 1, 0, NULL, NULL, NULL, "dertrail.der" },
	/* OpenSSL's TRUSTED CERTIFICATE: the aux trailer is dropped. */
	{ "TRUSTED CERTIFICATE", "trusted.pem", NULL, 1, 0, NULL, NULL, NULL, "trusted.pem" },
	/* The old X509 CERTIFICATE label. */
	{ "X509 CERTIFICATE", "x509.pem", NULL, 1, 0, NULL, NULL, NULL, "x509.pem" },
	/* notAfter in 2060 is a GeneralizedTime. */
	{ "GeneralizedTime notAfter", "future.pem", NULL, 1, 0, NULL, NULL, NULL, "future.pem" },
	/* Directory: a cert, its hashed-dir symlink (deduped), a key, a README,
	 * a dotfile, a subdirectory, a dangling link: one anchor, silence. */
	{ "directory, mixed", "mixed.d", NULL, 1, 0, NULL, NULL, NULL, "mixed.d" },
	/* Same, with a trailing slash. */
	{ "directory with trailing slash", "mixed.d/", NULL, 1, 0, NULL, NULL, NULL, "mixed.d/" },
	/* A directory with nothing in it. */
	{ "empty directory", "empty.d", NULL, 0, 1, "TRUSTSHIM_CA", "empty.d", "directory holds no certificates", "" },
	/* A directory of a key and notes: no certificate. */
	{ "directory without certificates", "keys.d", NULL, 0, 1, "TRUSTSHIM_CA", "keys.d", "directory holds no certificates", "" },
	/* A directory whose only certificate expired: that file is named. */
	{ "directory with an expired cert", "expired.d", NULL, 0, 1, "TRUSTSHIM_CA", "expired.d/expired.pem", "certificate expired on 2020-01-02", "" },
	/* Missing path. */
	{ "missing path", "missing.pem", NULL, 0, 1, "TRUSTSHIM_CA", "missing.pem", "no such file or directory", "" },
	/* A path through a regular file. */
	{ "path through a file", "ca1.pem/x", NULL, 0, 1, "TRUSTSHIM_CA", "ca1.pem/x", "no such file or directory", "" },
	/* A character device is never opened. */
	{ "device", "/dev/null", NULL, 0, 1, "TRUSTSHIM_CA", "/dev/null", "not a regular file or directory", "" },
	/* Empty file. */
	{ "empty file", "empty.pem", NULL, 0, 1, "TRUSTSHIM_CA", "empty.pem", "empty file", "" },
	/* Text that is neither PEM nor DER. */
	{ "garbage text", "garbage.txt", NULL, 0, 1, "TRUSTSHIM_CA", "garbage.txt", "no PEM or DER certificate found", "" },
	/* PEM private key. */
	{ "PEM private key", "key.pem", NULL, 0, 1, "TRUSTSHIM_CA", "key.pem", "holds a private key, not a certificate", "" },
	/* DER private key (PKCS#8). */
	{ "DER private key", "key.der", NULL, 0, 1, "TRUSTSHIM_CA", "key.der", "holds a private key, not a certificate", "" },
	/* PEM CSR: the label found is named. */
	{ "CSR", "csr.pem", NULL, 0, 1, "TRUSTSHIM_CA", "csr.pem", "holds no certificate (found PEM 'CERTIFICATE REQUEST')", "" },
	/* PEM public key. */
	{ "PEM public key", "pub.pem", NULL, 0, 1, "TRUSTSHIM_CA", "pub.pem", "holds no certificate (found PEM 'PUBLIC KEY')", "" },
	/* DER public key. */
	{ "DER public key", "pub.der", NULL, 0, 1, "TRUSTSHIM_CA", "pub.der", "holds a public key, not a certificate", "" },
	/* An expired CA is not added. */
	{ "expired CA", "expired.pem", NULL, 0, 1, "TRUSTSHIM_CA", "expired.pem", "certificate expired on 2020-01-02", "" },
	/* Bundle: expired, valid, expired: the valid one loads, one report. */
	{ "bundle with expired and valid", "mixed.pem", NULL, 1, 1, "TRUSTSHIM_CA", "mixed.pem", "certificate expired on 2020-01-02 (and 1 more)", "mixed.pem" },
	/* Two expired certificates: still one report. */
	{ "all expired", "allexpired.pem", NULL, 0, 1, "TRUSTSHIM_CA", "allexpired.pem", "certificate expired on 2020-01-02 (and 1 more)", "" },
	/* 50 MB of random bytes: refused from its size, never read. */
	{ "50 MB random file", "random.bin", NULL, 0, 1, "TRUSTSHIM_CA", "random.bin", "file too large (52428800 bytes; limit 8 MiB)", "" },
	/* PEM cut in the middle: no END line. */
	{ "truncated PEM", "trunc.pem", NULL, 0, 1, "TRUSTSHIM_CA", "trunc.pem", "malformed certificate", "" },
	/* DER cut in the middle. */
	{ "truncated DER", "trunc.der", NULL, 0, 1, "TRUSTSHIM_CA", "trunc.der", "malformed certificate", "" },
	/* A bundle with a block cut short between two good ones. */
	{ "bundle with a cut block", "cutbundle.pem", NULL, 2, 1, "TRUSTSHIM_CA", "cutbundle.pem", "malformed certificate", "cutbundle.pem" },
	/* RFC 1421 header lines are not base64. */
	{ "PEM with Proc-Type header", "header.pem", NULL, 0, 1, "TRUSTSHIM_CA", "header.pem", "malformed certificate", "" },
	/* A bad entry between two good ones: both load, one report. */
	{ "colon list with a bad entry", "ca1.pem:missing.pem:ca2.pem", NULL, 2, 1, "TRUSTSHIM_CA", "missing.pem", "no such file or directory", "ca1.pem:ca2.pem" },
	/* Two bad entries: one report each. */
	{ "two bad entries", "empty.pem:ca1.pem:key.pem", NULL, 1, 2, "TRUSTSHIM_CA", "key.pem", "holds a private key, not a certificate", "ca1.pem" },
	/* Empty elements are ignored. */
	{ "empty list elements", "::ca1.pem::", NULL, 1, 0, NULL, NULL, NULL, "ca1.pem" },
	/* Nothing set. */
	{ "nothing", NULL, NULL, 0, 0, NULL, NULL, NULL, "" },
	/* Inline PEM. */
	{ "inline PEM", NULL, "ca3.pem", 1, 0, NULL, NULL, NULL, "TRUSTSHIM_CA_PEM" },
	/* Inline PEM beside files. */
	{ "inline PEM and files", "ca1.pem", "ca3.pem", 2, 0, NULL, NULL, NULL, "ca1.pem:TRUSTSHIM_CA_PEM" },
	/* Inline: a key. */
	{ "inline private key", NULL, "key.pem", 0, 1, "TRUSTSHIM_CA_PEM", "(inline)", "holds a private key, not a certificate", "" },
	/* Inline: set but empty (a CI secret that is not defined). */
	{ "inline empty", NULL, "empty.pem", 0, 1, "TRUSTSHIM_CA_PEM", "(inline)", "empty value", "" },
	/* Inline: expired. */
	{ "inline expired", NULL, "expired.pem", 0, 1, "TRUSTSHIM_CA_PEM", "(inline)", "certificate expired on 2020-01-02", "" },
	/* The same certificate as PEM, DER, TRUSTED, through a directory and
	 * inline: one anchor, from the first source. */
	{ "duplicates deduped", "ca1.pem:ca1.der:trusted.pem:mixed.d:ca1.pem", "ca1.pem", 1, 0, NULL, NULL, NULL, "ca1.pem" },
	/* The bundle and its members. */
	{ "bundle and members deduped", "ca2.pem:bundle.pem:ca3.pem", NULL, 3, 0, NULL, NULL, NULL, "ca2.pem:bundle.pem" },
};

static void run_load_cases(void)
{
	for (size_t i = 0; i < sizeof load_cases / sizeof load_cases[0]; i++) {
		const struct load_case *c = &load_cases[i];
		struct ts_anchors a;
		struct rec r = { 0 };
		unsigned char *pem = NULL;
		size_t plen = 0;

		if (c->pem) {
			pem = slurp(c->pem, &plen);
			pem[plen] = '\0';
		}
		double t0 = now_s();
		int n = ts_anchors_load(c->ca, (const char *)pem, &a, record, &r);
		double dt = now_s() - t0;
		is_int(n, c->anchors, "%s: return value", c->comment);
		is_int(a.n, c->anchors, "%s: anchors", c->comment);
		is_int(r.n, c->reports, "%s: reports", c->comment);
		if (c->reports) {
			is_str(r.var, c->var, "%s: report var", c->comment);
			is_str(r.value, c->value, "%s: report value", c->comment);
			is_str(r.reason, c->reason, "%s: report reason", c->comment);
		}
		is_str(a.sources, c->sources, "%s: sources", c->comment);
		/* The slowest file here is the 50 MB one, refused unread. */
		ok(dt < 2.0, "%s: fast (%.3f s)", c->comment, dt);
		for (size_t k = 0; k < a.n; k++) {
			ok(a.v[k].len > 0 && a.v[k].der[0] == 0x30 && a.v[k].source,
			   "%s: anchor %zu is a DER SEQUENCE from %s", c->comment, k,
			   a.v[k].source ? a.v[k].source : "(null)");
		}
		ts_anchors_free(&a);
		free(pem);
	}
}

/* ---- table: ts_anchors_from_buffer on bytes ---- */

struct buf_case {
	const char *comment;
	const char *text;        /* input, or NULL: file */
	size_t len;              /* of text; 0: strlen */
	const char *file;
	int ret;
	const char *why;         /* NULL: no problem */
};

static const struct buf_case buf_cases[] = {
	/* Zero bytes. */
	{ "empty buffer", "", 0, NULL, -1, "empty file" },
	/* Whitespace only counts as empty. */
	{ "whitespace only", " \n\t\r\n", 0, NULL, -1, "empty file" },
	/* A BEGIN line with no label is not PEM. */
	{ "bad BEGIN line", "-----BEGIN -----\nAAAA\n-----END -----\n", 0, NULL, -1, "no PEM or DER certificate found" },
	/* A lower-case label is not PEM. */
	{ "lower-case label", "-----BEGIN certificate-----\nAAAA\n-----END certificate-----\n", 0, NULL, -1, "no PEM or DER certificate found" },
	/* Valid base64 of something that is not a certificate. */
	{ "block not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0, NULL, -1, "malformed certificate" },
	/* Base64 with a bad character. */
	{ "bad base64 char", "-----BEGIN CERTIFICATE-----\nAA*A\n-----END CERTIFICATE-----\n", 0, NULL, -1, "malformed certificate" },
	/* Base64 length not a multiple of 4. */
	{ "bad base64 length", "-----BEGIN CERTIFICATE-----\nAAAAA\n-----END CERTIFICATE-----\n", 0, NULL, -1, "malformed certificate" },
	/* Data after padding. */
	{ "data after padding", "-----BEGIN CERTIFICATE-----\nAA==AAAA\n-----END CERTIFICATE-----\n", 0, NULL, -1, "malformed certificate" },
	/* END of another type. */
	{ "mismatched END", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n", 0, NULL, -1, "malformed certificate" },
	/* BEGIN with no END. */
	{ "no END", "-----BEGIN CERTIFICATE-----\nAAAA\n", 0, NULL, -1, "malformed certificate" },
	/* An encrypted PKCS#8 key. */
	{ "encrypted key label", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", 0, NULL, -1, "holds a private key, not a certificate" },
	/* A DER SEQUENCE holding an INTEGER: key-shaped. */
	{ "DER SEQUENCE { INTEGER }", "\x30\x03\x02\x01\x00", 5, NULL, -1, "holds a private key, not a certificate" },
	/* An indefinite length is BER, not DER. */
	{ "indefinite length", "\x30\x80\x30\x80", 0, NULL, -1, "no PEM or DER certificate found" },
	/* A length of 5 bytes. */
	{ "5-byte length", "\x30\x85\x01\x00\x00\x00\x00", 7, NULL, -1, "no PEM or DER certificate found" },
	/* Files through the same entry point. */
	{ "bundle buffer", NULL, 0, "bundle.pem", 3, NULL },
	{ "DER buffer", NULL, 0, "ca1.der", 1, NULL },
	{ "expired buffer", NULL, 0, "expired.pem", -1, "certificate expired on 2020-01-02" },
	/* Some added, some refused: the count, and why names the problem. */
	{ "mixed buffer", NULL, 0, "mixed.pem", 1, "certificate expired on 2020-01-02 (and 1 more)" },
	{ "cut bundle buffer", NULL, 0, "cutbundle.pem", 2, "malformed certificate" },
	{ "CSR buffer", NULL, 0, "csr.pem", -1, "holds no certificate (found PEM 'CERTIFICATE REQUEST')" },
	{ "DER key buffer", NULL, 0, "key.der", -1, "holds a private key, not a certificate" },
};

static void run_buf_cases(void)
{
	for (size_t i = 0; i < sizeof buf_cases / sizeof buf_cases[0]; i++) {
		const struct buf_case *c = &buf_cases[i];
		struct ts_anchors a = { 0 };
		const char *why = "unset";
		unsigned char *b;
		size_t len = 0;

		if (c->text) {
			/* Not NUL-terminated: a copy of exactly len bytes, so
			 * valgrind sees any read past the end. */
			len = c->len ? c->len : strlen(c->text);
			b = malloc(len ? len : 1);
			memcpy(b, c->text, len);
		} else {
			b = slurp(c->file, &len);
		}
		int n = ts_anchors_from_buffer(b, len, "buf", &a, &why);
		is_int(n, c->ret, "buffer %s: return", c->comment);
		is_str(why, c->why, "buffer %s: why", c->comment);
		is_str(a.sources, n > 0 ? "buf" : NULL, "buffer %s: sources", c->comment);
		ts_anchors_free(&a);
		free(b);
	}
}

/* ---- DER reader ---- */

static void test_der(void)
{
	size_t len = 0, clen = 0;
	char na[15];
	unsigned char *b = slurp("ca1.der", &len);

	ok(b && ts_der_cert(b, len, &clen, na) == 0 && clen == len, "der: ca1.der parses");
	int parsed = 0;
	for (size_t i = 0; i < len; i++)
		parsed += ts_der_cert(b, i, &clen, na) == 0;
	is_int(parsed, 0, "der: no proper prefix of a certificate parses");
	free(b);

	const char *names[] = { "expired.pem", "future.pem" };
	const char *want[] = { "20200102000000", "20600101000000" };
	for (int k = 0; k < 2; k++) {
		struct ts_anchors a = { 0 };
		b = slurp(names[k], &len);
		/* Scan it as if now were 1999, so that the expired one loads too. */
		struct loader l;
		struct scan sc;
		loader_init(&l, &a);
		memcpy(l.now, "19990101000000", 15);
		scan_buffer(&l, b, len, "x", &sc);
		loader_done(&l);
		ok(a.n == 1 && ts_der_cert(a.v[0].der, a.v[0].len, &clen, na) == 0,
		   "der: %s parses", names[k]);
		is_str(na, want[k], "der: %s notAfter", names[k]);
		ts_anchors_free(&a);
		free(b);
	}

	/* UTCTime 49 is 2049, 50 is 1950 (RFC 5280 4.1.2.5.1). */
	struct ts_der_tlv t = { 0x17, (const unsigned char *)"491231235959Z", 13, 15 };
	ok(der_time(&t, na) == 0 && !strcmp(na, "20491231235959"), "der: UTCTime 49 -> 2049");
	t.val = (const unsigned char *)"500101000000Z";
	ok(der_time(&t, na) == 0 && !strcmp(na, "19500101000000"), "der: UTCTime 50 -> 1950");
	t.val = (const unsigned char *)"501301000000Z";
	ok(der_time(&t, na) < 0, "der: month 13 refused");
	t.val = (const unsigned char *)"5001010000000";
	ok(der_time(&t, na) < 0, "der: no Z refused");
	t = (struct ts_der_tlv){ 0x18, (const unsigned char *)"99991231235959Z", 15, 17 };
	ok(der_time(&t, na) == 0 && !strcmp(na, "99991231235959"), "der: GeneralizedTime 9999");
	t.len = 13;
	ok(der_time(&t, na) < 0, "der: GeneralizedTime of the wrong length refused");

	/* Long-form lengths: checked against what is left. */
	struct ts_der d = { (const unsigned char *)"\x04\x82\x00\x02xy", 6 };
	ok(ts_der_next(&d, &t) == 0 && t.len == 2 && d.n == 0, "der: long-form length");
	d = (struct ts_der){ (const unsigned char *)"\x04\x82\x00\x03xy", 6 };
	ok(ts_der_next(&d, &t) < 0 && d.n == 6, "der: length past the end refused");
	d = (struct ts_der){ (const unsigned char *)"\x04\x84\xff\xff\xff\xff", 6 };
	ok(ts_der_next(&d, &t) < 0, "der: 4 GiB length refused");
	d = (struct ts_der){ (const unsigned char *)"\x1f\x01\x00", 3 };
	ok(ts_der_next(&d, &t) < 0, "der: high tag number refused");
}

/* ---- robustness: every prefix and every byte flipped ---- */

static void test_mutations(const char *file)
{
	size_t len = 0;
	unsigned char *b = slurp(file, &len);
	int bad = 0;

	for (size_t i = 0; i <= len; i++) {
		/* exactly i bytes, so a read past the end is caught */
		unsigned char *p = malloc(i ? i : 1);
		struct ts_anchors a = { 0 };
		const char *why;
		memcpy(p, b, i);
		int n = ts_anchors_from_buffer(p, i, "m", &a, &why);
		if (n < -1 || (n < 0 && !why) || (size_t)(n < 0 ? 0 : n) != a.n)
			bad++;
		ts_anchors_free(&a);
		if (i < len) {
			free(p);
			p = malloc(len);
			memcpy(p, b, len);
			p[i] ^= 0xff;
			n = ts_anchors_from_buffer(p, len, "m", &a, &why);
			if (n < -1 || (n < 0 && !why) || (size_t)(n < 0 ? 0 : n) != a.n)
				bad++;
			ts_anchors_free(&a);
		}
		free(p);
	}
	is_int(bad, 0, "mutations of %s: every result consistent (%zu prefixes and flips)", file, len);
	free(b);
}

/* ---- big and hostile buffers: linear time ---- */

static void test_big(void)
{
	size_t len = 0, n;
	unsigned char *b = slurp("random.bin", &len);
	struct ts_anchors a = { 0 };
	const char *why;
	double t0;

	t0 = now_s();
	int r = ts_anchors_from_buffer(b, len, "r", &a, &why);
	ok(r == -1 && a.n == 0, "50 MB random buffer: nothing (%s) in %.3f s", why, now_s() - t0);
	free(b);

	/* 8 MiB of BEGIN lines without END. */
	static const char begin[] = "-----BEGIN CERTIFICATE-----\n";
	n = (8u << 20) / (sizeof begin - 1);
	b = malloc(n * (sizeof begin - 1));
	for (size_t i = 0; i < n; i++)
		memcpy(b + i * (sizeof begin - 1), begin, sizeof begin - 1);
	t0 = now_s();
	r = ts_anchors_from_buffer(b, n * (sizeof begin - 1), "b", &a, &why);
	double dt = now_s() - t0;
	ok(r == -1 && dt < 10, "8 MiB of BEGIN lines: %s in %.3f s", why, dt);
	is_str(why, "malformed certificate", "8 MiB of BEGIN lines: why");
	free(b);

	/* 8 MiB of "-----BEGIN " with no label end. */
	b = malloc(8u << 20);
	for (size_t i = 0; i < (8u << 20); i++)
		b[i] = "-----BEGIN "[i % 11];
	t0 = now_s();
	r = ts_anchors_from_buffer(b, 8u << 20, "b", &a, &why);
	dt = now_s() - t0;
	ok(r == -1 && dt < 10, "8 MiB of unfinished BEGIN: %s in %.3f s", why, dt);
	free(b);

	/* The same certificate 5000 times: one anchor, fast. */
	size_t cl = 0;
	unsigned char *c = slurp("ca1.pem", &cl);
	b = malloc(cl * 5000);
	for (size_t i = 0; i < 5000; i++)
		memcpy(b + i * cl, c, cl);
	t0 = now_s();
	r = ts_anchors_from_buffer(b, cl * 5000, "d", &a, &why);
	dt = now_s() - t0;
	ok(r == 1 && a.n == 1 && why == NULL && dt < 10, "5000 copies of one cert: 1 anchor in %.3f s", dt);
	ts_anchors_free(&a);
	free(b);
	free(c);
}

/* ---- unreadable file ---- */

static void test_unreadable(void)
{
	const char *path = "unreadable.pem";
	struct ts_anchors a;
	struct rec r = { 0 };

	if (geteuid() == 0) {
		/* chmod 000 does not stop root; a sysctl with mode 0200 does
		 * (proc_sys_permission checks the mode bits even for root). */
		path = "/proc/sys/vm/drop_caches";
		int fd = open(path, O_RDONLY);
		if (fd >= 0 || errno != EACCES) {
			if (fd >= 0)
				close(fd);
			printf("ok %d # skip running as root and %s is readable\n", ++tap_n, path);
			return;
		}
	} else {
		if (system("cp ca1.pem unreadable.pem && chmod 000 unreadable.pem") != 0)
			printf("# could not make %s\n", path);
	}
	ts_anchors_load(path, NULL, &a, record, &r);
	ok(a.n == 0 && r.n == 1 && !strcmp(r.value, path) && !strcmp(r.reason, "permission denied"),
	   "unreadable file %s: one report '%s'", path, r.reason);
	ts_anchors_free(&a);
}

/* ---- ts_anchors(): the process's anchors ---- */

/* In a child, because pthread_once runs once per process. */
static int child_anchors(enum ts_mode mode, int secure)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		fake_cfg = (struct ts_config){ .mode = mode, .secure = secure, .ca = "ca1.pem:missing.pem",
					       .ca_pem = "" };
		const struct ts_anchors *a = ts_anchors();
		_exit(a && a->n == 0 && audit_rec.n == 0 && a->sources && !a->sources[0] ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_process_anchors(void)
{
	fflush(stdout);
	is_int(child_anchors(TS_MODE_OFF, 0), 0, "ts_anchors: mode off loads nothing and says nothing");
	fflush(stdout);
	is_int(child_anchors(TS_MODE_ENFORCE, 1), 0, "ts_anchors: secure execution loads nothing");

	fake_cfg = (struct ts_config){ .mode = TS_MODE_AUDIT, .ca = "bundle.pem:missing.pem" };
	const struct ts_anchors *a = ts_anchors();
	ok(a != NULL && a->n == 3, "ts_anchors: audit mode loads the bundle");
	is_int(audit_rec.n, 1, "ts_anchors: one report through the audit writer");
	is_str(audit_rec.value, "missing.pem", "ts_anchors: report names the path");
	ok(ts_anchors() == a && audit_rec.n == 1, "ts_anchors: loaded once");
	is_str(a->sources, "bundle.pem", "ts_anchors: sources");
}

int main(void)
{
	if (setup() < 0) {
		printf("Bail out! cannot make test certificates with openssl in %s (see gen.log)\n", tmpdir);
		return 1;
	}
	run_load_cases();
	run_buf_cases();
	test_der();
	test_unreadable();
	test_mutations("ca1.der");
	test_mutations("mixed.pem");
	test_big();
	test_process_anchors();

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (chdir("/") == 0 && system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return done_testing();
}
