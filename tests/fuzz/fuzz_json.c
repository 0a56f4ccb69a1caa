/* ts_json_escape (audit.c) on arbitrary bytes.  The output, put between
 * quotes, must be a JSON string by RFC 8259 as a strict parser reads it
 * (written here independently of audit.c), must fit the buffer, and must
 * decode back to the input with each ill-formed UTF-8 byte replaced by
 * U+FFFD.  With a small buffer the decoded output is a prefix of that.
 *
 * Input: byte 0 picks the buffer size for the truncated run; the rest is the
 * string (up to its first NUL, as the escaper reads it). */
#include "fuzz.h"
#include "record.h"

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0; by
 * RFC 3629's ABNF (UTF8-2, UTF8-3, UTF8-4), spelled out independently. */
static size_t u8_wellformed(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
#define TAIL(i) (n > (i) && s[i] >= 0x80 && s[i] <= 0xBF)
#define IN(i, lo, hi) (n > (i) && s[i] >= (lo) && s[i] <= (hi))
	if (c <= 0x7F)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return TAIL(1) ? 2 : 0;
	if (c == 0xE0)
		return IN(1, 0xA0, 0xBF) && TAIL(2) ? 3 : 0;
	if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
		return TAIL(1) && TAIL(2) ? 3 : 0;
	if (c == 0xED)
		return IN(1, 0x80, 0x9F) && TAIL(2) ? 3 : 0;
	if (c == 0xF0)
		return IN(1, 0x90, 0xBF) && TAIL(2) && TAIL(3) ? 4 : 0;
	if (c >= 0xF1 && c <= 0xF3)
		return TAIL(1) && TAIL(2) && TAIL(3) ? 4 : 0;
	if (c == 0xF4)
		return IN(1, 0x80, 0x8F) && TAIL(2) && TAIL(3) ? 4 : 0;
	return 0;
#undef TAIL
#undef IN
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(unsigned long cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | (cp >> 18));
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

static int read_u4(const unsigned char *s, size_t n, size_t i, unsigned long *v)
{
	*v = 0;
	if (i + 4 > n)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		int h = hexval(s[i + k]);
		if (h < 0)
			return -1;
		*v = *v << 4 | (unsigned)h;
	}
	return 0;
}

/* Strict RFC 8259 string parse of the text s[0..n), which must be exactly
 * one string: '"' chars '"'.  Decodes into out (UTF-8).  Returns the decoded
 * length, or -1 when s is not valid JSON string text. */
static long json_string_decode(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 1, o = 0;

	if (n < 2 || s[0] != '"')
		return -1;
	while (i < n) {
		unsigned c = s[i];

		if (c == '"')
			return i == n - 1 ? (long)o : -1; /* nothing may follow */
		if (c < 0x20)
			return -1;                       /* unescaped control */
		if (c == '\\') {
			unsigned long cp, lo;

			if (i + 1 >= n)
				return -1;
			switch (s[i + 1]) {
			case '"': out[o++] = '"'; break;
			case '\\': out[o++] = '\\'; break;
			case '/': out[o++] = '/'; break;
			case 'b': out[o++] = '\b'; break;
			case 'f': out[o++] = '\f'; break;
			case 'n': out[o++] = '\n'; break;
			case 'r': out[o++] = '\r'; break;
			case 't': out[o++] = '\t'; break;
			case 'u':
				if (read_u4(s, n, i + 2, &cp) < 0)
					return -1;
				i += 6;
				if (cp >= 0xDC00 && cp <= 0xDFFF)
					return -1;               /* lone low surrogate */
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					if (i + 1 >= n || s[i] != '\\' || s[i + 1] != 'u' ||
					    read_u4(s, n, i + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
						return -1;       /* unpaired high surrogate */
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					i += 6;
				}
				o += put_utf8(cp, out + o);
				continue;
			default:
				return -1;
			}
			i += 2;
			continue;
		}
		/* JSON text is UTF-8 (RFC 8259 section 8.1). */
		size_t l = u8_wellformed(s + i, n - i);
		if (l == 0)
			return -1;
		memcpy(out + o, s + i, l);
		o += l;
		i += l;
	}
	return -1; /* no closing quote */
}

/* What the escaper must preserve: the input with each byte that does not
 * start a well-formed sequence replaced by U+FFFD. */
static size_t expected(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		size_t l = u8_wellformed(s + i, n - i);
		if (l == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, l);
			o += l;
			i += l;
		}
	}
	return o;
}

static void check(const char *src, size_t srclen, size_t cap, const unsigned char *want, size_t wantlen)
{
	/* 0x5A canaries after the buffer catch a write past cap. */
	char *dst = malloc(cap + 16);
	unsigned char *quoted, *dec;
	size_t len;
	long dlen;

	if (dst == NULL)
		abort();
	memset(dst, 0x5A, cap + 16);
	len = ts_json_escape(dst, cap, src);
	for (size_t k = 0; k < 16; k++)
		FUZZ_CHECK((unsigned char)dst[cap + k] == 0x5A);
	if (cap == 0) {
		FUZZ_CHECK(len == 0);
		free(dst);
		return;
	}
	FUZZ_CHECK(len < cap);
	FUZZ_CHECK(dst[len] == '\0');
	FUZZ_CHECK(strlen(dst) == len);
	quoted = malloc(len + 2);
	dec = malloc(len + 2);
	if (quoted == NULL || dec == NULL)
		abort();
	quoted[0] = '"';
	memcpy(quoted + 1, dst, len);
	quoted[len + 1] = '"';
	dlen = json_string_decode(quoted, len + 2, dec);
	FUZZ_CHECK(dlen >= 0);                          /* valid JSON */
	FUZZ_CHECK((size_t)dlen <= wantlen);
	FUZZ_CHECK(memcmp(dec, want, (size_t)dlen) == 0); /* a prefix of the input */
	/* Enough room (6 bytes per input byte) means nothing is cut. */
	if (cap > srclen * 6)
		FUZZ_CHECK((size_t)dlen == wantlen);
	free(quoted);
	free(dec);
	free(dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src;
	unsigned char *want;
	size_t n, wantlen;

	if (size == 0) {
		check("", 0, 1, (const unsigned char *)"", 0);
		return 0;
	}
	src = fuzz_cstr(data + 1, size - 1);
	n = strlen(src);
	want = malloc(n * 3 + 1);
	if (want == NULL)
		abort();
	wantlen = expected((const unsigned char *)src, n, want);
	check(src, n, (size_t)data[0], want, wantlen);  /* small, often cut */
	check(src, n, n * 6 + 1, want, wantlen);        /* always enough room */
	free(want);
	free(src);
	return 0;
}
