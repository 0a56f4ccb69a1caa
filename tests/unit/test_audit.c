/* Unit tests for the audit writer: JSON escaping, destinations, records,
 * concurrency, the flood bound, reopening, human lines.  audit.c is included
 * so its statics can be reset and inspected; ts_config() is faked. */
#include "audit.c"
#include "flood.c"
#include "record.c"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

static struct ts_config fake_cfg;

const struct ts_config *ts_config(void)
{
	return &fake_cfg;
}

static char tmpdir[256];

/* Forgets every site, the log descriptor and the once-only notice, as a new
 * process would start. */
static void reset_state(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	atomic_store(&log_failed_reported, 0);
	ts_flood_fork_prepare();
	ts_flood_fork_child();  /* the table as a new process has it */
	n_pending = 0;
	atomic_store(&pending_any, 0);
}

static void use_file(const char *name, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", tmpdir, name);
	unlink(path);
	fake_cfg.log_kind = TS_LOG_FILE;
	fake_cfg.log_path = path;
	reset_state();
}

static char *slurp(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = 0;
	if (f) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

/* stderr capture: fd 2 goes to a file while a case runs. */
static int saved_stderr = -1;
static char err_path[300];

static void capture_stderr(void)
{
	int fd;

	snprintf(err_path, sizeof err_path, "%s/stderr", tmpdir);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static char *captured(void)
{
	dup2(saved_stderr, 2);
	close(saved_stderr);
	return slurp(err_path);
}

/* Runs python3 on a log file; its stdout (one summary line) into out. */
static int run_python(const char *code, const char *arg, char *out, size_t cap)
{
	char cmd[8192];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof cmd, "python3 -c '%s' '%s'", code, arg);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = 0;
	return pclose(p);
}

/* Every line parses, every record has the fields DESIGN.md promises.  Prints
 * "N ok" or the first problem. */
static const char *check_py =
	"import json,re,sys\n"
	"n=0\n"
	"for l in open(sys.argv[1],\"rb\"):\n"
	" n+=1\n"
	" assert l.endswith(b\"\\n\"), \"no newline\"\n"
	" r=json.loads(l.decode(\"utf-8\"))\n"
	" for k in (\"time\",\"event\",\"pid\",\"exe\",\"lib\"): assert k in r, k\n"
	" assert re.fullmatch(r\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\", r[\"time\"]), r[\"time\"]\n"
	" if r[\"event\"]==\"skip_verification\":\n"
	"  for k in (\"host\",\"port\",\"host_source\",\"api\",\"caller\",\"decision\",\"rule\",\"error\",\"count\"): assert k in r, k\n"
	"  assert r[\"decision\"] in (\"refused\",\"allowed\",\"audited\")\n"
	" elif r[\"event\"]==\"config_error\":\n"
	"  for k in (\"var\",\"value\",\"reason\"): assert k in r, k\n"
	" elif r[\"event\"]==\"anchors_loaded\":\n"
	"  assert isinstance(r[\"count\"],int) and isinstance(r[\"sources\"],list)\n"
	" else: assert False, r[\"event\"]\n"
	"print(n, \"ok\")\n";

static int lines_ok(const char *path)
{
	char out[4096];

	if (run_python(check_py, path, out, sizeof out) != 0) {
		printf("# python: %s\n", out);
		return -1;
	}
	return atoi(out);
}

/* A python expression over r (the record) for each line, joined by " ". */
static void fields(const char *path, const char *expr, char *out, size_t cap)
{
	char code[1024];

	snprintf(code, sizeof code,
		 "import json,sys\nprint(\" \".join(str(%s) for r in map(json.loads, open(sys.argv[1], encoding=\"utf-8\"))))",
		 expr);
	if (run_python(code, path, out, cap) != 0)
		snprintf(out, cap, "python failed");
}

static struct ts_attempt attempt(const char *host, unsigned port, const char *error)
{
	struct ts_attempt a = {
		.lib = "openssl", .host = host, .host_source = "sni", .peer_ip = "127.0.0.1",
		.port = port, .api = "SSL_CTX_set_verify(SSL_VERIFY_NONE)",
		.caller = "libcurl.so.4(Curl_ossl_connect+0x1a2)", .python = NULL, .error = error,
	};
	return a;
}

/* tmpl with each "PROG" replaced by the program's name, which differs in the
 * sanitizer builds. */
static const char *expand(const char *tmpl)
{
	static char out[8192];
	size_t k = 0;

	while (*tmpl && k + 1 < sizeof out) {
		if (strncmp(tmpl, "PROG", 4) == 0) {
			k += (size_t)snprintf(out + k, sizeof out - k, "%s", prog_name());
			tmpl += 4;
		} else
			out[k++] = *tmpl++;
	}
	out[k < sizeof out ? k : sizeof out - 1] = 0;
	return out;
}

/* ---- escaping ---- */

struct esc_case {
	const char *in;
	size_t cap;
	const char *want;
	const char *why;
};

static const struct esc_case esc_cases[] = {
	{ "plain", 64, "plain", "ASCII passes" },
	{ "", 64, "", "empty string" },
	{ "a\"b", 64, "a\\\"b", "double quote escaped" },
	{ "a\\b", 64, "a\\\\b", "backslash escaped" },
	{ "\n\t\r", 64, "\\n\\t\\r", "common controls get short escapes" },
	{ "\x01\x1f\x7f\b\f", 64, "\\u0001\\u001f\\u007f\\u0008\\u000c", "other controls get \\u00XX" },
	{ "caf\xc3\xa9", 64, "caf\xc3\xa9", "2-byte UTF-8 kept" },
	{ "\xe2\x82\xac", 64, "\xe2\x82\xac", "3-byte UTF-8 kept" },
	{ "\xf0\x9f\x98\x80", 64, "\xf0\x9f\x98\x80", "4-byte UTF-8 kept" },
	{ "\xf4\x8f\xbf\xbf", 64, "\xf4\x8f\xbf\xbf", "U+10FFFF kept" },
	{ "\xef\xbf\xbd", 64, "\xef\xbf\xbd", "a real U+FFFD kept" },
	{ "a\xff" "b", 64, "a\xef\xbf\xbd" "b", "invalid byte becomes U+FFFD" },
	{ "\x80", 64, "\xef\xbf\xbd", "lone continuation byte" },
	{ "x\xc3", 64, "x\xef\xbf\xbd", "sequence cut by the end" },
	{ "\xc3(", 64, "\xef\xbf\xbd(", "lead byte then ASCII" },
	{ "\xc0\xaf", 64, "\xef\xbf\xbd\xef\xbf\xbd", "overlong 2-byte '/' (C0 AF)" },
	{ "\xc1\xbf", 64, "\xef\xbf\xbd\xef\xbf\xbd", "overlong 2-byte (C1)" },
	{ "\xe0\x80\xaf", 64, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "overlong 3-byte" },
	{ "\xf0\x80\x80\xaf", 64, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "overlong 4-byte" },
	{ "\xed\xa0\x80", 64, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "UTF-16 surrogate D800 in UTF-8" },
	{ "\xed\xbf\xbf", 64, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "UTF-16 surrogate DFFF in UTF-8" },
	{ "\xed\x9f\xbf", 64, "\xed\x9f\xbf", "U+D7FF, just below the surrogates, kept" },
	{ "\xf4\x90\x80\x80", 64, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "above U+10FFFF" },
	{ "\xf5\x80\x80\x80", 64, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "F5 lead byte" },
	{ "\xe2\x82", 64, "\xef\xbf\xbd\xef\xbf\xbd", "3-byte sequence cut short" },
	{ "abcdef", 4, "abc", "truncated at cap, NUL kept" },
	{ "a\"b", 3, "a", "an escape is never split" },
	{ "a\x01", 7, "a", "a \\u escape is never split" },
	{ "x\xc3\xa9", 3, "x", "a UTF-8 sequence is never split" },
	{ "x\xc3\xa9", 4, "x\xc3\xa9", "a UTF-8 sequence that just fits" },
	{ "x\xff", 4, "x", "a U+FFFD is never split" },
	{ "abc", 1, "", "cap 1: empty string" },
};

static void test_escape(void)
{
	char path[300], out[256];
	FILE *f;
	size_t i;

	snprintf(path, sizeof path, "%s/escaped", tmpdir);
	f = fopen(path, "w");
	for (i = 0; i < sizeof esc_cases / sizeof esc_cases[0]; i++) {
		const struct esc_case *c = &esc_cases[i];
		char got[128];
		size_t n;

		memset(got, 'Z', sizeof got);
		n = ts_json_escape(got, c->cap, c->in);
		is_str(got, c->want, "escape: %s", c->why);
		ok(n == strlen(got) && n < c->cap, "escape: %s: length %zu within cap", c->why, n);
		fprintf(f, "\"%s\"\n", got);
	}
	ok(ts_json_escape(NULL, 0, "x") == 0, "escape: cap 0 writes nothing");

	/* random bytes at random caps: always valid UTF-8, no raw control */
	srand(4);
	for (i = 0; i < 20000; i++) {
		unsigned char in[64];
		char got[200];
		size_t len = (size_t)(rand() % 63), cap = 1 + (size_t)(rand() % 199), j, k;
		int bad = 0;

		for (j = 0; j < len; j++)
			in[j] = (unsigned char)(rand() % 255 + 1);
		in[len] = 0;
		if (i % 2) /* bias toward UTF-8 lead/continuation bytes */
			for (j = 0; j < len; j++)
				in[j] |= 0x80;
		k = ts_json_escape(got, cap, (char *)in);
		if (k >= cap || got[k] != 0 || strlen(got) != k)
			bad = 1;
		for (j = 0; j < k && !bad;) {
			size_t u = utf8_len((unsigned char *)got + j, k - j);

			if (u == 0 || (unsigned char)got[j] < 0x20)
				bad = 1;
			j += u ? u : 1;
		}
		if (bad) {
			ok(0, "escape: random input %zu stays valid", i);
			break;
		}
		fprintf(f, "\"%s\"\n", got);
	}
	fclose(f);
	if (i == 20000)
		ok(1, "escape: 20000 random inputs give valid UTF-8 without raw controls");
	run_python("import json,sys\nprint(sum(1 for l in open(sys.argv[1],encoding=\"utf-8\") if json.loads(l) is not None))",
		   path, out, sizeof out);
	is_int(atoi(out), 20000 + (int)(sizeof esc_cases / sizeof esc_cases[0]),
	       "escape: every output is a JSON string python can load");
}

/* ---- file destination ---- */

static void test_file_records(void)
{
	char path[300], out[8192];
	struct ts_attempt a = attempt("example.test", 443, "self-signed certificate");
	char *err;

	use_file("records.jsonl", path, sizeof path);
	capture_stderr();
	ts_audit_config_error(NULL, "TRUSTSHIM_CA", "/nonexistent/x.pem", "no such file or directory");
	ts_audit_config_error(NULL, "TRUSTSHIM_MODE", NULL, "empty value");
	ts_audit_anchors_loaded("openssl", 2, "/etc/ca/a.pem:TRUSTSHIM_CA_PEM");
	ts_audit_attempt(&a, TS_REFUSED, NULL);
	a.error = NULL;
	a.python = "/src/app.py:12 in fetch\n/src/main.py:3 in <module>";
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	a.python = NULL;
	ts_audit_attempt(&a, TS_ALLOWED, "example.test:443");
	{
		struct ts_attempt z = { 0 };

		ts_audit_attempt(&z, TS_REFUSED, NULL);     /* everything unknown */
	}
	ts_audit_attempt(&a, TS_PASS, NULL);            /* mode off: nothing */
	err = captured();

	is_int(lines_ok(path), 7, "file: 7 valid JSON lines with their required fields");
	fields(path, "r[\"event\"]", out, sizeof out);
	is_str(out, "config_error config_error anchors_loaded skip_verification skip_verification skip_verification skip_verification",
	       "file: config errors first (held until the destination is known), then the rest in order");
	fields(path, "(r.get(\"var\"),r.get(\"value\"),r.get(\"lib\"))", out, sizeof out);
	ok(strstr(out, "('TRUSTSHIM_CA', '/nonexistent/x.pem', 'none')") &&
	   strstr(out, "('TRUSTSHIM_MODE', None, 'none')"), "file: config_error var, value (null when none), lib none");
	fields(path, "(r[\"count\"],r[\"sources\"]) if r[\"event\"]==\"anchors_loaded\" else \"\"", out, sizeof out);
	ok(strstr(out, "(2, ['/etc/ca/a.pem', 'TRUSTSHIM_CA_PEM'])") != NULL, "file: anchors_loaded count and sources list");
	fields(path, "(r.get(\"decision\"),r.get(\"rule\"),r.get(\"error\"),r.get(\"count\"),r.get(\"python\")) if r[\"event\"]==\"skip_verification\" else \"\"",
	       out, sizeof out);
	ok(strstr(out, "('refused', None, 'self-signed certificate', 1, None)") != NULL, "file: refused record");
	ok(strstr(out, "('audited', None, None, 1, ['/src/app.py:12 in fetch', '/src/main.py:3 in <module>'])") != NULL,
	   "file: audited record with python frames as an array, innermost first");
	ok(strstr(out, "('allowed', 'example.test:443', None, 1, None)") != NULL, "file: allowed record names its rule");
	fields(path, "(r[\"host\"],r[\"port\"],r[\"host_source\"],r[\"api\"],r[\"caller\"],r[\"lib\"]) if r[\"event\"]==\"skip_verification\" and r[\"api\"] is None else \"\"",
	       out, sizeof out);
	ok(strstr(out, "(None, None, 'unknown', None, None, 'none')") != NULL, "file: unknown values are null, not missing");
	fields(path, "r[\"pid\"]", out, sizeof out);
	{
		char want[32];

		snprintf(want, sizeof want, "%ld", (long)getpid());
		ok(strncmp(out, want, strlen(want)) == 0, "file: pid is ours");
	}
	/* stderr: both config errors at once, and the failing refusal */
	ok(strstr(err, "trustshim: TRUSTSHIM_CA: /nonexistent/x.pem: no such file or directory\n") != NULL,
	   "file: config error also on stderr");
	ok(strstr(err, "trustshim: TRUSTSHIM_MODE: empty value\n") != NULL, "file: config error without value");
	ok(strstr(err, "trustshim: refused to skip verification for example.test:443") != NULL,
	   "file: a refusal that fails the connection is on stderr too");
	ok(strstr(err, "audit:") == NULL && strstr(err, "allowed") == NULL && strstr(err, "anchor") == NULL,
	   "file: audited, allowed and anchors records stay out of stderr");
	{
		struct stat st;

		ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "file: created with mode 0600");
	}
	ok(log_fd >= 3 && (fcntl(log_fd, F_GETFD) & FD_CLOEXEC), "file: descriptor kept, above 2, close-on-exec");
}

/* Over-long and hostile fields: the line stays bounded and valid. */
static void test_long_fields(void)
{
	static char big[100000];
	char path[300], out[256];
	struct ts_attempt a = attempt(big, 1, big);
	size_t i;

	for (i = 0; i + 3 < sizeof big; i += 3)
		memcpy(big + i, i % 2 ? "\xc3\xa9\"" : "\xff\x01\\", 3);
	big[i] = 0;
	a.api = a.caller = a.python = big;
	use_file("long.jsonl", path, sizeof path);
	capture_stderr();
	ts_audit_attempt(&a, TS_REFUSED, big);
	ts_audit_config_error(NULL, big, big, big);
	ts_audit_anchors_loaded(big, 1, big);
	captured();
	is_int(lines_ok(path), 3, "long fields: every record still valid JSON");
	run_python("import sys\nprint(max(len(l) for l in open(sys.argv[1],\"rb\")))", path, out, sizeof out);
	ok(atoi(out) > 1000 && atoi(out) <= TS_REC_CAP, "long fields: longest line %s bytes, within %d", out, TS_REC_CAP);
}

/* ---- concurrency ---- */

static void test_concurrent(void)
{
	char path[300], out[256], errbuf[3001];
	int i;

	memset(errbuf, 'e', sizeof errbuf - 1);
	errbuf[sizeof errbuf - 1] = 0;
	use_file("concurrent.jsonl", path, sizeof path);
	for (i = 0; i < 50; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			int j;

			for (j = 0; j < 200; j++) {
				char host[32];
				/* a distinct site each time, and lines of 3.5 KiB so
				 * that interleaving would show */
				struct ts_attempt a = attempt(host, 443, errbuf);

				snprintf(host, sizeof host, "h%d.example.test", j);
				ts_audit_attempt(&a, TS_AUDITED, NULL);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 50; i++)
		wait(NULL);
	is_int(lines_ok(path), 10000, "concurrent: 50 processes x 200 records = 10000 valid lines");
	run_python("import json,sys\nprint(len(set((r[\"pid\"],r[\"host\"]) for r in map(json.loads,open(sys.argv[1])))))",
		   path, out, sizeof out);
	is_int(atoi(out), 10000, "concurrent: no record lost or duplicated");
}

/* A child must not report its parent's counts. */
static void test_fork_resets(void)
{
	char path[300], out[256];
	struct ts_attempt a = attempt("fork.example.test", 443, NULL);
	pid_t pid;
	int i;

	use_file("fork.jsonl", path, sizeof path);
	for (i = 0; i < 5; i++)
		ts_audit_attempt(&a, TS_AUDITED, NULL);
	pid = fork();
	if (pid == 0) {
		ts_audit_attempt(&a, TS_AUDITED, NULL);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	fields(path, "r[\"count\"]", out, sizeof out);
	is_str(out, "1 1", "fork: the child's first attempt is its own count 1");
	reset_state();
}

/* ---- program path ---- */

static int child_exe_main(const char *log)
{
	struct ts_attempt a = attempt("exe.example.test", 443, NULL);

	fake_cfg.log_kind = TS_LOG_FILE;
	fake_cfg.log_path = log;
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	return 0;
}

static void test_exe_escaping(void)
{
	char dir[512], exe[600], log[300], out[1024], cmd[2048], want[700];
	const char *self = ts_exe();

	/* quotes, a backslash, non-ASCII and an invalid byte in the path */
	snprintf(dir, sizeof dir, "%s/we\"ird\\d\xc3\xa9j\xc3\xa0 \xff", tmpdir);
	mkdir(dir, 0700);
	snprintf(exe, sizeof exe, "%s/prog\"'x", dir);
	snprintf(log, sizeof log, "%s/exe.jsonl", tmpdir);
	unlink(log);
	{
		int in = open(self, O_RDONLY), outfd = open(exe, O_WRONLY | O_CREAT | O_TRUNC, 0700);
		char b[65536];
		ssize_t n;

		while ((n = read(in, b, sizeof b)) > 0)
			if (write(outfd, b, (size_t)n) != n)
				break;
		close(in);
		close(outfd);
	}
	{
		pid_t pid = fork();

		if (pid == 0) {
			execl(exe, "prog", "--child-exe", log, (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
	is_int(lines_ok(log), 1, "exe: record of a program with a hostile path is valid JSON");
	snprintf(cmd, sizeof cmd, "import json,sys\nprint(json.load(open(sys.argv[1],encoding=\"utf-8\"))[\"exe\"].encode(\"utf-8\").hex())");
	run_python(cmd, log, out, sizeof out);
	{
		char expect[600];
		size_t i, k = 0;

		/* the path as written, with U+FFFD for the invalid byte */
		snprintf(expect, sizeof expect, "%s/we\"ird\\d\xc3\xa9j\xc3\xa0 \xef\xbf\xbd/prog\"'x", tmpdir);
		for (i = 0; expect[i] && k + 3 < sizeof want; i++)
			k += (size_t)snprintf(want + k, sizeof want - k, "%02x", (unsigned char)expect[i]);
		is_str(out, want, "exe: quotes, backslash and non-ASCII escaped and loaded back exactly");
	}
	unlink(exe);
	rmdir(dir);
}

/* ---- flood bound ---- */

static void test_flood(void)
{
	char path[300], out[16384];
	struct ts_attempt a = attempt("loop.example.test", 8443, "self-signed certificate");
	struct ts_attempt b = a;
	int i;

	use_file("flood.jsonl", path, sizeof path);
	capture_stderr();
	for (i = 0; i < 10000; i++)
		ts_audit_attempt(&a, TS_AUDITED, NULL);
	fields(path, "r[\"count\"]", out, sizeof out);
	is_str(out, "1 10 100 1000 10000", "flood: 10000 attempts give 5 records (1, 10, 100, 1000, 10000)");
	ts_audit_flush();
	fields(path, "r[\"count\"]", out, sizeof out);
	is_str(out, "1 10 100 1000 10000", "flood: exit flush adds nothing when the last count was written");

	for (i = 0; i < 2345; i++)
		ts_audit_attempt(&a, TS_AUDITED, NULL);
	ts_audit_flush();
	fields(path, "r[\"count\"]", out, sizeof out);
	is_str(out, "1 10 100 1000 10000 12345", "flood: exit flush writes the final count 12345");
	ts_audit_flush();
	fields(path, "r[\"count\"]", out, sizeof out);
	is_str(out, "1 10 100 1000 10000 12345", "flood: a second flush writes nothing");

	/* other python frames, other decision, other port: other sites */
	use_file("flood2.jsonl", path, sizeof path);
	b.python = "/src/a.py:1 in f";
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	ts_audit_attempt(&b, TS_AUDITED, NULL);
	b.python = "/src/a.py:2 in f";
	ts_audit_attempt(&b, TS_AUDITED, NULL);
	ts_audit_attempt(&a, TS_REFUSED, NULL);
	b = a;
	b.port = 1;
	ts_audit_attempt(&b, TS_AUDITED, NULL);
	b = a;
	b.caller = "other.so(+0x1)";
	ts_audit_attempt(&b, TS_AUDITED, NULL);
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	fields(path, "r[\"count\"]", out, sizeof out);
	is_str(out, "1 1 1 1 1 1", "flood: python frames, decision, port and caller each make a site");

	/* a full table: new sites are still written, bounded */
	use_file("flood3.jsonl", path, sizeof path);
	for (i = 0; i < TS_SITES - 1; i++) {
		char host[32];

		snprintf(host, sizeof host, "t%d", i);
		b = attempt(host, 443, NULL);
		ts_audit_attempt(&b, TS_AUDITED, NULL);
	}
	for (i = 0; i < 5000; i++) {
		char host[32];

		snprintf(host, sizeof host, "u%d", i);
		b = attempt(host, 443, NULL);
		ts_audit_attempt(&b, TS_AUDITED, NULL);
	}
	fields(path, "r[\"count\"]", out, sizeof out);
	is_int(lines_ok(path), TS_SITES - 1 + 100 + 5, "flood: table full: first 100 untracked attempts, then every 1000th");
	ok(strstr(out, "None") != NULL, "flood: untracked records carry count null");
	captured();

	/* human lines carry the count too */
	fake_cfg.log_kind = TS_LOG_DEFAULT;
	reset_state();
	capture_stderr();
	for (i = 0; i < 12; i++)
		ts_audit_attempt(&a, TS_REFUSED, NULL);
	ts_audit_flush();
	{
		char *err = captured();

		ok(strstr(err, expand("(PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE); 10 times)")) != NULL &&
		   strstr(err, "; 12 times)") != NULL, "flood: stderr lines at 1, 10 and the final 12, with counts");
		is_int((long)(strchr(err, 0) - err) > 0 ? 0 : 1, 0, "flood: something on stderr");
		{
			int n = 0;
			const char *p;

			for (p = err; (p = strchr(p, '\n')); p++)
				n++;
			is_int(n, 3, "flood: 3 stderr lines for 12 attempts");
		}
	}
	reset_state();
}

/* ---- reopening ---- */

static void test_reopen(void)
{
	char path[300], other[300], out[256];
	struct ts_attempt a = attempt("reopen.example.test", 443, NULL);
	int fd, old;

	use_file("reopen.jsonl", path, sizeof path);
	snprintf(other, sizeof other, "%s/other", tmpdir);
	a.api = "one";
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	old = log_fd;
	close(old); /* the program closes a descriptor it does not know */
	a.api = "two";
	ts_audit_attempt(&a, TS_AUDITED, NULL);

	/* the program puts another file on that number */
	fd = open(other, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
	dup2(fd, log_fd);
	old = log_fd;
	a.api = "three";
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	fields(path, "r[\"api\"]", out, sizeof out);
	is_str(out, "one two three", "reopen: records continue after close and after dup2 over the descriptor");
	is_str(slurp(other), "", "reopen: nothing written into the program's file");
	ok(fcntl(old, F_GETFD) >= 0, "reopen: the program's descriptor is left open");
	close(old);
	close(fd);
	reset_state();
}

/* ---- failures never block, never kill ---- */

static void test_failures(void)
{
	char path[300];
	struct ts_attempt a = attempt("fail.example.test", 443, NULL);
	char *err;

	/* a FIFO without a reader: open(O_NONBLOCK) fails at once */
	use_file("fifo", path, sizeof path);
	mkfifo(path, 0600);
	alarm(10);
	capture_stderr();
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	a.api = "second";
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	err = captured();
	alarm(0);
	ok(strstr(err, "trustshim: TRUSTSHIM_LOG: ") && strstr(err, "/fifo: no such device or address; records go to stderr instead\n"),
	   "fifo: one notice naming the path and the reason");
	ok(strstr(strstr(err, "instead") + 1, "instead") == NULL, "fifo: the notice is not repeated");
	ok(strstr(err, expand("audit: verification skipped for fail.example.test:443 (PROG, second)")) != NULL,
	   "fifo: each record falls back to a human line");

	/* a directory that does not exist */
	snprintf(path, sizeof path, "%s/no/such/dir/log", tmpdir);
	reset_state();
	capture_stderr();
	ts_audit_attempt(&a, TS_AUDITED, NULL);
	err = captured();
	ok(strstr(err, "/no/such/dir/log: no such file or directory; records go to stderr instead\n") != NULL,
	   "missing directory: notice on stderr");
	reset_state();
}

/* ---- human lines ---- */

struct line_case {
	enum ts_log_kind kind;
	const char *host, *peer, *error, *rule;
	unsigned port;
	enum ts_verdict v;
	const char *want;   /* "" when nothing may be printed */
	const char *why;
};

static const struct line_case line_cases[] = {
	{ TS_LOG_DEFAULT, "127.0.0.1", NULL, "self-signed certificate", NULL, 8443, TS_REFUSED,
	  "trustshim: refused to skip verification for 127.0.0.1:8443 (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE)): self-signed certificate; to allow: TRUSTSHIM_ALLOW=127.0.0.1:8443\n",
	  "refused, with the allowlist entry" },
	{ TS_LOG_DEFAULT, "good.example.test", NULL, NULL, NULL, 443, TS_REFUSED,
	  "trustshim: refused to skip verification for good.example.test:443 (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE)); the certificate verified, connection continues\n",
	  "refused, but the certificate verified" },
	{ TS_LOG_DEFAULT, "::1", NULL, "unable to get local issuer certificate", NULL, 443, TS_REFUSED,
	  "trustshim: refused to skip verification for [::1]:443 (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE)): unable to get local issuer certificate; to allow: TRUSTSHIM_ALLOW=[::1]:443\n",
	  "IPv6 in brackets" },
	{ TS_LOG_DEFAULT, NULL, "10.0.0.1", "expired", NULL, 636, TS_REFUSED,
	  "trustshim: refused to skip verification for 10.0.0.1:636 (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE)): expired; to allow: TRUSTSHIM_ALLOW=10.0.0.1:636\n",
	  "peer address when no host name" },
	{ TS_LOG_DEFAULT, NULL, NULL, "self-signed certificate", NULL, 0, TS_REFUSED,
	  "trustshim: refused to skip verification for unknown host (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE)): self-signed certificate; to allow: TRUSTSHIM_ALLOW=exe=PROG\n",
	  "unknown host suggests exe=" },
	{ TS_LOG_DEFAULT, "a.test", NULL, "hostname mismatch", NULL, 443, TS_AUDITED,
	  "trustshim: audit: verification skipped for a.test:443 (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE)) [would fail: hostname mismatch]\n",
	  "audited, would fail" },
	{ TS_LOG_DEFAULT, "a.test", NULL, NULL, NULL, 443, TS_AUDITED,
	  "trustshim: audit: verification skipped for a.test:443 (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE))\n",
	  "audited, would pass" },
	{ TS_LOG_DEFAULT, "a.test", NULL, "x", "a.test", 443, TS_ALLOWED, "",
	  "allowed: silent by default" },
	{ TS_LOG_STDERR, "a.test", NULL, "x", "*.test", 443, TS_ALLOWED,
	  "trustshim: allowed skipping verification for a.test:443 (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE)) by rule '*.test'\n",
	  "allowed, shown with TRUSTSHIM_LOG=stderr" },
	{ TS_LOG_DEFAULT, "evil\n\033[2Jhost", NULL, "bad\rerror", NULL, 1, TS_AUDITED,
	  "trustshim: audit: verification skipped for evil??[2Jhost:1 (PROG, SSL_CTX_set_verify(SSL_VERIFY_NONE)) [would fail: bad?error]\n",
	  "controls in names cannot forge lines" },
	{ TS_LOG_DEFAULT, "a.test", NULL, NULL, NULL, 0, TS_PASS, "", "mode off: nothing" },
};

static void test_lines(void)
{
	size_t i;

	for (i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
		const struct line_case *c = &line_cases[i];
		struct ts_attempt a = attempt(c->host, c->port, c->error);

		a.peer_ip = c->peer;
		fake_cfg.log_kind = c->kind;
		reset_state();
		capture_stderr();
		ts_audit_attempt(&a, c->v, c->rule);
		is_str(captured(), expand(c->want), "line: %s", c->why);
	}
	fake_cfg.log_kind = TS_LOG_DEFAULT;
	reset_state();
	capture_stderr();
	ts_audit_anchors_loaded("openssl", 3, "/a.pem");
	ts_audit_config_error(NULL, "TRUSTSHIM_CA", "/path/x.pem", "no such file or directory");
	is_str(captured(), "trustshim: TRUSTSHIM_CA: /path/x.pem: no such file or directory\n",
	       "line: config error on stderr; anchors record silent there");
	reset_state();
}

/* ---- syslog ---- */

static void test_syslog(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ts_attempt a = attempt("sys.example.test", 443, "self-signed certificate");
	char msg[4096];
	ssize_t n;
	int s;
	struct timeval tv = { 5, 0 };

	if (access("/dev/log", F_OK) == 0 || geteuid() != 0) {
		printf("ok %d - # SKIP syslog: /dev/log belongs to a running syslog daemon or we are not root\n", ++tap_n);
		return;
	}
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(sun.sun_path, sizeof sun.sun_path, "/dev/log");
	if (s < 0 || bind(s, (struct sockaddr *)&sun, sizeof sun) != 0) {
		printf("ok %d - # SKIP syslog: cannot bind a reader on /dev/log\n", ++tap_n);
		return;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	fake_cfg.log_kind = TS_LOG_SYSLOG;
	reset_state();
	capture_stderr();
	ts_audit_attempt(&a, TS_REFUSED, NULL);
	n = recv(s, msg, sizeof msg - 1, 0);
	msg[n > 0 ? n : 0] = 0;
	ok(strstr(captured(), "refused to skip verification for sys.example.test:443") != NULL,
	   "syslog: a failing refusal is on stderr too");
	ok(strstr(msg, "<12>") == msg, "syslog: facility user, priority warning (<12>): %.4s", msg);
	ok(strstr(msg, expand("trustshim: refused to skip verification for sys.example.test:443 (PROG, ")) != NULL,
	   "syslog: the human line is the message");
	ok(strchr(msg, '\n') == NULL, "syslog: no newline in the message");
	closelog();
	close(s);
	unlink("/dev/log");
	reset_state();
}

/* ---- small helpers ---- */

static int local_function(void)
{
	return 1;
}

static void test_describe(void)
{
	char buf[256];
	void *w = dlsym(RTLD_DEFAULT, "write");

	ts_describe_addr(w, buf, sizeof buf);
	/* under ASan, libasan.so interposes write() */
	ok((strncmp(buf, "libc.so.6(", 10) == 0 || strncmp(buf, "libasan.so", 10) == 0) &&
	   strstr(buf, "+0x0)") != NULL, "describe: a library symbol: %s", buf);
	ts_describe_addr((const char *)w + 5, buf, sizeof buf);
	ok(strstr(buf, "+0x5)") != NULL, "describe: offset into a symbol: %s", buf);
	ts_describe_addr((void *)local_function, buf, sizeof buf);
	ok(strncmp(buf, expand("PROG("), strlen(prog_name()) + 1) == 0, "describe: the program's own code names the program: %s", buf);
	ts_describe_addr(NULL, buf, sizeof buf);
	is_str(buf, "unknown", "describe: NULL is unknown");
	ts_describe_addr((void *)16, buf, sizeof buf);
	is_str(buf, "unknown", "describe: an unmapped address is unknown");
	ts_describe_addr(w, buf, 8);
	ok(strlen(buf) == 7, "describe: truncated to cap");
	ok(ts_exe()[0] == '/' && strstr(ts_exe(), "test_audit") != NULL, "exe: absolute path of the program: %s", ts_exe());
}

static void test_pow10(void)
{
	static const unsigned long yes[] = { 1, 10, 100, 1000, 10000, 1000000000UL };
	static const unsigned long no[] = { 0, 2, 11, 20, 101, 110, 1001, 9999, 20000 };
	size_t i;
	int good = 1;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		good &= is_pow10(yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		good &= !is_pow10(no[i]);
	ok(good, "flood: powers of ten recognised, others not");
}

int main(int argc, char **argv)
{
	const char *t = getenv("TMPDIR");

	if (argc == 3 && strcmp(argv[1], "--child-exe") == 0)
		return child_exe_main(argv[2]);
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(tmpdir, sizeof tmpdir, "%s/test_audit.XXXXXX", t && *t ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_escape();
	test_pow10();
	test_describe();
	test_file_records();
	test_long_fields();
	test_concurrent();
	test_fork_resets();
	test_exe_escaping();
	test_flood();
	test_reopen();
	test_failures();
	test_lines();
	test_syslog();
	fake_cfg.log_kind = TS_LOG_DEFAULT;
	reset_state();
	{
		char cmd[400];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (!tap_failed && system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
	}
	return done_testing();
}
