#!/usr/bin/env bash
# Runner benchmark, per bot type (python, node, java), with a no-op bot:
#   cold: our sandboxed runner (BotRunner -> BotProcess: setsid, prlimit, scrubbed environment, temp directory)
#         against a bare spawn of the same interpreter running the same bot, interleaved in the same run;
#   warm: the same bot served by our warm host.
# Prints one JSON line per type: {"bench":"runners","type":"python","cold_overhead_ratio":R,"warm_vs_cold":R,...}
# Arguments (optional): cold rounds (30), warm jobs (2000), types (python,node,java).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build bench/runners/RunnersBench.csproj -c Release -nologo -clp:ErrorsOnly -v quiet >&2
exec dotnet bench/runners/bin/Release/net10.0/RunnersBench.dll "$@"
