# util.sh: shell helpers shared by the test and bench scripts (sourced by
# tests/e2e/lib.sh, tests/stack.sh, tests/systemd/run.sh, bench/bench.sh).

# wait_for SECONDS CMD...: runs CMD (output discarded) every 50 ms until it
# succeeds; fails after SECONDS. CMD is run again each time, so anything it
# reads (a log, a file) is read anew: pass a function, not a <(...).
wait_for() {
	local n=$(( $1 * 20 )); shift
	for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}

# A free TCP port on 127.0.0.1 (nothing answers a connect to it).
free_port() {
	local p
	for _ in $(seq 50); do
		p=$(( 20000 + RANDOM % 20000 ))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}
