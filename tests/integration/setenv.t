#!/usr/bin/env bash
# The policy is a snapshot taken when the library loads: a program that
# changes TRUSTSHIM_* with setenv afterwards changes nothing.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
URL=https://127.0.0.1:$PORT_good/
prog='
import os, sys, ssl, urllib.request
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    os.environ[k] = v          # putenv/setenv in the C environment
ctx = ssl._create_unverified_context() if os.environ.get("UNVERIFIED") else None
try:
    urllib.request.urlopen(sys.argv[1], timeout=10, context=ctx).read()
    print("connected")
except Exception as e:
    print("error:", e); sys.exit(1)
'
fails "setting TRUSTSHIM_CA after start adds no trust" shim -- $PY -c "$prog" "$URL" TRUSTSHIM_CA="$TS_PKI/ca.pem" TRUSTSHIM_CA_PEM="$(cat "$TS_PKI/ca.pem")"
pass "the same CA given at start works" shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- $PY -c "$prog" "$URL"
fails "setting TRUSTSHIM_MODE=off after start does not stop enforcement" shim -- $PY -c "$prog" "$URL" UNVERIFIED=1 TRUSTSHIM_MODE=off
fails "setting TRUSTSHIM_ALLOW after start allows nothing" shim -- $PY -c "$prog" "$URL" UNVERIFIED=1 TRUSTSHIM_ALLOW=127.0.0.1
pass "TRUSTSHIM_MODE=off given at start passes the unverified context through" shim TRUSTSHIM_MODE=off -- $PY -c "$prog" "$URL" UNVERIFIED=1
done_testing
