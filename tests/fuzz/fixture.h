/* A directory of CA files for the targets that read paths: made once per
 * process under $TMPDIR, removed at exit, and made the working directory so
 * that relative TRUSTSHIM_CA entries ("ca.pem:dir:missing") find it.
 * Holds: ca.pem (one certificate, valid until 2126), two.pem (it twice),
 * ca.der, key.pem, junk, empty, dir/ (ca.pem and a README), nocerts/ and a
 * FIFO (never opened: the loader stats first). */
#ifndef TS_FUZZ_FIXTURE_H
#define TS_FUZZ_FIXTURE_H

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

static const char fixture_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBmjCCAT+gAwIBAgIUHyTKtjrhk6ufWYMhnamgALGVw8owCgYIKoZIzj0EAwIw\n"
	"ITEfMB0GA1UEAwwWdHJ1c3RzaGltLWZ1enotZml4dHVyZTAgFw0yNjExMjkxMjE4\n"
	"MTFaGA8yMTI2MTEwNTEyMTgxMVowITEfMB0GA1UEAwwWdHJ1c3RzaGltLWZ1enot\n"
	"Zml4dHVyZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABAYw4OuqZGgjjGHpToJ9\n"
	"FWuM2OvDF3KMBwU5ib5mim6bQWJxfnYWxrm3QVyYl9bgpU7m27RgD5fdhOpUKE0B\n"
	"MEyjUzBRMB0GA1UdDgQWBBQjZDX14GNMX7iewKZhbyGjN9VxXDAfBgNVHSMEGDAW\n"
	"gBQjZDX14GNMX7iewKZhbyGjN9VxXDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\n"
	"BAMCA0kAMEYCIQD8JCIQO4mLd8R42W7DBmfqpZY/l/qKzs+PU6qeX0ckXwIhANxa\n"
	"Uo5OdmLiLfMldDxFK4nGyrFBs30s7WrRqIQN0lL7\n"
	"-----END CERTIFICATE-----\n";

static char fixture_dir[256];

static void fixture_put(const char *name, const void *data, size_t len)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

static int fixture_rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static void fixture_cleanup(void)
{
	if (fixture_dir[0] && chdir("/") == 0)
		nftw(fixture_dir, fixture_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* The DER of fixture_pem, decoded by the code under test's neighbour would
 * be circular: a few lines of base64 here instead. */
static size_t fixture_der(unsigned char *out)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(fixture_pem, '\n') + 1, *end = strstr(fixture_pem, "-----END");
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0;

	for (; p < end; p++) {
		const char *v = strchr(tbl, *p);
		if (*p == '\n' || *p == '=' || v == NULL)
			continue;
		acc = (acc << 6) | (unsigned)(v - tbl);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

static void fixture_make(void)
{
	const char *tmp = getenv("TMPDIR");
	unsigned char der[1024];
	size_t dl;

	snprintf(fixture_dir, sizeof(fixture_dir), "%s/ts-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(fixture_dir) == NULL || chdir(fixture_dir) != 0)
		abort();
	atexit(fixture_cleanup);
	fixture_put("ca.pem", fixture_pem, sizeof(fixture_pem) - 1);
	fixture_put("two.pem", fixture_pem, sizeof(fixture_pem) - 1);
	{
		int fd = open("two.pem", O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0 || write(fd, fixture_pem, sizeof(fixture_pem) - 1) < 0)
			abort();
		close(fd);
	}
	dl = fixture_der(der);
	fixture_put("ca.der", der, dl);
	fixture_put("key.pem", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n", 79);
	fixture_put("junk", "\x00\x01garbage\xff", 11);
	fixture_put("empty", "", 0);
	if (mkdir("dir", 0755) != 0 || mkdir("nocerts", 0755) != 0 || mkfifo("fifo", 0600) != 0)
		abort();
	fixture_put("dir/ca.pem", fixture_pem, sizeof(fixture_pem) - 1);
	fixture_put("dir/README", "not a certificate\n", 18);
	fixture_put("nocerts/README", "not a certificate\n", 18);
}

#endif
