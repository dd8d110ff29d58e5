using System.Text.Json.Serialization;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>One attempt as kept in a delivery's history.</summary>
public sealed record AttemptRecord
{
    [JsonPropertyName("attempt")]
    public required int Attempt { get; init; }

    [JsonPropertyName("round")]
    public required int Round { get; init; }

    [JsonPropertyName("at")]
    public required DateTimeOffset At { get; init; }

    [JsonPropertyName("statusCode")]
    public int? StatusCode { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("durationMs")]
    public required double DurationMs { get; init; }

    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }
}
