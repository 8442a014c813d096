# lib.sh: helpers for the end-to-end tests: a private stack per test script,
# checks that print "ok - ..." / "not ok - ...", HTTP through the real nginx.
# Sourced by tests/e2e/NN-name.sh; needs ROOT and BUILD (tests/run.sh sets them).

: "${ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=$ROOT/build}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
T_NAME=$(basename "$0" .sh)
T_DIR="$BUILD/e2e/$T_NAME"
T_FAILED=0

# Sanitizer reports (make test-asan): every sanitized program a test starts
# (bzpeer-fcgi's master and workers, bzpeer-admin, bzpeer-import) writes its
# report to a file here instead of a stderr nobody reads; stack_down turns
# each report into a failed check. Outside T_DIR: scripts remove T_DIR.
SAN_DIR="$BUILD/e2e/$T_NAME.sanitizer"
rm -rf "$SAN_DIR"; mkdir -p "$SAN_DIR"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$SAN_DIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$SAN_DIR/ubsan:print_stacktrace=1"

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; T_FAILED=1; }

# check DESC CMD...: ok if CMD succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

# free_port, wait_for
. "$ROOT/tests/util.sh"

# stack_up [IMPORT OPTIONS...]: a fresh store and a private nginx +
# bzpeer-fcgi on a free port; stack_down (run at exit) stops them by PID.
# The store holds the sample catalog (stack.sh imports it) or, given
# bzpeer-import's options (--authors FILE, --works FILE), what they import.
stack_up() {
	rm -rf "$T_DIR"; mkdir -p "$T_DIR"
	if [ $# -gt 0 ]; then
		mkdir -p "$T_DIR/store"
		"$BUILD/bzpeer-import" --store "$T_DIR/store" "$@" >"$T_DIR/import.log" 2>&1 ||
			{ not_ok "import the catalog (see $T_DIR/import.log)"; cat "$T_DIR/import.log"; exit 1; }
	fi
	PORT=$(free_port)
	export PORT STORE="$T_DIR/store" RUNDIR="$T_DIR/run" BUILD
	BASE="http://127.0.0.1:$PORT"
	trap stack_down EXIT
	if ! "$ROOT/tests/stack.sh" start >"$T_DIR/stack.log" 2>&1; then
		not_ok "stack starts (see $T_DIR/stack.log)"
		cat "$T_DIR/stack.log"
		exit 1
	fi
}
# The sample catalog, the hostile works and the long works list of
# tests/fixtures/pages: stack_up "${CATALOG_PAGES[@]}".
CATALOG_PAGES=(
	--authors "$ROOT/store/sample/authors.jsonl"
	--authors "$ROOT/tests/fixtures/pages/authors.jsonl"
	--works "$ROOT/store/sample/works.jsonl"
	--works "$ROOT/tests/fixtures/hostile-works.jsonl"
	--works "$ROOT/tests/fixtures/pages/works.jsonl"
)
stack_down() { "$ROOT/tests/stack.sh" stop >>"$T_DIR/stack.log" 2>&1 || true; san_check; }

# san_check: one failed check per sanitizer report written since the last call.
san_check() {
	local f
	for f in "$SAN_DIR"/asan.* "$SAN_DIR"/ubsan.*; do
		case "$f" in *.reported) continue ;; esac
		[ -s "$f" ] || continue
		not_ok "sanitizer report $f: $(grep -m1 -E 'ERROR|runtime error|leak' "$f")"
		sed 's/^/# /' "$f" | head -n 40
		mv "$f" "$f.reported"
	done
}

# need_fcgi_client: sets FCGI_CLIENT to the FastCGI test client
# (tests/e2e/fcgi-client.c: straight to bzpeer-fcgi's socket, past nginx),
# which the Makefile builds; a missing one fails the script.
need_fcgi_client() {
	FCGI_CLIENT="$BUILD/tests/fcgi-client"
	[ -x "$FCGI_CLIENT" ] || { not_ok "$FCGI_CLIENT is built (make $FCGI_CLIENT)"; exit 1; }
}

# http METHOD PATH [curl args...]: sets STATUS, HEADERS (file), BODY (file).
http() {
	local m=$1 p=$2; shift 2
	HEADERS="$T_DIR/last.headers"; BODY="$T_DIR/last.body"
	: >"$BODY"; : >"$HEADERS"   # curl leaves the file alone when no body comes
	STATUS=$(curl -sS -o "$BODY" -D "$HEADERS" -w '%{http_code}' -X "$m" \
		--max-time 10 "$@" "$BASE$p" 2>"$T_DIR/curl.err") || STATUS=000
}

# head_ok PATH: a HEAD request (curl -I); the body file then holds the headers
# curl read, and must hold nothing else.
head_ok() {
	http HEAD "$1" -I
	! grep -qi '<!doctype\|<html' "$BODY"
}

# header NAME: the value of a response header of the last request.
header() { grep -i "^$1:" "$HEADERS" | head -n1 | cut -d: -f2- | sed 's/^ //; s/\r$//'; }

# Text of the last body with tags removed, whitespace squeezed, one line.
body_text() { sed -e 's/<[^>]*>/ /g' "$BODY" | tr -s ' \n\t' ' '; }

# A deterministic text dump of the whole store (user data included).
dump() { "$BUILD/bzpeer-admin" --store "$STORE" dump; }

# signin USER: signs in through nginx's auth_basic at /login (password =
# user name for the demo accounts); sets JAR (a curl cookie jar) and CSRF.
signin() {
	JAR="$T_DIR/jar.$1"
	rm -f "$JAR"
	curl -sS -o /dev/null -c "$JAR" -u "$1:$1" "$BASE/login?next=/" || return 1
	CSRF=$(curl -sS -b "$JAR" "$BASE/researchers/sanjeev-arora" |
		grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
	[ -n "$CSRF" ]
}

# Session cookies made here with the app's key, exactly as the app signs
# them (fcgi-app/session.h), for users nginx never signed in; needs openssl.
# session_key: KEYHEX from the running stack's secret. cookie USER EXPIRY
# [KEYHEX [ISSUED_MS]]: a cookie value (issued now unless given). csrf_of
# COOKIE: its CSRF token.
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
hmac() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:${2:-$KEYHEX}" -binary | b64url; }
session_key() { KEYHEX=$(od -An -tx1 -v "$RUNDIR/secret" | tr -d ' \n'); }
cookie() {
	local u=$1 e=$2 k=${3:-$KEYHEX} i=${4:-$(date +%s%3N)}
	printf '%s.%s.%s.%s' "$(printf '%s' "$u" | b64url)" "$i" "$e" "$(hmac "bzs2|$u|$i.$e" "$k")"
}
csrf_of() { hmac "csrf1|$1|"; }

finish() { exit "$T_FAILED"; }
