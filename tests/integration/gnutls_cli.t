#!/usr/bin/env bash
# gnutls-cli replaces its credentials' trust with gnutls_certificate_set_trust_list
# and verifies in a credentials verify function; --insecure makes that
# function accept anything.  -r resumes, and a resumed handshake runs no
# verify function at all.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server untrusted "$TS_PKI/other.pem" "$TS_PKI/other.key"
https_server wrong "$TS_PKI/wrong.pem" "$TS_PKI/wrong.key"
G=$PORT_good U=$PORT_untrusted W=$PORT_wrong
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem
LOG=$TMP/log.jsonl
cli() { gnutls-cli "$@" </dev/null; }
export -f cli

fails "gnutls-cli to a private-CA host fails without the shim" noshim bash -c "cli --port $G 127.0.0.1"
OUT=$(shim "$CA" -- bash -c "cli --port $G 127.0.0.1" 2>&1); ok $? "gnutls-cli verifies with TRUSTSHIM_CA (set_trust_list, then system trust)"
contains "$OUT" "Handshake was completed" "...handshake completed"
lacks "$OUT" "trustshim:" "...no trustshim line"
pass "by name too" shim "$CA" -- bash -c "cli --port $G localhost"
pass "gnutls-cli --x509cafile still works" shim -- bash -c "cli --x509cafile $TS_PKI/ca.pem --port $G 127.0.0.1"
OUT=$(shim "$CA" -- bash -c "cli --port $W localhost" 2>&1); [ $? -ne 0 ]; ok $? "a trusted certificate for another name fails as before"
lacks "$OUT" "trustshim:" "...and gnutls-cli refused it itself: no trustshim line"

pass "without the shim --insecure reaches an untrusted host" noshim bash -c "cli --insecure --port $U 127.0.0.1"
OUT=$(shim TRUSTSHIM_LOG="$LOG" -- bash -c "cli --insecure --port $U 127.0.0.1" 2>&1); [ $? -ne 0 ]; ok $? "--insecure to an untrusted host: refused"
contains "$OUT" "trustshim: refused to skip verification for 127\.0\.0\.1:$U \(gnutls-cli, gnutls_certificate_set_verify_function" "the line names the callback"
REC=$(grep "\"port\":$U," "$LOG" | head -n 1)
contains "$REC" '"lib":"gnutls".*"host":"127\.0\.0\.1".*"host_source":"peer".*"api":"gnutls_certificate_set_verify_function \(callback accepted a certificate that fails verification\)".*"caller":"gnutls-cli.*"decision":"refused"' "record fields"
OUT=$(shim "$CA" -- bash -c "cli --insecure --port $W localhost" 2>&1); [ $? -ne 0 ]; ok $? "--insecure to a trusted certificate for another name: refused"
contains "$OUT" "for localhost:$W .*does not match the host name" "...host from SNI"
OUT=$(shim "$CA" -- bash -c "cli --insecure --port $G localhost" 2>&1); ok $? "--insecure to a host that verifies works"
lacks "$OUT" "trustshim:" "...without a line"
pass "the allowlist lets --insecure through" shim TRUSTSHIM_ALLOW="127.0.0.1:$U" -- bash -c "cli --insecure --port $U 127.0.0.1"

# Resumption (-r): TLS 1.3 and 1.2.
for prio in NORMAL "NORMAL:-VERS-ALL:+VERS-TLS1.2"; do
	OUT=$(shim "$CA" -- bash -c "cli -r --priority '$prio' --port $G localhost" 2>&1); ok $? "$prio: -r with a certificate that verifies"
	contains "$OUT" "This is a resumed session" "$prio: ...the session is resumed"
	lacks "$OUT" "trustshim:" "$prio: ...no trustshim line"
	OUT=$(shim TRUSTSHIM_ALLOW="127.0.0.1:$U" TRUSTSHIM_LOG="$LOG.$prio" -- bash -c "cli -r --insecure --priority '$prio' --port $U 127.0.0.1" 2>&1); ok $? "$prio: -r --insecure allowlisted"
	contains "$OUT" "This is a resumed session" "$prio: ...resumed"
	contains "$(cat "$LOG.$prio")" '"api":"session resumption \(no verify function runs on a resumed handshake\)".*"decision":"allowed"' "$prio: the resumed handshake was checked again"
done
done_testing
