#!/usr/bin/env bash
# Installs what Roost's build and tests need, idempotently: Debian packages that are missing,
# and the project virtualenv .venv with the Python tools from requirements-dev.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

packages=(libpq-dev librdkafka-dev libcurl4-openssl-dev libssl-dev zlib1g-dev postgresql postgresql-contrib kcat pkg-config python3-venv python3-psycopg2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The virtualenv is rebuilt only when the requirements change.
stamp=.venv/.requirements.sha256
requirements=(requirements-dev.txt)
[ -f ansible/requirements.txt ] && requirements+=(ansible/requirements.txt)
want=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: preparing .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  for r in "${requirements[@]}"; do .venv/bin/pip install -q --disable-pip-version-check -r "$r"; done
  echo "$want" > "$stamp"
fi
