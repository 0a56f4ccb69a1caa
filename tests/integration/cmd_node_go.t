#!/usr/bin/env bash
# Runtimes no preload reaches get the anchors through variables that ADD to
# their trust: Node.js (NODE_EXTRA_CA_CERTS, one file) and Go (SSL_CERT_DIR,
# a list that replaces Go's default directories, so the system ones stay).
. "$(dirname "$0")/../lib/common.sh"
TSC=$TS_ROOT/scripts/trustshim
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD
if [ -f "$TS_LIB" ]; then export TRUSTSHIM_LIB=$TS_LIB
else echo 'int ts_stand_in;' | cc -shared -fPIC -x c - -o "$TMP/libstandin.so" && export TRUSTSHIM_LIB=$TMP/libstandin.so; fi
export XDG_CACHE_HOME=$TMP/cache

https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"     # signed by the test CA
https_server other "$TS_PKI/other.pem" "$TS_PKI/other.key"  # signed by the other CA
U=https://127.0.0.1:$PORT_good/ UO=https://127.0.0.1:$PORT_other/
# "System" trust stand-in: a directory/file holding the other CA.
mkdir -p "$TMP/sysdir"; cp "$TS_PKI/other-ca.pem" "$TMP/sysdir/other-ca.pem"

if command -v node >/dev/null 2>&1; then
	JS='require("https").get(process.argv[1], r => { console.log(r.statusCode); process.exit(0) }).on("error", e => { console.log(e.code); process.exit(1) })'
	fails "node: fails without trustshim" noshim node -e "$JS" "$U"
	pass "node: reaches the private-CA host through trustshim --ca PEM" timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- node -e "$JS" "$U"
	pass "node: --ca DER" timeout "$T" "$TSC" --ca "$TS_PKI/ca.der" -- node -e "$JS" "$U"
	pass "node: --ca directory" timeout "$T" "$TSC" --ca "$TS_PKI/cadir" -- node -e "$JS" "$U"
	pass "node: TRUSTSHIM_CA_PEM" env TRUSTSHIM_CA_PEM="$(cat "$TS_PKI/ca.pem")" timeout "$T" "$TSC" -- node -e "$JS" "$U"
	# An existing NODE_EXTRA_CA_CERTS is kept: both CAs are trusted.
	pass "node: keeps the file NODE_EXTRA_CA_CERTS already named" \
		env NODE_EXTRA_CA_CERTS="$TMP/sysdir/other-ca.pem" timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- node -e "$JS" "$UO"
	pass "node: ...and adds ours" \
		env NODE_EXTRA_CA_CERTS="$TMP/sysdir/other-ca.pem" timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- node -e "$JS" "$U"
	pass "node: several anchors in one bundle" \
		timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" --ca "$TS_PKI/other-ca.pem" -- node -e "$JS" "$UO"
	fails "node: mode off injects nothing" timeout "$T" "$TSC" --mode off --ca "$TS_PKI/ca.pem" -- node -e "$JS" "$U"
	fails "node: another CA's host still fails" timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- node -e "$JS" "$UO"
	https_server wrong "$TS_PKI/wrong.pem" "$TS_PKI/wrong.key"
	fails "node: a wrong-host certificate still fails" timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- node -e "$JS" "https://127.0.0.1:$PORT_wrong/"
else
	for i in $(seq 11); do skip "node not installed"; done
fi

if command -v go >/dev/null 2>&1; then
	mkdir -p "$TMP/gosrc"
	printf 'package main\nimport ("fmt";"net/http";"os")\nfunc main() { r, err := http.Get(os.Args[1]); if err != nil { fmt.Println(err); os.Exit(1) }; fmt.Println(r.StatusCode) }\n' >"$TMP/gosrc/main.go"
	(cd "$TMP/gosrc" && GOCACHE=$TMP/gocache GOPATH=$TMP/gopath GO111MODULE=off timeout 120 go build -o "$TMP/goclient" main.go) >/dev/null 2>&1
	ok $? "go: built a net/http client"
	G=$TMP/goclient
	fails "go: fails without trustshim" noshim "$G" "$U"
	pass "go: reaches the private-CA host through trustshim --ca" timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- "$G" "$U"
	pass "go: --ca DER (converted to PEM for Go)" timeout "$T" "$TSC" --ca "$TS_PKI/ca.der" -- "$G" "$U"
	# The existing SSL_CERT_DIR (here: the stand-in system dir) stays in the list.
	pass "go: keeps the directories SSL_CERT_DIR already listed" \
		env -u SSL_CERT_FILE SSL_CERT_DIR="$TMP/sysdir" timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- "$G" "$UO"
	pass "go: ...and adds ours" \
		env -u SSL_CERT_FILE SSL_CERT_DIR="$TMP/sysdir" timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- "$G" "$U"
	R=$(env -u SSL_CERT_DIR "$TSC" --ca "$TS_PKI/ca.pem" -- sh -c 'echo "$SSL_CERT_DIR"')
	case ":$R:" in *:/etc/ssl/certs:* | *:/usr/lib/ssl/certs:*) true ;; *) false ;; esac
	ok $? "go: without SSL_CERT_DIR, the system directory is put in the list"; diag "$R"
	fails "go: another CA's host still fails" env -u SSL_CERT_DIR -u SSL_CERT_FILE timeout "$T" "$TSC" --ca "$TS_PKI/ca.pem" -- "$G" "$UO"
else
	for i in $(seq 7); do skip "go not installed (Debian package golang-go)"; done
fi
done_testing
