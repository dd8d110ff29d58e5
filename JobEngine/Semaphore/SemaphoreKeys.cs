using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>Names every key and the wake-up channel of one semaphore; all keys share one hash tag.</summary>
internal sealed class SemaphoreKeys
{
    public SemaphoreKeys(string prefix, string name)
    {
        var root = prefix.Contains('{') ? $"{prefix}:{name}" : $"{prefix}:{{{name}}}";
        All =
        [
            $"{root}:limit",
            $"{root}:holders",
            $"{root}:owners",
            $"{root}:waiters",
            $"{root}:waiter-heartbeats",
            $"{root}:sequence",
        ];
        WakeChannel = RedisChannel.Literal($"{root}:wake");
    }

    /// <summary>The keys in the order every semaphore script expects them.</summary>
    public RedisKey[] All { get; }

    /// <summary>Where scripts publish the id of each waiter that may now take a permit.</summary>
    public RedisChannel WakeChannel { get; }
}
