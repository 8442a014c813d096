#!/bin/bash
# The installed systemd units and files, checked on the host without systemd
# as PID 1: `make install DESTDIR=` lays out every file with no
# placeholder left; `systemd-analyze verify` prints nothing at all for the
# service and the socket (it exits 0 on bad keys, so any line fails);
# `systemd-analyze security --offline=true` rates the service OK or better;
# the sysusers.d entry parses; installing again never overwrites an edited
# configuration file (the new one goes beside it as .dist) and replaces an
# unedited one; the Redis instance's settings. The real systemctl test is
# `make test-systemd`.
. "$(dirname "$0")/lib.sh"

rm -rf "$T_DIR"; mkdir -p "$T_DIR"
DEST="$T_DIR/dest"
P=/usr/local
if ! command -v systemd-analyze >/dev/null || ! command -v systemd-sysusers >/dev/null; then
	"$ROOT/tests/deps.sh" systemd >"$T_DIR/deps.log" 2>&1
fi

# systemd-analyze verify looks for ExecStart's binary on this machine: the
# service is filled with the staging prefix for that (the same file, filled
# differently); the rest is what `make install PREFIX=/usr/local` writes.
make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$DEST" PREFIX="$P" \
	SERVICE_PREFIX="$DEST$P" >"$T_DIR/install.log" 2>&1
check "make install DESTDIR=... PREFIX=/usr/local succeeds" [ $? = 0 ] || cat "$T_DIR/install.log"

for f in $P/bin/bzpeer-fcgi $P/bin/bzpeer-import $P/bin/bzpeer-admin \
	$P/share/bzpeer/views/profile.html $P/share/bzpeer/views/layout.html \
	$P/share/bzpeer/views/static/bzpeer.css $P/share/doc/bzpeer/INSTALL.md \
	$P/share/doc/bzpeer/CONFIG.md \
	$P/lib/systemd/system/bzpeer-fcgi.service $P/lib/systemd/system/bzpeer-fcgi.socket \
	$P/lib/sysusers.d/bzpeer.conf $P/lib/tmpfiles.d/bzpeer.conf \
	$P/lib/systemd/system/redis-server@bzpeer.service.d/bzpeer.conf \
	$P/share/man/man8/bzpeer-fcgi.8 $P/share/man/man8/bzpeer-admin.8 \
	/etc/bzpeer/bzpeer.conf /etc/nginx/sites-available/bzpeer \
	/etc/nginx/snippets/bzpeer-fastcgi.conf /etc/nginx/snippets/bzpeer-login-basic.conf \
	/etc/nginx/snippets/bzpeer-login-sso.conf /etc/redis/redis-bzpeer.conf; do
	check "installed: $f" test -s "$DEST$f"
done
check "installed programs are executable" test -x "$DEST$P/bin/bzpeer-fcgi"
UNIT="$DEST$P/lib/systemd/system/bzpeer-fcgi.service"
SOCKET="$DEST$P/lib/systemd/system/bzpeer-fcgi.socket"
SITE="$DEST/etc/nginx/sites-available/bzpeer"
CONF="$DEST/etc/bzpeer/bzpeer.conf"
for f in "$UNIT" "$SITE" "$CONF"; do
	check "no @PLACEHOLDER@ left outside comments in ${f#$DEST}" \
		bash -c "! sed -e 's/#.*//' '$f' | grep -q '@[A-Z][A-Z0-9_]*@'"
done
check "the service runs the installed binary with /etc/bzpeer/bzpeer.conf, a failed start waiting 5 s" \
	grep -qx "ExecStart=$DEST$P/bin/bzpeer-fcgi --config /etc/bzpeer/bzpeer.conf --fail-wait 5" "$UNIT"
check "systemctl reload checks templates and store first, then signals" \
	bash -c "grep -A1 -x 'ExecReload=$DEST$P/bin/bzpeer-fcgi --config /etc/bzpeer/bzpeer.conf --check-reload' '$UNIT' | grep -qx 'ExecReload=/bin/kill -HUP \$MAINPID'"
REDIS="$DEST/etc/redis/redis-bzpeer.conf"
check "Redis: the socket bzpeer.conf names, evicting any key (allkeys-lru) under a bound, no persistence" \
	bash -c "grep -qx 'unixsocket /run/redis-bzpeer/redis-server.sock' '$REDIS' && grep -qx 'redis = /run/redis-bzpeer/redis-server.sock' '$DEST/etc/bzpeer/bzpeer.conf' && grep -qx 'maxmemory-policy allkeys-lru' '$REDIS' && grep -qx 'maxmemory 256mb' '$REDIS' && grep -qx 'save \"\"' '$REDIS' && grep -qx 'appendonly no' '$REDIS' && grep -qx 'port 0' '$REDIS'"
check "Redis: its instance runs with group bzpeer; the service wants it" \
	bash -c "grep -qx 'Group=bzpeer' '$DEST$P/lib/systemd/system/redis-server@bzpeer.service.d/bzpeer.conf' && grep -qx 'Wants=redis-server@bzpeer.service' '$UNIT'"
check "the site passes requests to the socket of bzpeer-fcgi.socket" \
	bash -c "grep -q 'server unix:/run/bzpeer/fcgi.sock' '$SITE' && grep -qx 'ListenStream=/run/bzpeer/fcgi.sock' '$SOCKET'"
# Whoever can connect to the socket can hand the app any REMOTE_USER: nginx
# (group www-data) and root alone; one value of each, no later line undoing it.
check "the socket is root:www-data 0660" bash -c "
	[ \"\$(grep -E '^Socket(User|Group|Mode)=' '$SOCKET' | sort | tr '\n' ' ')\" = 'SocketGroup=www-data SocketMode=0660 SocketUser=root ' ]"
check "the installed config says socket_mode = 0660 for a server started by hand" \
	grep -qx 'socket_mode = 0660' "$CONF"
check "the site serves the installed static files" grep -q "alias $P/share/bzpeer/views/static/;" "$SITE"
check "the config: store and secret in /var/lib/bzpeer, installed views" \
	bash -c "grep -qx 'store = /var/lib/bzpeer/store' '$CONF' && grep -qx 'secret_file = /var/lib/bzpeer/secret' '$CONF' && grep -qx 'views = $P/share/bzpeer/views' '$CONF'"
# Every key the config sets is one bzpeer-fcgi knows (docs/CONFIG.md).
bad=$(grep -v '^#' "$CONF" | grep '=' | sed 's/ *=.*//' | while read -r k; do
	grep -q "^| \`$k\` |" "$ROOT/docs/CONFIG.md" || echo "$k"; done)
check "every key in the installed config is documented${bad:+ (not: $bad)}" [ -z "$bad" ]
# ---- installing again: an edited configuration file is never overwritten -------
cp "$CONF" "$T_DIR/conf.orig"
sed -i 's/^workers = .*/workers = 3/' "$CONF"
echo '    # edited by the operator' >>"$SITE"
cp "$CONF" "$T_DIR/conf.edited"; cp "$SITE" "$T_DIR/site.edited"
cp "$DEST/etc/nginx/snippets/bzpeer-login-sso.conf" "$T_DIR/sso.orig"
make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$DEST" PREFIX="$P" \
	SERVICE_PREFIX="$DEST$P" CONF_WORKERS=5 NGINX_LISTEN=8443 \
	NGINX_SSO_URL=http://127.0.0.1:9/auth >"$T_DIR/install2.log" 2>&1
check "make install again succeeds" [ $? = 0 ] || cat "$T_DIR/install2.log"
check "an edited config is kept as it was" cmp -s "$CONF" "$T_DIR/conf.edited"
check "an edited nginx site is kept as it was" cmp -s "$SITE" "$T_DIR/site.edited"
check "the new ones are written beside them (.dist), with the new values" \
	bash -c "grep -qx 'workers = 5' '$CONF.dist' && grep -q 'listen 8443' '$SITE.dist'"
check "and the install says so, naming both" \
	bash -c "grep -q 'keeping $CONF (edited since it was installed); the new one is $CONF.dist' '$T_DIR/install2.log' && grep -q 'keeping $SITE ' '$T_DIR/install2.log'"
check "an unedited file is replaced by the new one (the SSO snippet's new URL), no .dist" \
	bash -c "grep -q 'proxy_pass http://127.0.0.1:9/auth;' '$DEST/etc/nginx/snippets/bzpeer-login-sso.conf' && [ ! -e '$DEST/etc/nginx/snippets/bzpeer-login-sso.conf.dist' ]"

echo "x @NOVALUE@" >"$T_DIR/t.in"
"$ROOT/systemd/fill.sh" "$T_DIR/t.in" "$T_DIR/t.out" OTHER=1 2>"$T_DIR/fill.err"
check "a placeholder without a value fails the install, named" \
	bash -c "[ $? != 0 ] && grep -q '@NOVALUE@' '$T_DIR/fill.err' && [ ! -e '$T_DIR/t.out' ]"

# ---- systemd-analyze verify: not one line of output --------------------------------
(cd "$DEST$P/lib/systemd/system" && systemd-analyze verify bzpeer-fcgi.service bzpeer-fcgi.socket) \
	>"$T_DIR/verify.out" 2>&1
rc=$?
check "systemd-analyze verify exits 0" [ "$rc" = 0 ]
check "systemd-analyze verify prints nothing ($(wc -l <"$T_DIR/verify.out") lines)" [ ! -s "$T_DIR/verify.out" ]
[ -s "$T_DIR/verify.out" ] && sed 's/^/    | /' "$T_DIR/verify.out"

# ---- systemd-analyze security: OK or better -----------------------------------------
systemd-analyze security --offline=true "$UNIT" >"$T_DIR/security.out" 2>&1
line=$(grep 'Overall exposure level' "$T_DIR/security.out")
level=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) \([A-Z]*\).*/\1/p')
rating=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) \([A-Z]*\).*/\2/p')
echo "# $line"
check "systemd-analyze security rates the service OK or better (${level:-?} ${rating:-?})" \
	bash -c "[ '$rating' = SAFE ] || [ '$rating' = OK ]"
check "exposure stays at 1.0 or below (${level:-?})" \
	awk -v l="${level:-99}" 'BEGIN { exit !(l <= 1.0) }'
check "the service has no network and no capabilities" \
	bash -c "grep -qx 'PrivateNetwork=yes' '$UNIT' && grep -qx 'CapabilityBoundingSet=' '$UNIT'"

# ---- sysusers.d ---------------------------------------------------------------------
mkdir -p "$T_DIR/sysroot/etc"
systemd-sysusers --root="$T_DIR/sysroot" --dry-run "$DEST$P/lib/sysusers.d/bzpeer.conf" \
	>"$T_DIR/sysusers.out" 2>&1
check "sysusers.d makes the bzpeer user" grep -q "Creating user 'bzpeer'" "$T_DIR/sysusers.out"

finish
