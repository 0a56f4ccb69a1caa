#!/usr/bin/env bash
# Unmodified OpenSSL clients reach a private-CA host once TRUSTSHIM_CA names
# the CA, and fail without it.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
P=$PORT_good
URL=https://127.0.0.1:$P/
NURL=https://localhost:$P/
CA=$TS_PKI/ca.pem

GET=$TS_ROOT/tests/lib/get.py
clients=(
	"curl -sS --max-time 10 --resolve localhost:$P:127.0.0.1"
	"$PY $GET urllib"
	"$PY $GET requests"
	"python3 $GET urllib"
	"python3 $GET requests"
)
s_client_get() { openssl s_client -connect "127.0.0.1:$P" -servername localhost -verify_return_error -verify_hostname localhost </dev/null; }
perl_get() { perl -MIO::Socket::SSL -e '
	my $c = IO::Socket::SSL->new(PeerAddr => "127.0.0.1:$ARGV[0]", SSL_hostname => "localhost",
		SSL_verifycn_name => "localhost", SSL_verifycn_scheme => "http", Timeout => 10)
		or die "connect failed: $SSL_ERROR\n";
	print $c "GET / HTTP/1.0\r\n\r\n"; my $l = <$c>; print $l;' "$P"; }

for c in "${clients[@]}"; do
	for u in "$URL" "$NURL"; do
		fails "$c $u fails without the shim" noshim $c "$u"
		pass "$c $u works with TRUSTSHIM_CA" shim TRUSTSHIM_CA="$CA" -- $c "$u"
		contains "$OUT" "hello from trustshim" "$c got the body"
	done
done
for c in s_client_get perl_get; do
	fails "$c fails without the shim" noshim bash -c "$(declare -f $c); P=$P; $c"
	pass "$c works with TRUSTSHIM_CA" shim TRUSTSHIM_CA="$CA" -- bash -c "$(declare -f $c); P=$P; $c"
	lacks "$OUT" "trustshim:" "$c: a verifying client gets no trustshim line"
done
pass "the C test client verifies with the anchor" shim TRUSTSHIM_CA="$CA" -- "$TS_ROOT/build/clients/ossl_client" --default-paths --check-host localhost 127.0.0.1 "$P"
fails "and fails without it" noshim "$TS_ROOT/build/clients/ossl_client" --default-paths --check-host localhost 127.0.0.1 "$P"
done_testing
