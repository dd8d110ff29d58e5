namespace BotSystem.ApiGateway.Invocations;

/// <summary>The API clients, from the <c>Clients</c> section keyed by client id.</summary>
public sealed class GatewayClientsOptions
{
    public const string Section = "Clients";

    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.Ordinal);
}
