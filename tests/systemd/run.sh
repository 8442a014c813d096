#!/bin/bash
# run.sh: the real systemctl test (`make test-systemd`, run by
# .ci/run). Boots systemd in a container (systemd-nspawn on the minimal
# Debian of mkroot.sh, cached under $BUILD/systemd-root, its own loopback
# network only, every write in a tmpfs overlay), installs what
# `make install DESTDIR=` lays out, imports the sample catalog, enables
# bzpeer-fcgi.socket and serves through nginx and Redis as in production.
# Then, each under a bounded load of GETs and follow POSTs through nginx:
#   - systemctl reload;
#   - systemctl restart five times: no request fails;
#   - kill -9 of a worker, then of the master: the service comes back
#     (Restart=), no GET fails;
# and every acknowledged follow is in the store at the end. Prints
# "ok - ..." / "not ok - ..." and ends with "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
ROOTFS=${SYSTEMD_ROOT:-$BUILD/systemd-root}
T="$BUILD/systemd-test"
OUT="$T/out"
BASE=http://127.0.0.1:8080          # inside the container's own network
PROFILE=/researchers/sanjeev-arora
GET_LOOPS=4 FOLLOW_LOOPS=2 USERS=150
passed=0 failed=0 NSPAWN= LEADER=

ok()     { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
check()  { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
summary() { echo "$passed passed, $failed failed"; }
bail()   { not_ok "$*"; echo "Bail out! $*"; exit 1; }
say()    { echo "# $*"; }

# c CMD...: runs CMD inside the container (all its namespaces).
c() { nsenter -t "$LEADER" -a "$@"; }
. "$ROOT/tests/util.sh"   # wait_for
main_pid() { c systemctl show -p MainPID --value bzpeer-fcgi.service; }
# kill9 PID: kill -9 of one process in the container, never of a process
# group (0, -1: that would reach this script) or of its init.
kill9() {
	case "$1" in ''|*[!0-9]*) not_ok "kill -9: no pid (\"$1\")"; return 1 ;; esac
	[ "$1" -gt 1 ] || { not_ok "kill -9: refusing pid $1"; return 1; }
	c kill -9 "$1"
}
workers_of() { c cat "/proc/$1/task/$1/children" 2>/dev/null | tr ' ' '\n' | grep . | sort -n; }
active() { [ "$(c systemctl is-active bzpeer-fcgi.service)" = active ]; }

# Stops the container (poweroff, then signals to nspawn) and prints the
# summary. Runs at exit whatever happened.
cleanup() {
	local rc=$?
	if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
		[ -n "$LEADER" ] && timeout 20 nsenter -t "$LEADER" -a systemctl poweroff >/dev/null 2>&1
		for _ in $(seq 300); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$NSPAWN" 2>/dev/null; then
			say "the container did not power off; stopping systemd-nspawn ($NSPAWN)"
			kill -TERM "$NSPAWN" 2>/dev/null; sleep 3; kill -KILL "$NSPAWN" 2>/dev/null
		fi
	fi
	wait 2>/dev/null
	summary
	# An EXIT trap's last status is not the script's: say it.
	if [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]; then exit 0; fi
	exit 1
}
trap cleanup EXIT

started=$SECONDS
for t in debootstrap systemd-nspawn nsenter; do
	command -v "$t" >/dev/null || bail "$t is missing (tests/deps.sh debootstrap systemd-container)"
done
[ "$(id -u)" = 0 ] || bail "the systemctl test needs root (debootstrap, systemd-nspawn)"

# ---- the root, the installed files --------------------------------------------
"$ROOT/tests/systemd/mkroot.sh" "$ROOTFS" || bail "the container root could not be made"
say "container root ready after $((SECONDS - started)) s"
rm -rf "$T"; mkdir -p "$OUT"
# The same files as a production install; nginx on the container's own
# loopback, no micro-cache (it would hide restarts from the load).
make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$T/dest" PREFIX=/usr/local \
	NGINX_LISTEN=127.0.0.1:8080 NGINX_SERVER_NAME="127.0.0.1 localhost" \
	NGINX_MICROCACHE=off NGINX_LOGIN_RATE=6000r/m NGINX_POST_RATE=1000r/s \
	>"$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; bail "make install DESTDIR=$T/dest"; }
ok "make install DESTDIR=... PREFIX=/usr/local"
NWORKERS=$(sed -n 's/^workers = \([0-9]*\)$/\1/p' "$T/dest/etc/bzpeer/bzpeer.conf")
check "the installed config names its workers ($NWORKERS)" [ -n "$NWORKERS" ]
# The test's own additions: no rate limit on its many posts, its users.
printf '\n# added by tests/systemd/run.sh\npost_rate = 100000\npost_rate_addr = 1000000\n' \
	>>"$T/dest/etc/bzpeer/bzpeer.conf"
for phase in restart killw killm; do
	for l in $(seq "$FOLLOW_LOOPS"); do
		for n in $(seq "$USERS"); do echo "$phase${l}x$n:{PLAIN}$phase${l}x$n"; done
	done
done >"$T/dest/etc/bzpeer/htpasswd"
# As docs/INSTALL.md has it: nginx's workers read it, nobody else (gid 33 is
# www-data on every Debian, the container's included).
chown 0:33 "$T/dest/etc/bzpeer/htpasswd" && chmod 0640 "$T/dest/etc/bzpeer/htpasswd"

# ---- boot ---------------------------------------------------------------------------
systemd-nspawn -D "$ROOTFS" --volatile=overlay --private-network \
	--register=no --keep-unit --console=passive -b \
	--bind-ro="$T/dest/usr/local:/usr/local" \
	--bind-ro="$T/dest/etc/bzpeer:/etc/bzpeer" \
	--bind-ro="$T/dest/etc/nginx/sites-available/bzpeer:/etc/nginx/sites-available/bzpeer" \
	--bind-ro="$T/dest/etc/nginx/snippets/bzpeer-fastcgi.conf:/etc/nginx/snippets/bzpeer-fastcgi.conf" \
	--bind-ro="$T/dest/etc/nginx/snippets/bzpeer-login-basic.conf:/etc/nginx/snippets/bzpeer-login-basic.conf" \
	--bind-ro="$ROOT/store/sample:/srv/sample" \
	--bind-ro="$ROOT/tests/systemd:/srv/tests" \
	--bind="$OUT:/srv/out" \
	>"$T/nspawn.log" 2>&1 </dev/null &
NSPAWN=$!
for _ in $(seq 200); do
	for p in $(cat "/proc/$NSPAWN/task/$NSPAWN/children" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] && LEADER=$p
	done
	[ -n "$LEADER" ] && break
	kill -0 "$NSPAWN" 2>/dev/null || break
	sleep 0.1
done
[ -n "$LEADER" ] || { tail -n 20 "$T/nspawn.log"; bail "systemd-nspawn did not boot (see $T/nspawn.log)"; }
# Until systemd has its bus, systemctl answers nothing; then it waits for
# the boot to end.
state=
for _ in $(seq 100); do
	state=$(timeout 60 nsenter -t "$LEADER" -a systemctl is-system-running --wait 2>/dev/null)
	[ -n "$state" ] && break
	sleep 0.1
done
check "the container boots ($state)" bash -c "[ '$state' = running ] || [ '$state' = degraded ]"
[ "$state" = degraded ] && c systemctl --failed --no-pager --plain | sed 's/^/# /'
say "booted after $((SECONDS - started)) s"

# ---- set up as docs/INSTALL.md says -------------------------------------------------
# What `make install` does itself when DESTDIR is empty:
c systemd-sysusers >/dev/null 2>&1
c systemd-tmpfiles --create /usr/local/lib/tmpfiles.d/bzpeer.conf
check "the bzpeer user exists" bash -c "nsenter -t $LEADER -a id -u bzpeer >/dev/null"
# Redis on its unix socket, bzpeer in its group.
c sed -i -e 's|^# *unixsocket .*|unixsocket /run/redis/redis-server.sock|' \
	-e 's|^# *unixsocketperm .*|unixsocketperm 770|' /etc/redis/redis.conf
c usermod -a -G redis bzpeer
c systemctl restart redis-server
check "Redis listens on /run/redis/redis-server.sock" wait_for 10 c test -S /run/redis/redis-server.sock
# The catalog, imported by the user that owns it.
c runuser -u bzpeer -- mkdir -p -m 0700 /var/lib/bzpeer/store
c runuser -u bzpeer -- /usr/local/bin/bzpeer-import --store /var/lib/bzpeer/store \
	--authors /srv/sample/authors.jsonl --works /srv/sample/works.jsonl >"$T/import.log" 2>&1
check "the sample catalog imported as bzpeer" [ $? = 0 ]
modes() { c stat -c '%a %U:%G' "$@" | tr '\n' ' ' | sed 's/ $//'; }
m=$(modes /var/lib/bzpeer/store /var/lib/bzpeer/store/data.mdb /var/lib/bzpeer/store/lock.mdb)
check "the store is bzpeer's alone: 0700, data.mdb and lock.mdb 0600 ($m)" \
	[ "$m" = "700 bzpeer:bzpeer 600 bzpeer:bzpeer 600 bzpeer:bzpeer" ]
c ln -sf ../sites-available/bzpeer /etc/nginx/sites-enabled/bzpeer
c nginx -t -q >"$T/nginx-t.log" 2>&1
check "nginx -t accepts the installed site" [ $? = 0 ] || cat "$T/nginx-t.log"
c systemctl restart nginx
c systemctl enable --now bzpeer-fcgi.socket >/dev/null 2>&1
check "bzpeer-fcgi.socket is enabled and listening" \
	bash -c "[ \"\$(nsenter -t $LEADER -a systemctl is-active bzpeer-fcgi.socket)\" = active ] && nsenter -t $LEADER -a test -S /run/bzpeer/fcgi.sock"
check "the service is not running before the first request" bash -c "! nsenter -t $LEADER -a systemctl is-active -q bzpeer-fcgi.service"
m=$(modes /run/bzpeer/fcgi.sock)
check "the socket is root:www-data 0660: nginx connects, no other user ($m)" [ "$m" = "660 root:www-data" ]

# ---- the first request starts the service -----------------------------------------------
code=$(c curl -s -o /srv/out/first.html -w '%{http_code}' --max-time 20 "$BASE$PROFILE")
check "the first request, through nginx, answers 200 (socket activation)" [ "$code" = 200 ]
check "the page is the profile" grep -q 'Sanjeev Arora' "$OUT/first.html"
check "bzpeer-fcgi.service is active" active
MAIN=$(main_pid)
check "it runs as bzpeer" [ "$(c ps -o user= -p "$MAIN" | tr -d ' ')" = bzpeer ]
m=$(modes /var/lib/bzpeer/secret)
check "the session secret it made is 0600 ($m)" [ "$m" = "600 bzpeer:bzpeer" ]
check "$NWORKERS workers (the installed config)" [ "$(workers_of "$MAIN" | wc -l)" = "$NWORKERS" ]
check "the journal has the master's READY line" \
	bash -c "nsenter -t $LEADER -a journalctl -u bzpeer-fcgi --no-pager -o cat | grep -q 'serving: $NWORKERS workers accept'"
c curl -s --max-time 10 -o /srv/out/healthz "$BASE/healthz"
check "/healthz: Redis is up through the sandbox (unix socket)" grep -q '^redis: up' "$OUT/healthz"
c curl -s --max-time 10 "$BASE/" | grep -o 'href="/researchers/[a-z0-9-]*"' |
	sed 's|href="/researchers/||; s|"$||' | awk '!seen[$0]++' | head -n 8 >"$OUT/slugs"
check "researchers to follow: $(wc -l <"$OUT/slugs")" [ "$(wc -l <"$OUT/slugs")" -ge 4 ]

# ---- load phases ---------------------------------------------------------------------------
BG=()
# load_start NAME: GET loops on the profile and follow loops, in the container.
load_start() {
	BG=()
	c bash /srv/tests/load.sh "$1" "$BASE$PROFILE" "$GET_LOOPS" 120 &
	BG+=($!)
	if [ "${2:-}" = follows ]; then
		for l in $(seq "$FOLLOW_LOOPS"); do
			c bash /srv/tests/follow-load.sh "$1" "$l" "$USERS" &
			BG+=($!)
		done
	fi
	sleep 1
}
# load_stop NAME: stops the loops; GETS: file of every GET status.
load_stop() {
	sleep 1
	touch "$OUT/$1.stop"
	wait "${BG[@]}"
	GETS="$OUT/$1.gets"
	cat "$OUT/$1".get.* >"$GETS"
	cat "$OUT/$1".acked.* >"$OUT/$1.acked" 2>/dev/null
	cat "$OUT/$1".failed.* >"$OUT/$1.failed" 2>/dev/null
	touch "$OUT/$1.acked" "$OUT/$1.failed"
}
n_lines() { wc -l <"$1" | tr -d ' '; }
n_not() { grep -vcx "$2" "$1"; }   # lines of file $1 other than $2

# systemctl reload: a new generation of workers, no request dropped.
load_start reload
c systemctl reload bzpeer-fcgi
check "systemctl reload: the new generation takes over" wait_for 10 \
	bash -c "nsenter -t $LEADER -a journalctl -u bzpeer-fcgi --no-pager -o cat | grep -q 'reloaded: generation 2 serves'"
load_stop reload
check "systemctl reload under load: $(n_lines "$GETS") GETs, $(n_not "$GETS" 200) failed" \
	bash -c "[ $(n_lines "$GETS") -ge 20 ] && [ $(n_not "$GETS" 200) = 0 ]"

# systemctl restart x5.
load_start restart follows
pids=$(main_pid)
for i in 1 2 3 4 5; do
	if ! c systemctl restart bzpeer-fcgi; then not_ok "systemctl restart #$i"; fi
	pids="$pids $(main_pid)"
	sleep 1
done
load_stop restart
check "five restarts, five new masters ($pids)" \
	bash -c "[ \$(echo $pids | tr ' ' '\n' | grep -v '^0$' | sort -u | wc -l) = 6 ]"
check "restarts under load: $(n_lines "$GETS") GETs, none failed ($(n_not "$GETS" 200) not 200)" \
	bash -c "[ $(n_lines "$GETS") -ge 50 ] && [ $(n_not "$GETS" 200) = 0 ]"
check "restarts under load: $(n_lines "$OUT/restart.acked") follows acknowledged, none failed ($(n_lines "$OUT/restart.failed"))" \
	bash -c "[ $(n_lines "$OUT/restart.acked") -ge 20 ] && [ ! -s '$OUT/restart.failed' ]"
[ -s "$OUT/restart.failed" ] && head -n 5 "$OUT/restart.failed" | sed 's/^/#   /'

# kill -9 of a worker.
load_start killw follows
MAIN=$(main_pid)
victim=$(workers_of "$MAIN" | head -n1)
kill9 "$victim"
check "kill -9 of worker $victim: $NWORKERS workers again, same master" wait_for 10 \
	bash -c "w=\$(nsenter -t $LEADER -a cat /proc/$MAIN/task/$MAIN/children); [ \$(echo \$w | wc -w) = $NWORKERS ] && ! echo \" \$w \" | grep -q ' $victim '"
load_stop killw
check "the journal says which worker died and why" \
	bash -c "nsenter -t $LEADER -a journalctl -u bzpeer-fcgi --no-pager -o cat | grep -q 'worker $victim was killed by signal 9'"
check "journald has the levels: the death is a warning, start-up lines are not" \
	bash -c "j=\$(nsenter -t $LEADER -a journalctl -u bzpeer-fcgi -p warning --no-pager -o cat); echo \"\$j\" | grep -q 'warning: reap: worker $victim was killed' && ! echo \"\$j\" | grep -q 'workers accept'"
check "kill -9 of a worker under load: $(n_lines "$GETS") GETs, none failed ($(n_not "$GETS" 200) not 200)" \
	bash -c "[ $(n_lines "$GETS") -ge 20 ] && [ $(n_not "$GETS" 200) = 0 ]"
say "kill -9 of a worker: $(n_lines "$OUT/killw.acked") follows acknowledged, $(n_lines "$OUT/killw.failed") not"

# kill -9 of the master.
load_start killm follows
MAIN=$(main_pid)
nr=$(c systemctl show -p NRestarts --value bzpeer-fcgi)
kill9 "$MAIN"
check "kill -9 of the master ($MAIN): systemd starts a new one" wait_for 15 \
	bash -c "m=\$(nsenter -t $LEADER -a systemctl show -p MainPID --value bzpeer-fcgi); [ \"\$m\" != 0 ] && [ \"\$m\" != $MAIN ] && [ \"\$(nsenter -t $LEADER -a systemctl is-active bzpeer-fcgi)\" = active ]"
load_stop killm
check "Restart= counted it ($nr -> $(c systemctl show -p NRestarts --value bzpeer-fcgi))" \
	[ "$(c systemctl show -p NRestarts --value bzpeer-fcgi)" = $((nr + 1)) ]
check "kill -9 of the master under load: $(n_lines "$GETS") GETs, none failed ($(n_not "$GETS" 200) not 200)" \
	bash -c "[ $(n_lines "$GETS") -ge 20 ] && [ $(n_not "$GETS" 200) = 0 ]"
say "kill -9 of the master: $(n_lines "$OUT/killm.acked") follows acknowledged, $(n_lines "$OUT/killm.failed") not"
check "no old worker outlived its master" \
	bash -c "[ \$(nsenter -t $LEADER -a ps -u bzpeer -o pid= | wc -l) = $((NWORKERS + 1)) ]"

# ---- every acknowledged follow is in the store ---------------------------------------------
cat "$OUT"/restart.acked "$OUT"/killw.acked "$OUT"/killm.acked | sort -u >"$OUT/acked"
: >"$OUT/stored"
consistent=1
while read -r s; do
	if ! c runuser -u bzpeer -- /usr/local/bin/bzpeer-admin --store /var/lib/bzpeer/store \
		follows "$s" >"$OUT/follows.$s" 2>&1; then
		consistent=0
	fi
	sed -n "s/^follower: *\(.*\)$/\1 $s/p" "$OUT/follows.$s" >>"$OUT/stored"
done <"$OUT/slugs"
sort -u -o "$OUT/stored" "$OUT/stored"
lost=$(comm -23 "$OUT/acked" "$OUT/stored" | wc -l)
check "every acknowledged follow is stored ($(n_lines "$OUT/acked") acknowledged, $lost lost)" \
	bash -c "[ $(n_lines "$OUT/acked") -ge 20 ] && [ $lost = 0 ]"
check "follower counts agree with the follow edges (bzpeer-admin follows)" [ "$consistent" = 1 ]
m=$(modes /var/lib/bzpeer/store/write.queue)
check "the follow queue is 0600 ($m)" [ "$m" = "600 bzpeer:bzpeer" ]

# ---- SIGTERM under systemd: a clean stop --------------------------------------------------
c systemctl stop bzpeer-fcgi.service 2>/dev/null
check "systemctl stop: the master exits 0 (Result=success)" \
	bash -c "[ \"\$(nsenter -t $LEADER -a systemctl show -p Result --value bzpeer-fcgi)\" = success ] && [ \"\$(nsenter -t $LEADER -a systemctl show -p ExecMainStatus --value bzpeer-fcgi)\" = 0 ]"
code=$(c curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$BASE$PROFILE")
check "the socket starts it again on the next request ($code)" [ "$code" = 200 ]
c journalctl -u bzpeer-fcgi --no-pager -o short-monotonic >"$T/journal.log" 2>&1
c cat /var/log/nginx/error.log >"$T/nginx-error.log" 2>&1
say "the service's journal: $T/journal.log, nginx's errors: $T/nginx-error.log; whole test: $((SECONDS - started)) s"
