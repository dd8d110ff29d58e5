using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BotSystem.ApiGateway.Admin;
using BotSystem.Contracts.Observability;
using StackExchange.Redis;

namespace BotSystem.ApiGateway.Metrics;

/// <summary>
/// Publishes <c>queue_size{queue,state}</c> and <c>queue_oldest_waiting_age_seconds{queue}</c>, read
/// from Redis every few seconds, so every gateway replica reports the same truth.
/// </summary>
public sealed class QueueMetrics(AdminQueues queues, ILogger<QueueMetrics> logger) : BackgroundService
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<(string Queue, string State), long> _sizes = new();
    private readonly ConcurrentDictionary<string, double> _oldestAges = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        BotSystemTelemetry.Meter.CreateObservableGauge(MetricNames.QueueSize,
            () => _sizes.Select(pair => new Measurement<long>(pair.Value,
                new KeyValuePair<string, object?>("queue", pair.Key.Queue), new KeyValuePair<string, object?>("state", pair.Key.State))),
            description: "Jobs per queue and state.");
        BotSystemTelemetry.Meter.CreateObservableGauge(MetricNames.QueueOldestWaitingAge,
            () => _oldestAges.Select(pair => new Measurement<double>(pair.Value, new KeyValuePair<string, object?>("queue", pair.Key))),
            unit: "s", description: "How long the oldest waiting job of each queue has waited.");

        using var timer = new PeriodicTimer(RefreshInterval);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is RedisException or JobEngine.JobEngineException or TimeoutException)
            {
                logger.LogWarning("Queue metrics are stale: {Error}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        foreach (var queue in queues.All)
        {
            foreach (var (state, count) in await queue.GetJobCountsAsync(ct, [.. AdminStates.Listed]))
            {
                _sizes[(queue.Name, AdminStates.Name(state))] = count;
            }
            var oldest = await queue.GetOldestWaitingSinceAsync(ct);
            _oldestAges[queue.Name] = oldest is null ? 0 : Math.Max(0, (DateTimeOffset.UtcNow - oldest.Value).TotalSeconds);
        }
    }
}
