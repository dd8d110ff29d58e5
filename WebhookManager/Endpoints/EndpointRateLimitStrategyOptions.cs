using Polly;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>Names the <see cref="EndpointRateLimitStrategy"/> in a pipeline; its settings are the endpoint's options.</summary>
public sealed class EndpointRateLimitStrategyOptions : ResilienceStrategyOptions
{
    public EndpointRateLimitStrategyOptions() => Name = "EndpointRateLimit";
}
