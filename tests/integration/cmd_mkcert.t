#!/usr/bin/env bash
# trustshim mkcert: a local CA once (key 0600, dir 0700), leaves with DNS
# names as dNSName and IP literals as iPAddress SANs, serverAuth, CA:FALSE,
# a validity browsers accept; reuse of the CA; a real handshake.
. "$(dirname "$0")/../lib/common.sh"
export XDG_CACHE_HOME=$TMP/cache  # the Node/Go anchor files go here, not in ~/.cache
TSC=$TS_ROOT/scripts/trustshim
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD
D=$TMP/mk
perm() { stat -c %a "$1"; }

OUT=$("$TSC" mkcert --dir "$D" localhost 127.0.0.1 ::1 '*.dev.test' myhost.lan '[fe80::1]' 2>&1); ok $? "mkcert exits 0"
[ -f "$D/ca.pem" ] && [ -f "$D/ca-key.pem" ] && [ -f "$D/localhost.pem" ] && [ -f "$D/localhost-key.pem" ]
ok $? "writes ca.pem, ca-key.pem, localhost.pem, localhost-key.pem"
[ "$(perm "$D/ca-key.pem")" = 600 ]; ok $? "CA key mode 0600"
[ "$(perm "$D/localhost-key.pem")" = 600 ]; ok $? "leaf key mode 0600"
[ "$(perm "$D")" = 700 ]; ok $? "the directory it created is mode 0700"
contains "$OUT" "$D/ca.pem" "prints the CA path"
contains "$OUT" "$D/localhost.pem" "prints the certificate path"
contains "$OUT" "openssl s_server -accept 8443 -cert '$D/localhost.pem' -key '$D/localhost-key.pem'" "prints a server command"
contains "$OUT" "trustshim --ca '$D/ca.pem' -- curl https://localhost:8443/" "prints the client command"

TXT=$(openssl x509 -in "$D/localhost.pem" -noout -text)
SAN=$(printf '%s\n' "$TXT" | grep -A1 'Subject Alternative Name' | tail -1 | sed 's/^ *//')
[ "$SAN" = "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:*.dev.test, DNS:myhost.lan, IP Address:FE80:0:0:0:0:0:0:1" ]
ok $? "SANs: names as DNS, IPv4 and IPv6 (brackets removed) as IP Address, in order"; diag "$SAN"
BAD=$(printf '%s\n' "$SAN" | tr ',' '\n' | sed 's/^ *//' | grep -E '^DNS:([0-9.]+|.*:.*)$')
[ -z "$BAD" ]; ok $? "no IP address in a DNS name"
contains "$TXT" "CA:FALSE" "leaf: CA:FALSE"
contains "$TXT" "TLS Web Server Authentication" "leaf: serverAuth EKU"
contains "$TXT" "Digital Signature" "leaf: digitalSignature"
contains "$TXT" "ASN1 OID: prime256v1" "leaf: ECDSA P-256"
days=$(( ($(date -d "$(openssl x509 -in "$D/localhost.pem" -noout -enddate | cut -d= -f2)" +%s) - \
	$(date -d "$(openssl x509 -in "$D/localhost.pem" -noout -startdate | cut -d= -f2)" +%s)) / 86400 ))
[ "$days" -le 397 ] && [ "$days" -ge 300 ]; ok $? "leaf valid $days days (<= 397, the browser limit)"
CATXT=$(openssl x509 -in "$D/ca.pem" -noout -text)
contains "$CATXT" "CA:TRUE" "CA: CA:TRUE"
contains "$CATXT" "Certificate Sign" "CA: keyCertSign"
contains "$CATXT" "Subject: .*CN ?= ?trustshim local CA" "CA: named 'trustshim local CA ...'"
years=$(( ($(date -d "$(openssl x509 -in "$D/ca.pem" -noout -enddate | cut -d= -f2)" +%s) - $(date +%s)) / 86400 / 365 ))
[ "$years" -ge 9 ]; ok $? "CA valid about 10 years"
pass "the leaf verifies against the CA for TLS server use" openssl verify -CAfile "$D/ca.pem" -purpose sslserver "$D/localhost.pem"
pass "the key matches the certificate" sh -c "[ \"\$(openssl pkey -in '$D/localhost-key.pem' -pubout)\" = \"\$(openssl x509 -in '$D/localhost.pem' -noout -pubkey)\" ]"

# Second run: the CA is reused, a new leaf is issued from it.
fp=$(openssl x509 -in "$D/ca.pem" -noout -fingerprint -sha256)
OUT=$("$TSC" mkcert --dir "$D" 192.168.1.172 2>&1); ok $? "second run exits 0"
[ "$(openssl x509 -in "$D/ca.pem" -noout -fingerprint -sha256)" = "$fp" ]; ok $? "second run reuses the CA"
contains "$OUT" "Using the local CA" "and says so"
pass "the new leaf (named after its first name) is signed by the same CA" openssl verify -CAfile "$D/ca.pem" "$D/192.168.1.172.pem"
SAN=$(openssl x509 -in "$D/192.168.1.172.pem" -noout -ext subjectAltName | tail -1 | sed 's/^ *//')
[ "$SAN" = "IP Address:192.168.1.172" ]; ok $? "an IP-only leaf has only an IP SAN"; diag "$SAN"
"$TSC" mkcert --dir "$D" '*.dev.test' >/dev/null 2>&1; [ -f "$D/_wildcard.dev.test.pem" ]; ok $? "a wildcard leaf is saved as _wildcard.NAME.pem"

# A half CA is never overwritten.
mkdir -p "$TMP/half"; cp "$D/ca.pem" "$TMP/half/"
OUT=$("$TSC" mkcert --dir "$TMP/half" localhost 2>&1); [ $? -ne 0 ]; ok $? "ca.pem without ca-key.pem: refused"
# Default directory: $XDG_DATA_HOME/trustshim, else ~/.local/share/trustshim.
XDG_DATA_HOME=$TMP/xdg "$TSC" mkcert localhost >/dev/null 2>&1; [ -f "$TMP/xdg/trustshim/ca.pem" ]; ok $? "default dir under XDG_DATA_HOME"
env -u XDG_DATA_HOME HOME=$TMP/home "$TSC" mkcert localhost >/dev/null 2>&1; [ -f "$TMP/home/.local/share/trustshim/localhost.pem" ]
ok $? "default dir ~/.local/share/trustshim"
[ "$(perm "$TMP/home/.local/share/trustshim")" = 700 ]; ok $? "default dir mode 0700"

# A real handshake: unmodified clients with the CA given explicitly, by
# name and by IP literal (the library is not needed for this).
https_server mk "$D/localhost.pem" "$D/localhost-key.pem"
pass "curl --cacert reaches https://localhost" noshim curl -sS --max-time 10 --cacert "$D/ca.pem" "https://localhost:$PORT_mk/"
pass "curl --cacert reaches https://127.0.0.1 (IP SAN)" noshim curl -sS --max-time 10 --cacert "$D/ca.pem" "https://127.0.0.1:$PORT_mk/"
pass "Python's check_hostname accepts the IP SAN" noshim $PY -c 'import ssl,sys,urllib.request as u; c=ssl.create_default_context(cafile=sys.argv[1]); u.urlopen(sys.argv[2], context=c, timeout=10)' "$D/ca.pem" "https://127.0.0.1:$PORT_mk/"
fails "without the CA it fails" noshim curl -sS --max-time 10 "https://127.0.0.1:$PORT_mk/"
done_testing
