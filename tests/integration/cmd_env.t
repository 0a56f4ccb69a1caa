#!/usr/bin/env bash
# trustshim env: export lines that sh and bash can eval, properly quoted,
# giving the same environment as the run mode; idempotent when applied twice.
. "$(dirname "$0")/../lib/common.sh"
TSC=$TS_ROOT/scripts/trustshim
unset TRUSTSHIM_CA TRUSTSHIM_CA_PEM TRUSTSHIM_MODE TRUSTSHIM_ALLOW TRUSTSHIM_LOG LD_PRELOAD
if [ -f "$TS_LIB" ]; then export TRUSTSHIM_LIB=$TS_LIB
else echo 'int ts_stand_in;' | cc -shared -fPIC -x c - -o "$TMP/libstandin.so" && export TRUSTSHIM_LIB=$TMP/libstandin.so; fi
export XDG_CACHE_HOME=$TMP/cache
LIBR=$(readlink -f "$TRUSTSHIM_LIB")

# A path with a quote, a space, a $ and a backslash.
Q="$TMP/it's a \$dir\\x"
mkdir -p "$Q"; cp "$TS_PKI/ca.pem" "$Q/ca.pem"
OUT=$("$TSC" env --ca "$Q/ca.pem" --allow 'exe=*/my tool' --mode audit --log "$Q/audit.jsonl"); ok $? "env exits 0"
contains "$OUT" "^export LD_PRELOAD='$LIBR'$" "exports LD_PRELOAD"
lacks "$OUT" "^[^e]|^e[^x]" "prints export lines only"
for sh in sh bash; do
	R=$($sh -c 'eval "$1"; printf "%s\n" "$LD_PRELOAD" "$TRUSTSHIM_CA" "$TRUSTSHIM_ALLOW" "$TRUSTSHIM_MODE" "$TRUSTSHIM_LOG"' x "$OUT")
	[ "$R" = "$LIBR
$Q/ca.pem
exe=*/my tool
audit
$Q/audit.jsonl" ]; s=$?; ok $s "$sh: eval gives the exact values (quote, space, \$, backslash)"
	[ $s -eq 0 ] || diag "$R"
done
R=$(sh -c 'eval "$1"; test -r "$NODE_EXTRA_CA_CERTS" && echo "$SSL_CERT_DIR"' x "$OUT")
ok $? "NODE_EXTRA_CA_CERTS names a readable file"
case ":$R:" in *":$XDG_CACHE_HOME/trustshim/anchors-"*) true ;; *) false ;; esac; ok $? "SSL_CERT_DIR includes the anchors directory"
[ -n "$(sh -c 'eval "$1"; ls "${SSL_CERT_DIR##*:}"' x "$OUT")" ]; ok $? "which holds the anchors"

# Same environment as the run mode.
RUN=$("$TSC" --ca "$Q/ca.pem" --mode audit -- sh -c 'env | grep -E "^(LD_PRELOAD|TRUSTSHIM_[A-Z_]*|NODE_EXTRA_CA_CERTS|SSL_CERT_DIR)=" | grep -v "^TRUSTSHIM_LIB=" | sort')
EV=$(sh -c 'eval "$("$0" env --ca "$1" --mode audit)"; env | grep -E "^(LD_PRELOAD|TRUSTSHIM_[A-Z_]*|NODE_EXTRA_CA_CERTS|SSL_CERT_DIR)=" | grep -v "^TRUSTSHIM_LIB=" | sort' "$TSC" "$Q/ca.pem")
[ "$RUN" = "$EV" ]; ok $? "env output gives the same variables as 'trustshim -- COMMAND'"; [ "$RUN" = "$EV" ] || diag "run:" "$RUN" "env:" "$EV"

# Applying it twice changes nothing.
TWICE=$(sh -c 'eval "$("$0" env --ca "$1" --allow a.test)"; eval "$("$0" env --ca "$1" --allow a.test)"; env | grep -E "^(LD_PRELOAD|TRUSTSHIM_[A-Z_]*|NODE_EXTRA_CA_CERTS|SSL_CERT_DIR)=" | sort' "$TSC" "$Q/ca.pem")
ONCE=$(sh -c 'eval "$("$0" env --ca "$1" --allow a.test)"; env | grep -E "^(LD_PRELOAD|TRUSTSHIM_[A-Z_]*|NODE_EXTRA_CA_CERTS|SSL_CERT_DIR)=" | sort' "$TSC" "$Q/ca.pem")
[ "$ONCE" = "$TWICE" ]; ok $? "eval twice = eval once"; [ "$ONCE" = "$TWICE" ] || diag "once:" "$ONCE" "twice:" "$TWICE"

OUT=$("$TSC" env --mode off --ca "$Q/ca.pem")
lacks "$OUT" "NODE_EXTRA_CA_CERTS|SSL_CERT_DIR" "mode off: no Node/Go variables (off injects nothing)"
OUT=$(TRUSTSHIM_CA_PEM=$(cat "$TS_PKI/ca.pem") "$TSC" env)
lacks "$OUT" "TRUSTSHIM_CA_PEM|BEGIN" "TRUSTSHIM_CA_PEM is used but not echoed"
contains "$OUT" "NODE_EXTRA_CA_CERTS" "TRUSTSHIM_CA_PEM anchors reach the Node bundle"

# Works in a CI job: the program sees the anchors through the real library.
if [ -f "$TS_LIB" ]; then
	https_server e "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
	R=$(bash -c 'eval "$("$0" env --ca "$1")"; timeout "$2" curl -sS --max-time 10 "https://127.0.0.1:$3/"' "$TSC" "$TS_PKI/ca.pem" "$T" "$PORT_e" 2>&1); s=$?
	ok $s "after eval, unmodified curl reaches a private-CA host"; [ $s -eq 0 ] || diag "$R"
else skip "library not built"; fi
done_testing
