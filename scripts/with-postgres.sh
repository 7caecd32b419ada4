#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL 15 cluster on a free loopback port.
# The command sees DATABASE_URL, ROOST_DATABASE_URL and PG* pointing at it; the cluster is stopped
# and deleted when the command ends, whether it passed, failed or was interrupted.
#   scripts/with-postgres.sh [--durable] COMMAND [ARGS...]
# --durable keeps PostgreSQL's default fsync and synchronous_commit (for benchmarks).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pgbin=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$pgbin/initdb" ] || { echo "with-postgres: no initdb under /usr/lib/postgresql/*/bin (run make setup)" >&2; exit 1; }

durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${1:-}" = "--durable" ]; then durability=""; shift; fi

# initdb refuses to run as root: as root, the cluster belongs to the postgres user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

base="$root/.pg"
mkdir -p "$base"
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$base"; then
  base=$(mktemp -d /tmp/roost-pg.XXXXXX)   # the project folder is not reachable by postgres
fi
dir=$(mktemp -d "$base/cluster.XXXXXX")
[ "$(id -u)" = 0 ] && chown postgres "$dir"

cleanup() {
  as_pg "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg "$pgbin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }

# A port can be taken between choosing and binding it: try a few.
for attempt in 1 2 3 4 5; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=300 $durability" >/dev/null; then
    break
  fi
  [ "$attempt" = 5 ] && { cat "$dir/server.log" >&2; exit 1; }
done

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
export ROOST_DATABASE_URL="$DATABASE_URL"
echo "with-postgres: PostgreSQL on 127.0.0.1:$port ($dir)" >&2
"$@"
