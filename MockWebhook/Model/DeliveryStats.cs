using System.Text.Json.Serialization;

namespace BotSystem.MockWebhook.Model;

/// <summary>The body of <c>GET /stats</c>.</summary>
public sealed record DeliveryStats
{
    [JsonPropertyName("received")]
    public required long Received { get; init; }

    [JsonPropertyName("uniqueIds")]
    public required long UniqueIds { get; init; }

    [JsonPropertyName("duplicates")]
    public required long Duplicates { get; init; }

    [JsonPropertyName("badSignatures")]
    public required long BadSignatures { get; init; }

    /// <summary>Requests by the status they were answered with; <c>unanswered</c> those whose sender gave up first.</summary>
    [JsonPropertyName("byStatus")]
    public required Dictionary<string, long> ByStatus { get; init; }
}
