#!/usr/bin/env bash
# `make bench`: Roost's queue, scheduler and worker-memory figures, beside the bare-PostgreSQL limit
# and the PgQueuer peer from ../shared/bench, in one invocation against one PostgreSQL (run it under
# scripts/with-postgres.sh --durable). Every figure is also printed as `BENCH <name> <value> <unit>`.
#   scripts/bench.sh ROOST_BINARY ROOST_BENCH_BINARY [roost-bench options]
# ROOST_BENCH_PEERS overrides where queue_limit.sh and pgqueuer_peer.py are.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
roost=$1 bench=$2
shift 2
peers=${ROOST_BENCH_PEERS:-$root/../shared/bench}
[ -x "$peers/queue_limit.sh" ] || { echo "bench: no queue_limit.sh in $peers (set ROOST_BENCH_PEERS)" >&2; exit 1; }

# The peer's packages live in the project virtualenv, reinstalled only when their list changes.
stamp=.venv/.bench-requirements.sha256
want=$(sha256sum requirements-bench.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bench: installing requirements-bench.txt into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-bench.txt
  echo "$want" > "$stamp"
fi

"$roost" db migrate

jobs_per_s() { sed -n 's/.*jobs_per_s=\([0-9.]*\).*/\1/p' | tail -1; }

echo "== limit: queue_limit.sh --batch 50"
limit_line=$("$peers/queue_limit.sh" --batch 50)
echo "   $limit_line"
limit=$(jobs_per_s <<<"$limit_line")
echo "BENCH limit.jobs_per_s $limit jobs/s"

echo "== peer: pgqueuer_peer.py --procs 2 --batch 100"
peer_line=$(.venv/bin/python "$peers/pgqueuer_peer.py" --procs 2 --batch 100)
echo "   $peer_line"
peer=$(jobs_per_s <<<"$peer_line")
echo "BENCH pgqueuer.jobs_per_s $peer jobs/s"

"$bench" --roost "$roost" --limit-jobs-per-s "$limit" --peer-jobs-per-s "$peer" "$@"
