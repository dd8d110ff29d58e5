using BotSystem.Contracts;
using BotSystem.WebhookManager.Delivery;

namespace BotSystem.WebhookManager.Admin;

/// <summary>Listing and redriving dead deliveries.</summary>
public sealed class DeadLetterQueue(DeliveryStore store, DeliveryQueue queue, WebhookMetrics metrics)
{
    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? endpoint, int skip, int take)
    {
        var records = new List<DeliveryRecord>();
        foreach (var id in await store.GetDeadIdsAsync(from, to))
        {
            if (await store.GetAsync(id) is { } record && (endpoint is null || record.Endpoint == endpoint))
            {
                records.Add(record);
            }
        }
        return [.. records.Skip(skip).Take(take)];
    }

    /// <summary>
    /// Puts a dead delivery back on the queue for a new round of attempts; false when it is not dead. A redrive that
    /// revived the delivery but could not queue its attempt (Redis went away) is completed by the next: the attempt's
    /// job id is fixed, so queuing it again adds nothing when it is there.
    /// </summary>
    public async Task<bool> RedriveAsync(string id)
    {
        if ((await store.ReviveAsync(id) ?? await RedrivenWithoutAttemptAsync(id)) is not { } revived)
        {
            return false;
        }
        await queue.EnqueueAsync(new DeliveryAttemptJob(id, revived.Round, revived.Attempts + 1), TimeSpan.Zero, null);
        metrics.DeadLetters(await store.CountDeadAsync());
        return true;
    }

    private async Task<DeliveryRecord?> RedrivenWithoutAttemptAsync(string id) =>
        await store.GetAsync(id) is { Status: DeliveryStatus.Pending, Round: > 1 } delivery && delivery.Attempts == delivery.RoundStartAttempts
            ? delivery
            : null;

    public async Task<int> RedriveAllAsync(DateTimeOffset? from, DateTimeOffset? to, string? endpoint)
    {
        var redriven = 0;
        foreach (var record in await ListAsync(from, to, endpoint, 0, int.MaxValue))
        {
            if (await RedriveAsync(record.Id))
            {
                redriven++;
            }
        }
        return redriven;
    }
}
