#!/usr/bin/env bash
# libcurl-gnutls loaded by Python ctypes (dlopen RTLD_LOCAL: libgnutls is
# invisible to RTLD_NEXT and RTLD_DEFAULT finds the shim's own hooks): trust,
# refusal and no crash.  Then OpenSSL and GnuTLS in one process.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server untrusted "$TS_PKI/other.pem" "$TS_PKI/other.key"
G=$PORT_good U=$PORT_untrusted
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem
X="$PY $TS_ROOT/tests/lib/gnutls_curl_ctypes.py"
LOG=$TMP/log.jsonl

pass "without the shim, VERIFYPEER=0 reaches an untrusted host" noshim $X --noverify "https://127.0.0.1:$U/"
OUT=$(shim TRUSTSHIM_LOG="$LOG" -- $X --noverify "https://127.0.0.1:$U/" 2>&1); s=$?
[ $s -eq 35 ]; ok $? "with the shim VERIFYPEER=0 is refused (CURLE_SSL_CONNECT_ERROR, got $s: no crash)"
contains "$OUT" "trustshim: refused to skip verification for 127\.0\.0\.1:$U" "one line says why"
contains "$(cat "$LOG")" '"lib":"gnutls".*"caller":"libcurl-gnutls\.so\.4.*"decision":"refused"' "record names libcurl-gnutls"
OUT=$(shim "$CA" -- $X "https://127.0.0.1:$G/" 2>&1); ok $? "verifying through ctypes works with the anchor"
contains "$OUT" "hello from trustshim" "...body"
lacks "$OUT" "trustshim:" "...no line"
fails "...and fails without it" shim -- $X "https://127.0.0.1:$G/"
pass "VERIFYPEER=0 to a host that verifies works" shim "$CA" -- $X --noverify "https://127.0.0.1:$G/"
pass "allowlisted" shim TRUSTSHIM_ALLOW="127.0.0.1:$U" -- $X --noverify "https://127.0.0.1:$U/"

OUT=$(shim "$CA" -- $X --with-openssl "https://127.0.0.1:$G/" 2>&1); ok $? "OpenSSL (python ssl) and GnuTLS (libcurl-gnutls) in one process: both verify with the anchor"
contains "$OUT" "openssl: hello from trustshim" "...OpenSSL fetched"
contains "$OUT" "^hello from trustshim" "...GnuTLS fetched"
OUT=$(shim "$CA" TRUSTSHIM_LOG="$LOG.both" -- $X --with-openssl --noverify "https://127.0.0.1:$G/" 2>&1); ok $? "both loaded, VERIFYPEER=0 to a good host"
contains "$(cat "$LOG.both")" '"event":"anchors_loaded".*"lib":"gnutls"' "the GnuTLS backend loaded the anchors"
done_testing
