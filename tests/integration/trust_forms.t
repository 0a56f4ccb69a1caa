#!/usr/bin/env bash
# TRUSTSHIM_CA as a PEM file, a DER file, a bundle, a directory, a list, and
# TRUSTSHIM_CA_PEM inline; a self-signed server certificate as its own anchor
# reached by IP literal; and certificates that must still fail.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server self "$TS_PKI/self.pem" "$TS_PKI/self.key"
https_server wrong "$TS_PKI/wrong.pem" "$TS_PKI/wrong.key"
https_server expired "$TS_PKI/expired.pem" "$TS_PKI/expired.key"
https_server other "$TS_PKI/other.pem" "$TS_PKI/other.key"
GET="$PY $TS_ROOT/tests/lib/get.py"

for form in "$TS_PKI/ca.pem" "$TS_PKI/ca.der" "$TS_PKI/bundle.pem" "$TS_PKI/cadir" "/nonexistent-dir:$TS_PKI/ca.pem" "$TS_PKI/other-ca.pem:$TS_PKI/cadir"; do
	pass "curl with TRUSTSHIM_CA=$form" shim TRUSTSHIM_CA="$form" -- curl -sS --max-time 10 "https://127.0.0.1:$PORT_good/"
	pass "requests with TRUSTSHIM_CA=$form" shim TRUSTSHIM_CA="$form" -- $GET requests https://127.0.0.1:$PORT_good/
done
pass "curl with TRUSTSHIM_CA_PEM inline" shim TRUSTSHIM_CA_PEM="$(cat "$TS_PKI/ca.pem")" -- curl -sS --max-time 10 "https://127.0.0.1:$PORT_good/"
pass "requests with TRUSTSHIM_CA_PEM inline" shim TRUSTSHIM_CA_PEM="$(cat "$TS_PKI/ca.pem")" -- $GET requests https://127.0.0.1:$PORT_good/

# The everyday https://IP:PORT case: the server's own self-signed certificate.
fails "self-signed by IP fails without the shim" noshim curl -sS --max-time 10 "https://127.0.0.1:$PORT_self/"
pass "self-signed by IP: curl" shim TRUSTSHIM_CA="$TS_PKI/self.pem" -- curl -sS --max-time 10 "https://127.0.0.1:$PORT_self/"
pass "self-signed by IP: requests" shim TRUSTSHIM_CA="$TS_PKI/self.pem" -- $GET requests https://127.0.0.1:$PORT_self/

# Still failing with the CA trusted.
for srv in wrong expired other; do
	p=PORT_$srv
	fails "curl: $srv certificate still fails" shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- curl -sS --max-time 10 "https://127.0.0.1:${!p}/"
	fails "requests: $srv certificate still fails" shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- $GET requests https://127.0.0.1:${!p}/
	fails "s_client: $srv certificate still fails" shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- openssl s_client -connect "127.0.0.1:${!p}" -verify_return_error -verify_ip 127.0.0.1 </dev/null
done
done_testing
