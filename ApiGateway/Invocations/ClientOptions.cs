using BotSystem.ApiGateway.Triggers;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>One API client (configuration <c>Clients:&lt;clientId&gt;</c>); its key is stored as SHA-256 hex.</summary>
public sealed class ClientOptions
{
    public string ApiKeyHash { get; set; } = "";

    /// <summary>Hosts this client may use as webhook targets even though they are not public addresses.</summary>
    public List<string> AllowedWebhookHosts { get; set; } = [];

    /// <summary>Inbound triggers by id; ids are unique across clients.</summary>
    public Dictionary<string, TriggerOptions> Triggers { get; set; } = [];
}
