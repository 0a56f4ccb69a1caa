#!/usr/bin/env bash
# trustshim doctor: the verdict (first line) and reasons for real programs:
# curl (OpenSSL), wget (GnuTLS), node (static OpenSSL: NODE_EXTRA_CA_CERTS),
# a static binary, python3 (_ssl loaded RTLD_LOCAL), scripts, setuid and
# file capabilities, Go; and the anchor check.
. "$(dirname "$0")/../lib/common.sh"
export XDG_CACHE_HOME=$TMP/cache  # the Node/Go anchor files go here, not in ~/.cache
TSC=$TS_ROOT/scripts/trustshim
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD

# verdict DESC WANT-VERDICT WANT-STATUS ARGS...: OUT holds the report.
verdict() {
	local d=$1 want=$2 wst=$3; shift 3
	OUT=$(timeout "$T" "$TSC" doctor "$@" 2>&1); local s=$?
	[ "$(printf '%s\n' "$OUT" | head -1)" = "$want" ] && [ $s -eq "$wst" ]
	ok $? "$d: $want, exit $wst"; [ $s -eq "$wst" ] && [ "$(printf '%s\n' "$OUT" | head -1)" = "$want" ] || diag "exit $s" "$OUT"
}
need() { command -v "$1" >/dev/null 2>&1; }

if need curl; then
	verdict "curl" covered 0 curl
	contains "$OUT" "libssl.so.3 .*OpenSSL" "curl: reached through libssl.so.3"
else skip "curl not installed"; skip "curl not installed"; fi
if need wget; then
	verdict "wget" covered 0 wget
	contains "$OUT" "links libgnutls.so.30 .*GnuTLS" "wget: links libgnutls.so.30"
else skip "wget not installed"; skip "wget not installed"; fi
if need node && ! readelf -dW "$(command -v node)" | grep -q 'libssl.so'; then
	verdict "node (statically linked OpenSSL)" 'partly covered' 0 node
	contains "$OUT" "NODE_EXTRA_CA_CERTS" "node: the NODE_EXTRA_CA_CERTS fallback is named"
	contains "$OUT" "trust only" "node: and what it does not do"
elif need node; then
	verdict "node (linked against the system OpenSSL)" covered 0 node; skip "node uses libssl"; skip "node uses libssl"
else skip "node not installed"; skip "node not installed"; skip "node not installed"; fi
verdict "/usr/bin/python3" covered 0 /usr/bin/python3
contains "$OUT" "_ssl module .*libssl.so.3.*RTLD_LOCAL" "python3: _ssl's libssl is named, with the RTLD_LOCAL fallback"

printf '#!/usr/bin/python3\nimport requests\n' >"$TMP/tool.py"; chmod +x "$TMP/tool.py"
verdict "script with #!/usr/bin/python3" covered 0 "$TMP/tool.py"
contains "$OUT" "script run by /usr/bin/python3" "script: the interpreter is followed"
printf '#!/usr/bin/env python3\nprint(1)\n' >"$TMP/envtool"; chmod +x "$TMP/envtool"
verdict "script with #!/usr/bin/env python3" covered 0 "$TMP/envtool"
contains "$OUT" "script run by /.*python3 \(#!/usr/bin/env python3\)" "env script: python3 resolved on PATH"
printf '#!/bin/sh\ncurl "$@"\n' >"$TMP/wrapper"; chmod +x "$TMP/wrapper"
verdict "a shell script" covered 0 "$TMP/wrapper"
contains "$OUT" "inherits the preload" "shell script: children inherit the preload"

if printf 'int main(void){return 0;}\n' | cc -static -x c - -o "$TMP/static" 2>/dev/null; then
	verdict "a statically linked program" 'not covered' 1 "$TMP/static"
	contains "$OUT" "statically linked" "static: says why"
else skip "no static libc: cc -static failed"; skip "no static libc"; fi
if need busybox && ! readelf -lW "$(command -v busybox)" | grep -q 'program interpreter'; then
	verdict "static busybox" 'not covered' 1 busybox
else skip "busybox missing or dynamically linked"; fi

# setuid/setgid/capabilities: the loader drops LD_PRELOAD.
cp /usr/bin/curl "$TMP/suid-curl" 2>/dev/null
if [ "$(id -u)" = 0 ] && [ -f "$TMP/suid-curl" ] && chown nobody "$TMP/suid-curl" && chmod u+s "$TMP/suid-curl"; then
	verdict "a setuid program" 'not covered' 1 "$TMP/suid-curl"
	contains "$OUT" "is setuid: .*drops LD_PRELOAD" "setuid: says the loader drops the preload"
else skip "not root: no setuid copy"; skip "not root"; fi
cp /usr/bin/curl "$TMP/cap-curl" 2>/dev/null
if need setcap && need getcap && setcap cap_net_raw+ep "$TMP/cap-curl" 2>/dev/null; then
	verdict "a program with file capabilities" 'not covered' 1 "$TMP/cap-curl"
	contains "$OUT" "has file capabilities" "capabilities: named"
else skip "setcap unavailable"; skip "setcap unavailable"; fi

if need go; then
	mkdir -p "$TMP/gosrc"
	printf 'package main\nimport ("fmt";"net/http";"os")\nfunc main() { r, err := http.Get(os.Args[1]); if err != nil { fmt.Println(err); os.Exit(1) }; fmt.Println(r.StatusCode) }\n' >"$TMP/gosrc/main.go"
	if (cd "$TMP/gosrc" && GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GOFLAGS=-mod=mod GO111MODULE=off timeout 120 go build -o "$TMP/goclient" main.go) >/dev/null 2>&1; then
		verdict "a Go program" 'partly covered' 0 "$TMP/goclient"
		contains "$OUT" "SSL_CERT_DIR" "Go: the SSL_CERT_DIR fallback is named"
	else skip "go build failed"; skip "go build failed"; fi
else skip "go not installed (golang-go)"; skip "go not installed"; fi

OUT=$(timeout "$T" "$TSC" doctor ts-no-such-command-xyz 2>&1); [ $? -eq 127 ]; ok $? "unknown command: exit 127"
contains "$OUT" "^not found" "unknown command: says so"

# Anchors: each one reported; a bad one makes the exit status 1.
printf 'garbage\n' >"$TMP/garbage.pem"; : >"$TMP/empty.pem"
need curl && {
verdict "good anchors" covered 0 --ca "$TS_PKI/ca.pem" --ca "$TS_PKI/ca.der" --ca "$TS_PKI/bundle.pem" --ca "$TS_PKI/cadir" curl
contains "$OUT" "ca.pem: ok, 1 certificate" "PEM anchor: ok"
contains "$OUT" "ca.der: ok, 1 certificate" "DER anchor: ok"
contains "$OUT" "bundle.pem: ok, 2 certificate" "bundle: ok, 2 certificates"
contains "$OUT" "cadir: ok, directory: 1 certificate" "directory: ok"
OUT=$(TRUSTSHIM_CA="$TS_PKI/ca.pem:$TMP/garbage.pem:$TMP/empty.pem:$TS_PKI/leaf.key:$TMP/missing.pem:$TS_PKI/expired-ca.pem" \
	timeout "$T" "$TSC" doctor curl 2>&1); s=$?
[ $s -eq 1 ]; ok $? "bad anchors in TRUSTSHIM_CA: exit 1"
contains "$OUT" "garbage.pem: PROBLEM: no PEM or DER certificate" "garbage reported"
contains "$OUT" "empty.pem: PROBLEM: empty file" "empty file reported"
contains "$OUT" "leaf.key: PROBLEM: holds a private key" "private key reported"
contains "$OUT" "missing.pem: PROBLEM: no such file" "missing file reported"
contains "$OUT" "expired-ca.pem: PROBLEM: .*expired" "expired CA reported"
contains "$OUT" "ca.pem: ok" "the good anchor beside them is ok"
OUT=$(TRUSTSHIM_CA_PEM=$(cat "$TS_PKI/ca.pem") timeout "$T" "$TSC" doctor curl 2>&1); ok $? "TRUSTSHIM_CA_PEM: exit 0"
contains "$OUT" "TRUSTSHIM_CA_PEM: ok, 1 certificate" "TRUSTSHIM_CA_PEM checked"
}
if [ -f "$TS_LIB" ] && need curl; then
	OUT=$(TRUSTSHIM_LIB=$TS_LIB timeout "$T" "$TSC" doctor --ca "$TS_PKI/ca.pem" curl 2>&1)
	contains "$OUT" "as the library sees them" "with the library built, the anchors are also checked through it"
else skip "library not built"; fi
done_testing
