using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BotSystem.Contracts;
using BotSystem.Contracts.Observability;
using BotSystem.JobEngine;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.Orchestrator.Invocations;

/// <summary>
/// Consumes the <c>invocations</c> queue with high concurrency (most invocations spend their time
/// waiting for a permit or for their bot), and publishes the semaphores' gauges.
/// </summary>
public sealed class InvocationWorkerService(
    IConnectionMultiplexer redis,
    InvocationProcessor processor,
    Semaphores semaphores,
    PermitWaitCancellations permitWaitCancellations,
    IOptions<OrchestratorOptions> options,
    ILogger<InvocationWorkerService> logger) : BackgroundService
{
    private static readonly TimeSpan GaugeRefreshInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CloseDeadline = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, SemaphoreCounts> _counts = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Started before Redis answers (it starts later, or restarts), the orchestrator waits for it here.
        await RedisOutage.WaitOutAsync(() => semaphores.ApplyLimitsAsync(options),
            ex => logger.LogWarning("The semaphore limits wait for Redis: {Message}", ex.Message), stoppingToken);
        await RedisOutage.WaitOutAsync(permitWaitCancellations.SubscribeAsync,
            ex => logger.LogWarning("The subscription to cancels waits for Redis: {Message}", ex.Message), stoppingToken);
        RegisterGauges();

        var settings = options.Value;
        await using var worker = new Worker(QueueNames.Invocations, redis, processor.ProcessAsync, new WorkerOptions
        {
            Concurrency = settings.Concurrency,
            Name = $"orchestrator-{Environment.MachineName}-{Environment.ProcessId}",
            LockDuration = settings.StalledInterval * 2,
            StalledInterval = settings.StalledInterval,
            MaxStalledCount = 5,
            RemoveOnComplete = KeepJobs.Last(settings.KeepFinishedJobs),
            RemoveOnFail = KeepJobs.Last(settings.KeepFinishedJobs),
        });
        worker.Failed += (job, error, willRetry) =>
            logger.LogWarning("Invocation {InvocationId} failed (retry: {WillRetry}): {Error}", job.Id, willRetry, error.Message);
        worker.LockLost += job =>
            logger.LogWarning("Invocation {InvocationId} is left to another orchestration: its lock could not be kept", job.Id);
        logger.LogInformation("Orchestrating invocations with concurrency {Concurrency}; limits python {Python}, node {Node}, java {Java}",
            settings.Concurrency, settings.MaxPythonBots, settings.MaxNodeBots, settings.MaxJavaBots);

        using var timer = new PeriodicTimer(GaugeRefreshInterval);
        try
        {
            do
            {
                await RefreshCountsAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await worker.CloseAsync(CloseDeadline);
        }
    }

    private async Task RefreshCountsAsync(CancellationToken ct)
    {
        foreach (var (type, semaphore) in semaphores.All)
        {
            try
            {
                _counts[type] = await semaphore.GetCountsAsync(ct);
            }
            catch (Exception ex) when (RedisOutage.Is(ex))
            {
                logger.LogWarning("Semaphore counts of {BotType} are unavailable: {Error}", type, ex.Message);
            }
        }
    }

    private void RegisterGauges()
    {
        BotSystemTelemetry.Meter.CreateObservableGauge(MetricNames.SemaphoreUsage,
            () => _counts.Select(pair => new Measurement<int>(pair.Value.Holders, new KeyValuePair<string, object?>("bot_type", pair.Key))),
            description: "Permits held per bot type.");
        BotSystemTelemetry.Meter.CreateObservableGauge(MetricNames.SemaphoreWaiting,
            () => _counts.Select(pair => new Measurement<int>(pair.Value.Waiters, new KeyValuePair<string, object?>("bot_type", pair.Key))),
            description: "Invocations waiting for a permit per bot type.");
    }
}
