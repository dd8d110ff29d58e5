using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace BotSystem.WebhookManager.Delivery;

/// <summary>Puts the next attempt of a delivery on the <c>webhooks</c> queue as a delayed job, so pending retries live in Redis.</summary>
public sealed class DeliveryQueue(Queue queue)
{
    // Completed jobs are kept a while so that re-adding a follow-up after a crash finds it and adds nothing.
    private static readonly KeepJobs KeepCompleted = new() { Age = TimeSpan.FromHours(1), Count = 10_000 };

    public Task EnqueueAsync(DeliveryAttemptJob attempt, TimeSpan delay, string? traceParent) =>
        queue.AddAsync(DeliveryAttemptJob.JobName, attempt, new JobOptions
        {
            JobId = attempt.JobId,
            Delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay,
            // Engine-level retries only cover this service failing (Redis hiccups); a receiver's failures are counted by us.
            Attempts = 3,
            Backoff = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromSeconds(1)),
            RemoveOnComplete = KeepCompleted,
            RemoveOnFail = KeepJobs.Last(1000),
            TelemetryMetadata = traceParent,
        });

    public static string QueueName => QueueNames.Webhooks;
}
