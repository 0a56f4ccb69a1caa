#!/usr/bin/env bash
# libssl loaded with dlopen(RTLD_LOCAL) and reached only through dlsym, as
# Python's _ssl does: the shim still finds the real functions, injects trust
# and enforces, and never crashes.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server u "$TS_PKI/other.pem" "$TS_PKI/other.key"
D=$TS_ROOT/build/clients/dlopen_client
pass "without the shim, SSL_VERIFY_NONE connects to an untrusted host" noshim $D "$PORT_u"
OUT=$(shim -- $D "$PORT_u" 2>&1); s=$?
[ $s -eq 1 ]; ok $? "with the shim it is refused (status $s, no crash)"
contains "$OUT" "trustshim: refused" "and reported"
pass "verifying through dlsym works with the anchor" shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- $D --verify "$PORT_good"
fails "and fails without it" shim -- $D --verify "$PORT_good"
done_testing
