#!/usr/bin/env bash
# Replays every fuzz corpus (seeds and inputs that once broke an invariant)
# through its target with the plain driver, so the regressions stay tested
# without clang.  See tests/fuzz/fuzz.h.
. "$(dirname "$0")/../lib/common.sh"
total=0
for src in "$TS_ROOT"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c); t=${t#fuzz_}
	bin=$TS_ROOT/build/fuzz-replay/$t
	if [ ! -x "$bin" ]; then ok 1 "replay driver for $t is built (make test builds it)"; continue; fi
	pass "corpus $t replays with every invariant holding" "$bin" "$TS_ROOT/tests/fuzz/$t"
	n=$(printf '%s' "$OUT" | sed -n 's/^replayed \([0-9]*\) inputs$/\1/p')
	[ "${n:-0}" -gt 0 ]; ok $? "corpus $t is not empty ($n inputs)"
	total=$((total + ${n:-0}))
done
diag "figure: fuzz corpus inputs replayed: $total"
done_testing
