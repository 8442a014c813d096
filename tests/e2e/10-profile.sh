#!/bin/bash
# The profile page end to end: nginx -> bzpeer-fcgi -> LMDB with
# the sample catalog; every section and figure of seed 000 in order; the
# 301 from an OpenAlex id, the 404, the 405; the front page; hostile data
# never unescaped.
. "$(dirname "$0")/lib.sh"

stack_up --authors "$ROOT/store/sample/authors.jsonl" \
	--works "$ROOT/store/sample/works.jsonl" \
	--works "$ROOT/tests/fixtures/hostile-works.jsonl"

# visible (lib.sh): the text with entities decoded, so it compares with the seed's.

# in_order NEEDLE...: each needle appears in $TEXT after the previous one.
in_order() {
	local rest=$TEXT n
	for n in "$@"; do
		case "$rest" in
		*"$n"*) rest=${rest#*"$n"} ;;
		*) echo "    missing or out of order: $n" >&2; return 1 ;;
		esac
	done
}

# ---- the sample profile -------------------------------------------------
http GET /researchers/sanjeev-arora
check "profile answers 200" [ "$STATUS" = 200 ]
check "profile is HTML in UTF-8" [ "$(header Content-Type)" = "text/html; charset=utf-8" ]
check "profile sends Content-Length" [ "$(header Content-Length)" = "$(stat -c %s "$BODY")" ]
check "profile links the stylesheet" grep -q 'href="/static/bzpeer\.[0-9a-f]\{16\}\.css"' "$BODY"
TEXT=$(visible)

check "sections of seed 000 in order, in its words" in_order \
	"Researcher profile" "Sanjeev Arora" \
	"Sanjeev Arora contributes to research discovery and scholarly infrastructure." \
	"Researcher" "Affiliation not imported" "Open to collaborate" \
	"Trust snapshot" "Quick read" "Trust 21 - Emerging" "Verification L1" "Unclaimed author" \
	"Actions" "Decide how to stay connected" "Follow researcher" \
	"Identity and collaboration" "How to connect with this researcher" \
	"Claiming links this public author record to a researcher profile and unlocks direct collaboration workflows." \
	"Log in to claim" \
	"Direct collaboration" "Open a focused conversation when the fit is right" \
	"Claim this author entity first to unlock direct invitations." \
	"Research graph" "See the researcher in context" "Open full explorer" \
	"Inspect adjacent work, topics, institutions and collaborators without jumping out to a separate graph page." \
	"Published work" "13 published item(s)"

# The four counters: number and label as separate elements.
for c in "13 works" "0 followers" "6 topics" "4 close collaborators"; do
	check "counter: $c" in_order "Quick read" "$c" "Actions"
done
check "follow button shows its count (Follow researcher 0)" in_order "Follow researcher 0"
# The Trust snapshot explains itself: the points of each part, adding up to the score.
check "the trust score's parts, in a disclosure" in_order "Quick read" "How the trust score is counted" \
	"Verification level L1 (10 a level) 10" "13 works (1 per 2 works, up to 25) 6" \
	"4 close collaborators (1 each, up to 15) 4" "6 topics (1 per 5 topics, up to 5) 1" \
	"Not claimed yet (25 once a claim is approved) 0" "Trust score 21 of 100" "Actions"
check "... closed until asked for" grep -q '<details class="trust-why">' "$BODY"
check "explorer link goes to the graph page" grep -q 'href="/researchers/sanjeev-arora/graph"' "$BODY"
check "follow form posts to the follow address" grep -q 'action="/researchers/sanjeev-arora/follow"' "$BODY"

# Every work of seed 000: type, year, venue, title and abstract, newest first.
SEED="$ROOT/docs/seeds/000-profile.txt"
mapfile -t W < <(awk '
	/^13 published item\(s\)$/ { on = 1; next }
	on && NF { print }' "$SEED")
args=("Published work")
nworks=0
for ((i = 0; i + 2 < ${#W[@]}; i += 3)); do
	meta=${W[i]}
	if [[ $meta =~ ^([a-z-]+)([0-9]{4})(.*)$ ]]; then
		args+=("${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}" "${W[i+1]}" "${W[i+2]}")
		nworks=$((nworks + 1))
	fi
done
check "seed 000 lists 13 works (fixture parsed)" [ "$nworks" = 13 ]
check "13 works with type, year, venue, title, abstract, in seed order" in_order "${args[@]}"
check "LaTeX-ish abstract text shown as text" in_order '$\mathcal{O}(1)$' '{\em very overparametrized}'

# Co-authors link to their own profiles, which work.
check "co-author Zhiyuan Li linked" grep -q 'href="/researchers/zhiyuan-li"' "$BODY"
http GET /researchers/zhiyuan-li
check "co-author profile answers 200" [ "$STATUS" = 200 ]
TEXT=$(visible)
check "co-author profile shows the institution" in_order "Zhiyuan Li" "Princeton University"

# ---- HEAD ------------------------------------------------------------------
http GET /researchers/sanjeev-arora
len=$(header Content-Length)
check "HEAD sends no body" head_ok /researchers/sanjeev-arora
check "HEAD answers 200 with the GET's Content-Length" eval '[ "$STATUS" = 200 ] && [ "$(header Content-Length)" = "$len" ]'

# ---- 301 from the OpenAlex id -----------------------------------------------
http GET /researchers/A5000000001
check "OpenAlex id answers 301" [ "$STATUS" = 301 ]
check "301 goes to the slug URL" [ "$(header Location)" = "/researchers/sanjeev-arora" ]
http GET /researchers/a5000000001
check "a lower-case OpenAlex id answers 301 to the slug URL" \
	eval '[ "$STATUS" = 301 ] && [ "$(header Location)" = /researchers/sanjeev-arora ]'
http GET /researchers/https:%2F%2Fopenalex.org%2FA5000000001
check "the id as OpenAlex's URL (one segment) answers 301 to the slug URL" \
	eval '[ "$STATUS" = 301 ] && [ "$(header Location)" = /researchers/sanjeev-arora ]'
http GET '/researchers/A5000000001/works?page=2&sort=oldest'
check "the 301 keeps the query" \
	eval '[ "$STATUS" = 301 ] && [ "$(header Location)" = "/researchers/sanjeev-arora/works?page=2&sort=oldest" ]'
http GET /researchers/A9999999999
check "unknown OpenAlex id answers 404" [ "$STATUS" = 404 ]

# ---- 404 in the layout --------------------------------------------------------
http GET /researchers/nobody-at-all
check "unknown researcher answers 404" [ "$STATUS" = 404 ]
check "404 page is in the site's layout" grep -q 'href="/static/bzpeer\.[0-9a-f]\{16\}\.css"' "$BODY"
TEXT=$(visible)
check "404 page says so in words" in_order "not found"
http GET /no/such/page
check "unknown path answers 404" [ "$STATUS" = 404 ]
http GET '/researchers/%zz'
check "bad percent-encoding answers 400" [ "$STATUS" = 400 ]

# ---- 405 with Allow -------------------------------------------------------------
http POST /researchers/sanjeev-arora -d x=1
check "POST on a profile answers 405" [ "$STATUS" = 405 ]
check "405 says Allow: GET, HEAD" [ "$(header Allow)" = "GET, HEAD" ]
http DELETE /researchers/sanjeev-arora
check "DELETE answers 405" [ "$STATUS" = 405 ]
http PUT /
check "PUT on / answers 405" [ "$STATUS" = 405 ]

# ---- the front page -------------------------------------------------------------
http GET /
check "front page answers 200" [ "$STATUS" = 200 ]
check "front page lists Sanjeev Arora" grep -q 'href="/researchers/sanjeev-arora"' "$BODY"
check "front page links to the next page of names" grep -q 'href="/researchers?page=2' "$BODY"
http GET '/researchers?page=2'
check "second page of names lists Zhiyuan Li" grep -q 'href="/researchers/zhiyuan-li"' "$BODY"
http GET '/researchers?q=sanj'
check "name search finds by prefix" grep -q 'href="/researchers/sanjeev-arora"' "$BODY"
http GET '/researchers?q=gregoire'
check "name search ignores accents" grep -q 'href="/researchers/gregoire-levy"' "$BODY"

# ---- hostile data never unescaped ----------------------------------------------
http GET /researchers/gregoire-levy
check "profile with hostile co-author and work answers 200" [ "$STATUS" = 200 ]
check "no raw <script> from the store" bash -c "! grep -qi '<script>alert' '$BODY'"
check "no raw <img onerror> from the store" bash -c "! grep -q '<img src=x' '$BODY'"
check "no raw <iframe from the store" bash -c "! grep -q '<iframe' '$BODY'"
check "no javascript: link from the store" bash -c "! grep -qi 'href=\"javascript:' '$BODY'"
check "hostile title shown escaped" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$BODY"
TEXT=$(visible)
check "hostile title readable as text" in_order '<script>alert(1)</script> & "quotes"'
for p in / "/researchers?q=mal"; do
	http GET "$p"
	check "no raw hostile name on $p" bash -c "! grep -q '<img src=x' '$BODY'"
done
mslug=$(grep -o 'href="/researchers/mallory[^"]*"' "$BODY" | head -n1 | sed 's/href="//; s/"$//')
check "hostile author has a slug page" [ -n "$mslug" ]
http GET "$mslug"
check "hostile author's profile answers 200" [ "$STATUS" = 200 ]
check "hostile author's name escaped in <title> and h1" bash -c "! grep -q '\"><img' '$BODY'"

# ---- security headers on app pages ----------------------------------------------
http GET /researchers/sanjeev-arora
check "CSP without unsafe-inline" bash -c "grep -qi '^Content-Security-Policy:.*frame-ancestors .none.' '$HEADERS' && ! grep -qi 'unsafe-inline' '$HEADERS'"
check "X-Content-Type-Options nosniff" [ "$(header X-Content-Type-Options)" = nosniff ]

# ---- the static stylesheet from nginx ---------------------------------------------
http GET /static/bzpeer.css
check "stylesheet served by nginx" [ "$STATUS" = 200 ]
check "stylesheet is text/css" [ "$(header Content-Type)" = "text/css" ]

finish
