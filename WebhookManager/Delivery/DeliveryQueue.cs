using System.Text.Json;
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

    /// <summary>Whether <paramref name="attempt"/> was queued, whether or not it was made since.</summary>
    public async Task<bool> IsQueuedAsync(DeliveryAttemptJob attempt) => await queue.GetJobStateAsync(attempt.JobId) != JobState.Unknown;

    /// <summary>
    /// A delivery not attempted yet, as the job that carries it describes it; null when no such job waits. Its record
    /// is written only with its first attempt, postponement or death.
    /// </summary>
    public async Task<DeliveryRecord?> FindPendingAsync(string deliveryId)
    {
        if (WebhookDeliveryJobData.JobIdOf(deliveryId) is not { } jobId
            || await queue.GetJobAsync(jobId) is not { FinishedOn: null, Name: not DeliveryAttemptJob.JobName } job)
        {
            return null;
        }
        try
        {
            return job.Data.Deserialize<WebhookDeliveryJobData>(JsonSerializerOptions.Web) is { } data && data.MessageId == deliveryId
                ? DeliveryRecord.Pending(data, DeliveryProcessor.EndpointOf(data.Url) ?? "", job.Timestamp)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string QueueName => QueueNames.Webhooks;
}
