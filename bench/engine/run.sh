#!/usr/bin/env bash
# Job engine benchmark: our JobEngine against BullMQ 6.2.0 (npm) on one redis-server started for the run: add,
# addBulk and no-op processing of N jobs (default 20,000) at concurrency 1 and 50, removeOnComplete on both sides,
# each measurement in a process of its own, one at a time, the sides taking turns; medians over the rounds.
# Installs what is missing first: redis-server (apt-get) and the BullMQ peer (npm ci in bench/engine/node).
# Progress goes to stderr; stdout ends with one JSON line per concurrency:
# {"bench":"engine","concurrency":50,"ours_jobs_per_s":N,"bullmq_jobs_per_s":N,"ratio":R,"ours_add_bulk_per_s":N,...}
# Usage: bench/engine/run.sh [jobs] [rounds]   (or bench/run.sh engine [jobs] [rounds])
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/prerequisites.sh
require_command redis-server redis-server >&2
command -v node >/dev/null 2>&1 || { say "Node.js (node) is required for the BullMQ side and not on PATH." >&2; exit 1; }
ensure_node_packages bench/engine/node >&2
dotnet build bench/engine/EngineBench.csproj -c Release -nologo -clp:ErrorsOnly -v quiet >&2
exec dotnet bench/engine/bin/Release/net10.0/EngineBench.dll "$@"
