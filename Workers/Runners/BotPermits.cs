using System.Collections.Concurrent;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace BotSystem.Workers.Runners;

/// <summary>
/// Keeps the semaphore permit of a running bot taken. The orchestrator that took it renews it as well, but one killed or
/// cut off Redis would let it run out while the bot runs on here, and another bot of the type would start past the limit.
/// </summary>
public sealed class BotPermits(IConnectionMultiplexer redis, IConfiguration configuration, ILogger<BotPermits> logger)
{
    private readonly ConcurrentDictionary<string, RedisSemaphore> _semaphores = new();

    /// <summary>
    /// Renews the permit the invocation's record names until the lease returned is detached. The record, not the bot job,
    /// names it: a run of the orchestration taken up after the first permit ran out takes another, while the bot job the
    /// first run added stays as it was. It is renewed for the lease time the record names, the orchestrator's. No lease
    /// when the record names none or Redis cannot be reached now (the orchestrator's renewals alone keep it then);
    /// lapsed when the permit it names is gone.
    /// </summary>
    public async Task<BotPermit> HoldAsync(BotJobData data, CancellationToken ct)
    {
        if (!BotTypes.IsKnown(data.BotType))
        {
            return BotPermit.None;
        }
        var semaphore = _semaphores.GetOrAdd(data.BotType, type =>
        {
            var (variable, fallback) = BotLimits.Of(type);
            return new RedisSemaphore(redis, type, configuration.GetValue(variable, fallback));
        });
        try
        {
            var lease = await redis.GetDatabase().HashGetAsync(InvocationRecord.Key(data.InvocationId), InvocationRecord.LeaseFields);
            if ((string?)lease[0] is not { } token)
            {
                return BotPermit.None;
            }
            var held = (long?)lease[1] is { } leaseTimeMs
                ? await semaphore.ReattachAsync(token, TimeSpan.FromMilliseconds(leaseTimeMs), ct)
                : await semaphore.ReattachAsync(token, ct);
            return held is null ? BotPermit.Lapsed : new BotPermit(held);
        }
        catch (Exception e) when (RedisOutage.Is(e))
        {
            logger.LogWarning("The permit of {InvocationId} is left to its orchestrator: {Message}", data.InvocationId, e.Message);
            return BotPermit.None;
        }
    }
}
