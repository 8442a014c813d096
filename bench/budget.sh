#!/bin/bash
# budget.sh: `make budget`. What one profile GET costs each server, counted
# rather than timed, so that a busy machine gives the same figures as a
# quiet one: per request, the context switches and system calls of the
# bzpeer-fcgi worker, Redis and nginx's workers, and the user-space
# instructions of the worker, Redis and nginx (callgrind). `make bench` times the
# same paths; this says what the time is made of.
#
#   BUILD  where the binaries are (default build)
#   N      requests counted per path and pass (default 400)
#   PATHS  which paths (default "hit redis cold"):
#     hit    signed in, the page from this node's page cache (the shipped path)
#     redis  signed in, the page from Redis (page_cache_mb = 0): the hit
#            before the node's cache
#     cold   rendered from LMDB on every request (redis = off, page_cache_mb = 0)
#     A build without page_cache_mb (an older one) runs its signed-in Redis
#     hit as "redis" and its cold path; "hit" is skipped.
#
# Each path gets a private stack (tests/stack.sh: Redis, one bzpeer-fcgi
# worker, nginx with the shipped site, micro-cache off) and passes of
# N requests on one kept client connection (curl), after a warm-up: plain
# (voluntary context switches, that is sleeps and wake-ups, from
# /proc/PID/status; involuntary ones are preemption by whatever else runs;
# and CPU time from /proc/PID/schedstat, which a busy machine inflates
# somewhat: a hint, where the counts are the figures), under strace -c -f (system
# calls; strace adds switches of its own, so they are counted apart), and
# with the worker, Redis and nginx (as one process, `master_process off`)
# under callgrind (two runs, with and without the N requests: the
# difference of their totals; Redis's 10 Hz timer adds a little to its
# figure). nginx's figures include its access-log line (the stack's site
# logs; bench.sh's does not). Every process is stopped by its PID.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
N=${N:-400}
PATHS=${PATHS:-hit redis cold}
OUT="$BUILD/budget"
SLUG=sanjeev-arora

say() { echo "budget: $*" >&2; }
die() { say "$*"; exit 1; }
command -v strace >/dev/null || die "strace is missing"
command -v valgrind >/dev/null || die "valgrind is missing"
[ -x "$BUILD/bzpeer-fcgi" ] || die "build first: make BUILD=$BUILD"
. "$ROOT/tests/util.sh"   # free_port, wait_for, pid_alive

HAS_PC=0
# grep reads it all: with -q it could stop early, and the SIGPIPE that the
# writer then gets fails the pipeline (pipefail).
"$BUILD/bzpeer-fcgi" --help-config 2>/dev/null | grep '`page_cache_mb`' >/dev/null && HAS_PC=1

rm -rf "$OUT"; mkdir -p "$OUT/store"
"$BUILD/bzpeer-import" --store "$OUT/store" --authors "$ROOT/store/sample/authors.jsonl" \
	--works "$ROOT/store/sample/works.jsonl" >"$OUT/import.log" 2>&1 || die "import failed"

# The callgrind pass: bzpeer-fcgi, redis-server and nginx wrapped, the rest as built.
VG="$OUT/vg"; mkdir -p "$VG/bin" "$VG/build/tests"
for f in bzpeer-import bzpeer-admin; do ln -s "$BUILD/$f" "$VG/build/$f"; done
cat >"$VG/build/bzpeer-fcgi" <<SH
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$VG/cg.%p "$BUILD/bzpeer-fcgi" "\$@"
SH
cat >"$VG/bin/redis-server" <<SH
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$VG/cg.%p $(command -v redis-server) "\$@"
SH
# nginx as one process (no master, no workers), so that callgrind sees
# the process that serves.
cat >"$VG/bin/nginx" <<SH
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$VG/cg.%p ${NGINX:-/usr/sbin/nginx} -g 'master_process off;' "\$@"
SH
chmod +x "$VG/build/bzpeer-fcgi" "$VG/bin/redis-server" "$VG/bin/nginx"

RUNDIR=
cleanup() { [ -z "$RUNDIR" ] || RUNDIR="$RUNDIR" BUILD="$SB" "$ROOT/tests/stack.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

# stack PATH BUILD-DIR: starts the stack for that path; sets RUNDIR, PORT, SB.
stack() {
	local p=$1 extra=""
	SB=$2; RUNDIR="$OUT/run.$p"; PORT=$(free_port)
	rm -rf "$RUNDIR"
	case $p in
	hit)   REDIS=1 ;;
	redis) REDIS=1; [ "$HAS_PC" = 1 ] && extra="page_cache_mb = 0" ;;
	cold)  REDIS=0; [ "$HAS_PC" = 1 ] && extra="page_cache_mb = 0" ;;
	esac
	RUNDIR="$RUNDIR" BUILD="$SB" STORE="$OUT/store" PORT=$PORT WORKERS=1 REDIS=$REDIS \
	MICROCACHE=0 BZPEER_CONF_EXTRA="redis_timeout_ms = 2000
$extra" "$ROOT/tests/stack.sh" start >"$OUT/stack.$p.log" 2>&1 || { cat "$OUT/stack.$p.log" >&2; die "$p: stack"; }
}
unstack() { RUNDIR="$RUNDIR" BUILD="$SB" "$ROOT/tests/stack.sh" stop >/dev/null 2>&1 || true; RUNDIR=; }

worker() { tr ' ' '\n' <"/proc/$(cat "$RUNDIR/bzpeer-fcgi.pid")/task/$(cat "$RUNDIR/bzpeer-fcgi.pid")/children" | grep . | head -n1; }
ngx_workers() { local m; m=$(cat "$RUNDIR/nginx.pid"); tr ' ' '\n' <"/proc/$m/task/$m/children" | grep .; }
redis_pid() { [ -f "$RUNDIR/redis.pid" ] && cat "$RUNDIR/redis.pid" || true; }
ctx() { # ctx PID...: voluntary switches (sleeps), summed
	local p s=0
	for p in "$@"; do
		s=$((s + $(awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }' "/proc/$p/status")))
	done
	echo "$s"
}
cpu_ns() { # cpu_ns PID...: time on a CPU, summed (/proc/PID/schedstat, ns)
	local p s=0
	for p in "$@"; do s=$((s + $(cut -d' ' -f1 "/proc/$p/schedstat"))); done
	echo "$s"
}
# load COUNT: COUNT signed-in (or, cold, anonymous) GETs on one connection.
load() {
	local i
	{ for i in $(seq "$1"); do echo "url = \"http://127.0.0.1:$PORT/researchers/$SLUG\""; echo 'output = "/dev/null"'; done; } >"$OUT/curl.cfg"
	curl -s -b "$OUT/jar" -K "$OUT/curl.cfg" || die "curl failed"
}
signin() {
	curl -fsS -o /dev/null -c "$OUT/jar" -u demo:demo "http://127.0.0.1:$PORT/login?next=/" || die "sign-in failed"
}
per() { awk -v a="$1" -v n="$N" 'BEGIN { printf "%.2f", a / n }'; }
# strace -c: "% time, seconds, usecs/call, calls, [errors,] syscall".
calls() { awk '$NF == "total" { print $4 + 0 }' "$1"; }

TSV="$OUT/budget.tsv"
printf 'path\tcache\tvcsw_worker\tvcsw_redis\tvcsw_nginx\tsys_worker\tsys_redis\tsys_nginx\tir_worker\tir_redis\tir_nginx\tcpu_us_worker\tcpu_us_redis\tcpu_us_nginx\n' >"$TSV"
for p in $PATHS; do
	[ "$p" = hit ] && [ "$HAS_PC" = 0 ] && { say "hit: this build has no page cache; skipped"; continue; }
	say "$p: plain and strace passes"
	stack "$p" "$BUILD"
	signin   # every path signed in: the same holes filled
	load 20
	curl -s -o /dev/null -D "$OUT/h.$p" -b "$OUT/jar" "http://127.0.0.1:$PORT/researchers/$SLUG"
	cache=$(awk -F': ' 'tolower($1) == "x-bzpeer-cache" { sub(/\r$/, "", $2); print $2 }' "$OUT/h.$p")
	w=$(worker); r=$(redis_pid); ng=$(ngx_workers | tr '\n' ' ')
	c0w=$(ctx "$w"); c0r=0; [ -n "$r" ] && c0r=$(ctx "$r"); c0n=$(ctx $ng)
	t0w=$(cpu_ns "$w"); t0r=0; [ -n "$r" ] && t0r=$(cpu_ns "$r"); t0n=$(cpu_ns $ng)
	load "$N"
	c1w=$(ctx "$w"); c1r=0; [ -n "$r" ] && c1r=$(ctx "$r"); c1n=$(ctx $ng)
	t1w=$(cpu_ns "$w"); t1r=0; [ -n "$r" ] && t1r=$(cpu_ns "$r"); t1n=$(cpu_ns $ng)
	strace -c -f -o "$OUT/strace.$p.worker" -p "$w" 2>/dev/null & s1=$!
	s2=""; [ -n "$r" ] && { strace -c -f -o "$OUT/strace.$p.redis" -p "$r" 2>/dev/null & s2=$!; }
	tp=(); for q in $ng; do tp+=(-p "$q"); done
	strace -c -f -o "$OUT/strace.$p.nginx" "${tp[@]}" 2>/dev/null & s3=$!
	sleep 1
	load "$N"
	sleep 0.5
	kill -INT $s1 $s3 ${s2:+$s2} 2>/dev/null || true
	wait $s1 $s3 ${s2:+$s2} 2>/dev/null || true
	sw=$(calls "$OUT/strace.$p.worker"); sn=$(calls "$OUT/strace.$p.nginx"); sr=0
	[ -n "$r" ] && sr=$(calls "$OUT/strace.$p.redis")
	unstack

	# Instructions: two runs under callgrind, the warm-up alone and the
	# warm-up with N requests; the difference of the totals at exit,
	# divided by N. (callgrind_control cannot reach a forked worker.)
	for pass in base count; do
		say "$p: callgrind pass ($pass)"
		rm -f "$VG"/cg.*
		PATH="$VG/bin:$PATH" NGINX="$VG/bin/nginx" stack "$p" "$VG/build"
		signin
		load 20
		w=$(worker); r=$(redis_pid); n=$(cat "$RUNDIR/nginx.pid")
		[ "$pass" = base ] || load "$N"
		unstack
		ir() { awk '/^totals:/ { print $2; exit }' "$VG/cg.$1"; }
		if [ "$pass" = base ]; then
			b_w=$(ir "$w"); b_r=0; [ -z "$r" ] || b_r=$(ir "$r"); b_n=$(ir "$n")
		else
			irw=$(( $(ir "$w") - b_w )); irr=0; [ -z "$r" ] || irr=$(( $(ir "$r") - b_r ))
			irn=$(( $(ir "$n") - b_n ))
			cp "$VG/cg.$w" "$OUT/callgrind.$p.worker"   # for callgrind_annotate
			cp "$VG/cg.$n" "$OUT/callgrind.$p.nginx"
		fi
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$cache" \
		"$(per $((c1w - c0w)))" "$(per $((c1r - c0r)))" "$(per $((c1n - c0n)))" \
		"$(per "$sw")" "$(per "$sr")" "$(per "$sn")" \
		"$(per "${irw:-0}")" "$(per "${irr:-0}")" "$(per "${irn:-0}")" \
		"$(per $(( (t1w - t0w) / 1000 )))" "$(per $(( (t1r - t0r) / 1000 )))" \
		"$(per $(( (t1n - t0n) / 1000 )))" >>"$TSV"
	# The system calls by name, per request, for the written budget.
	for f in worker redis nginx; do
		[ -f "$OUT/strace.$p.$f" ] || continue
		awk -v n="$N" -v who="$f" -v p="$p" '$1 ~ /^[0-9.]+$/ && $NF != "total" {
			printf "%s %s %s %.2f\n", p, who, $NF, $4 / n }' "$OUT/strace.$p.$f"
	done >>"$OUT/syscalls.txt"
done
column -t -s $'\t' "$TSV"
echo
sort -k1,1 -k2,2 -k4,4gr "$OUT/syscalls.txt" 2>/dev/null | awk '$4 >= 0.05' || true
say "written to $TSV and $OUT/syscalls.txt"
