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
    /// Renews the permit the bot's job names until the lease returned is detached; null when the job names none, or the
    /// permit is gone or cannot be reached now (the orchestrator's renewals alone keep it then).
    /// </summary>
    public async Task<SemaphoreLease?> HoldAsync(BotJobData data, CancellationToken ct)
    {
        if (data.PermitToken is not { } token || !BotTypes.IsKnown(data.BotType))
        {
            return null;
        }
        var semaphore = _semaphores.GetOrAdd(data.BotType, type =>
        {
            var (variable, fallback) = BotLimits.Of(type);
            return new RedisSemaphore(redis, type, configuration.GetValue(variable, fallback));
        });
        try
        {
            return await semaphore.ReattachAsync(token, ct);
        }
        catch (Exception e) when (RedisOutage.Is(e))
        {
            logger.LogWarning("The permit of {InvocationId} is left to its orchestrator: {Message}", data.InvocationId, e.Message);
            return null;
        }
    }
}
