/* Bounded record text for the audit writer: JSON strings (always valid
 * UTF-8, always terminated) and human lines (controls replaced). */
#ifndef TS_RECORD_H
#define TS_RECORD_H

#include <stddef.h>

#define TS_REC_CAP 16384    /* one JSON record, newline included */
#define TS_LINE_CAP 4096    /* one human line */
#define TS_REC_RESERVE 512  /* room kept for the fixed tail of a record */

struct ts_rec {
	char *p;
	size_t len, cap;
	int over;           /* something did not fit: the caller falls back */
};

size_t ts_json_escape_n(char *dst, size_t cap, const char *src, size_t n);
size_t ts_json_escape(char *dst, size_t cap, const char *src);
void ts_rec_raw(struct ts_rec *r, const char *s, size_t n);
void ts_rec_lit(struct ts_rec *r, const char *s);
__attribute__((format(printf, 2, 3)))
void ts_rec_fmt(struct ts_rec *r, const char *fmt, ...);
void ts_rec_jstr_n(struct ts_rec *r, const char *s, size_t n, size_t limit);
void ts_rec_jstr(struct ts_rec *r, const char *s, size_t limit);
void ts_rec_key(struct ts_rec *r, const char *key, const char *s, size_t limit);
void ts_rec_txt(struct ts_rec *r, const char *s);
void ts_rec_finish_line(struct ts_rec *r);

#endif
