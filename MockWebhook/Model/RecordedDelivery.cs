using System.Text.Json.Serialization;

namespace BotSystem.MockWebhook.Model;

/// <summary>One request as it arrived, with the verdict on its signature and the status it was answered with, if any.</summary>
public sealed record RecordedDelivery
{
    [JsonPropertyName("id")]
    public required string? Id { get; init; }

    [JsonPropertyName("receivedAt")]
    public required DateTimeOffset ReceivedAt { get; init; }

    [JsonPropertyName("path")]
    public required string Path { get; init; }

    [JsonPropertyName("headers")]
    public required Dictionary<string, string> Headers { get; init; }

    [JsonPropertyName("body")]
    public required string Body { get; init; }

    [JsonPropertyName("signatureValid")]
    public required bool SignatureValid { get; init; }

    [JsonPropertyName("verification")]
    public required string Verification { get; init; }

    /// <summary>Null when the sender gave up before the answer.</summary>
    [JsonPropertyName("status")]
    public required int? Status { get; init; }
}
