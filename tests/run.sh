#!/bin/bash
# run.sh [unit|e2e|all] [NAME...]: runs the suites and ends with one line
# "N passed, N failed" over every check of every suite. NAMEs (test_store,
# 10-profile) keep only the unit programs and e2e scripts so named.
#
# Unit programs (build/tests/test_*) and end-to-end scripts (tests/e2e/*.sh)
# print one line per check: "ok - ..." or "not ok - ...". A program that
# exits non-zero without reporting a failed check counts as one failure
# (a crash, a sanitizer report, a Bail out!).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
export BUILD ROOT
WHAT=${1:-all}
[ $# -gt 0 ] && shift
ONLY=" $* "
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"

passed=0 failed=0

run_one() { # run_one NAME CMD...
	local name=$1; shift
	[ "$ONLY" = "  " ] || [[ "$ONLY" == *" ${name#*/} "* ]] || return 0
	local log="$LOGDIR/$name.log" p f rc start=$SECONDS
	mkdir -p "$(dirname "$log")"
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	p=$(grep -c '^ok ' "$log" || true)
	f=$(grep -c '^not ok ' "$log" || true)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-28s %4d passed, %d failed  (%ds)\n' "$name" "$p" "$f" $((SECONDS - start))
	if [ "$f" -ne 0 ]; then
		grep -E '^not ok |^Bail out!' "$log" | head -n 20 | sed 's/^/    /'
		echo "    (full log: $log; last lines:)"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
}

if [ "$WHAT" = all ] || [ "$WHAT" = unit ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "unit/$(basename "$t")" "$t"
	done
fi
if [ "$WHAT" = all ] || [ "$WHAT" = e2e ]; then
	for t in "$ROOT"/tests/e2e/[0-9]*.sh; do
		[ -f "$t" ] || continue
		run_one "e2e/$(basename "$t" .sh)" bash "$t"
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
