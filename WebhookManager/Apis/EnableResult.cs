using System.Text.Json.Serialization;

namespace BotSystem.WebhookManager.Apis;

public sealed record EnableResult([property: JsonPropertyName("endpoint")] string Endpoint, [property: JsonPropertyName("enabled")] long Enabled);
