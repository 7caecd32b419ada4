#!/usr/bin/env bash
# Filtered-stream benchmark: a `roost worker` runs twitter_stream from the fake X API's streaming
# endpoint (Tests/servers/fake_x_api.py) into the embedded Kafka cluster, while kcat reads the topic
# and a lake worker runs config/samples/dags/twitter_stream_lake.yaml every --lake-every into moto_server.
# First --steady tweets at --rate a second (latency: the server's send time to the record being read
# back from Kafka, and to the lake object that holds it being recorded), then --burst tweets as fast as
# the server sends them (sustained throughput).
# Usage: scripts/with-postgres.sh scripts/bench-stream.sh [--steady N] [--rate R] [--burst N] [--lake-every D]
#        (ROOST=path/to/roost to choose the binary; release by default)
# Prints a summary and BENCH lines: stream.tweets_per_s, stream.latency_p50_ms, stream.latency_p99_ms,
# stream.lake_latency_s (p50 over the steady tweets) and stream.lake_latency_max_s.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
steady=1000 rate=100 burst=20000 lake_every=10s
while [ $# -gt 0 ]; do
  case "$1" in
    --steady) steady=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --burst) burst=$2; shift 2 ;;
    --lake-every) lake_every=$2; shift 2 ;;
    *) echo "usage: $0 [--steady N] [--rate R] [--burst N] [--lake-every D]" >&2; exit 2 ;;
  esac
done
source "$root/scripts/bench-x-stack.sh" tweets_stream 4 tweets.dead_letter
start_lake bench-lake
export ROOST_WORKER_SHUTDOWN_GRACE=1s
total=$((steady + burst))
curl -sf -XPOST "$api/_admin/scenario" -d "{\"token\": \"bench-token\", \"stream\": {\"keepalive_ms\": 20000, \"connections\": [
  {\"tweets\": $steady, \"interval_ms\": $(python3 -c "print(1000 / $rate)"), \"then\": \"end\"},
  {\"tweets\": $burst, \"interval_ms\": 0, \"then\": \"stall\", \"stall_ms\": 600000}]}}" >/dev/null

# Each record's key and the time it was read back, unbuffered, from the end of the topic; a short
# fetch wait so the reader adds little latency of its own.
kcat -C -b "$(cat "$work/bootstrap")" -t tweets_stream -o end -u -q -X fetch.wait.max.ms=5 -f '%k\n' 2>"$work/kcat.log" \
  | python3 -u -c 'import sys, time
for line in sys.stdin: print(line.strip(), time.time(), flush=True)' >"$work/read" & pids+=($!)
sleep 2  # kcat's assignment; tweets only start once the worker runs

mkdir -p "$work/dags"
cat >"$work/dags/bench_stream.yaml" <<'YAML'
dag_id: bench_stream
tasks:
  - task_id: stream
    type: twitter_stream
    params: {topic: tweets_stream}
YAML
sed -e "s|^schedule: every 2m|schedule: every $lake_every|" -e "s|\.run/staging|$work/staging|" \
    config/samples/dags/twitter_stream_lake.yaml >"$work/dags/twitter_stream_lake.yaml"
"$roost" scheduler 2>"$work/scheduler.log" & pids+=($!)
"$roost" worker --queues default --concurrency 1 2>"$work/worker.log" & worker=$!; pids+=($worker)
"$roost" worker --queues lake --concurrency 2 2>"$work/lake.log" & pids+=($!)
for _ in $(seq 100); do "$roost" dags list 2>/dev/null | grep -q '^bench_stream ' && break; sleep 0.2; done
"$roost" dags trigger bench_stream >/dev/null
for _ in $(seq 1200); do [ "$(wc -l <"$work/read")" -ge "$total" ] && break; sleep 0.25; done
[ "$(wc -l <"$work/read")" -ge "$total" ] || { echo "only $(wc -l <"$work/read") of $total tweets reached Kafka" >&2; exit 1; }
lake_count() { psql -Atc "SELECT count(*) FROM roost.lake_record_locations WHERE key LIKE 'tweets/%'"; }
for _ in $(seq 1200); do [ "$(lake_count)" -ge "$total" ] && break; sleep 0.25; done
[ "$(lake_count)" -ge "$total" ] || { echo "only $(lake_count) of $total tweets reached the lake" >&2; exit 1; }
psql -AtF ' ' -c "SELECT record_id, extract(epoch FROM written_at) FROM roost.lake_record_locations
                  JOIN roost.lake_object_lineage USING (bucket, key) WHERE key LIKE 'tweets/%'" >"$work/lake"
curl -sf "$api/_admin/stream" >"$work/sent.json"
python3 - "$work/sent.json" "$work/read" "$steady" "$rate" "$burst" "$work/lake" "$lake_every" <<'PY'
import json, sys
sent = json.load(open(sys.argv[1]))["sent"]
read = {}
for line in open(sys.argv[2]):
    key, at = line.split()
    read.setdefault(key, float(at))
lake_rows = [line.split() for line in open(sys.argv[6])]
lake = {key: float(at) for key, at in lake_rows}
steady, rate, burst, lake_every = int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[7]
sent_ids = {t["id"] for t in sent}
assert len(lake_rows) == len(sent_ids) and set(lake) == sent_ids, \
    f"every sent tweet once in the lake: {len(lake_rows)} lake records, {len(set(lake))} distinct, {len(sent_ids)} sent"
lake_latencies = sorted(lake[t["id"]] - t["at"] for t in sent if t["connection"] == 0)
lake_p50, lake_max = lake_latencies[len(lake_latencies) // 2], lake_latencies[-1]
latencies = sorted((read[t["id"]] - t["at"]) * 1000 for t in sent if t["connection"] == 0)
burst_sent = [t for t in sent if t["connection"] == 1]
seconds = max(read[t["id"]] for t in burst_sent) - burst_sent[0]["at"]
p50, p99 = latencies[len(latencies) // 2], latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
print(f"steady {steady} tweets at {rate}/s: server send to record read back from Kafka p50 {p50:.1f} ms, p99 {p99:.1f} ms")
print(f"burst {burst} tweets: {seconds:.2f} s from the first sent to the last in Kafka, {burst / seconds:.0f} tweets/s")
print(f"steady tweets, server send to their lake object recorded (lake DAG every {lake_every}): p50 {lake_p50:.1f} s, max {lake_max:.1f} s")
print(f"BENCH stream.tweets_per_s {burst / seconds:.0f} tweets/s")
print(f"BENCH stream.latency_p50_ms {p50:.1f} ms")
print(f"BENCH stream.latency_p99_ms {p99:.1f} ms")
print(f"BENCH stream.lake_latency_s {lake_p50:.1f} s")
print(f"BENCH stream.lake_latency_max_s {lake_max:.1f} s")
PY
