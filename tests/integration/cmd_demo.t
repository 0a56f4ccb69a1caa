#!/usr/bin/env bash
# make demo's script: exits 0, shows every step, and leaves nothing behind.
. "$(dirname "$0")/../lib/common.sh"
export XDG_CACHE_HOME=$TMP/cache  # the Node/Go anchor files go here, not in ~/.cache
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD TRUSTSHIM_LIB
if [ ! -f "$TS_ROOT/build/libtrustshim.so" ]; then echo "1..0 # SKIP library not built"; exit 0; fi
mkdir -p "$TMP/t"
OUT=$(TMPDIR=$TMP/t timeout 120 "$TS_ROOT/scripts/demo" 2>&1); s=$?
ok $s "scripts/demo exits 0"; [ $s -eq 0 ] || diag "$OUT"
for n in 1 2 3 4 5; do contains "$OUT" "^== $n\. " "shows step $n"; done
contains "$OUT" "curl refuses the certificate" "curl fails without trustshim"
contains "$OUT" "curl trusts the local CA" "curl succeeds through trustshim"
contains "$OUT" "python requests trusts it" "requests succeeds through trustshim"
contains "$OUT" "trustshim: refused to skip verification" "the refusal line is shown"
contains "$OUT" '"event": "skip_verification"' "the JSON record is shown"
lacks "$OUT" "UNEXPECTED" "no step misbehaved"
[ -z "$(ls -A "$TMP/t")" ]; ok $? "the temporary directory is removed"
done_testing
