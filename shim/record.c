/* Bounded record text: JSON string escaping and a builder that never
 * overflows its fixed buffer (records are built on the stack: no malloc on
 * the audit path).  Used by the one writer, audit.c. */
#include "record.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- JSON string escaping ------------------------------------------------ */

/* Length (1..4) of the well-formed UTF-8 sequence at s, or 0.  Follows the
 * table of RFC 3629 section 4: overlong forms (C0, C1, E0 80..9F, F0 80..8F),
 * UTF-16 surrogates (ED A0..BF), code points above U+10FFFF (F4 90.., F5..FF)
 * and sequences cut short (by n or by the NUL) are all ill-formed. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0)
		need = 2;
	else if (c < 0xF0) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c < 0xF5) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return need;
}

/* Escapes at most n bytes of src (stopping at a NUL) into dst.  Each escaped
 * unit is written whole or not at all, so the output is valid JSON string
 * content however small cap is. */
size_t ts_json_escape_n(char *dst, size_t cap, const char *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t len = 0, i = 0;

	if (cap == 0)
		return 0;
	while (i < n && s[i] != 0) {
		char tmp[8];
		const char *u = tmp;
		size_t ul, adv = 1;
		unsigned c = s[i];

		if (c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			ul = 2;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			tmp[0] = '\\';
			tmp[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
			ul = 2;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(tmp, "\\u00", 4);
			tmp[4] = hex[c >> 4];
			tmp[5] = hex[c & 15];
			ul = 6;
		} else if (c < 0x80) {
			tmp[0] = (char)c;
			ul = 1;
		} else if ((adv = utf8_len(s + i, n - i)) != 0) {
			u = (const char *)s + i;
			ul = adv;
		} else {
			u = "\xEF\xBF\xBD"; /* U+FFFD for each ill-formed byte */
			ul = 3;
			adv = 1;
		}
		if (len + ul > cap - 1)
			break;
		memcpy(dst + len, u, ul);
		len += ul;
		i += adv;
	}
	dst[len] = 0;
	return len;
}

size_t ts_json_escape(char *dst, size_t cap, const char *src)
{
	return ts_json_escape_n(dst, cap, src ? src : "", SIZE_MAX);
}

/* ---- bounded record builder ---------------------------------------------- */


void ts_rec_raw(struct ts_rec *r, const char *s, size_t n)
{
	if (r->over || n >= r->cap - r->len) {
		r->over = 1;
		return;
	}
	memcpy(r->p + r->len, s, n);
	r->len += n;
	r->p[r->len] = 0;
}

void ts_rec_lit(struct ts_rec *r, const char *s)
{
	ts_rec_raw(r, s, strlen(s));
}

void ts_rec_fmt(struct ts_rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->p + r->len, r->cap - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= r->cap - r->len) {
		r->p[r->len] = 0;
		r->over = 1;
		return;
	}
	r->len += (size_t)n;
}

/* A JSON string of at most limit escaped bytes (n source bytes), or null. */
void ts_rec_jstr_n(struct ts_rec *r, const char *s, size_t n, size_t limit)
{
	size_t room;

	if (s == NULL) {
		ts_rec_lit(r, "null");
		return;
	}
	if (r->over || r->cap - r->len < TS_REC_RESERVE) {
		r->over = 1;
		return;
	}
	room = r->cap - r->len - TS_REC_RESERVE;
	if (limit + 1 < room)
		room = limit + 1;
	ts_rec_raw(r, "\"", 1);
	r->len += ts_json_escape_n(r->p + r->len, room, s, n);
	ts_rec_raw(r, "\"", 1);
}

void ts_rec_jstr(struct ts_rec *r, const char *s, size_t limit)
{
	ts_rec_jstr_n(r, s, SIZE_MAX, limit);
}

void ts_rec_key(struct ts_rec *r, const char *key, const char *s, size_t limit)
{
	ts_rec_fmt(r, ",\"%s\":", key);
	ts_rec_jstr(r, s, limit);
}

/* Human text: bytes copied as they are, except controls, which could move a
 * terminal's cursor or forge a second line. */
void ts_rec_txt(struct ts_rec *r, const char *s)
{
	char tmp[256];
	size_t n = 0;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		tmp[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if (n == sizeof tmp) {
			ts_rec_raw(r, tmp, n);
			n = 0;
		}
	}
	ts_rec_raw(r, tmp, n);
}

/* Cuts a human line that overflowed back to what fits, ending in "...". */
void ts_rec_finish_line(struct ts_rec *r)
{
	if (r->over) {
		if (r->len > r->cap - 5)
			r->len = r->cap - 5;
		/* do not leave half a UTF-8 sequence before the ellipsis */
		while (r->len > 0 && ((unsigned char)r->p[r->len] & 0xC0) == 0x80)
			r->len--;
		memcpy(r->p + r->len, "...", 3);
		r->len += 3;
		r->over = 0;
	}
	r->p[r->len++] = '\n';
	r->p[r->len] = 0;
}
