using Polly;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>Names one of the endpoint's own strategies in its pipeline; their settings are the endpoint's options.</summary>
public sealed class EndpointStrategyOptions : ResilienceStrategyOptions
{
    public EndpointStrategyOptions(string name) => Name = name;
}
