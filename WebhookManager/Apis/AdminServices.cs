using BotSystem.WebhookManager.Admin;
using BotSystem.WebhookManager.Delivery;
using BotSystem.WebhookManager.Endpoints;

namespace BotSystem.WebhookManager.Apis;

/// <summary>What the admin endpoints need, bundled for <c>[AsParameters]</c>.</summary>
public sealed record AdminServices(DeliveryStore Store, DeadLetterQueue DeadLetters, DisabledEndpoints Disabled, EndpointPipelines Pipelines);
