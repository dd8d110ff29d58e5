using System.Text.Json.Serialization;

namespace BotSystem.WebhookManager.Apis;

/// <summary>How many dead deliveries a redrive put back on the queue, and how many it left because their endpoint is disabled for their client.</summary>
public sealed record RedriveResult(
    [property: JsonPropertyName("redriven")] int Redriven,
    [property: JsonPropertyName("leftForDisabledEndpoints")] int LeftForDisabledEndpoints);
