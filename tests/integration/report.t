#!/bin/bash
# trustshim-report on a handcrafted log: grouping, counting (largest count per
# site, 1 per record without one), Python attribution, configuration errors,
# bad lines counted and skipped, --json, exit statuses.
set -u
cd "$(dirname "$0")/../.."
report=$PWD/scripts/trustshim-report
work=$(mktemp -d "${TMPDIR:-/tmp}/report.XXXXXX")
trap 'rm -rf "$work"' EXIT

n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
has() { grep -qF -- "$2" "$1"; }

T='"time":"2026-11-29T12:00:00.123Z"'
CURL='"exe":"/usr/bin/curl","lib":"openssl"'
PY='"exe":"/usr/bin/python3.11","lib":"openssl"'
{
# curl -k in one process: records at 1, 10 and the exit flush at 12 -> 12
for c in 1 10 12; do
echo '{'$T',"event":"skip_verification","pid":100,'$CURL',"host":"127.0.0.1","port":8443,"host_source":"peer","peer_ip":"127.0.0.1","api":"SSL_CTX_set_verify(SSL_VERIFY_NONE)","caller":"libcurl.so.4(Curl_ossl_connect+0x1a2)","decision":"refused","rule":null,"error":"self-signed certificate","count":'$c'}'
done
# a second curl process: its own count
echo '{'$T',"event":"skip_verification","pid":101,'$CURL',"host":"127.0.0.1","port":8443,"host_source":"peer","peer_ip":"127.0.0.1","api":"SSL_CTX_set_verify(SSL_VERIFY_NONE)","caller":"libcurl.so.4(Curl_ossl_connect+0x1a2)","decision":"refused","rule":null,"error":"self-signed certificate","count":1}'
# python: urllib3 innermost, the test script below it
echo '{'$T',"event":"skip_verification","pid":200,'$PY',"host":"::1","port":4443,"host_source":"sni","peer_ip":"::1","api":"SSL_CTX_set_verify(SSL_VERIFY_NONE)","caller":"_ssl.cpython-311-x86_64-linux-gnu.so(+0x1234)","decision":"audited","rule":null,"error":null,"python":["/usr/lib/python3/dist-packages/urllib3/util/ssl_.py:360 in ssl_wrap_socket","/usr/lib/python3.11/ssl.py:500 in wrap","/src/tests/test_api.py:42 in test_fetch","/src/tests/conftest.py:7 in run"],"count":1000}'
# same, without a count (an older writer): counts 1
echo '{'$T',"event":"skip_verification","pid":200,'$PY',"host":"::1","port":4443,"host_source":"sni","peer_ip":"::1","api":"SSL_CTX_set_verify(SSL_VERIFY_NONE)","caller":"_ssl.cpython-311-x86_64-linux-gnu.so(+0x1234)","decision":"audited","rule":null,"error":"hostname mismatch","python":["/usr/lib/python3/dist-packages/urllib3/util/ssl_.py:360 in ssl_wrap_socket","/src/tests/test_api.py:42 in test_fetch"]}'
# python frames all in libraries: the innermost one stands
echo '{'$T',"event":"skip_verification","pid":201,'$PY',"host":"pypi.example.test","port":443,"host_source":"sni","peer_ip":null,"api":"SSL_set_verify(SSL_VERIFY_NONE)","caller":"_ssl.cpython-311-x86_64-linux-gnu.so(+0x1234)","decision":"allowed","rule":"*.example.test","error":null,"python":["/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/pip/x.py:9 in get"],"count":1}'
# no host known, no caller
echo '{'$T',"event":"skip_verification","pid":300,"exe":"/opt/app/bin/svc \"x\"","lib":"gnutls","host":null,"port":null,"host_source":"unknown","api":"gnutls_certificate_set_verify_function","caller":null,"decision":"refused","rule":null,"error":"certificate signer not found","count":1}'
echo '{'$T',"event":"config_error","pid":100,'$CURL',"var":"TRUSTSHIM_CA","value":"/etc/missing.pem","reason":"no such file or directory"}'
echo '{'$T',"event":"config_error","pid":200,'$PY',"var":"TRUSTSHIM_CA","value":"/etc/missing.pem","reason":"no such file or directory"}'
echo '{'$T',"event":"config_error","pid":200,'$PY',"var":"TRUSTSHIM_MODE","value":null,"reason":"empty value; using enforce"}'
echo '{'$T',"event":"anchors_loaded","pid":100,'$CURL',"count":2,"sources":["/etc/ca/local.pem","TRUSTSHIM_CA_PEM"]}'
# bad lines
echo 'not json at all'
echo '{"time":"2026-11-29T12:00:00.123Z","event":"skip_verif'
echo '[1,2,3]'
echo '{"no_event":true}'
printf '{"event":"config_error","var":"\xff\xfe"}\n'
echo ''
echo '{'$T',"event":"something_new","pid":1}'
} > "$work/log.jsonl"

"$report" "$work/log.jsonl" > "$work/out.txt" 2> "$work/err.txt"
ok $? "text report exits 0 despite bad lines"
[ ! -s "$work/err.txt" ]; ok $? "nothing on stderr"
has "$work/out.txt" "Summary: 13 records read from 1 file, 5 bad lines skipped, 1016 attempts to skip verification (allowed 1, audited 1001, refused 14)"
ok $? "summary: records, bad lines, attempts and decisions"
has "$work/out.txt" "/usr/bin/python3.11  (1002 attempts)"; ok $? "programs with their totals"
has "$work/out.txt" "/usr/bin/curl  (13 attempts)"; ok $? "largest count per process, summed over processes"
has "$work/out.txt" "  python: /src/tests/test_api.py:42 in test_fetch"
ok $? "python source: the innermost frame outside dist-packages and the standard library"
grep -A1 "python: /src/tests/test_api.py:42" "$work/out.txt" | grep -q '^    \[::1\]:4443 *audited 1001$'
ok $? "IPv6 target in brackets; a record without count counts 1"
has "$work/out.txt" "      native caller _ssl.cpython-311-x86_64-linux-gnu.so(+0x1234)"; ok $? "the native caller is kept beside the python source"
has "$work/out.txt" "      the certificate verified at times"; ok $? "says when verification passed for some attempts"
has "$work/out.txt" "  python: /root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/pip/x.py:9 in get"
ok $? "all frames in libraries: the innermost frame"
has "$work/out.txt" "      allowed by '*.example.test'"; ok $? "allowlist rule shown"
has "$work/out.txt" "  libcurl.so.4(Curl_ossl_connect+0x1a2)"; ok $? "native caller as the source without python"
grep -A3 "^  libcurl.so.4" "$work/out.txt" | grep -q "verification said: self-signed certificate"
ok $? "what verification said"
has "$work/out.txt" '/opt/app/bin/svc "x"  (1 attempt)'; ok $? "odd program names shown"
grep -A1 "^  unknown caller" "$work/out.txt" | grep -q "^    unknown host  *refused 1$"
ok $? "unknown caller and unknown host"
has "$work/out.txt" "  TRUSTSHIM_CA: /etc/missing.pem: no such file or directory  (2 records; /usr/bin/curl, /usr/bin/python3.11)"
ok $? "configuration errors grouped, with programs"
has "$work/out.txt" "  TRUSTSHIM_MODE: empty value; using enforce  (1 record; /usr/bin/python3.11)"
ok $? "configuration error without a value"
has "$work/out.txt" "/usr/bin/curl (openssl): 2 anchors from /etc/ca/local.pem, TRUSTSHIM_CA_PEM"
ok $? "anchors loaded"

"$report" --json "$work/log.jsonl" > "$work/out.json"
ok $? "--json exits 0"
python3 - "$work/out.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["records"] == 13 and r["bad_lines"] == 5 and r["unknown_events"] == 1, r
assert r["attempts"] == 1016 and r["decisions"] == {"allowed": 1, "audited": 1001, "refused": 14}, r["decisions"]
progs = {p["exe"]: p for p in r["programs"]}
assert [p["exe"] for p in r["programs"]][0] == "/usr/bin/python3.11"
py = progs["/usr/bin/python3.11"]
src = {s["source"]: s for s in py["sources"]}
t = src["/src/tests/test_api.py:42 in test_fetch"]
assert t["kind"] == "python" and t["attempts"] == 1001
tt = t["targets"][0]
assert tt["target"] == "[::1]:4443" and tt["decisions"] == {"audited": 1001}
assert tt["errors"] == ["hostname mismatch"] and tt["verified_sometimes"] is True
curl = progs["/usr/bin/curl"]["sources"][0]
assert curl["kind"] == "caller" and curl["source"] == "libcurl.so.4(Curl_ossl_connect+0x1a2)"
assert curl["targets"][0]["decisions"] == {"refused": 13}
ce = {(e["var"], e["value"]): e for e in r["config_errors"]}
assert ce[("TRUSTSHIM_CA", "/etc/missing.pem")]["records"] == 2
assert ce[("TRUSTSHIM_MODE", None)]["reason"] == "empty value; using enforce"
assert r["anchors_loaded"][0]["count"] == 2

PY
ok $? "--json: the same structure, for machines"

# several logs, and standard input
"$report" "$work/log.jsonl" - < "$work/log.jsonl" > "$work/two.txt"
has "$work/two.txt" "Summary: 26 records read from 2 files, 10 bad lines skipped"
ok $? "several logs add up; - reads standard input"

: > "$work/empty.jsonl"
"$report" "$work/empty.jsonl" > "$work/empty.txt"
[ $? = 0 ] && has "$work/empty.txt" "Summary: 0 records read from 1 file, 0 bad lines skipped, 0 attempts to skip verification"
ok $? "an empty log: a summary and exit 0"

"$report" > /dev/null 2> "$work/err.txt"
[ $? = 2 ] && has "$work/err.txt" "usage: trustshim-report"; ok $? "no log: usage, exit 2"
"$report" --frobnicate x > /dev/null 2> "$work/err.txt"
[ $? = 2 ] && has "$work/err.txt" "unknown option --frobnicate"; ok $? "unknown option: exit 2"
"$report" "$work/nope.jsonl" "$work/log.jsonl" > "$work/out.txt" 2> "$work/err.txt"
rc=$?
[ $rc = 2 ] && has "$work/err.txt" "trustshim report: $work/nope.jsonl: no such file or directory"
ok $? "unreadable log: named on stderr, exit 2"
has "$work/out.txt" "13 records read"; ok $? "unreadable log: the readable ones are still reported"
"$report" --help | grep -q usage; ok $? "--help prints the usage"
echo "1..$n"
