using BotSystem.Contracts;
using BotSystem.JobEngine;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Admin;

/// <summary>The semaphores and live workers, read from Redis so every gateway replica reports the same.</summary>
public sealed class SystemOverview(IConnectionMultiplexer redis, IConfiguration configuration)
{
    /// <summary>A worker whose last heartbeat is older than this is not listed.</summary>
    private static readonly TimeSpan LiveWindow = TimeSpan.FromSeconds(15);

    public async Task<IReadOnlyDictionary<string, SemaphoreView>> GetSemaphoresAsync(CancellationToken ct)
    {
        var views = new Dictionary<string, SemaphoreView>();
        foreach (var botType in BotTypes.All)
        {
            var (variable, fallback) = BotLimits.Of(botType);
            var semaphore = new RedisSemaphore(redis, botType, configuration.GetValue(variable, fallback));
            var counts = await semaphore.GetCountsAsync(ct);
            views[botType] = new SemaphoreView(counts.Limit, counts.Holders, counts.Waiters);
        }
        return views;
    }

    public async Task<IReadOnlyList<WorkerView>> GetWorkersAsync(CancellationToken ct)
    {
        var database = redis.GetDatabase();
        var since = DateTimeOffset.UtcNow.Add(-LiveWindow).ToUnixTimeMilliseconds();
        var ids = await database.SortedSetRangeByScoreAsync(WorkerRegistry.IndexKey, since, double.PositiveInfinity);
        var workers = new List<WorkerView>();
        foreach (var id in ids)
        {
            var fields = (await database.HashGetAllAsync(WorkerRegistry.Key(id!))).ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
            if (fields.Count == 0)
            {
                continue;
            }
            workers.Add(new WorkerView(
                id!,
                fields.GetValueOrDefault(WorkerRegistry.Host),
                int.TryParse(fields.GetValueOrDefault(WorkerRegistry.Pid), out var pid) ? pid : null,
                fields.GetValueOrDefault(WorkerRegistry.Types)?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [],
                fields.GetValueOrDefault(WorkerRegistry.State),
                long.TryParse(fields.GetValueOrDefault(WorkerRegistry.JobsProcessed), out var processed) ? processed : 0,
                long.TryParse(fields.GetValueOrDefault(WorkerRegistry.LastHeartbeat), out var heartbeat) ? DateTimeOffset.FromUnixTimeMilliseconds(heartbeat) : null));
        }
        return workers;
    }
}

public sealed record SemaphoreView(int Limit, int Used, int Waiting);

public sealed record WorkerView(string Id, string? Host, int? Pid, IReadOnlyList<string> Types, string? State, long JobsProcessed, DateTimeOffset? LastHeartbeat);
