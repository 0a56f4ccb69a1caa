#!/usr/bin/env bash
# Audit records from real programs: every field of DESIGN.md, the caller
# (shared object + symbol/offset), the Python source line that switched
# verification off (Debian's python3 and the other python3), config errors
# and anchors as records, and the flood bound on a loop.
. "$(dirname "$0")/../lib/common.sh"
https_server u "$TS_PKI/other.pem" "$TS_PKI/other.key"
U=$PORT_u
L=$TMP/log.jsonl
q() { python3 - "$L" "$@"; }   # q CODE: evaluates CODE over the records, prints result
check='
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
att = [r for r in recs if r["event"] == "skip_verification"]
'
OUT=$(shim TRUSTSHIM_LOG="$L" TRUSTSHIM_CA="$TS_PKI/ca.pem:$TMP/missing.pem" -- curl -ksS --max-time 10 "https://127.0.0.1:$U/" 2>&1)
pass "every line is valid JSON" python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$L"
OUT=$(python3 -c "$check
a = att[0]
for k in ('time','event','pid','exe','lib','host','port','host_source','api','caller','decision','rule','error'):
    assert k in a, k
print(a['lib'], a['host'], a['port'], a['host_source'], a['decision'], a['exe'])
print('api=' + a['api']); print('caller=' + a['caller']); print('error=' + str(a['error'])); print('time=' + a['time'])
ce = [r for r in recs if r['event'] == 'config_error']; print('config_error', ce[0]['var'], ce[0]['value'], ce[0]['reason'])
al = [r for r in recs if r['event'] == 'anchors_loaded']; print('anchors', al[0]['count'], al[0]['sources'])
" "$L" 2>&1)
ok $? "the attempt record has every field"; diag "$OUT"
contains "$OUT" "^openssl 127\.0\.0\.1 $U peer refused /usr/bin/curl" "lib, host, port, host_source, decision, exe"
contains "$OUT" "api=SSL_CTX_set_verify\(SSL_VERIFY_NONE\)" "api says how verification was switched off"
contains "$OUT" "caller=libcurl\.so\.4\(" "caller names libcurl"
contains "$OUT" "error=unable to get local issuer certificate" "error says what verification found"
contains "$OUT" "time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z" "time is RFC 3339 UTC with milliseconds"
contains "$OUT" "config_error TRUSTSHIM_CA $TMP/missing.pem .*[Nn]o such file" "a config error is a record"
contains "$OUT" "anchors 1 .*ca\.pem" "anchors loaded: count and sources"

# Python attribution: the script's own line, for both pythons.
cat > "$TMP/client_script.py" <<'PYEOF'
import sys, requests, warnings
warnings.simplefilter("ignore")
def fetch(url):
    return requests.get(url, timeout=10, verify=False)   # line 4
try:
    fetch(sys.argv[1])
except Exception:
    pass
PYEOF
for py in /usr/bin/python3 python3; do
	rm -f "$L"
	shim TRUSTSHIM_LOG="$L" -- $py "$TMP/client_script.py" "https://127.0.0.1:$U/" >/dev/null 2>&1
	OUT=$(python3 -c "$check
print(att[0]['api']); print('\n'.join(att[0].get('python', [])))" "$L" 2>&1)
	contains "$OUT" "client_script\.py:4 in fetch" "$py: the record names the script line that passed verify=False"
	contains "$OUT" "client_script\.py:6 in <module>" "$py: and its caller"
	contains "$OUT" "_ssl|SSL_CTX_set_verify" "$py: and the native api"
done

# The flood bound: the same attempt 300 times writes a handful of records
# whose last count is 300.
rm -f "$L"
cat > "$TMP/loop.py" <<'PYEOF'
import sys, ssl, socket
port = int(sys.argv[1])
for i in range(300):
    ctx = ssl._create_unverified_context()
    with socket.create_connection(("127.0.0.1", port)) as s:
        with ctx.wrap_socket(s) as t:
            pass
PYEOF
shim TRUSTSHIM_MODE=audit TRUSTSHIM_LOG="$L" -- $PY "$TMP/loop.py" "$U" 2>"$TMP/loop.err"
ok $? "300 audited attempts in a loop succeed"
OUT=$(python3 -c "$check
print(len(att), max(r.get('count') or 0 for r in att))" "$L")
read -r n maxc <<<"$OUT"
[ "$n" -le 5 ]; ok $? "300 attempts wrote $n records (at most 5)"
[ "$maxc" -eq 300 ]; ok $? "the last record carries count 300 (got $maxc)"
n=$(grep -c '^trustshim:' "$TMP/loop.err")
[ "$n" -le 5 ]; ok $? "and at most 5 human lines on stderr (got $n)"
done_testing
