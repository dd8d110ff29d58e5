namespace BotSystem.JobEngine;

/// <summary>Per-job options, stored in the job's <c>opts</c> field with BullMQ's names.</summary>
public sealed record JobOptions
{
    /// <summary>Custom id: not empty, no <c>:</c>, not integer-like, not <c>0</c>. Adding an existing id returns it without a new job.</summary>
    public string? JobId { get; init; }

    /// <summary>0 = none; 1 is the highest priority, up to 2097151.</summary>
    public int Priority { get; init; }

    /// <summary>Time before the job may run; must not be negative.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Total attempts, at least 1.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Wait between failed attempts; none retries at once.</summary>
    public BackoffOptions? Backoff { get; init; }

    /// <summary>Run before the jobs already waiting.</summary>
    public bool Lifo { get; init; }

    /// <summary>What to keep of completed jobs; overrides the worker's setting.</summary>
    public KeepJobs? RemoveOnComplete { get; init; }

    /// <summary>What to keep of failed jobs; overrides the worker's setting.</summary>
    public KeepJobs? RemoveOnFail { get; init; }

    /// <summary>While a job with this id is alive (or within the TTL), further adds return its id.</summary>
    public DeduplicationOptions? Deduplication { get; init; }

    /// <summary>Carried with the job as <c>opts.tm</c>, e.g. a W3C traceparent.</summary>
    public string? TelemetryMetadata { get; init; }

    /// <summary>Creation time override in epoch ms; set for scheduler iterations.</summary>
    internal long? Timestamp { get; init; }
}
