#!/bin/bash
# follow-load.sh NAME LOOP USERS: runs inside the systemctl test's container.
# Signs in the users NAME<LOOP>x1 .. NAME<LOOP>xUSERS in turn (password: the
# name) and has each follow every researcher in /srv/out/slugs, with
# Accept: application/json, until /srv/out/NAME.stop exists. An acknowledged
# follow (200 and {"following":true...}) is written "user slug" to
# /srv/out/NAME.acked.LOOP; anything else "user slug status" to
# /srv/out/NAME.failed.LOOP.
name=$1 loop=$2 users=$3
out=/srv/out base=http://127.0.0.1:8080
mapfile -t slugs <"$out/slugs"
acked="$out/$name.acked.$loop" failed="$out/$name.failed.$loop"
: >"$acked"; : >"$failed"
jar=$(mktemp) body=$(mktemp)
for n in $(seq "$users"); do
	[ -e "$out/$name.stop" ] && break
	u="$name${loop}x$n"
	rm -f "$jar"
	code=$(curl -s -o /dev/null -c "$jar" -u "$u:$u" --max-time 20 -w '%{http_code}' "$base/login?next=/")
	if [ "$code" != 303 ]; then echo "$u - login:$code" >>"$failed"; continue; fi
	csrf=$(curl -s -b "$jar" --max-time 20 "$base/researchers/${slugs[0]}" |
		grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
	if [ -z "$csrf" ]; then echo "$u - csrf" >>"$failed"; continue; fi
	for s in "${slugs[@]}"; do
		code=$(curl -s -o "$body" -b "$jar" --max-time 20 -w '%{http_code}' \
			-H 'Accept: application/json' -H 'Content-Type: application/x-www-form-urlencoded' \
			--data-binary "csrf=$csrf&action=follow" "$base/researchers/$s/follow")
		if [ "$code" = 200 ] && grep -q '^{"following":true' "$body"; then
			echo "$u $s" >>"$acked"
		else
			echo "$u $s $code" >>"$failed"
		fi
	done
done
rm -f "$jar" "$body"
