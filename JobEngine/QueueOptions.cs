namespace BotSystem.JobEngine;

/// <summary>Settings of a <see cref="Queue"/>.</summary>
public sealed record QueueOptions
{
    /// <summary>Key prefix shared with every BullMQ client of the queue; may hold a <c>{hash tag}</c> for Redis Cluster.</summary>
    public string Prefix { get; init; } = "bull";

    /// <summary>Largest accepted serialized job data, in bytes.</summary>
    public int MaxJobDataBytes { get; init; } = 512 * 1024;
}
