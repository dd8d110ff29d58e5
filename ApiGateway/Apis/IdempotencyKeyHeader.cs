namespace BotSystem.ApiGateway.Apis;

/// <summary>
/// The <c>Idempotency-Key</c> header of the requests that create something (<c>POST /invoke</c>, <c>POST /schedules</c>):
/// a repeat with the same key within the idempotency window answers what the first request created and creates
/// nothing; with another body it is a 409.
/// </summary>
public static class IdempotencyKeyHeader
{
    public const string Name = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>The client's key, or null without one; a blank or too long one is an error under the header's name.</summary>
    public static string? Read(HttpContext context, Dictionary<string, string[]> errors)
    {
        var key = context.Request.Headers[Name].FirstOrDefault();
        if (key is not null && (string.IsNullOrWhiteSpace(key) || key.Length > MaxLength))
        {
            errors[Name] = [$"Must be 1 to {MaxLength} characters, not blank."];
            return null;
        }
        return key;
    }

    /// <summary>Documents the header on <paramref name="endpoint"/>, saying what a repeat answers.</summary>
    public static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder endpoint, string repeatAnswers) =>
        endpoint.WithHeader(Name, $"A repeat with the same key within the idempotency window (24 hours by default) answers {repeatAnswers} and creates nothing; with another body it is a 409.",
            MaxLength);
}

/// <summary>
/// The Redis key that makes a request the first of its kind (see <see cref="Contracts.IdempotencyClaim"/>), and how long
/// it is held: for an <c>Idempotency-Key</c>, or a trigger's <c>webhook-id</c>.
/// </summary>
public sealed record RequestClaim(string Key, TimeSpan Window);
