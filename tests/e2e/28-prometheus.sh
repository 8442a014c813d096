#!/bin/bash
# A real Prometheus (Debian's) scrapes the stack's /metrics every second,
# on the site's monitoring port as docs/INSTALL.md configures it; its
# query API returns the counts this test caused.
. "$(dirname "$0")/lib.sh"
PROM=${PROMETHEUS:-/usr/bin/prometheus}
[ -x "$PROM" ] || { not_ok "$PROM is installed (Debian package prometheus: make deps)"; finish; }
export MICROCACHE=0
stack_up
signin demo
P=/researchers/sanjeev-arora
BIB="$P/works.bib"

PROM_PORT=$(free_port)
PROM_URL="http://127.0.0.1:$PROM_PORT"
mkdir -p "$T_DIR/prom-data"
cat >"$T_DIR/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: bzpeer
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$(cat "$RUNDIR/metrics.port")']
EOF
"$PROM" --config.file="$T_DIR/prometheus.yml" --storage.tsdb.path="$T_DIR/prom-data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$T_DIR/prometheus.log" 2>&1 &
PROM_PID=$!
stop_prom() {
	kill "$PROM_PID" 2>/dev/null
	wait_for 20 pid_gone "$PROM_PID" || kill -9 "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	stack_down
}
trap stop_prom EXIT

# query PROMQL: the value of the query's first sample ("" when none).
query() {
	curl -fsS --max-time 5 "$PROM_URL/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
# is QUERY VALUE: the query returns VALUE now (for wait_for).
is() { [ "$(query "$1")" = "$2" ]; }

check "Prometheus is ready" wait_for 30 curl -fsS -o /dev/null "$PROM_URL/-/ready"
check "it scrapes the stack: up == 1" wait_for 30 is 'up{job="bzpeer"}' 1

# What this test causes: 7 BibTeX exports, 2 unknown researchers' feeds,
# 3 follows (one commit each: they come one after another).
for _ in 1 2 3 4 5 6 7; do curl -s -o /dev/null --max-time 10 "$BASE$BIB"; done
for _ in 1 2; do curl -s -o /dev/null --max-time 10 "$BASE/researchers/nobody-here/works.atom"; done
for a in follow unfollow follow; do
	curl -s -o /dev/null --max-time 10 -b "$JAR" -H 'Accept: application/json' \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "csrf=$CSRF&action=$a" "$BASE$P/follow"
done

check "Prometheus has the 7 BibTeX exports" wait_for 30 is \
	'bzpeer_http_requests_total{route="/researchers/{slug}/works.bib",status="200"}' 7
# A scrape may fall between the exports and what came after them: wait
# for each figure, not only the first.
check "... the 2 unknown researchers' feeds (404)" wait_for 30 is \
	'bzpeer_http_requests_total{route="/researchers/{slug}/works.atom",status="404"}' 2
check "... the 3 follows answered 200" wait_for 30 is \
	'bzpeer_http_requests_total{route="/researchers/{slug}/follow",status="200"}' 3
check "... 3 follow commits" is 'bzpeer_follow_commits_total' 3
check "... carrying 3 follows" is 'bzpeer_follow_batch_size_sum' 3
check "... the exports' latency histogram: 7 observations" is \
	'bzpeer_http_request_duration_seconds_count{route="/researchers/{slug}/works.bib"}' 7
q=$(query 'histogram_quantile(0.5, bzpeer_http_request_duration_seconds_bucket{route="/researchers/{slug}/works.bib"})')
check "... a median latency computed from it (${q:-none} s)" \
	python3 -c "import sys; v = float(sys.argv[1]); sys.exit(not 0 < v <= 2.5)" "${q:-x}"
s3="$(query bzpeer_redis_up):$(query bzpeer_store_up):$(query bzpeer_catalog_generation)"
check "... Redis up, the store up, generation 1 ($s3)" [ "$s3" = 1:1:1 ]
check "... 4 workers" is 'bzpeer_workers' 4
finish
