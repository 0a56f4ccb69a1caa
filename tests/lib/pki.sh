#!/usr/bin/env bash
# Generates the test PKI into DIR (idempotent): a private test CA, leaves it
# signs (good, wrong host, expired, client), another CA with a leaf, and a
# self-signed leaf with an IP SAN.  EC P-256 keys: fast.
set -eu
dir=$1
[ -f "$dir/.done" ] && exit 0
mkdir -p "$dir"
cd "$dir"
q() { "$@" >/dev/null 2>&1 || { echo "pki.sh: failed: $*" >&2; "$@"; exit 1; }; }
key() { q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

mkca() { # name subject
	key "$1.key"
	q openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -out "$1.pem" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
# leaf NAME CA SAN [EKU] [openssl-x509 date options...]
leaf() {
	local name=$1 ca=$2 san=$3 eku=${4:-serverAuth}
	key "$name.key"
	q openssl req -new -key "$name.key" -subj "/CN=$name" -out "$name.csr"
	printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' "$eku" "$san" > "$name.ext"
	q openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial -days 365 -extfile "$name.ext" -out "$name.pem"
	rm -f "$name.csr"
}

mkca ca "trustshim test CA"
mkca other-ca "trustshim other CA"
leaf leaf ca "DNS:localhost,IP:127.0.0.1,IP:::1"
leaf wrong ca "DNS:wrong.example"
leaf other other-ca "DNS:localhost,IP:127.0.0.1,IP:::1"
leaf client ca "DNS:client.example" clientAuth
leaf client-other other-ca "DNS:client.example" clientAuth

# Expired: signed by the CA with validity in the past, via `openssl ca`.
key expired.key
q openssl req -new -key expired.key -subj "/CN=expired" -out expired.csr
mkdir -p cadb && : > cadb/index.txt && echo 1000 > cadb/serial
cat > cadb/ca.cnf <<CNF
[ca]
default_ca = tca
[tca]
dir = cadb
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
[ext]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
CNF
q openssl ca -batch -config cadb/ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
	-startdate 20200101000000Z -enddate 20200201000000Z -extensions ext -notext
rm -f expired.csr

# An expired CA, for the bad-input tests.
key expired-ca.key
q openssl req -new -key expired-ca.key -subj "/CN=trustshim expired CA" -out expired-ca.csr
q openssl ca -batch -config cadb/ca.cnf -selfsign -keyfile expired-ca.key -in expired-ca.csr -out expired-ca.pem \
	-startdate 20190101000000Z -enddate 20190201000000Z -notext
rm -f expired-ca.csr

# Self-signed leaf reached by IP literal: the everyday https://IP:PORT case.
key self.key
q openssl req -x509 -new -key self.key -subj "/CN=127.0.0.1" -days 365 -out self.pem \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -addext "basicConstraints=CA:FALSE" \
	-addext "extendedKeyUsage=serverAuth"

# Other forms of the test CA.
q openssl x509 -in ca.pem -outform DER -out ca.der
cat other-ca.pem ca.pem > bundle.pem
mkdir -p cadir && cp ca.pem cadir/ && echo "not a certificate" > cadir/README
touch .done
