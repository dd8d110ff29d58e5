using System.ComponentModel.DataAnnotations;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>Limits of the public API (configuration section <c>Gateway</c>).</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string SectionName = "Gateway";

    [Range(1, 86_400)]
    public int MaxTimeoutSeconds { get; set; } = 300;

    [Range(1, 86_400)]
    public int DefaultTimeoutSeconds { get; set; } = 60;

    /// <summary>The largest request body accepted; larger ones answer 413.</summary>
    [Range(1_024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 256 * 1024;

    /// <summary>Requests per second each client may make on average (token bucket refill) to this gateway, as many reads as writes.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 50;

    /// <summary>How many requests a client may make in one burst.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Otherwise every invocation that leaves its timeout to the default is refused for a field it never sent.
        if (DefaultTimeoutSeconds > MaxTimeoutSeconds)
        {
            yield return new ValidationResult(
                $"DefaultTimeoutSeconds ({DefaultTimeoutSeconds}) must not exceed MaxTimeoutSeconds ({MaxTimeoutSeconds}).",
                [nameof(DefaultTimeoutSeconds), nameof(MaxTimeoutSeconds)]);
        }
    }
}
