using System.ComponentModel.DataAnnotations;

namespace BotSystem.WebhookManager;

/// <summary>What each endpoint (scheme + host + port) gets for itself, section <c>Webhooks:Endpoint</c>.</summary>
public sealed class EndpointOptions
{
    /// <summary>Requests per second to one endpoint from this process (each webhook manager keeps its own count).</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 10;

    /// <summary>
    /// Requests in flight to one endpoint once it answers; a new endpoint starts with a few and gains one per answer,
    /// and each request that gets no answer halves what an endpoint may have in flight.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentRequests { get; set; } = 10;

    /// <summary>
    /// The longest a delivery waits in memory for a request place of an endpoint that is answering; when the expected
    /// wait is longer, or the endpoint owes an answer longer than this, the delivery is postponed instead.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan MaxWaitForPlace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a delivery waits in memory for a request place of an endpoint that has not answered yet, so a burst
    /// to a new endpoint is sent as soon as it answers, while one that never answers holds workers only briefly.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan MaxWaitForFirstAnswer { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The share of failed requests within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>The window the failure ratio is measured over.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests within the window before the ratio counts.</summary>
    [Range(2, 100_000)]
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>
    /// How long an endpoint goes without deliveries before this process forgets what it learnt of it (its request
    /// limit, rate timetable and closed circuit), so endpoints of long ago hold no memory or metric series.
    /// An endpoint with an open circuit is kept until the circuit closes or its break is over.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ForgetAfterIdle { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an open circuit stays open before a probe is let through.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
