using System.Text.Json.Serialization;

namespace BotSystem.MockWebhook.Model;

/// <summary>
/// The body of <c>PUT /config</c>: how the receiver misbehaves from now on. Omitted fields switch a failure off; an
/// unknown one is refused, so that a misspelt setting does not quietly leave a failure off.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FailureSettings
{
    /// <summary>Fail this many requests, then answer normally again.</summary>
    [JsonPropertyName("failNext")]
    public int FailNext { get; init; }

    /// <summary>The status code of an injected failure.</summary>
    [JsonPropertyName("statusCode")]
    public int StatusCode { get; init; } = 500;

    /// <summary>The share of requests (0..1) that fail at random.</summary>
    [JsonPropertyName("failRate")]
    public double FailRate { get; init; }

    /// <summary>Added to every answer.</summary>
    [JsonPropertyName("latencyMs")]
    public int LatencyMs { get; init; }

    /// <summary>Fail every request for this many seconds from now.</summary>
    [JsonPropertyName("failForSeconds")]
    public int FailForSeconds { get; init; }

    /// <summary>A <c>Retry-After</c> header (seconds) on injected failures; none when null.</summary>
    [JsonPropertyName("retryAfterSeconds")]
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The problems of these settings by field name; empty when they are usable.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (FailNext < 0)
        {
            errors["failNext"] = ["failNext must be 0 or more."];
        }
        if (StatusCode is < 200 or > 599)
        {
            errors["statusCode"] = ["statusCode must be a final HTTP status code, from 200 to 599."];
        }
        if (double.IsNaN(FailRate) || FailRate is < 0 or > 1)
        {
            errors["failRate"] = ["failRate must be from 0 to 1."];
        }
        if (LatencyMs is < 0 or > 600_000)
        {
            errors["latencyMs"] = ["latencyMs must be from 0 to 600000."];
        }
        if (FailForSeconds is < 0 or > 86_400)
        {
            errors["failForSeconds"] = ["failForSeconds must be from 0 to 86400."];
        }
        if (RetryAfterSeconds is < 0 or > 86_400)
        {
            errors["retryAfterSeconds"] = ["retryAfterSeconds must be from 0 to 86400."];
        }
        return errors;
    }
}
