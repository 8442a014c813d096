#!/bin/bash
# The pages in a real browser: Debian's Chromium driven by
# playwright-core through the real nginx stack (tests/browser/browser-test.mjs):
# screenshots at 1280 and 390 px into $BUILD/browser-artifacts/, no horizontal
# scroll on a phone, the explorer's SVG visible, no CSP violation, and
# html-validate and axe-core clean on every page; the journeys (follow,
# claim, dispute, the owner's edits, a duplicate merged, invitation) with
# JavaScript on and off. Installs what is missing:
# the Debian packages (chromium, nodejs, npm) and tests/browser/node_modules
# from the committed package-lock.json.
. "$(dirname "$0")/lib.sh"

BROWSER_DIR="$ROOT/tests/browser"
ART="$BUILD/browser-artifacts"

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
	"$ROOT/tests/deps.sh" $missing || { not_ok "install$missing"; exit 1; }
fi
for m in playwright-core html-validate axe-core; do
	if [ ! -f "$BROWSER_DIR/node_modules/$m/package.json" ]; then
		(cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error) \
			>"$BUILD/npm-ci.log" 2>&1 ||
			{ not_ok "npm ci in tests/browser (see $BUILD/npm-ci.log)"; tail -n 20 "$BUILD/npm-ci.log"; exit 1; }
		break
	fi
done

stack_up "${CATALOG_PAGES[@]}"
# The invitation journey's profile: tianhao-wang claimed by demo, approved.
signin demo
curl -sS -o /dev/null -b "$JAR" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$CSRF&email=tw%40cs.princeton.edu&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~tw%2F" \
	"$BASE/researchers/tianhao-wang/claim"
id=$("$BUILD/bzpeer-admin" --store "$STORE" claims list --state pending | awk 'NR==1 {print $1}')
"$BUILD/bzpeer-admin" --store "$STORE" claims approve "$id" >/dev/null ||
	{ not_ok "tianhao-wang claimed by demo for the invitation journey"; exit 1; }

rm -rf "$ART"; mkdir -p "$ART"
node "$BROWSER_DIR/browser-test.mjs" "$BASE" "$ART" || T_FAILED=1
finish
