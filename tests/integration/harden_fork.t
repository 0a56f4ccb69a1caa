#!/usr/bin/env bash
# fork() while other threads are inside the shim: the child must not hang on
# state a parent thread held at the fork, and must keep working (cwrap's
# fork-deadlock regression test, tests/clients/harden_fork.c).  Then Python
# multiprocessing (fork) with requests in the children.
#
# Known limit (not the shim's): OpenSSL 3 registers no fork handlers, so a
# child forked while another thread is inside OpenSSL can hang on one of
# OpenSSL's own locks, with or without the shim; section 3 measures it.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server other "$TS_PKI/other.pem" "$TS_PKI/other.key"
F=$TS_ROOT/build/clients/harden_fork
LOG=$TMP/fork.jsonl
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem

# Under make check-asan, TS_LIB starts with the ASan runtime, whose
# allocator (GCC 12's libsanitizer) takes no lock across fork(): children
# then hang inside libasan's malloc, not in the shim.  Sections 1-3 need a
# fork-safe malloc; section 4 (no threads in the parent) still runs.
if [ "$TS_LIB" != "${TS_LIB##* }" ]; then
	for i in 1 2 3 4 5 6 7 8; do skip "a preloaded sanitizer runtime is not fork-safe with threads"; done
else

# 1. Workers keep switching verification off and on, on a context made
# before the threads; every child verifies with that context.  Before the
# fix in openssl.c (one origin lock with an atfork handler instead of a lock
# per context) about half of these children hung.
T=120 pass "200 forks while 4 threads switch verification on a shared context: no child hangs" \
	shim "$CA" -- "$F" --threads 4 --forks 200 --shared-ctx --flip-only --hang-ms 3000 localhost "$PORT_good"
contains "$OUT" "children ok 200, failed 0, hung 0" "every child verified through the anchor"

# 2. The same with the workers also handshaking and logging refused attempts
# (quiesced: forks land between the workers' handshakes, see --quiesce).
T=120 pass "100 forks while 4 threads handshake, log and switch verification: every child works" \
	shim "$CA" TRUSTSHIM_LOG="$LOG" -- "$F" --threads 4 --forks 100 --shared-ctx --quiesce --child-none --hang-ms 5000 localhost "$PORT_good"
contains "$OUT" "children ok 100, failed 0, hung 0" "100 children ok"
pids=$(python3 -c 'import json,sys; print(len({json.loads(l)["pid"] for l in open(sys.argv[1])}))' "$LOG" 2>&1)
[ "${pids:-0}" -gt 50 ]; ok $? "children recorded their own attempts ($pids processes wrote to the log)"
lines=$(wc -l < "$LOG"); valid=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)))' "$LOG" 2>&1)
[ "$lines" = "$valid" ]; ok $? "every line of the shared log is one whole JSON record ($lines lines)"

# 3. Not quiesced: forks land anywhere, also inside OpenSSL.  OpenSSL 3
# registers no fork handlers, so a child can hang on one of OpenSSL's own
# locks that a parent thread held (seen: OBJ_NAME_add under an interrupted
# OPENSSL_init_crypto, the lookup locks of set_default_verify_paths), with or
# without the shim.  Not allowed: a child waiting on a lock the shim took.
# The hung child's stack (gdb) names the function that called the lock.
T=200 shim "$CA" TRUSTSHIM_LOG="$LOG" -- "$F" --threads 4 --forks 40 --hang-ms 3000 localhost "$PORT_good" >"$TMP/free.out" 2>&1
okn=$(sed -n 's/.*children ok \([0-9]*\),.*/\1/p' "$TMP/free.out")
# How many children OpenSSL's own locks let through varies with the machine's
# load (37 of 40 in a quiet run): a figure, not a pass mark.  What must hold
# is the next check, that no hung child waits on the shim.
[ "${okn:-0}" -ge 1 ]; ok $? "40 forks in the middle of handshakes: ${okn:-0} children ok"
# For each hung child: the first frame outside libc's locking code.
owners=$(awk '/hung; its stack/ { want = 1; next }
	want && /^#/ && !/futex|pthread_(rw)?lock|lll_|mutex_lock|libc\.so/ { print; want = 0 }' "$TMP/free.out")
lacks "$owners" "libtrustshim|shim/[a-z_]+\\.c" "no hung child waits on a lock taken by the shim"
if ! command -v gdb >/dev/null; then diag "gdb not found: hung children were not attributed"; fi
diag "figure: fork children ok: 200 (shared context) + 100 (quiesced, logging), ${okn:-0}/40 free-running" \
	"$(grep -E '^forks' "$TMP/free.out")" "lock callers of hung children (OpenSSL's own):" "$(printf '%s' "$owners" | sed 's/0x[0-9a-f]* //' | cut -c1-120)"

fi

# 4. Python multiprocessing with the fork start method: the parent has used
# requests (so the shim is initialised and a session's context exists); every
# child makes a verified request through the anchor, and one with
# verify=False to an untrusted server, which is refused.  (No parent thread
# is inside OpenSSL at the fork: see the known limit above.)
cat >"$TMP/mp.py" <<'PY'
import multiprocessing as mp, sys, warnings
import requests
warnings.simplefilter("ignore")
URL, BAD = sys.argv[1], sys.argv[2]
def get(i):
    ok = requests.get(URL, timeout=10).status_code == 200
    try:
        requests.get(BAD, timeout=10, verify=False)
        refused = False
    except requests.exceptions.SSLError:
        refused = True
    return ok and refused
if __name__ == "__main__":
    s = requests.Session()
    s.get(URL, timeout=10)
    with mp.get_context("fork").Pool(4) as pool:
        res = pool.map(get, range(40), chunksize=1)
    s.get(URL, timeout=10)
    print("children: %d of %d ok" % (sum(res), len(res)))
    sys.exit(0 if all(res) else 1)
PY
T=60 pass "python multiprocessing (fork) with requests in the children" \
	shim "$CA" TRUSTSHIM_LOG="$TMP/mp.jsonl" -- "$PY" "$TMP/mp.py" "https://localhost:$PORT_good/" "https://localhost:$PORT_other/"
contains "$OUT" "children: 40 of 40 ok" "40 of 40 child tasks verified through the anchor, and refused verify=False"
done_testing
