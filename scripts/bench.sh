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

# CPU time (clock ticks) the server's processes have used so far: the postmaster's live children,
# plus those that exited (the postmaster's cutime and cstime). A figure the machine's other load
# disturbs far less than jobs per second.
server_cpu_ticks() {
  local postmaster total stat fields
  postmaster=$(head -1 "$(psql -X -At -c 'SHOW data_directory')/postmaster.pid")
  read -r -a fields < "/proc/$postmaster/stat"
  total=$((fields[15] + fields[16]))
  for stat in /proc/[0-9]*/stat; do
    read -r -a fields 2>/dev/null < "$stat" || continue
    [ "${fields[3]}" = "$postmaster" ] && total=$((total + fields[13] + fields[14]))
  done
  echo "$total"
}

# Each measured phase starts from a checkpoint, so none pays for writing out the last one's buffers.
checkpoint() { psql -X -q -c CHECKPOINT; }

echo "== limit: queue_limit.sh --batch 50 (10 s)"
checkpoint
before=$(server_cpu_ticks)
limit_line=$("$peers/queue_limit.sh" --batch 50 --seconds 10)
limit_cpu_ticks=$(( $(server_cpu_ticks) - before ))
# Less what its setup (500,000 queued rows, the script's default) costs alone.
before=$(server_cpu_ticks)
psql -X -q -v ON_ERROR_STOP=1 -v rows=500000 -f "$peers/queue_limit_setup.sql" >/dev/null 2>&1
psql -X -q -c "DROP TABLE bench_queue_limit" >/dev/null
limit_cpu_ticks=$(( limit_cpu_ticks - ($(server_cpu_ticks) - before) ))
echo "   $limit_line"
limit=$(jobs_per_s <<<"$limit_line")
limit_cpu=$(awk -v t="$limit_cpu_ticks" -v hz="$(getconf CLK_TCK)" -v j="$limit" 'BEGIN { printf "%.1f", t / hz * 1e6 / (j * 10) }')
echo "BENCH limit.jobs_per_s $limit jobs/s"
echo "BENCH limit.pg_cpu_us_per_job $limit_cpu us"

echo "== peer: pgqueuer_peer.py --procs 2 --batch 100"
checkpoint
peer_line=$(.venv/bin/python "$peers/pgqueuer_peer.py" --procs 2 --batch 100)
echo "   $peer_line"
peer=$(jobs_per_s <<<"$peer_line")
echo "BENCH pgqueuer.jobs_per_s $peer jobs/s"

"$bench" --roost "$roost" --limit-jobs-per-s "$limit" --limit-pg-cpu-us-per-job "$limit_cpu" --peer-jobs-per-s "$peer" "$@"
