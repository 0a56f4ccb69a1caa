#!/usr/bin/env bash
# A process that uses no TLS is untouched: same stdout, stderr and exit code,
# nothing printed (even with bad TRUSTSHIM_* values), no TLS library mapped.
. "$(dirname "$0")/../lib/common.sh"
mkdir -p "$TMP/tree/a" && echo hello > "$TMP/tree/a/f" && printf 'b\na\nc\n' > "$TMP/lines"
progs=(
	"ls /"
	"cat $TMP/lines"
	"sort $TMP/lines"
	"sh -c 'echo \$((6*7)); exit 3'"
	"bash -c 'ls /nonexistent'"
	"python3 -c 'import sys; print(sys.version_info[0]); sys.exit(4)'"
	"$PY -c 'import json; print(json.dumps({\"a\": 1}))'"
	"perl -e 'print 1+1, qq(\n); exit 5'"
	"awk '{print NR\": \"\$0}' $TMP/lines"
	"sed -n 2p $TMP/lines"
	"grep -c a $TMP/lines"
	"tar -C $TMP -cf - tree | tar -tf -"
	"find $TMP/tree -type f"
	"date -u -d @0 +%Y"
	"env -i /bin/true"
	"wc -l $TMP/lines"
)
bad_env=(TRUSTSHIM_CA=/nonexistent.pem TRUSTSHIM_MODE=bogus TRUSTSHIM_ALLOW='*,[::1' TRUSTSHIM_LOG=relative)
for p in "${progs[@]}"; do
	want=$(cd "$TMP" && env -u LD_PRELOAD bash -c "$p" 2>"$TMP/err.want"; echo "status=$?")
	got=$(cd "$TMP" && shim "${bad_env[@]}" -- bash -c "$p" 2>"$TMP/err.got"; echo "status=$?")
	[ "$want" = "$got" ] && cmp -s "$TMP/err.want" "$TMP/err.got"
	ok $? "identical output, errors and status: $p"
done
maps=$(shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- cat /proc/self/maps)
contains "$maps" "libtrustshim" "the shim is mapped"
lacks "$maps" "libssl|libcrypto|libgnutls" "no TLS library is mapped into cat"
maps=$(shim TRUSTSHIM_CA="$TS_PKI/ca.pem" -- $PY -c 'print(open("/proc/self/maps").read())')
lacks "$maps" "libssl|libgnutls" "no TLS library is mapped into python that imports no ssl"
done_testing
