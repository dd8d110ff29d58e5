using System.Text.Json.Serialization;

namespace BotSystem.WebhookManager.Apis;

public sealed record RedriveResult([property: JsonPropertyName("redriven")] int Redriven);
