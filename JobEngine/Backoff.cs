namespace BotSystem.JobEngine;

/// <summary>Delay before the next attempt, as BullMQ computes it: fixed, or <c>2^(attempt-1) * delay</c>, shortened by jitter.</summary>
internal static class Backoff
{
    public static long Compute(BackoffOptions? backoff, int attempt)
    {
        if (backoff is null)
        {
            return 0;
        }
        var baseDelay = backoff.Delay.TotalMilliseconds;
        var delay = backoff.Type == BackoffType.Exponential ? Math.Round(Math.Pow(2, attempt - 1) * baseDelay) : baseDelay;
        if (backoff.Jitter > 0)
        {
            var low = delay * (1 - backoff.Jitter);
            delay = Math.Floor(low + Random.Shared.NextDouble() * (delay - low));
        }
        return (long)delay;
    }
}
