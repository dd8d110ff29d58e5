using System.Text.Json;

namespace BotSystem.Testing;

/// <summary>The answer of Prometheus' query API: its <c>data</c> on success, otherwise its error type (e.g. <c>bad_data</c>) and text.</summary>
public sealed record PrometheusQueryResult(bool IsSuccess, JsonElement Data, string? ErrorType, string? Error);
