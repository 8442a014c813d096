#!/bin/bash
# import-load.sh: follow POST latency while a big import runs, against the
# same with no import (`make bench-import-load`; never part of `make test`).
#
#   bench/import-load.sh [WORKS]      WORKS: works to import (default 100000;
#                                     bench/gencat makes WORKS/10 researchers)
#   RATE=20   follow POSTs per second (one client, one at a time, bounded)
#   IDLE=30   seconds of follows with no import
#   MODE=in-place | into-new          the import into the serving catalog
#                                     (its writer held for the whole run), or
#                                     beside it (bzpeer-import --into-new)
#   RESULTS=bench/results.md          where the table is appended
#
# A stack of tests/stack.sh (nginx, bzpeer-fcgi with 4 workers, Redis) on
# the sample catalog, under $BUILD/import-load. Follows go through nginx as
# a signed-in user's JSON POSTs, each to the next researcher of the sample
# catalog, follow then unfollow, so every POST is a durable commit of user
# data. Latency is curl's time_total of each POST. Then the import of the
# generated catalog starts and the same follows are posted until it ends.
# The load average (1 min) is read at the start and end of each phase: the
# machine may be shared.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
WORKS=${1:-100000}
RATE=${RATE:-20}
IDLE=${IDLE:-30}
MODE=${MODE:-in-place}
RESULTS=${RESULTS:-$ROOT/bench/results.md}
D="$BUILD/import-load"
export STORE="$D/store" RUNDIR="$D/run" BUILD PORT=${PORT:-18473} WORKERS=4 MICROCACHE=0
export BZPEER_CONF_EXTRA=$'post_rate = 100000\npost_rate_addr = 1000000'

say() { echo "import-load: $*" >&2; }
die() { say "$*"; exit 1; }
[ -x "$BUILD/bzpeer-import" ] && [ -x "$BUILD/bench/gencat" ] ||
	die "build first: make all $BUILD/bench/gencat"
case "$MODE" in in-place|into-new) ;; *) die "MODE is in-place or into-new" ;; esac

stop() { "$ROOT/tests/stack.sh" stop >/dev/null 2>&1 || true; }
trap stop EXIT
rm -rf "$D"; mkdir -p "$D"
n_res=$(( (WORKS + 9) / 10 ))
say "generating $WORKS works ($n_res researchers)"
mkdir -p "$D/cat" && "$BUILD/bench/gencat" "$n_res" "$D/cat" >/dev/null 2>"$D/gencat.err" || { cat "$D/gencat.err" >&2; die "gencat failed"; }
"$ROOT/tests/stack.sh" start >"$D/stack.log" 2>&1 || { cat "$D/stack.log" >&2; die "stack failed"; }
BASE="http://127.0.0.1:$PORT"

# A session of user BENCH, made with the app's key (as tests/e2e/lib.sh does).
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
KEYHEX=$(od -An -tx1 -v "$RUNDIR/secret" | tr -d ' \n')
hmac() { printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEYHEX" -binary | b64url; }
u=bench-follower; i=$(date +%s%3N); e=$(( $(date +%s) + 7200 ))
COOKIE="$(printf '%s' "$u" | b64url).$i.$e.$(hmac "bzs2|$u|$i.$e")"
CSRF=$(hmac "csrf1|$COOKIE|")
"$BUILD/bzpeer-admin" --store "$STORE" dump |
	sed -n 's/^researchers A[0-9]* .* slug="\([^"]*\)".*/\1/p' >"$D/slugs"
mapfile -t SLUGS <"$D/slugs"
[ "${#SLUGS[@]}" -gt 10 ] || die "no researchers to follow"

# follows PHASE: POSTs at RATE per second until $D/PHASE.stop exists;
# "status seconds" lines in $D/PHASE.lat.
N=0
follows() {
	local phase=$1 gap act s
	gap=$(awk -v r="$RATE" 'BEGIN { printf "%.4f", 1 / r }')
	: >"$D/$phase.lat"
	while [ ! -e "$D/$phase.stop" ]; do
		s=${SLUGS[$((N % ${#SLUGS[@]}))]}
		act=follow; [ $(( (N / ${#SLUGS[@]}) % 2 )) = 1 ] && act=unfollow
		N=$((N + 1))
		curl -s -o /dev/null --max-time 20 -w '%{http_code} %{time_total}\n' \
			-b "bzs=$COOKIE" -H 'Accept: application/json' \
			-H 'Content-Type: application/x-www-form-urlencoded' \
			--data-binary "csrf=$CSRF&action=$act" "$BASE/researchers/$s/follow" >>"$D/$phase.lat"
		sleep "$gap"
	done
}
loadavg() { cut -d' ' -f1 /proc/loadavg; }
pct() { # pct FILE P: the P-th percentile of the seconds of 200 answers, in ms
	awk '$1 == 200 { print $2 * 1000 }' "$1" | sort -g |
		awk -v p="$2" '{ v[NR] = $1 } END { if (!NR) { print "-"; exit }
			i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; printf "%.1f", v[i] }'
}
count() { wc -l <"$1" | tr -d ' '; }
not200() { awk '$1 != 200' "$1" | wc -l | tr -d ' '; }

say "idle: $IDLE s of follows at $RATE/s"
la_idle0=$(loadavg)
( sleep "$IDLE"; touch "$D/idle.stop" ) &
follows idle
la_idle1=$(loadavg)

say "during the import of $WORKS works ($MODE)"
args=(--store "$STORE" --authors "$D/cat/authors.jsonl.gz" --works "$D/cat/works.jsonl.gz")
[ "$MODE" = into-new ] && args+=(--into-new)
la_imp0=$(loadavg)
t0=$(date +%s.%N)
( "$BUILD/bzpeer-import" "${args[@]}" >"$D/import.log" 2>&1; echo $? >"$D/import.rc"
	touch "$D/import.stop" ) &
follows import
t1=$(date +%s.%N)
la_imp1=$(loadavg)
[ "$(cat "$D/import.rc")" = 0 ] || { cat "$D/import.log" >&2; die "the import failed"; }
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')

p50i=$(pct "$D/idle.lat" 50) p99i=$(pct "$D/idle.lat" 99) maxi=$(pct "$D/idle.lat" 100)
p50m=$(pct "$D/import.lat" 50) p99m=$(pct "$D/import.lat" 99) maxm=$(pct "$D/import.lat" 100)
ratio=$(awk -v a="$p99m" -v b="$p99i" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 2.0) ? "met" : "MISSED" }')
{
	echo
	echo "## Follow POSTs during an import ($(date -u +%Y-%m-%d), \`bench/import-load.sh $WORKS\`, MODE=$MODE)"
	echo
	echo "One signed-in client through nginx, $RATE follow/unfollow POSTs a second, each a durable"
	echo "commit of user data; $(nproc) CPUs shared with whatever else runs (load average below)."
	echo "Import: $(tail -n1 "$D/import.log" | sed 's/^bzpeer-import: //') ($secs s of follows meanwhile)."
	echo
	echo "| phase | POSTs | not 200 | p50 ms | p99 ms | max ms | load avg (start → end) |"
	echo "|---|---|---|---|---|---|---|"
	echo "| idle | $(count "$D/idle.lat") | $(not200 "$D/idle.lat") | $p50i | $p99i | $maxi | $la_idle0 → $la_idle1 |"
	echo "| during the import | $(count "$D/import.lat") | $(not200 "$D/import.lat") | $p50m | $p99m | $maxm | $la_imp0 → $la_imp1 |"
	echo
	echo "p99 during / idle: $ratio (target ≤ 2.0: $verdict)."
} | tee -a "$RESULTS"
