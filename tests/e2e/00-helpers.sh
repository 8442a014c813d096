#!/bin/bash
# The helpers the other suites stand on (tests/util.sh, tests/e2e/lib.sh),
# without a stack: wait_for ends at its deadline however slow each try is;
# pid_alive takes a zombie for exited; split_answer reads HTTP and FastCGI
# answers as http sets them; the log marks; load_not's status patterns.
. "$(dirname "$0")/lib.sh"
rm -rf "$T_DIR"; mkdir -p "$T_DIR"

# ---- wait_for --------------------------------------------------------------------
slow_no() { sleep 0.4; false; }
t0=${EPOCHREALTIME//[!0-9]/}
wait_for 1 slow_no; rc=$?
ms=$(( (${EPOCHREALTIME//[!0-9]/} - t0) / 1000 ))
check "wait_for 1 on a try of 0.4 s that fails: fails after about 1 s (${ms} ms), not 20 tries" \
	eval '[ "$rc" = 1 ] && [ "$ms" -ge 1000 ] && [ "$ms" -lt 3000 ]'
n=0
third() { n=$((n + 1)); [ "$n" -ge 3 ]; }
wait_for 5 third
check "wait_for runs CMD in this shell until it succeeds (3 tries: $n)" [ "$n" = 3 ]
t0=${EPOCHREALTIME//[!0-9]/}
wait_for 5 true
ms=$(( (${EPOCHREALTIME//[!0-9]/} - t0) / 1000 ))
check "wait_for returns at once when CMD succeeds at once (${ms} ms)" [ "$ms" -lt 100 ]

# ---- pid_alive -------------------------------------------------------------------
# A zombie: a child whose parent (exec'd into sleep) never reaps it.
(sleep 0.05 & echo $! >"$T_DIR/zombie.pid"; exec sleep 3) &
parent=$!
z_is_zombie() { [ "$(awk '{ print $3 }' "/proc/$(cat "$T_DIR/zombie.pid")/stat" 2>/dev/null)" = Z ]; }
wait_for 2 z_is_zombie
z=$(cat "$T_DIR/zombie.pid")
check "a zombie ($z) is still reached by kill -0" kill -0 "$z"
check "... but pid_alive says it has exited" pid_gone "$z"
check "pid_alive: a running process" pid_alive "$parent"
check "pid_alive: no pid, no such process" eval '! pid_alive "" && ! pid_alive 4194304'
kill "$parent"; wait "$parent" 2>/dev/null

# ---- split_answer ------------------------------------------------------------------
printf 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such page\r\n' >"$T_DIR/http.out"
split_answer "$T_DIR/http.out"
check "split_answer, HTTP: status, header, body" \
	eval '[ "$STATUS" = 404 ] && [ "$(header Content-Type)" = text/plain ] && [ "$(tr -d "\r" <"$BODY")" = "no such page" ]'
printf 'Status: 503 Service Unavailable\r\nRetry-After: 5\r\n\r\nunavailable' >"$T_DIR/cgi.out"
split_answer "$T_DIR/cgi.out"
check "split_answer, FastCGI: Status:, header, body" \
	eval '[ "$STATUS" = 503 ] && [ "$(header Retry-After)" = 5 ] && [ "$(cat "$BODY")" = unavailable ]'
: >"$T_DIR/none.out"
split_answer "$T_DIR/none.out"
check "split_answer, nothing at all: 000" [ "$STATUS" = 000 ]

# ---- log marks -----------------------------------------------------------------------
printf 'one\ntwo\n' >"$T_DIR/log"
mark=$(log_mark "$T_DIR/log")
echo three >>"$T_DIR/log"
check "log_mark/log_since: the lines after the mark only" \
	eval '[ "$mark" = 3 ] && [ "$(log_since "$mark" "$T_DIR/log")" = three ]'
check "log_has: matches after the mark, not before" \
	eval 'log_has "$mark" thr "$T_DIR/log" && ! log_has "$mark" two "$T_DIR/log"'

# ---- load_not ----------------------------------------------------------------------
LOAD_ALL="$T_DIR/load.all"
printf '200 0.01\n200 0.02\n502 0.01\n000 10.0\n' >"$LOAD_ALL"
check "load_total, load_not: 4 answers, 2 not 200, 1 neither 200 nor 502" \
	eval '[ "$(load_total)" = 4 ] && [ "$(load_not 200)" = 2 ] && [ "$(load_not "200|502")" = 1 ]'

finish
