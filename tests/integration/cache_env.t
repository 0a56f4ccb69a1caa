#!/usr/bin/env bash
# With the bundle cache on, OpenSSL still chooses the files: SSL_CERT_FILE and
# SSL_CERT_DIR are honoured, read at each call (not once), and the hashed
# directory lookup is still added by set_default_verify_paths.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
P=$PORT_good
CA=$TS_PKI/ca.pem
OTHER=$TS_PKI/other-ca.pem
mkdir -p "$TMP/hashed" && cp "$CA" "$TMP/hashed/" && openssl rehash "$TMP/hashed" >/dev/null 2>&1

# Two default contexts in one process (the second a cache hit), each
# connecting; prints one word per connection.
cat > "$TMP/two.py" <<'PY'
import os, socket, ssl, sys
port = int(sys.argv[1])
def connect(ctx):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname="localhost"):
                return "ok"
    except ssl.SSLError as e:
        return "fail"
out = []
for env in sys.argv[2:]:
    if env != "-":
        os.environ["SSL_CERT_FILE"] = env   # putenv: OpenSSL reads it at the call
    out.append(connect(ssl.create_default_context()))
print(" ".join(out))
PY
py2() { "$PY" "$TMP/two.py" "$P" "$@"; }

for cache in on off; do
	E=(TRUSTSHIM_CACHE=$cache)
	pass "cache $cache: SSL_CERT_FILE=ca.pem, no TRUSTSHIM_CA: python verifies twice" shim "${E[@]}" SSL_CERT_FILE="$CA" -- "$PY" "$TMP/two.py" "$P" - -
	contains "$OUT" "^ok ok$" "cache $cache: both contexts verified"
	pass "cache $cache: the C client with default paths verifies" shim "${E[@]}" SSL_CERT_FILE="$CA" -- "$TS_ROOT/build/clients/ossl_client" --default-paths --check-host localhost 127.0.0.1 "$P"
	pass "cache $cache: SSL_CERT_FILE=other CA" shim "${E[@]}" SSL_CERT_FILE="$OTHER" -- "$PY" "$TMP/two.py" "$P" - -
	contains "$OUT" "^fail fail$" "cache $cache: neither verifies"
	pass "cache $cache: SSL_CERT_FILE changed between contexts" shim "${E[@]}" SSL_CERT_FILE="$OTHER" -- "$PY" "$TMP/two.py" "$P" "$CA" "$OTHER" "$CA"
	contains "$OUT" "^ok fail ok$" "cache $cache: each context follows the variable at its call"
	pass "cache $cache: SSL_CERT_DIR alone (missing default file)" shim "${E[@]}" SSL_CERT_FILE=/nonexistent SSL_CERT_DIR="$TMP/hashed" -- "$PY" "$TMP/two.py" "$P" - -
	contains "$OUT" "^ok ok$" "cache $cache: the hashed directory lookup is still there"
	pass "cache $cache: neither file nor dir: create_default_context still succeeds" shim "${E[@]}" SSL_CERT_FILE=/nonexistent SSL_CERT_DIR=/nonexistent -- "$PY" "$TMP/two.py" "$P" - -
	contains "$OUT" "^fail fail$" "cache $cache: and nothing verifies"
	pass "cache $cache: the default file and the anchor together" shim "${E[@]}" TRUSTSHIM_CA="$CA" SSL_CERT_FILE="$OTHER" -- "$PY" "$TMP/two.py" "$P" - -
	contains "$OUT" "^ok ok$" "cache $cache: the anchor still applies"
done
pass "no shim: SSL_CERT_FILE=ca.pem verifies (the reference)" noshim env SSL_CERT_FILE="$CA" "$PY" "$TMP/two.py" "$P" - -
contains "$OUT" "^ok ok$" "no shim: both contexts verified"
done_testing
