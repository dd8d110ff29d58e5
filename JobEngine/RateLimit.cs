namespace BotSystem.JobEngine;

/// <summary>At most <paramref name="Max"/> jobs start per <paramref name="Duration"/>, across all workers of the queue.</summary>
/// <param name="Max">Jobs per window.</param>
/// <param name="Duration">Window length.</param>
public sealed record RateLimit(int Max, TimeSpan Duration);
