#!/bin/bash
# What following gives, through the real nginx with its micro-cache: /me
# lists the researchers followed with their newest works, paged; the
# private Atom feed at its secret address, read without a cookie, valid
# Atom; its address made again and ended (POST /me/feed: CSRF,
# Post/Redirect/Get, JSON, the store unchanged on bad input), the old one
# 404 at once on every worker and through the micro-cache; a wrong and an
# ended address alike; the owner of a claimed profile cannot follow it
# (no button, 409, nothing written), and loses their follow when the
# claim is approved.
. "$(dirname "$0")/lib.sh"
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 100000'
stack_up
need_fcgi_client
SOCK="$RUNDIR/bzpeer-fcgi.sock"

FORM=(-H 'Content-Type: application/x-www-form-urlencoded')
admin() { "$BUILD/bzpeer-admin" --store "$STORE" "$@"; }
session_key
S1=$(cookie_1h reader); C1=$(csrf_of "$S1")
S2=$(cookie_1h other); C2=$(csrf_of "$S2")
post() { # post PATH COOKIE BODY [curl args]
	local p=$1 c=$2 data=$3; shift 3
	http POST "$p" -H "Cookie: bzs=$c" "${FORM[@]}" --data-binary "$data" "$@"
}

# ---- /me before and after following --------------------------------------------
http GET /me -b "bzs=$S1"
check "/me, following nobody: says so, with a way to find someone" bash -c "
	[ $STATUS = 200 ] && grep -q 'You do not follow anyone yet' '$BODY' &&
	grep -q 'Make my feed address' '$BODY'"
for s in sanjeev-arora zhiyuan-li jason-lee; do
	post "/researchers/$s/follow" "$S1" "csrf=$C1&action=follow"
done
check "three follows: 303 each" [ "$STATUS" = 303 ]
http GET /me -b "bzs=$S1"
check "/me lists the three, linked, with works and follower counts" bash -c "
	grep -q 'You follow 3 researchers' '$BODY' &&
	grep -q '<a href=\"/researchers/sanjeev-arora\">Sanjeev Arora</a>' '$BODY' &&
	grep -q '<a href=\"/researchers/jason-lee\">Jason Lee</a>' '$BODY' &&
	grep -q '<a href=\"/researchers/zhiyuan-li\">Zhiyuan Li</a>' '$BODY' &&
	grep -Eq '[0-9]+ works · 1 follower<' '$BODY'"
n_works=$(sed -n '/<ul class="follow-works">/,/<\/ul>/p' "$BODY" | grep -c '^<li>')
check "... at most 3 newest works each ($n_works shown)" bash -c "[ $n_works -ge 3 ] && [ $n_works -le 9 ]"
# Sanjeev Arora's newest works, newest first by date, as the store has them.
awk '/follow-item-name"><a href="\/researchers\/sanjeev-arora"/,/<\/ul>/' "$BODY" |
	grep '^<li>' | grep -o 'class="meta">[0-9-]*' | sed 's/.*>//' >"$T_DIR/dates"
check "... newest first ($(tr '\n' ' ' <"$T_DIR/dates"))" bash -c "
	[ -s '$T_DIR/dates' ] && sort -r '$T_DIR/dates' | cmp -s - '$T_DIR/dates'"
check "... private, as every signed-in page" [ "$(header Cache-Control)" = "private, no-cache" ]
http GET '/me?page=x' -b "bzs=$S1"
check "/me?page=x: 400" [ "$STATUS" = 400 ]
http GET '/me?page=99' -b "bzs=$S1"
check "/me?page=99: the last page there is" bash -c "[ $STATUS = 200 ] && grep -q 'Sanjeev Arora' '$BODY'"

# ---- the feed's address: made, shown once ------------------------------------------
dump >"$T_DIR/dump.0"
post /me/feed "$S1" "csrf=x&action=make"
check "make with a bad CSRF token: 403" [ "$STATUS" = 403 ]
post /me/feed "$S1" "csrf=$C1&action=steal"
check "an unknown action: 400 in words" bash -c "[ $STATUS = 400 ] && grep -q 'must be make or revoke' '$BODY'"
post /me/feed "$S1" "csrf=$C1"
check "no action: 400" [ "$STATUS" = 400 ]
http POST /me/feed "${FORM[@]}" --data-binary "action=make"
check "signed out: 303 to sign in, then back to /me" bash -c "[ $STATUS = 303 ] && [ '$(header Location)' = /login?next=%2Fme ]"
http GET /me/feed -b "bzs=$S1"
check "GET /me/feed: 405" [ "$STATUS" = 405 ]
check "store unchanged after every refused post" same_dump "$T_DIR/dump.0"

post /me/feed "$S1" "csrf=$C1&action=make"
check "make: 303 to /me, a flash, the address in a cookie for /me only" bash -c "
	[ $STATUS = 303 ] && [ '$(header Location)' = '/me#feed-h' ] &&
	grep -qi '^Set-Cookie: bzf=feed_made' '$HEADERS' &&
	grep -qiE '^Set-Cookie: bzt=[0-9a-f]{48}; Path=/me; Max-Age=300; HttpOnly; SameSite=Strict' '$HEADERS'"
TOK=$(grep -i '^Set-Cookie: bzt=' "$HEADERS" | sed 's/^[^=]*=//; s/;.*//')
http GET /me -H "Cookie: bzs=$S1; bzt=$TOK; bzf=feed_made"
check "/me shows the address once, to copy, not kept by any cache" bash -c "
	grep -q 'value=\"http://[^\"]*/me/feed/$TOK.atom\"' '$BODY' &&
	grep -q 'it is shown only this once' '$BODY' && grep -q 'Your private feed has a new address' '$BODY' &&
	[ '$(header Cache-Control)' = 'private, no-store' ] && grep -qi '^Set-Cookie: bzt=; Path=/me; Max-Age=0' '$HEADERS'"
http GET /me -b "bzs=$S1"
check "... and not again: the feed is on, made today" bash -c "
	! grep -q '$TOK' '$BODY' && grep -q 'Your feed address was made on $(date -u +%Y-%m-%d)' '$BODY'"
http GET /me -H "Cookie: bzs=$S2; bzt=$TOK"
check "another user's page never shows it, even given the cookie" bash -c "! grep -q '$TOK' '$BODY'"
dump >"$T_DIR/dump.1"
check "the store keeps no token, only its selector and a hash" bash -c "
	! grep -q '${TOK:16}' '$T_DIR/dump.1' && grep -q '^feeds ${TOK:0:16} ' '$T_DIR/dump.1'"

# ---- the feed, without a cookie ----------------------------------------------------
F=/me/feed/$TOK.atom
http GET "$F"
check "the feed without a cookie: 200 Atom, private, no-store" bash -c "
	[ $STATUS = 200 ] && grep -q '^Content-Type: application/atom+xml' '$HEADERS' &&
	[ '$(header Cache-Control)' = 'private, no-store' ]"
cp "$BODY" "$T_DIR/feed.xml"
check "valid Atom: well-formed, a feed with id, title, updated, self link; entries with id, title, updated, link" \
	python3 - "$T_DIR/feed.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET, re
A = '{http://www.w3.org/2005/Atom}'
f = ET.parse(sys.argv[1]).getroot()
assert f.tag == A + 'feed'
for t in ('id', 'title', 'updated'):
    assert f.find(A + t) is not None and f.find(A + t).text, t
rfc = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
assert rfc.match(f.find(A + 'updated').text)
assert any(l.get('rel') == 'self' and l.get('href').endswith('.atom') for l in f.findall(A + 'link'))
es = f.findall(A + 'entry')
assert 3 <= len(es) <= 50, len(es)
ids = [e.find(A + 'id').text for e in es]
assert len(ids) == len(set(ids)), 'an entry twice'
pub = []
for e in es:
    assert e.find(A + 'id').text.startswith('https://openalex.org/W')
    assert e.find(A + 'title').text
    assert rfc.match(e.find(A + 'updated').text)
    assert e.find(A + 'link') is not None
    p = e.find(A + 'published')
    if p is not None:
        pub.append(p.text)
assert pub == sorted(pub, reverse=True), 'newest first'
EOF
grep -o '<id>[^<]*</id>' "$T_DIR/feed.xml" >"$T_DIR/ids.1"
http GET "$F"
grep -o '<id>[^<]*</id>' "$BODY" >"$T_DIR/ids.2"
check "stable: the same ids and times when read again" cmp -s "$T_DIR/feed.xml" "$BODY"
check "the works of the followed researchers, nobody else's" bash -c "
	grep -q 'Sanjeev Arora' '$T_DIR/feed.xml' && grep -q 'Jason Lee' '$T_DIR/feed.xml'"
check "the micro-cache kept nothing of it" bash -c "! grep -qi '^X-Micro-Cache: HIT' '$HEADERS'"
"$FCGI_CLIENT" "$SOCK" REQUEST_METHOD=GET REQUEST_URI="$F" QUERY_STRING= REMOTE_ADDR=127.0.0.1 \
	>"$T_DIR/direct.out" 2>&1
split_answer "$T_DIR/direct.out"
check "the app tells nginx to keep none (X-Accel-Expires: 0), nor robots" bash -c "
	grep -q '^Status: 200' '$HEADERS' && grep -qi '^X-Accel-Expires: 0' '$HEADERS' &&
	grep -qi '^X-Robots-Tag: noindex' '$HEADERS'"
http HEAD "$F" -I
check "HEAD of the feed: 200" [ "$STATUS" = 200 ]

# ---- wrong addresses: all the same 404 ---------------------------------------------
WRONG=${TOK:0:47}$([ "${TOK:47}" = 0 ] && echo 1 || echo 0)
for p in "/me/feed/$WRONG.atom" "/me/feed/${TOK^^}.atom" "/me/feed/${TOK:0:40}.atom" \
	"/me/feed/${TOK}0.atom" "/me/feed/$TOK" "/me/feed/$TOK.xml"; do
	http GET "$p"
	check "GET $p: 404, kept by no cache" bash -c "[ $STATUS = 404 ] && [ '$(header Cache-Control)' = no-store ]"
	cp "$BODY" "$T_DIR/wrong.body"
done

# ---- ended: 404 at once, on every worker, through the micro-cache ------------------
for i in $(seq 6); do http GET "$F"; done
check "read six times, 200 each (served by whichever worker)" [ "$STATUS" = 200 ]
post /me/feed "$S1" "csrf=$C1&action=revoke" -H 'Accept: application/json'
check "revoke, asked for JSON: {revoked: true}" bash -c "[ $STATUS = 200 ] && grep -q '\"revoked\":true' '$BODY'"
bad=0
for i in $(seq 12); do
	http GET "$F"
	[ "$STATUS" = 404 ] || bad=$((bad + 1))
done
check "12 reads at once after it, whichever worker, within the micro-cache's second: 404 ($bad not)" [ "$bad" = 0 ]
check "an ended address and a wrong one look the same" cmp -s "$BODY" "$T_DIR/wrong.body"
post /me/feed "$S1" "csrf=$C1&action=revoke"
check "revoke again: 303, nothing to end" bash -c "[ $STATUS = 303 ] && grep -qi '^Set-Cookie: bzf=feed_none' '$HEADERS'"
http GET /me -b "bzs=$S1"
check "/me: the feed is off, a button to make one" grep -q 'Make my feed address' "$BODY"

# Made again: the new address works, the old one stays dead.
post /me/feed "$S1" "csrf=$C1&action=make" -H 'Accept: application/json'
check "make, asked for JSON: the address" bash -c "[ $STATUS = 200 ] && grep -Eq '\"feed\":\"http[^\"]*/me/feed/[0-9a-f]{48}\\.atom\"' '$BODY'"
TOK2=$(grep -oE '[0-9a-f]{48}' "$BODY" | head -n1)
http GET "/me/feed/$TOK2.atom"
check "the new address works" [ "$STATUS" = 200 ]
http GET "$F"
check "the old one is still 404" [ "$STATUS" = 404 ]
post /me/feed "$S1" "csrf=$C1&action=make"
TOK3=$(grep -i '^Set-Cookie: bzt=' "$HEADERS" | sed 's/^[^=]*=//; s/;.*//')
http GET "/me/feed/$TOK2.atom"
check "a new address ends the one before at once" [ "$STATUS" = 404 ]
http GET "/me/feed/$TOK3.atom"
check "... and the newest works" [ "$STATUS" = 200 ]

# ---- rate limited -----------------------------------------------------------------
bad=0
for i in $(seq 62); do http GET "/me/feed/$WRONG.atom"; done
check "past 60 reads a minute from one address: 429 with Retry-After" bash -c "
	[ $STATUS = 429 ] && [ -n '$(header Retry-After)' ]"

# ---- nobody follows themselves -------------------------------------------------------
P=/researchers/tianhao-wang
post "$P/follow" "$S2" "csrf=$C2&action=follow"
check "other follows tianhao-wang" [ "$STATUS" = 303 ]
http GET "$P"
n0=$(grep -o 'follow-count">[0-9]*' "$BODY" | head -n1 | tr -dc 0-9)
post "$P/claim" "$S2" "csrf=$C2&email=wang%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~wang%2F"
check "other claims it: 303" [ "$STATUS" = 303 ]
id=$(admin claims list --state pending | awk '/tianhao|A5000000003|user="other"/ {print $1; exit}' | tr -dc 0-9)
admin claims approve "$id" >/dev/null
check "the claim approved" [ $? = 0 ]
check "the approval removed the owner's follow" bash -c "! admin follows tianhao-wang 2>/dev/null | grep -qx other"
wait_count() { http GET "$P"; grep -q "follow-count\">$((n0 - 1))<" "$BODY"; }
check "the count is one less ($n0 -> $((n0 - 1)))" wait_for 3 wait_count
http GET "$P" -b "bzs=$S2"
check "the owner's profile offers no follow button, and says why" bash -c "
	grep -q 'you cannot follow yourself' '$BODY' && ! grep -q 'action=\"/researchers/tianhao-wang/follow\"' '$BODY'"
http GET "$P" -b "bzs=$S1"
check "others still get the button" grep -q 'action="/researchers/tianhao-wang/follow"' "$BODY"
dump >"$T_DIR/dump.2"
post "$P/follow" "$S2" "csrf=$C2&action=follow"
check "the owner's follow: 409 in words" bash -c "[ $STATUS = 409 ] && grep -q 'cannot follow your own profile' '$BODY'"
post "$P/follow" "$S2" "csrf=$C2&action=follow" -H 'Accept: application/json'
check "... in JSON too" bash -c "[ $STATUS = 409 ] && grep -q '\"error\":\"conflict\"' '$BODY'"
check "... and nothing written" same_dump "$T_DIR/dump.2"
post "$P/follow" "$S1" "csrf=$C1&action=follow"
check "anyone else may follow it" [ "$STATUS" = 303 ]

stack_down
exit $T_FAILED
