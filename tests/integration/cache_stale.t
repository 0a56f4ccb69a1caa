#!/usr/bin/env bash
# A CA file that changes during a process's life is read again: one python
# process loads a file, connects, rewrites the file with another CA, loads it
# again into a new context and connects, and so on.  The file is rewritten in
# place, replaced by rename, rewritten to the same size with its mtime put
# back (only ctime tells), made garbage, and removed.  Every line must equal
# the run without the cache.
. "$(dirname "$0")/../lib/common.sh"
https_server good "$TS_PKI/leaf.pem" "$TS_PKI/leaf.key"
https_server other "$TS_PKI/other.pem" "$TS_PKI/other.key"

cat > "$TMP/stale.py" <<'PY'
import os, socket, ssl, sys
pgood, pother, path, ca, other, how = sys.argv[1:7]
pems = [open(f).read() for f in (ca, other)]
size = max(len(p) for p in pems) + 16
padded = [p + "#" * (size - len(p) - 1) + "\n" for p in pems]  # text outside PEM blocks is ignored

def write(text):
    if how == "rename":
        with open(path + ".new", "w") as f:
            f.write(text)
        os.rename(path + ".new", path)
    elif how == "samesize" and os.path.exists(path):
        st = os.stat(path)
        with open(path, "r+") as f:
            f.write(text)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))   # same size, inode and mtime
    else:
        with open(path, "w") as f:
            f.write(text)

def context():
    if how == "default":
        os.environ["SSL_CERT_FILE"] = path
        return ssl.create_default_context()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(path)
    return ctx

def connect(ctx, port):
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname="localhost"):
                return "ok"
    except ssl.SSLError:
        return "fail"

def step(name, text):
    if text is None:
        os.unlink(path)
    else:
        write(text)
    try:
        ctx = context()
    except Exception as e:
        print("%s: load error: %s: %s" % (name, type(e).__name__, e))
        return
    print("%s: good %s, other %s" % (name, connect(ctx, pgood), connect(ctx, pother)))

step("ca", padded[0])
step("other", padded[1])
step("ca again", padded[0])
step("garbage", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n".ljust(size - 1, "#") + "\n")
step("ca once more", padded[0])
step("removed", None)
PY
expect_ca="ca: good ok, other fail"
expect_other="other: good fail, other ok"
for how in inplace rename samesize default; do
	f=$TMP/$how.pem
	run() { "$PY" "$TMP/stale.py" "$PORT_good" "$PORT_other" "$f" "$TS_PKI/ca.pem" "$TS_PKI/other-ca.pem" "$how"; }
	pass "$how: cache on" shim -- bash -c "$(declare -f run); PY=$PY TMP=$TMP PORT_good=$PORT_good PORT_other=$PORT_other f=$f TS_PKI=$TS_PKI how=$how; run"
	on=$OUT
	pass "$how: cache off" shim TRUSTSHIM_CACHE=off -- bash -c "$(declare -f run); PY=$PY TMP=$TMP PORT_good=$PORT_good PORT_other=$PORT_other f=$f TS_PKI=$TS_PKI how=$how; run"
	off=$OUT
	[ "$on" = "$off" ]; ok $? "$how: the same results and errors with the cache on and off"
	[ "$on" = "$off" ] || diag "on:" "$on" "off:" "$off"
	contains "$on" "^$expect_ca" "$how: the first CA is trusted"
	contains "$on" "$expect_other" "$how: the rewritten file is read again"
	contains "$on" "ca again: good ok, other fail" "$how: and again"
	contains "$on" "ca once more: good ok, other fail" "$how: after garbage, the good file again"
done
contains "$on" "garbage: good fail, other fail" "default: a garbage default file is ignored, as OpenSSL does"
done_testing
