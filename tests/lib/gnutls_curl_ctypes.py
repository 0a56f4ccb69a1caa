#!/usr/bin/env python3
"""libcurl-gnutls loaded by ctypes (dlopen RTLD_LOCAL, so libgnutls is only
reachable through an RTLD_NOLOAD handle): one GET.

    gnutls_curl_ctypes.py [--noverify] [--noverifyhost] [--with-openssl] URL

--with-openssl first fetches URL with urllib (Python's _ssl: OpenSSL, also
RTLD_LOCAL), verifying, so that both libraries are loaded and used.

Exits with libcurl's CURLcode (0: the GET worked)."""
import ctypes, sys

CURLOPT_URL = 10002
CURLOPT_SSL_VERIFYPEER = 64
CURLOPT_SSL_VERIFYHOST = 81
CURLOPT_TIMEOUT = 13
CURLOPT_NOSIGNAL = 99

args = sys.argv[1:]
noverify = "--noverify" in args
noverifyhost = "--noverifyhost" in args
url = [a for a in args if not a.startswith("--")][0]

if "--with-openssl" in args:
    import ssl, urllib.request
    body = urllib.request.urlopen(url, context=ssl.create_default_context(), timeout=10).read()
    print("openssl:", body.decode().strip())

curl = ctypes.CDLL("libcurl-gnutls.so.4")  # mode defaults to RTLD_LOCAL
curl.curl_easy_init.restype = ctypes.c_void_p
curl.curl_easy_setopt.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
curl.curl_easy_perform.argtypes = [ctypes.c_void_p]
curl.curl_easy_strerror.restype = ctypes.c_char_p
curl.curl_global_init(3)
h = curl.curl_easy_init()
curl.curl_easy_setopt(h, CURLOPT_URL, ctypes.c_char_p(url.encode()))
curl.curl_easy_setopt(h, CURLOPT_TIMEOUT, ctypes.c_void_p(10))
curl.curl_easy_setopt(h, CURLOPT_NOSIGNAL, ctypes.c_void_p(1))
if noverify:
    curl.curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, ctypes.c_void_p(0))
if noverify or noverifyhost:
    curl.curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, ctypes.c_void_p(0))
rc = curl.curl_easy_perform(h)
sys.stdout.flush()
if rc:
    print("curl: (%d) %s" % (rc, curl.curl_easy_strerror(rc).decode()), file=sys.stderr)
sys.exit(rc)
