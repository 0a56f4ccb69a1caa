#!/usr/bin/env bash
# The bundle cache changes no trust decision: every client reaches the same
# hosts, and fails on the same hosts, with TRUSTSHIM_CACHE on and off, for
# each way of trusting the test CA (the shim's anchor, OpenSSL's default file
# through SSL_CERT_FILE, a CA file the client loads itself).
. "$(dirname "$0")/../lib/common.sh"
CA=$TS_PKI/ca.pem
for s in leaf wrong expired other; do https_server "$s" "$TS_PKI/$s.pem" "$TS_PKI/$s.key"; done
GET=$TS_ROOT/tests/lib/get.py
C=$TS_ROOT/build/clients/ossl_client

# client NAME PORT: one GET of https://localhost:PORT/ the way NAME does it.
client() {
	local p=$2 u="https://localhost:$2/"
	case $1 in
	curl) curl -sS --max-time 10 --resolve "localhost:$p:127.0.0.1" "$u" ;;
	urllib) $PY "$GET" urllib "$u" ;;
	requests) $PY "$GET" requests "$u" ;;
	ossl-default) "$C" --default-paths --sni localhost --check-host localhost 127.0.0.1 "$p" ;;
	ossl-cafile) "$C" --ca "$CA" --sni localhost --check-host localhost 127.0.0.1 "$p" ;;
	esac
}
trusts=("TRUSTSHIM_CA=$CA" "SSL_CERT_FILE=$CA" "CURL_CA_BUNDLE=$CA REQUESTS_CA_BUNDLE=$CA")
declare -A got
for t in "${trusts[@]}"; do
	for c in curl urllib requests ossl-default ossl-cafile; do
		for s in leaf wrong expired other; do
			port_var=PORT_$s
			# shellcheck disable=SC2086
			shim $t -- bash -c "$(declare -f client); C=$C CA=$CA GET=$GET PY=$PY; client $c ${!port_var}" >/dev/null 2>&1; on=$?
			# shellcheck disable=SC2086
			shim $t TRUSTSHIM_CACHE=off -- bash -c "$(declare -f client); C=$C CA=$CA GET=$GET PY=$PY; client $c ${!port_var}" >/dev/null 2>&1; off=$?
			[ "$on" -eq "$off" ]; ok $? "$t $c $s: same status with the cache on and off ($on, $off)"
			got["$t|$c|$s"]=$on
		done
	done
done
# The comparisons above are only worth something if the outcomes are right.
for c in curl urllib requests ossl-default ossl-cafile; do
	[ "${got["TRUSTSHIM_CA=$CA|$c|leaf"]}" -eq 0 ]; ok $? "$c reaches the private-CA host through the anchor"
	for s in wrong expired other; do
		[ "${got["TRUSTSHIM_CA=$CA|$c|$s"]}" -ne 0 ]; ok $? "$c fails on $s"
	done
done
for c in urllib ossl-default; do
	[ "${got["SSL_CERT_FILE=$CA|$c|leaf"]}" -eq 0 ]; ok $? "$c: SSL_CERT_FILE names the default CA file"
done
for c in curl requests ossl-cafile; do
	[ "${got["CURL_CA_BUNDLE=$CA REQUESTS_CA_BUNDLE=$CA|$c|leaf"]}" -eq 0 ]; ok $? "$c: its own CA file"
done
done_testing
