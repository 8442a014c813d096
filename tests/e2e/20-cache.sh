#!/bin/bash
# Redis as a cache of pages and counters with LMDB as the truth:
# hits, Redis killed and restarted, FLUSHALL, re-import, ETag/304, HEAD.
. "$(dirname "$0")/lib.sh"
# The app's own cache path, so no nginx micro-cache in front; a generous
# Redis timeout, so a loaded machine does not turn a hit into a miss (slow
# Redis has its own test with the real 50 ms in 75-faults.sh).
export MICROCACHE=0 BZPEER_CONF_EXTRA='redis_timeout_ms = 1000'
stack_up

works_shown() { body_text | grep -o '[0-9]* published item(s)' | head -n1; }

# ---- a second GET is a Redis hit, same HTML apart from the holes ----------
http GET /researchers/sanjeev-arora
check "first GET answers 200" [ "$STATUS" = 200 ]
check "first GET is a cache miss" [ "$(header X-Bzpeer-Cache)" = miss ]
cp "$BODY" "$T_DIR/first.html"
http GET /researchers/sanjeev-arora
check "second GET is a Redis hit" [ "$(header X-Bzpeer-Cache)" = hit ]
check "hit serves the same HTML" cmp -s "$BODY" "$T_DIR/first.html"
check "page is stored in Redis under the generation and version" \
	eval "rcli --scan --pattern 'bzpeer:page:g*:A5000000001:v*' | grep -q ."
check "counter is in Redis as txn:count" \
	eval "rcli GET bzpeer:followers:A5000000001 | grep -Eq '^[0-9]+:0$'"

# ---- ETag, Last-Modified, 304, HEAD ---------------------------------------
etag=$(header ETag)
check "profile has an ETag" [ -n "$etag" ]
check "profile has Last-Modified" [ -n "$(header Last-Modified)" ]
http GET /researchers/sanjeev-arora -H "If-None-Match: $etag"
check "matching If-None-Match answers 304" [ "$STATUS" = 304 ]
check "304 has no body" [ ! -s "$BODY" ]
http GET /researchers/sanjeev-arora -H 'If-None-Match: "nope"'
check "other ETag answers 200" [ "$STATUS" = 200 ]
check "HEAD sends no body" head_ok /researchers/sanjeev-arora
check "HEAD answers 200 with the ETag" bash -c "[ '$STATUS' = 200 ] && grep -qi '^ETag: ' '$HEADERS'"

# ---- FLUSHALL: the counter is refilled from LMDB ----------------------------
rcli FLUSHALL >/dev/null
http GET /researchers/sanjeev-arora
check "after FLUSHALL the page is 200 and a miss" bash -c "[ '$STATUS' = 200 ] && grep -qi '^X-Bzpeer-Cache: miss' '$HEADERS'"
check "after FLUSHALL the counter is refilled from LMDB" \
	eval "rcli GET bzpeer:followers:A5000000001 | grep -Eq '^[0-9]+:0$'"
check "after FLUSHALL the page matches the first" cmp -s "$BODY" "$T_DIR/first.html"

# ---- Redis killed mid-run: every GET still right, logged once ---------------
"$ROOT/tests/stack.sh" redis-stop >/dev/null 2>&1
bad=0
for i in $(seq 40); do
	http GET /researchers/sanjeev-arora
	if [ "$STATUS" != 200 ] || ! cmp -s "$BODY" "$T_DIR/first.html"; then bad=$((bad + 1)); fi
done
check "40 GETs with Redis down: all 200 with the right page ($bad bad)" [ "$bad" = 0 ]
http GET /healthz
check "/healthz says redis: down" grep -q '^redis: down' "$BODY"
downs=$(grep -c 'redis: down' "$RUNDIR/bzpeer-fcgi.log")
check "the log says Redis is down once per worker, not per request ($downs lines)" eval ' [ "$downs" -ge 1 ] && [ "$downs" -le 4 ]'

# ---- Redis back: served from the cache again, counts right --------------------
"$ROOT/tests/stack.sh" redis-start >/dev/null 2>&1
# A worker that saw Redis down tries again after its backoff (5 s at
# most); one whose connection died while it was idle at its next request.
hit_again() { http GET /researchers/sanjeev-arora; [ "$(header X-Bzpeer-Cache)" = hit ]; }
check "Redis back: hits again (within 8 s)" wait_for 8 hit_again
check "Redis back: page right" cmp -s "$BODY" "$T_DIR/first.html"
http GET /healthz
check "/healthz says redis: up" grep -q '^redis: up' "$BODY"

# ---- re-import: the next GET shows the new data ----------------------------------
http GET /researchers/zhiyuan-li
before=$(works_shown)
http GET /researchers/zhiyuan-li
check "co-author page is a hit before the re-import" [ "$(header X-Bzpeer-Cache)" = hit ]
"$BUILD/bzpeer-import" --store "$STORE" --authors "$ROOT/store/sample/authors.jsonl" \
	--works "$ROOT/store/sample/works.jsonl" \
	--works "$ROOT/tests/fixtures/reimport-works.jsonl" >"$T_DIR/reimport.log" 2>&1
check "re-import succeeds" [ $? = 0 ]
http GET /researchers/zhiyuan-li
check "after re-import: a miss (new generation)" [ "$(header X-Bzpeer-Cache)" = miss ]
check "after re-import: the new work is shown" grep -q 'A Freshly Imported Work on Implicit Regularization' "$BODY"
after=$(works_shown)
check "after re-import: works count went up ($before -> $after)" [ "$before" != "$after" ]

finish
