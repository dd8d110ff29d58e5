namespace BotSystem.WebhookManager.Delivery;

/// <summary>One request to a webhook and what came of it.</summary>
public sealed record AttemptResult(
    AttemptOutcome Outcome,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    int? StatusCode,
    string? Error,
    TimeSpan? RetryAfter)
{
    /// <summary>The outcome class of an HTTP status code.</summary>
    public static AttemptOutcome Classify(int statusCode) => statusCode switch
    {
        >= 200 and < 300 => AttemptOutcome.Delivered,
        408 or 425 or 429 or >= 500 => AttemptOutcome.Temporary,
        _ => AttemptOutcome.Permanent,
    };
}
