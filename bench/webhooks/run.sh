#!/usr/bin/env bash
# Webhook delivery benchmark: the WebhookManager against a bare HttpClient loop posting the same signed
# payloads to the same MockWebhook, and healthy-endpoint throughput with half the endpoints dead.
# Prints one JSON line: {"bench":"webhooks","ratio":R,"healthy_with_half_dead_ratio":R,...}, the median of its rounds.
# Arguments: [deliveries per measurement, default 10000, so the bare loop runs for about half a second, past its ramp-up] [rounds, default 3].
# Both sides are warmed up first, in passes of that many deliveries, until their rates stop rising.
# Installs redis-server (apt-get) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/prerequisites.sh
require_command redis-server redis-server >&2
dotnet build bench/webhooks/WebhooksBench.csproj -c Release -nologo -clp:ErrorsOnly -v quiet >&2
exec dotnet bench/webhooks/bin/Release/net10.0/WebhooksBench.dll "$@"
