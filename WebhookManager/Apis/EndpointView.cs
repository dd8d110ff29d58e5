using System.Text.Json.Serialization;

namespace BotSystem.WebhookManager.Apis;

/// <summary>An endpoint's circuit and the clients it is disabled for, as <c>GET /endpoints</c> shows it.</summary>
public sealed record EndpointView
{
    [JsonPropertyName("endpoint")]
    public required string Endpoint { get; init; }

    [JsonPropertyName("circuit")]
    public required string Circuit { get; init; }

    [JsonPropertyName("disabledFor")]
    public required IReadOnlyDictionary<string, DateTimeOffset> DisabledFor { get; init; }
}
