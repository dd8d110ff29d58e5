using System.ComponentModel.DataAnnotations;

namespace BotSystem.WebhookManager;

/// <summary>
/// How deliveries are made, section <c>Webhooks</c>; <c>WEBHOOK_MAX_RETRIES</c> and <c>WEBHOOK_RETRY_DELAY</c>
/// (ms) override the retry settings under their historical names.
/// </summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>Retries after the first attempt before a delivery goes to the dead letter queue.</summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>The first retry's delay in ms; each further retry doubles it.</summary>
    [Range(1, 86_400_000)]
    public int RetryDelayMs { get; set; } = 1000;

    /// <summary>No retry waits longer than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The share of a retry delay that is randomised (0..1), so retries of many deliveries spread out.</summary>
    [Range(0.0, 1.0)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>How long one request may take before it counts as a temporary failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Deliveries in flight at once across all endpoints; per-endpoint caps keep one endpoint from taking them all.</summary>
    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 256;

    /// <summary>How long a delivery job is locked before another worker may take it over from a dead process.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How often the queue is checked for jobs of dead processes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StalledInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a dead delivery is kept for inspection and redrive; a redriven one is kept until it ends again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan DeadLetterRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The User-Agent of every request.</summary>
    [Required]
    [RegularExpression(@"[\x20-\x7E]+",
        ErrorMessage = "Webhooks:UserAgent must be printable ASCII: HTTP sends no other characters in a header, so every request would fail.")]
    public string UserAgent { get; set; } = "BotSystem-Webhooks/1.0";

    [Required]
    public EndpointOptions Endpoint { get; set; } = new();

    /// <summary>Checks the nested endpoint settings, which data annotations alone do not reach.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(Endpoint, new ValidationContext(Endpoint), results, validateAllProperties: true);
        return results.Select(result => new ValidationResult(
            $"{Section}:{nameof(Endpoint)}: {result.ErrorMessage}",
            [.. result.MemberNames.Select(member => $"{nameof(Endpoint)}.{member}")]));
    }
}
