using System.Text.Json.Serialization;

namespace BotSystem.Contracts;

/// <summary>
/// The webhook manager's delivery figures (its <c>GET /stats</c>, and <c>webhooks</c> of the gateway's): the dead letter
/// queue, and the endpoints it holds back.
/// </summary>
public sealed record WebhookStats
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
