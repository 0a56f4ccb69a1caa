#!/usr/bin/env bash
# OpenSSL and GnuTLS in one process: 32 threads x 100 handshakes, half of the
# threads on each library, contexts and credentials created and freed for
# each, all trusting the test CA through the shim's anchors; then the same
# with verification switched off against an untrusted server: all refused.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server u "$TS_PKI/other.pem" "$TS_PKI/other.key"
M=$TS_ROOT/build/clients/mixed_threads
T=300 pass "32 threads x 100 handshakes, OpenSSL and GnuTLS mixed, all verify with the anchor" \
	shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- $M 32 100 "$PORT_good"
contains "$OUT" "^3200 ok, 0 failed" "3200 handshakes succeeded"
fails "without the anchor every one fails" shim -- $M 8 5 "$PORT_good"
contains "$OUT" "^0 ok, 40 failed" "all 40 failed"
T=120 fails "verification off in both libraries, untrusted server: every handshake refused" \
	shim TRUSTSHIM_LOG="$TMP/log" -- $M 8 10 "$PORT_u" --insecure
contains "$OUT" "^0 ok, 80 failed" "all 80 refused"
contains "$(cat "$TMP/log")" '"lib":"openssl".*"decision":"refused"' "OpenSSL refusals recorded"
contains "$(cat "$TMP/log")" '"lib":"gnutls".*"decision":"refused"' "GnuTLS refusals recorded"
done_testing
