#!/usr/bin/env bash
# Descriptors and signals: the shim leaks no descriptor into an exec'd
# program, survives a program that closes every descriptor or starts with
# stderr closed, and a log destination that cannot be written (a FIFO
# without a reader, a full disk, a read-only or missing path, a pipe whose
# reader has gone) never blocks or kills the program.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server other "$TS_PKI/other.pem" "$TS_PKI/other.key"
C=$TS_ROOT/build/clients/harden_client
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem

# ---- no descriptor leaks across exec ----
fds() { sed -n 's/.* \([0-9][0-9]*\) -> .*/\1/p' | sort -n | tr '\n' ' '; }
want=$(noshim "$C" --quiet --ca "$TS_PKI/ca.pem" localhost "$PORT_good" -- ls -l /proc/self/fd | fds)
for log in "$TMP/fd.jsonl" syslog stderr; do
	for ca in "$TS_PKI/ca.pem" "$TS_PKI/cadir"; do
		got=$(shim TRUSTSHIM_CA="$ca" TRUSTSHIM_LOG="$log" -- "$C" --quiet --verify peer,none --count 2 localhost "$PORT_good" -- ls -l /proc/self/fd 2>/dev/null | fds)
		[ "$got" = "$want" ]; ok $? "no extra descriptor after exec (LOG=${log##*/}, CA=${ca##*/}): [$got] = [$want]"
	done
done
grep -q '"event":"skip_verification"' "$TMP/fd.jsonl"; ok $? "the log file was written before the exec"
# Every descriptor the shim opens is O_CLOEXEC: strace sees no open without it.
if command -v strace >/dev/null; then
	shim "$CA" TRUSTSHIM_CA="$TS_PKI/ca.pem:$TS_PKI/cadir" TRUSTSHIM_LOG="$TMP/st.jsonl" -- strace -f -qq -e trace=open,openat,socket,dup,dup2,dup3,fcntl,pipe,pipe2,accept,accept4 \
		-o "$TMP/strace" "$C" --quiet --verify none localhost "$PORT_good" >/dev/null 2>&1
	opened=$(grep -E 'trustshim|ts-|/pki/|st\.jsonl' "$TMP/strace" | grep -E 'open|F_DUPFD' | grep -v ENOENT)
	[ -n "$opened" ]; ok $? "strace saw the shim open its files"
	lacks "$(printf '%s\n' "$opened" | grep -v 'O_CLOEXEC\|F_DUPFD_CLOEXEC')" "." "each of them with O_CLOEXEC"
else
	skip "strace not installed"; skip "strace not installed"
fi

# ---- a program that closes every descriptor ----
shim "$CA" TRUSTSHIM_LOG="$TMP/closed.jsonl" -- "$C" --close-all --verify none localhost "$PORT_other"
[ $? -eq 1 ]; ok $? "all descriptors closed, refused attempt: the connection fails (1), nothing crashes"
grep -q '"decision":"refused"' "$TMP/closed.jsonl"; ok $? "... and the record is in the log file"
shim "$CA" TRUSTSHIM_MODE=audit TRUSTSHIM_LOG="$TMP/closed2.jsonl" -- "$C" --close-all --verify none localhost "$PORT_other"
ok $? "all descriptors closed, audit mode: the program works"
grep -q '"decision":"audited"' "$TMP/closed2.jsonl"; ok $? "... and the record is in the log file"

# ---- a program started with stderr closed ----
# Its first socket, the TLS connection, gets descriptor 2: a human line
# written "to stderr" would go into the connection and break it.
noshim "$C" --close-stderr --verify none localhost "$PORT_other"
ok $? "stderr closed, without the shim: the connection works"
shim "$CA" TRUSTSHIM_MODE=audit -- "$C" --close-stderr --verify none localhost "$PORT_other"
s=$?; [ $s -eq 0 ]; ok $? "stderr closed, audit mode, default log: the connection still works (status $s)"
shim "$CA" TRUSTSHIM_MODE=audit TRUSTSHIM_LOG="$TMP/nostderr.jsonl" -- "$C" --close-stderr --verify none localhost "$PORT_other"
s=$?; [ $s -eq 0 ]; ok $? "stderr closed, audit mode, log file: the connection works (status $s)"
grep -q '"decision":"audited"' "$TMP/nostderr.jsonl"; ok $? "... and the record is in the log file"

# ---- a pipe whose reader has gone: no SIGPIPE ----
# The anchors record goes out in SSL_CTX_new; head has read a byte and
# exited before the attempt's record comes (--pause-ms).
shim "$CA" TRUSTSHIM_MODE=audit TRUSTSHIM_LOG=/dev/stdout -- "$C" --quiet --pause-ms 300 --verify none localhost "$PORT_other" 2>/dev/null | head -c1 >/dev/null
s=${PIPESTATUS[0]}; [ "$s" -eq 0 ]; ok $? "TRUSTSHIM_LOG on a pipe whose reader exited: no SIGPIPE (status $s)"
shim TRUSTSHIM_CA=/nonexistent.pem TRUSTSHIM_MODE=audit -- "$C" --quiet --pause-ms 300 --verify none localhost "$PORT_other" 2> >(head -c1 >/dev/null)
s=$?; [ "$s" -eq 0 ]; ok $? "stderr a pipe whose reader exited: no SIGPIPE (status $s)"

# ---- log files that cannot be written ----
mkfifo "$TMP/fifo"
for dest in "$TMP/fifo" /dev/full /proc/version "$TMP/no/such/dir/log" "$TMP"; do
	start=$(date +%s%N)
	OUT=$(shim "$CA" TRUSTSHIM_MODE=audit TRUSTSHIM_LOG="$dest" -- "$C" --count 3 --verify none localhost "$PORT_other" 2>&1)
	s=$? ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ $s -eq 0 ] && [ $ms -lt 10000 ]; ok $? "TRUSTSHIM_LOG=$dest: the program runs and exits 0 (status $s, $ms ms)"
	contains "$OUT" "trustshim: TRUSTSHIM_LOG: .*records go to stderr instead" "... says once why, and records go to stderr"
done
# Not writable for an unprivileged user (root may write anywhere).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$TMP/ro" && chmod 755 "$TMP/ro" "$TMP"
	OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups env LD_PRELOAD="$TS_LIB" "$CA" TRUSTSHIM_MODE=audit \
		TRUSTSHIM_LOG="$TMP/ro/log" timeout "$T" "$C" --verify none localhost "$PORT_other" 2>&1)
	ok $? "a read-only directory for an unprivileged user: the program runs"
	contains "$OUT" "permission denied; records go to stderr instead" "... and says why"
else
	skip "needs root and setpriv"; skip "needs root and setpriv"
fi
diag "figure: bad log destinations tried: 7 (fifo, /dev/full, /proc/version, missing dir, a directory, read-only dir, broken pipe) + stderr broken pipe"
done_testing
