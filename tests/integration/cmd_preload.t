#!/usr/bin/env bash
# trustshim command: the library is found in a build tree, in an installed
# layout and through symlinks, and prepended to LD_PRELOAD; --ca/--allow/
# --mode/--log become the TRUSTSHIM_* variables.
. "$(dirname "$0")/../lib/common.sh"
export XDG_CACHE_HOME=$TMP/cache  # the Node/Go anchor files go here, not in ~/.cache
TSC=$TS_ROOT/scripts/trustshim
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD TRUSTSHIM_LIB
if [ -f "$TS_LIB" ]; then LIB=$TS_LIB
else echo 'int ts_stand_in;' | cc -shared -fPIC -x c - -o "$TMP/libstandin.so" && LIB=$TMP/libstandin.so; fi
show='printf "%s\n" "$LD_PRELOAD"'

# Layouts built by hand, so they work without the real library.
mkdir -p "$TMP/tree/scripts" "$TMP/tree/build" "$TMP/inst/bin" "$TMP/inst/lib/trustshim" "$TMP/links"
LIBSH=$TS_ROOT/scripts/trustshim-lib.sh  # sourced by the command: next to it, or in lib/trustshim
cp "$TSC" "$LIBSH" "$TMP/tree/scripts/"; cp "$LIB" "$TMP/tree/build/libtrustshim.so"
cp "$TSC" "$TMP/inst/bin/trustshim"; cp "$LIB" "$LIBSH" "$TMP/inst/lib/trustshim/"
ln -s "$TMP/inst/bin/trustshim" "$TMP/links/trustshim"
ln -s ../inst/bin/trustshim "$TMP/links/rel-trustshim"

OUT=$("$TMP/tree/scripts/trustshim" -- sh -c "$show"); [ "$OUT" = "$TMP/tree/build/libtrustshim.so" ]
ok $? "build tree: scripts/trustshim finds build/libtrustshim.so"; [ "$OUT" = "$TMP/tree/build/libtrustshim.so" ] || diag "$OUT"
OUT=$("$TMP/inst/bin/trustshim" -- sh -c "$show"); [ "$OUT" = "$TMP/inst/lib/trustshim/libtrustshim.so" ]
ok $? "installed: bin/trustshim finds lib/trustshim/libtrustshim.so"
OUT=$("$TMP/links/trustshim" -- sh -c "$show"); [ "$OUT" = "$TMP/inst/lib/trustshim/libtrustshim.so" ]
ok $? "through an absolute symlink"
OUT=$(cd / && PATH="$TMP/links:$PATH" rel-trustshim -- sh -c "$show"); [ "$OUT" = "$TMP/inst/lib/trustshim/libtrustshim.so" ]
ok $? "through a relative symlink found on PATH, from another directory"
OUT=$(cd "$TMP/inst/bin" && sh ./trustshim -- sh -c "$show"); [ "$OUT" = "$TMP/inst/lib/trustshim/libtrustshim.so" ]
ok $? "run as 'sh ./trustshim'"
OUT=$(TRUSTSHIM_LIB="$LIB" "$TMP/inst/bin/trustshim" -- sh -c "$show"); [ "$OUT" = "$(readlink -f "$LIB")" ]
ok $? "TRUSTSHIM_LIB overrides both"
mkdir -p "$TMP/empty/bin" "$TMP/empty/lib/trustshim"; cp "$TSC" "$TMP/empty/bin/trustshim"
OUT=$("$TMP/empty/bin/trustshim" -- true 2>&1); s=$?
[ $s -eq 2 ]; ok $? "no trustshim-lib.sh: exit 2"
contains "$OUT" "cannot find .*/lib/trustshim/trustshim-lib.sh" "and a message naming it"
cp "$LIBSH" "$TMP/empty/lib/trustshim/"
OUT=$("$TMP/empty/bin/trustshim" -- true 2>&1); s=$?
[ $s -eq 2 ]; ok $? "no library anywhere: exit 2"
contains "$OUT" "cannot find libtrustshim.so" "and a message saying where it looked"

# Prepending.
I=$TMP/inst/bin/trustshim L=$TMP/inst/lib/trustshim/libtrustshim.so
OUT=$(LD_PRELOAD=/lib/x86_64-linux-gnu/libz.so.1 "$I" -- sh -c "$show")
[ "$OUT" = "$L /lib/x86_64-linux-gnu/libz.so.1" ]; ok $? "prepended to an existing LD_PRELOAD, which is kept after it"
[ "$OUT" = "$L /lib/x86_64-linux-gnu/libz.so.1" ] || diag "$OUT"
OUT=$(LD_PRELOAD="libz.so.1:libm.so.6" "$I" -- sh -c "$show"); [ "$OUT" = "$L libz.so.1:libm.so.6" ]
ok $? "an existing colon-separated list is kept as it was"
OUT=$("$I" -- "$I" -- sh -c "$show"); [ "$OUT" = "$L" ]; ok $? "nested trustshim does not add the library twice"
OUT=$("$I" -- sh -c 'cat /proc/self/maps' | grep -c "$L"); [ "$OUT" -gt 0 ]
ok $? "the loader really maps the library into the program"

# The variables.
printf 'x\n' >"$TMP/a.pem"; mkdir -p "$TMP/cadir"; printf 'x\n' >"$TMP/b.pem"
OUT=$(cd "$TMP" && "$I" --ca a.pem --ca ./cadir --ca "$TMP/b.pem" -- sh -c 'echo "$TRUSTSHIM_CA"')
[ "$OUT" = "$TMP/a.pem:$TMP/cadir:$TMP/b.pem" ]; ok $? "--ca paths made absolute and joined with ':'"
[ "$OUT" = "$TMP/a.pem:$TMP/cadir:$TMP/b.pem" ] || diag "$OUT"
OUT=$(TRUSTSHIM_CA=/etc/ssl/certs "$I" --ca "$TMP/a.pem" -- sh -c 'echo "$TRUSTSHIM_CA"')
[ "$OUT" = "/etc/ssl/certs:$TMP/a.pem" ]; ok $? "--ca appended to TRUSTSHIM_CA from the environment"
OUT=$(TRUSTSHIM_CA="$TMP/a.pem" "$I" --ca "$TMP/a.pem" -- sh -c 'echo "$TRUSTSHIM_CA"')
[ "$OUT" = "$TMP/a.pem" ]; ok $? "an anchor already listed is not repeated"
OUT=$(TRUSTSHIM_ALLOW=x.test "$I" --allow y.test --allow 'exe=*/curl' -- sh -c 'echo "$TRUSTSHIM_ALLOW"')
[ "$OUT" = "x.test,y.test,exe=*/curl" ]; ok $? "--allow appended to TRUSTSHIM_ALLOW with ','"
OUT=$(TRUSTSHIM_MODE=audit "$I" --mode off -- sh -c 'echo "$TRUSTSHIM_MODE"'); [ "$OUT" = off ]; ok $? "--mode overrides TRUSTSHIM_MODE"
OUT=$(cd "$TMP" && "$I" --log rel.jsonl -- sh -c 'echo "$TRUSTSHIM_LOG"'); [ "$OUT" = "$TMP/rel.jsonl" ]
ok $? "--log with a relative path is made absolute"
OUT=$("$I" --log syslog -- sh -c 'echo "$TRUSTSHIM_LOG"'); [ "$OUT" = syslog ]; ok $? "--log syslog"
OUT=$("$I" -- sh -c 'env | grep -c "^TRUSTSHIM_"'); [ "$OUT" = 0 ]; ok $? "no options: no TRUSTSHIM_* variable is invented"
OUT=$("$I" -- sh -c 'env | grep -E "^(REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE)=" | grep -v /etc/ssl/certs/ca-certificates.crt')
[ -z "$OUT" ]; ok $? "REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE are never set (they replace bundles)"
OUT=$(env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE "$I" --ca "$TS_PKI/ca.pem" -- sh -c 'env | grep -cE "^(REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE)="')
[ "$OUT" = 0 ]; ok $? "not even with --ca"

OUT=$(env -u NODE_EXTRA_CA_CERTS XDG_CACHE_HOME=$TMP/cache "$I" --ca "$TS_PKI/ca.der" -- sh -c 'echo "$NODE_EXTRA_CA_CERTS"')
[ "$(openssl x509 -in "$OUT" -noout -fingerprint 2>/dev/null)" = "$(openssl x509 -inform DER -in "$TS_PKI/ca.der" -noout -fingerprint)" ]
ok $? "a DER anchor is converted to PEM for Node"
done_testing
