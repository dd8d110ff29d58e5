using System.Text.Json.Serialization;
using BotSystem.WebhookManager.Delivery;

namespace BotSystem.WebhookManager.Apis;

/// <summary>A delivery with its full attempt history, as <c>GET /deliveries/{id}</c> shows it.</summary>
public sealed record DeliveryView
{
    [JsonPropertyName("delivery")]
    public required DeliveryRecord Delivery { get; init; }

    [JsonPropertyName("body")]
    public required string Body { get; init; }

    [JsonPropertyName("history")]
    public required IReadOnlyList<AttemptRecord> History { get; init; }
}
