#!/bin/bash
# scale.sh: `make bench-scale` (issue 6): import rate, store size and render
# latency of synthetic catalogs of growing size (bench/gencat.c: N
# researchers, 10 N works, OpenAlex JSON Lines .gz).
#
#   BUILD        where the binaries are (make passes it; default build)
#   SCALE_SIZES  researcher counts (default "1000 100000"; the issue's full
#                test is SCALE_SIZES="1000 1000000": about 10 M works, 3.3 GB
#                of .gz, an 11 GB store and, at the import rate measured here,
#                tens of minutes; the disk is checked first)
#   RESULTS      the Markdown file whose scale block is replaced (default
#                bench/results.md)
#   KEEP=1       keep the catalogs and stores under $BUILD/bench-scale
#
# Per size: generate (not timed as part of the import), import with
# bzpeer-import (wall time and CPU time; works per second = works / wall),
# the store's size, then bench/render over 2,000 researchers of that store
# taken at random (20,000 renders, each a different researcher in turn, so
# the B-tree is walked cold-ish rather than one hot page) and over the
# sample profile-sized hottest case: the first researcher alone.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
SIZES=${SCALE_SIZES:-1000 100000}
RESULTS=${RESULTS:-$ROOT/bench/results.md}
DIR="$BUILD/bench-scale"

say() { echo "scale: $*" >&2; }
die() { say "$*"; exit 1; }
[ -x "$BUILD/bench/gencat" ] && [ -x "$BUILD/bench/render" ] && [ -x "$BUILD/bzpeer-import" ] ||
	die "build first: make BUILD=$BUILD bench"

rm -rf "$DIR"; mkdir -p "$DIR"
OUT="$DIR/results-block.md"
{
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) vCPU, load average before the run $(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')."
	echo "Synthetic catalogs (\`bench/gencat\`: N researchers, 10 N works of ~1.6 KB, about 15 works per researcher)."
	echo
	echo "| researchers | works | .gz input | import wall s | import CPU s | works/s (wall) | works/s per CPU-s | store | render median µs | p99 µs | hot median µs |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$OUT"

declare -A MED
for n in $SIZES; do
	d="$DIR/$n"; mkdir -p "$d"
	# About 3.4 KB of .gz and 11 KB of store per work, with room to spare.
	need=$(( n * 10 * 16 / 1024 ))   # MiB
	avail=$(df -Pm "$DIR" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt "$need" ] || die "$n researchers need about $need MiB; $avail MiB free"
	say "$n researchers: generating"
	"$BUILD/bench/gencat" "$n" "$d" 2>/dev/null
	say "$n researchers: importing $(( n * 10 )) works"
	t0=$(date +%s.%N)
	( time -p "$BUILD/bzpeer-import" --store "$d/store" --authors "$d/authors.jsonl.gz" \
		--works "$d/works.jsonl.gz" ) > "$d/import.log" 2>&1 ||
		{ tail "$d/import.log" >&2; die "import failed"; }
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	cpu=$(awk '$1 == "user" || $1 == "sys" { s += $2 } END { printf "%.1f", s }' "$d/import.log")
	gz=$(du -cb "$d"/*.jsonl.gz | awk 'END { printf "%.0f MB", $1 / 1e6 }')
	size=$(du -b "$d/store/data.mdb" | awk '{ printf "%.0f MB", $1 / 1e6 }')
	# 2,000 researchers at random (the dump lists slugs before works:
	# stop reading there).
	{ "$BUILD/bzpeer-admin" --store "$d/store" dump || true; } |
		awk '$1 == "slugs" { print $2 } $1 == "names" { exit }' |
		shuf -n 2000 --random-source=<(yes) > "$d/slugs"
	"$BUILD/bench/render" --store "$d/store" --views "$ROOT/views" \
		--slugs "$d/slugs" --iterations 20000 > "$d/render.txt"
	"$BUILD/bench/render" --store "$d/store" --views "$ROOT/views" \
		--slug "$(head -n1 "$d/slugs")" --iterations 20000 > "$d/render-hot.txt"
	med=$(awk '/^render_us/ { print $3 }' "$d/render.txt")
	p99=$(awk '/^render_us/ { print $7 }' "$d/render.txt")
	hot=$(awk '/^render_us/ { print $3 }' "$d/render-hot.txt")
	MED[$n]=$med
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$(( n * 10 ))" "$gz" \
		"$wall" "$cpu" "$(awk -v w=$((n * 10)) -v t="$wall" 'BEGIN { printf "%.0f", w / t }')" \
		"$(awk -v w=$((n * 10)) -v t="$cpu" 'BEGIN { printf "%.0f", t > 0 ? w / t : 0 }')" \
		"$size" "$med" "$p99" "$hot" >> "$OUT"
	say "$n: import ${wall}s wall (${cpu}s CPU), store $size, render median ${med} µs (p99 ${p99})"
	[ "${KEEP:-0}" = 1 ] || rm -f "$d"/*.jsonl.gz
done

set -- $SIZES
small=$1; large=${!#}
{
	echo
	echo "Render median at $large researchers ÷ at $small: $(awk -v a="${MED[$large]}" -v b="${MED[$small]}" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }') (target ≤ 1.3)."
} >> "$OUT"
[ "${KEEP:-0}" = 1 ] || rm -rf "$DIR"/*/store

if [ -f "$RESULTS" ] && grep -q '<!-- scale:begin -->' "$RESULTS"; then
	awk -v blk="$OUT" '
		/<!-- scale:begin -->/ { print; while ((getline l < blk) > 0) print l; skip = 1; next }
		/<!-- scale:end -->/ { skip = 0 }
		!skip' "$RESULTS" > "$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
else
	{ [ -f "$RESULTS" ] || echo "# Benchmark results"; echo; echo "<!-- scale:begin -->"; cat "$OUT"; echo "<!-- scale:end -->"; } >> "$RESULTS"
fi
cat "$OUT"
