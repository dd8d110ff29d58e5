using StackExchange.Redis;

namespace BotSystem.JobEngine;

/// <summary>The one place that knows the semaphore scripts' keys and arguments.</summary>
internal sealed class SemaphoreScripts(IConnectionMultiplexer redis, SemaphoreKeys keys, int initialLimit)
{
    // Declared first: static fields are initialized in order, and every script below starts with it.
    private static readonly string Common = CachedLuaScript.ReadEmbedded(typeof(SemaphoreScripts).Assembly, "semaphore-common.lua");
    private static readonly CachedLuaScript Acquire = Load("semaphore-acquire.lua");
    private static readonly CachedLuaScript Renew = Load("semaphore-renew.lua");
    private static readonly CachedLuaScript Release = Load("semaphore-release.lua");
    private static readonly CachedLuaScript Leave = Load("semaphore-leave.lua");
    private static readonly CachedLuaScript Counts = Load("semaphore-counts.lua");
    private static readonly CachedLuaScript SetLimit = Load("semaphore-set-limit.lua");
    private static readonly CachedLuaScript Holders = Load("semaphore-holders.lua");

    private IDatabase Database => redis.GetDatabase();

    /// <summary>Takes a permit or queues <paramref name="waiterId"/> (empty: only try, never queue).</summary>
    /// <returns>Admitted with the lease expiry, or not with the milliseconds until the earliest lease or waiter heartbeat runs out (-1: none).</returns>
    public async Task<(bool Admitted, long Value)> AcquireAsync(string token, string holder, TimeSpan leaseTime, string waiterId, int priority)
    {
        var result = (RedisResult[])(await Acquire.EvaluateAsync(Database, keys.All,
        [
            initialLimit, Channel, token, holder, Milliseconds(leaseTime), waiterId, priority, Milliseconds(leaseTime),
        ]))!;
        return ((long)result[0] == 1, (long)result[1]);
    }

    /// <summary>Extends a valid lease; returns its new expiry in Unix milliseconds, or null when it is gone.</summary>
    public async Task<long?> RenewAsync(string token, TimeSpan leaseTime, string newHolder)
    {
        var expiry = (long)await Renew.EvaluateAsync(Database, keys.All, [initialLimit, Channel, token, Milliseconds(leaseTime), newHolder]);
        return expiry == 0 ? null : expiry;
    }

    public async Task<bool> ReleaseAsync(string token) =>
        (long)await Release.EvaluateAsync(Database, keys.All, [initialLimit, Channel, token]) == 1;

    /// <summary>Removes a waiter that gave up, and the permit of <paramref name="token"/> an acquire of it may have taken.</summary>
    public async Task LeaveAsync(string waiterId, string token) =>
        await Leave.EvaluateAsync(Database, keys.All, [initialLimit, Channel, waiterId, token]);

    public async Task<SemaphoreCounts> CountsAsync()
    {
        var result = (RedisResult[])(await Counts.EvaluateAsync(Database, keys.All, [initialLimit, Channel]))!;
        return new SemaphoreCounts((int)result[0], (int)result[1], (int)result[2]);
    }

    public async Task SetLimitAsync(int limit) =>
        await SetLimit.EvaluateAsync(Database, keys.All, [limit, Channel]);

    public async Task<IReadOnlyList<SemaphoreHolder>> HoldersAsync()
    {
        var result = (RedisResult[])(await Holders.EvaluateAsync(Database, keys.All, [initialLimit, Channel]))!;
        var holders = new List<SemaphoreHolder>(result.Length / 3);
        for (var i = 0; i < result.Length; i += 3)
        {
            var owner = (string)result[i + 2]!;
            var separator = owner.IndexOf('|');
            var acquiredAt = separator > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(owner[..separator])) : DateTimeOffset.MinValue;
            holders.Add(new SemaphoreHolder(
                (string)result[i]!,
                separator >= 0 ? owner[(separator + 1)..] : owner,
                acquiredAt,
                DateTimeOffset.FromUnixTimeMilliseconds((long)(double)result[i + 1])));
        }
        return holders;
    }

    private RedisValue Channel => keys.WakeChannel.ToString();

    private static long Milliseconds(TimeSpan time) => (long)time.TotalMilliseconds;

    /// <summary>A semaphore script with the shared fragment in front of it.</summary>
    private static CachedLuaScript Load(string fileName) =>
        new(Common + "\n" + CachedLuaScript.ReadEmbedded(typeof(SemaphoreScripts).Assembly, fileName));
}
