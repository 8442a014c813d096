#!/bin/bash
# The two commands from a fresh clone in a 0700 directory, as a home is
# (root's always, every new user's on Debian 12): `git clone` of this
# checkout's committed HEAD, then `make start` there (its own build), a
# profile page and a static file through nginx, a sign-in and a follow,
# the modes of what the stack made, /healthz seen from elsewhere than
# loopback, `make stop`; then a small part of `make test` in the clone
# (`make unit` and one short end-to-end suite through tests/run.sh). As
# the user running this, and, when that is root, again as a throwaway
# unprivileged user whose home is 0700 (made with useradd, removed at the
# end). nginx started by root runs its workers as nobody unless told
# otherwise; nobody cannot reach a socket or a file inside a 0700 home.
. "$(dirname "$0")/lib.sh"

rm -rf "$T_DIR"; mkdir -p "$T_DIR"
if ! git -C "$ROOT" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	echo "# $ROOT is not a git checkout: nothing to clone"
	exit 0
fi
need_fcgi_client
P=/researchers/sanjeev-arora
TMPUSER=
CLONES=()   # "user dir" of each clone, for the clean-up

home_of() { getent passwd "$1" | cut -d: -f6; }

# as USER DIR CMD...: CMD in DIR as USER ("" for the user running this),
# in the environment of a fresh shell: nothing of this run's BUILD, ROOT,
# PORT, MAKEFLAGS or sanitizer options reaches the clone.
as() {
	local u=$1 d=$2; shift 2
	if [ -z "$u" ]; then
		(cd "$d" && env -i PATH="$PATH" HOME="$HOME" USER="$(id -un)" LANG=C.UTF-8 "$@")
	else
		(cd "$d" && runuser -u "$u" -- env -i PATH="$PATH" HOME="$(home_of "$u")" \
			USER="$u" LANG=C.UTF-8 "$@")
	fi
}

cleanup() {
	local c u d p
	for c in "${CLONES[@]}"; do
		u=${c%% *}; d=${c#* }
		[ "$u" = - ] && u=
		[ -d "$d/var/run" ] && as "$u" "$d" make -s stop >/dev/null 2>&1
	done
	if [ -n "$TMPUSER" ]; then
		# Whatever the throwaway user still runs was started here; userdel
		# refuses while any process of the user is left, a zombie included.
		for p in $(ps -u "$TMPUSER" -o pid= 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		wait_for 10 no_process_of "$TMPUSER"
		userdel -r "$TMPUSER" >"$T_DIR/userdel.log" 2>&1 ||
			not_ok "userdel -r $TMPUSER: $(cat "$T_DIR/userdel.log")"
		getent passwd "$TMPUSER" >/dev/null && not_ok "the throwaway user $TMPUSER is still there"
	fi
	for c in "${CLONES[@]}"; do rm -rf "${c#* }"; done
	san_check
	exit "$T_FAILED"
}
trap cleanup EXIT

mode_is() { [ "$(stat -c %a "$1" 2>/dev/null)" = "$2" ]; }
no_process_of() { ! ps -u "$1" -o pid= | grep -q .; }

# try_clone WHO USER HOME: the whole round in a clone under HOME (a fresh
# 0700 directory USER owns), as USER ("" for the user running this).
try_clone() {
	local who=$1 u=$2 home=$3 dir=$3/bzpeer log=$T_DIR/$1 port code pids p rc
	local runas=${2:-$(id -un)}

	check "$who: the clone goes into a 0700 directory ($home)" mode_is "$home" 700
	# For the throwaway user root clones (it can read this checkout
	# wherever it is), without hard links into this repository's objects,
	# and then gives the clone away.
	git clone -q ${u:+--no-hardlinks} "$ROOT" "$dir" 2>"$log.clone.log"
	check "$who: git clone of $(git -C "$ROOT" rev-parse --short HEAD)" \
		[ "$(git -C "$dir" rev-parse HEAD 2>/dev/null)" = "$(git -C "$ROOT" rev-parse HEAD)" ] ||
		{ cat "$log.clone.log"; return 1; }
	CLONES+=("${u:--} $dir")
	[ -z "$u" ] || chown -R "$u:" "$dir"

	# ---- make start: the site through nginx ----------------------------------------
	port=$(free_port)
	as "$u" "$dir" make -j2 start PORT="$port" >"$log.start.log" 2>&1; rc=$?
	if [ "$rc" != 0 ]; then
		not_ok "$who: make start in the clone (see $log.start.log)"
		tail -n 12 "$log.start.log" | sed 's/^/#   /'
		return 1
	fi
	ok "$who: make start in the clone"
	BASE="http://127.0.0.1:$port"
	code=$(curl -s -o "$log.profile" -w '%{http_code}' --max-time 10 "$BASE$P")
	check "$who: a profile page through nginx: $code" \
		bash -c "[ $code = 200 ] && grep -q 'Sanjeev Arora' '$log.profile'"
	code=$(curl -s -o "$log.css" -w '%{http_code}' --max-time 10 "$BASE/static/bzpeer.css")
	check "$who: a static file through nginx (views/static): $code" \
		bash -c "[ $code = 200 ] && cmp -s '$log.css' '$dir/views/static/bzpeer.css'"
	check "$who: signs in (demo/demo at /login)" signin demo
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -b "$JAR" \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "action=follow&csrf=$CSRF" "$BASE$P/follow")
	check "$who: follows a researcher: $code" [ "$code" = 303 ]

	p=$(cat "$dir/var/run/bzpeer-fcgi.pid" 2>/dev/null)
	check "$who: the server is the clone's own build" \
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$dir/build/bzpeer-fcgi" ]
	p=$(cat "$dir/var/run/nginx.pid" 2>/dev/null)
	local wuids; wuids=$(ps -o uid= --ppid "$p" 2>/dev/null | tr -d ' ' | sort -u | tr '\n' ' ')
	check "$who: nginx's workers run as $runas (uid ${wuids:-none})" [ "$wuids" = "$(id -u "$runas") " ]

	# ---- what the stack made is the user's alone -----------------------------------
	local f want
	for f in run/bzpeer-fcgi.sock:600 run/htpasswd:600 run/secret:600 store:700 \
		store/catalog:700 store/catalog/data.mdb:600 store/catalog/lock.mdb:600 \
		store/user:700 store/user/data.mdb:600 store/user/lock.mdb:600 store/user/write.queue:600 \
		run/redis.sock:700; do
		want=${f#*:}; f=$dir/var/${f%:*}
		check "$who: ${f#$dir/} is $want ($(stat -c '%a %U' "$f" 2>&1))" \
			bash -c "[ \"\$(stat -c '%a %U' '$f')\" = '$want $runas' ]"
	done

	# ---- /healthz: details for loopback only ---------------------------------------
	local sock=$dir/var/run/bzpeer-fcgi.sock a
	curl -s -o "$log.hz" --max-time 10 "$BASE/healthz"
	check "$who: /healthz through nginx (loopback) has the catalog's figures" \
		grep -q '^researchers: [1-9]' "$log.hz"
	for a in 127.0.0.1 ::1; do
		"$FCGI_CLIENT" "$sock" REQUEST_METHOD=GET REQUEST_URI=/healthz QUERY_STRING= \
			"REMOTE_ADDR=$a" >"$log.hz.out" 2>&1
		split_answer "$log.hz.out"
		check "$who: /healthz from $a: 200 with generation and counts" \
			eval '[ "$STATUS" = 200 ] && grep -q "^generation: " "$BODY" && grep -q "^works: [1-9]" "$BODY"'
	done
	for a in 192.0.2.7 2001:db8::7 ::ffff:192.0.2.7 127.0.0.1.example ""; do
		"$FCGI_CLIENT" "$sock" REQUEST_METHOD=GET REQUEST_URI=/healthz QUERY_STRING= \
			${a:+"REMOTE_ADDR=$a"} >"$log.hz.out" 2>&1
		split_answer "$log.hz.out"
		check "$who: /healthz from ${a:-no address}: 200 and \"ok\" alone, no figures" \
			eval '[ "$STATUS" = 200 ] && [ "$(cat "$BODY")" = ok ]'
	done

	# ---- make stop -------------------------------------------------------------------
	pids=$(cat "$dir"/var/run/{nginx,bzpeer-fcgi,redis}.pid 2>/dev/null | tr '\n' ' ')
	as "$u" "$dir" make -s stop >"$log.stop.log" 2>&1; rc=$?
	check "$who: make stop" [ "$rc" = 0 ]
	local alive=
	for p in $pids; do pid_alive "$p" && alive="$alive $p"; done
	check "$who: nginx, bzpeer-fcgi and Redis are gone (${pids:-no pids}) ${alive:+alive:$alive}" \
		bash -c "[ -n '$pids' ] && [ -z '$alive' ]"

	# ---- part of make test, in the clone ---------------------------------------------
	as "$u" "$dir" make -j2 unit >"$log.unit.log" 2>&1; rc=$?
	check "$who: make unit in the clone: $(tail -n1 "$log.unit.log")" \
		bash -c "[ $rc = 0 ] && tail -n1 '$log.unit.log' | grep -Eq '^[1-9][0-9]* passed, 0 failed$'"
	as "$u" "$dir" tests/run.sh e2e 10-profile >"$log.e2e.log" 2>&1; rc=$?
	check "$who: tests/run.sh e2e 10-profile in the clone: $(tail -n1 "$log.e2e.log")" \
		bash -c "[ $rc = 0 ] && tail -n1 '$log.e2e.log' | grep -Eq '^[1-9][0-9]* passed, 0 failed$'"
	grep -E '^ +not ok' "$log.unit.log" "$log.e2e.log" | head -n 10 | sed 's/^/#   /'
	return 0
}

HOME0="$T_DIR/home"
mkdir -m 0700 "$HOME0"
try_clone "$(id -un)" "" "$HOME0"

if [ "$(id -u)" = 0 ]; then
	TMPUSER="bzpeer-t$$"
	getent passwd "$TMPUSER" >/dev/null && TMPUSER="bzpeer-t$$-$RANDOM"
	if useradd --system --user-group --create-home --home-dir "/home/$TMPUSER" \
		--shell /bin/sh --comment "bzpeer 05-clone test" "$TMPUSER" >"$T_DIR/useradd.log" 2>&1; then
		chmod 0700 "/home/$TMPUSER"
		ok "a throwaway user $TMPUSER with a 0700 home"
		try_clone "$TMPUSER" "$TMPUSER" "/home/$TMPUSER"
	else
		TMPUSER=
		not_ok "useradd a throwaway user: $(cat "$T_DIR/useradd.log")"
	fi
fi
