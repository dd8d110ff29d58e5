using BotSystem.MockWebhook.Model;
using Microsoft.Extensions.Options;

namespace BotSystem.MockWebhook.Apis;

/// <summary>What the receiving endpoints need, bundled for <c>[AsParameters]</c>.</summary>
public sealed record ReceiverServices(IOptions<MockWebhookOptions> Options, FailureInjection Failures, DeliveryLog Log, TimeProvider Time);
