#!/usr/bin/env bash
# `make run`: migrates the throwaway database, starts a scheduler and a worker on the DAGs in
# config/dags, runs the example DAG to its end, shows its history, and stops everything.
set -euo pipefail
roost=$1
mkdir -p .run
"$roost" db migrate
"$roost" config check
"$roost" dags validate

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
# No brokers configured: the embedded cluster, found by the others through .run/kafka-bootstrap.
if "$roost" config check | grep -q '^kafka.bootstrap_servers = ""'; then
  rm -f .run/kafka-bootstrap
  "$roost" dev kafka --topic example-tweets --partitions 6 >/dev/null 2>.run/kafka.log & pids+=($!)
  for _ in $(seq 1 50); do [ -s .run/kafka-bootstrap ] && break; sleep 0.1; done
fi
"$roost" scheduler 2>.run/scheduler.log & pids+=($!)
"$roost" worker --queues default --concurrency 4 2>.run/worker.log & pids+=($!)

# The scheduler stores the DAGs on its first tick.
for _ in $(seq 1 50); do "$roost" dags list | grep -q '^example ' && break; sleep 0.2; done
"$roost" dags trigger example --wait
"$roost" kafka produce example-tweets --file config/examples/tweets.jsonl --key-field author_id
"$roost" kafka consume example-tweets --group make-run --output .run/lake/example-tweets.jsonl
"$roost" kafka offsets example-tweets --group make-run
"$roost" runs list --dag example
"$roost" tasks list "$("$roost" runs list --dag example --output json | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["dag_id"]+"/"+r["run_id"])')"
echo "logs: .run/scheduler.log .run/worker.log .run/kafka.log; consumed tweets: .run/lake/example-tweets.jsonl"
