#!/usr/bin/env bash
# System-wide smoke (scripts/smoke): with the shim preloaded and TRUSTSHIM_*
# set, 70 ordinary programs give byte-identical stdout, stderr and exit
# status.  `make smoke` also measures the start-up cost.
. "$(dirname "$0")/../lib/common.sh"
T=120 pass "scripts/smoke: every program identical with the shim preloaded" timeout 120 "$TS_ROOT/scripts/smoke"
n=$(printf '%s' "$OUT" | sed -n 's/^smoke: \([0-9]*\) of \([0-9]*\) programs identical.*/\1/p')
[ "${n:-0}" -ge 50 ]; ok $? "at least 50 programs compared (${n:-0})"
diag "figure: programs smoke-tested: ${n:-0}" "$(printf '%s' "$OUT" | grep 'not installed' || true)"

# fork() must cost about the same with the shim: a shell forks for every
# $(...).  The audit writer's atfork child handler used to clear its whole
# 2 MB flood table in every child: 0.8 ms per fork, scripts twice as slow.
if [ "$TS_LIB" = "${TS_LIB##* }" ]; then
	base=$(noshim "$TS_ROOT/build/clients/harden_forkcost")
	with=$(shim TRUSTSHIM_CA="$TS_PKI/ca.pem" TRUSTSHIM_LOG="$TMP/fc.jsonl" -- "$TS_ROOT/build/clients/harden_forkcost")
	[ "${with:-999999}" -le $(( 2 * ${base:-0} + 100 )) ]
	ok $? "fork()+exit()+wait costs ${with} us with the shim, ${base} us without (limit: twice + 100 us)"
	diag "figure: fork cost ${base} us without, ${with} us with the shim"
else
	skip "fork cost is not measured under a sanitizer runtime"
fi
done_testing
