using System.Text.Json.Serialization;
using BotSystem.Contracts;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>
/// The state of one logical delivery (one <c>webhook-id</c>), kept in Redis. A redrive starts a new
/// round: the history stays, and the round gets the full retry budget again.
/// </summary>
public sealed record DeliveryRecord
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("invocationId")]
    public required string InvocationId { get; init; }

    [JsonPropertyName("clientId")]
    public required string ClientId { get; init; }

    [JsonPropertyName("url")]
    public required string Url { get; init; }

    [JsonPropertyName("endpoint")]
    public required string Endpoint { get; init; }

    [JsonPropertyName("eventType")]
    public required string EventType { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("attempts")]
    public required int Attempts { get; init; }

    [JsonPropertyName("round")]
    public required int Round { get; init; }

    /// <summary>Attempts made before the current round began.</summary>
    [JsonPropertyName("roundStartAttempts")]
    public required int RoundStartAttempts { get; init; }

    [JsonPropertyName("createdAt")]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("lastStatusCode")]
    public int? LastStatusCode { get; init; }

    [JsonPropertyName("lastError")]
    public string? LastError { get; init; }

    [JsonPropertyName("nextAttemptAt")]
    public DateTimeOffset? NextAttemptAt { get; init; }

    [JsonPropertyName("deadAt")]
    public DateTimeOffset? DeadAt { get; init; }

    [JsonPropertyName("deadReason")]
    public string? DeadReason { get; init; }

    [JsonIgnore]
    public string Body { get; init; } = "";

    /// <summary>False for a delivery seen for the first time, whose record is written with its first change of status.</summary>
    [JsonIgnore]
    public bool IsStored { get; init; } = true;

    /// <summary>A delivery not attempted yet, as its job describes it.</summary>
    public static DeliveryRecord Pending(WebhookDeliveryJobData data, string endpoint, DateTimeOffset createdAt) => new()
    {
        Id = data.MessageId,
        InvocationId = data.InvocationId,
        ClientId = data.ClientId,
        Url = data.Url,
        Endpoint = endpoint,
        EventType = data.EventType,
        Body = data.Body,
        Status = DeliveryStatus.Pending,
        Attempts = 0,
        Round = 1,
        RoundStartAttempts = 0,
        CreatedAt = createdAt,
        IsStored = false,
    };
}
