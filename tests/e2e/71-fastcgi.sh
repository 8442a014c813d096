#!/bin/bash
# What nginx never sends, straight to bzpeer-fcgi's socket, while pages are
# fetched through nginx: malformed FastCGI (the integer-overflow PARAMS
# record that aborts libfcgi, bad versions, lengths past the record,
# oversized parameters, parameters sent twice), management records alone,
# multiplexing, half-sent records and idle connections by the dozen,
# clients that never read their answers, and a reload while one of those
# holds a worker. Each must end that connection or answer it, never a
# worker; the site keeps answering at its normal latency.
. "$(dirname "$0")/lib.sh"

# Few slots per worker, short idle and write timeouts, and a short
# shutdown_timeout, so that filling and draining them fits in a test.
export WORKERS=4 MICROCACHE=0
export BZPEER_CONF_EXTRA=$'worker_connections = 16\nidle_timeout = 2\nwrite_timeout = 5\nshutdown_timeout = 2\npost_rate = 100000\npost_rate_addr = 100000'
stack_up
need_fcgi_client
SOCK="$RUNDIR/bzpeer-fcgi.sock"
LOG="$RUNDIR/bzpeer-fcgi.log"
P=/researchers/sanjeev-arora

four_workers() { n_workers 4; }   # master, workers, n_workers: lib.sh
wait_for 5 four_workers
W0=$(workers)

# ---- FastCGI bytes, written with printf ------------------------------------------------
hex2() { printf '\\x%02x' "$1"; }
# rec TYPE ID CONTENT: one record; CONTENT in printf %b escapes.
rec() {
	local len; len=$(printf '%b' "$3" | wc -c)
	printf '%b' "\\x01$(hex2 "$1")$(hex2 $(($2 >> 8)))$(hex2 $(($2 & 255)))$(hex2 $((len >> 8)))$(hex2 $((len & 255)))\\x00\\x00$3"
}
# pair NAME VALUE: a name-value pair, both under 128 bytes.
pair() { printf '%s' "$(hex2 ${#1})$(hex2 ${#2})$1$2"; }
BEGIN_KEEP='\x00\x01\x01\x00\x00\x00\x00\x00'    # responder, FCGI_KEEP_CONN
BEGIN_CLOSE='\x00\x01\x00\x00\x00\x00\x00\x00'   # responder, close after
GET_PARAMS="$(pair REQUEST_METHOD GET)$(pair REQUEST_URI "$P")$(pair QUERY_STRING '')$(pair REMOTE_ADDR 127.0.0.1)"
# get_req ID: a whole GET of the profile, kept connection.
get_req() { rec 1 "$1" "$BEGIN_KEEP"; rec 4 "$1" "$GET_PARAMS"; rec 4 "$1" ''; rec 5 "$1" ''; }
# raw NAME [fcgi-client options]: stdin sent as is; the answer's records in $T_DIR/NAME.out.
raw() { local n=$1; shift; "$FCGI_CLIENT" --raw "$@" "$SOCK" >"$T_DIR/$n.out" 2>"$T_DIR/$n.err"; }
site_ok() { curl -fsS -o /dev/null --max-time 5 "$BASE$P"; }

# ---- malformed records end the connection, not the worker -------------------------------
# The name-value lengths of CVE-2025-23016: a 16-byte name and a value of
# 0x7ffffff0 bytes, whose sum overflows libfcgi's int arithmetic (Debian's
# libfcgi 2.4.2 then aborts the process on an assertion).
CVE_PARAMS='\x10\xff\xff\xff\xf0AAAAAAAAAAAAAAAAxyz'
{ rec 1 1 "$BEGIN_KEEP"; rec 4 1 "$CVE_PARAMS"; rec 4 1 ''; rec 5 1 ''; } | raw cve
check "the overflowing PARAMS pair: the connection is closed, nothing answered" \
	bash -c "[ \"\$(cat '$T_DIR/cve.out')\" = closed ]"
check "... and every worker is still the one it was" [ "$(workers)" = "$W0" ]
check "... and says why in the log" grep -q 'a name-value length runs past the record' "$LOG"

# The same 50 times in a row, with GETs through nginx in between: no worker
# dies, so the master never backs off, and every GET is 200.
bad=0
for i in $(seq 50); do
	{ rec 1 1 "$BEGIN_KEEP"; rec 4 1 "$CVE_PARAMS"; rec 4 1 ''; } | raw cve-loop --wait 500
	site_ok || bad=$((bad + 1))
done
check "50 overflowing records, a GET through nginx after each: all 200 ($bad failed)" [ "$bad" = 0 ]
check "... the same four workers throughout" [ "$(workers)" = "$W0" ]
check "... no worker died, the master never backed off" \
	bash -c "! grep -qE 'was killed by signal|workers die at start' '$LOG'"

same_workers() { [ "$(workers)" = "$W0" ]; }
bad_input() { # bad_input DESC BYTES-COMMAND: the app closes, the workers live
	local d=$1; shift
	"$@" | raw bad --wait 1000
	check "$d: closed, workers unchanged" eval 'grep -qx closed "$T_DIR/bad.out" && same_workers'
}
v2() { printf '\x02\x01\x00\x01\x00\x08\x00\x00'; printf '%b' "$BEGIN_KEEP"; }
bad_input "FastCGI version 2" v2
bad_input "a BEGIN_REQUEST of 3 bytes" rec 1 1 '\x00\x01\x01'
past() { rec 1 1 "$BEGIN_KEEP"; rec 4 1 '\x05\x20abcde'; rec 4 1 ''; }
bad_input "a value length past the end of the parameters" past
cut4() { rec 1 1 "$BEGIN_KEEP"; rec 4 1 '\x85\x00'; rec 4 1 ''; }
bad_input "a four-byte length cut short" cut4
eqname() { rec 1 1 "$BEGIN_KEEP"; rec 4 1 "$(pair 'REMOTE_USER=admin' x)$GET_PARAMS"; rec 4 1 ''; rec 5 1 ''; }
bad_input "a parameter name holding '=' (REMOTE_USER=admin)" eqname
nulval() { rec 1 1 "$BEGIN_KEEP"; rec 4 1 "\\x0b\\x05REMOTE_USERad\\x00in$GET_PARAMS"; rec 4 1 ''; rec 5 1 ''; }
bad_input "a parameter value holding NUL" nulval
stdin_early() { rec 1 1 "$BEGIN_KEEP"; rec 4 1 "$GET_PARAMS"; rec 5 1 'x=1'; }
bad_input "STDIN before the parameters end" stdin_early
huge() {
	local a; a=$(printf 'a%.0s' $(seq 1000))
	rec 1 1 "$BEGIN_KEEP"
	for _ in $(seq 70); do rec 4 1 "$a"; done
}
bad_input "70 KB of parameters (over the 64 KiB this server takes)" huge

# ---- management records and multiplexing are answered ------------------------------------
{ rec 9 0 "$(pair FCGI_MAX_CONNS '')$(pair FCGI_MAX_REQS '')$(pair FCGI_MPXS_CONNS '')"; } | raw values --wait 500
check "FCGI_GET_VALUES alone: FCGI_GET_VALUES_RESULT, and the connection stays open" \
	bash -c "grep -q '^record 10 0 ' '$T_DIR/values.out' && grep -qx open '$T_DIR/values.out'"
{ rec 12 0 ''; } | raw unknown --wait 500
check "an unknown management record: FCGI_UNKNOWN_TYPE" grep -q '^record 11 0 8$' "$T_DIR/unknown.out"
{ rec 1 1 "$BEGIN_KEEP"; rec 4 1 "$GET_PARAMS"; rec 4 1 ''; rec 1 2 "$BEGIN_KEEP"; rec 5 1 ''; } |
	raw mpx --wait 1000
check "a second request id on one connection: FCGI_CANT_MPX_CONN for it, the first answered" \
	bash -c "grep -q '^end 2 1$' '$T_DIR/mpx.out' && grep -q '^end 1 0$' '$T_DIR/mpx.out'"
{ rec 1 3 '\x00\x02\x00\x00\x00\x00\x00\x00'; } | raw role --wait 1000
check "the authorizer role: FCGI_UNKNOWN_ROLE, then closed" \
	bash -c "grep -q '^end 3 3$' '$T_DIR/role.out' && grep -qx closed '$T_DIR/role.out'"
{ rec 1 1 "$BEGIN_KEEP"; rec 4 1 "$GET_PARAMS"; rec 2 1 ''; get_req 4; } | raw abort --wait 1000
check "FCGI_ABORT_REQUEST before the request is whole: ended, the next request answered" \
	bash -c "grep -q '^end 1 0$' '$T_DIR/abort.out' && grep -q '^end 4 0$' '$T_DIR/abort.out'"
{ get_req 1; get_req 1; get_req 1; } | raw pipelined --wait 1000
check "three requests written at once on one connection: three answers" \
	[ "$(grep -c '^end 1 0$' "$T_DIR/pipelined.out")" = 3 ]

# ---- parameters the app trusts, sent twice ------------------------------------------------
"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET 'REQUEST_URI=/login?next=/' QUERY_STRING=next=/ \
	REMOTE_USER= REMOTE_USER=admin REMOTE_ADDR=127.0.0.1 </dev/null >"$T_DIR/dup.out" 2>&1
check "REMOTE_USER twice (Debian's fastcgi_params and a site's own): 400, no session" \
	bash -c "grep -q '^Status: 400' '$T_DIR/dup.out' && ! grep -qi '^set-cookie: bzs=' '$T_DIR/dup.out'"
"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET "REQUEST_URI=$P" QUERY_STRING= \
	HTTP_COOKIE=a=1 HTTP_COOKIE=bzs=x REMOTE_ADDR=127.0.0.1 </dev/null >"$T_DIR/dup2.out" 2>&1
check "HTTP_COOKIE twice: 400" grep -q '^Status: 400' "$T_DIR/dup2.out"
check "... and the log names the parameter" grep -q 'sent REMOTE_USER twice' "$LOG"
"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET "REQUEST_URI=$P" QUERY_STRING= REMOTE_ADDR=127.0.0.1 \
	X_OTHER=1 X_OTHER=2 </dev/null >"$T_DIR/dup3.out" 2>&1
check "a parameter the app never reads, twice: 200" grep -q '^Status: 200' "$T_DIR/dup3.out"

# ---- stalls: half-sent records hold nothing but their connection --------------------------
# latency_ok N (lib.sh): N GETs of the profile through nginx, each 200 within 1 s.
printf '\x01' | "$FCGI_CLIENT" --raw --conns 16 --linger 3 "$SOCK" >"$T_DIR/stall.out" 2>"$T_DIR/stall.err" &
stall=$!
wait_for 5 grep -q held "$T_DIR/stall.err"
check "16 connections that each sent one byte: 30 GETs through nginx, all 200 within 1 s" latency_ok 30
echo "# slowest GET: $SLOWEST s"
wait "$stall"
check "... and the app closed all 16 within read_timeout_ms" grep -qx 'held 16 closed 16' "$T_DIR/stall.out"
check "... saying why" grep -q 'a request did not arrive whole in time' "$LOG"

# A request dribbled a byte at a time is no better than a stalled one.
get_req 1 | raw dribble --dribble 100 --wait 1000
check "a request sent a byte each 100 ms: closed unanswered" \
	bash -c "grep -qx closed '$T_DIR/dribble.out' && ! grep -q '^end ' '$T_DIR/dribble.out'"

# ---- idle connections by the hundred --------------------------------------------------------
# 4 workers of 16 slots: 100 idle connections take every slot, and each new
# connection from nginx replaces the one idle the longest.
: | "$FCGI_CLIENT" --raw --conns 100 --linger 3 "$SOCK" >"$T_DIR/idle.out" 2>"$T_DIR/idle.err" &
idle=$!
wait_for 5 grep -q held "$T_DIR/idle.err"
check "100 idle connections against 64 slots: 30 GETs through nginx, all 200 within 1 s" latency_ok 30
wait "$idle"
check "... the app closed all 100 (slots given to others, or idle_timeout)" \
	grep -qx 'held 100 closed 100' "$T_DIR/idle.out"
check "... and said that its slots were full" grep -q 'connections of this worker are taken' "$LOG"
check "... no worker died of any of it" [ "$(workers)" = "$W0" ]

# ---- a client that never reads its answers -------------------------------------------------
# Twenty pipelined GETs, answers never read: more than the socket buffers
# hold, so the worker keeps the rest for it, serves everyone else, and
# closes the connection after write_timeout (5 s).
slow_reader() { for i in $(seq 20); do get_req 1; done; }
slow_reader | "$FCGI_CLIENT" --raw --conns 1 --linger 7 "$SOCK" >"$T_DIR/noread.out" 2>"$T_DIR/noread.err" &
noread=$!
wait_for 5 grep -q held "$T_DIR/noread.err"
check "a client that reads none of 20 answers: 30 GETs through nginx, all 200 within 1 s" latency_ok 30
wait "$noread"
check "... closed by the app after write_timeout" grep -qx 'held 1 closed 1' "$T_DIR/noread.out"
check "... saying why" grep -q 'the client did not read its answer' "$LOG"

# ---- SIGHUP while an old worker is held: it is killed after shutdown_timeout ---------------
slow_reader | "$FCGI_CLIENT" --raw --conns 1 --linger 8 "$SOCK" >"$T_DIR/held.out" 2>"$T_DIR/held.err" &
held=$!
wait_for 5 grep -q held "$T_DIR/held.err"
OLD=$(workers)
kill -HUP "$(master)"
new_gen() { [ -z "$(comm -12 <(workers) <(echo "$OLD"))" ] && four_workers; }
hup_at=$SECONDS
check "SIGHUP: a new generation of four, every old worker gone within 6 s (shutdown_timeout 2 s)" \
	wait_for 6 new_gen
check "... the site answered throughout" latency_ok 5
wait "$held"
echo "# old generation gone after $((SECONDS - hup_at)) s or less"
check "... the held worker was killed, and the log says so" grep -q 'killed (shutdown_timeout)' "$LOG"

# ---- a worker that dies after accepting is no start failure --------------------------------
W1=$(workers)
# One after another: each death seen by the master before the next kill.
reaped() { ! workers | grep -qx "$1"; }
for w in $W1; do kill -9 "$w"; wait_for 2 reaped "$w"; done
check "four workers killed -9 one after another: four new ones at once" wait_for 2 four_workers
check "... no backoff (they had accepted: not a start failure)" bash -c "! grep -q 'workers die at start' '$LOG'"
check "... and the site answers" latency_ok 5

finish
