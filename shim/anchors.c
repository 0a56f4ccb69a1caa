/* Extra trust anchors: TRUSTSHIM_CA (files and directories) and
 * TRUSTSHIM_CA_PEM (inline PEM), read once and kept as DER bytes that each
 * backend parses with its own library.
 *
 * Everything here must survive arbitrary bytes (ts_anchors_from_buffer is a
 * fuzz target): buffers are not NUL-terminated, every scan is linear, and
 * memory is proportional to the input. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "anchors.h"
#include "audit.h"
#include "der.h"

/* A CA file larger than this is a mistake (Debian's whole system bundle is
 * about 200 KiB); refusing it before reading keeps a 50 MB file cheap. */
#define TS_ANCHOR_FILE_MAX ((size_t)8 << 20)

#define VAR_CA     "TRUSTSHIM_CA"
#define VAR_CA_PEM "TRUSTSHIM_CA_PEM"

/* PEM labels are short upper-case words (RFC 7468 section 3); anything
 * longer is not a BEGIN line we care about. */
#define PEM_LABEL_MAX 64

/* ---- dedupe index: open addressing over out->v, by FNV-1a of the DER ---- */

struct seen {
	uint64_t *hash;
	size_t *idx;     /* index into out->v plus one; 0 is an empty slot */
	size_t cap;      /* power of two, or 0 */
	size_t used;
};

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static int seen_insert(struct seen *s, uint64_t h, size_t idx)
{
	if ((s->used + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		uint64_t *nh = calloc(ncap, sizeof *nh);
		size_t *ni = calloc(ncap, sizeof *ni);
		if (!nh || !ni) {
			free(nh);
			free(ni);
			return -1;
		}
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->idx[i])
				continue;
			size_t j = s->hash[i] & (ncap - 1);
			while (ni[j])
				j = (j + 1) & (ncap - 1);
			nh[j] = s->hash[i];
			ni[j] = s->idx[i];
		}
		free(s->hash);
		free(s->idx);
		s->hash = nh;
		s->idx = ni;
		s->cap = ncap;
	}
	size_t j = h & (s->cap - 1);
	while (s->idx[j])
		j = (j + 1) & (s->cap - 1);
	s->hash[j] = h;
	s->idx[j] = idx + 1;
	s->used++;
	return 0;
}

static int seen_has(const struct seen *s, const struct ts_anchors *a, uint64_t h,
		    const unsigned char *der, size_t len)
{
	if (!s->cap)
		return 0;
	for (size_t j = h & (s->cap - 1); s->idx[j]; j = (j + 1) & (s->cap - 1)) {
		const struct ts_anchor *x = &a->v[s->idx[j] - 1];
		if (s->hash[j] == h && x->len == len && memcmp(x->der, der, len) == 0)
			return 1;
	}
	return 0;
}

/* ---- one load: the output, its dedupe index, and the time ---- */

struct loader {
	struct ts_anchors *out;
	size_t cap;         /* allocated entries in out->v */
	struct seen seen;
	char now[15];       /* "YYYYMMDDHHMMSS", UTC, compared with notAfter */
};

static int loader_init(struct loader *l, struct ts_anchors *out)
{
	char tmp[64];
	struct tm tm;
	time_t t = time(NULL);

	memset(l, 0, sizeof *l);
	l->out = out;
	l->cap = out->n;
	if (!gmtime_r(&t, &tm))
		return -1;
	snprintf(tmp, sizeof tmp, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(l->now, tmp, 14);
	l->now[14] = '\0';
	for (size_t i = 0; i < out->n; i++)
		if (seen_insert(&l->seen, fnv1a(out->v[i].der, out->v[i].len), i) < 0)
			return -1;
	return 0;
}

static void loader_done(struct loader *l)
{
	free(l->seen.hash);
	free(l->seen.idx);
	memset(&l->seen, 0, sizeof l->seen);
}

/* What one buffer held; turned into reports or a why-string afterwards. */
struct scan {
	int added;          /* new anchors */
	int certs;          /* certificate blocks or DER certificates seen, good or bad */
	int malformed;      /* of those, how many did not decode or parse */
	int expired;        /* of those, how many had expired */
	char expired_on[11];/* "YYYY-MM-DD" of the first expired one */
	int empty;          /* nothing but whitespace */
	int pem;            /* at least one BEGIN line */
	int key;            /* a private key (PEM block or DER) */
	int pubkey;         /* a DER public key */
	char other[PEM_LABEL_MAX + 1]; /* first PEM label that is neither certificate nor key */
	int oom;
};

/* Adds one certificate whose DER is exactly der[0..len), already checked by
 * ts_der_cert, unless it has expired or is already there. */
static void add_der(struct loader *l, const unsigned char *der, size_t len, const char *not_after,
		    const char *source, struct scan *sc)
{
	struct ts_anchors *out = l->out;

	if (memcmp(not_after, l->now, 14) < 0) {
		if (!sc->expired++)
			snprintf(sc->expired_on, sizeof sc->expired_on, "%.4s-%.2s-%.2s", not_after,
				 not_after + 4, not_after + 6);
		return;
	}
	uint64_t h = fnv1a(der, len);
	if (seen_has(&l->seen, out, h, der, len))
		return;
	if (out->n == l->cap) {
		size_t ncap = l->cap < 8 ? 8 : l->cap * 2;
		struct ts_anchor *nv = realloc(out->v, ncap * sizeof *nv);
		if (!nv) {
			sc->oom = 1;
			return;
		}
		out->v = nv;
		l->cap = ncap;
	}
	/* One allocation holds the DER and, after it, the source name. */
	size_t slen = strlen(source);
	unsigned char *mem = malloc(len + slen + 1);
	if (!mem) {
		sc->oom = 1;
		return;
	}
	memcpy(mem, der, len);
	memcpy(mem + len, source, slen + 1);
	if (seen_insert(&l->seen, h, out->n) < 0) {
		free(mem);
		sc->oom = 1;
		return;
	}
	out->v[out->n++] = (struct ts_anchor){ mem, len, (const char *)(mem + len) };
	sc->added++;
}

/* ---- PEM ---- */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict base64 (RFC 4648 alphabet, '=' padding only at the end, length a
 * multiple of 4); whitespace anywhere is skipped.  Anything else, such as
 * RFC 1421 header lines ("Proc-Type: ..."), fails.  out holds n/4*3 + 3. */
static int b64_decode(const unsigned char *in, size_t n, unsigned char *out, size_t *outlen)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, chars = 0, pad = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = in[i];
		if (is_space(c))
			continue;
		chars++;
		if (c == '=') {
			if (++pad > 2)
				return -1;
			continue;
		}
		int v = b64_value(c);
		if (v < 0 || pad)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (chars == 0 || chars % 4)
		return -1;
	*outlen = o;
	return 0;
}

static int is_cert_label(const char *label)
{
	return !strcmp(label, "CERTIFICATE") || !strcmp(label, "X509 CERTIFICATE") ||
	       !strcmp(label, "TRUSTED CERTIFICATE");
}

/* "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", ... */
static int is_key_label(const char *label, size_t n)
{
	return n >= 11 && !memcmp(label + n - 11, "PRIVATE KEY", 11);
}

/* p points at "-----BEGIN ".  On a well-formed BEGIN line, copies the label
 * and sets *body to the start of the next line. */
static int pem_begin_line(const unsigned char *p, const unsigned char *end, char *label,
			  size_t *label_len, const unsigned char **body)
{
	const unsigned char *q = p + 11;
	size_t n = 0;

	while (q < end && n <= PEM_LABEL_MAX &&
	       ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == ' '))
		label[n++] = (char)*q++;
	if (n == 0 || n > PEM_LABEL_MAX || (size_t)(end - q) < 5 || memcmp(q, "-----", 5))
		return -1;
	label[n] = '\0';
	q += 5;
	while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
		q++;
	if (q < end) {
		if (*q != '\n')
			return -1;
		q++;
	}
	*label_len = n;
	*body = q;
	return 0;
}

static void pem_block(struct loader *l, const char *label, const unsigned char *b, size_t n,
		      const char *source, struct scan *sc)
{
	unsigned char *der = malloc(n / 4 * 3 + 3);
	size_t dlen, clen;
	char not_after[15];

	if (!der) {
		sc->oom = 1;
		return;
	}
	/* TRUSTED CERTIFICATE is OpenSSL's certificate followed by an
	 * X509_CERT_AUX trailer (trust settings): keep the certificate only. */
	if (b64_decode(b, n, der, &dlen) < 0 || ts_der_cert(der, dlen, &clen, not_after) < 0 ||
	    (clen != dlen && strcmp(label, "TRUSTED CERTIFICATE")))
		sc->malformed++;
	else
		add_der(l, der, clen, not_after, source, sc);
	free(der);
}

/* Every BEGIN/END block.  Linear: each search starts where the last one
 * ended, and a body is searched once for the first "-----" in it, which
 * must start its END line. */
static void scan_pem(struct loader *l, const unsigned char *buf, size_t len, const char *source,
		     struct scan *sc)
{
	const unsigned char *p = buf, *end = buf + len;
	char label[PEM_LABEL_MAX + 1];

	while (p < end && !sc->oom) {
		const unsigned char *b = memmem(p, (size_t)(end - p), "-----BEGIN ", 11), *body, *e;
		size_t ll;
		if (!b)
			break;
		if (pem_begin_line(b, end, label, &ll, &body) < 0) {
			p = b + 11;
			continue;
		}
		sc->pem = 1;
		int cert = is_cert_label(label);
		if (cert)
			sc->certs++;
		else if (is_key_label(label, ll))
			sc->key = 1;
		else if (!sc->other[0])
			memcpy(sc->other, label, ll + 1);

		e = memmem(body, (size_t)(end - body), "-----", 5);
		if (!e) {                    /* truncated: no END line */
			sc->malformed += cert;
			break;
		}
		size_t left = (size_t)(end - e);
		if (left >= 9 + ll + 5 && !memcmp(e + 5, "END ", 4) && !memcmp(e + 9, label, ll) &&
		    !memcmp(e + 9 + ll, "-----", 5)) {
			if (cert)
				pem_block(l, label, body, (size_t)(e - body), source, sc);
			p = e + 9 + ll + 5;
		} else {
			/* Another BEGIN before this END (a block cut short in a
			 * bundle), or an END of another type: the block is bad,
			 * and scanning resumes at that line. */
			sc->malformed += cert;
			p = e;
			if (left >= 11 && !memcmp(e, "-----BEGIN ", 11))
				continue;
			p = e + 5;
		}
	}
}

/* ---- DER and the whole buffer ---- */

/* Length of the one TLV the buffer holds, when only whitespace follows it. */
static size_t der_span(const unsigned char *buf, size_t len)
{
	struct ts_der d = { buf, len };
	struct ts_der_tlv t;

	if (ts_der_next(&d, &t) < 0)
		return 0;
	for (size_t i = 0; i < d.n; i++)
		if (!is_space(d.p[i]))
			return 0;
	return t.total;
}

/* SEQUENCE { SEQUENCE ...: what a certificate starts with, even when it was
 * cut short. */
static int der_cert_prefix(const unsigned char *buf, size_t len)
{
	size_t hdr = 2;

	if (len < 3 || buf[0] != 0x30)
		return 0;
	if (buf[1] & 0x80) {
		size_t nb = buf[1] & 0x7f;
		if (nb == 0 || nb > 4)
			return 0;
		hdr += nb;
	}
	return len > hdr && buf[hdr] == 0x30;
}

/* SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING } */
static int der_pubkey(const unsigned char *buf, size_t n)
{
	struct ts_der d = { buf, n }, s;
	struct ts_der_tlv o, a, b;

	if (ts_der_next(&d, &o) < 0 || o.tag != 0x30 || d.n)
		return 0;
	s = (struct ts_der){ o.val, o.len };
	return ts_der_next(&s, &a) == 0 && a.tag == 0x30 && ts_der_next(&s, &b) == 0 &&
	       b.tag == 0x03 && s.n == 0;
}

static void scan_buffer(struct loader *l, const unsigned char *buf, size_t len, const char *source,
			struct scan *sc)
{
	size_t i, span, clen;
	char not_after[15];

	memset(sc, 0, sizeof *sc);
	for (i = 0; i < len && is_space(buf[i]); i++)
		;
	if (i == len) {
		sc->empty = 1;
		return;
	}
	scan_pem(l, buf, len, source, sc);
	if (sc->pem)
		return;
	/* Not PEM: one DER object covering the buffer. */
	span = der_span(buf, len);
	if (span && ts_der_cert(buf, span, &clen, not_after) == 0 && clen == span) {
		sc->certs = 1;
		add_der(l, buf, span, not_after, source, sc);
	} else if (span && ts_der_looks_like_key(buf, span)) {
		sc->key = 1;
	} else if (span && der_pubkey(buf, span)) {
		sc->pubkey = 1;
	} else if (der_cert_prefix(buf, len)) {
		sc->certs = 1;
		sc->malformed = 1;
	}
}

/* Why a buffer that held no certificate block at all gave nothing. */
static const char *no_cert_reason(const struct scan *sc, char *buf, size_t cap)
{
	if (sc->empty)
		return "empty file";
	if (sc->key)
		return "holds a private key, not a certificate";
	if (sc->pubkey)
		return "holds a public key, not a certificate";
	if (sc->other[0]) {
		snprintf(buf, cap, "holds no certificate (found PEM '%s')", sc->other);
		return buf;
	}
	return "no PEM or DER certificate found";
}

static const char *expired_reason(const struct scan *sc, char *buf, size_t cap)
{
	if (sc->expired > 1)
		snprintf(buf, cap, "certificate expired on %s (and %d more)", sc->expired_on,
			 sc->expired - 1);
	else
		snprintf(buf, cap, "certificate expired on %s", sc->expired_on);
	return buf;
}

/* Appends the source's name when it gave anchors. */
static void add_source(struct ts_anchors *out, const char *src)
{
	size_t sl = strlen(src), ol = out->sources ? strlen(out->sources) : 0;

	if (!out->sources && !(out->sources = calloc(1, 1)))
		return;
	/* Listed once, even when named twice. */
	for (const char *p = out->sources; *p;) {
		const char *c = strchr(p, ':');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		if (n == sl && !memcmp(p, src, sl))
			return;
		p += n + (c != NULL);
	}
	char *ns = realloc(out->sources, ol + 1 + sl + 1);
	if (!ns)
		return;
	if (ol)
		ns[ol++] = ':';
	memcpy(ns + ol, src, sl + 1);
	out->sources = ns;
}

/* Public entry point (and fuzz target).  Beyond anchors.h: when some
 * certificates were added and others refused (expired, malformed), the count
 * is returned and *why still names the problem; *why is NULL when nothing was
 * wrong (0 means every certificate was a duplicate).  *why may point at a
 * thread-local buffer, valid until the thread's next call.  Appends source
 * to out->sources when it gave anchors. */
int ts_anchors_from_buffer(const unsigned char *buf, size_t len, const char *source,
			   struct ts_anchors *out, const char **why)
{
	static __thread char why_buf[128];
	struct loader l;
	struct scan sc;
	const char *w = NULL;

	if (!source)
		source = "(buffer)";
	if (loader_init(&l, out) < 0) {
		loader_done(&l);
		if (why)
			*why = "out of memory";
		return -1;
	}
	scan_buffer(&l, buf, len, source, &sc);
	loader_done(&l);
	if (sc.added)
		add_source(out, source);
	if (sc.oom)
		w = "out of memory";
	else if (!sc.certs)
		w = no_cert_reason(&sc, why_buf, sizeof why_buf);
	else if (sc.expired)
		w = expired_reason(&sc, why_buf, sizeof why_buf);
	else if (sc.malformed)
		w = "malformed certificate";
	if (why)
		*why = w;
	return (w && !sc.added) ? -1 : sc.added;
}

/* ---- files and directories ---- */

struct ctx {
	struct loader l;
	ts_report_fn report;
	void *arg;
};

static void report(struct ctx *c, const char *var, const char *value, const char *reason)
{
	if (c->report)
		c->report(c->arg, var, value, reason);
}

static const char *errno_reason(int e, char *buf, size_t cap)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return "no such file or directory";
	case EACCES:
	case EPERM:
		return "permission denied";
	}
	/* GNU strerror_r (_GNU_SOURCE) returns the message. */
	const char *s = strerror_r(e, buf, cap);
	if (s != buf)
		snprintf(buf, cap, "%s", s);
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

static const char *too_large(unsigned long long size, char *buf, size_t cap)
{
	snprintf(buf, cap, "file too large (%llu bytes; limit %zu MiB)", size,
		 TS_ANCHOR_FILE_MAX >> 20);
	return buf;
}

/* Reads a regular file whose size fstat gave, refusing big ones before
 * reading anything.  The file may change under us: never more than the
 * limit is read. */
static int read_fd(int fd, const struct stat *st, unsigned char **data, size_t *len,
		   char *why, size_t cap)
{
	size_t sz = (size_t)st->st_size, n = 0, bufcap;
	unsigned char *b;

	if ((unsigned long long)st->st_size > TS_ANCHOR_FILE_MAX) {
		too_large((unsigned long long)st->st_size, why, cap);
		return -1;
	}
	bufcap = sz < 4096 ? 4096 : sz + 1;
	if (!(b = malloc(bufcap))) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	for (;;) {
		if (n == bufcap) {
			if (bufcap > TS_ANCHOR_FILE_MAX) {
				free(b);
				too_large(n, why, cap);
				return -1;
			}
			size_t nc = bufcap * 2;
			unsigned char *nb = realloc(b, nc);
			if (!nb) {
				free(b);
				snprintf(why, cap, "out of memory");
				return -1;
			}
			b = nb;
			bufcap = nc;
		}
		ssize_t r = read(fd, b + n, bufcap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(b);
			errno_reason(e, why, cap);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*data = b;
	*len = n;
	return 0;
}

/* One file's buffer into anchors and reports.  In a directory, a file with
 * no certificate in it (a key, a README) is skipped silently. */
static void load_buffer(struct ctx *c, const unsigned char *buf, size_t len, const char *var,
			const char *value, const char *source, int in_dir, struct scan *sc)
{
	char why[128];

	scan_buffer(&c->l, buf, len, source, sc);
	if (sc->oom) {
		report(c, var, value, "out of memory");
		return;
	}
	if (!sc->certs) {
		if (!in_dir)
			report(c, var, value,
			       sc->empty && !strcmp(var, VAR_CA_PEM)
				       ? "empty value"
				       : no_cert_reason(sc, why, sizeof why));
		return;
	}
	if (sc->malformed)
		report(c, var, value, "malformed certificate");
	if (sc->expired)
		report(c, var, value, expired_reason(sc, why, sizeof why));
}

/* Reads and loads the regular file open on fd; the caller closes it.
 * Returns the certificates it held (good or bad), or -1 after a report. */
static int load_fd(struct ctx *c, int fd, const struct stat *st, const char *path, int in_dir,
		   int *added)
{
	char why[128];
	unsigned char *data;
	size_t len;
	struct scan sc;

	if (read_fd(fd, st, &data, &len, why, sizeof why) < 0) {
		report(c, VAR_CA, path, why);
		return -1;
	}
	load_buffer(c, data, len, VAR_CA, path, path, in_dir, &sc);
	free(data);
	*added += sc.added;
	return sc.certs;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in the directory (symlinks followed, dotfiles and
 * subdirectories skipped), in name order so that the anchors' order and the
 * reports do not depend on the file system. */
static void load_dir(struct ctx *c, int fd, const char *path, int *added)
{
	char why[128];
	char **names = NULL;
	size_t n = 0, cap = 0;
	int certs = 0, reports = 0;
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		report(c, VAR_CA, path, errno_reason(errno, why, sizeof why));
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **nn = realloc(names, nc * sizeof *nn);
			if (!nn)
				goto oom;
			names = nn;
			cap = nc;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto oom;
		n++;
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_names);

	size_t plen = strlen(path);
	int slash = plen && path[plen - 1] == '/';
	for (size_t i = 0; i < n; i++) {
		size_t fl = plen + 1 + strlen(names[i]) + 1;
		char *file = malloc(fl);
		struct stat st;
		if (!file)
			goto oom;
		snprintf(file, fl, "%s%s%s", path, slash ? "" : "/", names[i]);
		/* stat before open: opening a device or FIFO can block or
		 * have side effects. */
		if (fstatat(dirfd(d), names[i], &st, 0) < 0) {
			/* A dangling symlink is not ours; a file we may not
			 * look at might have been. */
			if (errno != ENOENT && errno != ELOOP) {
				report(c, VAR_CA, file, errno_reason(errno, why, sizeof why));
				reports++;
			}
			free(file);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {  /* subdirectories, sockets: not recursive */
			free(file);
			continue;
		}
		int ffd = openat(dirfd(d), names[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (ffd < 0) {
			if (errno != ENOENT) {
				report(c, VAR_CA, file, errno_reason(errno, why, sizeof why));
				reports++;
			}
			free(file);
			continue;
		}
		if (fstat(ffd, &st) == 0 && S_ISREG(st.st_mode)) {
			int k = load_fd(c, ffd, &st, file, 1, added);
			if (k < 0)
				reports++;
			else
				certs += k;
		}
		close(ffd);
		free(file);
	}
	/* A per-file report already says what went wrong. */
	if (!certs && !reports)
		report(c, VAR_CA, path, "directory holds no certificates");
	goto out;
oom:
	report(c, VAR_CA, path, "out of memory");
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
}

static void load_path(struct ctx *c, const char *path)
{
	char why[128];
	struct stat st;
	int fd, added = 0;

	/* stat first: never open a FIFO or a device. */
	if (stat(path, &st) < 0) {
		report(c, VAR_CA, path, errno_reason(errno, why, sizeof why));
		return;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		report(c, VAR_CA, path, "not a regular file or directory");
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		report(c, VAR_CA, path, errno_reason(errno, why, sizeof why));
		return;
	}
	/* The path may have changed between stat and open. */
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		report(c, VAR_CA, path, "not a regular file or directory");
		close(fd);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		load_dir(c, fd, path, &added);   /* closes fd */
	} else {
		load_fd(c, fd, &st, path, 0, &added);
		close(fd);
	}
	if (added)
		add_source(c->l.out, path);
}

/* Overwrites *out (it is not freed first).  Returns the number of anchors
 * loaded; each problem was one report call. */
int ts_anchors_load(const char *ca_list, const char *ca_pem, struct ts_anchors *out,
		    ts_report_fn report_fn, void *arg)
{
	struct ctx c = { .report = report_fn, .arg = arg };

	memset(out, 0, sizeof *out);
	if (loader_init(&c.l, out) < 0) {
		report(&c, VAR_CA, ca_list ? ca_list : "", "out of memory");
		return 0;
	}
	for (const char *p = ca_list; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		if (n) {
			char *path = strndup(p, n);
			if (!path) {
				report(&c, VAR_CA, ca_list, "out of memory");
				break;
			}
			load_path(&c, path);
			free(path);
		}
		p += n + (colon != NULL);
	}
	if (ca_pem) {
		struct scan sc;
		load_buffer(&c, (const unsigned char *)ca_pem, strlen(ca_pem), VAR_CA_PEM,
			    "(inline)", VAR_CA_PEM, 0, &sc);
		if (sc.added)
			add_source(out, VAR_CA_PEM);
	}
	loader_done(&c.l);
	if (!out->sources)
		out->sources = calloc(1, 1);
	return (int)out->n;
}

void ts_anchors_free(struct ts_anchors *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].der);   /* the source name lives in the same block */
	free(a->v);
	free(a->sources);
	memset(a, 0, sizeof *a);
}

static struct ts_anchors g_anchors;
static pthread_once_t g_anchors_once = PTHREAD_ONCE_INIT;

static void anchors_init(void)
{
	const struct ts_config *cfg = ts_config();

	/* AT_SECURE or mode off: no extra trust at all. */
	if (cfg->secure || cfg->mode == TS_MODE_OFF)
		ts_anchors_load(NULL, NULL, &g_anchors, ts_audit_config_error, NULL);
	else
		ts_anchors_load(cfg->ca, cfg->ca_pem, &g_anchors, ts_audit_config_error, NULL);
}

const struct ts_anchors *ts_anchors(void)
{
	pthread_once(&g_anchors_once, anchors_init);
	return &g_anchors;
}
