# trustshim-lib.sh: helpers shared by the trustshim sh scripts, which source
# it (POSIX sh).  The sourcing script sets ts_libsh to this file's path.

# shellcheck shell=sh disable=SC1007,SC2034,SC2154 # "a= b=" empties; constants for the scripts that source this; ts_libsh set by them

TS_USAGE='usage: trustshim [--ca PATH]... [--allow ENTRY]... [--mode MODE] [--log DEST] [--fail-on-insecure] [--] COMMAND [ARG...]
       trustshim mkcert|doctor|env|report [--help] ...'

# Exit statuses of the command itself (the wrapped program's status passes through).
TS_EX_USAGE=2        # bad option or argument, missing file, no library
TS_EX_INSECURE=3     # --fail-on-insecure: the program succeeded but tried to skip verification
TS_EX_NOEXEC=126
TS_EX_NOTFOUND=127

ts_say() { printf 'trustshim: %s\n' "$*" >&2; }
ts_die() { ts_say "$*"; exit "$TS_EX_USAGE"; }
ts_usage_err() {
	ts_say "$*"
	printf '%s\n' "$TS_USAGE" "Try 'trustshim --help'." >&2
	exit "$TS_EX_USAGE"
}

# Prints $1 single-quoted for sh: every ' becomes '\''.  No command
# substitution, so trailing newlines (inline PEM) survive.
ts_shquote() {
	ts_q_s=$1 ts_q_out=
	while :; do
		case $ts_q_s in
		*\'*)
			ts_q_out=$ts_q_out${ts_q_s%%\'*}"'\\''"
			ts_q_s=${ts_q_s#*\'}
			;;
		*) break ;;
		esac
	done
	printf "'%s%s'" "$ts_q_out" "$ts_q_s"
}

# Absolute form of a path whose directory exists; the last component is kept
# as written (a symlinked CA file stays the name the user gave).
ts_abspath() {
	ts_a_dir=$(dirname -- "$1") ts_a_base=$(basename -- "$1")
	ts_a_dir=$(cd -P -- "$ts_a_dir" 2>/dev/null && pwd -P) || return 1
	case $ts_a_base in
	/) printf '/\n' ;;
	.) printf '%s\n' "$ts_a_dir" ;;
	..) (cd -P -- "$ts_a_dir/.." && pwd -P) ;;
	*) printf '%s\n' "${ts_a_dir%/}/$ts_a_base" ;;
	esac
}

# The directory this script lives in, symlinks resolved, so that
# /usr/local/bin/trustshim -> /opt/trustshim/bin/trustshim finds /opt/trustshim/lib.
ts_locate_self() {
	ts_self=$(readlink -f -- "$0" 2>/dev/null) || ts_self=
	if [ -z "$ts_self" ]; then
		case $0 in
		*/*) ts_self=$0 ;;
		*) ts_self=$(command -v -- "$0") || ts_self=$0 ;;
		esac
	fi
	TS_DIR=$(cd -P -- "$(dirname -- "$ts_self")" && pwd -P) || ts_die "cannot find my own directory ($0)"
}

# Sets ts_lib: $TRUSTSHIM_LIB, else the build tree, else the installed layout
# (the library lies next to this file there, whichever script sourced it).
ts_find_lib() {
	if [ -n "${TRUSTSHIM_LIB:-}" ]; then
		[ -f "$TRUSTSHIM_LIB" ] || ts_die "TRUSTSHIM_LIB=$TRUSTSHIM_LIB: no such file"
		ts_lib=$TRUSTSHIM_LIB
	elif [ -f "$TS_DIR/../build/libtrustshim.so" ]; then
		ts_lib=$TS_DIR/../build/libtrustshim.so
	elif [ -f "$TS_LIBSH_DIR/libtrustshim.so" ]; then
		ts_lib=$TS_LIBSH_DIR/libtrustshim.so
	else
		ts_die "cannot find libtrustshim.so (looked in $TS_DIR/../build and $TS_LIBSH_DIR); run 'make' or set TRUSTSHIM_LIB"
	fi
	ts_lib=$(readlink -f -- "$ts_lib" 2>/dev/null || ts_abspath "$ts_lib")
	# ld.so splits LD_PRELOAD on spaces and colons (rtld.c, handle_preload_list).
	case $ts_lib in
	*[\ :\	]*) ts_die "library path '$ts_lib' contains a space, tab or colon, which LD_PRELOAD cannot hold" ;;
	esac
}

# The directory of this file, symlinks resolved: scripts/ in the build tree,
# $PREFIX/lib/trustshim installed.
TS_LIBSH_DIR=$(cd -P -- "$(dirname -- "$ts_libsh")" && pwd -P) || ts_die "cannot find the directory of $ts_libsh"

ts_opt_ca= ts_opt_allow= ts_opt_mode= ts_opt_log= ts_opt_fail=

# One option of the run mode (also used by env and doctor).
ts_opt() {
	case $1 in
	--ca)
		[ -n "$2" ] || ts_usage_err "--ca needs a path"
		[ -e "$2" ] || ts_die "--ca $2: no such file or directory"
		[ -r "$2" ] || ts_die "--ca $2: not readable"
		ts_o_p=$(ts_abspath "$2") || ts_die "--ca $2: cannot resolve its directory"
		case $ts_o_p in
		*:*) ts_die "--ca $ts_o_p: a path with ':' cannot go in the colon-separated TRUSTSHIM_CA" ;;
		esac
		ts_opt_ca=${ts_opt_ca:+$ts_opt_ca:}$ts_o_p
		;;
	--allow)
		[ -n "$2" ] || ts_usage_err "--allow needs an entry (HOST, HOST:PORT, *.DOMAIN, IP, [IPv6]:PORT or exe=GLOB)"
		ts_opt_allow=${ts_opt_allow:+$ts_opt_allow,}$2
		;;
	--mode)
		case $(printf '%s' "$2" | tr 'A-Z' 'a-z') in
		enforce | audit | off) ts_opt_mode=$(printf '%s' "$2" | tr 'A-Z' 'a-z') ;;
		*) ts_usage_err "--mode must be enforce, audit or off (got '$2')" ;;
		esac
		;;
	--log)
		case $2 in
		'') ts_usage_err "--log needs stderr, syslog or a file path" ;;
		stderr | syslog) ts_opt_log=$2 ;;
		*)
			[ -d "$2" ] && ts_die "--log $2: is a directory"
			ts_opt_log=$(ts_abspath "$2") || ts_die "--log $2: directory $(dirname -- "$2") does not exist"
			;;
		esac
		;;
	esac
}

# An awk function for the programs that read audit records: field(line, key)
# is the value of "key" (a string, unescaped quotes kept, or a number).
TS_AWK_FIELD='
	function field(line, key,    re, s) {
		re = "\"" key "\"[ \t]*:[ \t]*(\"([^\"\\\\]|\\\\.)*\"|-?[0-9]+)"
		if (!match(line, re)) return ""
		s = substr(line, RSTART, RLENGTH)
		sub("^\"" key "\"[ \t]*:[ \t]*", "", s)
		gsub(/^"|"$/, "", s)
		return s
	}'
