#!/usr/bin/env bash
# git over https (git-remote-https links libcurl-gnutls on Debian): trust
# from TRUSTSHIM_CA even though libcurl loads only its CA file
# (GIT_SSL_CAINFO or the built-in bundle); http.sslVerify=false and
# GIT_SSL_NO_VERIFY are refused at the handshake unless allowlisted.
. "$(dirname "$0")/../lib/common.sh"
"$TS_ROOT/tests/lib/git_https_repo.sh" "$TMP/srv"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key" --root "$TMP/srv"
https_server untrusted "$TS_PKI/other.pem" "$TS_PKI/other.key" --root "$TMP/srv"
https_server wrong "$TS_PKI/wrong.pem" "$TS_PKI/wrong.key" --root "$TMP/srv"
G=$PORT_good U=$PORT_untrusted W=$PORT_wrong
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem
LOG=$TMP/log.jsonl
export HOME=$TMP GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
n=0
# clone RUNNER... URL: runs the clone into a fresh directory, $TMP/c$n.
clone() { "$@" "$TMP/c$n"; }

OUT=$(noshim git clone -q "https://127.0.0.1:$G/repo.git" "$TMP/c0" 2>&1); [ $? -ne 0 ]; ok $? "git clone from a private-CA host fails without the shim"
n=$((n + 1)); OUT=$(clone shim "$CA" -- git clone -q "https://127.0.0.1:$G/repo.git" 2>&1); ok $? "git clone works with TRUSTSHIM_CA"; [ -s "$TMP/c$n/f" ] || diag "$OUT"
[ "$(cat "$TMP/c$n/f" 2>/dev/null)" = hello ]; ok $? "...and the work tree is checked out"
lacks "$OUT" "trustshim:" "a verifying git: no trustshim line"
n=$((n + 1)); OUT=$(clone shim "$CA" GIT_SSL_CAINFO=/etc/ssl/certs/ca-certificates.crt -- git clone -q "https://127.0.0.1:$G/repo.git" 2>&1); ok $? "...also with GIT_SSL_CAINFO set to the system bundle"
n=$((n + 1)); OUT=$(clone shim "$CA" -- git clone -q "https://localhost:$G/repo.git" 2>&1); ok $? "...and by name (SNI)"

n=$((n + 1)); OUT=$(clone noshim git -c http.sslVerify=false clone -q "https://127.0.0.1:$U/repo.git" 2>&1); ok $? "without the shim http.sslVerify=false clones from an untrusted host"
n=$((n + 1)); OUT=$(clone shim TRUSTSHIM_LOG="$LOG" -- git -c http.sslVerify=false clone -q "https://127.0.0.1:$U/repo.git" 2>&1); s=$?
[ $s -ne 0 ]; ok $? "http.sslVerify=false to an untrusted host: refused"
contains "$OUT" "trustshim: refused to skip verification for 127\.0\.0\.1:$U" "one line says why"
REC=$(grep "\"port\":$U," "$LOG" | head -n 1)
contains "$REC" '"lib":"gnutls"' "record: lib gnutls"
contains "$REC" '"decision":"refused"' "record: refused"
contains "$REC" '"host":"127\.0\.0\.1","port":'"$U"',"host_source":"peer"' "record: host and port from the socket libcurl read (custom pull function)"
contains "$REC" '"caller":"libcurl-gnutls\.so\.4' "record: caller is libcurl-gnutls"
contains "$REC" '"exe":"[^"]*git-remote-http' "record: exe is git's https helper"
n=$((n + 1)); OUT=$(clone shim GIT_SSL_NO_VERIFY=1 -- git clone -q "https://127.0.0.1:$U/repo.git" 2>&1); s=$?
[ $s -ne 0 ]; ok $? "GIT_SSL_NO_VERIFY=1 to an untrusted host: refused"
contains "$OUT" "trustshim: refused" "GIT_SSL_NO_VERIFY: trustshim line"
n=$((n + 1)); OUT=$(clone shim "$CA" -- git -c http.sslVerify=false clone -q "https://127.0.0.1:$W/repo.git" 2>&1); s=$?
[ $s -ne 0 ]; ok $? "http.sslVerify=false to an IP literal with a trusted certificate for another name: refused"
contains "$OUT" "does not match the host name" "...because the name does not match the peer address"
n=$((n + 1)); OUT=$(clone shim "$CA" -- git -c http.sslVerify=false clone -q "https://127.0.0.1:$G/repo.git" 2>&1); ok $? "http.sslVerify=false to a host that verifies works"
n=$((n + 1)); OUT=$(clone shim TRUSTSHIM_ALLOW="127.0.0.1:$U" TRUSTSHIM_LOG=stderr -- git -c http.sslVerify=false clone -q "https://127.0.0.1:$U/repo.git" 2>&1); ok $? "the allowlist lets http.sslVerify=false through"
contains "$OUT" "allowed skipping verification for 127\.0\.0\.1:$U" "...and says so"
done_testing
