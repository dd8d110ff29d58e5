using BotSystem.Contracts;
using BotSystem.WebhookManager.Apis;
using BotSystem.WebhookManager.Delivery;

namespace BotSystem.WebhookManager.Admin;

/// <summary>Listing and redriving dead deliveries.</summary>
public sealed class DeadLetterQueue(DeliveryStore store, DeliveryQueue queue, DisabledEndpoints disabled, WebhookMetrics metrics)
{
    // Dead letter ids read at a time while looking for those of one endpoint.
    private const int EndpointScanPage = 500;

    /// <summary>Dead deliveries that died within the range, oldest first; only the page asked for is read.</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, string? endpoint, int skip, int take)
    {
        var records = await Task.WhenAll((await DeadIdsAsync(from, to, endpoint, skip, take)).Select(store.GetAsync));
        return [.. records.OfType<DeliveryRecord>().Where(record => record.Status == DeliveryStatus.Dead)];
    }

    private async Task<IReadOnlyList<string>> DeadIdsAsync(DateTimeOffset? from, DateTimeOffset? to, string? endpoint, int skip, int take)
    {
        if (endpoint is null)
        {
            return await store.GetDeadIdsAsync(from, to, skip, take);
        }
        var matching = new List<string>();
        for (long offset = 0; matching.Count < (long)skip + take; offset += EndpointScanPage)
        {
            var page = await store.GetDeadIdsAsync(from, to, offset, EndpointScanPage);
            var endpoints = await Task.WhenAll(page.Select(store.GetEndpointAsync));
            matching.AddRange(page.Where((_, i) => endpoints[i] == endpoint));
            if (page.Count < EndpointScanPage)
            {
                break;
            }
        }
        return [.. matching.Skip(skip).Take(take)];
    }

    public enum Redrive { Redriven, NotDead, EndpointDisabled }

    /// <summary>
    /// Puts a dead delivery back on the queue for a new round of attempts, unless it is not dead, or its endpoint is
    /// disabled for its client (it would die again at once). A redrive that revived the delivery but could not queue
    /// its attempt (Redis went away) is completed by the next, of it or of all (it is still in the dead letter index);
    /// one whose attempt is queued is not redriven again.
    /// </summary>
    public async Task<Redrive> RedriveAsync(string id)
    {
        var delivery = await store.GetAsync(id);
        if (delivery is not ({ Status: DeliveryStatus.Dead } or { Status: DeliveryStatus.Pending, Round: > 1 }))
        {
            return Redrive.NotDead;
        }
        if (await disabled.IsDisabledAsync(delivery.Endpoint, delivery.ClientId))
        {
            return Redrive.EndpointDisabled;
        }
        var revived = delivery;
        if (delivery.Status == DeliveryStatus.Dead)
        {
            if (await store.ReviveAsync(delivery) is not { } alive)
            {
                return Redrive.NotDead;
            }
            revived = alive;
        }
        else if (delivery.Attempts > delivery.RoundStartAttempts || await queue.IsQueuedAsync(FirstAttemptOf(delivery)))
        {
            // Redriven already; only its leaving the dead letter index may be missing, if Redis went away just before.
            await store.ForgetDeadAsync(id);
            return Redrive.NotDead;
        }
        await queue.EnqueueAsync(FirstAttemptOf(revived), TimeSpan.Zero, null);
        await store.ForgetDeadAsync(id);
        metrics.DeadLetters(await store.CountDeadAsync());
        return Redrive.Redriven;
    }

    private static DeliveryAttemptJob FirstAttemptOf(DeliveryRecord round) => new(round.Id, round.Round, round.Attempts + 1);

    /// <summary>Redrives the dead deliveries the filters select; counts those redriven and those left because their endpoint is disabled.</summary>
    public async Task<RedriveResult> RedriveAllAsync(DateTimeOffset? from, DateTimeOffset? to, string? endpoint)
    {
        int redriven = 0, leftDisabled = 0;
        foreach (var id in await DeadIdsAsync(from, to, endpoint, 0, int.MaxValue))
        {
            switch (await RedriveAsync(id))
            {
                case Redrive.Redriven:
                    redriven++;
                    break;
                case Redrive.EndpointDisabled:
                    leftDisabled++;
                    break;
            }
        }
        return new RedriveResult(redriven, leftDisabled);
    }
}
