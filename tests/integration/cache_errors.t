#!/usr/bin/env bash
# Missing and bad CA files give the same return values and the same errors
# with the bundle cache on and off (the cache hands every failing load to
# OpenSSL's own function), and a cached load returns the same count,
# certificates and CRLs alike.
. "$(dirname "$0")/../lib/common.sh"
CHECK=$TS_ROOT/build/clients/cache_check
printf '' > "$TMP/empty.pem"
head -c 3000 /dev/urandom > "$TMP/random.pem"
printf -- '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n' > "$TMP/garbage.pem"
cat "$TS_PKI/ca.pem" "$TMP/garbage.pem" > "$TMP/good-then-garbage.pem"
# A CRL from the test CA, next to the CA itself: two objects from one file.
cp -r "$TS_PKI/cadb" "$TMP/cadb"
(cd "$TMP" && openssl ca -batch -gencrl -config cadb/ca.cnf -cert "$TS_PKI/ca.pem" -keyfile "$TS_PKI/ca.key" -crldays 30 -out crl.pem >/dev/null 2>&1)
cat "$TS_PKI/ca.pem" "$TMP/crl.pem" > "$TMP/ca-crl.pem"
cat "$TS_PKI/ca.pem" "$TS_PKI/ca.pem" "$TS_PKI/other-ca.pem" > "$TMP/dup.pem"
files=(/nonexistent "$TMP" "$TMP/empty.pem" "$TMP/random.pem" "$TMP/garbage.pem" "$TMP/good-then-garbage.pem"
	"$TS_PKI/ca.key" "$TS_PKI/ca.der" "$TS_PKI/ca.pem" "$TMP/ca-crl.pem" "$TMP/dup.pem" /etc/ssl/certs/ca-certificates.crt)

# Each file twice in one process: the second load of a good file is a hit.
pass "C: loads on fresh stores, cache on" shim -- "$CHECK" load "${files[@]}" "${files[@]}"
on=$OUT
pass "C: cache off" shim TRUSTSHIM_CACHE=off -- "$CHECK" load "${files[@]}" "${files[@]}"
off=$OUT
pass "C: no shim" noshim "$CHECK" load "${files[@]}" "${files[@]}"
[ "$on" = "$off" ] && [ "$on" = "$OUT" ]; ok $? "C: return values, object counts and error queues identical"
[ "$on" = "$off" ] || diag "on:" "$on" "off:" "$off"
contains "$on" "ca-crl.pem: returns 2, objects 2; errors: none" "C: a certificate and a CRL from one file"
contains "$on" "dup.pem: returns 3, objects 2; errors: none" "C: a duplicate counts, as OpenSSL counts it"

cat > "$TMP/load.py" <<'PY'
import ssl, sys
for f in sys.argv[1:]:
    for i in range(2):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            ctx.load_verify_locations(f)
            print("%s: loaded, %s" % (f, ctx.cert_store_stats()))
        except Exception as e:
            print("%s: %s: %s" % (f, type(e).__name__, e))
PY
pass "python: load_verify_locations, cache on" shim -- "$PY" "$TMP/load.py" "${files[@]}"
on=$OUT
pass "python: cache off" shim TRUSTSHIM_CACHE=off -- "$PY" "$TMP/load.py" "${files[@]}"
[ "$on" = "$OUT" ]; ok $? "python: the same exception texts and store stats"
[ "$on" = "$OUT" ] || diag "on:" "$on" "off:" "$OUT"
contains "$on" "nonexistent: FileNotFoundError" "python: a missing file still raises"
contains "$on" "garbage.pem: SSLError" "python: garbage still raises"

https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
for f in /nonexistent "$TMP/empty.pem" "$TMP/garbage.pem" "$TMP/good-then-garbage.pem" "$TS_PKI/ca.key"; do
	a=$(shim -- curl -sS --max-time 5 --cacert "$f" "https://127.0.0.1:$PORT_good/" 2>&1; echo "exit $?")
	b=$(shim TRUSTSHIM_CACHE=off -- curl -sS --max-time 5 --cacert "$f" "https://127.0.0.1:$PORT_good/" 2>&1; echo "exit $?")
	[ "$a" = "$b" ]; ok $? "curl --cacert $(basename "$f"): same message and exit status"
	[ "$a" = "$b" ] || diag "on: $a" "off: $b"
done
a=$(shim -- curl -sS --max-time 5 --cacert "$TS_PKI/ca.pem" "https://127.0.0.1:$PORT_good/" 2>&1); ok $? "curl --cacert ca.pem: verifies with the cache"
done_testing
