# util.sh: shell helpers shared by the test and bench scripts (sourced by
# tests/e2e/lib.sh, tests/stack.sh, tests/systemd/run.sh, bench/bench.sh,
# bench/scale.sh). Helpers only the end-to-end tests use are in
# tests/e2e/lib.sh.

# wait_for SECONDS CMD...: runs CMD (output discarded) every 50 ms until it
# succeeds; fails once SECONDS (whole seconds) of wall time have passed,
# however long each try takes. CMD is run again each time, so anything it
# reads (a log, a file) is read anew: pass a function, not a <(...).
# (Its locals have names no CMD uses: bash's locals are seen by the
# functions it calls.)
wait_for() {
	local _wf_end=$(( ${EPOCHREALTIME//[!0-9]/} + $1 * 1000000 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "${EPOCHREALTIME//[!0-9]/}" -lt "$_wf_end" ] || return 1
		sleep 0.05
	done
}

# pid_alive PID: PID is a process that has not exited. A zombie (exited,
# not yet reaped) counts as gone: kill -0 still reaches it, and whichever
# init inherits a stopped server may take seconds to reap it.
pid_alive() {
	local st
	[ -n "${1:-}" ] && st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}
# pid_gone PID: the opposite, for wait_for.
pid_gone() { ! pid_alive "$1"; }

# nginx_user_sed: the sed expression that fills the "user @USER@;" line of
# nginx/nginx-dev.conf.in for an nginx started by this shell's user. As
# root: that user and group (root root), so that the workers are not
# nobody, who cannot reach a checkout in a 0700 home. As anyone else the
# line goes: nginx cannot switch users and would only warn.
nginx_user_sed() {
	if [ "$(id -u)" = 0 ]; then
		echo "s|@USER@|$(id -un) $(id -gn)|"
	else
		echo '/^user @USER@;$/d'
	fi
}

# A free TCP port on 127.0.0.1 (nothing answers a connect to it), below
# the kernel's ephemeral range when it starts high enough: a port there can
# also be the local end of some outgoing connection, which a listener's
# bind() then meets as "Address already in use".
free_port() {
	local p lo=0 span=20000
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=0
	[ "$lo" -ge 25000 ] 2>/dev/null && span=$(( lo - 20000 ))
	for _ in $(seq 50); do
		p=$(( 20000 + RANDOM % span ))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# replace_block FILE NAME BLOCK: puts the text of file BLOCK between the
# lines "<!-- NAME:begin -->" and "<!-- NAME:end -->" of the Markdown FILE,
# keeping the rest of it; a FILE without them gets them appended (a missing
# FILE is made, with a title).
replace_block() {
	local file=$1 name=$2 blk=$3
	if [ -f "$file" ] && grep -q "<!-- $name:begin -->" "$file"; then
		awk -v blk="$blk" -v b="<!-- $name:begin -->" -v e="<!-- $name:end -->" '
			index($0, b) { print; while ((getline l < blk) > 0) print l; skip = 1; next }
			index($0, e) { skip = 0 }
			!skip' "$file" > "$file.tmp" && mv "$file.tmp" "$file"
	else
		# Asked before the >> below makes the file.
		local title=; [ -f "$file" ] || title="# Benchmark results"
		{ [ -z "$title" ] || echo "$title"; echo; echo "<!-- $name:begin -->"
		  cat "$blk"; echo "<!-- $name:end -->"; } >> "$file"
	fi
}

# wire_bytes URL [CURL ARGS...]: the bytes an answer takes on the wire as a
# browser asks for it (Accept-Encoding: gzip): its status line and headers
# plus its body as sent (compressed when the server compressed it). curl
# does not inflate without --compressed, so size_download is what came.
wire_bytes() {
	local url=$1; shift
	curl -sS -o /dev/null --max-time 10 -H 'Accept-Encoding: gzip' "$@" \
		-w '%{size_header} %{size_download}\n' "$url" |
		awk 'NF == 2 { print $1 + $2; ok = 1 } END { exit !ok }'
}
