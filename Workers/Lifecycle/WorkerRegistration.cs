using BotSystem.Contracts;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.Workers.Lifecycle;

/// <summary>
/// Registers this runner in Redis and keeps its heartbeat, so <c>/stats</c> lists it and a dead one
/// disappears within three heartbeats. Registration is retried with exponential backoff (1 s doubling
/// to 60 s); a Redis outage moves the worker to ERROR and a returned Redis back to READY.
/// </summary>
public sealed class WorkerRegistration(
    IConnectionMultiplexer redis,
    WorkerLifecycle lifecycle,
    IOptions<WorkersOptions> options,
    ILogger<WorkerRegistration> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MinimumBeatTimeout = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var startedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var retry = FirstRetry;
        lifecycle.TransitionTo(WorkerState.REGISTERING, "starting");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await BeatAsync(startedAt);
                if (lifecycle.State is WorkerState.REGISTERING or WorkerState.ERROR)
                {
                    lifecycle.TransitionTo(WorkerState.HEALTH_CHECK, "registered");
                    await redis.GetDatabase().PingAsync();
                    lifecycle.Recovered("Redis answers");
                    await BeatAsync(startedAt);
                }
                retry = FirstRetry;
                await Task.Delay(options.Value.HeartbeatInterval, stoppingToken);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                if (lifecycle.State != WorkerState.REGISTERING)
                {
                    lifecycle.TransitionTo(WorkerState.ERROR, $"Redis is unreachable: {ex.Message}");
                }
                logger.LogWarning("Registration failed; retrying in {Delay}: {Error}", retry, ex.Message);
                await Task.Delay(retry, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            var database = redis.GetDatabase();
            await database.SortedSetRemoveAsync(WorkerRegistry.IndexKey, lifecycle.WorkerId);
            await database.KeyDeleteAsync(WorkerRegistry.Key(lifecycle.WorkerId));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning("Could not unregister: {Error}", ex.Message);
        }
    }

    private async Task BeatAsync(long startedAt)
    {
        var database = redis.GetDatabase();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var key = WorkerRegistry.Key(lifecycle.WorkerId);
        var batch = database.CreateBatch();
        var writes = new[]
        {
            batch.HashSetAsync(key, [
                new(WorkerRegistry.Host, Environment.MachineName),
                new(WorkerRegistry.Pid, Environment.ProcessId),
                new(WorkerRegistry.Types, string.Join(',', options.Value.Types)),
                new(WorkerRegistry.State, lifecycle.State.ToString()),
                new(WorkerRegistry.JobsProcessed, lifecycle.JobsProcessed),
                new(WorkerRegistry.StartedAt, startedAt),
                new(WorkerRegistry.LastHeartbeat, now),
            ]),
            batch.KeyExpireAsync(key, options.Value.HeartbeatInterval * 3),
            batch.SortedSetAddAsync(WorkerRegistry.IndexKey, lifecycle.WorkerId, now),
            batch.SortedSetRemoveRangeByScoreAsync(WorkerRegistry.IndexKey, 0, now - options.Value.HeartbeatInterval.TotalMilliseconds * 3),
        };
        batch.Execute();
        // A heartbeat that cannot land within its own interval is an outage, not a slow write.
        await Task.WhenAll(writes).WaitAsync(options.Value.HeartbeatInterval < MinimumBeatTimeout ? MinimumBeatTimeout : options.Value.HeartbeatInterval);
    }
}
