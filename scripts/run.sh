#!/usr/bin/env bash
# `make run`: migrates the throwaway database and shows the effective configuration.
set -euo pipefail
roost=$1
"$roost" db migrate
"$roost" config check
"$roost" db status
