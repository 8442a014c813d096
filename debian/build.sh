#!/bin/sh
# build.sh: builds bzpeer_$VERSION_amd64.deb into $OUT (`make deb`) from a
# copy of the tree's tracked files (so the tree itself, its build/ and
# its debian/ are left as they are), with debian/changelog made for
# $VERSION, then runs lintian on it: an error fails the build.
set -eu
: "${VERSION:?}" "${OUT:?}"
# The build in the copy is a make of its own: nothing of the calling make
# may reach it (a BUILD= given to the outer make would point the copy's
# `make clean` at the tree's own build directory).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES BUILD
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC="$OUT/bzpeer-$VERSION"
rm -rf "$SRC"
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked files as they are in the tree (committed or not).
	(cd "$ROOT" && git ls-files -z | xargs -0 cp --parents -t "$SRC")
else
	(cd "$ROOT" && tar --exclude='./build*' --exclude=./var --exclude=./.git -cf - .) |
		(cd "$SRC" && tar -xf -)
fi
cat >"$SRC/debian/changelog" <<CHANGELOG
bzpeer ($VERSION) unstable; urgency=medium

  * Version $VERSION of bzpeer, built from its source tree (README.md).

 -- BZPEER maintainers <maintainers@bzpeer.example.org>  $(date -R)
CHANGELOG
(cd "$SRC" && dpkg-buildpackage -b -us -uc >"$OUT/build-$VERSION.log" 2>&1) || {
	tail -n 30 "$OUT/build-$VERSION.log" >&2
	echo "deb: dpkg-buildpackage failed; see $OUT/build-$VERSION.log" >&2
	exit 1
}
DEB="$OUT/bzpeer_${VERSION}_amd64.deb"
[ -f "$DEB" ] || { echo "deb: $DEB was not made" >&2; exit 1; }
lintian --fail-on error --suppress-tags-from-file /dev/null "$DEB" >"$OUT/lintian-$VERSION.txt" 2>&1 || {
	cat "$OUT/lintian-$VERSION.txt" >&2
	echo "deb: lintian reports errors" >&2
	exit 1
}
sed 's/^/deb: lintian: /' "$OUT/lintian-$VERSION.txt"
echo "deb: $DEB"
