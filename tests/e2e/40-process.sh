#!/bin/bash
# The process model end to end, on the host: --version,
# --help-config (docs/CONFIG.md), --check-config and bad values naming the
# key; a worker killed with -9 is replaced at once, even again and again;
# SIGHUP under load drops no request and picks up a catalog swapped in by
# bzpeer-import --into-new, losing no follow posted meanwhile; a
# broken template or store at SIGHUP keeps the old workers serving; workers
# that cannot open the store answer 503 without a crash loop; SIGTERM lets a
# request in flight finish, exits 0 and removes the socket; the socket
# systemd-socket-activate passes (LISTEN_FDS) is served and left in place.
. "$(dirname "$0")/lib.sh"

FCGI="$BUILD/bzpeer-fcgi"

# ---- a stack of our own: 3 workers, views from a copy we may break ---------
rm -rf "$T_DIR"; mkdir -p "$T_DIR"
cp -r "$ROOT/views" "$T_DIR/views"
need_fcgi_client
# Posts unlimited: the swap below posts follows as fast as they go.
export WORKERS=3 MICROCACHE=0 BZPEER_CONF_EXTRA="views = $T_DIR/views"$'\n'"post_rate = 100000"$'\n'"post_rate_addr = 1000000"
stack_start
trap 'load_kill; stack_down' EXIT
SOCK="$RUNDIR/bzpeer-fcgi.sock"
LOG="$RUNDIR/bzpeer-fcgi.log"
CONF="$RUNDIR/bzpeer.conf"
# master, workers, n_workers, new_workers, log_mark/log_since/log_has and
# the load helpers are lib.sh's.

# ---- the command line ---------------------------------------------------------
out=$("$FCGI" --version); rc=$?
check "--version prints the version and exits 0" bash -c "[ $rc = 0 ] && [[ '$out' =~ ^bzpeer-fcgi\ [0-9]+\.[0-9]+\.[0-9]+$ ]]"
"$FCGI" --help-config >"$T_DIR/help-config.md"
check "docs/CONFIG.md is exactly the output of --help-config" cmp -s "$T_DIR/help-config.md" "$ROOT/docs/CONFIG.md"
nkeys=$(grep -c '^| `[a-z_]*` |' "$T_DIR/help-config.md")
check "--help-config documents every key ($nkeys keys, each with a meaning)" \
	bash -c "[ $nkeys -ge 12 ] && ! grep -q '^| \`[a-z_]*\` | .* |  |$' '$T_DIR/help-config.md'"
"$FCGI" --config "$CONF" --check-config >"$T_DIR/check.out" 2>&1; rc=$?
check "--check-config on the running config exits 0" [ "$rc" = 0 ]
check "--check-config prints the settings in force" grep -qx "workers = 3" "$T_DIR/check.out"
# A check only checks: a missing secret is reported, never made (made by
# root, it would keep the service's own user out).
sed "s|^secret_file = .*|secret_file = $T_DIR/new-secret|" "$CONF" >"$T_DIR/nosecret.conf"
"$FCGI" --config "$T_DIR/nosecret.conf" --check-config >"$T_DIR/check.out" 2>&1; rc=$?
check "--check-config with no secret yet: exit 0, says it will be made at the first start" \
	bash -c "[ $rc = 0 ] && grep -q 'new-secret does not exist yet: it will be made at the first start' '$T_DIR/check.out'"
check "--check-config made no secret" [ ! -e "$T_DIR/new-secret" ]
"$FCGI" --config "$T_DIR/nosecret.conf" --check-reload >"$T_DIR/check.out" 2>&1; rc=$?
check "--check-reload on good templates and store: exit 0, no secret made" \
	bash -c "[ $rc = 0 ] && grep -q 'reload check: templates in .* are good' '$T_DIR/check.out' && [ ! -e '$T_DIR/new-secret' ]"
# --fail-wait: a start that fails waits before it exits (the unit passes 5).
start=$(date +%s%N)
"$FCGI" --config "$T_DIR/nosecret.conf" --store /nonexistent --fail-wait 2 >"$T_DIR/fail.out" 2>&1; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "--fail-wait 2: a failed start exits 1 after 2 s (${ms} ms), saying so" \
	bash -c "[ $rc = 1 ] && [ $ms -ge 1900 ] && grep -q 'start failed; exiting in 2 s' '$T_DIR/fail.out'"
"$FCGI" --config "$T_DIR/nosecret.conf" --fail-wait x >/dev/null 2>&1; rc=$?
check "--fail-wait x: usage error (2)" [ "$rc" = 2 ]

# bad_config DESC KEY LINES...: --check-config and a plain start both exit 1
# with a message naming KEY, and no socket is made.
bad_config() {
	local desc=$1 key=$2; shift 2
	printf '%s\n' "# a bad config" "$@" >"$T_DIR/bad.conf"
	"$FCGI" --config "$T_DIR/bad.conf" --listen "$T_DIR/bad.sock" --check-config >"$T_DIR/bad.out" 2>&1; rc=$?
	check "--check-config, $desc: exit 1" [ "$rc" = 1 ]
	check "--check-config, $desc: the message names $key" grep -q "$key" "$T_DIR/bad.out"
	"$FCGI" --config "$T_DIR/bad.conf" --listen "$T_DIR/bad.sock" >"$T_DIR/bad.out" 2>&1; rc=$?
	check "start, $desc: exit 1 naming $key, no socket" \
		bash -c "[ $rc = 1 ] && grep -q '$key' '$T_DIR/bad.out' && [ ! -e '$T_DIR/bad.sock' ]"
}
bad_config "unknown key" 'bad.conf:3: unknown key "no_such_key"' "store = $STORE" "no_such_key = 1"
bad_config "workers not a number" 'bad.conf:4: workers' "store = $STORE" "views = $T_DIR/views" "workers = lots"
bad_config "workers out of range" 'workers: "0" is not a whole number from 1 to' "store = $STORE" "workers = 0"
bad_config "bad log level" 'log_level: "loud"' "log_level = loud"
bad_config "bad socket mode" 'socket_mode: "999"' "socket_mode = 999"
bad_config "missing store" 'store: "/nonexistent' "store = /nonexistent/store" "views = $T_DIR/views"
bad_config "line without =" 'bad.conf:2: expected "key = value"' "workers"
"$FCGI" --config "$CONF" --workers 1000 --check-config >"$T_DIR/bad.out" 2>&1; rc=$?
check "a bad flag value exits 1 naming the key" bash -c "[ $rc = 1 ] && grep -q 'workers: \"1000\"' '$T_DIR/bad.out'"

# ---- started: READY once the workers accept; one line per event ---------------
check "three workers" n_workers 3
check "the master logged that the workers accept" grep -q 'info: update_state: serving: 3 workers accept' "$LOG"
http GET /researchers/sanjeev-arora
check "profile answers 200" [ "$STATUS" = 200 ]
# LMDB must not cross a fork: the store is opened by each worker, never by
# the master (whose start-up check closes it again before forking).
w1=$(workers | head -n1)
check "the store is open in the workers, not in the master" \
	bash -c "grep -q '$STORE/catalog/data.mdb' /proc/$w1/maps && grep -q '$STORE/user/data.mdb' /proc/$w1/maps && ! grep -q 'data.mdb' /proc/$(master)/maps && ! ls -l /proc/$(master)/fd | grep -q 'data.mdb\|lock.mdb'"

# ---- kill -9 of a worker: replaced ----------------------------------------------------
mark=$(log_mark)
before=$(workers)
victim=$(echo "$before" | head -n1)
kill -9 "$victim"
replaced() { n_workers 3 && ! workers | grep -qx "$victim"; }
check "a worker killed with -9 is replaced (3 workers again)" wait_for 5 replaced
check "the death is logged with its cause" \
	log_has "$mark" "warning: reap: worker $victim was killed by signal 9 (Killed); starting another"
http GET /researchers/sanjeev-arora
check "profile answers 200 after the respawn" [ "$STATUS" = 200 ]

# ---- kept connections: nginx's keep-alive never pins a worker --------------------------
timeout 20 "$FCGI_CLIENT" --keep 50 --get /researchers/sanjeev-arora "$SOCK" >"$T_DIR/keep.out" 2>"$T_DIR/keep.err"; rc=$?
check "50 requests on one kept connection, each answered, the connection left open" \
	eval "[ $rc = 0 ] && [ \$(grep -c '^Status: 200' '$T_DIR/keep.out') = 50 ] && [ \$(grep -c '</html>' '$T_DIR/keep.out') = 50 ]"
# Eight idle kept connections for three workers: with libfcgi's own wait each
# would hold a worker, and a new connection would wait for one forever.
rm -f "$T_DIR/keep-go"; KEEPERS=()
for i in $(seq 8); do
	timeout 30 "$FCGI_CLIENT" --keep 2 --hold "$T_DIR/keep-go" --get /researchers/sanjeev-arora "$SOCK" \
		>"$T_DIR/keep.$i.out" 2>"$T_DIR/keep.$i.err" &
	KEEPERS+=($!)
done
held() { [ "$(cat "$T_DIR"/keep.*.err 2>/dev/null | grep -c held)" = 8 ]; }
wait_for 10 held
check "eight clients hold idle kept connections to three workers" held
timeout 5 "$FCGI_CLIENT" --get /researchers/sanjeev-arora "$SOCK" >"$T_DIR/fresh.out" 2>&1
check "a new connection is answered meanwhile" grep -q '^Status: 200' "$T_DIR/fresh.out"
http GET /researchers/sanjeev-arora
check "... and a request through nginx" [ "$STATUS" = 200 ]
touch "$T_DIR/keep-go"
ok=0
for p in "${KEEPERS[@]}"; do wait "$p" && ok=$((ok + 1)); done
check "each held connection then gets its second answer, and stays open" [ "$ok" = 8 ]
# nginx keeps its connections to the workers between requests.
for i in 1 2 3 4 5; do http GET /researchers/sanjeev-arora; done
check "nginx keeps connections open to the workers (seen from their side)" \
	bash -c "ss -xH state connected | grep -qF '$SOCK'"

# ---- workers killed as soon as they accept: replaced at once ----------------------------
# A worker that dies after it accepted requests was killed by one of them
# or by someone: that is no start failure, and its replacement starts at
# once (the backoff is for workers that die before they accept).
mark=$(log_mark)
killed=
# a_new_worker: one worker at least that was not killed yet.
a_new_worker() { workers | grep -qvxF -f <(echo "${killed:-none}"); }
for _ in 1 2 3 4; do
	wait_for 3 a_new_worker
	# shellcheck disable=SC2046,SC2086
	killed=$(printf '%s\n' $killed $(workers))
	# shellcheck disable=SC2046
	kill -9 $(workers) 2>/dev/null
done
check "every kill is replaced: three workers again within 2 s" wait_for 2 new_workers 3 "$killed"
check "... without a backoff" bash -c "! tail -n +$mark '$LOG' | grep -q 'workers die at start'"
check "the master survived" pid_alive "$(master)"
wait_for 5 curl -fsS -o /dev/null "$BASE/researchers/sanjeev-arora"
http GET /researchers/sanjeev-arora
check "profile answers 200 after the kills" [ "$STATUS" = 200 ]

# ---- SIGHUP under load: a swapped-in catalog, no request dropped, no follow lost ----------
# A new catalog built beside the serving one (bzpeer-import --into-new, the
# procedure of docs/INSTALL.md) while pages are read and follows posted,
# swapped in, then SIGHUP: every GET answered 200, every follow answered
# 200, and every one of those in the store afterwards (user data is never
# copied or swapped).
session_key
dump | sed -n 's/^researchers \(A[0-9]*\) .* slug="\([^"]*\)".*/\2 \1/p' >"$T_DIR/slugs"
SLUGS=($(awk '{print $1}' "$T_DIR/slugs"))
# follow_load STOP USER OUT: USER follows one researcher after another until
# STOP exists or each is followed; "status slug" lines in OUT.
follow_load() {
	local stop=$1 user=$2 out=$3 c t i=0 end=$((SECONDS + 60))
	c=$(cookie_1h "$user"); t=$(csrf_of "$c")
	: >"$out"
	while [ ! -e "$stop" ] && [ "$SECONDS" -lt "$end" ] && [ "$i" -lt "${#SLUGS[@]}" ]; do
		s=${SLUGS[$i]}; i=$((i + 1))
		printf '%s %s\n' "$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' \
			-b "bzs=$c" -H 'Accept: application/json' \
			-H 'Content-Type: application/x-www-form-urlencoded' \
			--data-binary "csrf=$t&action=follow" "$BASE/researchers/$s/follow")" "$s" >>"$out"
		sleep 0.05
	done
}
NEW_WORK='A Freshly Imported Work on Implicit Regularization'
load_start hup 3 /researchers/zhiyuan-li
wait_for 10 load_started hup
rm -f "$T_DIR/follows.stop"
FPIDS=()
for u in 1 2; do follow_load "$T_DIR/follows.stop" "swapper-$u" "$T_DIR/follows.$u" & FPIDS+=($!); done
"$BUILD/bzpeer-import" --store "$STORE" --into-new --authors "$ROOT/store/sample/authors.jsonl" \
	--works "$ROOT/store/sample/works.jsonl" \
	--works "$ROOT/tests/fixtures/reimport-works.jsonl" >"$T_DIR/reimport.log" 2>&1
check "a new catalog imported beside the live one and swapped in ($(tail -n1 "$T_DIR/reimport.log"))" \
	bash -c "[ $? = 0 ] && grep -q 'new catalog swapped in' '$T_DIR/reimport.log' && ls -d '$STORE'/catalog.before-* >/dev/null"
gen_new=$("$BUILD/bzpeer-admin" --store "$STORE" stats | sed -n 's/^generation //p')
check "the new catalog's generation follows the serving one's (1 -> $gen_new): no cached page of the old is taken for one of the new" \
	[ "$gen_new" = 2 ]
before=$(workers)
http GET /researchers/zhiyuan-li
check "before SIGHUP the workers still read the old catalog" bash -c "[ $STATUS = 200 ] && ! grep -q '$NEW_WORK' '$BODY'"
mark=$(log_mark)
kill -HUP "$(master)"
check "SIGHUP: a new generation of 3 workers replaces the old" wait_for 10 new_workers 3 "$before"
check "the reload is logged" log_has "$mark" 'info: update_state: reloaded: generation 2 serves'
load_more hup 10   # the new generation serves the load too
touch "$T_DIR/follows.stop"; wait "${FPIDS[@]}"
load_stop hup
http GET /researchers/zhiyuan-li
check "after SIGHUP the page shows the new catalog" grep -q "$NEW_WORK" "$BODY"
check "SIGHUP under load: $(load_total) requests, none failed ($(load_not 200) not 200)" \
	bash -c "[ $(load_total) -ge 20 ] && [ $(load_not 200) = 0 ]"
cat "$T_DIR"/follows.[12] >"$T_DIR/follows.all"
nf=$(wc -l <"$T_DIR/follows.all"); nf200=$(grep -c '^200 ' "$T_DIR/follows.all")
dump >"$T_DIR/dump.swap"
lostf=0
while read -r st sl; do
	[ "$st" = 200 ] || continue
	id=$(awk -v s="$sl" '$1 == s {print $2}' "$T_DIR/slugs")
	grep -q "^follows $id \"swapper-[12]\"$" "$T_DIR/dump.swap" || lostf=$((lostf + 1))
done <"$T_DIR/follows.all"
stored=$(grep -c '^follows A[0-9]* "swapper-[12]"$' "$T_DIR/dump.swap")
check "follows across the swap: $nf posted, $nf200 answered 200, $stored in the store, $lostf lost" \
	bash -c "[ $nf -ge 10 ] && [ $nf200 = $nf ] && [ $lostf = 0 ] && [ $stored = $nf200 ]"

# ---- a stop while nginx keeps a connection busy ---------------------------------
# One client on one connection, 15 requests a second (curl --rate): one
# nginx worker takes them all and sends them on one kept connection to a
# worker, opened for them (after 1.5 s of quiet nginx has closed every kept
# one: its upstream keepalive_timeout is 1 s). A bound of 100 requests
# would not close it within the 3 s a stopping worker waits; nginx must
# close it first (the upstream's keepalive_time), or the worker closes a
# connection nginx still uses and crosses a request nginx may be sending
# on it (a POST then answers 502).
sleep 1.5
curl -s --rate 15/s -w 'status=%{http_code}\n' "$BASE/healthz?n=[1-120]" |
	grep --line-buffered -o '^status=[0-9]*' >"$T_DIR/seq.out" & SEQ=$!
wait_for 10 bash -c "[ \$(wc -l <'$T_DIR/seq.out') -ge 10 ]"
before=$(workers)
mark=$(log_mark)
kill -HUP "$(master)"
gone_all() { local p; for p in $before; do [ -e "/proc/$p" ] && return 1; done; return 0; }
check "a reload under one client's steady requests: the old workers exit" wait_for 10 gone_all
wait "$SEQ"
check "a reload under one client's steady requests: $(wc -l <"$T_DIR/seq.out") answered, all 200" \
	bash -c "[ \$(wc -l <'$T_DIR/seq.out') = 120 ] && [ \$(grep -cvx status=200 '$T_DIR/seq.out') = 0 ]"
none_closed_under_nginx() { ! log_has "$mark" 'stopping: closed a FastCGI connection'; }
check "nginx closed the stopping workers' connections before their drain ended (none closed under it)" \
	none_closed_under_nginx

# ---- a broken template at SIGHUP: the old workers keep serving -----------------------
cp "$T_DIR/views/profile.html" "$T_DIR/profile.html.good"
echo '{{no_such_slot_here}}' >>"$T_DIR/views/profile.html"
before=$(workers)
mark=$(log_mark)
load_start badtmpl 2 /researchers/sanjeev-arora
"$FCGI" --config "$CONF" --check-reload >"$T_DIR/check.out" 2>&1; rc=$?
check "--check-reload (systemctl reload's first step) fails on the broken template, naming it" \
	bash -c "[ $rc = 1 ] && grep -q 'views: .*profile.html' '$T_DIR/check.out'"
kill -HUP "$(master)"
check "broken template: the reload is refused, naming the file" \
	wait_for 20 log_has "$mark" 'error: reload: reload refused, workers unchanged: templates: .*profile.html'
load_more badtmpl 5   # answered after the refusal too
load_stop badtmpl
check "broken template: the same workers serve" [ "$(workers)" = "$before" ]
check "broken template: $(load_total) requests meanwhile, all 200" bash -c "[ $(load_total) -ge 5 ] && [ $(load_not 200) = 0 ]"
cp "$T_DIR/profile.html.good" "$T_DIR/views/profile.html"
kill -HUP "$(master)"
none_of_before() { [ -z "$(comm -12 <(workers) <(echo "$before"))" ]; }
check "template mended: the next SIGHUP reloads" wait_for 10 none_of_before

# ---- a store that cannot be opened -----------------------------------------------------
signin demo; JL=$JAR; CL=$CSRF   # a session to log out with while the store is gone
mkdir -p "$T_DIR/store.bad"
yes 'this is not an LMDB file' | head -c 65536 >"$T_DIR/store.bad/data.mdb"
mv "$STORE" "$T_DIR/store.good" && mv "$T_DIR/store.bad" "$STORE"
before=$(workers)
mark=$(log_mark)
kill -HUP "$(master)"
check "broken store: the reload is refused" wait_for 20 log_has "$mark" 'error: reload: reload refused, workers unchanged: store'
http GET /researchers/sanjeev-arora
check "broken store at SIGHUP: the old workers still answer 200" bash -c "[ $STATUS = 200 ] && [ '$(workers)' = '$before' ]"
# Workers started now (after a crash) cannot open the store; each says so
# in the log once it has tried.
killed=$(workers)
mark_kill=$(log_mark)
# shellcheck disable=SC2046
kill -9 $(workers)
wait_for 5 new_workers 3 "$killed"
tried_store() { [ "$(log_since "$mark_kill" | grep -c 'error: app_open: store ')" -ge 3 ]; }
wait_for 5 tried_store
http GET /researchers/sanjeev-arora
check "workers without a store answer 503" [ "$STATUS" = 503 ]
check "the 503 page is in the site's layout" grep -q 'href="/static/bzpeer\.[0-9a-f]\{16\}\.css"' "$BODY"
http GET /healthz
check "/healthz answers 503" [ "$STATUS" = 503 ]
check "/healthz to loopback (nginx on 127.0.0.1) says why" grep -q '^store: ..' "$BODY"
"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/healthz QUERY_STRING= \
	REMOTE_ADDR=192.0.2.7 >"$T_DIR/healthz.out" 2>&1
split_answer "$T_DIR/healthz.out"
check "/healthz from another address: 503 and \"unavailable\" alone, not why" \
	eval '[ "$STATUS" = 503 ] && [ "$(cat "$BODY")" = unavailable ]'
http POST /logout -b "$JL" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "csrf=$CL"
check "logging out without a store: 503 'still signed in', the cookie kept" \
	eval '[ "$STATUS" = 503 ] && grep -q "still signed in" "$BODY" && ! grep -qi "^Set-Cookie: bzs=" "$HEADERS"'
during=$(workers)
# A window, the thing tested: a worker that exits for want of a store does
# so at once, and the master's replacement would show as a new pid.
sleep 1
check "no crash loop: the same 3 workers 1 s later" bash -c "[ '$(workers)' = '$during' ] && [ $(workers | wc -l) = 3 ]"
check "each worker logged why the store is unavailable" \
	bash -c "[ \$(grep -c 'error: app_open: store .*' <(tail -n +$mark '$LOG')) -ge 3 ]"
mv "$STORE" "$T_DIR/store.bad" && mv "$T_DIR/store.good" "$STORE"
kill -HUP "$(master)"
check "store back: SIGHUP brings workers that serve it" \
	wait_for 10 curl -fsS -o /dev/null "$BASE/researchers/sanjeev-arora"
http GET /researchers/sanjeev-arora -b "$JL"
check "store back: that session is still signed in (nobody said otherwise)" grep -q 'Signed in as <strong>demo</strong>' "$BODY"

# ---- the log: one line per event, with level and cause ------------------------------------
check "every log line is 'bzpeer-fcgi[pid]: level: function: message'" \
	bash -c "! grep -vE '^bzpeer-fcgi\[[0-9]+\]: (error|warning|info|debug): [a-z_]+: .+' '$LOG'"

# ---- SIGTERM: the request in flight finishes, exit 0, socket removed ----------------------
# The stack's server is not our child; one started here is, for its status.
stack_pid=$(master)
kill -TERM "$stack_pid"
wait_for 15 pid_gone "$stack_pid"
check "the stack's server stopped on SIGTERM" pid_gone "$stack_pid"
check "it removed its socket file" [ ! -e "$SOCK" ]
# A request held half-sent for a second or more, as this test holds one,
# is one a worker would give up on after read_timeout_ms: this server
# waits longer for it.
{ cat "$CONF"; echo "read_timeout_ms = 10000"; } >"$T_DIR/own.conf"
"$FCGI" --config "$T_DIR/own.conf" >>"$T_DIR/own.log" 2>&1 </dev/null &
own=$!
echo "$own" >"$RUNDIR/bzpeer-fcgi.pid"   # so that stack_down stops it on failure
wait_for 10 curl -fsS -o /dev/null "$BASE/healthz"
check "a server of our own started" pid_alive "$own"
rm -f "$T_DIR/release" "$T_DIR/never"
"$FCGI_CLIENT" --hold "$T_DIR/release" --get /researchers/sanjeev-arora "$SOCK" >"$T_DIR/inflight.out" 2>"$T_DIR/inflight.err" &
getter=$!
# A kept connection idle at the stop, whose next request comes during it, and
# one that stays idle: the stopping worker answers the first and closes the
# second itself at last (nginx would have closed it after keepalive_timeout).
timeout 30 "$FCGI_CLIENT" --keep 2 --hold "$T_DIR/release" --get /researchers/sanjeev-arora "$SOCK" >"$T_DIR/kept.out" 2>"$T_DIR/kept.err" &
kept=$!
"$FCGI_CLIENT" --keep 2 --hold "$T_DIR/never" --get /researchers/sanjeev-arora "$SOCK" >/dev/null 2>"$T_DIR/idle.err" &
idle=$!
wait_for 5 grep -q held "$T_DIR/inflight.err"
wait_for 5 grep -q held "$T_DIR/kept.err"
wait_for 5 grep -q held "$T_DIR/idle.err"
wait_for 5 accepted "$getter"   # a worker waits for the rest of the request
load_start term 2 /researchers/sanjeev-arora
wait_for 10 load_started term
kill -TERM "$own"
term_at=$SECONDS
# A window, the thing tested: by now the socket is gone, and a master that
# did not wait for the request in flight would have exited.
sleep 0.3
check "SIGTERM: the master waits for the request in flight" pid_alive "$own"
check "SIGTERM: the socket file is gone at once (new connections refused)" [ ! -e "$SOCK" ]
touch "$T_DIR/release"
wait "$getter"; rc=$?
check "the request in flight completed" [ "$rc" = 0 ]
check "... with status 200 and the whole page" \
	bash -c "grep -q '^Status: 200' '$T_DIR/inflight.out' && grep -q '</html>' '$T_DIR/inflight.out'"
wait "$kept"; rc=$?
check "a request on a kept connection during the stop is answered" \
	eval "[ $rc = 0 ] && [ \$(grep -c '^Status: 200' '$T_DIR/kept.out') = 2 ]"
wait_for 15 pid_gone "$own"
check "a connection left idle does not hold the stop for long (at most 3 s + 1)" \
	[ $((SECONDS - term_at)) -le 4 ]
kill "$idle" 2>/dev/null; wait "$idle" 2>/dev/null
wait "$own"; rc=$?
check "SIGTERM: the master exits 0" [ "$rc" = 0 ]
check "SIGTERM: the socket file is removed" [ ! -e "$SOCK" ]
load_stop term
check "under load at SIGTERM: $(load_total) requests, each 200 or nginx's 502 once the socket is gone" \
	bash -c "[ $(( $(load_total) - $(load_not 200) )) -ge 1 ] && [ $(load_not '200|502') = 0 ]"
check "the stop is logged" grep -q 'info: begin_stop: stopping on Terminated' "$T_DIR/own.log"

# ---- socket activation: LISTEN_FDS from systemd-socket-activate -------------------------
command -v systemd-socket-activate >/dev/null ||
	"$ROOT/tests/deps.sh" systemd >"$T_DIR/deps.log" 2>&1
if command -v systemd-socket-activate >/dev/null; then
	SA_SOCK="$T_DIR/activated.sock"
	systemd-socket-activate -l "$SA_SOCK" "$FCGI" --config "$CONF" >"$T_DIR/sa.log" 2>&1 </dev/null &
	sa=$!
	# It starts the server at the first connection, which then waits in
	# the backlog until a worker accepts.
	wait_for 5 test -S "$SA_SOCK"
	"$FCGI_CLIENT" --get /researchers/sanjeev-arora "$SA_SOCK" >"$T_DIR/sa.out" 2>"$T_DIR/sa.err"
	check "socket activation: the master says where it listens" grep -q "listening on $SA_SOCK, passed by systemd" "$T_DIR/sa.log"
	check "socket activation: the app serves on the passed socket" \
		bash -c "grep -q '^Status: 200' '$T_DIR/sa.out' && grep -q 'Sanjeev Arora' '$T_DIR/sa.out'"
	check "socket activation: the configured socket is not made" [ ! -e "$SOCK" ]
	kill -TERM "$sa"
	wait "$sa"; rc=$?
	check "socket activation: SIGTERM, exit 0" [ "$rc" = 0 ]
	check "socket activation: the passed socket is not ours to remove" [ -S "$SA_SOCK" ]
else
	not_ok "systemd-socket-activate is missing (Debian package systemd)"
fi

finish
