#!/usr/bin/env bash
# A resumed session runs no verification callback: a client must not resume a
# session whose certificate the shim would refuse now.
. "$(dirname "$0")/../lib/common.sh"
s_server untrusted "$TS_PKI/other.pem" "$TS_PKI/other.key"
s_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
for proto in -tls1_2 -tls1_3; do
	sess=$TMP/sess$proto
	# Made while skipping verification was allowed.
	OUT=$(printf 'GET / HTTP/1.0\r\n\r\n' | shim TRUSTSHIM_ALLOW="127.0.0.1:$PORT_untrusted" -- openssl s_client -ign_eof $proto -connect "127.0.0.1:$PORT_untrusted" -sess_out "$sess" 2>&1)
	[ -s "$sess" ]; ok $? "$proto: a session was saved while allowed"
	OUT=$(printf 'GET / HTTP/1.0\r\n\r\n' | noshim openssl s_client -ign_eof $proto -connect "127.0.0.1:$PORT_untrusted" -sess_in "$sess" 2>&1)
	contains "$OUT" "^Reused" "$proto: without the shim the session is resumed"
	OUT=$(printf 'GET / HTTP/1.0\r\n\r\n' | shim -- openssl s_client -ign_eof $proto -connect "127.0.0.1:$PORT_untrusted" -sess_in "$sess" 2>&1); s=$?
	lacks "$OUT" "^Reused" "$proto: under enforcement the session is not resumed"
	[ $s -ne 0 ]; ok $? "$proto: and the full handshake is refused"
	# A session with a certificate that verifies resumes normally.
	good=$TMP/good$proto
	printf 'GET / HTTP/1.0\r\n\r\n' | shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- openssl s_client -ign_eof $proto -connect "127.0.0.1:$PORT_good" -servername localhost -verify_return_error -sess_out "$good" >/dev/null 2>&1
	OUT=$(printf 'GET / HTTP/1.0\r\n\r\n' | shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- openssl s_client -ign_eof $proto -connect "127.0.0.1:$PORT_good" -servername localhost -verify_return_error -sess_in "$good" 2>&1)
	contains "$OUT" "^Reused" "$proto: a session whose certificate verifies is resumed"
done
done_testing
