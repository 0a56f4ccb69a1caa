#!/usr/bin/env bash
# The bundle cache under threads and fork: threads creating default contexts
# at once all get complete stores; children forked while another thread
# loads never hang (pthread_atfork keeps the cache's lock out of the child;
# the window is narrow, so this is a smoke test, not a proof); verified
# handshakes from many threads still pass.
. "$(dirname "$0")/../lib/common.sh"
CHECK=$TS_ROOT/build/clients/cache_check
for src in default "$TS_PKI/ca.pem"; do
	T=120 pass "$src: 16 threads x 20 contexts at once" shim -- "$CHECK" threads 16 20 "$src"
	contains "$OUT" "^0 of 320 contexts bad" "$src: every store holds every certificate"
done
# Forks: a CA file only.  The child of a threaded parent inherits OpenSSL's
# own global locks too; set_default_verify_paths takes more of them, and its
# children hang now and then with or without the shim.
T=120 pass "100 forks while a thread loads" shim -- "$CHECK" fork 100 "$TS_PKI/ca.pem"
contains "$OUT" "0 hung, 0 failed" "no child hung or failed"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
T=120 pass "8x25 verified handshakes through SSL_CERT_FILE, a default context each" \
	shim SSL_CERT_FILE="$TS_PKI/ca.pem" -- "$TS_ROOT/build/clients/ossl_client" --threads 8 --count 25 --default-paths --check-host localhost 127.0.0.1 "$PORT_good"
contains "$OUT" "200 handshakes ok" "all 200 succeeded"
done_testing
