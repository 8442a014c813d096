#!/bin/bash
# Faults under load, each judged by the failure policy (README "Limits and errors") and
# counted: requests served, errors, follows acknowledged, follows lost.
#   - Redis killed, paused (CLIENT PAUSE), asleep (DEBUG SLEEP) and flushed
#     while GETs and follow posts run: every GET 200 from LMDB, quickly (the
#     app gives Redis milliseconds, not seconds), every post recorded, the
#     counters right again afterwards;
#   - the store's map full (store_map_max): follow posts answer 503 with a
#     message and nothing half-written, pages still 200; a logout whose
#     sign-out cannot be written answers 503 and keeps the cookie;
#   - the disk full under the store (a 2 MiB tmpfs): 503, nothing
#     half-written, and posts work again once there is room;
#   - workers killed with -9 in the middle of requests: GETs retried by
#     nginx (all 200), no acknowledged follow lost, the counts consistent.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || "$ROOT/tests/deps.sh" openssl >/dev/null 2>&1
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 100000'
export MICROCACHE=0 WORKERS=4
stack_up
MNT="$T_DIR/tmpfs"
cleanup() {
	kill $(jobs -p) 2>/dev/null; wait 2>/dev/null
	stack_down
	mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"
}
trap cleanup EXIT

REDIS_SOCK="$RUNDIR/redis.sock"   # rcli (lib.sh) talks to it
# Redis as stack.sh starts it, plus DEBUG from a local connection (Redis 7
# refuses it otherwise); its pid in redis.pid, so stack_down stops it.
redis_up() {
	redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 \
		--save "" --appendonly no --maxmemory 64mb --maxmemory-policy allkeys-lru \
		--enable-debug-command local --dir "$RUNDIR" --logfile "$RUNDIR/redis.log" \
		--daemonize no >>"$RUNDIR/redis.log" 2>&1 </dev/null &
	echo $! >"$RUNDIR/redis.pid"
	disown $!   # killed on purpose below: no "Killed" notice from bash
	wait_for 5 rcli PING
}
redis_kill() { kill -9 "$(cat "$RUNDIR/redis.pid")" 2>/dev/null; rm -f "$REDIS_SOCK"; }
"$ROOT/tests/stack.sh" redis-stop >>"$T_DIR/stack.log" 2>&1
redis_up
check "Redis restarted with DEBUG allowed locally" [ "$(rcli DEBUG SLEEP 0)" = OK ]

# ---- sessions for any user, made with the app's key (lib.sh's cookie_1h) --------------
session_key

dump | sed -n 's/^researchers \(A[0-9]*\) .* slug="\([^"]*\)".*/\2 \1/p' >"$T_DIR/slugs"
SLUGS=($(awk '{print $1}' "$T_DIR/slugs"))
check "the sample catalog has researchers to follow (${#SLUGS[@]})" [ "${#SLUGS[@]}" -ge 20 ]
PAGES=(/researchers/sanjeev-arora /researchers/zhiyuan-li /researchers/jason-lee / \
	/researchers/sanjeev-arora/graph /researchers/tianhao-wang)

# ---- load -----------------------------------------------------------------------------------
# GETs of PAGES: lib.sh's load_start NAME LOOPS PAGES... ("status seconds"
# lines). post_load STOP USER OUT: USER follows one researcher after another
# until the file STOP exists (or every researcher is followed; 60 s at
# most); one "status slug" line per post in OUT.
post_load() {
	local stop=$1 user=$2 out=$3 c t i=0 end=$((SECONDS + 60))
	c=$(cookie_1h "$user"); t=$(csrf_of "$c")
	: >"$out"
	while [ ! -e "$stop" ] && [ "$SECONDS" -lt "$end" ] && [ "$i" -lt "${#SLUGS[@]}" ]; do
		s=${SLUGS[$i]}; i=$((i + 1))
		printf '%s %s\n' "$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' \
			-b "bzs=$c" -H 'Accept: application/json' \
			-H 'Content-Type: application/x-www-form-urlencoded' \
			--data-binary "csrf=$t&action=follow" "$BASE/researchers/$s/follow")" "$s" >>"$out"
	done
}
# lost USER FILE: acknowledged follows (200) of USER missing from LMDB.
lost() {
	local user=$1 n=0 id
	dump >"$T_DIR/dump.check"
	while read -r st s; do
		[ "$st" = 200 ] || continue
		id=$(awk -v s="$s" '$1 == s {print $2}' "$T_DIR/slugs")
		grep -qxF "follows $id \"$user\"" "$T_DIR/dump.check" || n=$((n + 1))
	done <"$2"
	echo "$n"
}
# consistent: every researcher's follower count is its number of edges.
consistent() {
	dump | awk '$1 == "followers" {c[$2] = $3} $1 == "follows" {e[$2]++}
		END {for (k in c) if (c[k] != e[k] + 0) bad++; for (k in e) if (c[k] != e[k]) bad++; exit bad > 0}'
}
# counters_match: Redis counters (refilled on a GET that goes to Redis:
# after a reload, which empties this machine's page cache) and the counts
# the pages show equal LMDB's counts.
counters_match() {
	local s id bad=0 n
	for s in sanjeev-arora zhiyuan-li jason-lee; do
		n=$("$BUILD/bzpeer-admin" --store "$STORE" follows "$s" | sed -n 's/^count: *//p')
		curl -s "$BASE/researchers/$s" | grep -q "follow-count\">$n<" || bad=1
	done
	reload 4 || return 1
	for s in sanjeev-arora zhiyuan-li jason-lee; do
		curl -s -o /dev/null "$BASE/researchers/$s"
		id=$(awk -v s="$s" '$1 == s {print $2}' "$T_DIR/slugs")
		[ "$(rcli GET "bzpeer:followers:$id" | sed 's/.*://')" = \
		  "$("$BUILD/bzpeer-admin" --store "$STORE" follows "$s" | sed -n 's/^count: *//p')" ] || bad=1
	done
	return $bad
}

# fault NAME CMD...: GET load (two loops) and three users posting; once
# each has answers, CMD runs, and lasts as long as the fault does; the load
# goes on 1 s after it; then the counts and the verdict.
FAULT_NAME=
posts_started() { local w; for w in 1 2 3; do [ -s "$1/post.$w" ] || return 1; done; }
fault() {
	local name=$1; shift
	local d="$T_DIR/fault-$name" w pids=()
	FAULT_NAME=$name
	mkdir -p "$d"
	load_start "$name" 2 "${PAGES[@]}"
	for w in 1 2 3; do post_load "$d/post.stop" "$name-user$w" "$d/post.$w" & pids+=($!); done
	wait_for 10 load_started "$name"
	wait_for 10 posts_started "$d"
	"$@" >"$d/fault.log" 2>&1
	# A window, the thing tested: what is answered right after the fault
	# is judged too.
	sleep 1
	touch "$d/post.stop"
	load_stop "$name"
	wait "${pids[@]}"
	local gets ok200 max posts acked errs lostn=0
	cp "$LOAD_ALL" "$d/get.all"
	gets=$(wc -l <"$d/get.all")
	ok200=$(grep -c '^200 ' "$d/get.all")
	max=$(awk '{print $2}' "$d/get.all" | sort -g | tail -n1)
	posts=$(cat "$d"/post.* | wc -l)
	acked=$(cat "$d"/post.* | grep -c '^200 ')
	errs=$(( (gets - ok200) + (posts - acked) ))
	for w in 1 2 3; do lostn=$((lostn + $(lost "$name-user$w" "$d/post.$w"))); done
	FAULT_SUMMARY="$gets GETs ($ok200 200, slowest ${max:-?} s), $posts follows ($acked acknowledged), $errs errors, $lostn lost"
	FAULT_GETS=$gets FAULT_OK=$ok200 FAULT_MAX=${max:-99} FAULT_POSTS=$posts FAULT_ACKED=$acked FAULT_LOST=$lostn
}
fast() { awk -v m="$FAULT_MAX" -v b="$1" 'BEGIN {exit !(m < b)}'; }
fault_verdict() { # fault_verdict NAME MAX-SECONDS
	FAULT_BOUND=$2
	check "$1: $FAULT_SUMMARY" eval '[ "$FAULT_GETS" -gt 0 ] && [ "$FAULT_OK" = "$FAULT_GETS" ] &&
		[ "$FAULT_POSTS" -gt 0 ] && [ "$FAULT_ACKED" = "$FAULT_POSTS" ] && [ "$FAULT_LOST" = 0 ] && fast "$FAULT_BOUND"'
}

# ---- Redis ------------------------------------------------------------------------------------
# The outage, the thing tested: 2 s span four of the app's reconnect
# attempts (its backoff starts at 0.1 s and doubles).
kill_then_restart() { redis_kill; sleep 2; redis_up; }
fault redis-killed kill_then_restart
fault_verdict "Redis killed -9 for 2 s under load, then back" 2.0
check "after Redis came back: followers consistent, counters refilled right" eval 'consistent && counters_match'

# CLIENT PAUSE answers at once; this connection's next command waits for
# the pause to end.
pause_3s() { rcli CLIENT PAUSE 3000; rcli PING; }
fault redis-paused pause_3s
fault_verdict "Redis CLIENT PAUSE 3000 under load (no request waits for it)" 2.0
grep -q OK "$T_DIR/fault-redis-paused/fault.log"
check "... the pause was in force (CLIENT PAUSE answered OK)" [ $? = 0 ]

fault redis-asleep rcli DEBUG SLEEP 2
fault_verdict "Redis DEBUG SLEEP 2 under load (no request waits for it)" 2.0
check "... Redis slept (DEBUG SLEEP answered OK)" grep -q OK "$T_DIR/fault-redis-asleep/fault.log"

# The second flush once the load has put pages and counters back.
refilled() { [ -n "$(rcli --scan --pattern 'bzpeer:*' | head -n1)" ]; }
flush_twice() { rcli FLUSHALL; wait_for 5 refilled; rcli FLUSHALL; }
fault redis-flushed flush_twice
fault_verdict "Redis FLUSHALL twice under load" 2.0
check "after the flushes: followers consistent, counters refilled right" eval 'consistent && counters_match'
healthz_redis_up() { curl -s "$BASE/healthz" | grep -q '^redis: up$'; }
check "/healthz says redis: up again" wait_for 6 healthz_redis_up

# ---- a worker killed in the middle of requests ----------------------------------------------------
# Six kills, each once the pool (master, workers: lib.sh) has served more
# of the load since the one before.
kill_workers() {
	for _ in 1 2 3 4 5 6; do
		w=$(workers | shuf -n1)
		[ -n "$w" ] && kill -9 "$w" && echo "killed $w"
		load_more "$FAULT_NAME" 10
	done
}
fault worker-killed kill_workers
WK="$T_DIR/fault-worker-killed"
nk=$(grep -c killed "$WK/fault.log")
bad_posts=$(cat "$WK"/post.* | grep -vc '^200 ')
check "6 workers killed -9 under load ($nk): $FAULT_SUMMARY" \
	eval '[ "$nk" = 6 ] && [ "$FAULT_GETS" -gt 0 ] && [ "$FAULT_OK" = "$FAULT_GETS" ] && [ "$FAULT_LOST" = 0 ]'
only_502() { ! cat "$WK"/post.* | grep -v '^200 ' | grep -qv '^502 '; }
check "... the only errors are posts cut short (502, never acknowledged): $bad_posts" only_502
check "... the master brought the pool back to 4 workers" wait_for 5 n_workers 4
check "... followers consistent (a cut post committed whole or not at all)" consistent

# ---- a long import holds the catalog's writer, not user data's -------------------------------
# bzpeer-import holds the catalog's writer for its whole run; this one reads
# its works from a pipe kept open for as long as the test likes. Follows
# are user data, in the other environment with its own writer: posted
# meanwhile, each is answered at once and recorded while the import still
# runs; pages are read all along.
rm -f "$T_DIR/works.fifo"; mkfifo "$T_DIR/works.fifo"
"$BUILD/bzpeer-import" --store "$STORE" --authors "$ROOT/store/sample/authors.jsonl" \
	--works "$T_DIR/works.fifo" >"$T_DIR/long-import.log" 2>&1 &
imp=$!
exec {feed}>"$T_DIR/works.fifo"
head -n 3 "$ROOT/store/sample/works.jsonl" >&$feed
LI="$T_DIR/long-import"; mkdir -p "$LI"
lc=$(cookie_1h long-import-user); lt=$(csrf_of "$lc")
load_start long-import 1 "${PAGES[@]}"
# One post at a time, so that each answer's time is its own.
for i in $(seq 4); do
	s=${SLUGS[$i]}
	curl -s -o "$LI/post.$i" -D "$LI/head.$i" --max-time 20 -w "%{http_code} %{time_total} $s\n" \
		-b "bzs=$lc" -H 'Accept: application/json' -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "csrf=$lt&action=follow" "$BASE/researchers/$s/follow" >>"$LI/all"
done
load_stop long-import
cp "$LOAD_ALL" "$LI/get"
n200=$(grep -c '^200 ' "$LI/all")
fast=$(awk '$2 < 1.0' "$LI/all" | wc -l)
check "4 follows during a long import: each 200 at once, not after a wait for the import ($n200 were 200, $fast under 1 s: $(awk '{printf "%.2f ", $2}' "$LI/all"))" \
	eval '[ "$n200" = 4 ] && [ "$fast" = 4 ]'
recorded() { local n=0 i id; for i in $(seq 4); do
	id=$(awk -v s="${SLUGS[$i]}" '$1 == s {print $2}' "$T_DIR/slugs")
	dump | grep -qxF "follows $id \"long-import-user\"" && n=$((n + 1)); done; [ "$n" = 4 ]; }
check "... the import still running, all 4 are recorded" eval 'pid_alive "$imp" && recorded'
gets=$(wc -l <"$LI/get"); ok200=$(grep -c '^200 ' "$LI/get")
gmax=$(awk '{print $2}' "$LI/get" | sort -g | tail -n1)
check "... pages meanwhile: $gets GETs, all 200 ($ok200), the slowest $gmax s" \
	eval '[ "$gets" -gt 5 ] && [ "$ok200" = "$gets" ] && awk -v s="$gmax" "BEGIN { exit !(s < 3.0) }"'
tail -n +4 "$ROOT/store/sample/works.jsonl" >&$feed
exec {feed}>&-
wait "$imp"; rc=$?
check "the import then ends well ($(tail -n1 "$T_DIR/long-import.log"))" [ "$rc" = 0 ]
check "... and the follows are kept, followers consistent" eval 'recorded && consistent'

# ---- the map full --------------------------------------------------------------------------------
# The store compacted (no free pages) and the map capped 24 pages above it:
# follows by users with long names fill it, then answer 503 with a message
# and nothing half-written.
"$ROOT/tests/stack.sh" stop >>"$T_DIR/stack.log" 2>&1
rm -rf "$T_DIR/store.compact"; mkdir -p "$T_DIR/store.compact"
# Follows are user data: its environment (DIR/user) is the one compacted.
mdb_copy -c "$STORE/user" "$T_DIR/store.compact" && mv "$T_DIR/store.compact/data.mdb" "$STORE/user/data.mdb"
used=$("$BUILD/bzpeer-admin" --store "$STORE" stats | sed -n 's/^user_map_used *//p')
BZPEER_CONF_EXTRA="$BZPEER_CONF_EXTRA"$'\n'"store_map_max = $((used + 24 * 4096))" \
	"$ROOT/tests/stack.sh" start >>"$T_DIR/stack.log" 2>&1
check "the stack restarted on the compacted store, store_map_max = 24 pages above its $used bytes" \
	curl -fsS -o /dev/null "$BASE/healthz"
n200=0 n503=0 n503f=0 other=0 half=0 lostm=0 msg=1 page=1 tries=0
dump >"$T_DIR/dump.prev"
# Every other post is a plain form post (303 or the 503 page), the rest
# JSON (200 or the 503 JSON); until two 503s of each kind.
for u in 1 2 3 4 5 6; do
	user="map-$u-$(head -c 100 /dev/zero | tr '\0' m)"
	c=$(cookie_1h "$user"); t=$(csrf_of "$c")
	for s in "${SLUGS[@]}"; do
		[ $((n503 - n503f)) -ge 2 ] && [ "$n503f" -ge 2 ] && break 2
		tries=$((tries + 1))
		if [ $((tries % 2)) = 0 ]; then json=(-H 'Accept: application/json'); ok=200; else json=(); ok=303; fi
		http POST "/researchers/$s/follow" -b "bzs=$c" "${json[@]}" \
			-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "csrf=$t&action=follow"
		dump >"$T_DIR/dump.now"
		id=$(awk -v s="$s" '$1 == s {print $2}' "$T_DIR/slugs")
		case "$STATUS" in
		"$ok") n200=$((n200 + 1)); grep -qxF "follows $id \"$user\"" "$T_DIR/dump.now" || lostm=$((lostm + 1)) ;;
		503) n503=$((n503 + 1)); cmp -s "$T_DIR/dump.prev" "$T_DIR/dump.now" || half=$((half + 1))
		     [ -n "$(header Retry-After)" ] || msg=0
		     if [ "$ok" = 200 ]; then grep -q '"message":"The store has no room' "$BODY" || msg=0
		     else n503f=$((n503f + 1)); { grep -q 'Store full' "$BODY" && grep -q '</html>' "$BODY"; } || page=0; fi ;;
		*) other=$((other + 1)) ;;
		esac
		mv "$T_DIR/dump.now" "$T_DIR/dump.prev"
	done
done
check "map full: $n200 follows acknowledged and kept ($lostm lost), then $n503 answered 503, $other other answers ($tries posts)" \
	eval '[ "$n200" -gt 0 ] && [ "$n503" -gt 0 ] && [ "$other" = 0 ] && [ "$lostm" = 0 ]'
check "... every 503 left the store exactly as it was ($half changed it)" [ "$half" = 0 ]
check "... every 503 says so in words, with Retry-After" [ "$msg" = 1 ]
check "... a plain form post gets the 503 page in the site's layout ($n503f of them)" \
	eval '[ "$n503f" -gt 0 ] && [ "$page" = 1 ]'
http GET /researchers/sanjeev-arora
check "... pages are still 200 with the map full" [ "$STATUS" = 200 ]
check "... followers consistent" consistent
# Logging out on the full map: sign-outs go in while there is room (each
# then ends its cookie), then one cannot be written: 503 with Retry-After,
# the cookie left in the browser and still accepted, so the user is never
# told "signed out" while a copy of the cookie would still work.
lo303=0 lobad=0 loother=0
dump >"$T_DIR/dump.prev"
for i in $(seq 1000); do
	c=$(cookie_1h "out-$i-$(head -c 110 /dev/zero | tr '\0' o)"); t=$(csrf_of "$c")
	http POST /logout -b "bzs=$c" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "csrf=$t"
	dump >"$T_DIR/dump.now"
	[ "$STATUS" = 503 ] && break
	if [ "$STATUS" = 303 ]; then
		lo303=$((lo303 + 1))
		# every tenth: its cookie is signed out from now on
		if [ $((i % 10)) = 1 ]; then
			http GET /researchers/sanjeev-arora -b "bzs=$c"
			grep -q '>Log in</a>' "$BODY" || lobad=$((lobad + 1))
		fi
	else
		loother=$((loother + 1))
	fi
	mv "$T_DIR/dump.now" "$T_DIR/dump.prev"
done
check "map full: $lo303 sign-outs written ($lobad of them not signed out after), then a logout answered $STATUS, $loother other answers" \
	eval '[ "$STATUS" = 503 ] && [ "$lobad" = 0 ] && [ "$loother" = 0 ]'
check "... with Retry-After, saying the user is still signed in" \
	eval '[ -n "$(header Retry-After)" ] && grep -q "still signed in" "$BODY" && grep -q "</html>" "$BODY"'
check "... the session cookie is not cleared" eval '! grep -qi "^Set-Cookie: bzs=" "$HEADERS"'
check "... nothing written" cmp -s "$T_DIR/dump.prev" "$T_DIR/dump.now"
http GET /researchers/sanjeev-arora -b "bzs=$c"
check "... and the pages say so: still signed in" grep -q 'Signed in as <strong>out-' "$BODY"
http POST /logout -b "bzs=$c" -H 'Content-Type: application/x-www-form-urlencoded' -H 'Accept: application/json' --data-binary "csrf=$t"
check "... as JSON: 503 with the reason" eval '[ "$STATUS" = 503 ] && grep -q "^{\"error\":\"unavailable\",\"message\":\"You are still signed in" "$BODY"'

# ---- the disk full -------------------------------------------------------------------------------
# The store (compacted) on a 2 MiB tmpfs filled to the last block: LMDB
# cannot extend its file. Then room again: posts work.
"$ROOT/tests/stack.sh" stop >>"$T_DIR/stack.log" 2>&1
mkdir -p "$MNT"
if mount -t tmpfs -o size=2m tmpfs "$MNT" 2>"$T_DIR/mount.err"; then
	check "a 2 MiB tmpfs mounted for the store" true
else
	not_ok "mount a 2 MiB tmpfs for the store (needs root): $(cat "$T_DIR/mount.err")"
	finish
fi
mkdir -p "$MNT/store/catalog" "$MNT/store/user" && chmod -R 700 "$MNT/store" &&
	mdb_copy -c "$STORE/catalog" "$MNT/store/catalog" &&
	mdb_copy -c "$STORE/user" "$MNT/store/user"   # compacted: no free page to reuse
# lock.mdb made now, while there is room; then the filler takes the rest.
"$BUILD/bzpeer-admin" --store "$MNT/store" stats >/dev/null
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
check "... filled: no room left ($(df --output=avail -k "$MNT" | tail -n1 | tr -d ' ') KiB free)" \
	[ "$(df --output=avail -k "$MNT" | tail -n1 | tr -d ' ')" -lt 8 ]
OLDSTORE=$STORE
export STORE="$MNT/store"
deaths() { grep -c 'starting another' "$RUNDIR/bzpeer-fcgi.log"; }
"$ROOT/tests/stack.sh" start >>"$T_DIR/stack.log" 2>&1
deaths0=$(deaths)
check "... the stack serves from the store on the full disk" curl -fsS -o /dev/null "$BASE/researchers/sanjeev-arora"
c=$(cookie_1h diskfull); t=$(csrf_of "$c")
n200=0 n503=0 other=0 half=0 lostd=0 acked=()
for s in "${SLUGS[@]:0:30}"; do
	dump >"$T_DIR/dump.pre"
	http POST "/researchers/$s/follow" -b "bzs=$c" -H 'Accept: application/json' \
		-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "csrf=$t&action=follow"
	id=$(awk -v s="$s" '$1 == s {print $2}' "$T_DIR/slugs")
	case "$STATUS" in
	200) n200=$((n200 + 1)); acked+=("$id") ;;
	503) n503=$((n503 + 1)); dump >"$T_DIR/dump.post"; cmp -s "$T_DIR/dump.pre" "$T_DIR/dump.post" || half=$((half + 1)) ;;
	*) other=$((other + 1)) ;;
	esac
done
check "disk full: $n503 follows answered 503, $n200 acknowledged, $other other answers" \
	eval '[ "$n503" -gt 0 ] && [ "$other" = 0 ]'
check "... every 503 left the store exactly as it was ($half changed it)" [ "$half" = 0 ]
http GET /researchers/sanjeev-arora
check "... pages are still 200 with the disk full" [ "$STATUS" = 200 ]
rm -f "$MNT/filler"
c2=$(cookie_1h roomagain); t2=$(csrf_of "$c2")
http POST "/researchers/${SLUGS[0]}/follow" -b "bzs=$c2" -H 'Accept: application/json' \
	-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "csrf=$t2&action=follow"
id0=$(awk -v s="${SLUGS[0]}" '$1 == s {print $2}' "$T_DIR/slugs")
check "... with room again, a follow is recorded again ($STATUS)" \
	eval '[ "$STATUS" = 200 ] && dump | grep -qxF "follows $id0 \"roomagain\""'
for id in "${acked[@]}"; do
	dump | grep -qxF "follows $id \"diskfull\"" || lostd=$((lostd + 1)); done
check "... no acknowledged follow lost ($lostd), followers consistent" eval '[ "$lostd" = 0 ] && consistent'
check "... no worker died of it" [ "$(deaths)" = "$deaths0" ]
"$ROOT/tests/stack.sh" stop >>"$T_DIR/stack.log" 2>&1
export STORE=$OLDSTORE
check "tmpfs unmounted" umount "$MNT"

finish
