#!/usr/bin/env bash
# A trusted certificate issued for another name fails under curl -k and
# requests verify=False, by name (SNI) and by IP literal (the peer address,
# found even through curl's custom BIO).
. "$(dirname "$0")/../lib/common.sh"
https_server wrong "$TS_PKI/wrong.pem" "$TS_PKI/wrong.key"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
W=$PORT_wrong G=$PORT_good
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem
GET="$PY $TS_ROOT/tests/lib/get.py"
C=$TS_ROOT/build/clients/ossl_client

OUT=$(shim "$CA" -- curl -ksS --max-time 10 "https://127.0.0.1:$W/" 2>&1); [ $? -ne 0 ]; ok $? "curl -k by IP to a wrong-name cert: refused"
contains "$OUT" "127\.0\.0\.1:$W" "the line names the peer address"
contains "$OUT" "IP address mismatch" "the line says what verification found"
OUT=$(shim "$CA" -- curl -ksS --max-time 10 --resolve "localhost:$W:127.0.0.1" "https://localhost:$W/" 2>&1); [ $? -ne 0 ]; ok $? "curl -k by name to a wrong-name cert: refused"
contains "$OUT" "localhost:$W" "the line names the SNI host"
contains "$OUT" "[Hh]ostname mismatch" "hostname mismatch reported"
fails "requests verify=False by IP: refused" shim "$CA" -- $GET requests-noverify "https://127.0.0.1:$W/"
fails "requests verify=False by name: refused" shim "$CA" -- $GET requests-noverify "https://localhost:$W/"
fails "python check_hostname=False with CERT_REQUIRED: wrong name refused" shim "$CA" -- $GET nohostname-req "https://127.0.0.1:$W/"
contains "$OUT" "no host-name check" "the record says the host name was not checked"
fails "C client with SNI and no name check: refused" shim "$CA" -- $C --verify none --sni localhost 127.0.0.1 "$W"
# The right names still pass.
pass "curl -k by IP to a matching cert works" shim "$CA" -- curl -ksS --max-time 10 "https://127.0.0.1:$G/"
pass "curl -k by name to a matching cert works" shim "$CA" -- curl -ksS --max-time 10 --resolve "localhost:$G:127.0.0.1" "https://localhost:$G/"
pass "requests verify=False by name to a matching cert works" shim "$CA" -- $GET requests-noverify "https://localhost:$G/"
pass "python check_hostname=False CERT_REQUIRED, matching cert works" shim "$CA" -- $GET nohostname-req "https://127.0.0.1:$G/"
done_testing
