#!/bin/bash
# bench.sh: `make bench`. Our paths against a static ceiling and a
# PHP-FPM peer, in one run, interleaved, on loopback; never part of make test.
#
#   BUILD    where the binaries are (make passes it; default build)
#   ROUNDS   interleaved rounds (default 4; medians are quoted)
#   DURATION seconds per wrk run (default 5)
#   WORKERS  bzpeer-fcgi workers and php-fpm children (default 8, the
#            shipped default of bzpeer-fcgi's `workers`)
#   RESULTS  the Markdown file whose measured block is replaced (default
#            bench/results.md; the text around the block is kept)
#   PATHS    only these paths (e.g. "signed cold"); the table is then
#            written to $BUILD/bench-run only, not to RESULTS
#   STRACE   app | nginx | redis: count that server's system calls per
#            request with strace -c -f (slows it down; counts stay right),
#            into $BUILD/bench-run/strace.ROUND.PATH
#   STORE    serve this store instead of building one (bench/scale.sh: a
#            catalog past memory); its user data gets the bench's sign-ins.
#            The follow path's check and the in-process render read the
#            whole store: leave follow out of PATHS with a large one
#   REDIS_MB Redis's maxmemory, MB (default 64; the package ships 256)
#   PAGE_CACHE_MB  the app's node-local page cache, MB (default 64, the
#            shipped default; 0: every page from Redis or rendered)
#   PAGE_CACHE_ADMIT  the app's page_cache_admit (default 2, the shipped one)
#   VISITS   a file of slugs, most visited first: the anon, signed and cold
#            paths then visit them with Zipf-distributed ranks (bench/zipf.lua,
#            exponent ZIPF_S, default 1.0) instead of one page, and the
#            table says how the app's page cache answered (its /metrics)
#
# Everything runs under $BUILD/bench-run: a store (the sample catalog plus a
# synthetic 1,000 researchers for the follow POSTs to spread over), Redis on
# a unix socket, two bzpeer-fcgi (Redis on; Redis off), php-fpm with one pool,
# one nginx holding the shipped site (nginx/bzpeer-site.conf.in filled as
# tests/stack.sh does) plus three bench servers, and a second nginx holding
# the shipped site alone, in front of the cold bzpeer-fcgi. Every process is started here
# and stopped by its PID at exit.
#
# The paths, each `wrk -t2 -c64 -d$DURATION --latency` on the same page,
# /researchers/sanjeev-arora as an anonymous visitor gets it:
#   static    nginx sends that page as a file (the ceiling)
#   fcache    nginx fastcgi_cache hits (1 h validity) in front of the app
#   php       PHP-FPM + php-redis: GET of the same bytes from Redis (persistent
#             connection), echoed
#   anon      the shipped site, anonymous (its 1 s micro-cache on)
#   signed    the shipped site with a session cookie: bypasses the micro-cache;
#             the app's hit in this machine's page cache (shared memory, no
#             round trip), holes filled, the follower count from LMDB
#   cold      the same request (signed in, the same cookie) through a second
#             nginx holding the shipped site as it is, in front of a bzpeer-fcgi
#             with `redis = off` and `page_cache_mb = 0`: rendered from LMDB on
#             every request. Both paths go through the configuration an
#             operator deploys, so they differ only in the app's page cache.
#             (Until 2026-12-04 this path was an anonymous request through a
#             plain FastCGI server: ~20,000 fewer nginx instructions and two
#             fewer system calls per request than the site's location then
#             cost, and no session check.)
#   follow    POST /researchers/{slug}/follow through the shipped site, two
#             signed-in users (one per wrk thread), follow/unfollow in turn over
#             1,000 researchers: every POST is a durable LMDB commit
# Server CPU per request: utime+stime of every process in the trees of nginx,
# both bzpeer-fcgi, Redis and php-fpm (from /proc/PID/stat), the round's delta
# divided by its requests.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-5}
WORKERS=${WORKERS:-8}
RESULTS=${RESULTS:-$ROOT/bench/results.md}
RUN="$BUILD/bench-run"
NGINX=${NGINX:-/usr/sbin/nginx}
PHPFPM=${PHPFPM:-$(command -v php-fpm8.2 || ls /usr/sbin/php-fpm* 2>/dev/null | head -n1 || true)}
SLUG=sanjeev-arora
ZIPF_S=${ZIPF_S:-1.0}
if [ -n "${VISITS:-}" ]; then
	[ -s "$VISITS" ] || { echo "bench: VISITS=$VISITS holds no slug" >&2; exit 1; }
	VISITS=$(cd "$(dirname "$VISITS")" && pwd)/$(basename "$VISITS")
	SLUG=$(head -n1 "$VISITS")
fi
[ -z "${STORE:-}" ] || [ -d "$STORE" ] || { echo "bench: STORE=$STORE is not a store" >&2; exit 1; }
HZ=$(getconf CLK_TCK)

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$BUILD/bzpeer-fcgi" ] && [ -x "$BUILD/bench/gencat" ] && [ -x "$BUILD/bench/render" ] ||
	die "build first: make BUILD=$BUILD bench"
command -v wrk >/dev/null || die "wrk is missing (tests/deps.sh wrk)"
[ -n "$PHPFPM" ] && [ -x "$PHPFPM" ] || die "php-fpm is missing (tests/deps.sh php-fpm php-redis)"

. "$ROOT/tests/util.sh"   # free_port, wait_for, replace_block, nginx_user_sed

# ---- processes: started here, stopped by PID --------------------------------

PIDS=()
stop_all() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
	done
	PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Every pid in the process trees of the given roots.
tree_pids() {
	ps -e -o pid=,ppid= | awk -v roots="$*" '
		BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			do {
				added = 0
				for (i in pids) { p = pids[i]
					if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; added = 1 } }
			} while (added)
			for (p in keep) print p
		}'
}

# stat_sum EXPR ROOT...: awk expression EXPR of /proc/PID/stat's fields
# (numbered from the state, after the command) summed over the roots' trees.
stat_sum() {
	local e=$1 f=() p
	shift
	for p in $(tree_pids "$@"); do f+=("/proc/$p/stat"); done
	cat "${f[@]}" 2>/dev/null | sed 's/^.*) //' | awk "{ s += $e } END { print s + 0 }"
}
# utime+stime (clock ticks); major page faults.
cpu_ticks() { stat_sum '$12 + $13' "$@"; }
maj_faults() { stat_sum '$10' "$@"; }
# The app's page-cache answers so far, "hit redis miss off", from the
# /metrics of the nginx whose monitoring port is $1.
cache_answers() {
	curl -fsS "http://127.0.0.1:$1/metrics" |
		awk -F'[" ]' '/^bzpeer_page_cache_requests_total\{/ { n[$2] = $NF }
			END { print n["hit"] + 0, n["redis"] + 0, n["miss"] + 0, n["off"] + 0 }'
}

# ---- set-up -------------------------------------------------------------------

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
rm -rf "$RUN"
mkdir -p "$RUN"/{store,static/researchers,php,nginx-tmp,nginx-cache,nginx-fc,cat}
mkdir -p "$RUN"/cold-nginx/{nginx-tmp,nginx-cache,nginx-extra.d}
P_SITE=$(free_port); P_STATIC=$(free_port); P_FCACHE=$(free_port)
P_PHP=$(free_port); P_COLD=$(free_port)
P_METRICS=$(free_port); P_METRICS_COLD=$(free_port)

if [ -n "${STORE:-}" ]; then
	say "store: $STORE (given)"
	STORE_DIR=$(cd "$STORE" && pwd)
	if [ -n "${VISITS:-}" ]; then head -n 1000 "$VISITS"; fi > "$RUN/slugs"
else
	say "store: the sample catalog and a synthetic 1,000 researchers"
	STORE_DIR="$RUN/store"
	"$BUILD/bench/gencat" 1000 "$RUN/cat" 2>/dev/null
	"$BUILD/bzpeer-import" --store "$RUN/store" \
		--authors "$ROOT/store/sample/authors.jsonl" --authors "$RUN/cat/authors.jsonl.gz" \
		--works "$ROOT/store/sample/works.jsonl" --works "$RUN/cat/works.jsonl.gz" \
		>"$RUN/import.log" 2>&1 || { cat "$RUN/import.log" >&2; die "import failed"; }
	"$BUILD/bzpeer-admin" --store "$RUN/store" dump |
		awk '$1 == "researchers" && $2 ~ /^A6/ { for (i = 3; i <= NF; i++) if ($i ~ /^slug="/) { s = $i; gsub(/^slug="|"$/, "", s); print s } }' \
		> "$RUN/slugs"
	[ "$(wc -l < "$RUN/slugs")" -ge 1000 ] || die "synthetic researchers missing from the store"
fi

# Users: one for the signed-in GETs, two per round for the follow POSTs.
USERS="s"
for r in $(seq "$ROUNDS"); do USERS="$USERS r${r}u1 r${r}u2"; done
: > "$RUN/htpasswd"
for u in $USERS; do
	printf '%s:%s\n' "$u" "$(perl -e 'print crypt($ARGV[0], "\$6\$".join("", map { ("a".."z")[rand 26] } 1..12)."\$")' "$u")" >> "$RUN/htpasswd"
done
chmod 0600 "$RUN/htpasswd"

app_conf() { # app_conf NAME REDIS PAGE_CACHE_MB
	cat > "$RUN/$1.conf" <<CONF
listen = $RUN/$1.sock
socket_mode = 0600
workers = $WORKERS
store = $STORE_DIR
views = $ROOT/views
redis = $2
page_cache_mb = $3
page_cache_admit = ${PAGE_CACHE_ADMIT:-2}
secret_file = $RUN/secret
post_rate = 100000
post_rate_addr = 1000000
CONF
}
app_conf fcgi "$RUN/redis.sock" "${PAGE_CACHE_MB:-64}"
app_conf fcgi-cold off 0

# The shipped site and nginx.conf, filled as tests/stack.sh fills them, with
# the access log off (it would write a line per request for every path alike).
# The per-address limits are the stack's generous ones: every load comes
# from 127.0.0.1.
PARAMS="$ROOT/nginx/bzpeer-fastcgi.conf"
: > "$RUN/no-brotli.conf"        # gzip only: what every browser gets
: > "$RUN/nginx-modules.conf"
"$ROOT/systemd/fill.sh" "$ROOT/nginx/bzpeer-login-basic.conf.in" "$RUN/bzpeer-login.conf" \
    "PARAMS=$PARAMS" "HTPASSWD=$RUN/htpasswd"
site_conf() { # site_conf DIR PORT SOCKET METRICS_PORT: the shipped site and nginx.conf in DIR
	"$ROOT/systemd/fill.sh" "$ROOT/nginx/bzpeer-site.conf.in" "$1/bzpeer-site.conf" \
	    "LISTEN=127.0.0.1:$2" "LISTEN6=unix:$1/nginx6.sock" \
	    "SERVER_NAME=127.0.0.1 localhost" "BROTLI=$RUN/no-brotli.conf" "ACCESS_LOG=off" \
	    "METRICS_LISTEN=127.0.0.1:$4" \
	    "SOCKET=$3" "STATIC=$ROOT/views/static" "PARAMS=$PARAMS" \
	    "LOGIN=$RUN/bzpeer-login.conf" "CACHE=$1/nginx-cache" \
	    "MICROCACHE=bzpeer_micro" "LOGIN_RATE=6000r/m" "POST_RATE=100000r/s"
	# The follow path posts from one address at full speed. nginx reads the
	# clock once per event-loop pass, so every post of one pass arrives "at
	# once" whatever the rate: past the shipped burst of 20 the excess got 503
	# (29 of 30,395 in a round). The bench measures the app, not the limit.
	sed -i 's/limit_req zone=bzpeer_post burst=20 nodelay;/limit_req zone=bzpeer_post burst=100000 nodelay;/' \
	    "$1/bzpeer-site.conf"
	grep -q 'zone=bzpeer_post burst=100000' "$1/bzpeer-site.conf" ||
	    die "the site's post limit line changed: bench.sh cannot lift it"
	: > "$1/nginx-modules.conf"
	sed -e "s|@RUNDIR@|$1|g" -e "s|^\( *access_log\) .*|\1 off;|" -e "$(nginx_user_sed)" \
	    "$ROOT/nginx/nginx-dev.conf.in" > "$1/nginx.conf"
}
site_conf "$RUN" "$P_SITE" "$RUN/fcgi.sock" "$P_METRICS"
site_conf "$RUN/cold-nginx" "$P_COLD" "$RUN/fcgi-cold.sock" "$P_METRICS_COLD"
cat >> "$RUN/bzpeer-site.conf" <<CONF

# ---- bench servers (bench/bench.sh) ----
fastcgi_cache_path $RUN/nginx-fc levels=1:2 keys_zone=bench_fc:10m max_size=64m
                   inactive=1h use_temp_path=off;
server {
    listen 127.0.0.1:$P_STATIC;
    location / { root $RUN/static; default_type "text/html; charset=utf-8"; }
}
server {
    listen 127.0.0.1:$P_FCACHE;
    location / {
        include $PARAMS;
        fastcgi_pass unix:$RUN/fcgi.sock;
        fastcgi_cache bench_fc;
        fastcgi_cache_key "\$request_method \$request_uri";
        fastcgi_cache_valid 200 1h;
        fastcgi_ignore_headers Cache-Control Expires Set-Cookie;
        fastcgi_buffers 8 32k;    # as the shipped site's
        fastcgi_buffer_size 32k;
    }
}
server {
    listen 127.0.0.1:$P_PHP;
    location / {
        include /etc/nginx/fastcgi_params;
        fastcgi_param SCRIPT_FILENAME $RUN/php/page.php;
        fastcgi_pass unix:$RUN/php.sock;
        fastcgi_buffers 8 32k;    # as the shipped site's
        fastcgi_buffer_size 32k;
    }
}
CONF

cat > "$RUN/php/page.php" <<'PHP'
<?php
// The peer: the same page bytes from Redis, as a PHP-FPM site would serve
// a cached page (persistent connection: the peer's best case).
$r = new Redis();
$r->pconnect(getenv('BENCH_REDIS'));
$page = $r->get('bench:page');
header('Content-Type: text/html; charset=utf-8');
header('Content-Length: ' . strlen($page));
echo $page;
PHP
cat > "$RUN/php-fpm.conf" <<CONF
[global]
pid = $RUN/php-fpm.pid
error_log = $RUN/php-fpm.log
daemonize = no

[bench]
user = root
group = root
listen = $RUN/php.sock
listen.mode = 0600
pm = static
pm.max_children = $WORKERS
clear_env = no
env[BENCH_REDIS] = $RUN/redis.sock
CONF

say "starting redis, bzpeer-fcgi (redis on, redis off), php-fpm, nginx"
redis-server --port 0 --unixsocket "$RUN/redis.sock" --unixsocketperm 700 \
	--save "" --appendonly no --maxmemory "${REDIS_MB:-64}mb" --maxmemory-policy allkeys-lru \
	--dir "$RUN" --logfile "$RUN/redis.log" --daemonize no </dev/null >/dev/null 2>&1 &
PID_REDIS=$!; PIDS+=("$PID_REDIS")
wait_for 10 test -S "$RUN/redis.sock" || die "redis did not start"
"$BUILD/bzpeer-fcgi" --config "$RUN/fcgi.conf" </dev/null >>"$RUN/fcgi.log" 2>&1 &
PID_APP=$!; PIDS+=("$PID_APP")
"$BUILD/bzpeer-fcgi" --config "$RUN/fcgi-cold.conf" </dev/null >>"$RUN/fcgi-cold.log" 2>&1 &
PID_COLD=$!; PIDS+=("$PID_COLD")
"$PHPFPM" -F -R -y "$RUN/php-fpm.conf" -p "$RUN" </dev/null >>"$RUN/php-fpm.log" 2>&1 &
PID_PHP=$!; PIDS+=("$PID_PHP")
wait_for 10 test -S "$RUN/fcgi.sock" || { tail "$RUN/fcgi.log" >&2; die "bzpeer-fcgi did not start"; }
wait_for 10 test -S "$RUN/fcgi-cold.sock" || { tail "$RUN/fcgi-cold.log" >&2; die "bzpeer-fcgi (cold) did not start"; }
wait_for 10 test -S "$RUN/php.sock" || { tail "$RUN/php-fpm.log" >&2; die "php-fpm did not start"; }
"$NGINX" -c "$RUN/nginx.conf" -p "$RUN" -e "$RUN/nginx-error.log" </dev/null >>"$RUN/nginx-error.log" 2>&1 &
PID_NGINX=$!; PIDS+=("$PID_NGINX")
"$NGINX" -c "$RUN/cold-nginx/nginx.conf" -p "$RUN/cold-nginx" -e "$RUN/cold-nginx/nginx-error.log" \
	</dev/null >>"$RUN/cold-nginx/nginx-error.log" 2>&1 &
PID_NGINX_COLD=$!; PIDS+=("$PID_NGINX_COLD")
wait_for 10 curl -fsS "http://127.0.0.1:$P_SITE/healthz" || { tail "$RUN/nginx-error.log" >&2; die "nginx did not answer"; }
wait_for 10 curl -fsS "http://127.0.0.1:$P_COLD/healthz" || { tail "$RUN/cold-nginx/nginx-error.log" >&2; die "the cold nginx did not answer"; }
NGINXES="$PID_NGINX $PID_NGINX_COLD"
ROOTS="$NGINXES $PID_APP $PID_COLD $PID_REDIS $PID_PHP"
sleep 1   # let every worker reach its accept

# ---- the page, the peer's copy, the sessions -------------------------------------

SITE="http://127.0.0.1:$P_SITE"
curl -fsS -o "$RUN/page.html" "$SITE/researchers/$SLUG"
curl -fsS -o "$RUN/page.html" "$SITE/researchers/$SLUG"   # kept now (its second miss)
cp "$RUN/page.html" "$RUN/static/researchers/$SLUG"
redis-cli -s "$RUN/redis.sock" -x SET bench:page < "$RUN/page.html" >/dev/null
PAGE_BYTES=$(wc -c < "$RUN/page.html")
for u in static fcache php cold; do
	case $u in
	static) url="http://127.0.0.1:$P_STATIC/researchers/$SLUG" ;;
	fcache) url="http://127.0.0.1:$P_FCACHE/researchers/$SLUG" ;;
	php)    url="http://127.0.0.1:$P_PHP/page.php" ;;
	cold)   url="http://127.0.0.1:$P_COLD/researchers/$SLUG" ;;
	esac
	n=$(curl -fsS "$url" | wc -c) || die "$u: $url does not answer"
	[ "$n" = "$PAGE_BYTES" ] || die "$u serves $n bytes, not the page's $PAGE_BYTES"
done

signin() { # signin USER -> "COOKIE CSRF"
	local jar="$RUN/jar.$1" c t
	curl -fsS -o /dev/null -c "$jar" -u "$1:$1" "$SITE/login?next=/" || return 1
	c=$(awk '$6 == "bzs" { print $7 }' "$jar")
	t=$(curl -fsS -b "$jar" "$SITE/researchers/$SLUG" |
		grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
	[ -n "$c" ] && [ -n "$t" ] && echo "$c $t"
}
read -r COOKIE_S CSRF_S < <(signin s) || die "sign-in failed"
curl -fsS -o /dev/null -D "$RUN/signed.h" -H "Cookie: bzs=$COOKIE_S" "$SITE/researchers/$SLUG"
grep -qiE '^X-Bzpeer-Cache: (hit|redis)' "$RUN/signed.h" || die "the signed-in GET is not served from a page cache (this machine's or Redis)"
curl -fsS -o "$RUN/cold.html" -D "$RUN/cold.h" -H "Cookie: bzs=$COOKIE_S" "http://127.0.0.1:$P_COLD/researchers/$SLUG"
grep -qi '^X-Bzpeer-Cache: off' "$RUN/cold.h" || die "the cold path is not rendered from LMDB"
grep -q 'name="csrf"' "$RUN/cold.html" || die "the cold path is not signed in"
for r in $(seq "$ROUNDS"); do
	{ signin "r${r}u1" && signin "r${r}u2"; } > "$RUN/users.$r" || die "sign-in failed"
done
# nginx's micro-cache and the fastcgi_cache are warm after one request each.
curl -fsS -o /dev/null "http://127.0.0.1:$P_FCACHE/researchers/$SLUG"
curl -fsS -o /dev/null "$SITE/researchers/$SLUG"

# Bytes on the wire of one answer of each path, as a browser asks for it
# (Accept-Encoding: gzip; wire_bytes in tests/util.sh): headers and body as
# sent. The follow POST's answer is its 303 back to the profile.
declare -A WIRE
for s in static fcache php anon signed cold follow; do
	case $s in
	static) WIRE[$s]=$(wire_bytes "http://127.0.0.1:$P_STATIC/researchers/$SLUG") ;;
	fcache) WIRE[$s]=$(wire_bytes "http://127.0.0.1:$P_FCACHE/researchers/$SLUG") ;;
	php)    WIRE[$s]=$(wire_bytes "http://127.0.0.1:$P_PHP/page.php") ;;
	anon)   WIRE[$s]=$(wire_bytes "$SITE/researchers/$SLUG") ;;
	signed) WIRE[$s]=$(wire_bytes "$SITE/researchers/$SLUG" -H "Cookie: bzs=$COOKIE_S") ;;
	cold)   WIRE[$s]=$(wire_bytes "http://127.0.0.1:$P_COLD/researchers/$SLUG" -H "Cookie: bzs=$COOKIE_S") ;;
	follow) WIRE[$s]=$(wire_bytes "$SITE/researchers/$SLUG/follow" -H "Cookie: bzs=$COOKIE_S" \
		-H 'Content-Type: application/x-www-form-urlencoded' --data-binary "csrf=$CSRF_S&action=follow") ;;
	esac || die "$s: no answer to measure"
done

# ---- rounds -------------------------------------------------------------------------

SCEN=(static fcache php anon signed cold follow)
if [ -n "${PATHS:-}" ]; then
	read -r -a SCEN <<< "$PATHS"
	RESULTS="$RUN/results.md"
fi
declare -A LABEL=(
	[static]="(1) nginx static file (ceiling)"
	[fcache]="(2) nginx fastcgi_cache hit"
	[php]="(3) PHP-FPM + Redis peer"
	[anon]="(4) anonymous, shipped config (micro-cache)"
	[signed]="(5) signed-in, page cache hit, holes filled"
	[cold]="(6) cold render from LMDB, signed in (redis off)"
	[follow]="(7) follow POST, durable commit"
)

to_ms() { # "1.23ms" / "850.00us" / "1.02s" -> ms
	awk -v v="$1" 'BEGIN { u = v; sub(/^[0-9.]+/, "", u); n = v + 0
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.2f", n }'
}

run_one() { # run_one ROUND SCENARIO
	local r=$1 s=$2 out="$RUN/wrk.$1.$2" args=() t0 t1 reqs rps p50 p99 errs
	case $s in
	static) args=("http://127.0.0.1:$P_STATIC/researchers/$SLUG") ;;
	fcache) args=("http://127.0.0.1:$P_FCACHE/researchers/$SLUG") ;;
	php)    args=("http://127.0.0.1:$P_PHP/page.php") ;;
	anon)   args=("$SITE/researchers/$SLUG") ;;
	signed) args=(-H "Cookie: bzs=$COOKIE_S" "$SITE/researchers/$SLUG") ;;
	cold)   args=(-H "Cookie: bzs=$COOKIE_S" "http://127.0.0.1:$P_COLD/researchers/$SLUG") ;;
	follow) args=(-s "$ROOT/bench/follow.lua" "$SITE") ;;
	esac
	case $s in anon|signed|cold)
		[ -n "${VISITS:-}" ] && args=(-s "$ROOT/bench/zipf.lua" "${args[@]}") ;;
	esac
	local st=""
	if [ -n "${STRACE:-}" ]; then
		local tp=() p
		case $STRACE in
		app)   for p in $(tree_pids "$PID_APP" "$PID_COLD"); do tp+=(-p "$p"); done ;;
		nginx) for p in $(tree_pids $NGINXES); do tp+=(-p "$p"); done ;;
		redis) tp=(-p "$PID_REDIS") ;;
		esac
		strace -c -f -o "$RUN/strace.$r.$s" "${tp[@]}" 2>/dev/null &
		st=$!
		sleep 0.5
	fi
	local mp md c0="" c1="" f0 f1
	case $s in cold) mp=$PID_COLD md=$P_METRICS_COLD ;; *) mp=$PID_APP md=$P_METRICS ;; esac
	if [ -n "${VISITS:-}" ]; then c0=$(cache_answers "$md"); f0=$(maj_faults "$mp"); fi
	t0=$(cpu_ticks $ROOTS)
	local n0 a0 r0 h0 n1 a1 r1 h1
	n0=$(cpu_ticks $NGINXES); a0=$(cpu_ticks "$PID_APP" "$PID_COLD")
	r0=$(cpu_ticks "$PID_REDIS"); h0=$(cpu_ticks "$PID_PHP")
	BENCH_USERS="$RUN/users.$r" BENCH_SLUGS="$RUN/slugs" BENCH_USER_PREFIX="r${r}u" \
	BENCH_EXPECT="$RUN/expect.$r" BENCH_VISITS="${VISITS:-}" BENCH_ZIPF_S="$ZIPF_S" \
		wrk -t2 -c64 -d"${DURATION}s" --timeout 10s --latency "${args[@]}" > "$out" 2>&1 ||
		{ cat "$out" >&2; die "wrk failed ($s)"; }
	t1=$(cpu_ticks $ROOTS)
	n1=$(cpu_ticks $NGINXES); a1=$(cpu_ticks "$PID_APP" "$PID_COLD")
	r1=$(cpu_ticks "$PID_REDIS"); h1=$(cpu_ticks "$PID_PHP")
	if [ -n "$st" ]; then kill -INT "$st" 2>/dev/null || true; wait "$st" 2>/dev/null || true; fi
	if [ -n "$c0" ]; then
		c1=$(cache_answers "$md"); f1=$(maj_faults "$mp")
		echo "$r $s $c0 $c1 $f0 $f1" >> "$RUN/answers.txt"
	fi
	reqs=$(awk '/requests in/ { print $1 }' "$out")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	errs=$(awk '/Non-2xx or 3xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")
	per() { awk -v d="$1" -v n="$reqs" -v hz="$HZ" 'BEGIN { printf "%.1f", n ? d * 1e6 / hz / n : 0 }'; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$s" "$rps" "$p50" "$p99" \
		"$(per $((t1 - t0)))" "$reqs" "$errs" "$(per $((n1 - n0)))" "$(per $((a1 - a0)))" \
		"$(per $((r1 - r0)))" "$(per $((h1 - h0)))" >> "$RUN/results.tsv"
	say "round $r $s: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, errors $errs"
}

: > "$RUN/results.tsv"; : > "$RUN/answers.txt"
say "$ROUNDS rounds x ${#SCEN[@]} paths x ${DURATION}s, interleaved (the order rotates each round)"
for r in $(seq "$ROUNDS"); do
	for i in $(seq 0 $(( ${#SCEN[@]} - 1 ))); do
		run_one "$r" "${SCEN[$(( (i + r - 1) % ${#SCEN[@]} ))]}"
	done
done

# ---- follow POSTs: nothing lost ------------------------------------------------------
# A (user, researcher) pair whose POSTs were all answered must be in the
# state of the last answer; a pair with a POST in flight when wrk stopped
# may be in either. Every researcher's stored count must equal its edges.
F_ANSWERED=0 F_OK=0 F_LOST=0 F_INFLIGHT=0 F_BAD=0 F_EDGES=0 F_COUNTS_BAD=0
case " ${SCEN[*]} " in
*" follow "*)
	"$BUILD/bzpeer-admin" --store "$STORE_DIR" dump > "$RUN/dump.after"
	cat "$RUN"/expect.* > "$RUN/expect.all" 2>/dev/null || true
	read -r F_ANSWERED F_OK F_LOST F_INFLIGHT F_BAD F_EDGES < <(awk '
		FILENAME == ARGV[1] {
			if ($1 == "slugs") id[$2] = $3
			else if ($1 == "follows") { u = $3; gsub(/"/, "", u); edge[$2 " " u] = 1; nedge++ }
			next
		}
		$1 == "bad" { bad += $3; next }
		$1 == "pair" {
			answered += $5
			if ($4 != $5) { inflight++; next }
			if ($6 == "-") next
			e = ((id[$3] " " $2) in edge) ? 1 : 0
			if (($6 == "followed") == e) ok++; else lost++
		}
		END { print answered + 0, ok + 0, lost + 0, inflight + 0, bad + 0, nedge + 0 }
	' "$RUN/dump.after" "$RUN/expect.all")
	# Stored counts against edges, for every researcher that has either.
	F_COUNTS_BAD=0
	for s in $(awk '{ print $3 }' "$RUN/expect.all" | sort -u | grep -v '^[0-9]*$' | head -n 2000); do
		"$BUILD/bzpeer-admin" --store "$STORE_DIR" follows "$s" >/dev/null 2>>"$RUN/counts-bad.log" ||
			F_COUNTS_BAD=$((F_COUNTS_BAD + 1))
	done
	;;
esac

# ---- memory, render in-process, instructions ---------------------------------------------
MEM_MAX=0; MEM_LINE=""
for p in $(tree_pids "$PID_APP" "$PID_COLD"); do
	[ "$p" = "$PID_APP" ] || [ "$p" = "$PID_COLD" ] && continue
	kb=$(awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
	rss=$(awk '/^Rss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
	MEM_LINE="$MEM_LINE $((kb / 1024)).$(( (kb % 1024) * 10 / 1024 ))"
	[ "$kb" -gt "$MEM_MAX" ] && MEM_MAX=$kb && MEM_RSS=$rss
done
stop_all
trap - EXIT

say "render in-process (no servers running)"
if [ -n "${PATHS:-}" ]; then
	echo "render_us - - - - - - (skipped with PATHS)" > "$RUN/render.txt"
else
	"$BUILD/bench/render" --store "$STORE_DIR" --views "$ROOT/views" --iterations 20000 > "$RUN/render.txt"
fi
cat "$RUN/render.txt" >&2
R_MED=$(awk '/^render_us/ { print $3 }' "$RUN/render.txt")
R_P99=$(awk '/^render_us/ { print $7 }' "$RUN/render.txt")
IR_PER=""
if [ -z "${PATHS:-}" ] && command -v valgrind >/dev/null; then
	ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BUILD/bench/render" \
		--store "$STORE_DIR" --views "$ROOT/views" --iterations "$1" --quiet 2>&1 |
		awk '/Collected :/ { print $NF }'; }
	I1=$(ir 300); I2=$(ir 800)   # both past the 200 warm-up renders
	[ -n "$I1" ] && [ -n "$I2" ] && IR_PER=$(( (I2 - I1) / 500 ))
fi

# ---- the table ----------------------------------------------------------------------------

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v s="$1" -v c="$2" '$2 == s { print $c }' "$RUN/results.tsv" | median; }
declare -A RPS P50 P99 CPU ERR CN CA CR CP
for s in static fcache php anon signed cold follow; do
	RPS[$s]=0; P50[$s]=0; P99[$s]=0; CPU[$s]=0; ERR[$s]=0; CN[$s]=0; CA[$s]=0; CR[$s]=0; CP[$s]=0
done
for s in "${SCEN[@]}"; do
	RPS[$s]=$(col "$s" 3); P50[$s]=$(col "$s" 4); P99[$s]=$(col "$s" 5); CPU[$s]=$(col "$s" 6)
	CN[$s]=$(col "$s" 9); CA[$s]=$(col "$s" 10); CR[$s]=$(col "$s" 11); CP[$s]=$(col "$s" 12)
	ERR[$s]=$(awk -F'\t' -v s="$s" '$2 == s { n += $8 } END { print n + 0 }' "$RUN/results.tsv")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "MISSED" }'; }
verdict_le() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "met" : "MISSED" }'; }

OUT="$RUN/results-block.md"
{
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) vCPU ($(uname -r)), load average before the run $LOAD0, after $(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')."
	echo "$ROUNDS interleaved rounds (order rotated each round), \`wrk -t2 -c64 -d${DURATION}s\` on 127.0.0.1,"
	echo "page \`/researchers/$SLUG\` = $PAGE_BYTES bytes, $WORKERS bzpeer-fcgi workers, $WORKERS php-fpm children,"
	echo "Redis maxmemory ${REDIS_MB:-64} MB (allkeys-lru), page_cache_mb ${PAGE_CACHE_MB:-64} (the app's node-local cache), page_cache_admit ${PAGE_CACHE_ADMIT:-2},"
	echo "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'), 2 nginx workers (the cold path: a second nginx, the same site), access log off. Medians over the rounds;"
	echo "server CPU = utime+stime of nginx, both bzpeer-fcgi, Redis and php-fpm (all their processes) per request."
	echo
	echo "| path | req/s | p50 ms | p99 ms | ÷ (1) static | ÷ (3) PHP peer | server CPU µs/req | bytes on the wire (gzip) | errors |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for s in "${SCEN[@]}"; do
		printf '| %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$s]}" "${RPS[$s]}" \
			"${P50[$s]}" "${P99[$s]}" "$(ratio "${RPS[$s]}" "${RPS[static]}")" \
			"$(ratio "${RPS[$s]}" "${RPS[php]}")" "${CPU[$s]}" "${WIRE[$s]}" "${ERR[$s]}"
	done
	echo
	echo "Server CPU µs per request by process (medians): nginx / bzpeer-fcgi / Redis / php-fpm"
	echo
	echo '```'
	for s in "${SCEN[@]}"; do
		printf '%-8s %7s %7s %7s %7s\n' "$s" "${CN[$s]}" "${CA[$s]}" "${CR[$s]}" "${CP[$s]}"
	done
	echo '```'
	echo
	if [ -n "${VISITS:-}" ]; then
		echo "Visits: $(grep -c . "$VISITS") researchers' profiles, the one of rank r (\`$(basename "$VISITS")\`'s line r) with probability ∝ 1/r^$ZIPF_S (\`bench/zipf.lua\`)."
		echo "How the app answered (its /metrics, summed over the rounds: node-local page cache hit, Redis hit, rendered on a miss, rendered with caching off) and its major page faults per request (/proc/PID/stat, every worker):"
		echo
		echo "| path | page cache | Redis | miss, rendered | off, rendered | major faults / request |"
		echo "|---|---:|---:|---:|---:|---:|"
		for s in "${SCEN[@]}"; do
			awk -v s="$s" -v l="${LABEL[$s]}" '$2 == s {
					for (i = 0; i < 4; i++) d[i] += $(7 + i) - $(3 + i)
					f += $12 - $11 }
				END { t = d[0] + d[1] + d[2] + d[3]; if (!t) exit
					printf "| %s | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.2f |\n", l,
					    100 * d[0] / t, 100 * d[1] / t, 100 * d[2] / t, 100 * d[3] / t, f / t }' "$RUN/answers.txt"
		done
		echo
	fi
	echo "Per round (req/s):"
	echo
	echo '```'
	for s in "${SCEN[@]}"; do
		printf '%-8s' "$s"; awk -F'\t' -v s="$s" '$2 == s { printf " %10.0f", $3 } END { print "" }' "$RUN/results.tsv"
	done
	echo '```'
	echo
	if [ -z "${PATHS:-}" ]; then
		echo "| target | measured | |"
		echo "|---|---:|---|"
		a=$(ratio "${RPS[anon]}" "${RPS[static]}");   echo "| anonymous hot path ≥ 0.75 × static | $a | $(verdict "$a" 0.75) |"
		a=$(ratio "${RPS[signed]}" "${RPS[static]}"); echo "| signed-in page cache hit ≥ 0.35 × static | $a | $(verdict "$a" 0.35) |"
		a=$(ratio "${RPS[signed]}" "${RPS[cold]}");   echo "| signed-in ≥ 1.3 × the cold render | $a | $(verdict "$a" 1.3) |"
		a=$(ratio "${RPS[cold]}" "${RPS[static]}");   echo "| cold LMDB render ≥ 0.20 × static | $a | $(verdict "$a" 0.20) |"
		a=$(ratio "${RPS[signed]}" "${RPS[php]}");    echo "| signed-in ≥ 2.5 × PHP-FPM+Redis | $a | $(verdict "$a" 2.5) |"
		echo "| render in-process ≤ 30 µs median | $R_MED (p99 $R_P99) | $(verdict_le "$R_MED" 30) |"
		echo "| worker private memory ≤ 16 MB | $(( MEM_MAX / 1024 )).$(( (MEM_MAX % 1024) * 10 / 1024 )) MB (max over workers; RSS $(( ${MEM_RSS:-0} / 1024 )) MB) | $(verdict_le "$(( MEM_MAX / 1024 ))" 16) |"
		f_ok=met; { [ "$F_LOST" = 0 ] && [ "$F_BAD" = 0 ] && [ "$F_COUNTS_BAD" = 0 ] && [ "${ERR[follow]}" = 0 ]; } || f_ok=MISSED
		[ "$(awk -v v="${RPS[follow]}" 'BEGIN { print (v >= 1000) }')" = 1 ] || f_ok=MISSED
		echo "| follow POSTs ≥ 1,000/s durable, none lost | $(printf '%.0f' "${RPS[follow]}")/s; $F_ANSWERED answered, $F_OK pairs checked right, $F_LOST lost, $F_INFLIGHT in flight at the stop, $F_COUNTS_BAD counts ≠ edges | $f_ok |"
		echo
		echo "Render in-process (\`bench/render\`, the sample profile, store read + template + fill, 20,000 renders):"
		echo "median $R_MED µs, p99 $R_P99 µs$( [ -n "$IR_PER" ] && echo "; callgrind: $IR_PER instructions per render" )."
	fi
	echo "Worker private memory (Private_Clean + Private_Dirty, MB, each worker of both servers):$MEM_LINE."
} > "$OUT"

replace_block "$RESULTS" bench "$OUT"
cat "$OUT"
say "written to $RESULTS (raw: $RUN/results.tsv, wrk output: $RUN/wrk.*)"
