#!/bin/bash
# run.sh: the real systemctl test (`make test-systemd`, run by .ci/run).
# Boots systemd in a container (systemd-nspawn on the minimal Debian of
# mkroot.sh, cached under $BUILD/systemd-root, its own loopback network
# only, every write in a tmpfs overlay) and does what docs/INSTALL.md
# tells an operator to do, from the Debian package (`make deb`):
#   - apt install ./bzpeer_VERSION_amd64.deb: the user, the directories,
#     the socket enabled and listening, the service and the nginx site not;
#   - the operator's edits (workers, the site's address, limits), the
#     catalog imported as root (acting as bzpeer), --check-config as root
#     (makes nothing), the site enabled: served through nginx and the
#     package's Redis instance (allkeys-lru, no persistence);
#   - under a bounded load of GETs and follow POSTs through nginx:
#     systemctl reload, five restarts, kill -9 of a worker and of the
#     master: no request fails, every acknowledged follow is stored;
#   - systemctl reload with a broken template fails and changes nothing;
#   - a broken config: the service is tried again, its socket stays; once
#     fixed, the request that waited is served;
#   - bzpeer-admin backup as root while follows are posted, a restore
#     refused under the running service, then done as INSTALL.md says:
#     every follow acknowledged before the backup began is in the store;
#   - bzpeer-admin migrate as root on a schema-1 store: its files stay bzpeer's;
#   - an upgrade to a later build under load: the edits survive, the
#     service restarts on the new programs, no GET fails;
#   - apt purge: nothing of the package is left but the user data.
# Prints "ok - ..." / "not ok - ..." and ends with "N passed, N failed".
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
. "$ROOT/tests/util.sh"   # wait_for, pid_alive, pid_gone
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
	if [ -n "$NSPAWN" ] && pid_alive "$NSPAWN"; then
		[ -n "$LEADER" ] && timeout 20 nsenter -t "$LEADER" -a systemctl poweroff >/dev/null 2>&1
		if ! wait_for 30 pid_gone "$NSPAWN"; then
			say "the container did not power off; stopping systemd-nspawn ($NSPAWN)"
			kill -TERM "$NSPAWN" 2>/dev/null
			wait_for 3 pid_gone "$NSPAWN" || kill -KILL "$NSPAWN" 2>/dev/null
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

# ---- the root, the packages -----------------------------------------------------
"$ROOT/tests/systemd/mkroot.sh" "$ROOTFS" || bail "the container root could not be made"
say "container root ready after $((SECONDS - started)) s"
rm -rf "$T"; mkdir -p "$OUT" "$T/deb"
# Two builds of the same code: the second, a later version, is the upgrade.
VERSION=$(sed -n 's/^#define BZPEER_VERSION "\(.*\)"/\1/p' "$ROOT/fcgi-app/config.h")
V1=$VERSION V2=$VERSION+upgrade1
for v in "$V1" "$V2"; do
	make -s -C "$ROOT" BUILD="$BUILD" deb DEB_OUT="$T/deb" DEB_SUFFIX="${v#"$VERSION"}" \
		>"$T/deb-$v.log" 2>&1 || { cat "$T/deb-$v.log"; bail "make deb ($v)"; }
done
check "make deb: bzpeer_${V1}_amd64.deb and bzpeer_${V2}_amd64.deb, lintian without errors" \
	bash -c "[ -f '$T/deb/bzpeer_${V1}_amd64.deb' ] && [ -f '$T/deb/bzpeer_${V2}_amd64.deb' ] && ! grep -q '^E:' '$T/deb/lintian-$V1.txt'"
check "the package's version is BZPEER_VERSION ($V1)" \
	[ "$(dpkg-deb -f "$T/deb/bzpeer_${V1}_amd64.deb" Version)" = "$V1" ]
# The test's users (password: the name), given to the container.
for phase in restart killw killm backup; do
	for l in $(seq "$FOLLOW_LOOPS"); do
		for n in $(seq "$USERS"); do echo "$phase${l}x$n:{PLAIN}$phase${l}x$n"; done
	done
done >"$T/htpasswd"

# ---- boot ---------------------------------------------------------------------------
systemd-nspawn -D "$ROOTFS" --volatile=overlay --private-network \
	--register=no --keep-unit --console=passive -b \
	--bind-ro="$T/deb:/srv/deb" \
	--bind-ro="$T/htpasswd:/srv/htpasswd" \
	--bind-ro="$ROOT/store/sample:/srv/sample" \
	--bind-ro="$ROOT/tests/fixtures/store-v1:/srv/store-v1" \
	--bind-ro="$ROOT/tests/systemd:/srv/tests" \
	--bind="$OUT:/srv/out" \
	>"$T/nspawn.log" 2>&1 </dev/null &
NSPAWN=$!
# find_leader: sets LEADER to the container's systemd, nspawn's child, once
# it is there; true then, or when nspawn has exited.
find_leader() {
	local p
	for p in $(cat "/proc/$NSPAWN/task/$NSPAWN/children" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] && LEADER=$p
	done
	[ -n "$LEADER" ] || pid_gone "$NSPAWN"
}
wait_for 20 find_leader
[ -n "$LEADER" ] || { tail -n 20 "$T/nspawn.log"; bail "systemd-nspawn did not boot (see $T/nspawn.log)"; }
# Until systemd has its bus, systemctl answers nothing; then it waits for
# the boot to end.
state=
booted() { state=$(timeout 60 nsenter -t "$LEADER" -a systemctl is-system-running --wait 2>/dev/null); [ -n "$state" ]; }
wait_for 70 booted
check "the container boots ($state)" bash -c "[ '$state' = running ] || [ '$state' = degraded ]"
[ "$state" = degraded ] && c systemctl --failed --no-pager --plain | sed 's/^/# /'
say "booted after $((SECONDS - started)) s"

# ---- apt install ./bzpeer_VERSION_amd64.deb -----------------------------------------------
# No network in the container: every dependency is in its root already.
c env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	"/srv/deb/bzpeer_${V1}_amd64.deb" >"$T/apt-install.log" 2>&1
rc=$?
check "apt install ./bzpeer_${V1}_amd64.deb (dependencies from the container's apt)" [ $rc = 0 ] ||
	tail -n 20 "$T/apt-install.log"
[ $rc = 0 ] || bail "the package could not be installed (see $T/apt-install.log)"
check "the package made the user bzpeer (sysusers)" bash -c "nsenter -t $LEADER -a id -u bzpeer >/dev/null"
check "and /var/lib/bzpeer (0750) with backups/ (0700), both bzpeer's" \
	bash -c "[ \"\$(nsenter -t $LEADER -a stat -c '%U %a' /var/lib/bzpeer /var/lib/bzpeer/backups | tr '\n' ' ')\" = 'bzpeer 750 bzpeer 700 ' ]"
check "bzpeer-fcgi.socket is enabled and listening" \
	bash -c "nsenter -t $LEADER -a systemctl is-enabled -q bzpeer-fcgi.socket && nsenter -t $LEADER -a systemctl is-active -q bzpeer-fcgi.socket && nsenter -t $LEADER -a test -S /run/bzpeer/fcgi.sock"
check "the service is neither enabled nor running (no catalog yet)" \
	bash -c "! nsenter -t $LEADER -a systemctl is-enabled -q bzpeer-fcgi.service && ! nsenter -t $LEADER -a systemctl is-active -q bzpeer-fcgi.service"
check "the nginx site is not enabled" bash -c "! nsenter -t $LEADER -a test -e /etc/nginx/sites-enabled/bzpeer"
c dpkg-query -W -f='${Conffiles}\n' bzpeer | awk 'NF { print $1 }' | sort >"$OUT/conffiles"
check "conffiles: the config, the nginx site and snippets, the Redis instance's settings ($(wc -l <"$OUT/conffiles"))" \
	bash -c "[ \"\$(tr '\n' ' ' <'$OUT/conffiles')\" = '/etc/bzpeer/bzpeer.conf /etc/nginx/sites-available/bzpeer /etc/nginx/snippets/bzpeer-brotli.conf /etc/nginx/snippets/bzpeer-fastcgi.conf /etc/nginx/snippets/bzpeer-login-basic.conf /etc/nginx/snippets/bzpeer-login-sso.conf /etc/redis/redis-bzpeer.conf ' ]"

# ---- set up as docs/INSTALL.md says ---------------------------------------------------
# The operator's edits: fewer workers; the site on the container's own
# loopback (IPv4 only: its IPv6 lines go, as docs/INSTALL.md says for a
# machine without IPv6), named by address, without the micro-cache (it would hide
# restarts from the load) and with room for the test's many sign-ins and
# posts; the test's users.
c sed -i -e 's/^workers = .*/workers = 6/' /etc/bzpeer/bzpeer.conf
c sh -c 'printf "\n# added by the operator\npost_rate = 100000\npost_rate_addr = 1000000\n" >>/etc/bzpeer/bzpeer.conf'
c sed -i -e 's/^\( *listen \)80\( default_server\)\{0,1\};/\1127.0.0.1:8080\2;/' \
	-e '/^ *listen \[::\]:80\( default_server\)\{0,1\};/d' \
	-e 's/^\( *server_name \)localhost;/\1127.0.0.1 localhost;/' \
	-e 's/fastcgi_cache bzpeer_micro;/fastcgi_cache off;/' \
	-e 's/rate=10r\/m;/rate=6000r\/m;/' -e 's/rate=10r\/s;/rate=1000r\/s;/' \
	/etc/nginx/sites-available/bzpeer
c install -m 0640 -g www-data /srv/htpasswd /etc/bzpeer/htpasswd
c cp /etc/bzpeer/bzpeer.conf /srv/out/conf.edited
c cp /etc/nginx/sites-available/bzpeer /srv/out/site.edited
NWORKERS=6
check "the operator's edits are in place" \
	bash -c "grep -qx 'workers = 6' '$OUT/conf.edited' && grep -q 'listen 127.0.0.1:8080 default_server;' '$OUT/site.edited' && ! grep -q 'fastcgi_cache bzpeer_micro;' '$OUT/site.edited'"
# The catalog, imported by root: bzpeer-import acts as the owner of
# /var/lib/bzpeer, so the store is the service's.
c bzpeer-import --store /var/lib/bzpeer/store \
	--authors /srv/sample/authors.jsonl --works /srv/sample/works.jsonl >"$T/import.log" 2>&1
check "the sample catalog imported (run as root)" [ $? = 0 ]
check "every file of the store is bzpeer's" \
	bash -c "[ -z \"\$(nsenter -t $LEADER -a find /var/lib/bzpeer/store ! -user bzpeer)\" ]"
# --check-config run as root, as an operator would before the first
# start: it makes nothing (a secret made by root would keep the service out).
c bzpeer-fcgi --config /etc/bzpeer/bzpeer.conf --check-config >"$T/check-config.log" 2>&1
check "--check-config as root: ok, the secret will be made at the first start" \
	bash -c "grep -q '# configuration ok' '$T/check-config.log' && grep -q 'secret does not exist yet: it will be made at the first start' '$T/check-config.log'"
check "--check-config made no secret, left nothing of root's in the store" \
	bash -c "! nsenter -t $LEADER -a test -e /var/lib/bzpeer/secret && [ -z \"\$(nsenter -t $LEADER -a find /var/lib/bzpeer ! -user bzpeer)\" ]"
modes() { c stat -c '%a %U:%G' "$@" | tr '\n' ' ' | sed 's/ $//'; }
m=$(modes /var/lib/bzpeer/store /var/lib/bzpeer/store/catalog /var/lib/bzpeer/store/catalog/data.mdb \
	/var/lib/bzpeer/store/catalog/lock.mdb /var/lib/bzpeer/store/user /var/lib/bzpeer/store/user/data.mdb \
	/var/lib/bzpeer/store/user/lock.mdb)
check "the store is bzpeer's alone: 0700, both environments 0700, data.mdb and lock.mdb 0600 ($m)" \
	[ "$m" = "700 bzpeer:bzpeer 700 bzpeer:bzpeer 600 bzpeer:bzpeer 600 bzpeer:bzpeer 700 bzpeer:bzpeer 600 bzpeer:bzpeer 600 bzpeer:bzpeer" ]
c ln -sf ../sites-available/bzpeer /etc/nginx/sites-enabled/bzpeer
c nginx -t -q >"$T/nginx-t.log" 2>&1
check "nginx -t accepts the installed site" [ $? = 0 ] || cat "$T/nginx-t.log"
c systemctl restart nginx
check "the Redis instance is not started before the service" \
	bash -c "! nsenter -t $LEADER -a systemctl is-active -q redis-server@bzpeer"
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
check "the secret was made at the first start, bzpeer's, 0600" \
	[ "$(c stat -c '%U %a' /var/lib/bzpeer/secret)" = "bzpeer 600" ]
# The Redis the service uses is the package's instance, as the page cache needs it.
rcli() { c redis-cli -s /run/redis-bzpeer/redis-server.sock "$@"; }
check "redis-server@bzpeer runs, started with the service (Wants=)" \
	bash -c "nsenter -t $LEADER -a systemctl is-active -q redis-server@bzpeer"
check "its socket is the one bzpeer.conf names, redis:bzpeer 0770" \
	bash -c "[ \"\$(nsenter -t $LEADER -a stat -c '%U %G %a' /run/redis-bzpeer/redis-server.sock)\" = 'redis bzpeer 770' ] && nsenter -t $LEADER -a grep -qx 'redis = /run/redis-bzpeer/redis-server.sock' /etc/bzpeer/bzpeer.conf"
check "the installed Redis evicts any key when full: maxmemory-policy allkeys-lru, maxmemory 256 MB" \
	bash -c "[ \"\$(nsenter -t $LEADER -a redis-cli -s /run/redis-bzpeer/redis-server.sock config get maxmemory-policy | tail -n1)\" = allkeys-lru ] && [ \"\$(nsenter -t $LEADER -a redis-cli -s /run/redis-bzpeer/redis-server.sock config get maxmemory | tail -n1)\" = 268435456 ]"
check "and keeps nothing on disk: save \"\", appendonly no" \
	bash -c "[ -z \"\$(nsenter -t $LEADER -a redis-cli -s /run/redis-bzpeer/redis-server.sock config get save | tail -n1)\" ] && [ \"\$(nsenter -t $LEADER -a redis-cli -s /run/redis-bzpeer/redis-server.sock config get appendonly | tail -n1)\" = no ]"
# A page is kept from its second request on (page_cache_admit): the profile
# once more, past the nginx micro-cache's second, which answered meanwhile.
sleep 2.2
c curl -s -o /dev/null --max-time 20 "$BASE$PROFILE"
check "the service's pages are cached in it, from a page's second request ($(rcli --scan --pattern '*page:*' | wc -l) pages)" \
	bash -c "for i in \$(seq 20); do [ \$(nsenter -t $LEADER -a redis-cli -s /run/redis-bzpeer/redis-server.sock --scan --pattern '*page:*' | wc -l) -ge 1 ] && exit 0; sleep 0.25; done; exit 1"
c curl -s --max-time 10 "$BASE/" | grep -o 'href="/researchers/[a-z0-9-]*"' |
	sed 's|href="/researchers/||; s|"$||' | awk '!seen[$0]++' | head -n 8 >"$OUT/slugs"
check "researchers to follow: $(wc -l <"$OUT/slugs")" [ "$(wc -l <"$OUT/slugs")" -ge 4 ]

# ---- load phases ---------------------------------------------------------------------------
BG=() FOLLOWS=
# load_start NAME [follows]: GET loops on the profile and follow loops, in
# the container; returns once each loop has answers (load_running).
load_start() {
	BG=() FOLLOWS=${2:-}
	c bash /srv/tests/load.sh "$1" "$BASE$PROFILE" "$GET_LOOPS" 120 &
	BG+=($!)
	if [ "$FOLLOWS" = follows ]; then
		for l in $(seq "$FOLLOW_LOOPS"); do
			c bash /srv/tests/follow-load.sh "$1" "$l" "$USERS" &
			BG+=($!)
		done
	fi
	wait_for 30 load_running "$1"
}
# n_gets NAME, n_posts NAME: the GETs answered, the follows posted so far.
n_gets() { cat "$OUT/$1".get.* 2>/dev/null | wc -l; }
n_posts() { cat "$OUT/$1".acked.* "$OUT/$1".failed.* 2>/dev/null | wc -l; }
load_running() {
	local i
	for i in $(seq "$GET_LOOPS"); do [ -s "$OUT/$1.get.$i" ] || return 1; done
	[ "$FOLLOWS" = follows ] || return 0
	for i in $(seq "$FOLLOW_LOOPS"); do
		[ -s "$OUT/$1.acked.$i" ] || [ -s "$OUT/$1.failed.$i" ] || return 1
	done
}
# load_more NAME: waits until the load has 20 more GETs answered (and, with
# follows, 2 more follows posted) than at the call: served after an event.
load_more() {
	local g=$(( $(n_gets "$1") + 20 )) p=$(( $(n_posts "$1") + 2 ))
	wait_for 30 load_past "$1" "$g" "$p"
}
load_past() {
	[ "$(n_gets "$1")" -ge "$2" ] || return 1
	[ "$FOLLOWS" != follows ] || [ "$(n_posts "$1")" -ge "$3" ]
}
# load_stop NAME: stops the loops once they are served after what came
# before it (load_more); GETS: file of every GET status.
load_stop() {
	load_more "$1"
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
	load_more restart   # the new master serves the load before the next restart
done
load_stop restart
check "five restarts, five new masters ($pids)" \
	bash -c "[ \$(echo $pids | tr ' ' '\n' | grep -v '^0$' | sort -u | wc -l) = 6 ]"
check "restarts under load: $(n_lines "$GETS") GETs, none failed ($(n_not "$GETS" 200) not 200)" \
	bash -c "[ $(n_lines "$GETS") -ge 50 ] && [ $(n_not "$GETS" 200) = 0 ]"
check "restarts under load: $(n_lines "$OUT/restart.acked") follows acknowledged, none failed ($(n_lines "$OUT/restart.failed"))" \
	bash -c "[ $(n_lines "$OUT/restart.acked") -ge 20 ] && [ ! -s '$OUT/restart.failed' ]"
[ -s "$OUT/restart.failed" ] && head -n 5 "$OUT/restart.failed" | sed 's/^/#   /'
check "no stopping worker closed a connection nginx still used (the site's keepalive_time)" \
	bash -c "! nsenter -t $LEADER -a journalctl -u bzpeer-fcgi --no-pager -o cat | grep 'stopping: closed a FastCGI connection'"

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
	if ! c runuser -u bzpeer -- bzpeer-admin --store /var/lib/bzpeer/store \
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
m=$(modes /var/lib/bzpeer/store/user/write.queue)
check "the follow queue is 0600 ($m)" [ "$m" = "600 bzpeer:bzpeer" ]

# ---- systemctl reload with a broken template: a failure, nothing changed ---------------
VIEWS=/usr/share/bzpeer/views
c cp "$VIEWS/profile.html" /srv/out/profile.html.good
c sh -c "echo '{{no_such_slot_here}}' >>$VIEWS/profile.html"
MAIN=$(main_pid)
before=$(workers_of "$MAIN" | tr '\n' ' ')
c systemctl reload bzpeer-fcgi >"$T/reload-bad.log" 2>&1; rc=$?
check "systemctl reload with a broken template fails (exit $rc)" [ "$rc" != 0 ]
check "the journal says why (the template, named)" \
	bash -c "nsenter -t $LEADER -a journalctl -u bzpeer-fcgi --no-pager -o cat | grep -q 'views: .*profile.html'"
code=$(c curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$BASE$PROFILE")
check "the same master and workers still serve ($code)" \
	bash -c "[ $code = 200 ] && [ '$(main_pid)' = '$MAIN' ] && [ \"\$(nsenter -t $LEADER -a cat /proc/$MAIN/task/$MAIN/children | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')\" = '$before' ]"
c cp /srv/out/profile.html.good "$VIEWS/profile.html"
n_reloaded() { c journalctl -u bzpeer-fcgi --no-pager -o cat | grep -c 'reloaded: generation [0-9]* serves'; }
nr=$(n_reloaded)
c systemctl reload bzpeer-fcgi; rc=$?
check "mended, systemctl reload succeeds and a new generation serves" \
	bash -c "[ $rc = 0 ] && [ \$(nsenter -t $LEADER -a journalctl -u bzpeer-fcgi --no-pager -o cat | grep -c 'reloaded: generation [0-9]* serves') -gt $nr ]"

# ---- a broken config: tried again, the socket stays; fixed, served --------------------------
c systemctl stop bzpeer-fcgi.service
n_failed_starts() { c journalctl -u bzpeer-fcgi --no-pager -o cat | grep -c 'start failed; exiting in 5 s'; }
nf=$(n_failed_starts)
c cp /etc/bzpeer/bzpeer.conf /srv/out/conf.good
c sed -i 's/^workers = .*/workers = lots/' /etc/bzpeer/bzpeer.conf
# A request comes meanwhile: it starts the service, which fails, again
# and again; the request waits in the socket. Its address is one no
# request asked for before (the query is ignored by the page): the
# micro-cache holds the profile for a second after the checks above
# fetched it, and would answer without the socket.
c curl -s -o /srv/out/waited.html -D /srv/out/waited.headers -w '%{http_code}' --max-time 60 \
	"$BASE$PROFILE?waited=$$" >"$OUT/waited.code" &
WAITER=$!
# A window, the thing tested: without --fail-wait, RestartSec=200ms would
# reach the start limit (30 starts in 60 s) in about 6 s; 15 s are two
# failed starts of 5 s and a margin.
sleep 15
nrestarts=$(c systemctl show -p NRestarts --value bzpeer-fcgi.service)
nfailed=$(( $(n_failed_starts) - nf ))
check "a broken config: the service is tried again ($nfailed failed starts and $nrestarts restarts in 15 s, each start failing after 5 s)" \
	bash -c "[ $nfailed -ge 1 ] && [ $nfailed -le 4 ] && [ $nrestarts -ge 1 ] && [ $nrestarts -le 4 ]"
check "the journal names the bad key" \
	bash -c "nsenter -t $LEADER -a journalctl -u bzpeer-fcgi --no-pager -o cat | grep -q 'bzpeer.conf:.*workers'"
check "the start limit is not hit: the socket is still listening" \
	bash -c "[ \"\$(nsenter -t $LEADER -a systemctl is-active bzpeer-fcgi.socket)\" = active ] && [ \"\$(nsenter -t $LEADER -a systemctl show -p Result --value bzpeer-fcgi.socket)\" = success ]"
c cp /srv/out/conf.good /etc/bzpeer/bzpeer.conf
wait "$WAITER"
check "fixed: the request that waited in the socket is served, without reset-failed ($(cat "$OUT/waited.code"))" \
	bash -c "[ \"\$(cat '$OUT/waited.code')\" = 200 ] && grep -q 'Sanjeev Arora' '$OUT/waited.html' && ! grep -qi '^X-Micro-Cache: HIT' '$OUT/waited.headers'"
check "the service is active again" active

# ---- backup under load, restore -------------------------------------------------------------
load_start backup follows
n_acked() { cat "$OUT/$1".acked.* 2>/dev/null | wc -l; }
acked_at_least() { [ "$(n_acked "$1")" -ge "$2" ]; }
wait_for 30 acked_at_least backup 5
# Every follow acknowledged by now must be in the backup.
cat "$OUT"/backup.acked.* 2>/dev/null | sort -u >"$OUT/acked-before-backup"
c bzpeer-admin --store /var/lib/bzpeer/store backup /var/lib/bzpeer/backups/b1 >"$T/backup.log" 2>&1
check "bzpeer-admin backup as root while follows are posted" [ $? = 0 ] || cat "$T/backup.log"
wait_for 30 acked_at_least backup $(( $(wc -l <"$OUT/acked-before-backup") + 5 ))   # follows go on after it
load_stop backup
check "the backup's files: bzpeer's, 0600 (its directory 0700)" \
	bash -c "[ \"\$(nsenter -t $LEADER -a stat -c '%U %a' /var/lib/bzpeer/backups/b1 /var/lib/bzpeer/backups/b1/data.mdb /var/lib/bzpeer/backups/b1/user.mdb /var/lib/bzpeer/backups/b1/BACKUP | tr '\n' ' ')\" = 'bzpeer 700 bzpeer 600 bzpeer 600 bzpeer 600 ' ]"
c bzpeer-admin --store /var/lib/bzpeer/store backup /var/lib/bzpeer/backups/b1 >"$T/backup2.log" 2>&1
check "a second backup into the same directory is refused" \
	bash -c "[ $? = 1 ] && grep -q 'not empty' '$T/backup2.log'"
c bzpeer-admin --store /var/lib/bzpeer/store restore /var/lib/bzpeer/backups/b1 >"$T/restore-live.log" 2>&1
check "restore under the running service is refused, naming what to stop" \
	bash -c "[ $? = 1 ] && grep -q 'systemctl stop bzpeer-fcgi.socket bzpeer-fcgi.service' '$T/restore-live.log'"
check "follows went on after the backup ($(n_lines "$OUT/backup.acked") acknowledged, $(n_lines "$OUT/acked-before-backup") before it)" \
	bash -c "[ $(n_lines "$OUT/acked-before-backup") -ge 5 ] && [ $(n_lines "$OUT/backup.acked") -gt $(n_lines "$OUT/acked-before-backup") ]"
# The procedure of docs/INSTALL.md ("Restore").
c systemctl stop bzpeer-fcgi.socket bzpeer-fcgi.service
c bzpeer-admin --store /var/lib/bzpeer/store restore /var/lib/bzpeer/backups/b1 >"$T/restore.log" 2>&1
check "restore with the service stopped" [ $? = 0 ] || cat "$T/restore.log"
c systemctl restart redis-server@bzpeer
c systemctl start bzpeer-fcgi.socket
check "the restored store is bzpeer's, and the replaced one is kept beside it" \
	bash -c "[ -z \"\$(nsenter -t $LEADER -a find /var/lib/bzpeer/store ! -user bzpeer)\" ] && nsenter -t $LEADER -a sh -c 'test -f /var/lib/bzpeer/store.before-restore-*/catalog/data.mdb'"
code=$(c curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$BASE$PROFILE")
check "served again after the restore ($code)" [ "$code" = 200 ]
: >"$OUT/restored"
while read -r sl; do
	c bzpeer-admin --store /var/lib/bzpeer/store follows "$sl" 2>/dev/null |
		sed -n "s/^follower: *\(.*\)$/\1 $sl/p" >>"$OUT/restored"
done <"$OUT/slugs"
sort -u -o "$OUT/restored" "$OUT/restored"
lost=$(comm -23 "$OUT/acked-before-backup" "$OUT/restored" | wc -l)
check "every follow acknowledged before the backup began is in the restored store ($lost of $(n_lines "$OUT/acked-before-backup") lost)" \
	[ "$lost" = 0 ]

# ---- bzpeer-admin as root on a store of the previous schema -----------------------------------
c runuser -u bzpeer -- mkdir /var/lib/bzpeer/v1
c runuser -u bzpeer -- mdb_load -f /srv/store-v1/store.mdb.txt /var/lib/bzpeer/v1 2>/dev/null
c rm -f /var/lib/bzpeer/v1/lock.mdb
c bzpeer-admin --store /var/lib/bzpeer/v1 migrate >"$T/migrate.log" 2>&1
check "bzpeer-admin migrate as root: schema 1 -> $(sed -n 's/^schema 1 -> \([0-9]*\): done$/\1/p' "$T/migrate.log"), after a backup" \
	bash -c "grep -q '^schema 1 -> [0-9]*: done' '$T/migrate.log' && grep -q '^backup of /var/lib/bzpeer/v1 in /var/lib/bzpeer/backups/v1-schema1-' '$T/migrate.log'"
check "what it made (LMDB's lock file, the backup) is bzpeer's" \
	bash -c "[ -z \"\$(nsenter -t $LEADER -a find /var/lib/bzpeer ! -user bzpeer)\" ]"
c bzpeer-admin --store /var/lib/bzpeer/v1 follows A103 >"$OUT/v1-follows" 2>&1
check "the migrated store keeps its follows" grep -q '^follower: désirée$' "$OUT/v1-follows"

# ---- SIGTERM under systemd: a clean stop --------------------------------------------------
c systemctl stop bzpeer-fcgi.service 2>/dev/null
check "systemctl stop: the master exits 0 (Result=success)" \
	bash -c "[ \"\$(nsenter -t $LEADER -a systemctl show -p Result --value bzpeer-fcgi)\" = success ] && [ \"\$(nsenter -t $LEADER -a systemctl show -p ExecMainStatus --value bzpeer-fcgi)\" = 0 ]"
# An address not asked for before, so the micro-cache cannot answer it.
code=$(c curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$BASE$PROFILE?after-stop=$$")
check "the socket starts it again on the next request ($code)" bash -c "[ $code = 200 ] && [ \"\$(nsenter -t $LEADER -a systemctl is-active bzpeer-fcgi.service)\" = active ]"
# ---- upgrade to a later build, under load ------------------------------------------------------
MAIN=$(main_pid)
load_start upgrade
c env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	"/srv/deb/bzpeer_${V2}_amd64.deb" >"$T/apt-upgrade.log" 2>&1
rc=$?
load_stop upgrade   # once the restarted service has served the load (load_more)
check "apt install ./bzpeer_${V2}_amd64.deb: an upgrade" \
	bash -c "[ $rc = 0 ] && [ \"\$(nsenter -t $LEADER -a dpkg-query -W -f='\${Version}' bzpeer)\" = '$V2' ]" ||
	tail -n 20 "$T/apt-upgrade.log"
check "the upgrade checked the store's schema (bzpeer-admin migrate: nothing to do)" \
	grep -q 'the store is current, nothing to do' "$T/apt-upgrade.log"
c cat /etc/bzpeer/bzpeer.conf >"$OUT/conf.after"
c cat /etc/nginx/sites-available/bzpeer >"$OUT/site.after"
check "the operator's config survives the upgrade, as edited" cmp -s "$OUT/conf.edited" "$OUT/conf.after"
check "the operator's nginx site survives the upgrade, as edited" cmp -s "$OUT/site.edited" "$OUT/site.after"
m=$(main_pid)
check "the service was restarted on the new programs (master $MAIN -> $m)" \
	bash -c "[ '$m' != 0 ] && [ '$m' != $MAIN ] && [ \"\$(nsenter -t $LEADER -a systemctl is-active bzpeer-fcgi.service)\" = active ]"
check "the upgrade under load: $(n_lines "$GETS") GETs, none failed ($(n_not "$GETS" 200) not 200)" \
	bash -c "[ $(n_lines "$GETS") -ge 20 ] && [ $(n_not "$GETS" 200) = 0 ]"
check "still $NWORKERS workers (the edited config)" [ "$(workers_of "$(main_pid)" | wc -l)" = "$NWORKERS" ]

# ---- apt purge: nothing of the package is left but the user data ---------------------------------
c journalctl -u bzpeer-fcgi --no-pager -o short-monotonic >"$T/journal.log" 2>&1
c env DEBIAN_FRONTEND=noninteractive apt-get purge -y bzpeer >"$T/apt-purge.log" 2>&1
check "apt purge bzpeer" [ $? = 0 ] || tail -n 20 "$T/apt-purge.log"
left=$(c sh -c 'ls -d /usr/bin/bzpeer-* /usr/share/bzpeer /usr/share/doc/bzpeer /lib/systemd/system/bzpeer-fcgi.* \
	/lib/systemd/system/redis-server@bzpeer.service.d /usr/lib/sysusers.d/bzpeer.conf /usr/lib/tmpfiles.d/bzpeer.conf \
	/etc/bzpeer/bzpeer.conf* /etc/nginx/sites-available/bzpeer* /etc/nginx/sites-enabled/bzpeer /etc/nginx/snippets/bzpeer-* \
	/etc/redis/redis-bzpeer.conf* /var/lib/bzpeer/secret /var/lib/nginx/bzpeer-cache 2>/dev/null' | tr '\n' ' ')
check "nothing of the package's files is left${left:+ (left: $left)}" [ -z "$left" ]
check "/etc/bzpeer holds only what the operator made there (htpasswd): $(c ls /etc/bzpeer | tr '\n' ' ')" \
	[ "$(c ls /etc/bzpeer)" = htpasswd ]
units=$(c systemctl is-active bzpeer-fcgi.service bzpeer-fcgi.socket redis-server@bzpeer.service | tr '\n' ' ')
check "no unit of it runs or listens ($units)" \
	bash -c "[ '$units' = 'inactive inactive inactive ' ] && ! nsenter -t $LEADER -a test -e /run/bzpeer/fcgi.sock"
check "the user data is kept, and the purge says where (store, backups)" \
	bash -c "nsenter -t $LEADER -a test -f /var/lib/bzpeer/store/catalog/data.mdb && nsenter -t $LEADER -a test -f /var/lib/bzpeer/backups/b1/data.mdb && grep -q 'purge keeps the user data in /var/lib/bzpeer' '$T/apt-purge.log'"
check "nginx still accepts its configuration and runs (the site's link went with it)" \
	bash -c "nsenter -t $LEADER -a nginx -t -q && nsenter -t $LEADER -a systemctl is-active -q nginx"
c cat /var/log/nginx/error.log >"$T/nginx-error.log" 2>&1
say "the service's journal: $T/journal.log, nginx's errors: $T/nginx-error.log; whole test: $((SECONDS - started)) s"
