namespace BotSystem.JobEngine;

/// <summary>Settings of a <see cref="Worker"/>.</summary>
public sealed record WorkerOptions
{
    /// <summary>Jobs processed at the same time by this worker.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Lock time of an active job; renewed every half of it.</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a job whose lock goes unrenewed for seven eighths of <see cref="LockDuration"/> (Redis out of reach) is
    /// cancelled, so it has stopped before the stalled-job sweep can hand it to another worker. Off, it runs on, and may
    /// then run twice at once.
    /// </summary>
    public bool CancelBeforeLockRunsOut { get; init; } = true;

    /// <summary>Interval of the shared stalled-job sweep.</summary>
    public TimeSpan StalledInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Times a job may stall before it fails.</summary>
    public int MaxStalledCount { get; init; } = 1;

    /// <summary>Queue-wide rate limit applied when this worker fetches.</summary>
    public RateLimit? Limiter { get; init; }

    /// <summary>Worker name, stored as <c>pb</c> on jobs and in the connection name.</summary>
    public string? Name { get; init; }

    /// <summary>Longest wait for new jobs in one blocking call.</summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Default retention of completed jobs; job options win.</summary>
    public KeepJobs? RemoveOnComplete { get; init; }

    /// <summary>Default retention of failed jobs; job options win.</summary>
    public KeepJobs? RemoveOnFail { get; init; }

    /// <summary>Key prefix of the queue.</summary>
    public string Prefix { get; init; } = "bull";

    /// <summary>Start fetching on construction.</summary>
    public bool Autorun { get; init; } = true;
}
