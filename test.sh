#!/usr/bin/env bash
# Runs every BotSystem test (and the alert-rule checks), installing what a fresh machine lacks.
# Ends with one line "Tests: N passed, N failed[, N skipped]" computed from the TRX results.
set -uo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_runtime_prerequisites || exit 1
require_command promtool prometheus || exit 1
require_command chromium chromium || exit 1
ensure_node_packages tests/node

results=TestResults
rm -rf "$results"
mkdir -p "$results"

say "dotnet build (Release)"
dotnet build BotSystem.sln -c Release -nologo -clp:ErrorsOnly || { echo "Tests: 0 passed, 1 failed"; exit 1; }
# The benchmarks run apart (bench/run.sh), but must build with every change of what they measure.
for project in bench/*/*.csproj; do
  say "dotnet build $project (Release)"
  dotnet build "$project" -c Release -nologo -clp:ErrorsOnly || { echo "Tests: 0 passed, 1 failed"; exit 1; }
done

promtool_failed=0
if [ -f deploy/prometheus/alert-rules.yml ]; then
  say "promtool check and test rules"
  promtool check config deploy/prometheus/prometheus.yml && \
  promtool check rules deploy/prometheus/alert-rules.yml && \
  promtool test rules deploy/prometheus/alert-rules.test.yml || promtool_failed=1
fi

say "dotnet test"
dotnet test BotSystem.sln -c Release --no-build -nologo \
  --logger "trx" --results-directory "$results" \
  -- xUnit.ParallelizeTestCollections=true
test_exit=$?

summary=$(python3 scripts/trx_summary.py "$results" "$promtool_failed")
echo "$summary"
[[ $test_exit -eq 0 && $promtool_failed -eq 0 && "$summary" == *" 0 failed"* ]]
