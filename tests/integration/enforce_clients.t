#!/usr/bin/env bash
# Every way a client switches certificate verification off is refused in
# enforce mode (the default): the handshake fails against an untrusted
# certificate and succeeds against a trusted one, and one trustshim line says
# why.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server untrusted "$TS_PKI/other.pem" "$TS_PKI/other.key"
G=$PORT_good U=$PORT_untrusted
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem
GET="$PY $TS_ROOT/tests/lib/get.py"
C=$TS_ROOT/build/clients/ossl_client
perl_noverify() { # port
	cat <<PERL
use IO::Socket::SSL;
my \$c = IO::Socket::SSL->new(PeerAddr => "127.0.0.1:$1", SSL_verify_mode => SSL_VERIFY_NONE, Timeout => 10)
	or die "connect failed: \$SSL_ERROR\n";
print \$c "GET / HTTP/1.0\r\n\r\n"; print scalar <\$c>;
PERL
}

# name | command (PORT is substituted)
cases=(
	"curl -k|curl -ksS --max-time 10 https://127.0.0.1:PORT/"
	"python unverified context|$GET unverified https://127.0.0.1:PORT/"
	"python check_hostname=False CERT_NONE|$GET nohostname https://127.0.0.1:PORT/"
	"pyenv python unverified context|python3 $TS_ROOT/tests/lib/get.py unverified https://127.0.0.1:PORT/"
	"requests verify=False|$GET requests-noverify https://127.0.0.1:PORT/"
	"s_client without -verify_return_error|openssl s_client -connect 127.0.0.1:PORT -quiet -no_ign_eof"
	"s_client -verify 1 (callback returns 1)|openssl s_client -connect 127.0.0.1:PORT -verify 1 -quiet -no_ign_eof"
	"C client SSL_VERIFY_NONE|$C --verify none 127.0.0.1 PORT"
	"C client verify mode never set|$C --verify unset 127.0.0.1 PORT"
	"C client SSL_set_verify NONE on the connection|$C --verify peer --default-paths --ssl-verify none 127.0.0.1 PORT"
	"C client verify callback returning 1|$C --verify peer --default-paths --cb-accept-all 127.0.0.1 PORT"
	"C client cert_verify_callback returning 1|$C --verify peer --default-paths --cert-cb-accept-all 127.0.0.1 PORT"
	"C client TLS_method + set_connect_state + SSL_write|$C --generic --verify none 127.0.0.1 PORT"
)
for c in "${cases[@]}"; do
	name=${c%%|*} cmd=${c#*|}
	run() { local port=$1; shift; shim "$@" -- bash -c "${cmd//PORT/$port} </dev/null"; }
	OUT=$(noshim bash -c "${cmd//PORT/$U} </dev/null" 2>&1); ok $? "$name: without the shim it connects to an untrusted host"
	OUT=$(run "$U" 2>&1); s=$?
	[ $s -ne 0 ]; ok $? "$name: refused against an untrusted certificate"; [ $s -ne 0 ] || diag "$OUT"
	contains "$OUT" "trustshim: refused to skip verification for 127\.0\.0\.1:$U" "$name: the trustshim line names host and port"
	contains "$OUT" "TRUSTSHIM_ALLOW=127\.0\.0\.1:$U" "$name: the line gives the allowlist entry"
	OUT=$(run "$G" "$CA" 2>&1); s=$?
	ok $s "$name: works against a certificate that verifies with the anchor"; [ $s -eq 0 ] || diag "$OUT"
done
OUT=$(shim -- perl -e "$(perl_noverify "$U")" 2>&1); [ $? -ne 0 ]; ok $? "perl IO::Socket::SSL SSL_VERIFY_NONE: refused"
contains "$OUT" "trustshim: refused" "perl: trustshim line"
OUT=$(shim "$CA" -- perl -e "$(perl_noverify "$G")" 2>&1); ok $? "perl SSL_VERIFY_NONE: trusted host works"

# System trust (SSL_CERT_FILE) counts for a client that loaded no roots:
# python's unverified context and curl -k keep reaching "public" hosts.
pass "curl -k reaches a host trusted by SSL_CERT_FILE" shim SSL_CERT_FILE="$TS_PKI/ca.pem" -- curl -ksS --max-time 10 "https://127.0.0.1:$G/"
pass "unverified context reaches a host trusted by SSL_CERT_FILE" shim SSL_CERT_FILE="$TS_PKI/ca.pem" -- $GET unverified "https://127.0.0.1:$G/"

# Verifying clients are untouched: no line at all.
OUT=$(shim "$CA" -- curl -sS --max-time 10 "https://127.0.0.1:$G/" 2>&1); ok $? "verifying curl works"
lacks "$OUT" "trustshim:" "verifying curl: no trustshim line"
OUT=$(shim "$CA" -- $C --verify peer --default-paths --cert-cb-verify 127.0.0.1 "$G" 2>&1); ok $? "a cert_verify_callback that really verifies is untouched"
lacks "$OUT" "trustshim:" "cert_verify_callback that verifies: no trustshim line"
OUT=$(shim -- $C --verify peer --default-paths --cert-cb-verify 127.0.0.1 "$U" 2>&1); [ $? -ne 0 ]; ok $? "...and still fails an untrusted host on its own"
done_testing
