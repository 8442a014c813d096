#!/bin/bash
# Hostile requests through the real nginx, each with its
# expected status (README "Limits and errors") and the store
# unchanged (a full dump compared after every case): methods, traversal and
# odd slugs, look-alikes, bad encodings and NULs, overlong and duplicate
# fields, content types, oversized and truncated bodies, missing and forged
# CSRF tokens, forged and expired sessions, open redirects, header
# injection, HTML and script in every field. Then, over every answer: no
# payload comes back raw, and the security headers and cookie attributes
# are on each (part 5).
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || "$ROOT/tests/deps.sh" openssl >/dev/null 2>&1
# Rate limits are 26-ratelimit.sh's; here they would only get in the way.
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 100000'
export MICROCACHE=0
stack_up

P=/researchers/sanjeev-arora
RESP="$T_DIR/responses"; mkdir -p "$RESP"
FORM=(-H 'Content-Type: application/x-www-form-urlencoded')
need_fcgi_client

# A pending claim, by a user of its own, for the hostile disputes below:
# each must be refused with the store left as it is.
Q=/researchers/zhiyuan-li
session_key; SQ=$(cookie_1h claimant)
http POST "$Q/claim" -H "Cookie: bzs=$SQ" "${FORM[@]}" --data-binary \
	"csrf=$(csrf_of "$SQ")&email=li%40example.edu&evidence_url=https%3A%2F%2Fexample.edu%2Fli"
check "a pending claim of $Q for the disputes to meet" [ "$STATUS" = 303 ]

dump >"$T_DIR/dump.base"
N=0
# keep: the last answer goes into $RESP for the checks over every answer.
keep() { N=$((N + 1)); cp "$HEADERS" "$RESP/$N.h"; cp "$BODY" "$RESP/$N.b"; echo "$CASE" >"$RESP/$N.what"; }
not_grep() { ! grep "$@"; }
home_and_clean() {
	[ "$(header Location)" = / ] && not_grep -qiE '^set-cookie: bzs=evil|^location: http' "$HEADERS"
}
same_store() { same_dump "$T_DIR/dump.base"; }
# verdict DESC WANT: one line for the last answer: status matches the
# pattern WANT (e.g. 400 or '400|404') and the store is unchanged.
verdict() {
	local d=$1 want=$2 why=""
	[[ "$STATUS" =~ ^($want)$ ]] || why="status $STATUS, want $want"
	same_store || why="${why:+$why; }the store CHANGED"
	if [ -z "$why" ]; then ok "$d: $STATUS, store unchanged"; else not_ok "$d: $why"; fi
}
# expect DESC WANT METHOD PATH [curl args...]
expect() {
	local d=$1 want=$2; shift 2
	CASE=$d
	http "$@" --path-as-is
	keep
	verdict "$d" "$want"
}
# raw DESC WANT BYTES: a request written as is to nginx's port (printf %b
# escapes in BYTES), the answer read until nginx closes (at most 5 s).
raw() {
	local d=$1 want=$2 bytes=$3
	CASE=$d
	: >"$T_DIR/raw.out"
	{
		exec 3<>"/dev/tcp/127.0.0.1/$PORT" &&
		printf '%b' "$bytes" >&3 &&
		timeout 5 cat <&3 >"$T_DIR/raw.out"
		exec 3<&-
	} 2>/dev/null
	split_answer "$T_DIR/raw.out"
	keep
	verdict "$d" "$want"
}

# ---- who is asking: two real sessions, and cookies made with the key ----------------
signin demo; J1=$JAR; C1=$CSRF
signin demo2; J2=$JAR; C2=$CSRF
S1=$(jar_session "$J1")
check "two sessions with CSRF tokens" eval '[ -n "$C1" ] && [ -n "$C2" ] && [ -n "$S1" ]'
session_key   # lib.sh: cookie USER EXPIRY [KEYHEX [ISSUED_MS]], csrf_of COOKIE
NOW=$(date +%s)
GOOD=$(cookie demo $((NOW + 600)))
http GET "$P" -b "bzs=$GOOD"
check "a cookie made here with the key signs demo in (the forgeries below are refused for what they change)" \
	grep -q 'Signed in as <strong>demo</strong>' "$BODY"
T1=$(csrf_in <"$BODY")
check "and the page's CSRF token is its token masked (pad, then token XOR pad)" \
	test "$(csrf_unmask "$T1")" = "$(csrf_of "$GOOD")"
http GET "$P" -b "bzs=$GOOD"
check "masked anew on every response: the next page's token differs, same token under it" \
	eval '[ "$(csrf_in <"$BODY")" != "$T1" ] && [ "$(csrf_unmask "$(csrf_in <"$BODY")")" = "$(csrf_of "$GOOD")" ]'

post() { # post DESC WANT PATH JAR_OR_COOKIE BODY [curl args]
	local d=$1 want=$2 p=$3 who=$4 data=$5; shift 5
	expect "$d" "$want" POST "$p" -b "$who" "${FORM[@]}" --data-binary "$data" "$@"
}
F1="csrf=$C1&action=follow"

# ---- methods: 405 with Allow from the app, or nginx's own 405/400 ------------------------
for m in PUT DELETE PATCH OPTIONS BREW; do
	expect "$m on the profile" 405 "$m" "$P"
	check "$m on the profile: Allow: GET, HEAD" [ "$(header Allow)" = "GET, HEAD" ]
done
expect "PUT on the follow address" 405 PUT "$P/follow" -b "$J1"
check "... Allow: POST" [ "$(header Allow)" = POST ]
expect "DELETE on /logout" 405 DELETE /logout -b "$J1"
expect "GET on /logout" 405 GET /logout
expect "POST on the profile" 405 POST "$P" -b "$J1" "${FORM[@]}" --data-binary "$F1"
expect "TRACE (nginx refuses it)" 405 TRACE /
expect "CONNECT (nginx refuses it)" '405|400' CONNECT /
raw "a lower-case method (nginx: 400)" 400 'get / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'

# ---- traversal and odd slugs: never a file, never a 200 -------------------------------------
expect "/researchers/../etc/passwd" '400|404' GET /researchers/../etc/passwd
check "... no passwd in it" not_grep -q 'root:x:0' "$BODY"
expect "/researchers/%2e%2e/%2e%2e/etc/passwd" '400|404' GET '/researchers/%2e%2e/%2e%2e/etc/passwd'
expect "/static/../../etc/passwd" '400|404' GET /static/../../etc/passwd
expect "/static/..%2f..%2fetc%2fpasswd" '400|404' GET '/static/..%2f..%2f..%2fetc%2fpasswd'
check "... no passwd in it" not_grep -q 'root:x:0' "$BODY"
expect "/static/%2e%2e/views/profile.html" '400|404' GET '/static/%2e%2e/profile.html'
expect "Cyrillic look-alike: /researchers/ѕanjeev-arora" 404 GET "/researchers/%D1%95anjeev-arora"
expect "fullwidth look-alike: /researchers/ｓanjeev-arora" 404 GET "/researchers/%EF%BD%93anjeev-arora"
expect "a Unicode hyphen: sanjeev‐arora" 404 GET "/researchers/sanjeev%E2%80%90arora"
expect "upper case: /researchers/SANJEEV-ARORA" 404 GET /researchers/SANJEEV-ARORA
expect "an overlong slug (3000 bytes)" 404 GET "/researchers/$(head -c 3000 /dev/zero | tr '\0' a)"
expect "a 20 KB address (nginx: 414)" 414 GET "/researchers/$(head -c 20000 /dev/zero | tr '\0' a)"
expect "a %2F inside the slug stays in it" 404 GET '/researchers/sanjeev-arora%2Fgraph'
expect "an empty segment: /researchers//sanjeev-arora" 400 GET /researchers//sanjeev-arora
expect "a surrogate in the slug (invalid UTF-8)" 400 GET '/researchers/%ED%A0%80'
expect "an overlong UTF-8 '/' in the slug" 400 GET '/researchers/%C0%AF'
expect "bad percent-encoding in the path" 400 GET '/researchers/a%ZZ'
expect "a NUL in the path" 400 GET '/researchers/a%00b'

# ---- query strings: declared fields, rejected, never repaired --------------------------------
expect "a duplicate q" 400 GET '/?q=a&q=b'
expect "bad percent-encoding in q" 400 GET '/?q=%ZZ'
expect "a NUL in q" 400 GET '/?q=a%00b'
expect "invalid UTF-8 in q" 400 GET '/?q=%C3%28'
expect "an overlong q (201 bytes)" 400 GET "/?q=$(head -c 201 /dev/zero | tr '\0' a)"
expect "page=-1" 400 GET '/?page=-1'
expect "works?sort=<script>" 400 GET "$P/works?sort=%3Cscript%3E"

# ---- open redirects and header injection at /login: always a local Location ------------------
for bad in '//evil.example/' 'https://evil.example/' '/%5Cevil.example' '%2F%2Fevil.example' \
	'javascript:alert(1)' '/%09/evil.example' '%0d%0aLocation:%20http://evil.example/' \
	'/%0d%0aSet-Cookie:%20bzs=evil' '/%3Cscript%3Ealert(1)%3C/script%3E' '/%22onmouseover=alert(1)' \
	'/%E2%80%A8x' "/$(head -c 1001 /dev/zero | tr '\0' a)"; do
	expect "login next=${bad:0:40}" 303 GET "/login?next=$bad" -u demo:demo
	check "... goes to / and sets no foreign header" home_and_clean
done
expect "login next=/researchers/sanjeev-arora (the control)" 303 GET "/login?next=$P" -u demo:demo
check "... goes back there" [ "$(header Location)" = "$P" ]
raw "a bare CR in a Cookie header (nginx: 400)" 400 \
	'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: bzf=a\rX-Injected: 1\r\nConnection: close\r\n\r\n'
check "... no X-Injected header comes back" not_grep -qi '^x-injected' "$HEADERS"
expect "an 10 KB Cookie header (nginx: 400)" 400 GET / -H "Cookie: bzs=$(head -c 10000 /dev/zero | tr '\0' a)"

# ---- sign-in names the store refuses: no session for them ------------------------------------------
# nginx's auth_basic takes the user name from the Basic header's bytes as
# they are and passes them on as REMOTE_USER; it rereads the user file on
# every request, so accounts added here count at once.
htuser() { # htuser NAME PASSWORD: an account in the stack's user file
	printf '%s:%s\n' "$1" "$(perl -e 'print crypt($ARGV[0], "\$6\$".join("", map { ("a".."z")[rand 26] } 1..12)."\$")' "$2")" >>"$RUNDIR/htpasswd"
}
NEL=$'bad\xc2\x85name'   # U+0085 NEL, a C1 control: the store refuses it
GR=$'gr\xc3\xa9goire'     # the control: a name the store takes
htuser "$NEL" pw85
htuser "$GR" pwgr
no_session() { not_grep -qi '^set-cookie: bzs=' "$HEADERS"; }
expect "/login as a name holding U+0085 (C1 control)" 403 GET '/login?next=/' -u "$NEL:pw85"
check "... the sign-in refused page" grep -q 'Sign-in refused' "$BODY"
check "... and no session cookie" no_session
expect "/login as that name with a wrong password (nginx 401: the account is real)" 401 GET '/login?next=/' -u "$NEL:nope"
expect "/login as $GR (UTF-8 passes through nginx as it is)" 303 GET '/login?next=/' -u "$GR:pwgr" -c "$T_DIR/jar.gr"
http GET "$P" -b "$T_DIR/jar.gr"
check "... and the page says signed in as $GR" grep -qF "Signed in as <strong>$GR</strong>" "$BODY"

# ---- forged and expired sessions: signed out, so a post goes to /login ----------------------------
BADMAC="${S1%?}$( [ "${S1: -1}" = A ] && echo B || echo A)"
post "session with a tampered MAC" 303 "$P/follow" "bzs=$BADMAC" "csrf=$(csrf_of "$BADMAC")&action=follow"
check "... sent to /login" [ "$(header Location)" = "/login?next=%2Fresearchers%2Fsanjeev-arora" ]
ROOTU="$(printf root | b64url).${S1#*.}"
post "session with the user changed to root" 303 "$P/follow" "bzs=$ROOTU" "csrf=$(csrf_of "$ROOTU")&action=follow"
IFS=. read -r S1U S1I S1E S1M <<<"$S1"
LATER="$S1U.$S1I.$((S1E + 1000)).$S1M"
post "session with the expiry pushed back" 303 "$P/follow" "bzs=$LATER" "csrf=$(csrf_of "$LATER")&action=follow"
# A later issue time would slip past bzpeer-admin sessions revoke.
LATEISSUE="$S1U.$((S1I + 1000)).$S1E.$S1M"
post "session with the issue time moved later" 303 "$P/follow" "bzs=$LATEISSUE" "csrf=$(csrf_of "$LATEISSUE")&action=follow"
# Signed with the real key, yet not a cookie the app issues: refused.
V1="$(printf demo | b64url).$((NOW + 600)).$(hmac "bzs1|demo|$((NOW + 600))")"
post "an old-format session (no issue time, bzs1), signed with the real key" 303 "$P/follow" "bzs=$V1" "csrf=$(csrf_of "$V1")&action=follow"
LONG=$(cookie demo $((NOW + 91 * 86400)))
post "a session living 91 days (past the longest life), signed with the real key" 303 "$P/follow" "bzs=$LONG" "csrf=$(csrf_of "$LONG")&action=follow"
ZERO=$(cookie demo $((NOW + 600)) "$KEYHEX" "0${NOW}000")
post "a session whose issue time has a leading zero, signed with the real key" 303 "$P/follow" "bzs=$ZERO" "csrf=$(csrf_of "$ZERO")&action=follow"
OLD=$(cookie demo $((NOW - 10)) "$KEYHEX" "$(( (NOW - 100) * 1000 ))")
post "an expired session (signed with the real key)" 303 "$P/follow" "bzs=$OLD" "csrf=$(csrf_of "$OLD")&action=follow"
post "an expired session, JSON" 401 "$P/follow" "bzs=$OLD" "csrf=$(csrf_of "$OLD")&action=follow" -H 'Accept: application/json'
OTHER=$(cookie demo $((NOW + 600)) "$(printf '%064x' 7)")
post "a session signed with another key" 303 "$P/follow" "bzs=$OTHER" "csrf=$(csrf_of "$OTHER")&action=follow"
post "a session cookie that is not one (<img>)" 303 "$P/follow" 'bzs=<img src=x onerror=alert(5)>' "action=follow"
post "two session cookies, the first forged" 303 "$P/follow" "bzs=$BADMAC; bzs=$S1" "$F1"

# ---- CSRF: missing, forged, empty, another session's, overlong ----------------------------------
post "follow without a CSRF token" 403 "$P/follow" "$J1" "action=follow"
post "follow with a forged CSRF token" 403 "$P/follow" "$J1" "csrf=$(head -c 32 /dev/urandom | b64url)&action=follow"
post "follow with an empty CSRF token" 403 "$P/follow" "$J1" "csrf=&action=follow"
post "follow with the other session's CSRF token" 403 "$P/follow" "$J1" "csrf=$C2&action=follow"
post "follow with a CSRF token from a cookie made with the key for demo2" 403 "$P/follow" "$J1" \
	"csrf=$(csrf_of "$(cookie demo2 $((NOW + 600)))")&action=follow"
post "follow with an overlong CSRF token" 400 "$P/follow" "$J1" "csrf=${C1}${C1}&action=follow"
post "log out with a forged CSRF token" 403 /logout "$J1" "csrf=x"
post "claim without a CSRF token" 403 "$P/claim" "$J1" "email=a%40b.edu&evidence_url=https%3A%2F%2Fb.edu%2F"

# ---- content types ------------------------------------------------------------------------------
for ct in text/plain multipart/form-data application/json application/x-www-form-urlencodedx \
	'application/x-www-form-urlencoded-evil'; do
	expect "follow as $ct" 415 POST "$P/follow" -b "$J1" -H "Content-Type: $ct" --data-binary "$F1"
done
expect "follow with no Content-Type" 415 POST "$P/follow" -b "$J1" -H 'Content-Type:' --data-binary "$F1"
post "follow with ; charset=utf-8 and no CSRF (the type is accepted)" 403 "$P/follow" "$J1" "action=follow" \
	-H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8'

# ---- bodies: oversized, truncated, malformed ------------------------------------------------------
post "a 17 KB body (over max_body)" 413 "$P/follow" "$J1" "$F1&pad=$(head -c 17000 /dev/zero | tr '\0' a)"
post "a 70 KB body (nginx: 413)" 413 "$P/follow" "$J1" "$F1&pad=$(head -c 70000 /dev/zero | tr '\0' a)"
expect "Content-Length: 10^12 (nginx: 413)" 413 POST "$P/follow" -b "$J1" "${FORM[@]}" \
	-H 'Content-Length: 1000000000000' --data-binary "$F1"
expect "a chunked 20 KB body" '400|403|413' POST "$P/follow" -b "$J1" "${FORM[@]}" \
	-H 'Transfer-Encoding: chunked' --data-binary "$F1&pad=$(head -c 20000 /dev/zero | tr '\0' a)"
raw "Content-Length: -1 (nginx: 400)" 400 \
	"POST $P/follow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: -1\r\nConnection: close\r\n\r\naction=follow"
# Truncated: Content-Length 200, 50 bytes sent, then the connection closes.
# nginx never passes a short body on; its access log says 400.
CASE="truncated body: Content-Length 200, 50 bytes sent"
amark=$(log_mark "$RUNDIR/nginx-access.log")
{
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf "POST $P/follow HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: bzs=$S1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\nConnection: close\r\n\r\n%s" "$F1" >&3
	exec 3<&-
} 2>/dev/null
# nginx logs the request once it has given up on the rest of the body.
wait_for 5 log_has "$amark" "\"POST $P/follow HTTP/1.1\"" "$RUNDIR/nginx-access.log"
STATUS=$(log_since "$amark" "$RUNDIR/nginx-access.log" | grep -F "\"POST $P/follow HTTP/1.1\"" | tail -n1 | awk '{print $9}')
verdict "$CASE (nginx access log)" 400
# The same straight to the app: a body shorter than CONTENT_LENGTH is 400.
CASE="truncated body straight to bzpeer-fcgi (CONTENT_LENGTH 200, 50 sent)"
printf '%s' "$F1" | "$FCGI_CLIENT" "$RUNDIR/bzpeer-fcgi.sock" REQUEST_METHOD=POST \
	"REQUEST_URI=$P/follow" QUERY_STRING= CONTENT_TYPE=application/x-www-form-urlencoded \
	CONTENT_LENGTH=200 "HTTP_COOKIE=bzs=$S1" REMOTE_ADDR=127.0.0.1 >"$T_DIR/raw.out" 2>"$T_DIR/raw.err"
split_answer "$T_DIR/raw.out"
keep
verdict "$CASE" 400
check "... and says the form arrived incomplete" grep -q 'incomplete' "$BODY"
post "bad percent-encoding in action" 400 "$P/follow" "$J1" "csrf=$C1&action=fol%ZZlow"
post "an encoded NUL in action" 400 "$P/follow" "$J1" "csrf=$C1&action=follow%00"
CASE="a raw NUL byte in the body"
printf 'csrf=%s&action=fol\0low' "$C1" >"$T_DIR/nul.body"
expect "$CASE" 400 POST "$P/follow" -b "$J1" "${FORM[@]}" --data-binary "@$T_DIR/nul.body"
post "a duplicate action" 400 "$P/follow" "$J1" "$F1&action=unfollow"
post "a duplicate csrf" 400 "$P/follow" "$J1" "$F1&csrf=$C1"
post "action=maybe" 400 "$P/follow" "$J1" "csrf=$C1&action=maybe"
CL="csrf=$C1&orcid=0000-0002-1825-0097&email=arora%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F"
post "an overlong note (1001 bytes)" 400 "$P/claim" "$J1" "$CL&note=$(head -c 1001 /dev/zero | tr '\0' a)"
post "an overlong email (300 bytes)" 400 "$P/claim" "$J1" "${CL/arora%40/$(head -c 290 /dev/zero | tr '\0' a)%40}"
post "invalid UTF-8 in the note" 400 "$P/claim" "$J1" "$CL&note=%FF%FE"
post "a control character in the email" 400 "$P/claim" "$J1" "${CL/arora%40/ar%07ora%40}"
check "... said at the email field, the control not given back" \
	eval 'grep -q "id=\"claim-email-error\"" "$BODY" && ! grep -q "ar.ora@" "$BODY"'
post "an overlong note of 1001 emoji (4 bytes each)" 400 "$P/claim" "$J1" "$CL&note=$(printf '%%F0%%9F%%98%%80%.0s' $(seq 1001))"
check "... said at the note, in characters" grep -q 'The note can be at most 1000 characters' "$BODY"
post "a note far past any limit (over max_body)" 413 "$P/claim" "$J1" "$CL&note=$(printf '%%F0%%9F%%98%%80%.0s' $(seq 1500))"
post "invalid UTF-8 in the note, the form again" 400 "$P/claim" "$J1" "$CL&note=ok%C3%28"
check "... says plain text, and the bytes are not given back" \
	eval 'grep -q "The note must be plain text" "$BODY" && ! grep -q "<textarea[^>]*>ok" "$BODY"'
post "a right-to-left override in the ORCID iD" 400 "$P/claim" "$J1" "${CL/0000-0002/%E2%80%AE0000-0002}"
check "... refused at its field" grep -q 'id="claim-orcid-error"' "$BODY"
post "a right-to-left override in the email" 400 "$P/claim" "$J1" "${CL/arora%40/%E2%80%AEarora%40}"
check "... refused at its field" grep -q 'id="claim-email-error"' "$BODY"
post "a bad field and no CSRF token: 403 first" 403 "$P/claim" "$J1" "${CL/csrf=$C1&/}&note=%FF"
check "... which leads back to the profile" grep -q 'Back to the profile' "$BODY"

# ---- HTML and script in every field ----------------------------------------------------------------
X1='<script>alert(1)</script>'
X2='"><img src=x onerror=alert(2)>'
X3="'><svg onload=alert(3)>"
enc() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' | sed 's/\(..\)/%\1/g'; }
X4='"><svg/onload=1>'    # fits the ORCID iD's 19 bytes
E1=$(enc "$X1"); E2=$(enc "$X2"); E3=$(enc "$X3"); E4=$(enc "$X4")
BADMAIL="${CL/arora%40cs.princeton.edu/not-an-email}"
post "script in the note (claim refused for its email)" 400 "$P/claim" "$J1" "$BADMAIL&note=$E1"
check "... the form again shows the note escaped" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$BODY"
post "markup in the ORCID iD" 400 "$P/claim" "$J1" "${CL/0000-0002-1825-0097/$E4}"
check "... the form again shows it escaped" grep -qF '&gt;&lt;svg/onload=1&gt;' "$BODY"
post "markup in the email" 400 "$P/claim" "$J1" "${CL/arora%40cs.princeton.edu/$E3}"
post "javascript: as the evidence URL" 400 "$P/claim" "$J1" "${CL/https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F/javascript:alert(4)}"
post "markup in the evidence URL" 400 "$P/claim" "$J1" "${CL/https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F/https%3A%2F%2Fx.edu%2F$E2}"
post "script in the note, JSON" 400 "$P/claim" "$J1" "$BADMAIL&note=$E1" -H 'Accept: application/json'
# Disputes of the pending claim of $Q, each refused before or at the store.
DQ="csrf=$C1&action=dispute&email=arora%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F"
post "a dispute without a CSRF token" 403 "$Q/claim" "$J1" "${DQ/csrf=$C1&/}"
post "a dispute with another session's CSRF token" 403 "$Q/claim" "$J1" "${DQ/csrf=$C1/csrf=$C2}"
post "a dispute signed out (303 to sign in)" 303 "$Q/claim" /dev/null "$DQ"
post "a dispute with a forged session" 303 "$Q/claim" "bzs=$BADMAC" "${DQ/csrf=$C1/csrf=$(csrf_of "$BADMAC")}"
post "claim and dispute in one form (action twice)" 400 "$Q/claim" "$J1" "$DQ&action=claim"
post "an encoded NUL after dispute" 400 "$Q/claim" "$J1" "${DQ/action=dispute/action=dispute%00}"
post "an overlong action" 400 "$Q/claim" "$J1" "${DQ/action=dispute/action=disputedisputedispute}"
post "an empty action" 400 "$Q/claim" "$J1" "${DQ/action=dispute/action=}"
post "script as the claim's action" 400 "$Q/claim" "$J1" "${DQ/action=dispute/action=$E1}"
post "script as the claim's action, JSON" 400 "$Q/claim" "$J1" "${DQ/action=dispute/action=$E2}" -H 'Accept: application/json'
post "a dispute with script in the note, refused for its email" 400 "$Q/claim" "$J1" "${DQ/arora%40cs.princeton.edu/not-an-email}&note=$E1"
post "a dispute with markup in the evidence URL" 400 "$Q/claim" "$J1" "${DQ/https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F/https%3A%2F%2Fx.edu%2F$E2}"
post "a dispute with an overlong note" 400 "$Q/claim" "$J1" "$DQ&note=$(head -c 1001 /dev/zero | tr '\0' a)"
post "a dispute of an unclaimed profile" 409 "$P/claim" "$J1" "$DQ"
post "a dispute of a researcher that is not" 404 "/researchers/nobody/claim" "$J1" "$DQ"
post "a dispute with script as the slug" 404 "/researchers/$E1/claim" "$J1" "$DQ"
post "script as the CSRF token" 403 "$P/follow" "$J1" "csrf=$E1&action=follow"
post "script as the action" 400 "$P/follow" "$J1" "csrf=$C1&action=$E1"
expect "script in q" 200 GET "/?q=$E1"
expect "markup in q on /researchers" 200 GET "/researchers?q=$E2"
expect "script as page" 400 GET "/?page=$E1"
expect "script as the slug" 404 GET "/researchers/$E1"
expect "markup as the slug of .json" 404 GET "/researchers/$E2.json"
expect "markup as the slug of /graph" 404 GET "/researchers/$E3/graph"
expect "markup as the slug of works.atom" 404 GET "/researchers/$E2/works.atom"
expect "script in the flash cookie" 200 GET "$P" -b "bzf=$X1"
expect "script in the Accept header" 200 GET "$P" -H "Accept: $X1"
expect "script in User-Agent and Referer" 200 GET "$P" -A "$X1" -e "$X2"
# A host the site is not: nginx's 400, or the default server closes it.
expect "script in Host" '400|000' GET "$P" -H "Host: $X3"

# ---- private feeds: only the exact address, the same 404 for everything else --------------------
# A feed address made: the store changes, so the base is taken again after it.
http POST /me/feed -b "$J1" "${FORM[@]}" --data-binary "csrf=$C1&action=make"
check "a feed address made: 303" [ "$STATUS" = 303 ]
TOK=$(grep -i '^Set-Cookie: bzt=' "$HEADERS" | sed 's/^[^=]*=//; s/;.*//')
dump >"$T_DIR/dump.base"
check "a 48-digit token" [ "${#TOK}" = 48 ]
expect "the feed at its address" 200 GET "/me/feed/$TOK.atom"
F404='There is no page at this address.'
feed_404() { # DESC PATH
	expect "$1" 404 GET "$2"
	check "... the one 404 of every wrong address, kept by no cache" \
		bash -c "grep -qF '$F404' '$BODY' && [ '$(header Cache-Control)' = no-store ]"
}
feed_404 "a token with a non-hex digit" "/me/feed/${TOK:0:47}g.atom"
feed_404 "a token in upper case" "/me/feed/${TOK^^}.atom"
feed_404 "a token one digit short" "/me/feed/${TOK:0:47}.atom"
feed_404 "a token one digit over" "/me/feed/${TOK}a.atom"
feed_404 "an overlong token" "/me/feed/$(head -c 3000 /dev/zero | tr '\0' a).atom"
feed_404 "an empty token" "/me/feed/.atom"
feed_404 "the token without .atom" "/me/feed/$TOK"
feed_404 "the token and .atom twice" "/me/feed/$TOK.atom.atom"
# A trailing slash is the same address (the app's rule for every path).
expect "the token with a trailing slash" '200|404' GET "/me/feed/$TOK.atom/"
feed_404 "the token under another path" "/me/feed/x/$TOK.atom"
expect "the token with a NUL (%00): a bad path" 400 GET "/me/feed/$TOK%00.atom"
feed_404 "the token percent-encoded in part (%61 for a)" "/me/feed/%3${TOK:1:1}${TOK:2}.atom"
feed_404 "script as the token" "/me/feed/$E1.atom"
feed_404 "a selector with another verifier" "/me/feed/${TOK:0:16}$(printf '%032d' 0).atom"
expect "/me/feed/../me: no traversal" '200|303|400|404' GET "/me/feed/../me"
expect "an encoded traversal before the token" '400|404' GET "/me/feed/%2e%2e/$TOK.atom"
expect "an encoded slash in the token" '400|404' GET "/me/feed/${TOK:0:24}%2F${TOK:24}.atom"
expect "the token in a query string" 404 GET "/me/feed/.atom?token=$TOK"
expect "the feed posted to" 405 POST "/me/feed/$TOK.atom" "${FORM[@]}" --data-binary "x=1"
post "make without a CSRF token" 403 /me/feed "$J1" "action=make"
post "make with another session's CSRF token" 403 /me/feed "$J1" "csrf=$C2&action=make"
post "revoke signed out (303 to sign in)" 303 /me/feed /dev/null "action=revoke"
post "make and revoke in one form (action twice)" 400 /me/feed "$J1" "csrf=$C1&action=make&action=revoke"
post "an overlong feed action" 400 /me/feed "$J1" "csrf=$C1&action=makemakemake"
post "script as the feed action" 400 /me/feed "$J1" "csrf=$C1&action=$E1"
post "script as the feed action, JSON" 400 /me/feed "$J1" "csrf=$C1&action=$E2" -H 'Accept: application/json'
expect "the feed still at its address after all that" 200 GET "/me/feed/$TOK.atom"

# ---- over every answer ---------------------------------------------------------------------------
check "at least 60 hostile cases ran ($N)" [ "$N" -ge 60 ]
raw_hits=$(cd "$RESP" && grep -lF -e '<script>alert(' -e '<img src=x' -e '<svg onload' -e '<svg/onload' -e 'alert(2)>' \
	-e 'X-Injected' -e 'evil.example' -- *.h *.b 2>/dev/null | tr '\n' ' ')
check "no payload comes back raw in any of the $N answers (headers or body)${raw_hits:+: $raw_hits}" [ -z "$raw_hits" ]

# Security headers (part 5) on every answer above and on the pages and
# nginx's own answers below.
# One awk over every answer's headers: the files missing something.
sec_bad() {
	awk 'function done_file() {
		if (f != "" && !(csp == 1 && fa && !ui && ns == 1 && rp == 1)) print f
	}
	FNR == 1 { done_file(); f = FILENAME; csp = fa = ui = ns = rp = 0 }
	{ sub(/\r$/, ""); l = tolower($0) }
	l ~ /^content-security-policy:/ { csp++; if (l ~ /frame-ancestors .none./) fa = 1; if (l ~ /unsafe-inline/) ui = 1 }
	l ~ /^x-content-type-options: nosniff$/ { ns++ }
	l ~ /^referrer-policy: / { rp++ }
	END { done_file() }' "$@"
}
bad=$(sec_bad "$RESP"/*.h | sed 's|.*/||' | tr '\n' ' ')
check "CSP (frame-ancestors 'none', no unsafe-inline), nosniff and Referrer-Policy, once each, on all $N answers above${bad:+; missing on: $bad}" [ -z "$bad" ]
page_ok() { [[ "$STATUS" =~ ^($1)$ ]] && [ -z "$(sec_bad "$HEADERS")" ]; }
page() { # page DESC WANT METHOD PATH [curl args]
	local d=$1 want=$2; shift 2
	http "$@"; keep
	check "headers on $d ($STATUS)" page_ok "$want"
}
CASE=pages
page "the front page" 200 GET /
page "the profile" 200 GET "$P"
page "the profile, signed in" 200 GET "$P" -b "$J1"
page "the profile as JSON" 200 GET "$P.json"
page "the graph" 200 GET "$P/graph"
page "the graph as JSON" 200 GET "$P/graph.json"
page "the works" 200 GET "$P/works"
page "the Atom feed" 200 GET "$P/works.atom"
page "the BibTeX" 200 GET "$P/works.bib"
page "a HEAD of the profile" 200 HEAD "$P" -I
page "/healthz" 200 GET /healthz
page "a 404 page" 404 GET /researchers/nobody
page "a 301 from an OpenAlex id" 301 GET /researchers/A5000000001
page "the stylesheet (nginx)" 200 GET /static/bzpeer.css
page "a missing static file (nginx 404)" 404 GET /static/nope.css
page "/favicon.ico (nginx 204)" 204 GET /favicon.ico
page "/login without credentials (nginx 401)" 401 GET '/login?next=/'
page "/login (303 with cookies)" 303 GET '/login?next=/' -u demo:demo
page "TRACE (nginx 405)" 405 TRACE /
page "a 413 from nginx" 413 POST "$P/follow" "${FORM[@]}" --data-binary "@$T_DIR/nul.body" -H 'Content-Length: 1000000000000'

# Cookies: HttpOnly and SameSite=Lax on every Set-Cookie (Strict for the
# feed address's, which only /me reads after a post of this site); Secure
# only over HTTPS.
cookies=$(cat "$RESP"/*.h | grep -i '^set-cookie:' | tr -d '\r')
check "cookies were set in these answers" [ -n "$cookies" ]
check "every Set-Cookie has HttpOnly and SameSite=Lax (or Strict)" not_grep -viE 'HttpOnly; SameSite=(Lax|Strict)' <<<"$cookies"
check "no cookie is Secure over plain http" not_grep -qi 'secure' <<<"$cookies"
"$FCGI_CLIENT" "$RUNDIR/bzpeer-fcgi.sock" REQUEST_METHOD=GET 'REQUEST_URI=/login?next=/' \
	QUERY_STRING=next=/ REMOTE_USER=demo HTTPS=on REMOTE_ADDR=127.0.0.1 >"$T_DIR/https.out" 2>&1
check "over HTTPS (HTTPS=on) both cookies /login sets are Secure, HttpOnly, SameSite=Lax" \
	[ "$(grep -ci '^set-cookie: bz[sf]=.*; HttpOnly; SameSite=Lax; Secure' "$T_DIR/https.out")" = 2 ]
check "the store is exactly as it was after all of it" same_store

finish
