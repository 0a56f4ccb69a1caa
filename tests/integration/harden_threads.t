#!/usr/bin/env bash
# 32 threads x 100 handshakes, contexts created and freed concurrently, in
# the ways programs switch verification (tests/clients/harden_threads.c),
# with a refused attempt in every fifth thread; then OpenSSL and GnuTLS
# threads mixed in one process.
#
# GnuTLS: until the shim has a GnuTLS backend, the GnuTLS threads trust the
# test CA themselves (--gnutls-ca), which still runs both libraries at once
# under the shim.  When the backend is there (its hooks are exported), they
# rely on the anchor alone: nothing to switch on by hand.
. "$(dirname "$0")/../lib/common.sh"
s_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server other "$TS_PKI/other.pem" "$TS_PKI/other.key"
H=$TS_ROOT/build/clients/harden_threads
LOG=$TMP/threads.jsonl

T=180 pass "32 threads x 100 handshakes (OpenSSL), contexts made and freed concurrently" \
	shim TRUSTSHIM_CA="$TS_PKI/ca.pem" TRUSTSHIM_LOG="$LOG" -- "$H" --threads 32 --count 100 --bad-port "$PORT_other" "$PORT_good"
contains "$OUT" "openssl: 32 threads x 100: 2600 ok, 600 refused as expected, 0 unexpected" "2600 verified through the anchor, 600 refused skips failed"
valid=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["event"]))' "$LOG" 2>&1)
[ "$valid" = "$(wc -l < "$LOG")" ]; ok $? "the log is whole JSON lines ($valid records; repeats bounded)"
diag "figure: threads x handshakes: 32 x 100 OpenSSL"

lib=${TS_LIB##* }
if nm -D --defined-only "$lib" 2>/dev/null | grep -q ' T gnutls_'; then
	T=180 pass "16 OpenSSL + 16 GnuTLS threads x 100, GnuTLS trusting the anchor only" \
		shim TRUSTSHIM_CA="$TS_PKI/ca.pem" TRUSTSHIM_LOG="$LOG" -- "$H" --threads 16 --gnutls-threads 16 --count 100 --bad-port "$PORT_other" "$PORT_good"
	contains "$OUT" "gnutls: 16 threads x 100: 1600 ok, 0 failed" "1600 GnuTLS handshakes through the anchor"
	diag "figure: threads x handshakes: 16 OpenSSL + 16 GnuTLS x 100 (anchor only)"
else
	skip "GnuTLS threads on the anchor alone: the shim has no GnuTLS backend yet"
	T=180 pass "16 OpenSSL + 16 GnuTLS threads x 50 in one process (GnuTLS trusts the CA itself)" \
		shim TRUSTSHIM_CA="$TS_PKI/ca.pem" TRUSTSHIM_LOG="$LOG" -- "$H" --threads 16 --gnutls-threads 16 --gnutls-ca "$TS_PKI/ca.pem" --count 50 --bad-port "$PORT_other" "$PORT_good"
	contains "$OUT" "gnutls: 16 threads x 50: 800 ok, 0 failed" "800 GnuTLS handshakes beside 800 OpenSSL ones"
	diag "figure: threads x handshakes: 16 OpenSSL + 16 GnuTLS x 50 (GnuTLS with its own trust)"
fi
done_testing
