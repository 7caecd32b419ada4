# Sourced by the X API benchmarks (bench-twitter.sh, bench-stream.sh) after their options are read:
# picks the roost binary (ROOST, else release, else debug), makes a work folder removed on exit with
# every process in `pids`, and starts the embedded Kafka cluster (topic $1, $2 partitions, and any
# further topics named after them) and the fake X API (token bench-token), exporting the settings that
# point roost at them. `start_lake BUCKET` adds moto_server (S3) with that bucket, exporting the S3 settings.
roost=${ROOST:-$root/.build/release/roost}
[ -x "$roost" ] || roost=$root/.build/debug/roost
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$root"
export ROOST_KAFKA_BOOTSTRAP_FILE=$work/bootstrap ROOST_KAFKA_BOOTSTRAP_SERVERS="" ROOST_LOG_LEVEL=warning
export ROOST_SCHEDULER_DAGS_FOLDER=$work/dags ROOST_SCHEDULER_POLL_INTERVAL=200ms ROOST_WORKER_POLL_INTERVAL=200ms

"$roost" db migrate >/dev/null 2>&1
topics=(--topic "$1"); for extra in "${@:3}"; do topics+=(--topic "$extra"); done
"$roost" dev kafka --brokers 1 --partitions "$2" "${topics[@]}" >"$work/dev.out" 2>"$work/dev.log" & pids+=($!)
python3 Tests/servers/fake_x_api.py >"$work/x.out" 2>"$work/x.log" & pids+=($!)
for _ in $(seq 100); do [ -s "$work/bootstrap" ] && [ -s "$work/x.out" ] && break; sleep 0.1; done
api=http://127.0.0.1:$(awk '/^PORT/ {print $2}' "$work/x.out")
export ROOST_TWITTER_BASE_URL=$api X_BEARER_TOKEN=bench-token

start_lake() {
  local python=$root/.venv/bin/python; [ -x "$python" ] || python=python3
  "$python" Tests/servers/moto_server.py >"$work/moto.out" 2>"$work/moto.log" & pids+=($!)
  for _ in $(seq 200); do [ -s "$work/moto.out" ] && break; sleep 0.1; done
  export ROOST_S3_ENDPOINT=http://127.0.0.1:$(awk '/^PORT/ {print $2}' "$work/moto.out") ROOST_S3_PATH_STYLE=true
  export ROOST_S3_BUCKET=$1 ROOST_S3_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_EC2_METADATA_DISABLED=true
  curl -fsS -X PUT "$ROOST_S3_ENDPOINT/$ROOST_S3_BUCKET" >/dev/null
}
