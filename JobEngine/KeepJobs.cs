namespace BotSystem.JobEngine;

/// <summary>Retention of finished jobs: remove all, keep the newest <see cref="Count"/>, and/or those younger than <see cref="Age"/>.</summary>
public sealed record KeepJobs
{
    /// <summary>Keep nothing: remove the job as soon as it finishes (BullMQ's <c>true</c>).</summary>
    public bool RemoveAll { get; init; }

    /// <summary>Keep at most this many finished jobs.</summary>
    public int? Count { get; init; }

    /// <summary>Keep finished jobs at most this old.</summary>
    public TimeSpan? Age { get; init; }

    /// <summary>Keep every finished job (BullMQ's <c>false</c>).</summary>
    public static KeepJobs All => new();

    /// <summary>Keep no finished job: remove each as soon as it finishes (BullMQ's <c>true</c>).</summary>
    public static KeepJobs None => new() { RemoveAll = true };

    /// <summary>Keep the newest <paramref name="count"/> finished jobs.</summary>
    public static KeepJobs Last(int count) => new() { Count = count };

    /// <summary>Keep finished jobs younger than <paramref name="age"/>.</summary>
    public static KeepJobs YoungerThan(TimeSpan age) => new() { Age = age };
}
