#!/bin/bash
# The edge as an operator deploys it and an attacker meets it, through the
# real nginx: sign-in through an SSO with auth_request (the shipped
# nginx/bzpeer-login-sso.conf.in, with a stand-in SSO) while the client
# sends another user's Basic credentials; the recipe the docs used to give
# (Debian's fastcgi_params plus a REMOTE_USER of its own); addresses other
# than /login never carrying an identity (checked at the app); Host headers
# an attacker chooses; and the per-address limits at their installed
# values: password guessing, post bursts, connections held open.
. "$(dirname "$0")/lib.sh"

SSO_PORT=$(free_port)
OLD_PORT=$(free_port)
# The stand-in SSO: a user is whoever its own cookie (sso=NAME) names, as
# an SSO's session would; no cookie, 401. It answers in the header
# oauth2-proxy uses. A second server holds the old recipe.
mkdir -p "$BUILD/e2e"
cat >"$BUILD/e2e/72-sso.conf" <<CONF
server {
    listen 127.0.0.1:$SSO_PORT;
    location = /check {
        if (\$cookie_sso = "") { return 401; }
        add_header X-Auth-Request-User \$cookie_sso always;
        return 200;
    }
}
server {
    listen 127.0.0.1:$OLD_PORT;
    location = /login {
        auth_request /_old_sso;
        auth_request_set \$sso_user \$upstream_http_x_auth_request_user;
        include /etc/nginx/fastcgi_params;
        fastcgi_param REMOTE_USER \$sso_user;
        fastcgi_pass unix:$BUILD/e2e/72-edge/run/bzpeer-fcgi.sock;
    }
    location = /_old_sso {
        internal;
        proxy_pass http://127.0.0.1:$SSO_PORT/check;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
    }
}
CONF
export LOGIN=sso SSO_URL="http://127.0.0.1:$SSO_PORT/check" NGINX_EXTRA="$BUILD/e2e/72-sso.conf"
export MICROCACHE=1
stack_up
need_fcgi_client
LOG="$RUNDIR/bzpeer-fcgi.log"
P=/researchers/sanjeev-arora

# session_user JAR: the user the app's session cookie in JAR names.
session_user() {
	local v; v=$(jar_session "$1" | cut -d. -f1 | tr -- '-_' '+/')
	while [ $((${#v} % 4)) != 0 ]; do v="$v="; done
	[ -n "$v" ] && printf '%s' "$v" | base64 -d 2>/dev/null
}
# signed_in_as JAR: the name the profile page's session bar shows.
signed_in_as() { curl -s -b "$1" "$BASE$P" | grep -o 'Signed in as <strong>[^<]*' | sed 's/.*<strong>//'; }

# ---- sign-in through the SSO, with another user's Basic credentials --------------------------
J="$T_DIR/jar.alice"
http GET '/login?next=/' -c "$J" -b 'sso=alice' -u 'admin:x'
check "SSO user alice who also sends -u admin:x: signed in (303)" [ "$STATUS" = 303 ]
check "... the session is alice's, not admin's ($(session_user "$J"))" [ "$(session_user "$J")" = alice ]
check "... and the site greets alice" [ "$(signed_in_as "$J")" = alice ]
J2="$T_DIR/jar.bob"
http GET '/login?next=/' -c "$J2" -b 'sso=bob'
check "an honest SSO sign-in (no Basic header): 303, bob's session" \
	eval '[ "$STATUS" = 303 ] && [ "$(session_user "$J2")" = bob ]'
http GET '/login?next=/' -c "$T_DIR/jar.none" -u 'admin:x'
check "no SSO session, only Basic credentials: the SSO's 401, no cookie" \
	eval '[ "$STATUS" = 401 ] && ! grep -q bzs "$T_DIR/jar.none"'

# ---- the recipe the docs used to give: REMOTE_USER twice, refused --------------------------
STATUS=$(curl -s -o "$T_DIR/old.body" -c "$T_DIR/jar.old" -w '%{http_code}' -b 'sso=alice' \
	-u 'admin:x' "http://127.0.0.1:$OLD_PORT/login?next=/")
check "Debian's fastcgi_params plus the site's own REMOTE_USER: 400, no session for anyone" \
	eval '[ "$STATUS" = 400 ] && ! grep -q bzs "$T_DIR/jar.old"'
check "... and the log says REMOTE_USER came twice" grep -q 'sent REMOTE_USER twice' "$LOG"

# ---- no identity outside /login, checked at the app ------------------------------------------
mark=$(log_mark)
for u in "$P" / "$P.json" "$P/graph" /healthz "/researchers?q=ar"; do
	curl -s -o /dev/null -u 'admin:x' "$BASE$u"
done
http POST "$P/follow" -u 'admin:x' -H 'Content-Type: application/x-www-form-urlencoded' --data 'action=follow'
check "a Basic header on every other address: the follow needs a sign-in (303 to /login)" \
	eval '[ "$STATUS" = 303 ] && case "$(header Location)" in /login*) true ;; *) false ;; esac'
check "... and no request reached the app with a REMOTE_USER" \
	eval '! log_has "$mark" "passed REMOTE_USER"'
"$FCGI_CLIENT" "$RUNDIR/bzpeer-fcgi.sock" REQUEST_METHOD=GET "REQUEST_URI=$P" QUERY_STRING= \
	REMOTE_USER=admin REMOTE_ADDR=127.0.0.1 </dev/null >"$T_DIR/ru.out" 2>&1
check "the control: a REMOTE_USER sent to a profile is ignored (signed out) and logged" \
	bash -c "grep -q '^Status: 200' '$T_DIR/ru.out' && ! grep -q 'Signed in as' '$T_DIR/ru.out' && grep -q 'passed REMOTE_USER' '$LOG'"

# ---- Host headers an attacker chooses --------------------------------------------------------
evil=0 served=0
for i in $(seq 20); do
	# The attacker's fetch, then the victim's, through the 1 s micro-cache.
	code=$(curl -s -o "$T_DIR/atom.evil" -w '%{http_code}' -H 'Host: evil.example' "$BASE$P/works.atom")
	[ "$code" = 000 ] || served=$((served + 1))
	curl -s -o "$T_DIR/atom.$i" "$BASE$P/works.atom"
	grep -q 'evil' "$T_DIR/atom.$i" && evil=$((evil + 1))
done
check "20 fetches with Host: evil.example: none answered (the default server closes them)" [ "$served" = 0 ]
check "... and none of the 20 victims' feeds links anywhere but base_url ($evil did)" [ "$evil" = 0 ]
check "... whose links are http://127.0.0.1:$PORT/" \
	bash -c "grep -q 'href=\"http://127.0.0.1:$PORT/researchers/sanjeev-arora\"' '$T_DIR/atom.1' && ! grep -o 'href=\"[^\"]*\"' '$T_DIR/atom.1' | grep -qv '\"http://127.0.0.1:$PORT/\\|\"https://'"
"$FCGI_CLIENT" --get "$P/works.atom" "$RUNDIR/bzpeer-fcgi.sock" HTTP_HOST=evil.example \
	SERVER_NAME=evil.example REQUEST_SCHEME=https >"$T_DIR/atom.raw" 2>&1
check "the app itself takes no host from the request (HTTP_HOST=evil.example straight to it)" \
	bash -c "grep -q '^Status: 200' '$T_DIR/atom.raw' && ! grep -q evil '$T_DIR/atom.raw'"

# ---- the installed limits ---------------------------------------------------------------------
"$ROOT/tests/stack.sh" stop >>"$T_DIR/stack.log" 2>&1
export LOGIN=basic LOGIN_RATE=10r/m POST_RATE=10r/s NGINX_EXTRA= MICROCACHE=0
"$ROOT/tests/stack.sh" start >>"$T_DIR/stack.log" 2>&1 || { not_ok "stack restarts with the installed limits"; finish; }
codes=""
for i in $(seq 25); do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -u "demo:guess$i" "$BASE/login?next=/")"
done
n401=$(echo "$codes" | tr ' ' '\n' | grep -c '^401$')
n429=$(echo "$codes" | tr ' ' '\n' | grep -c '^429$')
check "25 password guesses from one address: 11 tried (the rate and a burst of 10), then 429 ($n401 and $n429)" \
	eval '[ "$n401" -le 11 ] && [ "$n429" -ge 14 ] && [ $((n401 + n429)) = 25 ]'
check "... even the right password waits (429)" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' -u demo:demo "$BASE/login?next=/")" = 429 ]
check "... while another address signs in (303)" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 -u demo:demo "$BASE/login?next=/")" = 303 ]

J="$T_DIR/jar.post"
curl -s -o /dev/null -c "$J" --interface 127.0.0.3 -u demo:demo "$BASE/login?next=/"
C=$(curl -s -b "$J" --interface 127.0.0.3 "$BASE$P" | csrf_in)
for i in $(seq 40); do
	curl -s -o /dev/null -w '%{http_code}\n' -b "$J" --interface 127.0.0.3 \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data "csrf=$C&action=follow" "$BASE$P/follow" &
done >"$T_DIR/burst" 2>/dev/null
wait
check "40 posts at once from one address: some 429 at the edge, the rest answered ($(sort "$T_DIR/burst" | uniq -c | tr -s ' \n' ' '))" \
	bash -c "grep -q '^429$' '$T_DIR/burst' && grep -q '^303$' '$T_DIR/burst' && ! grep -qvE '^(303|429)$' '$T_DIR/burst'"
check "... and GETs from that address still answer" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.3 "$BASE$P")" = 200 ]
dump >"$T_DIR/dump.before"

# Slow clients: 300 connections that never finish their headers hold a
# connection each and nothing else, until nginx's header timeout drops
# them (checked at the end of this script, so that the wait for it
# overlaps the next tests).
slow=()
slow_at=$SECONDS
for i in $(seq 300); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || break
	printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' >&$fd
	slow+=("$fd")
done
check "300 connections opened, each with half its headers (${#slow[@]})" [ "${#slow[@]}" = 300 ]
latency_ok 20 "$P"
check "... 20 GETs meanwhile: all 200 within 1 s, the slowest $SLOWEST s" [ $? = 0 ]

# Requests in progress from one address: limit_conn (64). Posts whose
# bodies never finish keep their requests in progress; they are opened at
# 12 a second, under the post rate's burst, so that what refuses the ones
# past 64 is the connection limit.
amark=$(log_mark "$RUNDIR/nginx-access.log")
held=()
for i in $(seq 80); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || break
	printf 'POST %s/follow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ncsrf=' "$P" >&$fd
	held+=("$fd")
	sleep 0.08   # the rate of the test: 12 a second stays within the post burst
done
refused=0
for fd in "${held[@]}"; do
	# Only a refused one has an answer to read; the others wait for their bodies.
	read -t 0 -u "$fd" 2>/dev/null || continue
	if timeout 0.1 head -n1 <&"$fd" 2>/dev/null | grep -q ' 429 '; then refused=$((refused + 1)); fi
done
check "80 unfinished posts from one address: those past 64 refused at once with 429 ($refused)" \
	eval '[ "$refused" -ge 12 ] && [ "$refused" -le 16 ]'
check "... by the connection limit (nginx's log), not the post rate" \
	bash -c "grep -q 'limiting connections by zone \"bzpeer_addr\", client: 127.0.0.1,' '$RUNDIR/nginx-error.log' && ! grep -q 'zone \"bzpeer_post\", client: 127.0.0.1,' '$RUNDIR/nginx-error.log'"
check "... while another address is served" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$BASE$P")" = 200 ]
for fd in "${held[@]}"; do exec {fd}<&-; done
# nginx logs each post once it is done with it: the refused at once, the
# half-sent ones now that their clients are gone.
posts_done() { [ "$(log_since "$amark" "$RUNDIR/nginx-access.log" | grep -cF "\"POST $P/follow HTTP/1.1\"")" -ge "${#held[@]}" ]; }
wait_for 5 posts_done
check "nothing the refused and half-sent posts carried reached the store" same_dump "$T_DIR/dump.before"

# The slow clients of above: nginx closes them when the header timeout in
# force ends. That is the default server's (the site's catch-all, first on
# the port): the connection is its until the request's headers are read,
# so it sets the site's 10 s too (else nginx's default of 60 s applies).
# A read ends at once on a closed connection (its end, or a reset);
# timeout's 124 means still open. Nothing to read at all: open.
is_closed() {
	read -t 0 -u "$1" 2>/dev/null || return 1
	timeout 0.2 cat <&"$1" >/dev/null 2>&1; [ $? != 124 ]
}
wait_for 15 is_closed "${slow[0]}"
echo "# the first slow client was closed $((SECONDS - slow_at)) s after it connected"
closed=0
for fd in "${slow[@]}"; do
	is_closed "$fd" && closed=$((closed + 1))
	exec {fd}<&-
done
check "... after nginx's header timeout it had closed them all ($closed of 300)" [ "$closed" = 300 ]

finish
