#!/bin/bash
# Sign-in at the edge, follow and claim, through the real nginx:
# sessions, CSRF, Post/Redirect/Get and JSON, every rejection with its
# status and the store unchanged, claims with their states, admin review,
# many processes following at once, the micro-cache bypass, logging out
# (a copied cookie is signed out too) and bzpeer-admin sessions revoke.
. "$(dirname "$0")/lib.sh"
# Rate limits are tested in 26-ratelimit.sh; here they stay out of the way.
# A generous Redis timeout: a loaded machine must not turn the Redis copy of
# a count into a timed-out write (slow Redis is 75-faults.sh's business).
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 100000\nredis_timeout_ms = 1000'
stack_up

P=/researchers/sanjeev-arora
AID=A5000000001
rcount() { rcli GET "bzpeer:followers:$1" | sed 's/.*://'; }
page_count() { # the follower figure on the profile as a signed-out visitor sees it
	curl -sS -H 'Cookie: bzf=x' "$BASE$1" | sed -n 's/.*<span class="follow-count"[^>]*>\([0-9]*\)<.*/\1/p' | head -n1
}
lmdb_count() { "$BUILD/bzpeer-admin" --store "$STORE" follows "$1" | sed -n 's/^count: *//p'; }

# post PATH JAR BODY [curl args]: a form post as a browser makes it (the jar
# keeps what the answer sets); sets STATUS/HEADERS/BODY.
post() {
	local p=$1 jar=$2 data=$3 keep=(); shift 3
	[ "$jar" != /dev/null ] && keep=(-c "$jar")
	http POST "$p" -b "$jar" "${keep[@]}" -H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "$data" "$@"
}

# ---- signing in ------------------------------------------------------------
http GET '/login?next=/researchers/sanjeev-arora'
check "/login without credentials: 401 from nginx" [ "$STATUS" = 401 ]
http GET '/login?next=/researchers/sanjeev-arora' -u demo:wrong
check "/login with a wrong password: 401" [ "$STATUS" = 401 ]
http GET '/login?next=/researchers/sanjeev-arora' -u demo:demo
check "/login answers 303" [ "$STATUS" = 303 ]
check "/login goes back to next" [ "$(header Location)" = /researchers/sanjeev-arora ]
check "session cookie is HttpOnly and SameSite=Lax" \
	grep -Eiq '^Set-Cookie: bzs=[^;]+; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Lax' "$HEADERS"
check "session cookie is not Secure over plain http" bash -c "! grep -i '^Set-Cookie: bzs=' '$HEADERS' | grep -qi secure"
for bad in '//evil.example/x' 'https://evil.example/' '/\evil.example' '%2F%2Fevil.example' 'javascript:alert(1)'; do
	http GET "/login?next=$bad" -u demo:demo
	check "no open redirect: next=$bad goes to /" [ "$(header Location)" = / ]
done
http GET '/login/?next=/' -H "Authorization: Basic $(printf 'mallory:x' | base64)"
check "a Basic header elsewhere signs nobody in" bash -c "[ '$STATUS' != 303 ] && ! grep -qi '^Set-Cookie: bzs=' '$HEADERS'"

signin demo; J1=$JAR; C1=$CSRF
signin demo2; J2=$JAR; C2=$CSRF
check "two users signed in, each with a CSRF token" eval '[ -n "$C1" ] && [ -n "$C2" ] && [ "$C1" != "$C2" ]'
http GET "$P" -b "$J1"
check "signed-in page says who is signed in" grep -q 'Signed in as <strong>demo</strong>' "$BODY"
check "signed-in page is private" [ "$(header Cache-Control)" = "private, no-cache" ]
check "signed-in page shows the claim form" grep -q 'action="/researchers/sanjeev-arora/claim"' "$BODY"

# ---- every rejection: status, and the store unchanged -------------------------
dump > "$T_DIR/dump.before"
F="csrf=$C1&action=follow"
post "$P/follow" /dev/null "action=follow"
check "follow signed out: 303 to /login?next=the profile" eval ' [ "$STATUS" = 303 ] && [ "$(header Location)" = "/login?next=%2Fresearchers%2Fsanjeev-arora" ]'
post "$P/follow" "$J1" "action=follow"
check "follow without CSRF: 403" [ "$STATUS" = 403 ]
post "$P/follow" "$J1" "csrf=AAAA$C1&action=follow"
check "follow with a forged CSRF: 403" [ "$STATUS" = 403 ]
post "$P/follow" "$J1" "csrf=$C2&action=follow"
check "follow with another session's CSRF: 403" [ "$STATUS" = 403 ]
http POST "$P/follow" -b "$J1" -H 'Content-Type: text/plain' --data-binary "$F"
check "follow as text/plain: 415" [ "$STATUS" = 415 ]
http POST "$P/follow" -b "$J1" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "$F&pad=$(head -c 20000 /dev/zero | tr '\0' a)"
check "follow with a 20 KB body: 413" [ "$STATUS" = 413 ]
post "$P/follow" "$J1" "csrf=$C1&action=maybe"
check "follow with action=maybe: 400" [ "$STATUS" = 400 ]
post "$P/follow" "$J1" "csrf=$C1&action=follow&action=unfollow"
check "follow with a duplicate field: 400" [ "$STATUS" = 400 ]
post "$P/follow" "$J1" "csrf=$C1&action=fol%ZZlow"
check "follow with bad percent-encoding: 400" [ "$STATUS" = 400 ]
post "$P/follow" "$J1" "csrf=$C1&action=follow%00"
check "follow with a NUL byte: 400" [ "$STATUS" = 400 ]
post /researchers/nobody/follow "$J1" "$F"
check "follow an unknown researcher: 404" [ "$STATUS" = 404 ]
http GET "$P/follow" -b "$J1"
check "GET on the follow address: 405 with Allow: POST" eval '[ "$STATUS" = 405 ] && [ "$(header Allow)" = POST ]'
check "store unchanged after every refused follow" same_dump "$T_DIR/dump.before"

# ---- follow, refollow, unfollow, a second user ----------------------------------
post "$P/follow" "$J1" "$F"
check "follow: 303 back to the profile" eval '[ "$STATUS" = 303 ] && [ "$(header Location)" = "$P" ]'
check "follow sets a flash" grep -qi '^Set-Cookie: bzf=followed' "$HEADERS"
http GET "$P" -b "$J1" -c "$J1"
check "flash shown once after the redirect" grep -q 'You now follow this researcher.' "$BODY"
check "button says Following" grep -q '>Following</button>' "$BODY"
check "flash cookie is spent" grep -qi '^Set-Cookie: bzf=; Path=/; Max-Age=0' "$HEADERS"
http GET "$P" -b "$J1" -c "$J1"
check "flash not shown twice" bash -c "! grep -q 'You now follow this researcher.' '$BODY'"
check "count 1 on the page, in LMDB and in Redis" eval ' [ "$(page_count $P)" = 1 ] && [ "$(lmdb_count sanjeev-arora)" = 1 ] && [ "$(rcount $AID)" = 1 ]'
post "$P/follow" "$J1" "$F" -H 'Accept: application/json'
check "refollow (JSON): still 1" grep -q '^{"following":true,"followers":1}' "$BODY"
post "$P/follow" "$J2" "csrf=$C2&action=follow" -H 'Accept: application/json'
check "second user follows: 2" grep -q '^{"following":true,"followers":2}' "$BODY"
post "$P/follow" "$J1" "csrf=$C1&action=unfollow" -H 'Accept: application/json'
check "first unfollows: 1" grep -q '^{"following":false,"followers":1}' "$BODY"
post "$P/follow" "$J1" "csrf=$C1&action=unfollow" -H 'Accept: application/json'
check "unfollow again: still 1" grep -q '^{"following":false,"followers":1}' "$BODY"
post "$P/follow" "$J2" "csrf=$C2&action=unfollow" -H 'Accept: application/json'
post "$P/follow" "$J2" "csrf=$C2&action=unfollow" -H 'Accept: application/json'
check "never below zero" grep -q '^{"following":false,"followers":0}' "$BODY"
check "count 0 on the page, in LMDB and in Redis" eval ' [ "$(page_count $P)" = 0 ] && [ "$(lmdb_count sanjeev-arora)" = 0 ] && [ "$(rcount $AID)" = 0 ]'
post "$P/follow" "$J1" "action=follow" -H 'Accept: application/json'
check "JSON without CSRF: 403 as JSON" [ "$STATUS" = 403 ]
check "JSON without CSRF: 403 as JSON (part 2)" grep -q '^{"error":' "$BODY"

# ---- the micro-cache: anonymous hits, signed-in always fresh -------------------------
http GET /researchers/zhiyuan-li; http GET /researchers/zhiyuan-li
check "anonymous GET again within a second: micro-cache HIT" [ "$(header X-Micro-Cache)" = HIT ]
http GET /researchers/zhiyuan-li -b "$J1"
check "signed-in GET: no micro-cache at all (no X-Micro-Cache), the signed-in page" bash -c "
	! grep -qi '^X-Micro-Cache:' '$HEADERS' && grep -q 'name=\"csrf\"' '$BODY'"
# A page no one has asked for yet, first signed in: not kept for others.
http GET /researchers/nikunj-umesh-saunshi -b "$J1"
check "signed-in GET of an uncached page: the signed-in page" grep -q 'name="csrf"' "$BODY"
http GET /researchers/nikunj-umesh-saunshi
check "anonymous GET right after it: a micro-cache MISS, no session in it" bash -c "
	[ \"\$(grep -i '^X-Micro-Cache:' '$HEADERS' | tr -d '\r')\" = 'X-Micro-Cache: MISS' ] &&
	! grep -q 'name=\"csrf\"' '$BODY'"

# ---- claims ------------------------------------------------------------------------
http GET "$P"
check "signed out: Log in to claim" grep -q '>Log in to claim<' "$BODY"
dump > "$T_DIR/dump.before"
C="csrf=$C1&orcid=0000-0002-1825-0097&email=arora%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F&note=It+is+me"
post "$P/claim" "$J1" "${C/0000-0002-1825-0097/0000-0002-1825-0098}"
check "claim with a bad ORCID check digit: 400" [ "$STATUS" = 400 ]
check "the form again, the reason in words" grep -q 'its last character must be its check digit' "$BODY"
check "the form again keeps what was typed" grep -q 'value="arora@cs.princeton.edu"' "$BODY"
post "$P/claim" "$J1" "${C/arora%40cs/arora-at-cs}"
check "claim with a bad email: 400 in words" [ "$STATUS" = 400 ]
check "claim with a bad email: 400 in words (part 2)" grep -q 'institutional email address' "$BODY"
post "$P/claim" "$J1" "${C/https%3A/http%3A}"
check "claim with an http evidence URL: 400 in words" [ "$STATUS" = 400 ]
check "claim with an http evidence URL: 400 in words (part 2)" grep -q 'must be an https://' "$BODY"
post "$P/claim" "$J1" "$C&note=<script>alert(1)</script>"
check "claim with a duplicate field: 400" [ "$STATUS" = 400 ]
post "$P/claim" "$J1" "${C/csrf=$C1/csrf=x}"
check "claim with a bad CSRF: 403" [ "$STATUS" = 403 ]
check "the 403 page leads back to the profile" grep -q 'href="/researchers/sanjeev-arora">Back to the profile<' "$BODY"
post "$P/claim" "$J1" "$C&note=again"
check "the 400 of a field sent twice leads back to the profile" \
	grep -q 'href="/researchers/sanjeev-arora">Back to the profile<' "$BODY"

# Every error at its field, all in a summary that takes the focus, what was
# typed kept; limits in characters, as the form's maxlength counts them.
E_ACC=$(printf '%%C3%%A9%.0s' $(seq 608))            # 608 x "é": 1216 bytes
E_LONG=$(printf '%%C3%%A9%.0s' $(seq 1001))
post "$P/claim" "$J1" "csrf=$C1&orcid=https%3A%2F%2Forcid.org%2F0000-0002-1825-0098&email=nope&evidence_url=http%3A%2F%2Fx.edu%2F&note=$E_LONG"
check "four bad fields: 400, the form again" [ "$STATUS" = 400 ]
check "an error summary with the focus" grep -q '<div class="error-summary" id="claim-errors" tabindex="-1" autofocus' "$BODY"
check "the summary links every field" eval 'for f in claim-orcid claim-email claim-evidence claim-note; do grep -q "<li><a href=\"#$f\">" "$BODY" || exit 1; done'
check "each field says what is wrong with it (aria-describedby)" eval \
	'for f in claim-orcid claim-email claim-evidence claim-note; do grep -q "aria-describedby=\"[^\"]*$f-error\"" "$BODY" && grep -q "id=\"$f-error\"" "$BODY" || exit 1; done'
check "and is marked invalid" [ "$(grep -o 'aria-invalid="true"' "$BODY" | wc -l)" = 4 ]
check "the note's limit in characters, in words" grep -q 'The note can be at most 1000 characters' "$BODY"
check "the over-long note is given back" grep -q "$(printf 'é%.0s' $(seq 1001))</textarea>" "$BODY"
check "the typed ORCID URL is given back" grep -q 'value="https://orcid.org/0000-0002-1825-0098"' "$BODY"
check "the form's maxlength is the server's limit" \
	eval 'grep -q "maxlength=\"1000\"" "$BODY" && grep -q "id=\"claim-orcid\"[^>]*maxlength=\"64\"" "$BODY"'
check "the form is validated by the server, the same with or without a script" grep -q 'claim" novalidate>' "$BODY"
post "$P/claim" "$J1" "csrf=$C1&email=arora%40cs.princeton.edu&evidence_url=https%3A%2F%2Fx.edu%2F&note=$E_LONG" -H 'Accept: application/json'
check "in JSON: 400 with the field's problem" eval '[ "$STATUS" = 400 ] && grep -q "at most 1000 characters" "$BODY"'
post "$P/claim" "$J1" "csrf=$C1&orcid=+++&email=arora%40cs.princeton.edu&evidence_url=nope" -H 'Accept: application/json'
check "an ORCID iD of spaces is none (optional), not an error" eval '[ "$STATUS" = 400 ] && ! grep -q "ORCID" "$BODY" && grep -q "https://" "$BODY"'
check "store unchanged after every refused claim" same_dump "$T_DIR/dump.before"

# Filed with its ORCID iD as a URL and a 608-character accented note.
CF="${C/0000-0002-1825-0097/https%3A%2F%2Forcid.org%2F0000-0002-1825-0097}"
post "$P/claim" "$J1" "${CF/note=It+is+me/note=$E_ACC}"
check "claim filed: 303 with a flash" [ "$STATUS" = 303 ]
check "claim filed: 303 with a flash (part 2)" grep -qi '^Set-Cookie: bzf=claimed' "$HEADERS"
LIST=$("$BUILD/bzpeer-admin" --store "$STORE" claims list --state pending)
check "the ORCID URL is kept as the iD" grep -q ' orcid="0000-0002-1825-0097" ' <<<"$LIST"
check "the 608-character accented note is kept whole" grep -q "note=\"$(printf 'é%.0s' $(seq 608))\"" <<<"$LIST"
http GET "$P" -b "$J1"
TEXT=$(body_text)
check "profile shows Claim pending" grep -q 'Claim pending' <<<"$TEXT"
check "the claimant is told it waits for review" grep -q 'Your claim is waiting for review.' <<<"$TEXT"
check "... with a way to their claims" grep -q 'review. <a href="/me">Your claims</a>' "$BODY"
http GET /me -b "$J1"
check "/me: the pending claim, waiting for review" eval \
	'[ "$STATUS" = 200 ] && grep -q "href=\"/researchers/sanjeev-arora\">Sanjeev Arora</a>" "$BODY" && grep -q ">Waiting for review<" "$BODY"'
check "/me is private" [ "$(header Cache-Control)" = "private, no-cache" ]
check "/me: what was sent, the ORCID iD as kept" grep -q '<dd>0000-0002-1825-0097</dd>' "$BODY"
post "$P/claim" "$J2" "${C/csrf=$C1/csrf=$C2}"
check "competing claim: 409" [ "$STATUS" = 409 ]
check "the 409 page leads back to the profile" grep -q 'href="/researchers/sanjeev-arora">Back to the profile<' "$BODY"
check "... and shows who is signed in" grep -q 'Signed in as <strong>demo2</strong>' "$BODY"
post /researchers/zhiyuan-li/claim "$J1" "$C"
check "a second open claim by one user: 409" [ "$STATUS" = 409 ]
id=$("$BUILD/bzpeer-admin" --store "$STORE" claims list --state pending | awk 'NR==1 {print $1}' | tr -dc 0-9)
check "admin lists the pending claim" [ -n "$id" ]
"$BUILD/bzpeer-admin" --store "$STORE" claims approve "$id" >/dev/null
check "admin approves it" [ $? = 0 ]
# A visitor's view, fresh: the micro-cache may keep the page a second longer.
http GET "$P" -H 'Cookie: bzf=x'
TEXT=$(body_text)
for want in 'Claimed author' 'Verification L2' 'Trust 56 - Trusted'; do
	check "approved: $want" grep -q "$want" <<<"$TEXT"
done
post "$P/claim" "$J2" "${C/csrf=$C1/csrf=$C2}"
check "claim on a claimed profile: 409" [ "$STATUS" = 409 ]

post /researchers/zhiyuan-li/claim "$J2" "${C/csrf=$C1/csrf=$C2}"
check "second user claims another profile: 303" [ "$STATUS" = 303 ]
id=$("$BUILD/bzpeer-admin" --store "$STORE" claims list --state pending | awk 'NR==1 {print $1}' | tr -dc 0-9)
RNOTE=$'Evidence does not show this person.\n<b>See</b> \u202Eevil'
"$BUILD/bzpeer-admin" --store "$STORE" claims reject "$id" --note "$RNOTE" >/dev/null
check "admin rejects it with a note" [ $? = 0 ]
check "the note is kept" bash -c "'$BUILD/bzpeer-admin' --store '$STORE' claims list --state rejected | grep -q 'Evidence does not show this person'"
http GET /researchers/zhiyuan-li -b "$J2"
check "rejected: unclaimed again" grep -q 'Unclaimed author' "$BODY"
check "rejected: the claim form is back" grep -q 'action="/researchers/zhiyuan-li/claim"' "$BODY"
check "rejected: the claimant is told, with the reviewer's note (escaped, its direction isolated)" eval \
	'grep -q "Your claim of [0-9-]* was not approved." "$BODY" && grep -q "<p class=\"note-text\" dir=\"auto\">Evidence does not show this person." "$BODY" && grep -qF "&lt;b&gt;See&lt;/b&gt;" "$BODY"'
http GET /researchers/zhiyuan-li -b "$J1"
check "... and nobody else is" eval '[ "$STATUS" = 200 ] && ! grep -q "was not approved" "$BODY"'
check "the session bar links to the user's claims" grep -q '<a class="session-link" href="/me">Your claims</a>' "$BODY"
http GET /me -b "$J2"
check "/me: the rejected claim, not approved, with the note" eval \
	'grep -q ">Not approved<" "$BODY" && grep -q "Evidence does not show this person" "$BODY" && grep -qF "&lt;b&gt;See&lt;/b&gt;" "$BODY"'
check "/me: a way to claim it again" grep -q 'href="/researchers/zhiyuan-li#identity-h">Claim it again' "$BODY"
http GET /me -b "$J1"
check "/me: the approved claim" eval 'grep -q ">Approved<" "$BODY" && ! grep -q "zhiyuan-li" "$BODY"'
http GET /me
check "/me signed out: 303 to sign in, then back" eval '[ "$STATUS" = 303 ] && [ "$(header Location)" = "/login?next=%2Fme" ]'
http GET /me -b "bzs=forged"
check "/me with a forged cookie: 303 to sign in" [ "$STATUS" = 303 ]
http POST /me -b "$J1" -d x=1
check "POST /me: 405" [ "$STATUS" = 405 ]

# ---- many processes follow and unfollow at once ------------------------------------------
# Not $P: demo owns it now, and nobody follows their own profile (409).
R1=/researchers/tianhao-wang; R2=/researchers/zhiyuan-li; R3=/researchers/jason-lee
pids=()
for w in $(seq 8); do
	(
		for i in $(seq 25); do
			case $(( (w + i) % 3 )) in 0) p=$R1 ;; 1) p=$R2 ;; 2) p=$R3 ;; esac
			if [ $((w % 2)) = 0 ]; then j=$J1; c=$C1; else j=$J2; c=$C2; fi
			a=follow; [ $(( (w * 7 + i) % 2 )) = 0 ] && a=unfollow
			curl -sS -o /dev/null -w '%{http_code}\n' -b "$j" \
				-H 'Content-Type: application/x-www-form-urlencoded' -H 'Accept: application/json' \
				--data-binary "csrf=$c&action=$a" "$BASE$p/follow"
		done
	) > "$T_DIR/conc.$w" &
	pids+=($!)
done
wait "${pids[@]}"
ok200=$(cat "$T_DIR"/conc.* | grep -c '^200$')
check "200 concurrent follow posts answered 200 ($ok200)" [ "$ok200" = 200 ]
for s in tianhao-wang zhiyuan-li jason-lee; do
	id=$("$BUILD/bzpeer-admin" --store "$STORE" follows "$s" | sed -n 's/^id: *//p')
	edges=$("$BUILD/bzpeer-admin" --store "$STORE" follows "$s" | grep -c '^follower: ')
	check "$s: LMDB count = $edges edges" [ "$(lmdb_count $s)" = "$edges" ]
	check "$s: Redis count = $edges edges" [ "$(rcount "$id")" = "$edges" ]
	check "$s: the page shows $edges" [ "$(page_count /researchers/$s)" = "$edges" ]
done

# ---- log out: the session ends on the server, not only in the browser -------------------
signed_out_page() { grep -q '>Log in</a>' "$BODY" && ! grep -q 'Signed in as' "$BODY" && ! grep -q 'name="csrf"' "$BODY"; }
post /logout "$J2" "csrf=nope"
check "log out with a bad CSRF: 403" [ "$STATUS" = 403 ]
S2=$(jar_session "$J2")   # a copy of the cookie, as a thief would keep it
check "a copy of demo2's cookie taken before logging out" [ -n "$S2" ]
# Every worker has verified the cookie and keeps it (fcgi-app/sesscache.h):
# the sign-out must hold on each of them all the same.
many_pages() { # many_pages COOKIE signed_in|signed_out: 16 profile GETs, all so
	local i
	for i in $(seq 16); do
		http GET /researchers/zhiyuan-li -b "bzs=$1"
		if [ "$2" = signed_in ]; then grep -q 'name="csrf"' "$BODY" || return 1
		else signed_out_page || return 1; fi
	done
}
check "before logging out: 16 pages signed in with the copy (every worker keeps it)" many_pages "$S2" signed_in
post /logout "$J2" "csrf=$C2"
check "log out: 303 to / and the session cookie cleared" [ "$STATUS" = 303 ]
check "log out: 303 to / and the session cookie cleared (part 2)" grep -qi '^Set-Cookie: bzs=; Path=/; Max-Age=0' "$HEADERS"
check "log out: the store keeps the sign-out" eval 'dump | grep -q "^revoked [0-9]* [0-9a-f]\{32\} \"demo2\"$"'
http GET / -b "$J2"
check "after logging out the page shows Log in" grep -q '>Log in</a>' "$BODY"
# The copied cookie, sent after the logout: signed out on every page, every
# post refused as from nobody, its CSRF token useless, nothing changed.
dump > "$T_DIR/dump.before"
http GET / -b "bzs=$S2"
check "the copied cookie after logout: the home page is signed out" signed_out_page
http GET "$P" -b "bzs=$S2"
check "the copied cookie after logout: the profile is signed out, no form token" signed_out_page
http GET /researchers/zhiyuan-li -b "bzs=$S2"
check "the copied cookie after logout: another profile too (another worker, maybe)" signed_out_page
check "the copied cookie after logout: 16 pages more, every one signed out" many_pages "$S2" signed_out
FORM=(-H 'Content-Type: application/x-www-form-urlencoded')
http POST "$P/follow" -b "bzs=$S2" "${FORM[@]}" --data-binary "csrf=$C2&action=follow"
check "the copied cookie's follow with its CSRF token: 303 to /login" \
	eval '[ "$STATUS" = 303 ] && [ "$(header Location)" = "/login?next=%2Fresearchers%2Fsanjeev-arora" ]'
http POST "$P/follow" -b "bzs=$S2" "${FORM[@]}" --data-binary "csrf=$C2&action=follow" -H 'Accept: application/json'
check "... as JSON: 401" eval '[ "$STATUS" = 401 ] && grep -q "^{\"error\":" "$BODY"'
http POST /researchers/jason-lee/claim -b "bzs=$S2" "${FORM[@]}" --data-binary "${C/csrf=$C1/csrf=$C2}"
check "the copied cookie's claim: 303 to /login" eval '[ "$STATUS" = 303 ] && [ "$(header Location)" = "/login?next=%2Fresearchers%2Fjason-lee" ]'
http POST /logout -b "bzs=$S2" "${FORM[@]}" --data-binary "csrf=$C2"
check "the copied cookie's logout: 303 to /login, no flash" \
	eval '[ "$STATUS" = 303 ] && [ "$(header Location)" = "/login?next=%2F" ] && ! grep -qi "^Set-Cookie: bzf=" "$HEADERS"'
check "store unchanged by every post of the copied cookie" same_dump "$T_DIR/dump.before"

# ---- bzpeer-admin sessions revoke: every session of one user ------------------------------
cp "$J1" "$T_DIR/jar.demo.first"; JA="$T_DIR/jar.demo.first"; CA=$C1   # demo's first session
signin demo; JB=$JAR; CB=$CSRF                                           # and a second one
signin demo2; JC=$JAR; CC=$CSRF                                          # demo2 again
check "two live sessions of demo, with different tokens" eval '[ -n "$CB" ] && [ "$CA" != "$CB" ]'
for j in "$JA" "$JB"; do
	http GET "$P" -b "$j"
	check "before: demo's session $(basename "$j") is signed in" grep -q 'Signed in as <strong>demo</strong>' "$BODY"
	check "before: ... on 16 pages (every worker keeps it)" many_pages "$(jar_session "$j")" signed_in
done
"$BUILD/bzpeer-admin" --store "$STORE" sessions revoke demo >"$T_DIR/revoke.out" 2>&1
check "bzpeer-admin sessions revoke demo: exit 0" [ $? = 0 ]
check "... says what it ended" grep -q '^sessions of "demo" issued up to 20[0-9-]*T[0-9:.]*Z are ended' "$T_DIR/revoke.out"
dump > "$T_DIR/dump.before"
for j in "$JA" "$JB"; do
	http GET "$P" -b "$j"
	check "after: demo's session $(basename "$j") gets signed-out pages" signed_out_page
	check "after: ... 16 of them, on every worker" many_pages "$(jar_session "$j")" signed_out
done
http POST "$P/follow" -b "$JA" "${FORM[@]}" --data-binary "csrf=$CA&action=follow"
check "after: demo's first session's follow: 303 to /login" \
	eval '[ "$STATUS" = 303 ] && [ "$(header Location)" = "/login?next=%2Fresearchers%2Fsanjeev-arora" ]'
http POST "$P/follow" -b "$JB" "${FORM[@]}" --data-binary "csrf=$CB&action=follow" -H 'Accept: application/json'
check "after: demo's second session's follow (JSON): 401" [ "$STATUS" = 401 ]
check "store unchanged by the ended sessions' posts" same_dump "$T_DIR/dump.before"
http GET "$P" -b "$JC"
check "demo2's session still signed in" grep -q 'Signed in as <strong>demo2</strong>' "$BODY"
post "$P/follow" "$JC" "csrf=$CC&action=follow" -H 'Accept: application/json'
check "demo2's follow still works" eval '[ "$STATUS" = 200 ] && grep -q "\"following\":true" "$BODY"'
signin demo; JD=$JAR; CD=$CSRF
check "demo signs in again after the revoke" [ -n "$CD" ]
http GET "$P" -b "$JD"
check "... and that new session is signed in" grep -q 'Signed in as <strong>demo</strong>' "$BODY"
post "$P/follow" "$JD" "csrf=$CD&action=unfollow" -H 'Accept: application/json'
check "... and may post" [ "$STATUS" = 200 ]

finish
