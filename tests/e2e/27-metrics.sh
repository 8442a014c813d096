#!/bin/bash
# GET /metrics: known requests counted once each across every worker, by
# route and status; the latency histogram agrees with them; page cache,
# follow commits and their batches, rate-limit refusals, worker restarts
# and reloads; the figures survive a worker's death and a reload; loopback
# only.
. "$(dirname "$0")/lib.sh"
# Every GET reaches the app (no micro-cache), so the counts are exact.
export MICROCACHE=0 WORKERS=3
export BZPEER_CONF_EXTRA=$'post_rate = 4\npost_rate_addr = 1000'
stack_up
need_fcgi_client
SOCK="$RUNDIR/bzpeer-fcgi.sock"
P=/researchers/sanjeev-arora

# scrape FILE: GET /metrics through nginx into FILE.
scrape() { curl -fsS --max-time 10 -o "$1" "$BASE/metrics"; }
# val FILE SERIES: the value of one series (0 when absent).
val() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$1"; }
# delta SERIES: its growth from m0 to m1.
delta() { echo $(( $(val "$T_DIR/m1" "$1") - $(val "$T_DIR/m0" "$1") )); }
R_PROFILE='route="/researchers/{slug}"'
R_FOLLOW='route="/researchers/{slug}/follow"'

# ---- the format, through nginx from loopback ---------------------------------------
http GET /metrics
check "/metrics from loopback: 200" [ "$STATUS" = 200 ]
check "Prometheus text format 0.0.4" \
	bash -c "grep -qi '^Content-Type: text/plain; version=0.0.4' '$HEADERS'"
check "never cached" [ "$(header Cache-Control)" = no-store ]
check "every series is declared by a TYPE line" awk '
	/^# TYPE / { t[$3] = 1; next } /^#/ { next }
	{ n = $1; sub(/\{.*/, "", n); b = n; sub(/_(bucket|sum|count)$/, "", b)
	  if (!(n in t) && !(b in t)) { print "undeclared: " n; bad = 1 } }
	END { exit bad }' "$BODY"

# ---- known requests, counted exactly ------------------------------------------------
signin demo
scrape "$T_DIR/m0"
for _ in 1 2 3 4 5; do curl -s -o /dev/null --max-time 10 "$BASE$P"; done
for _ in 1 2 3; do curl -s -o /dev/null --max-time 10 "$BASE/researchers/no-such-person"; done
for _ in 1 2; do curl -s -o /dev/null --max-time 10 "$BASE/no/such/page"; done
curl -s -o /dev/null --max-time 10 -X POST "$BASE/healthz"
# Six posts, a limit of four a minute per session: four follow or unfollow
# (each one commit, of one follow), two refused.
codes=""
for a in follow unfollow follow unfollow follow unfollow; do
	http POST "$P/follow" -b "$JAR" -H 'Content-Type: application/x-www-form-urlencoded' \
		-H 'Accept: application/json' --data-binary "csrf=$CSRF&action=$a"
	codes="$codes $STATUS"
done
check "posts: four accepted, two refused ($codes)" [ "$codes" = " 200 200 200 200 429 429" ]
scrape "$T_DIR/m1"

check "profile GETs: 5 x 200 ($(delta "bzpeer_http_requests_total{$R_PROFILE,status=\"200\"}"))" \
	[ "$(delta "bzpeer_http_requests_total{$R_PROFILE,status=\"200\"}")" = 5 ]
check "unknown researcher: 3 x 404 on the profile route" \
	[ "$(delta "bzpeer_http_requests_total{$R_PROFILE,status=\"404\"}")" = 3 ]
check "unknown path: 2 x 404 without a route" \
	[ "$(delta 'bzpeer_http_requests_total{route="none",status="404"}')" = 2 ]
check "wrong method: 1 x 405 without a route" \
	[ "$(delta 'bzpeer_http_requests_total{route="none",status="405"}')" = 1 ]
check "follow posts: 4 x 200 and 2 x 429" \
	[ "$(delta "bzpeer_http_requests_total{$R_FOLLOW,status=\"200\"}"):$(delta "bzpeer_http_requests_total{$R_FOLLOW,status=\"429\"}")" = 4:2 ]
check "the profile's latency histogram counted its 8 requests" \
	[ "$(delta "bzpeer_http_request_duration_seconds_count{$R_PROFILE}")" = 8 ]
check "its +Inf bucket equals its count" \
	[ "$(val "$T_DIR/m1" "bzpeer_http_request_duration_seconds_bucket{$R_PROFILE,le=\"+Inf\"}")" = \
	  "$(val "$T_DIR/m1" "bzpeer_http_request_duration_seconds_count{$R_PROFILE}")" ]
check "buckets never decrease" awk -v r="$R_PROFILE" '
	index($1, "bzpeer_http_request_duration_seconds_bucket{" r ",") == 1 {
		if ($2 + 0 < prev) bad = 1; prev = $2 + 0 } END { exit bad }' "$T_DIR/m1"
hits=$(delta 'bzpeer_page_cache_requests_total{result="hit"}')
misses=$(delta 'bzpeer_page_cache_requests_total{result="miss"}')
check "page cache: the 5 profile pages were hits or misses, at most one a miss ($hits, $misses)" \
	[ $((hits + misses)):$((misses <= 1)) = 5:1 ]
redis_hits=$(delta 'bzpeer_page_cache_requests_total{result="redis"}')
check "... and none came from Redis: this machine's cache had them ($redis_hits)" [ "$redis_hits" = 0 ]
check "follow commits: 4" [ "$(delta bzpeer_follow_commits_total)" = 4 ]
check "batch sizes: 4 batches of one follow" \
	[ "$(delta 'bzpeer_follow_batch_size_bucket{le="1"}'):$(delta bzpeer_follow_batch_size_sum)" = 4:4 ]
check "rate-limit refusals: 2, per session" \
	[ "$(delta 'bzpeer_rate_limited_total{scope="session"}'):$(delta 'bzpeer_rate_limited_total{scope="address"}')" = 2:0 ]
check "Redis up, no Redis errors" \
	[ "$(val "$T_DIR/m1" bzpeer_redis_up):$(delta bzpeer_redis_errors_total)" = 1:0 ]
check "3 workers" [ "$(val "$T_DIR/m1" bzpeer_workers)" = 3 ]

# Any worker answers the scrape with the same figures: they are shared.
same=1
for _ in 1 2 3 4 5 6; do
	scrape "$T_DIR/again"
	[ "$(val "$T_DIR/again" "bzpeer_http_requests_total{$R_PROFILE,status=\"200\"}")" = \
	  "$(val "$T_DIR/m1" "bzpeer_http_requests_total{$R_PROFILE,status=\"200\"}")" ] || same=0
done
check "six scrapes, whichever worker answers, say the same count" [ $same = 1 ]

# ---- the store and the catalog -------------------------------------------------------
http GET /healthz
gen=$(awk '/^generation:/ { print $2 }' "$BODY")
check "catalog generation as /healthz says (${gen:-none})" \
	[ "$(val "$T_DIR/m1" bzpeer_catalog_generation)" = "${gen:-none}" ]
check "store size and map use" bash -c "
	[ $(val "$T_DIR/m1" bzpeer_store_file_bytes) = $(stat -c %s "$STORE/catalog/data.mdb") ] &&
	[ $(val "$T_DIR/m1" bzpeer_store_map_used_bytes) -gt 0 ] &&
	[ $(val "$T_DIR/m1" bzpeer_store_map_used_bytes) -le $(val "$T_DIR/m1" bzpeer_store_map_size_bytes) ]"

# ---- a worker killed, a reload: the figures stay, the events are counted ------------
victim=$(workers | head -n1)
kill -9 "$victim"
wait_for 10 new_workers 3 "$victim"
wait_for 10 curl -fsS -o /dev/null "$BASE/healthz"
scrape "$T_DIR/m2"
check "a killed worker: one restart counted" \
	[ $(( $(val "$T_DIR/m2" bzpeer_worker_restarts_total) - $(val "$T_DIR/m1" bzpeer_worker_restarts_total) )) = 1 ]
check "... and no count lost with it" \
	[ "$(val "$T_DIR/m2" "bzpeer_http_requests_total{$R_PROFILE,status=\"200\"}")" = \
	  "$(val "$T_DIR/m1" "bzpeer_http_requests_total{$R_PROFILE,status=\"200\"}")" ]
old=$(workers | tr '\n' ' ')
kill -HUP "$(master)"
wait_for 20 new_workers 3 "$old"
scrape "$T_DIR/m3"
check "a reload counted, the counts kept" \
	[ "$(( $(val "$T_DIR/m3" bzpeer_reloads_total) - $(val "$T_DIR/m2" bzpeer_reloads_total) )):$(val "$T_DIR/m3" "bzpeer_http_requests_total{$R_PROFILE,status=\"200\"}")" = \
	  "1:$(val "$T_DIR/m1" "bzpeer_http_requests_total{$R_PROFILE,status=\"200\"}")" ]

# ---- Redis stopped: pages from the store, counted as such; errors counted -----------
# A reload first: its workers start with this machine's page cache empty,
# so the first page is rendered without Redis, the next five come from
# this machine's cache.
"$ROOT/tests/stack.sh" redis-stop >/dev/null 2>&1
reload 3
scrape "$T_DIR/r0"
for _ in 1 2 3 4 5 6; do curl -s -o /dev/null --max-time 10 "$BASE$P"; done
scrape "$T_DIR/r1"
off=$(( $(val "$T_DIR/r1" 'bzpeer_page_cache_requests_total{result="off"}') - $(val "$T_DIR/r0" 'bzpeer_page_cache_requests_total{result="off"}') ))
hit=$(( $(val "$T_DIR/r1" 'bzpeer_page_cache_requests_total{result="hit"}') - $(val "$T_DIR/r0" 'bzpeer_page_cache_requests_total{result="hit"}') ))
errs=$(( $(val "$T_DIR/r1" bzpeer_redis_errors_total) - $(val "$T_DIR/r0" bzpeer_redis_errors_total) ))
check "Redis down: the first page counted off the cache, the 5 others hits on this machine ($off, $hit)" [ "$off:$hit" = 1:5 ]
check "... Redis's failures counted ($errs), Redis reported down" \
	[ "$(( errs >= 1 )):$(val "$T_DIR/r1" bzpeer_redis_up)" = 1:0 ]
"$ROOT/tests/stack.sh" redis-start >/dev/null 2>&1
up_again() { scrape "$T_DIR/r2" && [ "$(val "$T_DIR/r2" bzpeer_redis_up)" = 1 ]; }
check "Redis back: reported up again (within 8 s)" wait_for 8 up_again

# ---- loopback only ------------------------------------------------------------------
for a in 192.0.2.7 ""; do
	"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/metrics QUERY_STRING= \
		REMOTE_ADDR="$a" >"$T_DIR/far.out" 2>&1
	split_answer "$T_DIR/far.out"
	check "/metrics from ${a:-no address}: 403, no figures" \
		bash -c "grep -q '^Status: 403' '$HEADERS' && ! grep -q bzpeer_ '$BODY'"
done
"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/metrics QUERY_STRING= \
	REMOTE_ADDR=::1 >"$T_DIR/near.out" 2>&1
split_answer "$T_DIR/near.out"
check "/metrics from ::1: the figures" grep -q '^bzpeer_workers 3' "$BODY"
# Through a proxy on this machine: loopback is the proxy's address.
for h in HTTP_X_FORWARDED_FOR=127.0.0.1 HTTP_FORWARDED=for=127.0.0.1 HTTP_X_REAL_IP=::1; do
	"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/metrics QUERY_STRING= \
		REMOTE_ADDR=127.0.0.1 "$h" >"$T_DIR/fwd.out" 2>&1
	split_answer "$T_DIR/fwd.out"
	check "/metrics from loopback with ${h%%=*}: 403, no figures" \
		bash -c "grep -q '^Status: 403' '$HEADERS' && ! grep -q bzpeer_ '$BODY'"
done
"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET REQUEST_URI=/healthz QUERY_STRING= \
	REMOTE_ADDR=127.0.0.1 HTTP_X_FORWARDED_FOR=192.0.2.7 >"$T_DIR/fwd.out" 2>&1
split_answer "$T_DIR/fwd.out"
check "/healthz through a proxy: ok, no details" \
	bash -c "[ \"\$(cat '$BODY')\" = ok ]"
MP=$(cat "$RUNDIR/metrics.port")
for port in "$PORT" "$MP"; do
	code=$(curl -s -o "$T_DIR/xff" -w '%{http_code}' --max-time 10 \
		-H 'X-Forwarded-For: 127.0.0.1' "http://127.0.0.1:$port/metrics")
	check "nginx :$port refuses /metrics with X-Forwarded-For itself ($code)" \
		bash -c "[ $code = 403 ] && ! grep -q 'own machine' '$T_DIR/xff' && ! grep -q bzpeer_ '$T_DIR/xff'"
done
code=$(curl -s -o "$T_DIR/mon" -w '%{http_code}' --max-time 10 -H 'Host: 10.1.2.3:9180' "http://127.0.0.1:$MP/metrics")
check "the monitoring port serves /metrics whatever Host names ($code)" \
	bash -c "[ $code = 200 ] && grep -q '^bzpeer_workers 3' '$T_DIR/mon'"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$MP$P")
check "... and no page ($code)" [ "$code" = 404 ]
check "nginx allows /metrics from loopback only" \
	bash -c "grep -A7 'location = /metrics' '$RUNDIR/bzpeer-site.conf' | grep -q 'deny all'"

export BZPEER_CONF_EXTRA=
finish
