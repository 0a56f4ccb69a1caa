#!/usr/bin/env bash
# trustshim --fail-on-insecure: the command's own status when it failed;
# 3 when it succeeded but the run recorded an attempt to skip verification
# (refused, allowed or audited); 0 otherwise.  Only this run's records count.
. "$(dirname "$0")/../lib/common.sh"
export XDG_CACHE_HOME=$TMP/cache  # the Node/Go anchor files go here, not in ~/.cache
TSC=$TS_ROOT/scripts/trustshim
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD
if [ ! -f "$TS_LIB" ]; then
	echo "1..0 # SKIP library not built"
	exit 0
fi
export TRUSTSHIM_LIB=$TS_LIB
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server self "$TS_PKI/self.pem" "$TS_PKI/self.key"
G=https://127.0.0.1:$PORT_good/ S=https://127.0.0.1:$PORT_self/
CURL="curl -sS --max-time 10"

gate() { # DESC WANT ARGS...: OUT holds stderr+stdout
	local d=$1 want=$2; shift 2
	OUT=$(timeout "$T" "$TSC" "$@" 2>&1 </dev/null); local s=$?
	[ $s -eq "$want" ]; ok $? "$d (want $want)"; [ $s -eq "$want" ] || diag "exit $s" "$OUT"
}
gate "clean run: 0" 0 --ca "$TS_PKI/ca.pem" --fail-on-insecure -- $CURL "$G"
lacks "$OUT" "trustshim:" "clean run: nothing printed by trustshim"
gate "enforce, curl -k to an untrusted host: the refusal fails curl, its own status 60" 60 --fail-on-insecure -- $CURL -k "$S"
contains "$OUT" "trustshim: refused to skip verification" "the library's human line is shown"
[ "$(printf '%s\n' "$OUT" | grep -c 'refused to skip verification')" = 1 ]; ok $? "...once (not repeated by the summary)"
gate "enforce, curl -k to a valid host: succeeded but tried, 3" 3 --ca "$TS_PKI/ca.pem" --fail-on-insecure -- $CURL -k "$G"
contains "$OUT" "recorded 1 attempt to skip verification" "the summary counts it"
contains "$OUT" "refused: curl tried to skip verification for 127.0.0.1:$PORT_good" "and names program and host"
gate "audit, curl -k: 3" 3 --mode audit --fail-on-insecure -- $CURL -k "$S"
contains "$OUT" "audited: curl skipped verification for 127.0.0.1:$PORT_self \(SSL_CTX_set_verify" "audit: summary line with the api"
gate "allowlisted, curl -k: still 3 (allowed attempts count)" 3 --allow "127.0.0.1:$PORT_self" --fail-on-insecure -- $CURL -k "$S"
contains "$OUT" "allowed by 127.0.0.1:$PORT_self" "allowed: the rule is named"
gate "python requests verify=False, audit: 3" 3 --mode audit --fail-on-insecure -- $PY -c \
	'import requests, urllib3, sys; urllib3.disable_warnings(); requests.get(sys.argv[1], verify=False, timeout=10)' "$S"
gate "a failing command keeps its own status even with attempts" 9 --mode audit --fail-on-insecure -- sh -c "$CURL -k '$S' >/dev/null; exit 9"
gate "mode off: nothing recorded, 0" 0 --mode off --fail-on-insecure -- $CURL -k "$S"
gate "several processes: all count" 3 --mode audit --fail-on-insecure -- sh -c "$CURL -k '$S' && $CURL -k '$S'"
contains "$OUT" "recorded 2 attempts" "two processes, two attempts"

# The user's own log file: records land there; earlier records do not count.
L=$TMP/audit.jsonl
gate "with --log FILE: 3" 3 --mode audit --log "$L" --fail-on-insecure -- $CURL -k "$S"
grep -q '"event":"skip_verification"' "$L"; ok $? "the record is in the user's file"
contains "$OUT" "see $L" "the message points at the file"
gate "records from earlier runs in the same file do not count" 0 --ca "$TS_PKI/ca.pem" --log "$L" --fail-on-insecure -- $CURL "$G"
env TRUSTSHIM_MODE=audit TRUSTSHIM_LOG="$L" timeout "$T" "$TSC" --fail-on-insecure -- $CURL -k "$S" >/dev/null 2>&1; s=$?
[ $s -eq 3 ]; ok $? "TRUSTSHIM_LOG=FILE and TRUSTSHIM_MODE from the environment: 3"
mkdir -p "$TMP/tmpdir"
TMPDIR=$TMP/tmpdir timeout "$T" "$TSC" --mode audit --fail-on-insecure -- $CURL -k "$S" >/dev/null 2>&1
[ -z "$(ls -A "$TMP/tmpdir")" ]; ok $? "the temporary log is removed"
done_testing
