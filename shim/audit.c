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
#include "flood.h"
#include "record.h"
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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static void audit_ready(void);

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
	struct ts_rec r = { line, 0, sizeof line - 1, 0 };

	if (atomic_exchange(&log_failed_reported, 1))
		return;
	err_text(e, why, sizeof why);
	ts_rec_lit(&r, "trustshim: TRUSTSHIM_LOG: ");
	ts_rec_txt(&r, path);
	ts_rec_lit(&r, ": ");
	ts_rec_txt(&r, why);
	ts_rec_lit(&r, "; records go to stderr instead");
	ts_rec_finish_line(&r);
	to_stderr(r.p, r.len);
}

/* Begins a JSON record with the fields every record has. */
static void json_head(struct ts_rec *r, const char *time, const char *event, const char *lib)
{
	ts_rec_fmt(r, "{\"time\":\"%s\",\"event\":\"%s\",\"pid\":%ld,\"exe\":", time, event,
		(long)getpid());
	ts_rec_jstr(r, ts_exe(), 2048);
	ts_rec_key(r, "lib", lib ? lib : "none", 32);
}

/* Closes a JSON record; if anything did not fit (the per-field limits make
 * that impossible, but the check costs nothing) a minimal record replaces it,
 * so a line is always valid JSON. */
static void json_tail(struct ts_rec *r, const char *time, const char *event)
{
	ts_rec_lit(r, "}\n");
	if (r->over) {
		r->len = 0;
		r->over = 0;
		ts_rec_fmt(r, "{\"time\":\"%s\",\"event\":\"%s\",\"pid\":%ld,\"exe\":null,\"lib\":null,"
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

static void config_error_line(struct ts_rec *r, const char *var, const char *value, const char *reason)
{
	ts_rec_lit(r, "trustshim: ");
	ts_rec_txt(r, var ? var : "TRUSTSHIM");
	if (value) {
		ts_rec_lit(r, ": ");
		ts_rec_txt(r, value);
	}
	ts_rec_lit(r, ": ");
	ts_rec_txt(r, reason ? reason : "invalid");
	ts_rec_finish_line(r);
}

void ts_audit_config_error(void *arg, const char *var, const char *value, const char *reason)
{
	char line[TS_LINE_CAP];
	struct ts_rec r = { line, 0, sizeof line - 1, 0 };
	struct pending *p;

	audit_ready();
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
		struct ts_rec r = { buf, 0, sizeof buf, 0 };

		if (c->log_kind == TS_LOG_FILE && c->log_path) {
			json_head(&r, p->time, "config_error", NULL);
			ts_rec_key(&r, "var", p->var, 256);
			ts_rec_key(&r, "value", p->has_value ? p->value : NULL, 4096);
			ts_rec_key(&r, "reason", p->reason, 1024);
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

/* A forked child starts with no counts of its own: the parent's are the
 * parent's to report.  The lock is held across fork() so that the child
 * never inherits it locked by a thread that does not exist there. */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&pending_lock);
	ts_flood_fork_prepare();
	pthread_mutex_lock(&fd_lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&fd_lock);
	ts_flood_fork_parent();
	pthread_mutex_unlock(&pending_lock);
}

static void atfork_child(void)
{
	/* pending config errors were (or will be) written by the parent */
	n_pending = 0;
	atomic_store(&pending_any, 0);
	pthread_mutex_unlock(&fd_lock);
	ts_flood_fork_child();
	pthread_mutex_unlock(&pending_lock);
}

/* Registered at the first call into the writer, not at load: its locks are
 * taken only inside these calls, and a process that never records anything
 * pays nothing at start-up (make bench, figure 1). */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_register(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static void audit_ready(void)
{
	pthread_once(&atfork_once, atfork_register);
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

static void attempt_line(struct ts_rec *r, const struct ts_attempt *a, enum ts_verdict v,
			 const char *rule, unsigned long count)
{
	char hp[600];
	int known = host_port(a, hp, sizeof hp);
	const char *where = known ? hp : "unknown host";

	switch (v) {
	case TS_REFUSED:
		ts_rec_lit(r, "trustshim: refused to skip verification for ");
		break;
	case TS_ALLOWED:
		ts_rec_lit(r, "trustshim: allowed skipping verification for ");
		break;
	default:
		ts_rec_lit(r, "trustshim: audit: verification skipped for ");
		break;
	}
	ts_rec_txt(r, where);
	ts_rec_lit(r, " (");
	ts_rec_txt(r, prog_name());
	ts_rec_lit(r, ", ");
	ts_rec_txt(r, a->api ? a->api : "unknown api");
	if (count > 1)
		ts_rec_fmt(r, "; %lu times", count);
	ts_rec_lit(r, ")");
	switch (v) {
	case TS_REFUSED:
		if (a->error) {
			ts_rec_lit(r, ": ");
			ts_rec_txt(r, a->error);
			ts_rec_lit(r, "; to allow: TRUSTSHIM_ALLOW=");
			if (known)
				ts_rec_txt(r, hp);
			else {
				ts_rec_lit(r, "exe=");
				ts_rec_txt(r, prog_name());
			}
		} else
			ts_rec_lit(r, "; the certificate verified, connection continues");
		break;
	case TS_ALLOWED:
		ts_rec_lit(r, " by rule '");
		ts_rec_txt(r, rule ? rule : "?");
		ts_rec_lit(r, "'");
		break;
	default:
		if (a->error) {
			ts_rec_lit(r, " [would fail: ");
			ts_rec_txt(r, a->error);
			ts_rec_lit(r, "]");
		}
		break;
	}
	ts_rec_finish_line(r);
}

/* The python field: "\n"-separated frames, innermost first ("; " is taken as
 * a separator too).  At most 16 frames, 4 KiB. */
static void json_python(struct ts_rec *r, const char *py)
{
	size_t used = 0;
	int n = 0;

	ts_rec_lit(r, ",\"python\":[");
	while (*py && n < 16 && used < 4096) {
		const char *nl = strchr(py, '\n'), *sc = strstr(py, "; ");
		const char *end = nl && (!sc || nl < sc) ? nl : sc;
		size_t len = end ? (size_t)(end - py) : strlen(py);
		size_t before = r->len;

		if (len > 0) {
			if (n++)
				ts_rec_lit(r, ",");
			ts_rec_jstr_n(r, py, len, 1024);
			used += r->len - before;
		}
		py += len;
		if (*py == '\n')
			py++;
		else if (*py == ';')
			py += 2;
	}
	ts_rec_lit(r, "]");
}

static void attempt_json(struct ts_rec *r, const struct ts_attempt *a, enum ts_verdict v,
			 const char *rule, unsigned long count)
{
	char time[80];

	fmt_time(time, sizeof time);
	json_head(r, time, "skip_verification", a->lib);
	ts_rec_key(r, "host", a->host, 1024);
	if (a->port)
		ts_rec_fmt(r, ",\"port\":%u", a->port);
	else
		ts_rec_lit(r, ",\"port\":null");
	ts_rec_key(r, "host_source", a->host_source ? a->host_source : "unknown", 32);
	ts_rec_key(r, "peer_ip", a->peer_ip, 128);
	ts_rec_key(r, "api", a->api, 512);
	ts_rec_key(r, "caller", a->caller, 1024);
	ts_rec_key(r, "decision", decision_name(v), 16);
	ts_rec_key(r, "rule", rule, 1024);
	ts_rec_key(r, "error", a->error, 1024);
	if (a->python && *a->python)
		json_python(r, a->python);
	if (count)
		ts_rec_fmt(r, ",\"count\":%lu", count);
	else
		ts_rec_lit(r, ",\"count\":null");
	json_tail(r, time, "skip_verification");
}

static void write_attempt(const struct ts_config *c, const struct ts_attempt *a,
			  enum ts_verdict v, const char *rule, unsigned long count)
{
	char line[TS_LINE_CAP];
	struct ts_rec h = { line, 0, sizeof line - 1, 0 };
	/* a refusal that fails the connection: the person must see it */
	int fails = v == TS_REFUSED && a->error != NULL;

	attempt_line(&h, a, v, rule, count);
	switch (c->log_kind) {
	case TS_LOG_FILE: {
		char buf[TS_REC_CAP];
		struct ts_rec j = { buf, 0, sizeof buf, 0 };

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

	audit_ready();

	if (a == NULL || v == TS_PASS)
		return;
	c = ts_config();
	write_pending(c);
	if (!ts_flood_admit(a, v, rule, &count))
		return;
	write_attempt(c, a, v, rule, count);
}

static void emit_final(const struct ts_attempt *a, enum ts_verdict v, const char *rule,
		       unsigned long count, void *arg)
{
	(void)arg;
	write_attempt(ts_config(), a, v, rule, count);
}

/* Writes the last count of every site that had attempts after its last
 * record.  Runs at exit; tests call it directly. */
void ts_audit_flush(void)
{
	/* ts_config() only when there is something to write: a process that
	 * never recorded anything must not parse (or report) at exit. */
	if (atomic_load(&pending_any))
		write_pending(ts_config());
	ts_flood_drain(emit_final, NULL);
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

	audit_ready();

	write_pending(c);
	if (c->log_kind == TS_LOG_FILE && c->log_path) {
		char buf[TS_REC_CAP];
		struct ts_rec r = { buf, 0, sizeof buf, 0 };
		const char *s = sources ? sources : "";
		size_t used = 0;
		int n = 0;

		fmt_time(time, sizeof time);
		json_head(&r, time, "anchors_loaded", lib);
		ts_rec_fmt(&r, ",\"count\":%zu,\"sources\":[", count);
		/* sources is "path1:path2" (TRUSTSHIM_CA is colon-separated, so
		 * no path in it holds a colon) */
		while (*s && used < 8192) {
			const char *e = strchr(s, ':');
			size_t len = e ? (size_t)(e - s) : strlen(s), before = r.len;

			if (len) {
				if (n++)
					ts_rec_lit(&r, ",");
				ts_rec_jstr_n(&r, s, len, 2048);
				used += r.len - before;
			}
			s += len + (e != NULL);
		}
		ts_rec_lit(&r, "]");
		json_tail(&r, time, "anchors_loaded");
		if (file_append(c->log_path, r.p, r.len) != 0)
			file_failed(c->log_path, errno);
	} else if (c->log_kind == TS_LOG_SYSLOG) {
		char line[TS_LINE_CAP];
		struct ts_rec r = { line, 0, sizeof line - 1, 0 };

		ts_rec_fmt(&r, "trustshim: loaded %zu extra trust anchor%s for %s from ", count,
			count == 1 ? "" : "s", lib ? lib : "none");
		ts_rec_txt(&r, sources && *sources ? sources : "nowhere");
		ts_rec_finish_line(&r);
		to_syslog(r.p, r.len);
	}
}
