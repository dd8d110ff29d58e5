using Polly;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>Names the <see cref="EndpointConcurrencyStrategy"/> in a pipeline; its settings are the endpoint's options.</summary>
public sealed class EndpointConcurrencyStrategyOptions : ResilienceStrategyOptions
{
    public EndpointConcurrencyStrategyOptions() => Name = "EndpointConcurrency";
}
