#!/bin/bash
# nginx as the production site serves it: compressed text (gzip, brotli when
# nginx has the module), fingerprinted static files kept a year, the plain
# names an hour, IPv6, and unknown hosts refused on every address.
. "$(dirname "$0")/lib.sh"
export MICROCACHE=0
stack_up
P=/researchers/sanjeev-arora

# ---- compression, by content type -----------------------------------------------------
# zipped PATH TYPE: with Accept-Encoding: gzip the answer is gzip of TYPE,
# varies by encoding, and inflates to what an uncompressed request gets.
zipped() {
	local p=$1 type=$2 plain="$T_DIR/plain.$$" raw
	http GET "$p"
	cp "$BODY" "$plain"
	check "$p uncompressed without Accept-Encoding" bash -c "! grep -qi '^Content-Encoding:' '$HEADERS'"
	http GET "$p" -H 'Accept-Encoding: gzip'
	raw=$(stat -c %s "$plain")
	check "$p: gzip ($(stat -c %s "$BODY") of $raw bytes), $type" bash -c "
		grep -qi '^Content-Encoding: gzip' '$HEADERS' &&
		grep -qi '^Content-Type: $type' '$HEADERS' &&
		grep -qi '^Vary: .*Accept-Encoding' '$HEADERS' &&
		gzip -dc <'$BODY' | cmp -s - '$plain' &&
		[ \$(stat -c %s '$BODY') -lt \$(( $raw / 2 )) ]"
	rm -f "$plain"
}
zipped "$P" 'text/html'
zipped "$P.json" 'application/json'
zipped "$P/works.atom" 'application/atom+xml'
zipped "$P/works.bib" 'application/x-bibtex'
zipped "$P/works.ris" 'application/x-research-info-systems'
zipped "$P/works.csl.json" 'application/vnd.citationstyles.csl+json'
zipped /static/bzpeer.css 'text/css'

http GET "$P" -H 'Accept-Encoding: gzip'
gz=$(stat -c %s "$BODY")
# make bench's "bytes on the wire" (wire_bytes, tests/util.sh): the headers
# and the compressed body as they came.
w=$(wire_bytes "$BASE$P")
check "wire_bytes of the profile: its headers and gzip body ($w = $(stat -c %s "$HEADERS") + $gz)" \
	[ "$w" = $(( $(stat -c %s "$HEADERS") + gz )) ]
w2=$(curl -sS -o /dev/null -w '%{size_header} %{size_download}' "$BASE$P" | awk '{ print $1 + $2 }')
check "... a quarter to a half of the uncompressed answer ($w of $w2)" \
	[ $(( w * 4 > w2 )):$(( w * 2 < w2 )) = 1:1 ]
if [ -s "$RUNDIR/nginx-modules.conf" ]; then
	http GET "$P" -H 'Accept-Encoding: br, gzip'
	check "brotli when asked for: smaller than gzip ($(stat -c %s "$BODY") < $gz bytes)" bash -c "
		grep -qi '^Content-Encoding: br' '$HEADERS' && [ \$(stat -c %s '$BODY') -lt $gz ]"
	http GET /static/bzpeer.css -H 'Accept-Encoding: br'
	check "brotli for the stylesheet" grep -qi '^Content-Encoding: br' "$HEADERS"
else
	ok "# brotli: nginx's module is not installed here (libnginx-mod-http-brotli-filter)"
fi

# ---- the security headers: the pages' location sends its own copies ---------------------
# nginx drops the app's three security headers on the pages' location and
# sends constants of its own: they must say what the app says.
need_fcgi_client
"$FCGI_CLIENT" "$RUNDIR/bzpeer-fcgi.sock" REQUEST_METHOD=GET REQUEST_URI="$P" QUERY_STRING= \
	REMOTE_ADDR=127.0.0.1 >"$T_DIR/app.out" 2>&1
split_answer "$T_DIR/app.out"
cp "$HEADERS" "$T_DIR/app.headers"
http GET "$P"
for h in Content-Security-Policy X-Content-Type-Options Referrer-Policy; do
	app=$(grep -i "^$h:" "$T_DIR/app.headers" | cut -d: -f2- | sed 's/^ //')
	check "$h through nginx, once, as the app writes it ($app)" bash -c "
		[ -n '$app' ] && [ \$(grep -ci '^$h:' '$HEADERS') = 1 ] &&
		[ \"\$(grep -i '^$h:' '$HEADERS' | cut -d: -f2- | sed 's/^ //; s/\r\$//')\" = \"$app\" ]"
done

# ---- static files: by content hash a year, by plain name an hour -----------------------
http GET "$P"
css=$(grep -o 'href="/static/bzpeer\.[0-9a-f]\{16\}\.css"' "$BODY" | head -n1 | sed 's/^href="//; s/"$//')
js=$(grep -o 'src="/static/bzpeer\.[0-9a-f]\{16\}\.js"' "$BODY" | head -n1 | sed 's/^src="//; s/"$//')
check "the page links the stylesheet and the script by their hash ($css, $js)" [ -n "$css" -a -n "$js" ]
http GET "$css"
check "$css: the stylesheet, kept a year, immutable" bash -c "
	[ '$STATUS' = 200 ] && cmp -s '$BODY' '$ROOT/views/static/bzpeer.css' &&
	grep -qi '^Cache-Control: public, max-age=31536000, immutable' '$HEADERS' &&
	grep -qi '^Content-Type: text/css' '$HEADERS' &&
	grep -qi '^X-Content-Type-Options: nosniff' '$HEADERS'"
http GET "$js"
check "$js: the script, kept a year" bash -c "
	[ '$STATUS' = 200 ] && cmp -s '$BODY' '$ROOT/views/static/bzpeer.js' &&
	grep -qi '^Cache-Control: public, max-age=31536000, immutable' '$HEADERS'"
http GET /static/bzpeer.css
check "/static/bzpeer.css by its plain name: an hour, not immutable" bash -c "
	[ '$STATUS' = 200 ] && grep -qi '^Cache-Control: max-age=3600' '$HEADERS' &&
	! grep -qi 'immutable' '$HEADERS'"
http GET /static/nothing.0123456789abcdef.css
check "a hashed name of no file: 404" [ "$STATUS" = 404 ]
http GET "/static/..%2fbzpeer.0123456789abcdef.css"
check "no way out of the static directory through the hashed form" bash -c "[ '$STATUS' = 400 ] || [ '$STATUS' = 404 ]"
# The hash follows the file: the one the page links is the file's.
want=$(python3 -c '
import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("/static/bzpeer.%016x.css" % h)' "$ROOT/views/static/bzpeer.css")
check "the stylesheet's address is its content's FNV-1a hash ($want)" [ "$css" = "$want" ]

# ---- IPv6 and unknown hosts ----------------------------------------------------------------
if grep -q "listen \[::1\]:$PORT;" "$RUNDIR/bzpeer-site.conf"; then
	code=$(curl -g -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Host: localhost' "http://[::1]:$PORT$P")
	check "over IPv6 ([::1]:$PORT), the site answers ($code)" [ "$code" = 200 ]
	code=$(curl -g -s -o /dev/null -w '%{http_code}' --max-time 10 "http://[::1]:$PORT/metrics" -H 'Host: localhost')
	check "/metrics from ::1 through nginx ($code)" [ "$code" = 200 ]
	code=$(curl -g -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Host: evil.example' "http://[::1]:$PORT$P")
	check "over IPv6, an unknown host gets no answer ($code)" [ "$code" = 000 ]
else
	ok "# IPv6: no loopback address here; the site listens on a unix socket instead"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Host: evil.example' "$BASE$P")
check "an unknown host gets no answer ($code)" [ "$code" = 000 ]
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Host: localhost' "$BASE$P")
check "a named host is served ($code)" [ "$code" = 200 ]

# ---- the access log's fields --------------------------------------------------------------
amark=$(log_mark "$RUNDIR/nginx-access.log")
curl -s -o /dev/null --max-time 10 -H 'Accept-Encoding: gzip' "$BASE$P?logged=1"
wait_for 5 log_has "$amark" "GET $P?logged=1 " "$RUNDIR/nginx-access.log"
line=$(log_since "$amark" "$RUNDIR/nginx-access.log" | grep -F "GET $P?logged=1 " | tail -n1)
check "access log: combined fields, then rt= urt= cache= bytes= gzip= ($line)" bash -c "
	awk '{ exit !(\$9 == 200) }' <<<'$line' &&
	grep -qE ' rt=[0-9.]+ urt=[0-9.]+ cache=[A-Z-]+ bytes=[0-9]+ gzip=[0-9.]+\$' <<<'$line'"
finish
