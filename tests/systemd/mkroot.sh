#!/bin/bash
# mkroot.sh DIR: a minimal Debian 12 with systemd, nginx, Redis and
# bzpeer-fcgi's runtime libraries, for the systemctl test. Made once (about
# two minutes) and kept: DIR is re-used while DIR/.bzpeer-root names the
# same package list. Nothing in it is started while it is made
# (policy-rc.d), so no server binds a port on the host.
set -euo pipefail

DIR=${1:?usage: mkroot.sh DIR}
# Downloaded packages are kept beside the root: a root made again (another
# package list) downloads nothing it had.
DEBS=${DEBS:-$(dirname "$DIR")/systemd-debs}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
BASE=systemd,systemd-sysv,dbus
PKGS="nginx redis-server libfcgi0ldbl libhiredis0.14 liblmdb0 libsodium23
      libjansson4 zlib1g libisal2 libutf8proc2 curl procps lmdb-utils"
STAMP="$SUITE $BASE $(echo $PKGS)"

say() { echo "mkroot: $*" >&2; }

if [ -f "$DIR/.bzpeer-root" ] && [ "$(cat "$DIR/.bzpeer-root")" = "$STAMP" ]; then
	exit 0
fi
command -v debootstrap >/dev/null || { say "debootstrap is missing (tests/deps.sh debootstrap)"; exit 1; }

# Made beside DIR and renamed at the end: an interrupted run leaves no
# half-made root that a later run would take for a good one.
TMP="$DIR.tmp"
# An interrupted run may have left the package cache mounted in it.
if mountpoint -q "$TMP/var/cache/apt/archives" 2>/dev/null; then
	umount "$TMP/var/cache/apt/archives" || { say "cannot unmount $TMP/var/cache/apt/archives"; exit 1; }
fi
rm -rf "$TMP" "$DIR"
mkdir -p "$(dirname "$DIR")" "$DEBS"
start=$SECONDS
say "debootstrap $SUITE into $TMP"
# In two stages, so that dpkg in the second one does not fsync every file
# (force-unsafe-io; the root is a throwaway): much faster on a busy disk.
debootstrap --foreign --variant=minbase --include="$BASE" --cache-dir="$DEBS" \
	"$SUITE" "$TMP" "$MIRROR" >"$TMP.log" 2>&1 ||
	{ say "debootstrap failed; last lines of $TMP.log:"; tail -n 20 "$TMP.log" >&2; exit 1; }
mkdir -p "$TMP/etc/dpkg/dpkg.cfg.d"
echo force-unsafe-io >"$TMP/etc/dpkg/dpkg.cfg.d/bzpeer-test-unsafe-io"
chroot "$TMP" /debootstrap/debootstrap --second-stage >>"$TMP.log" 2>&1 ||
	{ say "debootstrap --second-stage failed; last lines of $TMP.log:"; tail -n 20 "$TMP.log" >&2; exit 1; }

# No service starts inside the chroot: it would share the host's network.
printf '#!/bin/sh\nexit 101\n' >"$TMP/usr/sbin/policy-rc.d"
chmod 0755 "$TMP/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$TMP/etc/resolv.conf" 2>/dev/null || true
say "debootstrap took $((SECONDS - start)) s; apt-get install $(echo $PKGS)"
start=$SECONDS
mkdir -p "$TMP/var/cache/apt/archives"
rc=0
mount --bind "$DEBS" "$TMP/var/cache/apt/archives" ||
	{ say "mount --bind $DEBS failed"; exit 1; }
# shellcheck disable=SC2086
chroot "$TMP" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends $PKGS >>"$TMP.log" 2>&1 || rc=$?
umount "$TMP/var/cache/apt/archives"
[ $rc = 0 ] || { say "apt-get install failed; last lines of $TMP.log:"; tail -n 20 "$TMP.log" >&2; exit 1; }
say "apt-get install took $((SECONDS - start)) s"
rm -f "$TMP/usr/sbin/policy-rc.d" "$TMP/etc/dpkg/dpkg.cfg.d/bzpeer-test-unsafe-io"

# The Debian defaults would listen on :80 and :6379; the test writes its
# own nginx site and Redis settings.
rm -f "$TMP/etc/nginx/sites-enabled/default"
echo bzpeer-test >"$TMP/etc/hostname"
# A root without a password: the container is only ever driven with nsenter.
: >"$TMP/etc/machine-id"
echo "$STAMP" >"$TMP/.bzpeer-root"
mv "$TMP" "$DIR"
rm -f "$TMP.log"
say "made $DIR ($(du -sh "$DIR" | cut -f1))"
