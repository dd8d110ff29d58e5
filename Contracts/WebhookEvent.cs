using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BotSystem.Contracts;

/// <summary>The body of a webhook request: <c>{"type","timestamp","data"}</c>.</summary>
public sealed record WebhookEvent
{
    public const string Completed = "bot.completed";
    public const string Failed = "bot.failed";

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("timestamp")]
    public required DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("data")]
    public required InvocationOutcome Data { get; init; }

    // Non-ASCII text goes as itself, not as six-byte \uXXXX escapes: the body travels in a delivery job's data, which
    // the job engine limits, and escaped again there a result of non-ASCII text under the runner's limit could pass it.
    private static readonly JsonSerializerOptions BodyJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The request body, as sent and signed.</summary>
    public string ToBody() => JsonSerializer.Serialize(this, BodyJson);
}

/// <summary>What a client learns about a finished invocation.</summary>
public sealed record InvocationOutcome
{
    [JsonPropertyName("jobId")]
    public required string JobId { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    [JsonPropertyName("botType")]
    public required string BotType { get; init; }

    [JsonPropertyName("bot")]
    public required string Bot { get; init; }

    [JsonPropertyName("result")]
    public JsonNode? Result { get; init; }

    [JsonPropertyName("error")]
    public string? Error { get; init; }

    [JsonPropertyName("attempts")]
    public int Attempts { get; init; }

    [JsonPropertyName("durationMs")]
    public long? DurationMs { get; init; }
}
