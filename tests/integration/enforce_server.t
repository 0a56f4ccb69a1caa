#!/usr/bin/env bash
# Server-side connections are never changed: a server without client
# certificates keeps serving, and a server that asks for client certificates
# does not accept one that chains only to an injected anchor.
. "$(dirname "$0")/../lib/common.sh"
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem
start_shimmed() { # name port-file args...: python server under the shim
	local name=$1; shift
	env LD_PRELOAD="$TS_LIB" "$CA" python3 "$TS_ROOT/tests/lib/https_server.py" --port-file "$TMP/port.$name" "$@" &
	_pids+=($!)
	_wait_port "$TMP/port.$name"
}
# openssl s_server under the shim, no client certificates.
port=$(free_port)
env LD_PRELOAD="$TS_LIB" "$CA" openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$TS_PKI/leaf.pem" -key "$TS_PKI/leaf.key" -www </dev/null >/dev/null 2>"$TMP/s1.err" &
_pids+=($!)
for i in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
pass "s_server (SSL_VERIFY_NONE) under the shim keeps serving" noshim curl -sS --max-time 10 --cacert "$TS_PKI/ca.pem" "https://127.0.0.1:$port/"
lacks "$(cat "$TMP/s1.err")" "trustshim" "s_server printed no trustshim line"

# openssl s_server -Verify trusting other-ca only, under the shim with ca injected.
port2=$(free_port)
env LD_PRELOAD="$TS_LIB" "$CA" openssl s_server -quiet -accept "127.0.0.1:$port2" -cert "$TS_PKI/leaf.pem" -key "$TS_PKI/leaf.key" \
	-Verify 1 -verify_return_error -CAfile "$TS_PKI/other-ca.pem" -www </dev/null >/dev/null 2>&1 &
_pids+=($!)
for i in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port2") 2>/dev/null && break; sleep 0.05; done
fails "s_server -Verify: client cert from the injected CA is refused" noshim curl -sS --max-time 10 --cacert "$TS_PKI/ca.pem" \
	--cert "$TS_PKI/client.pem" --key "$TS_PKI/client.key" "https://127.0.0.1:$port2/"
pass "s_server -Verify: client cert from its own CA is accepted" noshim curl -sS --max-time 10 --cacert "$TS_PKI/ca.pem" \
	--cert "$TS_PKI/client-other.pem" --key "$TS_PKI/client-other.key" "https://127.0.0.1:$port2/"

# A python mTLS server under the shim.
start_shimmed mtls --cert "$TS_PKI/leaf.pem" --key "$TS_PKI/leaf.key" --client-ca "$TS_PKI/other-ca.pem"
P=$(cat "$TMP/port.mtls")
fails "python mTLS server: client cert from the injected CA is refused" noshim curl -sS --max-time 10 --cacert "$TS_PKI/ca.pem" \
	--cert "$TS_PKI/client.pem" --key "$TS_PKI/client.key" "https://127.0.0.1:$P/"
pass "python mTLS server: client cert from its own CA is accepted" noshim curl -sS --max-time 10 --cacert "$TS_PKI/ca.pem" \
	--cert "$TS_PKI/client-other.pem" --key "$TS_PKI/client-other.key" "https://127.0.0.1:$P/"
# The same process as client and server: a python server under the shim
# verifying its clients while the shim trusts the anchors for client use.
prog='
import ssl, socket, threading, sys
pki = sys.argv[1]
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.load_cert_chain(pki + "/leaf.pem", pki + "/leaf.key")
sctx.verify_mode = ssl.CERT_REQUIRED
sctx.load_verify_locations(pki + "/other-ca.pem")
ls = socket.create_server(("127.0.0.1", 0)); port = ls.getsockname()[1]
result = {}
def serve():
    c, _ = ls.accept()
    try:
        s = sctx.wrap_socket(c, server_side=True); result["server"] = "accepted"; s.close()
    except Exception as e:
        result["server"] = "refused"
t = threading.Thread(target=serve); t.start()
cctx = ssl.create_default_context()
cctx.load_cert_chain(pki + "/client.pem", pki + "/client.key")
try:
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with cctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.recv(1)
except Exception:
    pass
t.join(10)
print("server:", result.get("server"))
'
OUT=$(shim "$CA" -- $PY -c "$prog" "$TS_PKI" 2>&1)
contains "$OUT" "server: refused" "one process, client and server: the server still refuses an injected-CA client cert"
done_testing
