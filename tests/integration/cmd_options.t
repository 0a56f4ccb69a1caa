#!/usr/bin/env bash
# trustshim command: option parsing, usage errors (exit 2), --help for the
# command and every subcommand, --version.
. "$(dirname "$0")/../lib/common.sh"
export XDG_CACHE_HOME=$TMP/cache  # the Node/Go anchor files go here, not in ~/.cache
TSC=$TS_ROOT/scripts/trustshim
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD
# The command's own behaviour does not need the real library; a stand-in
# keeps these tests meaningful when it is missing.
if [ -f "$TS_LIB" ]; then export TRUSTSHIM_LIB=$TS_LIB
else echo 'int ts_stand_in;' | cc -shared -fPIC -x c - -o "$TMP/libstandin.so" && export TRUSTSHIM_LIB=$TMP/libstandin.so; fi

# usage_error DESC ARGS...: exit 2, a "trustshim:" message and the usage line.
usage_error() {
	local d=$1; shift
	OUT=$(timeout "$T" "$TSC" "$@" 2>&1 </dev/null); local s=$?
	[ $s -eq 2 ] && printf '%s' "$OUT" | grep -q '^trustshim: ' && printf '%s' "$OUT" | grep -q '^usage: trustshim'
	ok $? "$d"; [ $s -eq 2 ] || diag "exit $s" "$OUT"
}
usage_error "no command" 
usage_error "unknown option" --bogus true
usage_error "--ca without its argument" --ca
usage_error "--allow without its argument" --allow
usage_error "--mode without its argument" --mode
usage_error "--log without its argument" --log
usage_error "--mode with a bad value" --mode sometimes true
usage_error "--ca= empty" --ca= true
usage_error "options but no command" --mode audit --
usage_error "mkcert without a name" mkcert
usage_error "mkcert: unknown option" mkcert --bogus x
usage_error "mkcert: a URL is not a name" mkcert --dir "$TMP/mk" https://example.test/
usage_error "mkcert: a bad name" mkcert --dir "$TMP/mk" 'a b'
usage_error "mkcert: 999.1.1.1 is no address" mkcert --dir "$TMP/mk" 999.1.1.1
usage_error "doctor without a command" doctor
usage_error "doctor with two commands" doctor curl wget
usage_error "env: unexpected argument" env curl
usage_error "env: --fail-on-insecure belongs to the run mode" env --fail-on-insecure

OUT=$("$TSC" --ca "$TMP/does-not-exist.pem" -- true 2>&1); s=$?
[ $s -eq 2 ]; ok $? "--ca of a missing file exits 2"
contains "$OUT" "does-not-exist.pem: no such file" "and names the path"
OUT=$("$TSC" --log "$TMP/no/such/dir/log" -- true 2>&1); [ $? -eq 2 ]; ok $? "--log in a missing directory exits 2"
OUT=$("$TSC" --log "$TMP" -- true 2>&1); [ $? -eq 2 ]; ok $? "--log naming a directory exits 2"
OUT=$(TRUSTSHIM_LIB=$TMP/nope.so "$TSC" -- true 2>&1); s=$?
[ $s -eq 2 ]; ok $? "a missing TRUSTSHIM_LIB exits 2"
contains "$OUT" "TRUSTSHIM_LIB=.*nope.so: no such file" "and says so"
mkdir -p "$TMP/lib dir" && cp "$TRUSTSHIM_LIB" "$TMP/lib dir/lib.so"
OUT=$(TRUSTSHIM_LIB="$TMP/lib dir/lib.so" "$TSC" -- true 2>&1); [ $? -eq 2 ]; ok $? "a library path with a space is refused (LD_PRELOAD cannot hold it)"

OUT=$("$TSC" --version); ok $? "--version exits 0"
contains "$OUT" '^trustshim [0-9]+\.[0-9]+\.[0-9]+$' "--version prints 'trustshim X.Y.Z'"
OUT=$("$TSC" --help); ok $? "--help exits 0"
contains "$OUT" "--fail-on-insecure" "--help lists the options"
contains "$OUT" "Exit status" "--help documents the exit statuses"
for sub in mkcert doctor env report; do
	OUT=$("$TSC" "$sub" --help); ok $? "$sub --help exits 0"
	contains "$OUT" "^usage: trustshim $sub" "$sub --help prints its usage"
done

# Options in both spellings, and -- before a command that looks like a subcommand.
OUT=$("$TSC" --mode=audit --allow=a.test --allow b.test:8443 -- sh -c 'echo "$TRUSTSHIM_MODE|$TRUSTSHIM_ALLOW"')
ok $? "--opt=value and --opt value both parse"
[ "$OUT" = "audit|a.test,b.test:8443" ]; ok $? "--allow entries are joined with commas"; [ "$OUT" = "audit|a.test,b.test:8443" ] || diag "$OUT"
OUT=$("$TSC" --mode AUDIT -- sh -c 'echo "$TRUSTSHIM_MODE"'); [ "$OUT" = audit ]; ok $? "--mode is case-insensitive, like the library"
OUT=$("$TSC" -- env | grep -c '^LD_PRELOAD='); [ "$OUT" = 1 ]; ok $? "trustshim -- env runs the env program, not the subcommand"
OUT=$("$TSC" sh -c 'echo "$1"' x --mode); [ "$OUT" = "--mode" ]; ok $? "options after COMMAND belong to COMMAND"
done_testing
