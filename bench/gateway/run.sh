#!/usr/bin/env bash
# Gateway benchmark: POST /invoke against a bare minimal endpoint doing one Redis LPUSH, same load tool, same run.
# Prints one JSON line: {"bench":"gateway","ours_rps":N,"bare_rps":N,"ratio":R,"p99_ms":N,...}: the rates are the
# medians of three saturated rounds per side, p99_ms the median of three runs paced at half our rate (p99_ms_runs).
# Installs redis-server (apt-get) when it is missing. BENCH_SECONDS sets each measurement's length (default 8).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/prerequisites.sh
require_command redis-server redis-server >&2
dotnet build bench/gateway/GatewayBench.csproj -c Release -nologo -clp:ErrorsOnly -v quiet >&2
exec dotnet bench/gateway/bin/Release/net10.0/GatewayBench.dll "$@"
