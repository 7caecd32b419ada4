#!/usr/bin/env bash
# `make run`: the Twitter pipeline for one interval on the embedded stack, then a summary.
# Starts what is not configured: the embedded Kafka (`roost dev kafka`) unless
# ROOST_KAFKA_BOOTSTRAP_SERVERS is set, moto_server unless ROOST_S3_ENDPOINT or AWS credentials are
# set; then a scheduler, an `ingest` worker and a `lake` worker on config/dags. It follows the
# newest interval's twitter_pipeline run to its end, prints what it wrote and the run history, and
# stops everything it started. See README.md ("The Twitter pipeline") for real services.
set -euo pipefail
roost=$1
python=.venv/bin/python; [ -x "$python" ] || python=python3
mkdir -p .run
"$roost" db migrate >/dev/null 2>.run/migrate.log
"$roost" dags validate

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if [ -z "${ROOST_KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  rm -f .run/kafka-bootstrap
  "$roost" dev kafka --partitions 4 --topic tweets.raw --topic tweets.dead_letter >/dev/null 2>.run/kafka.log & pids+=($!)
  for _ in $(seq 1 100); do [ -s .run/kafka-bootstrap ] && break; sleep 0.1; done
  echo "kafka: embedded ($(cat .run/kafka-bootstrap))"
fi
export ROOST_S3_BUCKET=${ROOST_S3_BUCKET:-roost-lake}
if [ -z "${ROOST_S3_ENDPOINT:-}" ] && [ -z "${AWS_ACCESS_KEY_ID:-}" ]; then
  coproc MOTO { exec "$python" Tests/servers/moto_server.py 2>.run/moto.log; }
  pids+=("$MOTO_PID")
  read -r _ port <&"${MOTO[0]}"
  export ROOST_S3_ENDPOINT=http://127.0.0.1:$port ROOST_S3_PATH_STYLE=true ROOST_S3_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true
  curl -fsS -X PUT "$ROOST_S3_ENDPOINT/$ROOST_S3_BUCKET" >/dev/null
  echo "s3: moto_server ($ROOST_S3_ENDPOINT, bucket $ROOST_S3_BUCKET)"
fi

"$roost" scheduler 2>.run/scheduler.log & pids+=($!)
"$roost" worker --queues ingest --concurrency 2 2>.run/worker-ingest.log & pids+=($!)
"$roost" worker --queues lake --concurrency 4 2>.run/worker-lake.log & pids+=($!)

sql() { psql "${ROOST_DATABASE_URL:-$DATABASE_URL}" -X -q -v ON_ERROR_STOP=1 "$@"; }
# The scheduler stores the DAG and creates the newest interval's run on its first ticks.
run=""
for _ in $(seq 1 100); do
  run=$(sql -At -c "SELECT run_id FROM roost.dag_runs WHERE dag_id = 'twitter_pipeline' ORDER BY logical_date DESC LIMIT 1")
  [ -n "$run" ] && break; sleep 0.2
done
[ -n "$run" ] || { echo "no twitter_pipeline run was created (see .run/scheduler.log)" >&2; exit 1; }
state=success
"$roost" runs wait "twitter_pipeline/$run" || state=failed
echo
echo "== summary"
sql -At -c "
  SELECT format('runs: %s (%s)', count(*), string_agg(DISTINCT state::text, ', ')) FROM roost.dag_runs WHERE dag_id = 'twitter_pipeline';
  SELECT format('tasks: %s attempts, %s retried', count(*), count(*) FILTER (WHERE try_number > 1))
    FROM roost.task_attempt_history WHERE dag_id = 'twitter_pipeline';
  SELECT format('tweets: %s fetched, %s refined, %s quarantined',
      coalesce(sum((metrics->>'tweets_fetched')::bigint), 0), coalesce(sum((metrics->>'tweets_refined')::bigint), 0),
      coalesce(sum((metrics->>'records_quarantined')::bigint), 0))
    FROM roost.task_attempt_history WHERE dag_id = 'twitter_pipeline' AND state = 'success';
  SELECT format('objects: %s data objects, %s records, %s bytes in s3://%s/', count(*), sum(records), sum(bytes), min(bucket))
    FROM roost.lake_object_lineage WHERE dag_id = 'twitter_pipeline';"
sql -At -c "SELECT '  s3://' || bucket || '/' || key || '  (' || records || ' records, offsets ' || topic || '/' || partition || ' from ' || first_offset || ')'
            FROM roost.lake_object_lineage WHERE dag_id = 'twitter_pipeline' ORDER BY key"
echo
echo "== run history"
sql -c "SELECT run_id, task_id, try_number AS try, state, worker, duration, metrics->>'tweets_fetched' AS fetched,
               metrics->>'tweets_refined' AS refined, metrics->>'s3_objects_written' AS objects
        FROM roost.task_attempt_history WHERE dag_id = 'twitter_pipeline' ORDER BY started_at"
echo "logs: .run/*.log; staging files: .run/staging/twitter_pipeline/"
[ "$state" = success ]
