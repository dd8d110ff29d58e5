#!/usr/bin/env bash
# Runs one benchmark: bench/run.sh <name> [arguments...] runs bench/<name>/run.sh, which compares us with a peer
# in the same run and ends with its JSON line(s) on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
available=$(cd "$here" && for script in */run.sh; do [ -e "$script" ] && printf '%s ' "${script%/run.sh}"; done)
name="${1:-}"
if [[ ! "$name" =~ ^[a-z0-9-]+$ ]] || [ ! -f "$here/$name/run.sh" ]; then
  echo "Usage: bench/run.sh <benchmark> [arguments...]; benchmarks here: ${available:-none}" >&2
  [ -z "$name" ] || echo "No benchmark named '$name'." >&2
  exit 2
fi
shift
exec bash "$here/$name/run.sh" "$@"
