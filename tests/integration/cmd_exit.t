#!/usr/bin/env bash
# trustshim command: exit statuses (126, 127, the command's own, 128+signal)
# and signal forwarding, both with a plain exec and with --fail-on-insecure
# (where trustshim stays as the parent).
. "$(dirname "$0")/../lib/common.sh"
export XDG_CACHE_HOME=$TMP/cache  # the Node/Go anchor files go here, not in ~/.cache
TSC=$TS_ROOT/scripts/trustshim
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD
if [ -f "$TS_LIB" ]; then export TRUSTSHIM_LIB=$TS_LIB
else echo 'int ts_stand_in;' | cc -shared -fPIC -x c - -o "$TMP/libstandin.so" && export TRUSTSHIM_LIB=$TMP/libstandin.so; fi

status_is() { # DESC WANT ARGS...
	local d=$1 want=$2; shift 2
	OUT=$(timeout "$T" "$TSC" "$@" 2>&1 </dev/null); local s=$?
	[ $s -eq "$want" ]; ok $? "$d (want $want)"; [ $s -eq "$want" ] || diag "exit $s" "$OUT"
}
printf 'echo hi\n' >"$TMP/noexec.sh"; chmod 0644 "$TMP/noexec.sh"
mkdir -p "$TMP/pathdir"; printf '#!/bin/sh\necho hi\n' >"$TMP/pathdir/ts-noexec-prog"; chmod 0644 "$TMP/pathdir/ts-noexec-prog"
for mode in "" --fail-on-insecure; do
	m=${mode:-exec}
	status_is "$m: command not found" 127 $mode -- ts-no-such-command-xyz
	contains "$OUT" "ts-no-such-command-xyz: command not found" "$m: says 'command not found'"
	status_is "$m: missing path" 127 $mode -- "$TMP/nope"
	status_is "$m: file not executable" 126 $mode -- "$TMP/noexec.sh"
	status_is "$m: directory" 126 $mode -- "$TMP"
	OUT=$(PATH="$TMP/pathdir:$PATH" timeout "$T" "$TSC" $mode -- ts-noexec-prog 2>&1); s=$?
	[ $s -eq 126 ]; ok $? "$m: on PATH but not executable (want 126)"
	status_is "$m: success" 0 $mode -- true
	status_is "$m: the command's own status" 7 $mode -- sh -c 'exit 7'
	status_is "$m: status 255" 255 $mode -- sh -c 'exit 255'
	status_is "$m: killed by SIGTERM is 128+15" 143 $mode -- sh -c 'kill -TERM $$'
	status_is "$m: killed by SIGKILL is 128+9" 137 $mode -- sh -c 'kill -KILL $$'
	OUT=$(printf 'from stdin\n' | timeout "$T" "$TSC" $mode -- cat); [ "$OUT" = "from stdin" ]
	ok $? "$m: the command reads trustshim's stdin"
	OUT=$(timeout "$T" "$TSC" $mode -- sh -c 'echo out; echo err >&2' 2>&1); [ "$OUT" = "out
err" ]; ok $? "$m: stdout and stderr pass through"
	OUT=$(timeout "$T" "$TSC" $mode -- sh -c 'cat <&5' 5<<<"fd five"); [ "$OUT" = "fd five" ]
	ok $? "$m: other inherited descriptors stay open"
done

# forward MODE SIGNAL: trustshim gets SIGNAL, the program sees it.  Started
# with INT at its default: a background job of a script starts with it ignored.
forward() {
	local mode=$1 sig=$2 m=${1:-exec}
	rm -f "$TMP/got" "$TMP/ready"
	# env execs trustshim: $! is trustshim's pid.
	env --default-signal=INT "$TSC" $mode -- sh -c \
		"trap 'echo $sig > \"$TMP/got\"; exit 42' $sig; : > \"$TMP/ready\"; i=0; while [ \$i -lt $((T * 20)) ]; do sleep 0.05; i=\$((i+1)); done" &
	local p=$! i
	for i in $(seq 200); do [ -f "$TMP/ready" ] && break; sleep 0.05; done
	kill -s "$sig" "$p"
	wait "$p"; local s=$?
	[ $s -eq 42 ] && [ "$(cat "$TMP/got" 2>/dev/null)" = "$sig" ]
	ok $? "$m: SIG$sig to trustshim reaches the program, and its status comes back"
	[ $s -eq 42 ] || diag "exit $s, got: $(cat "$TMP/got" 2>/dev/null)"
}
for sig in TERM INT HUP; do
	forward "" $sig
	forward --fail-on-insecure $sig
done

# A program that ignores nothing dies of the forwarded signal: 128+N.
env --default-signal=INT "$TSC" --fail-on-insecure -- sleep "$T" & p=$!
sleep 0.3; kill -TERM "$p"; wait "$p"; s=$?
[ $s -eq 143 ]; ok $? "--fail-on-insecure: program killed by the forwarded SIGTERM exits 143"; [ $s -eq 143 ] || diag "exit $s"

# The program starts with INT and QUIT at their defaults, not ignored as a
# background job of sh would have them.
OUT=$(env --default-signal=INT,QUIT "$TSC" --fail-on-insecure -- sh -c 'sed -n "s/^SigIgn:[[:space:]]*//p" /proc/self/status')
[ $((0x$OUT & 6)) -eq 0 ]; ok $? "--fail-on-insecure: the program does not inherit INT/QUIT ignored"
# ...but keeps what trustshim itself was given ignored (nohup-like callers).
OUT=$(sh -c 'trap "" INT; exec "$0" --fail-on-insecure -- sh -c "sed -n \"s/^SigIgn:[[:space:]]*//p\" /proc/self/status"' "$TSC")
[ $((0x$OUT & 2)) -ne 0 ]; ok $? "--fail-on-insecure: an INT ignored by the caller stays ignored"

# A ^C typed at a terminal reaches the program once, not twice (once from the
# terminal, once forwarded): trustshim and the program share the foreground
# process group.
if command -v script >/dev/null 2>&1; then
	printf 'n=0\ntrap '\''n=$((n+1)); echo $n >> "%s/cnt"'\'' INT\n: > "%s/ready"\ni=0; while [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done\nexit 5\n' "$TMP" "$TMP" >"$TMP/child.sh"
	rm -f "$TMP/cnt" "$TMP/ready"
	(for i in $(seq 200); do [ -f "$TMP/ready" ] && break; sleep 0.05; done; printf '\003'; sleep 3) |
		timeout "$T" env --default-signal=INT script -qec "$TSC --fail-on-insecure -- sh $TMP/child.sh" /dev/null >/dev/null 2>&1
	[ "$(cat "$TMP/cnt" 2>/dev/null)" = 1 ]; ok $? "a terminal ^C reaches the program exactly once"
	[ "$(cat "$TMP/cnt" 2>/dev/null)" = 1 ] || diag "count: $(cat "$TMP/cnt" 2>/dev/null | tr '\n' ' ')"
else
	skip "script(1) not installed: terminal ^C not tested"
fi
done_testing
