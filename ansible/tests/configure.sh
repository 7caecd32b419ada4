#!/usr/bin/env bash
# The configuration test, run by run.sh inside throwaway-root.sh: applies site.yml for real to this
# machine (every role on one host; services installed but not started, as systemd does not run
# here), then checks what it left: units, roost.yaml, secrets, PostgreSQL with TLS and
# least-privilege roles, migrations, Kafka's KRaft settings. Prints one "ok NAME" or "FAIL NAME"
# line per check.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ansible_dir=$(dirname "$here")
work=$THROWAWAY_ROOT
upper="$work/upper"
export ANSIBLE_CONFIG="$ansible_dir/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0

# The PostgreSQL server started by the postgres role lives in this namespace: stop it on the way out.
trap 'pg_ctlcluster 15 main stop -m immediate >/dev/null 2>&1 || true' EXIT

check() { # NAME COMMAND...: runs COMMAND, reports it with its output on failure, keeps going
  local name=$1 out; shift
  if out=$("$@" 2>&1); then echo "ok $name"; else echo "FAIL $name"; printf '%s\n' "$out" | tail -20 | sed 's/^/    /'; fi
}

# --- Applying site.yml ---------------------------------------------------------------------------
# A stand-in for the Apache Kafka archive (nothing is downloaded here) with the scripts the role runs.
stub="$work/kafka-stub/kafka_2.13-3.9.1/bin"
mkdir -p "$stub"
cat > "$stub/kafka-storage.sh" <<'STUB'
#!/bin/sh
# Writes meta.properties into log.dirs, like `kafka-storage.sh format --cluster-id ID --config FILE`.
while [ $# -gt 0 ]; do case $1 in --cluster-id) id=$2; shift;; --config) config=$2; shift;; esac; shift; done
dir=$(sed -n 's/^log.dirs=//p' "$config")
printf 'cluster.id=%s\nversion=1\n' "$id" > "$dir/meta.properties"
STUB
printf '#!/bin/sh\nexit 0\n' > "$stub/kafka-server-start.sh"
printf '#!/bin/sh\nexit 0\n' > "$stub/kafka-topics.sh"
chmod +x "$stub"/*.sh
export KAFKA_STUB_ARCHIVE="$work/kafka_2.13-3.9.1.tgz"
tar -czf "$KAFKA_STUB_ARCHIVE" -C "$work/kafka-stub" kafka_2.13-3.9.1

# The binary under test, copied so that a rebuild meanwhile does not look like a new release.
cp "$ROOST_BINARY" "$work/roost"
play() { # PLAYBOOK LOG [ARGS...]: runs an ansible/ playbook on this host, output to LOG
  local playbook=$1 log=$2; shift 2
  ansible-playbook -i "$here/configure-inventory.yml" "$ansible_dir/$playbook" --skip-tags packages \
    -e @"$here/configure-vars.yml" -e @"$here/vault.yml" --vault-password-file "$here/vault-password" \
    -e roost_binary_src="$work/roost" -e roost_source_dir="$(cd "$ansible_dir/.." && pwd)" "$@" >"$log" 2>&1 \
    || { tail -30 "$log"; return 1; }
}
site() { play site.yml "$@"; }
site_changes_nothing() {
  site "$work/site-again.log" || return 1
  grep -E '^roost-test-host +: .* changed=0 ' "$work/site-again.log" \
    || { grep -B3 '^changed' "$work/site-again.log"; return 1; }
}
site_check_mode_changes_nothing() { # what an operator runs before applying: --check --diff
  site "$work/site-check.log" --check --diff || return 1
  grep -E '^roost-test-host +: .* changed=0 ' "$work/site-check.log" \
    || { grep -B3 '^changed' "$work/site-check.log"; return 1; }
}
check "site.yml applies to a fresh host" site "$work/site.log"
check "site.yml changes nothing the second time" site_changes_nothing
check "site.yml --check --diff then reports no change either" site_check_mode_changes_nothing

# --- Secrets -------------------------------------------------------------------------------------
# The test secrets, one a line, to look for everywhere.
secrets="$work/secret-values.txt"
ansible-vault view --vault-password-file "$here/vault-password" "$here/vault.yml" \
  | python3 -c 'import sys, yaml; print("\n".join(yaml.safe_load(sys.stdin)["vault_roost_secrets"].values()))' >"$secrets"

no_secret_in() { # FILE...: each exists, has content, and holds no secret
  local f
  for f; do [ -s "$f" ] || { echo "$f is missing or empty"; return 1; }; done
  ! grep -F -f "$secrets" "$@"
}
secret_files_are_private() {
  local f
  for f in /etc/roost/scheduler.env /etc/roost/worker.env; do
    [ "$(stat -c '%U:%G %a' "$f")" = "root:root 600" ] || { stat -c '%n %U:%G %a' "$f"; return 1; }
  done
}
secrets_only_in_env_files() { # every file the run wrote, all of /etc, /opt, /var and /usr/local
  local found
  found=$(grep -rlF -f "$secrets" "$upper" | sed "s#^$upper##" | sort | tr '\n' ' ')
  [ "$found" = "/etc/roost/scheduler.env /etc/roost/worker.env " ] || { echo "secrets found in: $found"; return 1; }
}
check "no secret in Ansible's output, --diff included" no_secret_in "$work/site.log" "$work/site-again.log" "$work/site-check.log"
check "secret files are root's, mode 0600" secret_files_are_private
check "secrets are in those files only" secrets_only_in_env_files

# --- Units and configuration ---------------------------------------------------------------------
verify_units() {
  local units=(/etc/systemd/system/roost-scheduler.service /etc/systemd/system/kafka.service) name out
  mkdir -p "$work/units"
  for name in ingest lake; do   # instances of the template, as systemd would load them
    ln -sf /etc/systemd/system/roost-worker@.service "$work/units/roost-worker@$name.service"
    units+=("$work/units/roost-worker@$name.service")
  done
  out=$(systemd-analyze verify "${units[@]}" 2>&1) && [ -z "$out" ] || { echo "$out"; return 1; }
}
if command -v systemd-analyze >/dev/null; then
  check "systemd units pass systemd-analyze verify" verify_units
else
  echo "skip systemd units pass systemd-analyze verify (no systemd-analyze here)"
fi

config_check() { # `roost config check` with the workers' environment, as systemd gives it
  env -i PATH=/usr/bin:/bin bash -c 'set -a; . /etc/roost/worker.env; set +a
    cd /opt/roost/current && ./roost config check --config /etc/roost/roost.yaml' >"$work/config-check.txt"
}
config_names_fleet() {
  grep -Fx 'kafka.bootstrap_servers = "127.0.0.1:9092"  # /etc/roost/roost.yaml' "$work/config-check.txt" &&
  grep -Fx 'database.migrations_dir = /opt/roost/current/sql/migrations  # /etc/roost/roost.yaml' "$work/config-check.txt" &&
  grep -Fx 'twitter.bearer_token = <redacted>  # ROOST_TWITTER_BEARER_TOKEN' "$work/config-check.txt"
}
worker_processes_configured() {
  grep -qx "ROOST_WORKER_QUEUES=ingest" /etc/roost/worker-ingest.env &&
  grep -qx "ROOST_WORKER_CONCURRENCY=4" /etc/roost/worker-ingest.env &&
  grep -qx "ROOST_WORKER_QUEUES=lake,default" /etc/roost/worker-lake.env &&
  grep -qx "ROOST_WORKER_CONCURRENCY=2" /etc/roost/worker-lake.env
}
kafka_kraft_configured() {
  grep -qx "process.roles=broker,controller" /etc/kafka/server.properties &&
  grep -qx "node.id=1" /etc/kafka/server.properties &&
  grep -qx "controller.quorum.voters=1@127.0.0.1:9093" /etc/kafka/server.properties &&
  grep -qx "cluster.id=kP6lveaDQrapnixBKU__pg" /var/lib/kafka/data/meta.properties
}
check "roost.yaml passes roost config check" config_check
check "roost.yaml names Kafka, the release's migrations and the secret's source" config_names_fleet
check "roost config check shows no secret" no_secret_in "$work/config-check.txt"
check "each worker process has its queues and concurrency" worker_processes_configured
check "Kafka is in KRaft mode, node 1 of a quorum of 1, storage formatted" kafka_kraft_configured

# --- PostgreSQL ----------------------------------------------------------------------------------
psql_as() { # SERVICE SQL: connects over TCP as that service does (its unit's PGUSER, its password)
  local unit=roost-scheduler.service user password
  [ "$1" = worker ] && unit=roost-worker@.service
  user=$(sed -n 's/^Environment=PGUSER=//p' "/etc/systemd/system/$unit")
  password=$(env -i bash -c ". /etc/roost/$1.env; printf %s \"\$PGPASSWORD\"")
  [ -n "$user" ] && [ -n "$password" ] || { echo "no database user or password for $1"; return 1; }
  PGPASSWORD=$password psql "host=127.0.0.1 dbname=roost user=$user sslmode=${SSLMODE:-require}" -XAtqc "$2"
}
refused() { # ERROR SERVICE SQL: the statement fails with that error
  local out
  if out=$(psql_as "$2" "$3" 2>&1); then echo "succeeded: $3"; return 1; fi
  grep -q "$1" <<<"$out" || { echo "$out"; return 1; }
}
connects_over_tls() { [ "$(psql_as worker 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')" = t ]; }
migrated() { [ "$(psql_as scheduler 'SELECT count(*) FROM roost.schema_migrations')" -ge 1 ]; }
worker_uses_rows() { psql_as worker 'BEGIN; DELETE FROM roost.task_logs; SELECT count(*) FROM roost.task_instances; ROLLBACK'; }
worker_cannot_change_schema() {
  refused 'permission denied for schema roost' worker 'CREATE TABLE roost.intruder (id int)' &&
  refused 'must be owner of table task_logs' worker 'DROP TABLE roost.task_logs'
}
check "the workers' role connects over TLS" connects_over_tls
check "connections without TLS are refused" env SSLMODE=disable bash -c "$(declare -f psql_as refused); refused 'no encryption' worker 'SELECT 1'"
check "migrations ran as the owner" migrated
check "the workers' role reads and writes rows" worker_uses_rows
check "the workers' role cannot change the schema" worker_cannot_change_schema
check "the scheduler's role cannot change the schema" refused 'must be owner of table dags' scheduler 'ALTER TABLE roost.dags ADD COLUMN intruder int'

# --- Upgrade -------------------------------------------------------------------------------------
# The upgrade also drops the worker process "lake" from roost_worker_processes.
upgrades_to_new_build() { # another build of the same version: a new release, made current
  local before after
  cp "$work/roost" "$work/roost-next" && printf '\n' >>"$work/roost-next"
  before=$(readlink /opt/roost/current)
  play upgrade.yml "$work/upgrade.log" -e roost_binary_src="$work/roost-next" \
    -e '{"roost_worker_processes": [{"name": "ingest", "queues": ["ingest"], "concurrency": 4}]}' || return 1
  after=$(readlink /opt/roost/current)
  [ "$after" != "$before" ] && cmp "$work/roost-next" "$after/roost" && [ -x "$before/roost" ] \
    || { echo "current: $before -> $after"; return 1; }
  grep -q 'TASK \[roost_common : Apply the database migrations\]' "$work/upgrade.log"
}
check "upgrade.yml installs a new build as a new release and makes it current" upgrades_to_new_build
check "no secret in upgrade.yml's output" no_secret_in "$work/upgrade.log"
check "a worker process dropped from the list loses its settings" \
  bash -c '[ ! -e /etc/roost/worker-lake.env ] && [ -e /etc/roost/worker-ingest.env ]'
