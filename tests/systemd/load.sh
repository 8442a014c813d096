#!/bin/bash
# load.sh NAME URL LOOPS [SECONDS]: runs inside the systemctl test's
# container. LOOPS loops of curl, ten requests for URL a run, one after the
# other, until /srv/out/NAME.stop exists (or SECONDS, 120 by default, pass);
# every answer's status goes on a line of /srv/out/NAME.get.N ("000": no
# answer at all).
name=$1 url=$2 loops=$3 max=${4:-120}
out=/srv/out
args=()
for _ in 1 2 3 4 5 6 7 8 9 10; do args+=(-o /dev/null "$url"); done
for i in $(seq "$loops"); do
	(
		end=$((SECONDS + max))
		while [ ! -e "$out/$name.stop" ] && [ $SECONDS -lt $end ]; do
			curl -s --max-time 20 -w '%{http_code}\n' "${args[@]}"
		done >"$out/$name.get.$i"
	) &
done
wait
