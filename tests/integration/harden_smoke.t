#!/usr/bin/env bash
# System-wide smoke (scripts/smoke): with the shim preloaded and TRUSTSHIM_*
# set, 70 ordinary programs give byte-identical stdout, stderr and exit
# status.  `make smoke` also measures the start-up cost.
. "$(dirname "$0")/../lib/common.sh"
T=120 pass "scripts/smoke: every program identical with the shim preloaded" timeout 120 "$TS_ROOT/scripts/smoke"
n=$(printf '%s' "$OUT" | sed -n 's/^smoke: \([0-9]*\) of \([0-9]*\) programs identical.*/\1/p')
[ "${n:-0}" -ge 50 ]; ok $? "at least 50 programs compared (${n:-0})"
diag "figure: programs smoke-tested: ${n:-0}" "$(printf '%s' "$OUT" | grep 'not installed' || true)"
done_testing
