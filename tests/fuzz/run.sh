#!/bin/bash
# run.sh TARGET...: runs each libFuzzer target of tests/fuzz/ for
# $FUZZ_SECONDS (default 60) seconds, $FUZZ_JOBS (default: the number of
# CPUs) targets at a time (`make fuzz`).
#
# Each target starts from its seeds (tests/fuzz/T/corpus) and its crash
# regressions (tests/fuzz/T/regressions), with its dictionary (T/T.dict) if
# there is one; what it learns goes to $FUZZ_BUILD/fuzz/T.corpus, never into
# the repository. A crash, a sanitizer report, a leak, a timeout or running
# out of memory fails the run; the input that did it is copied into
# tests/fuzz/T/regressions/, which `make test` replays from then on.
# Prints one "fuzz T: ..." line per target and exits 1 if any failed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
case "$FUZZ_BUILD" in /*) ;; *) FUZZ_BUILD="$ROOT/$FUZZ_BUILD" ;; esac
SECONDS_EACH=${FUZZ_SECONDS:-60}
export BZPEER_ROOT="$ROOT"

# Longest input per target: OpenAlex lines and templates are long, the rest short.
max_len() {
	case "$1" in
	oa_work|oa_author|manifest) echo 65536 ;;
	csv) echo 16384 ;;
	tmpl) echo 32768 ;;
	form) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

JOBS=${FUZZ_JOBS:-$(nproc)}

# fuzz_one T: runs one target; prints its line; exit 1 if it failed.
fuzz_one() {
	local t=$1 failed=0
	bin="$FUZZ_BUILD/fuzz/$t"
	src="$ROOT/tests/fuzz/$t"
	work="$FUZZ_BUILD/fuzz/$t.corpus"
	art="$FUZZ_BUILD/fuzz/$t.artifacts"
	log="$FUZZ_BUILD/fuzz/$t.log"
	if [ ! -x "$bin" ]; then
		echo "fuzz $t: FAILED: $bin is not built"; return 1
	fi
	mkdir -p "$work" "$art" "$src/regressions"
	rm -f "$art"/*
	dict=()
	[ -f "$src/$t.dict" ] && dict=(-dict="$src/$t.dict")
	start=$SECONDS
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$t")" -print_final_stats=1 \
		-artifact_prefix="$art/" "${dict[@]}" \
		"$work" "$src/corpus" "$src/regressions" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1)
	if [ "$rc" -ne 0 ]; then
		failed=1
		kept=""
		for a in "$art"/*; do
			[ -f "$a" ] || continue
			cp "$a" "$src/regressions/" && kept="$kept tests/fuzz/$t/regressions/$(basename "$a")"
		done
		echo "fuzz $t: FAILED after $((SECONDS - start)) s (exit $rc);${kept:- no artifact} (log: $log)"
		grep -E '^==[0-9]+==ERROR|SUMMARY|not ok - fuzz' "$log" | head -n 5 | sed 's/^/    /'
	else
		echo "fuzz $t: ok, ${runs:-?} runs in $((SECONDS - start)) s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) files"
	fi
	return "$failed"
}

# Up to JOBS targets at once; each writes its line to a file of its own.
mkdir -p "$FUZZ_BUILD/fuzz"
pids=() names=()
for t in "$@"; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done   # a slot frees
	fuzz_one "$t" >"$FUZZ_BUILD/fuzz/$t.result" 2>&1 &
	pids+=($!) names+=("$t")
done
failed=0 nfail=0
for i in "${!pids[@]}"; do
	if ! wait "${pids[$i]}"; then
		failed=1
		nfail=$((nfail + 1))
	fi
	cat "$FUZZ_BUILD/fuzz/${names[$i]}.result"
done
echo "fuzz: $(( $# - nfail )) targets ran ${SECONDS_EACH} s each without a failure, $nfail failed"
exit "$failed"
