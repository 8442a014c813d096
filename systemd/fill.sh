#!/bin/sh
# fill.sh IN OUT NAME=VALUE...: copies IN to OUT with every @NAME@ replaced
# by its VALUE. Fails, naming the placeholder, when a @NAME@ outside a
# comment has no value, so a placeholder added to a .in file cannot slip
# into an installed file unfilled. `make install` passes every NGINX_*,
# UNIT_* or CONF_* make variable (without the prefix) for the matching file.
set -eu
[ $# -ge 2 ] || { echo "usage: fill.sh IN OUT NAME=VALUE..." >&2; exit 2; }
in=$1 out=$2
shift 2
# Placeholders that matter: those outside "#" comments.
need=$(sed -e 's/#.*//' "$in" | grep -o '@[A-Z][A-Z0-9_]*@' | sort -u | tr -d @ || true)
for n in $need; do
	found=0
	for kv in "$@"; do
		[ "${kv%%=*}" = "$n" ] && found=1
	done
	[ $found = 1 ] || { echo "fill.sh: $in: no value for @$n@" >&2; exit 1; }
done
tmp="$out.tmp.$$"
# Values go through the environment, so no character in them is special.
i=0
for kv in "$@"; do
	export "FILL_N$i=${kv%%=*}" "FILL_V$i=${kv#*=}"
	i=$((i + 1))
done
FILL_COUNT=$i awk '
	BEGIN { n = ENVIRON["FILL_COUNT"] + 0
	        for (i = 0; i < n; i++) { k[i] = "@" ENVIRON["FILL_N" i] "@"; v[i] = ENVIRON["FILL_V" i] } }
	{
		line = $0; res = ""
		while (match(line, /@[A-Z][A-Z0-9_]*@/)) {
			tok = substr(line, RSTART, RLENGTH); rep = tok
			for (i = 0; i < n; i++) if (k[i] == tok) { rep = v[i]; break }
			res = res substr(line, 1, RSTART - 1) rep
			line = substr(line, RSTART + RLENGTH)
		}
		print res line
	}' "$in" >"$tmp"
mv "$tmp" "$out"
