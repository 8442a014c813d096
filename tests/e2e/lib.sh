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

# free_port, wait_for, pid_alive, pid_gone
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
	stack_start
}
# stack_start: the same stack on whatever $T_DIR/store holds (a suite's own
# store; the sample catalog when there is none), T_DIR left as it is.
stack_start() {
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

# split_answer FILE: an answer as a server wrote it (HTTP with its status
# line, or bzpeer-fcgi's CGI headers with Status:) into HEADERS and BODY
# and its status into STATUS (000: none), as http sets them.
split_answer() {
	HEADERS="$T_DIR/last.headers"; BODY="$T_DIR/last.body"
	tr -d '\r' <"$1" | sed '/^$/q' >"$HEADERS"
	sed '1,/^\r*$/d' "$1" >"$BODY"
	STATUS=$(sed -n '1s|^HTTP/[0-9.]* \([0-9]*\).*|\1|p; s/^Status: \([0-9]*\).*/\1/p' "$HEADERS" | head -n1)
	[ -n "$STATUS" ] || STATUS=000
}

# Text of the last body with tags removed, whitespace squeezed, one line.
body_text() { sed -e 's/<[^>]*>/ /g' "$BODY" | tr -s ' \n\t' ' '; }
# visible: that text with the entities the views write decoded.
visible() {
	body_text | sed -e 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&#34;/"/g' \
		-e "s/&#39;/'/g; s/&#x27;/'/g" -e 's/&amp;/\&/g'
}

# A deterministic text dump of the whole store (user data included).
dump() { "$BUILD/bzpeer-admin" --store "$STORE" dump; }
# same_dump FILE: the store's dump now is exactly FILE (an earlier dump).
same_dump() { dump | cmp -s "$1" -; }

# signin USER: signs in through nginx's auth_basic at /login (password =
# user name for the demo accounts); sets JAR (a curl cookie jar) and CSRF.
signin() {
	JAR="$T_DIR/jar.$1"
	rm -f "$JAR"
	curl -sS -o /dev/null -c "$JAR" -u "$1:$1" "$BASE/login?next=/" || return 1
	CSRF=$(curl -sS -b "$JAR" "$BASE/researchers/sanjeev-arora" | csrf_in)
	[ -n "$CSRF" ]
}
# csrf_in: the first CSRF token of the page on stdin.
csrf_in() { grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//'; }
# jar_session JAR: the session cookie's value in the curl cookie jar JAR.
jar_session() { awk '$6 == "bzs" {print $7}' "$1"; }

# Session cookies made here with the app's key, exactly as the app signs
# them (fcgi-app/session.h), for users nginx never signed in; needs openssl.
# session_key: KEYHEX from the running stack's secret. cookie USER EXPIRY
# [KEYHEX [ISSUED_MS]]: a cookie value (issued now unless given). csrf_of
# COOKIE: its CSRF token, bare (the app takes it bare or masked).
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
hmac() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:${2:-$KEYHEX}" -binary | b64url; }
session_key() { KEYHEX=$(od -An -tx1 -v "$RUNDIR/secret" | tr -d ' \n'); }
cookie() {
	local u=$1 e=$2 k=${3:-$KEYHEX} i=${4:-$(date +%s%3N)}
	printf '%s.%s.%s.%s' "$(printf '%s' "$u" | b64url)" "$i" "$e" "$(hmac "bzs2|$u|$i.$e" "$k")"
}
csrf_of() { hmac "csrf1|$1|"; }
# csrf_unmask TOKEN: the bare token under a page's masked one.
csrf_unmask() {
	python3 -c 'import base64,sys
t=sys.argv[1]; d=base64.urlsafe_b64decode(t+"="*(-len(t)%4))
print(base64.urlsafe_b64encode(bytes(a^b for a,b in zip(d[:32],d[32:]))).decode().rstrip("="))' "$1"
}
# cookie_1h USER: a cookie for USER living an hour.
cookie_1h() { cookie "$1" $(( $(date +%s) + 3600 )); }

# ---- the stack's processes, logs and Redis ------------------------------------
# master: bzpeer-fcgi's master pid; workers: its children, one pid a line,
# sorted; n_workers N: it has N of them (for wait_for).
master() { cat "$RUNDIR/bzpeer-fcgi.pid"; }
workers() { tr ' ' '\n' <"/proc/$(master)/task/$(master)/children" 2>/dev/null | grep . | sort -n; }
n_workers() { [ "$(workers | wc -l)" = "$1" ]; }
# new_workers N OLD: N workers, none of them among the pids OLD (a reload, a respawn).
new_workers() { n_workers "$1" && [ -z "$(comm -12 <(workers) <(echo "$2" | sort -n))" ]; }
# reload N: SIGHUP, and wait (10 s at most) for N new workers; the new
# generation starts with this machine's page cache empty.
reload() { local before; before=$(workers); kill -HUP "$(master)"; wait_for 10 new_workers "$1" "$before"; }
# accepted PID: every unix-socket connection of process PID (a test client)
# is held by a bzpeer-fcgi process: accepted, no longer in the backlog.
accepted() {
	local ino n=0 conns
	conns=$(ss -xpH)
	for ino in $(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p'); do
		awk -v i="$ino" '$8 == i' <<<"$conns" | grep -q '"bzpeer-fcgi"' || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

# log_mark [FILE]: the number of the next line FILE gets (default:
# bzpeer-fcgi's log); log_since MARK [FILE]: its lines from MARK on;
# log_has MARK PATTERN [FILE]: one of those matches PATTERN (grep). Functions,
# so wait_for reads the log anew on every try (a <(...) would be read once).
log_mark() { wc -l <"${1:-$RUNDIR/bzpeer-fcgi.log}" | awk '{ print $1 + 1 }'; }
log_since() { tail -n +"$1" "${2:-$RUNDIR/bzpeer-fcgi.log}"; }
log_has() { log_since "$1" "${3:-}" | grep -q -- "$2"; }

# rcli ARGS...: redis-cli on the stack's Redis.
rcli() { redis-cli -s "$RUNDIR/redis.sock" "$@"; }

# latency_ok N [PATH]: N GETs of PATH (default the sample profile) through
# nginx, each 200 within 1 s; the slowest time in SLOWEST.
latency_ok() {
	local n=$1 p=${2:-/researchers/sanjeev-arora} bad=0 t; SLOWEST=0
	for _ in $(seq "$n"); do
		t=$(curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}' "$BASE$p")
		[ "${t%% *}" = 200 ] || bad=$((bad + 1))
		SLOWEST=$(awk -v a="$SLOWEST" -v b="${t#* }" 'BEGIN { print (b > a) ? b : a }')
	done
	[ "$bad" = 0 ] && awk -v s="$SLOWEST" 'BEGIN { exit !(s < 1.0) }'
}

# ---- load: curl loops recording every answer -----------------------------------
# load_start NAME LOOPS PATH...: LOOPS loops, each one curl after another
# fetching every PATH through nginx, until load_stop NAME (60 s at most);
# each answer is a line "STATUS SECONDS" in $T_DIR/load-NAME.N.
# load_started NAME: every loop has an answer. load_more NAME N: waits (10 s
# at most) until the loops have N more answers than when it was called.
# load_stop NAME: stops them and waits; LOAD_ALL is then every answer.
# load_total: how many; load_not PATTERN: how many whose status is not
# ^(PATTERN)$ (an ERE).
LOAD_PIDS=()
load_start() {
	local name=$1 n=$2 args=() p i; shift 2
	for p in "$@"; do args+=(-o /dev/null "$BASE$p"); done
	rm -f "$T_DIR/load-$name".*
	LOAD_PIDS=() LOAD_N=$n
	for i in $(seq "$n"); do
		(
			end=$((SECONDS + 60))
			while [ ! -f "$T_DIR/load-$name.stop" ] && [ $SECONDS -lt $end ]; do
				curl -s --max-time 10 -w '%{http_code} %{time_total}\n' "${args[@]}"
			done >"$T_DIR/load-$name.$i"
		) &
		LOAD_PIDS+=($!)
	done
}
load_count() { cat "$T_DIR/load-$1".[0-9]* 2>/dev/null | wc -l; }
load_started() {
	local i
	for i in $(seq "$LOAD_N"); do [ -s "$T_DIR/load-$1.$i" ] || return 1; done
}
load_more() {
	local want=$(( $(load_count "$1") + $2 ))
	wait_for 10 load_reached "$1" "$want"
}
load_reached() { [ "$(load_count "$1")" -ge "$2" ]; }
load_stop() {
	touch "$T_DIR/load-$1.stop"
	wait "${LOAD_PIDS[@]}" 2>/dev/null
	LOAD_PIDS=()
	LOAD_ALL="$T_DIR/load-$1.all"
	cat "$T_DIR/load-$1".[0-9]* >"$LOAD_ALL"
}
load_kill() { [ ${#LOAD_PIDS[@]} -gt 0 ] && kill "${LOAD_PIDS[@]}" 2>/dev/null; true; }
load_total() { wc -l <"$LOAD_ALL"; }
load_not() { awk -v p="^($1)\$" '$1 !~ p' "$LOAD_ALL" | wc -l; }

finish() { exit "$T_FAILED"; }
