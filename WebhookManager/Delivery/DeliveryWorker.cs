using BotSystem.JobEngine;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>Runs the queue worker for <c>webhooks</c> and keeps the dead letter gauge current.</summary>
public sealed class DeliveryWorker(
    IConnectionMultiplexer redis,
    DeliveryProcessor processor,
    DeliveryStore store,
    WebhookMetrics metrics,
    IOptions<WebhookOptions> options,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    private static readonly TimeSpan GaugeRefresh = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CloseDeadline = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var worker = new Worker(DeliveryQueue.QueueName, redis, processor.ProcessAsync, new WorkerOptions
        {
            Concurrency = options.Value.Concurrency,
            LockDuration = options.Value.LockDuration,
            StalledInterval = options.Value.StalledInterval,
            Name = "webhook-manager",
            RemoveOnComplete = new KeepJobs { Age = TimeSpan.FromHours(1), Count = 10_000 },
            RemoveOnFail = KeepJobs.Last(1000),
            // An attempt made waits for Redis to record its outcome however long an outage lasts: cancelled, it would be
            // sent again, where a second run meanwhile at worst sends it again under the same webhook-id.
            CancelBeforeLockRunsOut = false,
        });
        worker.Failed += (job, error, willRetry) =>
            logger.LogError(error, "Webhook job {JobId} failed (will retry: {WillRetry})", job.Id, willRetry);
        worker.LockLost += job =>
            logger.LogWarning("Webhook job {JobId} is left to another run: its lock could not be kept", job.Id);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    metrics.DeadLetters(await store.CountDeadAsync());
                }
                catch (Exception e) when (RedisOutage.Is(e))
                {
                    logger.LogWarning("Cannot read the dead letter count: {Message}", e.Message);
                }
                await Task.Delay(GaugeRefresh, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            await worker.CloseAsync(CloseDeadline);
            await worker.DisposeAsync();
        }
    }
}
