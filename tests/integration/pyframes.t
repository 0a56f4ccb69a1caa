#!/bin/bash
# CPython attribution without libpython: shim/pyframes.c is built into a small
# .so (with -z defs, so any libpython reference would fail the link) and
# called through ctypes from a script, under every python3 on the machine.
# PyDLL keeps the GIL during the call, as _ssl does when it sets the verify
# mode; CDLL releases it, and then no frame may be read.
set -u
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/pyframes.XXXXXX")
trap 'rm -rf "$work"' EXIT

n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
skip() { n=$((n + 1)); echo "ok $n - # SKIP $1"; }

cat > "$work/probe.c" <<'C'
#include <stddef.h>
#include "pyframes.h"
int ts_probe(char *buf, size_t cap) { return ts_python_frames(buf, cap); }
C
cc -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -fPIC -shared -pthread -Wl,-z,defs \
   -I"$root/shim" -o "$work/probe.so" "$work/probe.c" "$root/shim/pyframes.c" -ldl
ok $? "probe .so builds with -z defs and no libpython"
ldd "$work/probe.so" | grep -q libpython
[ $? -ne 0 ]; ok $? "probe .so does not link libpython"

cat > "$work/script.py" <<'PY'
import ctypes, sys
lib = ctypes.PyDLL(sys.argv[1])
buf = ctypes.create_string_buffer(4096)

class Client:
    def connect(self):
        return lib.ts_probe(buf, 4096)  # LINE-PROBE

def outer():
    try:
        raise KeyError("kept")
    except KeyError:
        n = Client().connect()          # an exception is being handled here
        assert sys.exc_info()[0] is KeyError, "exception state lost"
    return n

n = outer()
print(n)
print(buf.value.decode())
small = ctypes.create_string_buffer(40)
print("small", lib.ts_probe(small, 40), repr(small.value.decode()))
nogil = ctypes.CDLL(sys.argv[1])
print("nogil", nogil.ts_probe(buf, 4096), repr(buf.value.decode()))
PY
probe_line=$(grep -n LINE-PROBE "$work/script.py" | cut -d: -f1)

pythons=(/usr/bin/python3)
for v in /root/.pyenv/versions/*/bin/python3; do [ -x "$v" ] && pythons+=("$v"); done

for py in "${pythons[@]}"; do
	[ -x "$py" ] || { skip "$py not installed"; continue; }
	ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	out=$("$py" "$work/script.py" "$work/probe.so" 2>&1)
	rc=$?
	if [ "$(printf '%s\n' "$ver" 3.9 | sort -V | head -1)" != 3.9 ]; then
		# PyFrame_GetCode/GetBack appeared in 3.9: no frames, no crash
		[ $rc = 0 ] && [ "$(echo "$out" | head -1)" = 0 ]
		ok $? "$py ($ver): before 3.9, 0 frames and no crash"
		continue
	fi
	[ $rc = 0 ]; ok $? "$py ($ver): script ran (no exception left set)"
	first=$(echo "$out" | sed -n 2p)
	case "$first" in
	"$work/script.py:$probe_line in "*connect) ok 0 "$py ($ver): innermost frame is the script's line";;
	*) ok 1 "$py ($ver): innermost frame is the script's line: got '$first'";;
	esac
	echo "$out" | grep -q "^$work/script.py:[0-9]* in outer$"
	ok $? "$py ($ver): the caller's frame follows"
	echo "$out" | grep -q "^$work/script.py:[0-9]* in <module>$"
	ok $? "$py ($ver): down to the module"
	echo "$out" | grep -q "^small 0 ''$"
	ok $? "$py ($ver): a buffer too small for one frame gets none, NUL-terminated"
	echo "$out" | grep -q "^nogil 0 ''$"
	ok $? "$py ($ver): without the GIL (CDLL), no frames are read"
done
echo "1..$n"
