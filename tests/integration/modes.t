#!/usr/bin/env bash
# TRUSTSHIM_MODE: audit honours and records every attempt; off passes
# everything through untouched.
. "$(dirname "$0")/../lib/common.sh"
https_server u "$TS_PKI/other.pem" "$TS_PKI/other.key"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
GET="$PY $TS_ROOT/tests/lib/get.py"
OUT=$(shim TRUSTSHIM_MODE=audit -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u/" 2>&1); ok $? "audit: curl -k is honoured"
contains "$OUT" "trustshim: audit: " "audit: the attempt is reported"
OUT=$(shim TRUSTSHIM_MODE=audit -- $GET requests-noverify "https://127.0.0.1:$PORT_u/" 2>&1); ok $? "audit: requests verify=False is honoured"
contains "$OUT" "trustshim: audit: " "audit: reported"
OUT=$(shim TRUSTSHIM_MODE=off -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u/" 2>&1); ok $? "off: curl -k passes"
lacks "$OUT" "trustshim:" "off: nothing printed"
fails "off: no anchors are injected" shim TRUSTSHIM_MODE=off TRUSTSHIM_CA="$TS_PKI/ca.pem" -- curl -sS --max-time 10 "https://127.0.0.1:$PORT_good/"
pass "audit: anchors are injected" shim TRUSTSHIM_MODE=audit TRUSTSHIM_CA="$TS_PKI/ca.pem" -- curl -sS --max-time 10 "https://127.0.0.1:$PORT_good/"
pass "modes are case-insensitive" shim TRUSTSHIM_MODE=AUDIT -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u/"
done_testing
