#!/usr/bin/env bash
# make install PREFIX=/usr DESTDIR=tmp: the installed command finds the
# installed library relative to itself, from any directory and through a
# symlink, and really preloads it.
. "$(dirname "$0")/../lib/common.sh"
export XDG_CACHE_HOME=$TMP/cache  # the Node/Go anchor files go here, not in ~/.cache
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD TRUSTSHIM_LIB
D=$TMP/dest
OUT=$(make -s -C "$TS_ROOT" install PREFIX=/usr DESTDIR="$D" 2>&1); s=$?
ok $s "make install PREFIX=/usr DESTDIR=tmp"; [ $s -eq 0 ] || { diag "$OUT"; done_testing; }
I=$D/usr/bin/trustshim L=$D/usr/lib/trustshim/libtrustshim.so
[ -x "$I" ]; ok $? "installs \$PREFIX/bin/trustshim, executable"
[ -f "$L" ]; ok $? "installs \$PREFIX/lib/trustshim/libtrustshim.so"
OUT=$(cd / && "$I" -- sh -c 'printf "%s\n" "$LD_PRELOAD"'); [ "$OUT" = "$L" ]
ok $? "the installed command preloads the installed library (run from /)"; [ "$OUT" = "$L" ] || diag "$OUT"
ln -s "$I" "$TMP/trustshim"
OUT=$(cd "$TMP" && PATH="$TMP:$PATH" trustshim -- sh -c 'printf "%s\n" "$LD_PRELOAD"'); [ "$OUT" = "$L" ]
ok $? "through a symlink on PATH"
OUT=$("$I" -- sh -c 'grep -c libtrustshim.so /proc/self/maps'); [ "${OUT:-0}" -gt 0 ]; ok $? "the loader maps it"
OUT=$("$I" --version); [ "$OUT" = "trustshim 0.1.0" ]; ok $? "installed --version"
https_server i "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
pass "installed: curl reaches a private-CA host with --ca" timeout "$T" "$I" --ca "$TS_PKI/ca.pem" -- curl -sS --max-time 10 "https://127.0.0.1:$PORT_i/"
OUT=$(timeout "$T" "$I" --ca "$TS_PKI/ca.pem" --log "$TMP/i.jsonl" -- curl -sS --max-time 10 -o /dev/null "https://127.0.0.1:$PORT_i/" 2>&1)
if [ -x "$D/usr/lib/trustshim/trustshim-report" ]; then
	pass "installed: trustshim report runs \$PREFIX/lib/trustshim/trustshim-report" "$I" report "$TMP/i.jsonl"
else
	_n=$((_n + 1)); echo "not ok $_n - installed: trustshim report # TODO make install must copy scripts/trustshim-report to \$PREFIX/lib/trustshim/"
fi
pass "build tree: trustshim report runs scripts/trustshim-report" "$TS_ROOT/scripts/trustshim" report "$TMP/i.jsonl"
for f in trustshim-lib.sh trustshim-mkcert trustshim-doctor; do
	[ -f "$D/usr/lib/trustshim/$f" ]; ok $? "installs \$PREFIX/lib/trustshim/$f"
done
OUT=$(cd / && "$I" mkcert --help 2>&1); s=$?
[ $s -eq 0 ]; ok $? "installed: trustshim mkcert --help (run from /)"; [ $s -eq 0 ] || diag "exit $s" "$OUT"
contains "$OUT" "^usage: trustshim mkcert " "and it is mkcert's help"
OUT=$(cd / && "$I" doctor /bin/true 2>&1); s=$?
[ $s -eq 0 ] && [ "$(printf '%s\n' "$OUT" | head -1)" = covered ]
ok $? "installed: trustshim doctor /bin/true says covered (run from /)"; [ $s -eq 0 ] || diag "exit $s" "$OUT"
OUT=$(cd / && PATH="$TMP:$PATH" trustshim doctor --ca "$TS_PKI/ca.pem" /bin/true 2>&1)
contains "$OUT" "certificate\(s\) loaded for openssl" "installed doctor, through the symlink, asks the installed library about the anchors"
done_testing
