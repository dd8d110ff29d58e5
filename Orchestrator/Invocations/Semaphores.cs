using BotSystem.Contracts;
using BotSystem.JobEngine;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.Orchestrator.Invocations;

/// <summary>One distributed semaphore per bot type, named after it, with the configured limit.</summary>
public sealed class Semaphores
{
    private readonly Dictionary<string, RedisSemaphore> _byType;

    public Semaphores(IConnectionMultiplexer redis, IOptions<OrchestratorOptions> options)
    {
        var semaphoreOptions = new RedisSemaphoreOptions { LeaseTime = options.Value.LeaseTime };
        _byType = BotTypes.All.ToDictionary(type => type, type => new RedisSemaphore(redis, type, options.Value.LimitOf(type), semaphoreOptions));
    }

    public RedisSemaphore For(string botType) =>
        _byType.TryGetValue(botType, out var semaphore) ? semaphore : throw new UnrecoverableException($"Unknown bot type '{botType}'.");

    /// <summary>Makes the configured limits the shared ones, so a changed setting applies on restart.</summary>
    public async Task ApplyLimitsAsync(IOptions<OrchestratorOptions> options)
    {
        foreach (var (type, semaphore) in _byType)
        {
            await semaphore.SetLimitAsync(options.Value.LimitOf(type));
        }
    }

    public IReadOnlyDictionary<string, RedisSemaphore> All => _byType;
}
