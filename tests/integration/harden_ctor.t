#!/usr/bin/env bash
# A TLS call made from another library's constructor, before the shim's own
# constructor has run (libfaketime tests the same).  The other library is
# preloaded after the shim, so the loader initialises it first.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server other "$TS_PKI/other.pem" "$TS_PKI/other.key"
CTOR=$TS_ROOT/build/clients/harden_ctor_lib
# ctor VAR=VALUE... -- COMMAND...: shim first, the constructor library after.
ctor() {
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
	OUT=$(env -u TRUSTSHIM_CA -u TRUSTSHIM_MODE -u TRUSTSHIM_ALLOW -u TRUSTSHIM_LOG \
		LD_PRELOAD="$TS_LIB $CTOR" "${envs[@]}" timeout "$T" "$@" 2>&1)
}

ctor LD_DEBUG=files HARDEN_CTOR_PORT="$PORT_other" -- /bin/true
order=$(printf '%s\n' "$OUT" | sed -n 's/.*calling init: //p' | grep -nE 'harden_ctor_lib|libtrustshim' | tr '\n' ' ')
contains "$order" "harden_ctor_lib.* [0-9]+:.*libtrustshim" "the loader runs the other library's constructor before the shim's ($order)"

ctor HARDEN_CTOR_PORT="$PORT_other" HARDEN_CTOR_VERIFY=none -- sh -c 'echo main runs'
contains "$OUT" "trustshim: refused to skip verification" "SSL_VERIFY_NONE from a constructor is judged (enforce)"
contains "$OUT" "harden_ctor: handshake failed" "... and refused: the untrusted server fails"
contains "$OUT" "main runs" "the program itself runs afterwards"

ctor HARDEN_CTOR_PORT="$PORT_good" TRUSTSHIM_CA="$TS_PKI/ca.pem" -- /bin/true
contains "$OUT" "harden_ctor: handshake ok" "TRUSTSHIM_CA is in force in a constructor: the test CA is an anchor"

ctor HARDEN_CTOR_PORT="$PORT_good" -- /bin/true
contains "$OUT" "harden_ctor: handshake failed" "without TRUSTSHIM_CA the same handshake fails"

ctor HARDEN_CTOR_PORT="$PORT_other" HARDEN_CTOR_VERIFY=none TRUSTSHIM_MODE=off -- /bin/true
contains "$OUT" "harden_ctor: handshake ok" "TRUSTSHIM_MODE=off is in force in a constructor"
lacks "$OUT" "trustshim:" "... and nothing is printed"

ctor HARDEN_CTOR_PORT="$PORT_other" HARDEN_CTOR_VERIFY=none TRUSTSHIM_MODE=audit TRUSTSHIM_LOG="$TMP/ctor.jsonl" -- /bin/true
contains "$OUT" "harden_ctor: handshake ok" "audit mode in a constructor: honoured"
grep -q '"decision":"audited"' "$TMP/ctor.jsonl"; ok $? "... and recorded in TRUSTSHIM_LOG"
done_testing
