#!/usr/bin/env bash
# In a secure-execution process (AT_SECURE: setuid, setgid, capabilities)
# every TRUSTSHIM_* variable is ignored.  Proved with a real setuid-root
# client run by an unprivileged user, with the library installed where the
# loader accepts a preload for such a program.  ld.so(8): "In secure-
# execution mode, preload pathnames containing slashes are ignored.
# Furthermore, shared objects are preloaded only from the standard search
# directories and only if they have set-user-ID mode bit enabled".  So a
# copy goes to the multiarch library directory with mode 4755 for the
# duration of the test and is preloaded by name.
. "$(dirname "$0")/../lib/common.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "1..0 # SKIP needs root (CI runs as root) and setpriv"
	exit 0
fi
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server other "$TS_PKI/other.pem" "$TS_PKI/other.key"

libdir=$(dirname "$(readlink -f "$(cc -print-file-name=libc.so.6)")")
case $libdir in /lib/*|/usr/lib/*) ;; *) libdir=/usr/lib/$(cc -print-multiarch) ;; esac
name=libtrustshim-test-$$.so
trap 'rm -f "$libdir/$name"; _cleanup' EXIT
# The plain build: a sanitizer runtime cannot be preloaded into a setuid
# program (check-asan's TS_LIB is a list starting with libasan).
install -o root -g root -m 4755 "$TS_ROOT/build/libtrustshim.so" "$libdir/$name" || { echo "1..0 # SKIP cannot install into $libdir"; exit 0; }

d=$TMP/suid; mkdir -p "$d/out"; chmod 755 "$TMP" "$d"; chown 65534:65534 "$d/out"
install -o root -g root -m 4755 "$TS_ROOT/build/clients/harden_client" "$d/suid_client"
install -o root -g root -m 0755 "$TS_ROOT/build/clients/harden_client" "$d/plain_client"
install -m 0644 "$TS_PKI/ca.pem" "$d/ca.pem"
mount_opts=$(findmnt -n -o OPTIONS --target "$d" 2>/dev/null)
case ",$mount_opts," in *,nosuid,*) echo "1..0 # SKIP $d is on a nosuid file system"; exit 0 ;; esac

# as_nobody PROGRAM VAR=VALUE... -- CLIENT-ARGS...: run as uid/gid 65534
# with the shim preloaded by name (as a setuid program must).
as_nobody() {
	local prog=$1 envs=(); shift
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
	OUT=$(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups env LD_PRELOAD="$name" "${envs[@]}" \
		timeout "$T" "$d/$prog" --maps-has "$name" "$@" 2>&1)
}
weaken=(TRUSTSHIM_MODE=off TRUSTSHIM_ALLOW=127.0.0.1,localhost,exe=*)

# Controls: the same user, variables and binary without the setuid bit: the
# variables take effect.  This shows they would matter.
as_nobody plain_client "${weaken[@]}" -- --verify none localhost "$PORT_other"
ok $? "control, not setuid: TRUSTSHIM_MODE=off honours SSL_VERIFY_NONE to an untrusted server"
as_nobody plain_client TRUSTSHIM_ALLOW=127.0.0.1 -- --verify none localhost "$PORT_other"
ok $? "control, not setuid: TRUSTSHIM_ALLOW honours it"
as_nobody plain_client TRUSTSHIM_CA="$d/ca.pem" -- localhost "$PORT_good"
ok $? "control, not setuid: TRUSTSHIM_CA makes the test CA an anchor"
as_nobody plain_client TRUSTSHIM_MODE=audit TRUSTSHIM_LOG="$d/out/plain.jsonl" -- --verify none localhost "$PORT_other"
[ -s "$d/out/plain.jsonl" ]; ok $? "control, not setuid: TRUSTSHIM_LOG is written"

# setuid root, run by nobody: AT_SECURE.
as_nobody suid_client "${weaken[@]}" TRUSTSHIM_LOG="$d/out/suid.jsonl" -- --verify none localhost "$PORT_other"; s=$?
[ $s -eq 1 ]; ok $? "setuid: the shim is loaded and SSL_VERIFY_NONE to an untrusted server is refused despite TRUSTSHIM_MODE=off and TRUSTSHIM_ALLOW (status $s)"
contains "$OUT" "trustshim: refused to skip verification" "setuid: the refusal is on stderr"
lacks "$OUT" "is not mapped" "setuid: the library was preloaded"
as_nobody suid_client TRUSTSHIM_ALLOW=127.0.0.1 -- --verify none localhost "$PORT_other"; s=$?
[ $s -eq 1 ]; ok $? "setuid: TRUSTSHIM_ALLOW alone is ignored (status $s)"
as_nobody suid_client TRUSTSHIM_CA="$d/ca.pem" TRUSTSHIM_CA_PEM="$(cat "$d/ca.pem")" -- localhost "$PORT_good"; s=$?
[ $s -eq 1 ]; ok $? "setuid: TRUSTSHIM_CA and TRUSTSHIM_CA_PEM are ignored, the test CA is no anchor (status $s)"
as_nobody suid_client TRUSTSHIM_MODE=audit TRUSTSHIM_LOG="$d/out/suid2.jsonl" -- --verify none localhost "$PORT_other"; s=$?
[ $s -eq 1 ]; ok $? "setuid: TRUSTSHIM_MODE=audit is ignored (status $s)"
[ ! -e "$d/out/suid.jsonl" ] && [ ! -e "$d/out/suid2.jsonl" ]; ok $? "setuid: TRUSTSHIM_LOG is ignored, no log file created (out/ holds: $(ls "$d/out" | tr '\n' ' '))"

rm -f "$libdir/$name"
[ ! -e "$libdir/$name" ]; ok $? "the test copy of the library is removed"
done_testing
