namespace BotSystem.JobEngine;

/// <summary>Backoff strategy between attempts.</summary>
public enum BackoffType
{
    /// <summary>The same delay before every retry.</summary>
    Fixed,
    /// <summary><c>2^(attempt-1) * delay</c>.</summary>
    Exponential,
}
