#!/usr/bin/env bash
# Webhook delivery benchmark: the WebhookManager against a bare HttpClient loop posting the same signed
# payloads to the same MockWebhook, and healthy-endpoint throughput with half the endpoints dead. A third side, a bare
# worker of our job engine posting the same jobs with HttpClient, gives queue_floor_ratio: the share of the bare loop's
# rate left once every delivery is a durable job, before anything the manager adds.
# Prints one JSON line: {"bench":"webhooks","ratio":R,"healthy_with_half_dead_ratio":R,"queue_floor_ratio":R,...}, the median of its rounds.
# Arguments: [deliveries per measurement, default 10000, so the bare loop runs for about half a second, past its ramp-up] [rounds, default 3].
# Every side is warmed up first, in passes of that many deliveries, until their rates stop rising.
# Installs redis-server (apt-get) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/prerequisites.sh
require_command redis-server redis-server >&2
dotnet build bench/webhooks/WebhooksBench.csproj -c Release -nologo -clp:ErrorsOnly -v quiet >&2
exec dotnet bench/webhooks/bin/Release/net10.0/WebhooksBench.dll "$@"
