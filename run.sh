#!/usr/bin/env bash
# Starts the whole BotSystem on this machine through the AppHost (local Redis by default),
# installing what a fresh machine lacks. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/prerequisites.sh

ensure_runtime_prerequisites
say "dotnet build"
dotnet build BotSystem.sln -nologo -clp:ErrorsOnly
say "Starting the AppHost (resource dashboard on http://localhost:18888)"
exec dotnet run --project AppHost --no-build -- "$@"
