#!/bin/sh
# install-conf.sh NEW TARGET [RECORD]: installs the configuration file NEW
# as TARGET (mode 0644) without ever overwriting what an administrator
# edited, as dpkg treats a conffile:
#   - no TARGET yet, or TARGET already equal to NEW: TARGET is NEW;
#   - TARGET unchanged since the last install (equal to RECORD, the copy
#     of what that install wrote): replaced by NEW;
#   - otherwise TARGET is kept, NEW is written beside it as TARGET.dist,
#     and a line says so (merge by hand, like a .dpkg-dist).
# RECORD (optional) is then updated to what TARGET was installed from.
set -eu
[ $# -ge 2 ] || { echo "usage: install-conf.sh NEW TARGET [RECORD]" >&2; exit 2; }
new=$1 target=$2 record=${3:-}
put() {   # put SRC DST: atomically, mode 0644
	install -d "$(dirname "$2")"
	install -m 0644 "$1" "$2.tmp.$$"
	mv -f "$2.tmp.$$" "$2"
}
if [ ! -e "$target" ] || cmp -s "$new" "$target"; then
	put "$new" "$target"
	rm -f "$target.dist"
elif [ -n "$record" ] && [ -e "$record" ] && cmp -s "$target" "$record"; then
	put "$new" "$target"
	rm -f "$target.dist"
else
	put "$new" "$target.dist"
	echo "install: keeping $target (edited since it was installed); the new one is $target.dist"
	exit 0
fi
[ -z "$record" ] || put "$new" "$record"
