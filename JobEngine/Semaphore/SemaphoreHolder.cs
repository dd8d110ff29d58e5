namespace BotSystem.JobEngine;

/// <summary>One lease currently held on a semaphore.</summary>
/// <param name="Token">The lease token, as in <see cref="SemaphoreLease.Token"/>.</param>
/// <param name="Holder">The <see cref="RedisSemaphoreOptions.HolderName"/> of the process holding it.</param>
/// <param name="AcquiredAt">When the permit was taken.</param>
/// <param name="ExpiresAt">When the permit returns unless the lease is renewed.</param>
public sealed record SemaphoreHolder(string Token, string Holder, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);
