#!/bin/bash
# Too many posts from one session or address: 429 with Retry-After, and
# nothing changed by the refused posts.
. "$(dirname "$0")/lib.sh"
export BZPEER_CONF_EXTRA=$'post_rate = 5\npost_rate_addr = 1000'
stack_up
signin demo
P=/researchers/sanjeev-arora
codes=""
for i in $(seq 12); do
	http POST "$P/follow" -b "$JAR" -H 'Content-Type: application/x-www-form-urlencoded' \
		-H 'Accept: application/json' --data-binary "csrf=$CSRF&action=follow"
	codes="$codes $STATUS"
	[ "$STATUS" = 429 ] && { retry=$(header Retry-After); dump > "$T_DIR/d1"; }
done
check "12 posts with a limit of 5 a minute: some answer 429 ($codes)" grep -q 429 <<<"$codes"
check "the first posts were accepted" [ "${codes:1:3}" = 200 ]
check "429 carries Retry-After in seconds (${retry:-none})" bash -c "[[ '${retry:-}' =~ ^[0-9]+$ ]] && [ '${retry:-0}' -ge 1 ] && [ '${retry:-0}' -le 60 ]"
http POST "$P/follow" -b "$JAR" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$CSRF&action=unfollow"
check "a refused post changes nothing" eval '[ "$STATUS" != 429 ] || same_dump "$T_DIR/d1"'
export BZPEER_CONF_EXTRA=
finish
