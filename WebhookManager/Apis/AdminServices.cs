using BotSystem.WebhookManager.Admin;
using BotSystem.WebhookManager.Delivery;
using BotSystem.WebhookManager.Endpoints;

namespace BotSystem.WebhookManager.Apis;

/// <summary>What the admin endpoints need, bundled for <c>[AsParameters]</c>.</summary>
public sealed record AdminServices(DeliveryStore Store, DeliveryQueue Queue, DeadLetterQueue DeadLetters, DisabledEndpoints Disabled, EndpointPipelines Pipelines)
{
    /// <summary>A delivery's record, or for one not attempted yet, what its job says.</summary>
    public async Task<DeliveryRecord?> FindDeliveryAsync(string id) => await Store.GetAsync(id) ?? await Queue.FindPendingAsync(id);
}
