using Microsoft.Extensions.Options;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>When the next attempt of a failing delivery is due: exponential backoff with jitter, capped, and a receiver's Retry-After within bounds.</summary>
public sealed class RetrySchedule(IOptions<WebhookOptions> options)
{
    private WebhookOptions Options => options.Value;

    /// <summary>Whether a round that has made <paramref name="attemptsInRound"/> attempts may retry once more.</summary>
    public bool MayRetry(int attemptsInRound) => attemptsInRound - 1 < Options.MaxRetries;

    /// <summary>The wait before retry number <paramref name="retry"/> (1-based) without jitter.</summary>
    public TimeSpan ScheduledDelay(int retry)
    {
        var milliseconds = Options.RetryDelayMs * Math.Pow(2, Math.Min(retry - 1, 40));
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, Options.MaxRetryDelay.TotalMilliseconds));
    }

    /// <summary>
    /// The wait before retry number <paramref name="retry"/>: the scheduled delay spread by the jitter, or the
    /// receiver's Retry-After clamped to [scheduled, 2 × scheduled] so no receiver can stall or hurry us unduly; neither
    /// past the maximum delay.
    /// </summary>
    public TimeSpan DelayBefore(int retry, TimeSpan? retryAfter)
    {
        var scheduled = ScheduledDelay(retry);
        if (retryAfter is { } asked)
        {
            var longest = TimeSpan.FromTicks(Math.Min((scheduled * 2).Ticks, Options.MaxRetryDelay.Ticks));
            return asked < scheduled ? scheduled : asked > longest ? longest : asked;
        }
        var spread = 1 + Options.Jitter * (2 * Random.Shared.NextDouble() - 1);
        return TimeSpan.FromMilliseconds(Math.Min(scheduled.TotalMilliseconds * spread, Options.MaxRetryDelay.TotalMilliseconds));
    }

    /// <summary>
    /// The wait before a postponed delivery comes back: what the limiter suggests, else a wait that doubles with each
    /// postponement up to the attempt timeout, so deliveries to a hanging endpoint do not churn the queue; plus a random
    /// spread of at least 250 ms and at most the jitter's share of the wait, so the many deliveries an endpoint's stall
    /// or open circuit sent away together do not all return together.
    /// </summary>
    public TimeSpan Postponement(TimeSpan? suggested, int postponements)
    {
        var wait = suggested is { } asked && asked > TimeSpan.Zero
            ? asked
            : TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, Math.Min(postponements, 10)), Options.AttemptTimeout.TotalMilliseconds));
        var spread = Math.Max(250, wait.TotalMilliseconds * Options.Jitter);
        return wait + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * spread);
    }
}
