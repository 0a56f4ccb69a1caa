#!/usr/bin/env bash
# The bundle cache is on by default and shares parsed certificates between
# contexts; TRUSTSHIM_CACHE=off and TRUSTSHIM_MODE=off leave every context
# its own copy, as without the shim.  Cached or not, a load leaves the
# program's error queue as OpenSSL leaves it: no stray entries.
. "$(dirname "$0")/../lib/common.sh"
CHECK=$TS_ROOT/build/clients/cache_check
BUNDLE=/etc/ssl/certs/ca-certificates.crt
for src in default "$BUNDLE" "$TS_PKI/ca.pem"; do
	pass "$src: shim" shim -- "$CHECK" share "$src"
	contains "$OUT" "^shared$" "$src: two contexts share the parsed certificates"
	for e in TRUSTSHIM_CACHE=off TRUSTSHIM_MODE=off; do
		pass "$src: $e" shim "$e" -- "$CHECK" share "$src"
		contains "$OUT" "^private$" "$src: $e: each context parses its own"
	done
	pass "$src: no shim" noshim "$CHECK" share "$src"
	contains "$OUT" "^private$" "$src: no shim: each context parses its own"
	pass "$src: shim with an anchor" shim TRUSTSHIM_CA="$TS_PKI/other-ca.pem" -- "$CHECK" share "$src"
	contains "$OUT" "^shared$" "$src: shared alongside TRUSTSHIM_CA"
done
pass "TRUSTSHIM_CACHE=on is the default spelled out" shim TRUSTSHIM_CACHE=on -- "$CHECK" share default
contains "$OUT" "^shared$" "TRUSTSHIM_CACHE=on shares"

for src in default "$BUNDLE" "$TS_PKI/ca.pem"; do
	pass "$src: no stray errors, cache on (miss, then hit)" shim -- "$CHECK" errq "$src"
	on=$OUT
	pass "$src: no stray errors without the shim" noshim "$CHECK" errq "$src"
	[ "$on" = "$OUT" ]; ok $? "$src: the program's error queue ends as without the shim"
	[ "$on" = "$OUT" ] || diag "shim:" "$on" "no shim:" "$OUT"
done
done_testing
