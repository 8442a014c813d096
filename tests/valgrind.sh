#!/bin/bash
# valgrind.sh: end-to-end suites with bzpeer-fcgi (master and every worker)
# under valgrind memcheck; then one check per kind of finding over every
# process's report: no memory error, nothing definitely or indirectly lost.
# `make test-valgrind` runs it (slow: minutes; not in CI).
#
#   BUILD     the built binaries (default build)
#   VG_BUILD  where the wrapped build and the reports go (default build-vg)
#   VG_TESTS  which tests/e2e scripts (default: the ones that serve pages
#             and posts; timing-bound ones like 40-process and 75-faults
#             would only time out under valgrind)
#
# The suites' own pass/fail counts are printed for information: under
# valgrind a request is 20-50 times slower, so a timing check may fail
# without anything being wrong with memory.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
VG_BUILD=${VG_BUILD:-build-vg}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
case "$VG_BUILD" in /*) ;; *) VG_BUILD="$ROOT/$VG_BUILD" ;; esac
VG_TESTS=${VG_TESTS:-10-profile 20-cache 25-posts 30-pages 70-hostile}
LOGS="$VG_BUILD/valgrind"

command -v valgrind >/dev/null || { echo "not ok - valgrind is not installed"; exit 1; }
rm -rf "$VG_BUILD"; mkdir -p "$VG_BUILD/tests" "$LOGS"
ln -s "$BUILD/bzpeer-import" "$BUILD/bzpeer-admin" "$VG_BUILD/"
# The suites' FastCGI client (need_fcgi_client in tests/e2e/lib.sh), as built.
[ -x "$BUILD/tests/fcgi-client" ] ||
	{ echo "not ok - $BUILD/tests/fcgi-client is not built (make $BUILD/tests/fcgi-client)"; exit 1; }
ln -s "$BUILD/tests/fcgi-client" "$VG_BUILD/tests/"
# bzpeer-fcgi under valgrind; forked workers stay in valgrind (one report each).
cat >"$VG_BUILD/bzpeer-fcgi" <<EOF
#!/bin/sh
exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \\
	--errors-for-leak-kinds=definite,indirect --track-origins=yes --num-callers=30 \\
	--suppressions="$ROOT/tests/valgrind.supp" --log-file="$LOGS/vg.%p" \\
	"$BUILD/bzpeer-fcgi" "\$@"
EOF
chmod +x "$VG_BUILD/bzpeer-fcgi"

echo "valgrind: e2e suites ($VG_TESTS) with $VG_BUILD/bzpeer-fcgi; reports in $LOGS"
passed=0 failed=0
for t in $VG_TESTS; do
	log="$VG_BUILD/test-logs/$t.log"
	mkdir -p "$(dirname "$log")"
	ROOT="$ROOT" BUILD="$VG_BUILD" bash "$ROOT/tests/e2e/$t.sh" >"$log" 2>&1 </dev/null
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	passed=$((passed + p)); failed=$((failed + f))
	printf '# under valgrind: %-14s %4d passed, %d failed (for information)\n' "$t" "$p" "$f"
done

# Every process that ended normally wrote an ERROR SUMMARY; a worker killed
# with -9 on purpose did not, and is counted apart.
n=0 cut=0 errs=0 lost=0 bad=""
for f in "$LOGS"/vg.*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if ! grep -q 'ERROR SUMMARY' "$f"; then cut=$((cut + 1)); continue; fi
	e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d ,)
	l=$(awk '/definitely lost:|indirectly lost:/ {gsub(",", "", $4); s += $4} END {print s + 0}' "$f")
	errs=$((errs + e)); lost=$((lost + l))
	[ "$e" = 0 ] && [ "$l" = 0 ] || bad="$bad $(basename "$f")"
done
echo "# $n bzpeer-fcgi processes reported ($cut ended without a summary: killed)"
if [ "$n" -gt 0 ] && [ "$errs" = 0 ]; then
	echo "ok - valgrind: no memory error in $n bzpeer-fcgi processes"
else
	echo "not ok - valgrind: $errs memory errors in:$bad"
fi
if [ "$n" -gt 0 ] && [ "$lost" = 0 ]; then
	echo "ok - valgrind: nothing definitely or indirectly lost in $n bzpeer-fcgi processes"
else
	echo "not ok - valgrind: $lost bytes definitely or indirectly lost in:$bad"
fi
for f in $bad; do
	echo "# ---- $f"
	grep -E '^==[0-9]+== (Invalid|Conditional|Syscall|Use of|Mismatched|Source and|[0-9,]+ bytes in)' -A8 "$LOGS/$f" |
		head -n 40 | sed 's/^/# /'
done
[ -z "$bad" ] && [ "$n" -gt 0 ]
