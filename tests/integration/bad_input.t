#!/usr/bin/env bash
# Bad TRUSTSHIM_* values: one clear stderr line naming the variable, the
# value and the reason; no crash; good anchors beside a bad one still load;
# with no valid anchor the connection fails exactly as without the shim.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
URL=https://127.0.0.1:$PORT_good/
B=$TMP/bad
mkdir -p "$B/emptydir" "$B/nocerts" && echo "hello" > "$B/nocerts/readme.txt"
: > "$B/empty.pem"
printf 'this is not a certificate\n%.0s' {1..20} > "$B/garbage.pem"
cp "$TS_PKI/leaf.key" "$B/key.pem"
head -c 52428800 /dev/urandom > "$B/random.bin"
cp "$TS_PKI/ca.pem" "$B/unreadable.pem" && chmod 000 "$B/unreadable.pem"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	# root reads any file: run the unreadable case as nobody.
	chmod 755 "$TMP" && chmod -R a+rX "$B" "$TS_PKI" && chmod 000 "$B/unreadable.pem"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

no_shim_status() { noshim curl -sS --max-time 10 "$URL" >/dev/null 2>&1; echo $?; }
want=$(no_shim_status)

case_() { # var value reason-regex [runner...]
	local var=$1 val=$2 re=$3; shift 3
	local err status
	err=$("$@" env -u LD_PRELOAD LD_PRELOAD="$TS_LIB" "$var=$val" timeout "$T" curl -sS --max-time 10 "$URL" 2>&1 >/dev/null)
	status=$?
	local lines; lines=$(printf '%s\n' "$err" | grep -c '^trustshim:')
	[ "$lines" -eq 1 ]; ok $? "$var=$val: exactly one trustshim line"
	contains "$err" "^trustshim: $var: .*$re" "$var=$val: the line names the variable, the value and the reason"
	[ "$status" -eq "$want" ]; ok $? "$var=$val: curl fails as without the shim (status $status, want $want)"
	# Beside a good anchor, the good one still loads.
	if [ "$var" = TRUSTSHIM_CA ]; then
		"$@" env LD_PRELOAD="$TS_LIB" "$var=$val:$TS_PKI/ca.pem" timeout "$T" curl -sS --max-time 10 "$URL" >/dev/null 2>&1
		ok $? "$var=$val beside the good CA: the good anchor still loads"
	fi
}
case_ TRUSTSHIM_CA "$B/missing.pem" "[Nn]o such file"
case_ TRUSTSHIM_CA "$B/unreadable.pem" "[Pp]ermission denied" "${as_user[@]}"
case_ TRUSTSHIM_CA "$B/empty.pem" "empty"
case_ TRUSTSHIM_CA "$B/garbage.pem" "no PEM or DER certificate"
case_ TRUSTSHIM_CA "$B/key.pem" "private key"
case_ TRUSTSHIM_CA "$TS_PKI/expired-ca.pem" "expired"
case_ TRUSTSHIM_CA "$B/nocerts" "no certificates"
case_ TRUSTSHIM_CA "$B/emptydir" "no certificates"
case_ TRUSTSHIM_CA "$B/random.bin" "too large"
case_ TRUSTSHIM_CA_PEM "garbage" "no PEM or DER certificate"
case_ TRUSTSHIM_MODE "bogus" "unknown mode"

# An unknown mode still enforces: curl -k to an untrusted host is refused.
OUT=$(shim TRUSTSHIM_MODE=bogus -- curl -ksS --max-time 10 "$URL" 2>&1)
[ $? -ne 0 ]; ok $? "unknown mode falls back to enforce (curl -k refused)"
done_testing
