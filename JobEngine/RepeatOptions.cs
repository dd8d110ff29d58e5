namespace BotSystem.JobEngine;

/// <summary>When a job scheduler fires: a cron <see cref="Pattern"/> or a fixed <see cref="Every"/> interval.</summary>
public sealed record RepeatOptions
{
    /// <summary>Cron expression (5 fields, or 6 with seconds).</summary>
    public string? Pattern { get; init; }

    /// <summary>Fixed interval between runs; runs fall on multiples of it (the first on the next one), so every process agrees on the slots.</summary>
    public TimeSpan? Every { get; init; }

    /// <summary>IANA time zone for <see cref="Pattern"/>; UTC when null.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Stop after this many runs.</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming what is wrong: a bad cron pattern or one that never matches,
    /// interval, time zone or limit.
    /// </summary>
    public void Validate() => SchedulerTiming.From(this).First(Queue.Now());
}
