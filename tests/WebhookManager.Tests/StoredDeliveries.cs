using BotSystem.Contracts;
using BotSystem.WebhookManager;
using BotSystem.WebhookManager.Delivery;
using Microsoft.Extensions.Options;

namespace WebhookManager.Tests;

/// <summary>Deliveries made straight in a <see cref="DeliveryStore"/>, as the manager makes them, to set up a state exactly.</summary>
internal static class StoredDeliveries
{
    public static DeliveryStore Store(RedisServer redis) => new(redis.Connection, Options.Create(new WebhookOptions()), TimeProvider.System);

    /// <summary>A delivery of a new invocation to a port nothing listens on, as first seen: not stored until its first change.</summary>
    public static Task<DeliveryRecord> OpenNewAsync(DeliveryStore store)
    {
        var invocationId = "inv-" + Guid.NewGuid().ToString("N");
        return store.OpenAsync(new WebhookDeliveryJobData
        {
            MessageId = WebhookDeliveryJobData.MessageIdFor(invocationId),
            InvocationId = invocationId,
            ClientId = "trusted",
            Url = "http://127.0.0.1:9/webhook",
            EventType = WebhookEvent.Completed,
            Body = "{}",
        }, "http://127.0.0.1:9", DateTimeOffset.UtcNow);
    }
}
