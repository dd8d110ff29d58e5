namespace BotSystem.JobEngine;

/// <summary>Retention of finished jobs: remove all, keep the newest <see cref="Count"/>, and/or those younger than <see cref="Age"/>.</summary>
public sealed record KeepJobs
{
    /// <summary>Remove the job as soon as it finishes.</summary>
    public bool RemoveAll { get; init; }

    /// <summary>Keep at most this many finished jobs.</summary>
    public int? Count { get; init; }

    /// <summary>Keep finished jobs at most this old.</summary>
    public TimeSpan? Age { get; init; }

    /// <summary>Remove finished jobs at once.</summary>
    public static KeepJobs All => new() { RemoveAll = true };

    /// <summary>Keep every finished job.</summary>
    public static KeepJobs None => new();

    /// <summary>Keep the newest <paramref name="count"/> finished jobs.</summary>
    public static KeepJobs Last(int count) => new() { Count = count };

    /// <summary>Keep finished jobs younger than <paramref name="age"/>.</summary>
    public static KeepJobs YoungerThan(TimeSpan age) => new() { Age = age };
}
