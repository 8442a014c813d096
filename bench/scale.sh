#!/bin/bash
# scale.sh: `make bench-scale`: import rate, store size and cold-cache
# profile renders of synthetic catalogs of growing size, up to past the
# machine's memory (bench/gencat.c: N researchers, 10 N works).
#
#   BUILD         where the binaries are (make passes it; default build)
#   SCALE_SIZES   researcher counts (default "1000 20000": a quick run). Past
#                 this machine's memory (23 GB): SCALE_SIZES=400000 with full
#                 lines, 4 M works and a ~35 GB store (bench/results.md,
#                 "Past memory"); the disk is checked first
#   SCALE_LINES   "full" (default: work lines of ~6.8 KB, every member a real
#                 snapshot line has, as long as the real records in
#                 tests/fixtures/openalex: median 6.7 KB (2025) and 8.1 KB
#                 (2026)) or "lean" (~1.9 KB)
#   SCALE_SCATTER 1 (default): ids spread as OpenAlex's are (gencat
#                 --scatter); 0: a researcher's works and co-authors on
#                 adjacent ids, which no real catalog has
#   SCALE_COLD    cold renders counted per size (default 500)
#   SCALE_WARM    renders before them, not counted (default 1000)
#   SCALE_NGINX   0: leave out the through-nginx run (default 1)
#   SCALE_VISITS  researchers drawn for it (default 100000; the distinct
#                 ones, in the order drawn, are the Zipf ranks)
#   SCALE_REDIS_MB  Redis's maxmemory for it, MB, one run each (default
#                 "256 8192": the package's, and room for every page visited)
#   RESULTS       the Markdown file whose scale block is replaced (default
#                 bench/results.md)
#   KEEP=1        keep the stores under $BUILD/bench-scale
#
# Per size: the authors are generated into a file, the works streamed to
# bzpeer-import through a FIFO (no .gz on disk: the full 4 M works are 27 GB
# of JSON); gencat stamps every fifth of the works as it writes them, and a
# FIFO holds 64 KB, so the stamps time the importer's reading segment by
# segment; the last row adds what follows the reading (derive, commit).
# Then the store's size (pages in use, mdb_stat), and bench/render --cold:
# the data file evicted from the page cache and checked out with mincore,
# SCALE_WARM renders of random researchers not counted (tree tops back in
# memory, as on a site that has been up), then SCALE_COLD renders of other
# random researchers, each its major page faults (getrusage) and time;
# without readahead (STORE_NORDAHEAD, what a store past memory is opened
# with) and with it. Then an in-process render loop over 2,000 researchers
# with the store in memory, for comparison. Last, the store served for
# real: bench/bench.sh with STORE, PATHS="signed cold" and VISITS, the
# profiles of SCALE_VISITS random researchers visited with Zipf-distributed
# ranks through nginx, signed in: the shipped caching (node-local page
# cache, then Redis, then a render) against no caching at all, and how many
# visits each cache answered, with the app's major faults per request.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
SIZES=${SCALE_SIZES:-1000 20000}
LINES=${SCALE_LINES:-full}
SCATTER=${SCALE_SCATTER:-1}
COLD=${SCALE_COLD:-500}
SCALE_REDIS_MB=${SCALE_REDIS_MB:-256 8192}
WARM=${SCALE_WARM:-1000}
case "$LINES" in
full) GENOPT=(--full); LINEDESC="~6.8 KB, every member of a real snapshot line (\`--full\`)"
      PER_WORK_KB=10 ;;
lean) GENOPT=(); LINEDESC="~1.9 KB (lean)"; PER_WORK_KB=3 ;;
*) echo "scale: SCALE_LINES is full or lean" >&2; exit 1 ;;
esac
[ "$SCATTER" = 1 ] && GENOPT+=(--scatter)
RESULTS=${RESULTS:-$ROOT/bench/results.md}
DIR="$BUILD/bench-scale"

. "$ROOT/tests/util.sh"   # replace_block
say() { echo "scale: $*" >&2; }
die() { say "$*"; exit 1; }
[ -x "$BUILD/bench/gencat" ] && [ -x "$BUILD/bench/render" ] && [ -x "$BUILD/bzpeer-import" ] ||
	die "build first: make BUILD=$BUILD bench"
command -v mdb_stat >/dev/null || die "mdb_stat is missing (Debian package lmdb-utils)"

rm -rf "$DIR"; mkdir -p "$DIR"
OUT="$DIR/results-block.md"
SEGS="$DIR/segments.md"
NGINXOUT="$DIR/nginx.md"
: > "$SEGS"; : > "$NGINXOUT"
{
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) vCPU, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) of RAM, load average before the run $(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')."
	echo "Synthetic catalogs (\`bench/gencat\`: N researchers, 10 N works of $LINEDESC$([ "$SCATTER" = 1 ] && echo ', ids spread as real ones (`--scatter`)'))."
	echo "Import: \`bzpeer-import --threads $(nproc)\`, the works read from a FIFO; CPU s = user + system of the whole process."
	echo
	echo "| researchers | works | import wall s | CPU s | works/s to the end | max RSS | store | per work | per researcher | cold faults p50 / p90 / p99 | cold µs p50 / p99 | with readahead: faults p50, µs p50 / p99 | again, not evicted: µs p50 / p99 |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|"
} > "$OUT"

for n in $SIZES; do
	d="$DIR/$n"; mkdir -p "$d"
	works=$(( n * 10 ))
	need=$(( works * PER_WORK_KB / 1024 + 10240 ))   # MiB, 10 GB kept free
	avail=$(df -Pm "$DIR" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt "$need" ] || die "$n researchers need about $need MiB with 10 GB to spare; $avail MiB free"
	say "$n researchers: generating the authors"
	"$BUILD/bench/gencat" "$n" "$d" --plain --only authors "${GENOPT[@]}" 2>/dev/null
	mkfifo "$d/works.jsonl"
	seg=$(( works / 5 ))
	"$BUILD/bench/gencat" "$n" "$d" --plain --only works --progress "$seg" "${GENOPT[@]}" \
		2> "$d/gen.log" &
	gen=$!
	say "$n researchers: importing $works works"
	t0=$(date +%s.%N)
	( /usr/bin/time -f 'time %e %U %S %M' "$BUILD/bzpeer-import" --store "$d/store" \
		--threads "$(nproc)" --map-size $(( need * 4 * 1048576 )) --timings \
		--authors "$d/authors.jsonl" --works "$d/works.jsonl" ) > "$d/import.log" 2>&1 ||
		{ kill "$gen" 2>/dev/null || true; tail "$d/import.log" >&2; die "import failed"; }
	t1=$(date +%s.%N)
	wait "$gen" || die "gencat failed"
	rm -f "$d/authors.jsonl" "$d/works.jsonl"
	read -r wall cpu rss < <(awk '$1 == "time" { printf "%.1f %.1f %.1f\n", $2, $3 + $4, $5 / 1048576 }' "$d/import.log")
	# Segments: works read between stamps; the last one to the import's end.
	awk -v n="$n" -v t0="$t0" -v t1="$t1" -v seg="$seg" '
		$2 == "works" { t[++k] = $5 }
		END {
			prev = t0
			for (i = 1; i <= k; i++) {
				end = (i == k) ? t1 : t[i]
				printf "| %s | %.0f–%.0f k%s | %.1f | %.0f |\n", n, (i - 1) * seg / 1e3,
				    i * seg / 1e3, (i == k) ? " (with derive and commit)" : "",
				    end - prev, seg / (end - prev)
				prev = end
			}
		}' "$d/gen.log" >> "$SEGS"
	pages=$(mdb_stat -e "$d/store/catalog" | awk '/Number of pages used/ { print $NF }')
	bytes=$(( pages * 4096 ))
	mdb_stat -a "$d/store/catalog" | awk '/^Status of/ { db = $3 }
		/Branch pages|Leaf pages|Overflow pages/ { p[db] += $NF }
		END { for (k in p) if (p[k] > 0) printf "%s %.0f\n", k, p[k] * 4096 }' |
		sort -k2 -nr > "$d/dbs.txt"
	say "$n: import ${wall}s wall (${cpu}s CPU), store $(( bytes / 1000000 )) MB"

	# Cold renders, without readahead then with it (the store evicted
	# before each), then warm ones.
	"$BUILD/bench/render" --store "$d/store" --views "$ROOT/views" --cold --nordahead \
		--gencat "$n" --iterations "$COLD" --warm "$WARM" > "$d/cold.txt"
	"$BUILD/bench/render" --store "$d/store" --views "$ROOT/views" --cold \
		--gencat "$n" --iterations "$COLD" --warm "$WARM" > "$d/cold-ra.txt"
	"$BUILD/bench/render" --store "$d/store" --views "$ROOT/views" \
		--gencat "$n" --iterations 2000 > "$d/warm.txt"
	say "$n: $(grep majflt "$d/cold.txt"); $(grep render_us "$d/cold.txt")"
	f() { awk -v k="$2" '$1 == k { print $'"$3"' }' "$d/$1"; }
	printf '| %s | %s | %s | %s | %.0f | %s GB | %s MB | %s B | %s B | %s / %s / %s | %s / %s | %s, %s / %s | %s / %s |\n' \
		"$n" "$works" "$wall" "$cpu" "$(awk -v w="$works" -v t="$wall" 'BEGIN { print w / t }')" \
		"$rss" "$(( bytes / 1000000 ))" "$(( bytes / works ))" "$(( bytes / n ))" \
		"$(f cold.txt majflt 3)" "$(f cold.txt majflt 5)" "$(f cold.txt majflt 7)" \
		"$(f cold.txt render_us 3)" "$(f cold.txt render_us 7)" \
		"$(f cold-ra.txt majflt 3)" "$(f cold-ra.txt render_us 3)" "$(f cold-ra.txt render_us 7)" \
		"$(f warm.txt render_us 3)" "$(f warm.txt render_us 7)" >> "$OUT"
	if [ "${SCALE_NGINX:-1}" = 1 ]; then
		say "$n: signed-in and cold paths through nginx, Zipf visits"
		"$BUILD/bench/render" --store "$d/store" --gencat "$n" \
			--iterations "${SCALE_VISITS:-100000}" --print-slugs | awk '!seen[$0]++' > "$d/visits"
		for mb in $SCALE_REDIS_MB; do
			STORE="$d/store" VISITS="$d/visits" PATHS="signed cold" ROUNDS=${ROUNDS:-2} \
				REDIS_MB=$mb BUILD="$BUILD" "$ROOT/bench/bench.sh" > "$d/nginx.$mb.log" 2>&1 ||
				{ tail "$d/nginx.$mb.log" >&2; die "the through-nginx run failed"; }
			{ echo "$n researchers, Redis maxmemory $mb MB:"; echo
			  cat "$BUILD/bench-run/results-block.md"; echo; } >> "$NGINXOUT"
		done
	fi
	[ "${KEEP:-0}" = 1 ] || rm -rf "$d/store"
done

{
	echo
	echo "Import by segment (a fifth of the works each; works/s = the segment's works ÷ its seconds):"
	echo
	echo "| researchers | works | s | works/s |"
	echo "|---:|---|---:|---:|"
	cat "$SEGS"
	echo
	echo "Store by database at the largest size (bytes of pages in use):"
	echo
	set -- $SIZES
	sed 's/^/    /' "$DIR/${!#}/dbs.txt"
	echo
	echo "Cold: \`bench/render --cold\`, the data file evicted (posix_fadvise DONTNEED, checked with mincore), $WARM renders not counted, then $COLD of other random researchers; faults are major page faults per render (getrusage), without readahead unless said. Again: 2,000 renders of random researchers in turn right after, nothing evicted (the whole store in memory only at the small sizes)."
	if [ -s "$NGINXOUT" ]; then
		echo
		echo "Through nginx, at each size (\`bench/bench.sh\` with the store above, \`PATHS=\"signed cold\"\`, Zipf visits; the signed-in path is the shipped caching, the cold one none):"
		echo
		cat "$NGINXOUT"
	fi
} >> "$OUT"

replace_block "$RESULTS" scale "$OUT"
cat "$OUT"
