#!/usr/bin/env bash
# Tests of ansible/: ansible-lint (production profile), --syntax-check of every playbook, provisioning
# against a moto_server started here (provision_test.py), and site.yml applied for real inside a
# throwaway root (configure.sh). The three groups run side by side; each check prints "ok NAME" or
# "FAIL NAME", and the last line counts them. Idempotent; uses the project's .venv.
#   ansible/tests/run.sh            ROOST_BINARY=path/to/roost overrides .build/debug/roost
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ansible_dir=$(dirname "$here")
root=$(dirname "$ansible_dir")
cd "$root"

# make setup installs .venv's ansible tools and Debian's python3-psycopg2 (the configuration test
# runs modules as the postgres user with Debian's Python).
scripts/setup.sh
export PATH="$root/.venv/bin:$PATH" ANSIBLE_CONFIG="$ansible_dir/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export ROOST_BINARY=${ROOST_BINARY:-$root/.build/debug/roost}

work=$(mktemp -d /tmp/roost-ansible-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT

static_checks() {
  local playbook out
  if out=$(cd "$ansible_dir" && ansible-lint --nocolor 2>&1); then echo "ok ansible-lint (production profile)"
  else echo "FAIL ansible-lint (production profile)"; printf '%s\n' "$out" | tail -30 | sed 's/^/    /'; fi
  for playbook in provision.yml site.yml upgrade.yml teardown.yml; do
    if out=$(ansible-playbook --syntax-check -i "$here/configure-inventory.yml" "$ansible_dir/$playbook" 2>&1); then
      echo "ok $playbook passes --syntax-check"
    else echo "FAIL $playbook passes --syntax-check"; printf '%s\n' "$out" | tail -10 | sed 's/^/    /'; fi
  done
}

configuration() {
  if [ "$(id -u)" != 0 ] || [ ! -x "$ROOST_BINARY" ]; then
    echo "FAIL configuration test (needs root for namespaces and a built roost at $ROOST_BINARY)"; return
  fi
  mkdir -p "$work/root"
  THROWAWAY_ROOT="$work/root" "$here/throwaway-root.sh" "$here/configure.sh"
}

timed() { # NAME COMMAND...: runs COMMAND, then says how long it took
  local name=$1 start=$SECONDS; shift
  "$@"
  echo "($name took $((SECONDS - start)) s)"
}
timed "lint and syntax checks" static_checks >"$work/static.out" 2>&1 &
timed "provisioning test" python "$here/provision_test.py" >"$work/provision.out" 2>&1 &
timed "configuration test" configuration >"$work/configuration.out" 2>&1 &
wait

cat "$work/static.out" "$work/provision.out" "$work/configuration.out"
passed=$(cat "$work"/*.out | grep -c '^ok ')
failed=$(cat "$work"/*.out | grep -c '^FAIL ')
echo "ansible: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
