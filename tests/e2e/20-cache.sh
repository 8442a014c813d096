#!/bin/bash
# The page caches, with LMDB as the truth: this machine's page cache in
# shared memory (X-Bzpeer-Cache: hit) in front of Redis (redis), rendered
# pages (miss; off with Redis down); Redis killed and restarted, FLUSHALL,
# a reload, re-import, a claim decision, a follow seen by every worker,
# ETag/304, HEAD.
. "$(dirname "$0")/lib.sh"
# The app's own cache path, so no nginx micro-cache in front; a generous
# Redis timeout, so a loaded machine does not turn a hit into a miss (slow
# Redis has its own test with the real 50 ms in 75-faults.sh).
export MICROCACHE=0 BZPEER_CONF_EXTRA='redis_timeout_ms = 1000'
stack_up
session_key
works_shown() { body_text | grep -o '[0-9]* published item(s)' | head -n1; }

# ---- a page asked for again is cached: the next GET is a hit --------------
# page_cache_admit = 2 (the default): a page is kept, here and in Redis,
# from its second miss on; one asked for once (a crawler's) is not.
http GET /researchers/sanjeev-arora
check "first GET answers 200" [ "$STATUS" = 200 ]
check "first GET is a cache miss" [ "$(header X-Bzpeer-Cache)" = miss ]
check "a page asked for once is not put in Redis" \
	eval "! rcli --scan --pattern 'bzpeer:page:g*:A5000000001:v*' | grep -q ."
cp "$BODY" "$T_DIR/first.html"
http GET /researchers/sanjeev-arora
check "second GET: a miss again, now kept" [ "$(header X-Bzpeer-Cache)" = miss ]
check "the second miss is the same HTML" cmp -s "$BODY" "$T_DIR/first.html"
http GET /researchers/sanjeev-arora
check "third GET is a hit in this machine's page cache" [ "$(header X-Bzpeer-Cache)" = hit ]
check "hit serves the same HTML" cmp -s "$BODY" "$T_DIR/first.html"
bad=0
for i in $(seq 12); do
	http GET /researchers/sanjeev-arora
	{ [ "$(header X-Bzpeer-Cache)" = hit ] && cmp -s "$BODY" "$T_DIR/first.html"; } || bad=$((bad + 1))
done
check "12 more GETs, whichever worker: all hits with the same HTML ($bad not)" [ "$bad" = 0 ]
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

# ---- a reload empties this machine's cache: the page comes from Redis -------
check "reload: a new generation of workers" reload 4
http GET /researchers/sanjeev-arora
check "after a reload the page comes from Redis" [ "$(header X-Bzpeer-Cache)" = redis ]
check "the page from Redis is the same HTML" cmp -s "$BODY" "$T_DIR/first.html"
http GET /researchers/sanjeev-arora
check "and the next GET is a hit in this machine's cache again" [ "$(header X-Bzpeer-Cache)" = hit ]

# ---- FLUSHALL: the counter is refilled from LMDB ----------------------------
rcli FLUSHALL >/dev/null
http GET /researchers/sanjeev-arora
check "after FLUSHALL this machine's copy still serves, the same HTML" \
	bash -c "[ '$(header X-Bzpeer-Cache)' = hit ] && cmp -s '$BODY' '$T_DIR/first.html'"
reload 4
http GET /researchers/sanjeev-arora
check "after FLUSHALL and a reload the page is 200 and a miss" bash -c "[ '$STATUS' = 200 ] && grep -qi '^X-Bzpeer-Cache: miss' '$HEADERS'"
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
reload 4
bad=0
for i in $(seq 40); do
	http GET /researchers/sanjeev-arora
	if [ "$STATUS" != 200 ] || ! cmp -s "$BODY" "$T_DIR/first.html"; then bad=$((bad + 1)); fi
done
check "Redis down, this machine's cache empty: 40 GETs all 200 with the right page ($bad bad)" [ "$bad" = 0 ]
http GET /researchers/sanjeev-arora
check "Redis down: pages still cached on this machine" [ "$(header X-Bzpeer-Cache)" = hit ]
downs=$(grep -c 'redis: down' "$RUNDIR/bzpeer-fcgi.log")
check "the log says Redis is down once per worker, not per request ($downs lines)" eval ' [ "$downs" -ge 1 ] && [ "$downs" -le 8 ]'

# ---- Redis back: served from the cache again, counts right --------------------
"$ROOT/tests/stack.sh" redis-start >/dev/null 2>&1
# A worker that saw Redis down tries again after its backoff (5 s at
# most); one whose connection died while it was idle at its next request.
# Without this machine's copy (a reload), the page goes to Redis again.
reload 4
used_again() { http GET /researchers/sanjeev-arora; [ "$(header X-Bzpeer-Cache)" != off ]; }
check "Redis back: used again (within 8 s)" wait_for 8 used_again
check "Redis back: page right" cmp -s "$BODY" "$T_DIR/first.html"
reload 4
http GET /researchers/sanjeev-arora
check "Redis back: the page is in Redis again" [ "$(header X-Bzpeer-Cache)" = redis ]
http GET /healthz
check "/healthz says redis: up" grep -q '^redis: up' "$BODY"

# ---- re-import: the next GET shows the new data ----------------------------------
http GET /researchers/zhiyuan-li
before=$(works_shown)
http GET /researchers/zhiyuan-li
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

# ---- a follow: every worker shows it on the next page view ----------------------
# The count is a hole filled from the store at every request, so a page
# cached on this machine never shows an old one, whichever worker serves it.
P=/researchers/jason-lee
C=$(cookie_1h follower1)
for i in $(seq 8); do http GET "$P" -b "bzs=$C"; done
check "jason-lee is cached on this machine" [ "$(header X-Bzpeer-Cache)" = hit ]
n0=$(grep -o 'follow-count">[0-9]*' "$BODY" | head -n1 | tr -dc 0-9)
http POST "$P/follow" -b "bzs=$C" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$(csrf_of "$C")&action=follow"
check "follow: 303" [ "$STATUS" = 303 ]
bad=0
for i in $(seq 12); do
	http GET "$P" -b "bzs=$C"
	{ [ "$(header X-Bzpeer-Cache)" = hit ] &&
	  grep -q "follow-count\">$((n0 + 1))<" "$BODY" && grep -q 'aria-pressed="true"' "$BODY"; } || bad=$((bad + 1))
done
check "12 page views after the follow, whichever worker: cached, $((n0 + 1)) followers, Following ($bad not)" [ "$bad" = 0 ]
http GET "$P"
check "an anonymous view shows the new count too" grep -q "follow-count\">$((n0 + 1))<" "$BODY"

# ---- a claim decision retires the cached page ---------------------------------------
P=/researchers/tianhao-wang
for i in $(seq 4); do http GET "$P"; done
check "tianhao-wang is cached on this machine" [ "$(header X-Bzpeer-Cache)" = hit ]
C=$(cookie_1h claimant1)
http POST "$P/claim" -b "bzs=$C" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$(csrf_of "$C")&email=wang%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~wang%2F"
check "claim filed: 303" [ "$STATUS" = 303 ]
id=$("$BUILD/bzpeer-admin" --store "$STORE" claims list --state pending | awk 'NR==1 {print $1}' | tr -dc 0-9)
"$BUILD/bzpeer-admin" --store "$STORE" claims approve "$id" >/dev/null
check "claim approved" [ $? = 0 ]
http GET "$P"
check "after the decision: a miss (new record version), not the cached page" [ "$(header X-Bzpeer-Cache)" = miss ]
check "after the decision: the page says Claimed author" bash -c "sed -e 's/<[^>]*>/ /g' '$BODY' | grep -q 'Claimed author'"
bad=0
for i in $(seq 8); do
	http GET "$P"
	sed -e 's/<[^>]*>/ /g' "$BODY" | grep -q 'Claimed author' || bad=$((bad + 1))
done
check "8 views after it, whichever worker: all Claimed ($bad not)" [ "$bad" = 0 ]

finish
