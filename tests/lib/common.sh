# Sourced by every integration test (bash).  TAP helpers, the test PKI,
# loopback servers that are killed on exit, and the shim under test.
set -u
TS_ROOT=${TS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TS_LIB=${TS_LIB:-$TS_ROOT/build/libtrustshim.so}
TS_PKI=${TS_PKI:-$TS_ROOT/tests/.work/pki}
T=${T:-20}   # every client is bounded by this many seconds
"$TS_ROOT/tests/lib/pki.sh" "$TS_PKI"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/trustshim-test.XXXXXX")
_pids=()
_cleanup() {
	local p
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap _cleanup EXIT

_n=0 _fail=0
plan() { echo "1..$1"; }
ok() { # ok STATUS DESC: STATUS 0 is a pass
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _fail=$((_fail + 1)); fi
}
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $1"; }
diag() { printf '# %s\n' "$@" | sed '2,$s/^/# /'; }
# pass/fail: run a command, check its status, keep its output in $OUT.
pass() { local d=$1; shift; OUT=$("$@" 2>&1); local s=$?; ok $s "$d"; [ $s -eq 0 ] || diag "exit $s" "$OUT"; }
fails() { local d=$1; shift; OUT=$("$@" 2>&1); local s=$?; [ $s -ne 0 ]; ok $? "$d"; [ $s -ne 0 ] || diag "unexpected success" "$OUT"; }
contains() { # contains TEXT PATTERN DESC (grep -E)
	printf '%s' "$1" | grep -Eq -- "$2"; local s=$?; ok $s "$3"; [ $s -eq 0 ] || diag "no match for /$2/ in:" "$1"
}
lacks() {
	printf '%s' "$1" | grep -Eq -- "$2"; local s=$?; [ $s -ne 0 ]; ok $? "$3"; [ $s -ne 0 ] || diag "unexpected match for /$2/ in:" "$1"
}
done_testing() { echo "1..$_n"; [ $_fail -eq 0 ]; exit $?; }

# shim VAR=VALUE... -- COMMAND...: runs COMMAND with the library preloaded,
# a clean TRUSTSHIM_* environment, and the given variables.
shim() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	env -u TRUSTSHIM_CA -u TRUSTSHIM_CA_PEM -u TRUSTSHIM_MODE -u TRUSTSHIM_ALLOW -u TRUSTSHIM_LOG \
		LD_PRELOAD="$TS_LIB" "${envs[@]}" timeout "$T" "$@"
}
noshim() { env -u LD_PRELOAD timeout "$T" "$@"; }

# https_server NAME CERT KEY [extra args]: starts the python server, sets
# PORT_<NAME>.
https_server() {
	local name=$1 cert=$2 key=$3; shift 3
	local pf="$TMP/port.$name"
	env -u LD_PRELOAD python3 "$TS_ROOT/tests/lib/https_server.py" --cert "$cert" --key "$key" --port-file "$pf" "$@" &
	_pids+=($!)
	_wait_port "$pf" && printf -v "PORT_$name" '%s' "$(cat "$pf")"
}
# s_server NAME CERT KEY [extra s_server args]: openssl s_server -www.
s_server() {
	local name=$1 cert=$2 key=$3; shift 3
	local port; port=$(free_port)
	env -u LD_PRELOAD openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$cert" -key "$key" -www "$@" </dev/null >"$TMP/s_server.$name.log" 2>&1 &
	_pids+=($!)
	local i; for i in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
	printf -v "PORT_$name" '%s' "$port"
}
_wait_port() { local i; for i in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "server did not start" >&2; return 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

PY=/usr/bin/python3   # Debian's python3, with python3-requests
