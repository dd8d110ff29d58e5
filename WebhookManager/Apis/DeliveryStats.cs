using System.Text.Json.Serialization;

namespace BotSystem.WebhookManager.Apis;

/// <summary>The delivery figures of <c>GET /stats</c>: the dead letter queue, and the endpoints this manager holds back.</summary>
public sealed record DeliveryStats
{
    [JsonPropertyName("deadLetters")]
    public required long DeadLetters { get; init; }

    /// <summary>Endpoints whose circuit is open (or half-open, letting one probe through) in this manager.</summary>
    [JsonPropertyName("openCircuits")]
    public required int OpenCircuits { get; init; }

    /// <summary>Endpoints disabled for at least one client after answering 410 Gone.</summary>
    [JsonPropertyName("disabledEndpoints")]
    public required int DisabledEndpoints { get; init; }
}
