#!/usr/bin/env bash
# X API ingestion benchmark: a `roost worker` runs one twitter_ingest of N tweets (100 a page) from the
# fake X API (Tests/servers/fake_x_api.py) into the embedded Kafka cluster; then Roost's page decoding
# against CPython's json on the same saved pages, in the same invocation so the figures read as a ratio.
# Usage: scripts/with-postgres.sh scripts/bench-twitter.sh [--tweets N] [--decode-pages P]
#        (ROOST=path/to/roost to choose the binary; release by default)
# Prints a summary and BENCH lines: x.ingest.tweets_per_s, x.ingest.peak_rss_mb, x.decode.ratio_vs_cpython.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tweets=200000 decode_pages=200
while [ $# -gt 0 ]; do
  case "$1" in
    --tweets) tweets=$2; shift 2 ;;
    --decode-pages) decode_pages=$2; shift 2 ;;
    *) echo "usage: $0 [--tweets N] [--decode-pages P]" >&2; exit 2 ;;
  esac
done
source "$root/scripts/bench-x-stack.sh" tweets 16

# N tweets by 1,000 users, evenly over the last three hours.
python3 - "$api" "$tweets" <<'PY'
import json, sys, time, urllib.request
api, count = sys.argv[1], int(sys.argv[2])
start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3 * 3600))
body = {"token": "bench-token", "rate_limit": 1000000,
        "generate": {"count": count, "start_time": start, "spacing_ms": 3 * 3600 * 1000 // count, "users": 1000}}
urllib.request.urlopen(urllib.request.Request(api + "/_admin/scenario", data=json.dumps(body).encode(), method="POST")).read()
PY

mkdir -p "$work/dags"
cat >"$work/dags/bench_x.yaml" <<'YAML'
dag_id: bench_x
tasks:
  - task_id: ingest
    type: twitter_ingest
    params: {query: roost, topic: tweets, lookback: 4h}
    execution_timeout: 30m
YAML
"$roost" scheduler 2>"$work/scheduler.log" & pids+=($!)
"$roost" worker --queues default --concurrency 1 2>"$work/worker.log" & worker=$!; pids+=($worker)
for _ in $(seq 100); do "$roost" dags list 2>/dev/null | grep -q '^bench_x ' && break; sleep 0.2; done
"$roost" dags trigger bench_x --wait >/dev/null
read -r fetched seconds < <(psql -Atc "SELECT metrics->>'tweets_fetched', extract(epoch FROM ended_at - started_at)
                                         FROM roost.task_attempts WHERE state = 'success'" | tr '|' ' ')
rss_mb=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$worker/status")
[ "$fetched" -eq "$tweets" ] || { echo "the worker fetched $fetched of $tweets tweets" >&2; exit 1; }

# Decoding alone: the first P pages as saved API responses, decoded by Roost and by CPython.
mkdir -p "$work/pages"
python3 - "$api" "$decode_pages" "$work/pages" <<'PY'
import json, sys, urllib.parse, urllib.request
api, pages, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fields = {"tweet.fields": "attachments,author_id,context_annotations,conversation_id,created_at,edit_controls,"
          "edit_history_tweet_ids,entities,geo,id,in_reply_to_user_id,lang,possibly_sensitive,public_metrics,"
          "referenced_tweets,reply_settings,source,text,withheld",
          "user.fields": "created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,"
          "public_metrics,url,username,verified,verified_type,withheld", "expansions": "author_id"}
token = None
for i in range(pages):
    query = dict(fields, query="roost", max_results="100", **({"next_token": token} if token else {}))
    request = urllib.request.Request(api + "/2/tweets/search/recent?" + urllib.parse.urlencode(query),
                                     headers={"Authorization": "Bearer bench-token"})
    body = urllib.request.urlopen(request).read()
    open(f"{folder}/page-{i:05d}.json", "wb").write(body)
    token = json.loads(body)["meta"].get("next_token")
    if not token:
        break
PY
roost_mb_s=$("$roost" twitter check-pages "$work/pages" --passes 5 | sed -n 's/.*: \([0-9.]*\) MB\/s.*/\1/p')
cpython_mb_s=$(python3 - "$work/pages" <<'PY'
import glob, json, sys, time
files = [open(f, "rb").read() for f in sorted(glob.glob(sys.argv[1] + "/*.json"))]
fastest = float("inf")
for _ in range(5):
    start = time.perf_counter()
    for body in files:
        json.loads(body)
    fastest = min(fastest, time.perf_counter() - start)
print(round(sum(map(len, files)) / 1e6 / fastest, 1))
PY
)
printf 'ingest %d tweets (100 a page) from the fake X API into the embedded Kafka: %.2f s, %d tweets/s, worker peak RSS %d MB\n' \
  "$tweets" "$seconds" "$(python3 -c "print(round($tweets / $seconds))")" "$rss_mb"
printf 'decode %d saved pages: roost %s MB/s, CPython json %s MB/s\n' "$decode_pages" "$roost_mb_s" "$cpython_mb_s"
echo "BENCH x.ingest.tweets_per_s $(python3 -c "print(round($tweets / $seconds))") tweets/s"
echo "BENCH x.ingest.peak_rss_mb $rss_mb MB"
echo "BENCH x.decode.ratio_vs_cpython $(python3 -c "print(round($roost_mb_s / $cpython_mb_s, 2))") x"
