using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>Tells an outage of Redis, which passes, from a fault of the call itself.</summary>
public static class RedisOutage
{
    /// <summary>How long to wait before asking Redis again while it is out.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private static readonly string[] TransientServerErrors = ["LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "OOM", "MISCONF"];

    /// <summary>
    /// Whether Redis was unreachable, did not answer in time, or refused the call for now: while it loads its data,
    /// fails over (read-only replica, cluster down), is out of memory or cannot persist writes (disk full).
    /// </summary>
    public static bool Is(Exception exception) => exception switch
    {
        RedisUnavailableException or RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => TransientServerErrors.Any(prefix => server.Message.StartsWith(prefix, StringComparison.Ordinal)),
        _ => false,
    };
}
