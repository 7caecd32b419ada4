#!/usr/bin/env bash
# Pipeline benchmark: one run of config/dags/twitter_pipeline.yaml (its source switched to a search
# of the fake X API) over N tweets, end to end on the embedded stack: `roost dev kafka`, moto_server,
# a scheduler, an ingest worker and a lake worker.
# Usage: scripts/with-postgres.sh scripts/bench-pipeline.sh [--tweets N]   (ROOST=path/to/roost; release by default)
# Prints tweets/s from the first request to the last object written, each worker's peak RSS, the share
# of time in each task, and BENCH lines: pipeline.tweets_per_s, pipeline.worker_peak_rss_mb.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tweets=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --tweets) tweets=$2; shift 2 ;;
    *) echo "usage: $0 [--tweets N]" >&2; exit 2 ;;
  esac
done
# The mock keeps ~5 MB per partition: 64 partitions hold 100,000 tweets.
source "$root/scripts/bench-x-stack.sh" tweets.raw 64 tweets.dead_letter
start_lake bench-lake

python3 - "$api" "$tweets" <<'PY'
import json, sys, time, urllib.request
api, count = sys.argv[1], int(sys.argv[2])
start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3 * 3600))
body = {"token": "bench-token", "rate_limit": 1000000,
        "generate": {"count": count, "start_time": start, "spacing_ms": 3 * 3600 * 1000 // count, "users": 1000}}
urllib.request.urlopen(urllib.request.Request(api + "/_admin/scenario", data=json.dumps(body).encode(), method="POST")).read()
PY

mkdir -p "$work/dags"
sed -e 's|replay: config/samples/twitter|query: roost\n      lookback: 4h\n      parallel_slices: 4|' -e "s|\.run/staging|$work/staging|" \
    -e 's|^schedule: "@hourly"|schedule: null|' config/dags/twitter_pipeline.yaml >"$work/dags/twitter_pipeline.yaml"
"$roost" scheduler 2>"$work/scheduler.log" & pids+=($!)
"$roost" worker --queues ingest --concurrency 1 2>"$work/ingest.log" & ingest=$!; pids+=($ingest)
"$roost" worker --queues lake --concurrency 2 2>"$work/lake.log" & lake=$!; pids+=($lake)
for _ in $(seq 100); do "$roost" dags list 2>/dev/null | grep -q '^twitter_pipeline ' && break; sleep 0.2; done
"$roost" dags trigger twitter_pipeline --wait >/dev/null
read -r written seconds < <(psql -Atc "
  SELECT (SELECT sum((metrics->>'s3_records_written')::bigint) FROM roost.task_attempt_history WHERE dag_id = 'twitter_pipeline' AND task_id = 'load' AND state = 'success'),
         extract(epoch FROM max(ended_at) FILTER (WHERE task_id = 'load') - min(started_at))
  FROM roost.task_attempt_history WHERE dag_id = 'twitter_pipeline'" | tr '|' ' ')
[ "$written" -eq "$tweets" ] || { echo "the lake holds $written of $tweets tweets" >&2; exit 1; }
ingest_mb=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$ingest/status")
lake_mb=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$lake/status")
per_s=$(python3 -c "print(round($tweets / $seconds))")
printf '%d tweets from the fake X API to refined objects in moto: %.2f s, %d tweets/s; peak RSS ingest worker %d MB, lake worker %d MB\n' \
  "$tweets" "$seconds" "$per_s" "$ingest_mb" "$lake_mb"
psql -Atc "SELECT format('  %s: %s s, %s%%', task_id, round(extract(epoch FROM duration)::numeric, 2),
                         round(100 * extract(epoch FROM duration)::numeric / $seconds))
           FROM roost.task_attempt_history WHERE dag_id = 'twitter_pipeline' AND state = 'success' ORDER BY started_at"
echo "  machine load: $(uptime | sed 's/.*load average: //') (1, 5, 15 min; 2 cores)"
echo "BENCH pipeline.tweets_per_s $per_s"
echo "BENCH pipeline.worker_peak_rss_mb $(( ingest_mb > lake_mb ? ingest_mb : lake_mb ))"
