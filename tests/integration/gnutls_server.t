#!/usr/bin/env bash
# A GnuTLS server keeps its trust exactly: gnutls-serv, requiring and
# verifying client certificates against other-ca only, runs under the shim
# with TRUSTSHIM_CA=ca.pem.  A client certificate from ca (an injected
# anchor) is refused, and the CertificateRequest names other-ca only.
. "$(dirname "$0")/../lib/common.sh"
P=$(free_port)
env LD_PRELOAD="$TS_LIB" TRUSTSHIM_CA="$TS_PKI/ca.pem" TRUSTSHIM_LOG="$TMP/serv.jsonl" \
	gnutls-serv --port "$P" --x509certfile "$TS_PKI/leaf.pem" --x509keyfile "$TS_PKI/leaf.key" \
	--x509cafile "$TS_PKI/other-ca.pem" --require-client-cert --verify-client-cert --echo \
	</dev/null >"$TMP/serv.log" 2>&1 &
_pids+=($!)
for i in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$P") 2>/dev/null && break; sleep 0.05; done
sc() { # client cert, key
	printf 'hello\n' | noshim openssl s_client -connect "127.0.0.1:$P" -CAfile "$TS_PKI/ca.pem" -cert "$1" -key "$2" -ign_eof 2>&1
}
OUT=$(sc "$TS_PKI/client.pem" "$TS_PKI/client.key")
NAMES=$(printf '%s\n' "$OUT" | sed -n '/^Acceptable client certificate CA names/,/^Requested Signature/p')
contains "$NAMES" "Acceptable client certificate CA names" "the server asks for a client certificate"
contains "$NAMES" "CN = trustshim other CA" "it names its own CA"
lacks "$NAMES" "CN = trustshim test CA" "it does not advertise the injected anchor"
lacks "$OUT" "hello" "a client certificate from the injected CA gets no echo"
contains "$OUT" "alert|error" "...the server refuses it"
OUT=$(sc "$TS_PKI/client-other.pem" "$TS_PKI/client-other.key")
contains "$OUT" "hello" "a client certificate from the server's own CA is accepted"
contains "$(cat "$TMP/serv.log")" "The certificate issuer is unknown" "gnutls-serv's own check said why"
lacks "$(cat "$TMP/serv.jsonl" 2>/dev/null)" "skip_verification" "nothing recorded for a server"

# The same server without --verify-client-cert keeps not verifying: the shim
# judges clients only.
P2=$(free_port)
env LD_PRELOAD="$TS_LIB" gnutls-serv --port "$P2" --x509certfile "$TS_PKI/leaf.pem" --x509keyfile "$TS_PKI/leaf.key" --echo \
	</dev/null >"$TMP/serv2.log" 2>&1 &
_pids+=($!)
for i in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$P2") 2>/dev/null && break; sleep 0.05; done
OUT=$(printf 'hello\n' | noshim openssl s_client -connect "127.0.0.1:$P2" -CAfile "$TS_PKI/ca.pem" -ign_eof 2>&1)
contains "$OUT" "hello" "a GnuTLS server under the shim serves as before"
# And a GnuTLS client talks to a GnuTLS server, both under the shim.
pass "gnutls-cli to gnutls-serv, both preloaded" shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- bash -c "echo | gnutls-cli --port $P2 localhost"

# Credentials a client session used first (so they got the anchors) and a
# server session uses next: the server must still refuse a client
# certificate that only the anchor vouches for.
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
C=$TS_ROOT/build/clients/gnutls_client
serve() { # client cert, key
	$C --ca "$TS_PKI/other-ca.pem" --verify peers3 --then-serve "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key" "$1" "$2" "$PORT_good"
}
export -f serve; export C TS_PKI PORT_good
pass "shared credentials: the client session verifies with the anchor" shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- bash -c "serve $TS_PKI/client-other.pem $TS_PKI/client-other.key"
contains "$OUT" "server accepted the client certificate" "shared credentials: the server accepts a client of its own CA"
OUT=$(shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- bash -c "serve $TS_PKI/client.pem $TS_PKI/client.key" 2>&1); s=$?
[ $s -eq 3 ]; ok $? "shared credentials: the server refuses a client certificate from the injected CA (status $s)"
done_testing
