#!/usr/bin/env bash
# OpenSSL and GnuTLS in one process, threads on both at once (the 32 x 100
# load is harden_threads.t): the anchors serve both, and with verification
# switched off in both libraries against an untrusted server every handshake
# is refused and recorded with its library.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server u "$TS_PKI/other.pem" "$TS_PKI/other.key"
M=$TS_ROOT/build/clients/mixed_threads
T=120 pass "8 threads x 20 handshakes, OpenSSL and GnuTLS mixed, all verify with the anchor" \
	shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- $M 8 20 "$PORT_good"
contains "$OUT" "^160 ok, 0 failed" "160 handshakes succeeded"
fails "without the anchor every one fails" shim -- $M 8 5 "$PORT_good"
contains "$OUT" "^0 ok, 40 failed" "all 40 failed"
T=120 fails "verification off in both libraries, untrusted server: every handshake refused" \
	shim TRUSTSHIM_LOG="$TMP/log" -- $M 8 10 "$PORT_u" --insecure
contains "$OUT" "^0 ok, 80 failed" "all 80 refused"
contains "$(cat "$TMP/log")" '"lib":"openssl".*"decision":"refused"' "OpenSSL refusals recorded"
contains "$(cat "$TMP/log")" '"lib":"gnutls".*"decision":"refused"' "GnuTLS refusals recorded"
done_testing
