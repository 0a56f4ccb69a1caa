#!/usr/bin/env bash
# Every way a GnuTLS client can (not) verify, through tests/clients/gnutls_client.c:
# a failing certificate is refused at the handshake unless the program's own
# check already refuses it; a certificate that verifies with the anchor works.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server untrusted "$TS_PKI/other.pem" "$TS_PKI/other.key"
https_server wrong "$TS_PKI/wrong.pem" "$TS_PKI/wrong.key"
G=$PORT_good U=$PORT_untrusted W=$PORT_wrong
CA=TRUSTSHIM_CA=$TS_PKI/ca.pem
C=$TS_ROOT/build/clients/gnutls_client
LOG=$TMP/log.jsonl

# style | options | api recorded for an untrusted issuer | ...for a wrong name |
# exit status when allowlisted.  An empty api: the program refuses by itself
# and nothing is recorded.  verify_peers3 is the case GnuTLS cannot tell from
# wget --no-check-certificate at the handshake: the refusal is recorded, and
# an allowlisted connection still fails on the program's own later check.
H="handshake without a verify function"
cases=(
	"no verification at all|--verify none|$H|$H|0"
	"verify_peers2 ignored (wget --no-check-certificate)|--verify peers2-ignore|$H|$H|0"
	"credentials callback returning 0|--verify cred-cb-accept|gnutls_certificate_set_verify_function \\(callback accepted|gnutls_certificate_set_verify_function|0"
	"session verify function returning 0|--verify session-cb|gnutls_session_set_verify_function \\(callback accepted|gnutls_session_set_verify_function|0"
	"set_verify_cert without a host|--verify cert-nohost||gnutls_session_set_verify_cert without a host name \\(no host-name check\\)|1"
	"set_verify_cert with a host|--verify cert-host|||1"
	"set_verify_cert2 with a host|--verify cert2-host|||1"
	"credentials callback that verifies|--verify cred-cb-verify|||1"
	"verify_peers3 after the handshake|--verify peers3|$H|$H|1"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name opts api_u api_w allowed <<<"$c"
	: > "$LOG"
	# Untrusted issuer.  The program's trust: system trust only.
	OUT=$(shim TRUSTSHIM_LOG="$LOG" -- $C $opts --system "$U" 2>&1); s=$?
	[ $s -ne 0 ]; ok $? "$name: untrusted issuer fails"; [ $s -ne 0 ] || diag "$OUT"
	if [ -n "$api_u" ]; then
		contains "$(cat "$LOG")" "\"lib\":\"gnutls\".*\"port\":$U,.*\"api\":\"$api_u.*\"decision\":\"refused\".*\"error\":\"the certificate issuer is unknown\"" "$name: refusal recorded"
	else
		lacks "$(cat "$LOG")" "skip_verification" "$name: the program refuses by itself; nothing recorded"
	fi
	# Trusted certificate for another name (SNI and verified name: localhost).
	: > "$LOG"
	OUT=$(shim "$CA" TRUSTSHIM_LOG="$LOG" -- $C $opts --host localhost --system "$W" 2>&1); s=$?
	[ $s -ne 0 ]; ok $? "$name: wrong name fails"; [ $s -ne 0 ] || diag "$OUT"
	if [ -n "$api_w" ]; then
		contains "$(cat "$LOG")" "\"host\":\"localhost\",\"port\":$W,\"host_source\":\"sni\".*\"api\":\"$api_w.*\"decision\":\"refused\".*\"error\":\"the certificate does not match the host name\"" "$name: recorded with the host"
	else
		lacks "$(cat "$LOG")" "skip_verification" "$name: wrong name refused by the program itself; nothing recorded"
	fi
	# Trusted by the anchor only.
	OUT=$(shim "$CA" -- $C $opts --system "$G" 2>&1); s=$?
	ok $s "$name: works with the anchor"; [ $s -eq 0 ] || diag "$OUT"
	lacks "$OUT" "trustshim:" "$name: no trustshim line"
	# Allowlisted.
	OUT=$(shim TRUSTSHIM_ALLOW="127.0.0.1:$U" -- $C $opts --system "$U" 2>&1); s=$?
	[ $s -eq "$allowed" ]; ok $? "$name: allowlisted, exit status $allowed (got $s)"
done

# Trust the program loads in other ways.
pass "a client that loads no trust at all: the anchor" shim "$CA" -- $C --verify cert-host "$G"
pass "a client that loads no trust at all: system trust and the anchor (peers3)" shim "$CA" -- $C --verify peers3 "$G"
pass "set_trust_list then system trust into the list (like gnutls-cli)" shim "$CA" -- $C --verify peers3 --trust-list "$G"
pass "a program CA file plus the anchor" shim "$CA" -- $C --verify peers3 --ca "$TS_PKI/other-ca.pem" "$G"
pass "the program's own CA file still works" shim -- $C --verify peers3 --ca "$TS_PKI/ca.pem" "$G"
pass "TLS 1.2 as well" shim "$CA" -- $C --verify peers3 --tls12 "$G"
fails "TLS 1.2 untrusted, no verification: refused" shim -- $C --verify none --tls12 "$U"

# Resumption of a session made while skipping was audited: the resumed
# handshake runs no verify function, the shim checks it again.
for v in "" --tls12; do
	sess=$TMP/sess$v
	pass "$v: a session is saved in audit mode" shim TRUSTSHIM_MODE=audit -- $C $v --save "$sess" "$U"
	pass "$v: without the shim it resumes" noshim $C $v --resume "$sess" --expect-resumed "$U"
	: > "$LOG"
	OUT=$(shim TRUSTSHIM_LOG="$LOG" -- $C $v --resume "$sess" "$U" 2>&1); s=$?
	[ $s -ne 0 ]; ok $? "$v: under enforcement the resumed handshake is refused"
	contains "$(cat "$LOG")" '"api":"session resumption.*"decision":"refused"' "$v: recorded as resumption"
	pass "$v: allowlisted, it resumes" shim TRUSTSHIM_ALLOW=127.0.0.1 -- $C $v --resume "$sess" --expect-resumed "$U"
	good=$TMP/good$v
	pass "$v: a verified session is saved" shim "$CA" -- $C $v --verify cert-host --save "$good" "$G"
	OUT=$(shim "$CA" -- $C $v --verify cert-host --resume "$good" --expect-resumed "$G" 2>&1); ok $? "$v: and resumes under the shim"
	lacks "$OUT" "trustshim:" "$v: without a line"
done
done_testing
