namespace BotSystem.JobEngine;

/// <summary>Settings of a <see cref="RedisSemaphore"/>.</summary>
public sealed record RedisSemaphoreOptions
{
    /// <summary>
    /// The start of every key. Without a <c>{hash tag}</c> in it, the semaphore name becomes the hash tag,
    /// so all keys of one semaphore live in one Redis Cluster slot either way.
    /// </summary>
    public string Prefix { get; init; } = "botsystem:semaphore";

    /// <summary>
    /// How long a permit stays taken without renewal; a held lease is renewed every third of it, so a
    /// crashed holder's permit returns within this time. Waiters send a heartbeat at the same pace.
    /// </summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Who holds a lease, as listed by <see cref="RedisSemaphore.GetHoldersAsync"/>.</summary>
    public string HolderName { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";
}
