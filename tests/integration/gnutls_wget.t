#!/usr/bin/env bash
# wget (GnuTLS): trust from TRUSTSHIM_CA on top of the system trust wget
# loads; --no-check-certificate, which only turns wget's post-handshake check
# into a warning, is refused at the handshake unless allowlisted.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server untrusted "$TS_PKI/other.pem" "$TS_PKI/other.key"
https_server wrong "$TS_PKI/wrong.pem" "$TS_PKI/wrong.key"
G=$PORT_good U=$PORT_untrusted W=$PORT_wrong
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem
LOG=$TMP/log.jsonl
export HOME=$TMP
wg() { wget --no-config --no-hsts -t 1 -T 10 -q -O- "$@"; }
export -f wg

fails "wget to a private-CA host fails without the shim" noshim bash -c "wg https://127.0.0.1:$G/"
fails "...and under the shim without TRUSTSHIM_CA" shim -- bash -c "wg https://127.0.0.1:$G/"
OUT=$(shim "$CA" -- bash -c "wg https://127.0.0.1:$G/" 2>&1); ok $? "wget works with TRUSTSHIM_CA"
contains "$OUT" "hello from trustshim" "wget got the body"
lacks "$OUT" "trustshim:" "a verifying wget that succeeds: no trustshim line"
pass "wget works with TRUSTSHIM_CA_PEM" shim TRUSTSHIM_CA_PEM="$(cat "$TS_PKI/ca.pem")" -- bash -c "wg https://127.0.0.1:$G/"
pass "wget --ca-certificate still works under the shim" shim -- bash -c "wg --ca-certificate=$TS_PKI/ca.pem https://127.0.0.1:$G/"

pass "without the shim --no-check-certificate reaches an untrusted host" noshim bash -c "wg --no-check-certificate https://127.0.0.1:$U/"
OUT=$(shim TRUSTSHIM_LOG="$LOG" -- bash -c "wg --no-check-certificate https://127.0.0.1:$U/" 2>&1); s=$?
[ $s -ne 0 ]; ok $? "--no-check-certificate to an untrusted host: refused"
lacks "$OUT" "hello from trustshim" "no body was fetched"
contains "$OUT" "trustshim: refused to skip verification for 127\.0\.0\.1:$U" "a refusal is always shown on stderr"
REC=$(grep "\"port\":$U," "$LOG")
contains "$REC" '"event":"skip_verification"' "record: event"
contains "$REC" '"lib":"gnutls"' "record: lib gnutls"
contains "$REC" '"decision":"refused"' "record: decision refused"
contains "$REC" '"host":"127\.0\.0\.1"' "record: host"
contains "$REC" '"host_source":"peer"' "record: an IP literal comes from the peer address (wget sends no SNI for it)"
contains "$REC" '"api":"handshake without a verify function' "record: api names what was observed"
contains "$REC" '"caller":"wget' "record: caller is wget's code"
contains "$REC" '"error":"the certificate issuer is unknown"' "record: error"
contains "$REC" '"exe":"[^"]*/wget"' "record: exe"

OUT=$(shim "$CA" -- bash -c "wg --no-check-certificate https://127.0.0.1:$W/" 2>&1); s=$?
[ $s -ne 0 ]; ok $? "--no-check-certificate to a trusted certificate for another name: refused"
contains "$OUT" "does not match the host name" "the line says the name does not match"
OUT=$(shim "$CA" -- bash -c "wg --no-check-certificate https://localhost:$W/" 2>&1); s=$?
[ $s -ne 0 ]; ok $? "...also by name (SNI localhost)"
contains "$OUT" "for localhost:$W" "the line names the host wget asked for"
pass "--no-check-certificate to a host that verifies works" shim "$CA" -- bash -c "wg --no-check-certificate https://localhost:$G/"

OUT=$(shim TRUSTSHIM_ALLOW="127.0.0.1:$U" TRUSTSHIM_LOG="$LOG" -- bash -c "wg --no-check-certificate https://127.0.0.1:$U/" 2>&1); ok $? "the allowlist lets --no-check-certificate through"
contains "$OUT" "hello from trustshim" "and the body arrives"
contains "$(tail -n 1 "$LOG")" '"decision":"allowed".*"rule":"127\.0\.0\.1:'"$U"'"' "record: allowed, with the rule"
pass "allowlisted wrong name too" shim "$CA" TRUSTSHIM_ALLOW="exe=wget" -- bash -c "wg --no-check-certificate https://127.0.0.1:$W/"
OUT=$(shim TRUSTSHIM_MODE=audit -- bash -c "wg --no-check-certificate https://127.0.0.1:$U/" 2>&1); ok $? "audit mode honours --no-check-certificate"
contains "$OUT" "trustshim: audit: verification skipped for 127\.0\.0\.1:$U" "...and reports it"
pass "TRUSTSHIM_MODE=off: untouched" shim TRUSTSHIM_MODE=off -- bash -c "wg --no-check-certificate https://127.0.0.1:$U/"
done_testing
