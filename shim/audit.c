/* The ONE writer of records.
 *
 * Destinations (TRUSTSHIM_LOG, parsed by config.c):
 *   unset   one human line on stderr per refused or audited attempt;
 *   stderr  one human line on stderr per attempt;
 *   syslog  the human line, LOG_USER|LOG_WARNING;
 *   PATH    one JSON object per line, appended with ONE write() on an
 *           O_APPEND descriptor so concurrent processes never interleave.
 * A refusal that fails a connection is also shown on stderr whatever the
 * destination: the person whose program failed must see why.  Configuration
 * errors always get a stderr line too.
 *
 * Records are built in fixed buffers on the stack: no malloc on this path.
 * A repeated attempt is bounded per site (see flood_admit). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "audit.h"
#include "config.h"
#include "policy.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define TS_REC_CAP 16384    /* one JSON record, newline included */
#define TS_LINE_CAP 4096    /* one human line */
#define TS_REC_RESERVE 512  /* room kept for the fixed tail of a record */

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
static size_t json_escape_n(char *dst, size_t cap, const char *src, size_t n)
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
	return json_escape_n(dst, cap, src ? src : "", SIZE_MAX);
}

/* ---- bounded record builder ---------------------------------------------- */

struct rec {
	char *p;
	size_t len, cap;
	int over;           /* something did not fit: the caller falls back */
};

static void rec_raw(struct rec *r, const char *s, size_t n)
{
	if (r->over || n >= r->cap - r->len) {
		r->over = 1;
		return;
	}
	memcpy(r->p + r->len, s, n);
	r->len += n;
	r->p[r->len] = 0;
}

static void rec_lit(struct rec *r, const char *s)
{
	rec_raw(r, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void rec_fmt(struct rec *r, const char *fmt, ...)
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
static void rec_jstr_n(struct rec *r, const char *s, size_t n, size_t limit)
{
	size_t room;

	if (s == NULL) {
		rec_lit(r, "null");
		return;
	}
	if (r->over || r->cap - r->len < TS_REC_RESERVE) {
		r->over = 1;
		return;
	}
	room = r->cap - r->len - TS_REC_RESERVE;
	if (limit + 1 < room)
		room = limit + 1;
	rec_raw(r, "\"", 1);
	r->len += json_escape_n(r->p + r->len, room, s, n);
	rec_raw(r, "\"", 1);
}

static void rec_jstr(struct rec *r, const char *s, size_t limit)
{
	rec_jstr_n(r, s, SIZE_MAX, limit);
}

static void rec_key(struct rec *r, const char *key, const char *s, size_t limit)
{
	rec_fmt(r, ",\"%s\":", key);
	rec_jstr(r, s, limit);
}

/* Human text: bytes copied as they are, except controls, which could move a
 * terminal's cursor or forge a second line. */
static void rec_txt(struct rec *r, const char *s)
{
	char tmp[256];
	size_t n = 0;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		tmp[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if (n == sizeof tmp) {
			rec_raw(r, tmp, n);
			n = 0;
		}
	}
	rec_raw(r, tmp, n);
}

/* Cuts a human line that overflowed back to what fits, ending in "...". */
static void rec_finish_line(struct rec *r)
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

/* ---- process facts ------------------------------------------------------- */

static char exe_buf[PATH_MAX];
static pthread_once_t exe_once = PTHREAD_ONCE_INIT;

static void exe_init(void)
{
	ssize_t n = readlink("/proc/self/exe", exe_buf, sizeof exe_buf - 1);

	if (n > 0) {
		exe_buf[n] = 0;
		return;
	}
	snprintf(exe_buf, sizeof exe_buf, "%s",
		 program_invocation_name ? program_invocation_name : "unknown");
}

const char *ts_exe(void)
{
	pthread_once(&exe_once, exe_init);
	return exe_buf;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static const char *prog_name(void)
{
	const char *b = base_name(ts_exe());

	return *b ? b : "unknown";
}

void ts_describe_addr(const void *addr, char *buf, size_t cap)
{
	Dl_info di;
	const char *obj;

	if (cap == 0)
		return;
	if (addr == NULL || dladdr(addr, &di) == 0) {
		snprintf(buf, cap, "unknown");
		return;
	}
	obj = di.dli_fname && *di.dli_fname ? base_name(di.dli_fname) : prog_name();
	if (di.dli_sname && di.dli_saddr)
		snprintf(buf, cap, "%s(%s+0x%lx)", obj, di.dli_sname,
			 (unsigned long)((uintptr_t)addr - (uintptr_t)di.dli_saddr));
	else
		snprintf(buf, cap, "%s(+0x%lx)", obj,
			 (unsigned long)((uintptr_t)addr - (uintptr_t)di.dli_fbase));
}

static void fmt_time(char *out, size_t cap)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(ts.tv_nsec / 1000000) % 1000);
}

/* strerror without locale or static buffer, lower-cased like the messages
 * around it: "no such file or directory". */
static void err_text(int e, char *out, size_t cap)
{
	const char *d = strerrordesc_np(e);

	snprintf(out, cap, "%s", d ? d : "unknown error");
	if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z'))
		out[0] = (char)(out[0] - 'A' + 'a');
}

/* ---- delivery ------------------------------------------------------------ */

/* write() that cannot raise SIGPIPE.  A pipe or FIFO whose reader has gone
 * (TRUSTSHIM_LOG on a FIFO, stderr into `| head`) would otherwise kill a
 * program that never wrote there itself.  SIGPIPE is blocked in this thread
 * for the write, and the one the write raised is consumed, unless one was
 * already pending: that one is the program's. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t n)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = { 0, 0 };
	int was_pending, e;
	ssize_t w;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	do
		w = write(fd, buf, n);
	while (w < 0 && errno == EINTR);
	e = errno;
	if (w < 0 && e == EPIPE && !was_pending)
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return w;
}

static void write_all_once(int fd, const char *s, size_t n)
{
	write_nosigpipe(fd, s, n);
}

/* Descriptor 2 is not always a person's stderr.  A program started with
 * stderr closed gets its first socket there, often the TLS connection
 * itself, and an inetd-style service has its client there: a line written
 * into a network socket corrupts the program's protocol (the connection
 * failed).  Journald's stream and other local sockets stay fine. */
static int stderr_is_network(void)
{
	struct stat st;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	if (fstat(2, &st) != 0 || !S_ISSOCK(st.st_mode))
		return 0;
	if (getsockname(2, (struct sockaddr *)&ss, &sl) != 0)
		return 1;
	return ss.ss_family != AF_UNIX;
}

static void to_stderr(const char *line, size_t n)
{
	if (!stderr_is_network())
		write_all_once(2, line, n);
}

static void to_syslog(const char *line, size_t n)
{
	/* openlog() would change the host program's own ident and options, so
	 * the ident stays the program's name and the text says "trustshim:". */
	if (n > 0 && line[n - 1] == '\n')
		n--;
	syslog(LOG_USER | LOG_WARNING, "%.*s", (int)n, line);
}

static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static dev_t log_dev;
static ino_t log_ino;
static atomic_int log_failed_reported;

/* Is log_fd still the file we opened?  The program may have closed that
 * number or dup2()ed something over it; never close it then, it is not ours
 * any more. */
static int log_fd_still_ours(void)
{
	struct stat st;
	int fl;

	if (log_fd < 0 || fstat(log_fd, &st) != 0)
		return 0;
	if (st.st_dev != log_dev || st.st_ino != log_ino)
		return 0;
	fl = fcntl(log_fd, F_GETFL);
	return fl >= 0 && (fl & O_APPEND) && (fl & O_ACCMODE) != O_RDONLY;
}

/* Appends one whole line with one write().  0, or -1 with errno. */
static int file_append(const char *path, const char *line, size_t n)
{
	int rc = -1, e = 0;
	ssize_t w;

	pthread_mutex_lock(&fd_lock);
	if (!log_fd_still_ours()) {
		struct stat st;
		int fd;

		log_fd = -1;
		/* O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of
		 * hanging the host program. */
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0600);
		if (fd < 0) {
			e = errno;
			goto out;
		}
		/* Keep out of 0..2: a daemon that closes stdout and reopens it
		 * expects to get that number back. */
		if (fd < 3) {
			int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);

			close(fd);
			if (hi < 0) {
				e = errno;
				goto out;
			}
			fd = hi;
		}
		if (fstat(fd, &st) != 0) {
			e = errno;
			close(fd);
			goto out;
		}
		log_fd = fd;
		log_dev = st.st_dev;
		log_ino = st.st_ino;
	}
	w = write_nosigpipe(log_fd, line, n);
	if (w == (ssize_t)n)
		rc = 0;
	else
		e = w < 0 ? errno : EIO;
out:
	pthread_mutex_unlock(&fd_lock);
	errno = e;
	return rc;
}

/* The file could not take a record: say so once, then the record's human
 * line goes to stderr (unless the caller already put it there). */
static void file_failed(const char *path, int e)
{
	char line[TS_LINE_CAP], why[128];
	struct rec r = { line, 0, sizeof line - 1, 0 };

	if (atomic_exchange(&log_failed_reported, 1))
		return;
	err_text(e, why, sizeof why);
	rec_lit(&r, "trustshim: TRUSTSHIM_LOG: ");
	rec_txt(&r, path);
	rec_lit(&r, ": ");
	rec_txt(&r, why);
	rec_lit(&r, "; records go to stderr instead");
	rec_finish_line(&r);
	to_stderr(r.p, r.len);
}

/* Begins a JSON record with the fields every record has. */
static void json_head(struct rec *r, const char *time, const char *event, const char *lib)
{
	rec_fmt(r, "{\"time\":\"%s\",\"event\":\"%s\",\"pid\":%ld,\"exe\":", time, event,
		(long)getpid());
	rec_jstr(r, ts_exe(), 2048);
	rec_key(r, "lib", lib ? lib : "none", 32);
}

/* Closes a JSON record; if anything did not fit (the per-field limits make
 * that impossible, but the check costs nothing) a minimal record replaces it,
 * so a line is always valid JSON. */
static void json_tail(struct rec *r, const char *time, const char *event)
{
	rec_lit(r, "}\n");
	if (r->over) {
		r->len = 0;
		r->over = 0;
		rec_fmt(r, "{\"time\":\"%s\",\"event\":\"%s\",\"pid\":%ld,\"exe\":null,\"lib\":null,"
			"\"truncated\":true}\n", time, event, (long)getpid());
	}
}

/* ---- configuration errors ------------------------------------------------ */

/* Config errors are reported while ts_config() is still being parsed, so the
 * destination is not known yet and asking for it would re-enter the parse.
 * The stderr line goes out at once; the record waits here and is written by
 * the next audit call (an attempt, the anchors record, or the exit flush). */
#define TS_PENDING_MAX 16
struct pending {
	char time[80];
	char var[64];
	char value[1024];
	char reason[256];
	int has_value;
};
static struct pending pending[TS_PENDING_MAX];
static unsigned n_pending, n_pending_dropped;
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int pending_any;

static void config_error_line(struct rec *r, const char *var, const char *value, const char *reason)
{
	rec_lit(r, "trustshim: ");
	rec_txt(r, var ? var : "TRUSTSHIM");
	if (value) {
		rec_lit(r, ": ");
		rec_txt(r, value);
	}
	rec_lit(r, ": ");
	rec_txt(r, reason ? reason : "invalid");
	rec_finish_line(r);
}

void ts_audit_config_error(void *arg, const char *var, const char *value, const char *reason)
{
	char line[TS_LINE_CAP];
	struct rec r = { line, 0, sizeof line - 1, 0 };
	struct pending *p;

	(void)arg;
	config_error_line(&r, var, value, reason);
	to_stderr(r.p, r.len);

	pthread_mutex_lock(&pending_lock);
	if (n_pending < TS_PENDING_MAX) {
		p = &pending[n_pending++];
		fmt_time(p->time, sizeof p->time);
		snprintf(p->var, sizeof p->var, "%s", var ? var : "TRUSTSHIM");
		snprintf(p->value, sizeof p->value, "%s", value ? value : "");
		snprintf(p->reason, sizeof p->reason, "%s", reason ? reason : "invalid");
		p->has_value = value != NULL;
		atomic_store(&pending_any, 1);
	} else
		n_pending_dropped++;
	pthread_mutex_unlock(&pending_lock);
}

static void write_pending(const struct ts_config *c)
{
	unsigned i;

	if (!atomic_load(&pending_any))
		return;
	pthread_mutex_lock(&pending_lock);
	for (i = 0; i < n_pending; i++) {
		struct pending *p = &pending[i];
		char buf[TS_REC_CAP];
		struct rec r = { buf, 0, sizeof buf, 0 };

		if (c->log_kind == TS_LOG_FILE && c->log_path) {
			json_head(&r, p->time, "config_error", NULL);
			rec_key(&r, "var", p->var, 256);
			rec_key(&r, "value", p->has_value ? p->value : NULL, 4096);
			rec_key(&r, "reason", p->reason, 1024);
			json_tail(&r, p->time, "config_error");
			if (file_append(c->log_path, r.p, r.len) != 0)
				file_failed(c->log_path, errno); /* its stderr line is out already */
		} else if (c->log_kind == TS_LOG_SYSLOG) {
			r.cap = TS_LINE_CAP - 1;
			config_error_line(&r, p->var, p->has_value ? p->value : NULL, p->reason);
			to_syslog(r.p, r.len);
		}
	}
	n_pending = 0;
	atomic_store(&pending_any, 0);
	pthread_mutex_unlock(&pending_lock);
}

/* ---- flood bound ----------------------------------------------------------- */

/* A site is (api, caller, host, port, decision, python frames).  Its first
 * attempt is written; after that only the 10th, 100th, 1000th, ... with the
 * running count, and at exit one last record when attempts happened after
 * the last one written.  The Python frames are part of the site so that two
 * script lines going through the same urllib3 code are two sites. */
#define TS_SITES 256     /* power of two */
#define TS_S_HOST 256
#define TS_S_STR 256
#define TS_S_PY 6144

struct site {
	uint64_t key;                /* 0: free */
	unsigned long count, written;
	enum ts_verdict verdict;
	unsigned port;
	unsigned nulls;              /* bit i: field i was NULL */
	char lib[16], host_source[16], peer_ip[64];
	char host[TS_S_HOST], api[TS_S_STR], caller[TS_S_STR], rule[TS_S_STR], error[TS_S_STR];
	char python[TS_S_PY];
};

static struct site sites[TS_SITES];
static unsigned n_sites;
static unsigned long n_untracked;
static pthread_mutex_t site_lock = PTHREAD_MUTEX_INITIALIZER;
static int any_site;

static uint64_t fnv(uint64_t h, const char *s)
{
	if (s == NULL)
		return (h ^ 1) * 0x100000001b3ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL; /* field separator */
}

static uint64_t site_key(const struct ts_attempt *a, enum ts_verdict v)
{
	char num[32];
	uint64_t h = 0xcbf29ce484222325ULL;

	snprintf(num, sizeof num, "%u/%d", a->port, (int)v);
	h = fnv(h, a->api);
	h = fnv(h, a->caller);
	h = fnv(h, a->host ? a->host : a->peer_ip);
	h = fnv(h, num);
	h = fnv(h, a->python);
	return h ? h : 1;
}

static int is_pow10(unsigned long n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

enum { F_LIB, F_HOST, F_HSRC, F_PEER, F_API, F_CALLER, F_RULE, F_ERROR, F_PY };

static void keep(char *dst, size_t cap, const char *src, unsigned *nulls, int bit)
{
	if (src == NULL) {
		*nulls |= 1u << bit;
		dst[0] = 0;
	} else
		snprintf(dst, cap, "%s", src);
}

static const char *kept(const struct site *s, const char *f, int bit)
{
	return (s->nulls & (1u << bit)) ? NULL : f;
}

static void site_fill(struct site *s, const struct ts_attempt *a, enum ts_verdict v, const char *rule)
{
	s->nulls = 0;
	s->verdict = v;
	s->port = a->port;
	keep(s->lib, sizeof s->lib, a->lib, &s->nulls, F_LIB);
	keep(s->host, sizeof s->host, a->host, &s->nulls, F_HOST);
	keep(s->host_source, sizeof s->host_source, a->host_source, &s->nulls, F_HSRC);
	keep(s->peer_ip, sizeof s->peer_ip, a->peer_ip, &s->nulls, F_PEER);
	keep(s->api, sizeof s->api, a->api, &s->nulls, F_API);
	keep(s->caller, sizeof s->caller, a->caller, &s->nulls, F_CALLER);
	keep(s->rule, sizeof s->rule, rule, &s->nulls, F_RULE);
	keep(s->error, sizeof s->error, a->error, &s->nulls, F_ERROR);
	keep(s->python, sizeof s->python, a->python, &s->nulls, F_PY);
}

/* Counts the attempt.  Returns 1 when it must be written, with *count the
 * site's total so far (0 when the table is full and the site is untracked:
 * then the first 100 untracked attempts and every 1000th after are written,
 * without a count). */
static int flood_admit(const struct ts_attempt *a, enum ts_verdict v, const char *rule,
		       unsigned long *count)
{
	uint64_t key = site_key(a, v);
	unsigned i, slot;
	struct site *s = NULL;
	int admit;

	pthread_mutex_lock(&site_lock);
	any_site = 1;
	for (i = 0; i < TS_SITES; i++) {
		slot = (unsigned)(key + i) & (TS_SITES - 1);
		if (sites[slot].key == key) {
			s = &sites[slot];
			break;
		}
		if (sites[slot].key == 0) {
			if (n_sites < TS_SITES - 1) { /* one slot stays free: probes end */
				s = &sites[slot];
				s->key = key;
				s->count = s->written = 0;
				site_fill(s, a, v, rule);
				n_sites++;
			}
			break;
		}
	}
	if (s == NULL) {
		unsigned long n = ++n_untracked;

		admit = n <= 100 || n % 1000 == 0;
		*count = 0;
	} else {
		s->count++;
		admit = s->count == 1 || is_pow10(s->count);
		if (admit)
			s->written = s->count;
		*count = s->count;
	}
	pthread_mutex_unlock(&site_lock);
	return admit;
}

/* A forked child starts with no counts of its own: the parent's are the
 * parent's to report.  The lock is held across fork() so that the child
 * never inherits it locked by a thread that does not exist there. */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&pending_lock);
	pthread_mutex_lock(&site_lock);
	pthread_mutex_lock(&fd_lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&fd_lock);
	pthread_mutex_unlock(&site_lock);
	pthread_mutex_unlock(&pending_lock);
}

static void atfork_child(void)
{
	/* Free the used slots only (key 0 is free).  Clearing the whole 2 MB
	 * table wrote every page of it in every child: 0.8 ms added to each
	 * fork() of every program (a shell's $(...)), attempts or not. */
	if (any_site)
		for (unsigned i = 0; i < TS_SITES; i++)
			if (sites[i].key != 0)
				sites[i].key = 0;
	n_sites = 0;
	n_untracked = 0;
	any_site = 0;
	/* pending config errors were (or will be) written by the parent */
	n_pending = 0;
	atomic_store(&pending_any, 0);
	atfork_parent();
}

__attribute__((constructor)) static void audit_init(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* ---- attempts ------------------------------------------------------------ */

static const char *decision_name(enum ts_verdict v)
{
	switch (v) {
	case TS_REFUSED: return "refused";
	case TS_ALLOWED: return "allowed";
	case TS_AUDITED: return "audited";
	default: return "pass";
	}
}

/* "host:port", "[v6]:port", "host"; returns 0 when the host is unknown. */
static int host_port(const struct ts_attempt *a, char *out, size_t cap)
{
	const char *h = a->host && *a->host ? a->host : a->peer_ip;
	int v6;

	if (h == NULL || *h == 0) {
		out[0] = 0;
		return 0;
	}
	v6 = strchr(h, ':') != NULL;
	if (a->port)
		snprintf(out, cap, v6 ? "[%s]:%u" : "%s:%u", h, a->port);
	else
		snprintf(out, cap, v6 ? "[%s]" : "%s", h);
	return 1;
}

static void attempt_line(struct rec *r, const struct ts_attempt *a, enum ts_verdict v,
			 const char *rule, unsigned long count)
{
	char hp[600];
	int known = host_port(a, hp, sizeof hp);
	const char *where = known ? hp : "unknown host";

	switch (v) {
	case TS_REFUSED:
		rec_lit(r, "trustshim: refused to skip verification for ");
		break;
	case TS_ALLOWED:
		rec_lit(r, "trustshim: allowed skipping verification for ");
		break;
	default:
		rec_lit(r, "trustshim: audit: verification skipped for ");
		break;
	}
	rec_txt(r, where);
	rec_lit(r, " (");
	rec_txt(r, prog_name());
	rec_lit(r, ", ");
	rec_txt(r, a->api ? a->api : "unknown api");
	if (count > 1)
		rec_fmt(r, "; %lu times", count);
	rec_lit(r, ")");
	switch (v) {
	case TS_REFUSED:
		if (a->error) {
			rec_lit(r, ": ");
			rec_txt(r, a->error);
			rec_lit(r, "; to allow: TRUSTSHIM_ALLOW=");
			if (known)
				rec_txt(r, hp);
			else {
				rec_lit(r, "exe=");
				rec_txt(r, prog_name());
			}
		} else
			rec_lit(r, "; the certificate verified, connection continues");
		break;
	case TS_ALLOWED:
		rec_lit(r, " by rule '");
		rec_txt(r, rule ? rule : "?");
		rec_lit(r, "'");
		break;
	default:
		if (a->error) {
			rec_lit(r, " [would fail: ");
			rec_txt(r, a->error);
			rec_lit(r, "]");
		}
		break;
	}
	rec_finish_line(r);
}

/* The python field: "\n"-separated frames, innermost first ("; " is taken as
 * a separator too).  At most 16 frames, 4 KiB. */
static void json_python(struct rec *r, const char *py)
{
	size_t used = 0;
	int n = 0;

	rec_lit(r, ",\"python\":[");
	while (*py && n < 16 && used < 4096) {
		const char *nl = strchr(py, '\n'), *sc = strstr(py, "; ");
		const char *end = nl && (!sc || nl < sc) ? nl : sc;
		size_t len = end ? (size_t)(end - py) : strlen(py);
		size_t before = r->len;

		if (len > 0) {
			if (n++)
				rec_lit(r, ",");
			rec_jstr_n(r, py, len, 1024);
			used += r->len - before;
		}
		py += len;
		if (*py == '\n')
			py++;
		else if (*py == ';')
			py += 2;
	}
	rec_lit(r, "]");
}

static void attempt_json(struct rec *r, const struct ts_attempt *a, enum ts_verdict v,
			 const char *rule, unsigned long count)
{
	char time[80];

	fmt_time(time, sizeof time);
	json_head(r, time, "skip_verification", a->lib);
	rec_key(r, "host", a->host, 1024);
	if (a->port)
		rec_fmt(r, ",\"port\":%u", a->port);
	else
		rec_lit(r, ",\"port\":null");
	rec_key(r, "host_source", a->host_source ? a->host_source : "unknown", 32);
	rec_key(r, "peer_ip", a->peer_ip, 128);
	rec_key(r, "api", a->api, 512);
	rec_key(r, "caller", a->caller, 1024);
	rec_key(r, "decision", decision_name(v), 16);
	rec_key(r, "rule", rule, 1024);
	rec_key(r, "error", a->error, 1024);
	if (a->python && *a->python)
		json_python(r, a->python);
	if (count)
		rec_fmt(r, ",\"count\":%lu", count);
	else
		rec_lit(r, ",\"count\":null");
	json_tail(r, time, "skip_verification");
}

static void write_attempt(const struct ts_config *c, const struct ts_attempt *a,
			  enum ts_verdict v, const char *rule, unsigned long count)
{
	char line[TS_LINE_CAP];
	struct rec h = { line, 0, sizeof line - 1, 0 };
	/* a refusal that fails the connection: the person must see it */
	int fails = v == TS_REFUSED && a->error != NULL;

	attempt_line(&h, a, v, rule, count);
	switch (c->log_kind) {
	case TS_LOG_FILE: {
		char buf[TS_REC_CAP];
		struct rec j = { buf, 0, sizeof buf, 0 };

		if (fails)
			to_stderr(h.p, h.len);
		attempt_json(&j, a, v, rule, count);
		if (file_append(c->log_path ? c->log_path : "", j.p, j.len) != 0) {
			file_failed(c->log_path ? c->log_path : "", errno);
			if (!fails)
				to_stderr(h.p, h.len);
		}
		break;
	}
	case TS_LOG_SYSLOG:
		to_syslog(h.p, h.len);
		if (fails)
			to_stderr(h.p, h.len);
		break;
	case TS_LOG_STDERR:
		to_stderr(h.p, h.len);
		break;
	default:
		if (v != TS_ALLOWED)
			to_stderr(h.p, h.len);
		break;
	}
}

void ts_audit_attempt(const struct ts_attempt *a, enum ts_verdict v, const char *rule)
{
	const struct ts_config *c;
	unsigned long count;

	if (a == NULL || v == TS_PASS)
		return;
	c = ts_config();
	write_pending(c);
	if (!flood_admit(a, v, rule, &count))
		return;
	write_attempt(c, a, v, rule, count);
}

/* Writes the last count of every site that had attempts after its last
 * record.  Runs at exit; tests call it directly. */
void ts_audit_flush(void)
{
	const struct ts_config *c = NULL;
	unsigned i;

	if (atomic_load(&pending_any)) {
		c = ts_config();
		write_pending(c);
	}
	pthread_mutex_lock(&site_lock);
	if (!any_site) {
		pthread_mutex_unlock(&site_lock);
		return;
	}
	pthread_mutex_unlock(&site_lock);
	if (c == NULL)
		c = ts_config();
	for (i = 0; i < TS_SITES; i++) {
		struct site copy;
		struct ts_attempt a;

		pthread_mutex_lock(&site_lock);
		if (sites[i].key == 0 || sites[i].count <= sites[i].written) {
			pthread_mutex_unlock(&site_lock);
			continue;
		}
		sites[i].written = sites[i].count;
		copy = sites[i];
		pthread_mutex_unlock(&site_lock);

		a.lib = kept(&copy, copy.lib, F_LIB);
		a.host = kept(&copy, copy.host, F_HOST);
		a.host_source = kept(&copy, copy.host_source, F_HSRC);
		a.peer_ip = kept(&copy, copy.peer_ip, F_PEER);
		a.port = copy.port;
		a.api = kept(&copy, copy.api, F_API);
		a.caller = kept(&copy, copy.caller, F_CALLER);
		a.python = kept(&copy, copy.python, F_PY);
		a.error = kept(&copy, copy.error, F_ERROR);
		write_attempt(c, &a, copy.verdict, kept(&copy, copy.rule, F_RULE), copy.count);
	}
}

__attribute__((destructor)) static void audit_fini(void)
{
	ts_audit_flush();
}

/* ---- anchors ------------------------------------------------------------- */

void ts_audit_anchors_loaded(const char *lib, size_t count, const char *sources)
{
	const struct ts_config *c = ts_config();
	char time[80];

	write_pending(c);
	if (c->log_kind == TS_LOG_FILE && c->log_path) {
		char buf[TS_REC_CAP];
		struct rec r = { buf, 0, sizeof buf, 0 };
		const char *s = sources ? sources : "";
		size_t used = 0;
		int n = 0;

		fmt_time(time, sizeof time);
		json_head(&r, time, "anchors_loaded", lib);
		rec_fmt(&r, ",\"count\":%zu,\"sources\":[", count);
		/* sources is "path1:path2" (TRUSTSHIM_CA is colon-separated, so
		 * no path in it holds a colon) */
		while (*s && used < 8192) {
			const char *e = strchr(s, ':');
			size_t len = e ? (size_t)(e - s) : strlen(s), before = r.len;

			if (len) {
				if (n++)
					rec_lit(&r, ",");
				rec_jstr_n(&r, s, len, 2048);
				used += r.len - before;
			}
			s += len + (e != NULL);
		}
		rec_lit(&r, "]");
		json_tail(&r, time, "anchors_loaded");
		if (file_append(c->log_path, r.p, r.len) != 0)
			file_failed(c->log_path, errno);
	} else if (c->log_kind == TS_LOG_SYSLOG) {
		char line[TS_LINE_CAP];
		struct rec r = { line, 0, sizeof line - 1, 0 };

		rec_fmt(&r, "trustshim: loaded %zu extra trust anchor%s for %s from ", count,
			count == 1 ? "" : "s", lib ? lib : "none");
		rec_txt(&r, sources && *sources ? sources : "nowhere");
		rec_finish_line(&r);
		to_syslog(r.p, r.len);
	}
}
