#!/usr/bin/env bash
# TRUSTSHIM_ALLOW: host:port, exe=, wildcards, IPv6; an unparsable entry is
# reported and widens nothing.
. "$(dirname "$0")/../lib/common.sh"
https_server u1 "$TS_PKI/other.pem" "$TS_PKI/other.key"
https_server u2 "$TS_PKI/other.pem" "$TS_PKI/other.key"
https_server u6 "$TS_PKI/other.pem" "$TS_PKI/other.key" --bind ::1
GET="$PY $TS_ROOT/tests/lib/get.py"
k() { curl -ksS --max-time 10 "$@"; }
export -f k

OUT=$(shim TRUSTSHIM_ALLOW="127.0.0.1:$PORT_u1" TRUSTSHIM_LOG="$TMP/log" -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u1/" 2>&1); ok $? "127.0.0.1:PORT lets curl -k through on that port"
contains "$(cat "$TMP/log")" '"decision":"allowed".*"rule":"127\.0\.0\.1:'"$PORT_u1"'"' "the allowed attempt is recorded with its rule"
fails "the same entry does not cover another port" shim TRUSTSHIM_ALLOW="127.0.0.1:$PORT_u1" -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u2/"
pass "a bare IP covers every port" shim TRUSTSHIM_ALLOW="127.0.0.1" -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u2/"
pass "exe=curl lets curl -k through" shim TRUSTSHIM_ALLOW="exe=curl" -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u1/"
pass "exe=/usr/bin/cu* (full path glob) lets curl -k through" shim TRUSTSHIM_ALLOW="exe=/usr/bin/cu*" -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u1/"
fails "exe=curl does not let python verify=False through" shim TRUSTSHIM_ALLOW="exe=curl" -- $GET requests-noverify "https://127.0.0.1:$PORT_u1/"
pass "wildcard *.example.test covers a.b.example.test" shim TRUSTSHIM_ALLOW="*.example.test" -- curl -ksS --max-time 10 --resolve "a.b.example.test:$PORT_u1:127.0.0.1" "https://a.b.example.test:$PORT_u1/"
pass "wildcard with port" shim TRUSTSHIM_ALLOW="*.example.test:$PORT_u1" -- curl -ksS --max-time 10 --resolve "api.example.test:$PORT_u1:127.0.0.1" "https://API.example.test:$PORT_u1/"
fails "wildcard does not cover the bare domain" shim TRUSTSHIM_ALLOW="*.example.test" -- curl -ksS --max-time 10 --resolve "example.test:$PORT_u1:127.0.0.1" "https://example.test:$PORT_u1/"
fails "wildcard does not cover another domain" shim TRUSTSHIM_ALLOW="*.example.test" -- curl -ksS --max-time 10 --resolve "evil-example.test:$PORT_u1:127.0.0.1" "https://evil-example.test:$PORT_u1/"
pass "a host name entry matches the SNI name" shim TRUSTSHIM_ALLOW="dev.local:$PORT_u1" -- curl -ksS --max-time 10 --resolve "dev.local:$PORT_u1:127.0.0.1" "https://dev.local:$PORT_u1/"
pass "IPv6 [::1]:PORT lets curl -k through" shim TRUSTSHIM_ALLOW="[::1]:$PORT_u6" -- curl -ksS --max-time 10 "https://[::1]:$PORT_u6/"
OUT=$(shim -- curl -ksS --max-time 10 "https://[::1]:$PORT_u6/" 2>&1); [ $? -ne 0 ]; ok $? "IPv6 without an entry: refused"
contains "$OUT" "TRUSTSHIM_ALLOW=\[::1\]:$PORT_u6" "IPv6 allow hint is bracketed"
fails "IPv6 entry for another port does not match" shim TRUSTSHIM_ALLOW="[::1]:1" -- curl -ksS --max-time 10 "https://[::1]:$PORT_u6/"
OUT=$(shim TRUSTSHIM_ALLOW="*,127.0.0.1:99999,[::1,exe=" -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u1/" 2>&1); [ $? -ne 0 ]; ok $? "unparsable entries widen nothing"
n=$(printf '%s\n' "$OUT" | grep -c "TRUSTSHIM_ALLOW: .*unparsable")
[ "$n" -eq 4 ]; ok $? "each unparsable entry is reported (got $n)"
pass "a bad entry beside a good one: the good one still works" shim TRUSTSHIM_ALLOW="bad:entry:x,127.0.0.1:$PORT_u1" -- curl -ksS --max-time 10 "https://127.0.0.1:$PORT_u1/"
done_testing
