#!/bin/bash
# scale.sh: `make bench-scale`: import rate, store size and render
# latency of synthetic catalogs of growing size (bench/gencat.c: N
# researchers, 10 N works, OpenAlex JSON Lines .gz).
#
#   BUILD        where the binaries are (make passes it; default build)
#   SCALE_SIZES  researcher counts (default "1000 100000"; the issue's full
#                test is SCALE_SIZES="1000 1000000": 10 M works, 3.4 GB
#                of .gz, a 12 GB store and, at the import rate measured here,
#                10-15 minutes of import; the disk is checked first)
#   RESULTS      the Markdown file whose scale block is replaced (default
#                bench/results.md)
#   SCALE_LINES  "lean" (default: work lines of ~1.9 KB) or "full" (~6.8 KB,
#                every member a real snapshot line has: gencat --full)
#   SCALE_ROUNDS render rounds (default 3)
#   KEEP=1       keep the catalogs and stores under $BUILD/bench-scale
#
# Per size: generate (not timed as part of the import), import with
# bzpeer-import (wall time and CPU time; works per second = works / wall),
# the store's size. Then, in rounds alternating between the sizes,
# bench/render over 2,000 researchers of each store taken at random (20,000
# renders, each a different researcher in turn, so the B-tree is walked
# cold-ish rather than one hot page) and one researcher alone ("hot").
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
SIZES=${SCALE_SIZES:-1000 100000}
LINES=${SCALE_LINES:-lean}
case "$LINES" in
lean) GENOPT=(); LINEDESC="~1.9 KB" ;;
full) GENOPT=(--full); LINEDESC="~6.8 KB, every member of a real snapshot line (\`--full\`)" ;;
*) echo "scale: SCALE_LINES is lean or full" >&2; exit 1 ;;
esac
RESULTS=${RESULTS:-$ROOT/bench/results.md}
DIR="$BUILD/bench-scale"

. "$ROOT/tests/util.sh"   # replace_block
say() { echo "scale: $*" >&2; }
die() { say "$*"; exit 1; }
[ -x "$BUILD/bench/gencat" ] && [ -x "$BUILD/bench/render" ] && [ -x "$BUILD/bzpeer-import" ] ||
	die "build first: make BUILD=$BUILD bench"

rm -rf "$DIR"; mkdir -p "$DIR"
OUT="$DIR/results-block.md"
{
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) vCPU, load average before the run $(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')."
	echo "Synthetic catalogs (\`bench/gencat\`: N researchers, 10 N works of $LINEDESC, the first author of work j is researcher j/10)."
	echo "Import: \`bzpeer-import\` with its default threads; CPU s = user + system of the whole process."
	echo
	echo "| researchers | works | .gz input | import wall s | import CPU s | works/s (wall) | works/s per CPU-s | store | render median µs | p99 µs | hot median µs |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$OUT"

declare -A ROW MED
for n in $SIZES; do
	d="$DIR/$n"; mkdir -p "$d"
	# About 0.35 KB of .gz and 1.2 KB of store per work (lean; full lines
	# about three times that), with room to spare.
	need=$(( n * 10 * 2 / 1024 ))   # MiB
	[ "$LINES" = lean ] || need=$(( need * 3 ))
	avail=$(df -Pm "$DIR" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt "$need" ] || die "$n researchers need about $need MiB; $avail MiB free"
	say "$n researchers: generating"
	"$BUILD/bench/gencat" "$n" "$d" ${GENOPT[@]+"${GENOPT[@]}"} 2>/dev/null
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
	ROW[$n]=$(printf '| %s | %s | %s | %s | %s | %s | %s | %s' "$n" "$(( n * 10 ))" "$gz" \
		"$wall" "$cpu" "$(awk -v w=$((n * 10)) -v t="$wall" 'BEGIN { printf "%.0f", w / t }')" \
		"$(awk -v w=$((n * 10)) -v t="$cpu" 'BEGIN { printf "%.0f", (t > 0) ? w / t : 0 }')" "$size")
	say "$n: import ${wall}s wall (${cpu}s CPU), store $size"
	[ "${KEEP:-0}" = 1 ] || rm -f "$d"/*.jsonl.gz
done

# Render latency: rounds alternating between the sizes (the machine's load
# moves minute to minute); per size the median of the rounds' medians.
ROUNDS=${SCALE_ROUNDS:-3}
for r in $(seq "$ROUNDS"); do
	for n in $SIZES; do
		d="$DIR/$n"
		"$BUILD/bench/render" --store "$d/store" --views "$ROOT/views" \
			--slugs "$d/slugs" --iterations 20000 > "$d/render.$r.txt"
		"$BUILD/bench/render" --store "$d/store" --views "$ROOT/views" \
			--slug "$(head -n1 "$d/slugs")" --iterations 20000 > "$d/render-hot.$r.txt"
		say "round $r, $n researchers: $(grep '^render_us' "$d/render.$r.txt")"
	done
done
med_of() { awk '/^render_us/ { print $'"$2"' }' $1 | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for n in $SIZES; do
	d="$DIR/$n"
	MED[$n]=$(med_of "$d/render.*.txt" 3)
	printf '%s | %s | %s | %s |\n' "${ROW[$n]}" "${MED[$n]}" "$(med_of "$d/render.*.txt" 7)" \
		"$(med_of "$d/render-hot.*.txt" 3)" >> "$OUT"
done

set -- $SIZES
small=$1; large=${!#}
{
	echo
	echo "Render: $ROUNDS rounds alternating between the sizes, 20,000 renders each over 2,000 random researchers; median of the rounds' medians (p99 likewise; the machine is shared, p99 is mostly preemption). \"hot\": one researcher rendered 20,000 times."
	echo
	echo "Render median at $large researchers ÷ at $small: $(awk -v a="${MED[$large]}" -v b="${MED[$small]}" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }') (target ≤ 1.3)."
} >> "$OUT"
[ "${KEEP:-0}" = 1 ] || rm -rf "$DIR"/*/store

replace_block "$RESULTS" scale "$OUT"
cat "$OUT"
