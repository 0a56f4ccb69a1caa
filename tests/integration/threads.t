#!/usr/bin/env bash
# 16 threads x 25 handshakes, a context created and freed for each, all
# verifying through the injected anchor at once.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
C=$TS_ROOT/build/clients/ossl_client
T=120 pass "16x25 verified handshakes with the anchor" shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- $C --threads 16 --count 25 --default-paths --check-host localhost 127.0.0.1 "$PORT_good"
contains "$OUT" "400 handshakes ok" "all 400 succeeded"
T=120 fails "without the anchor every one fails" shim -- $C --threads 4 --count 5 --default-paths 127.0.0.1 "$PORT_good"
contains "$OUT" "20 of 20 handshakes failed" "all 20 failed"
done_testing
