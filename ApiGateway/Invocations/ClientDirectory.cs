using System.Security.Cryptography;
using System.Text;
using BotSystem.ApiGateway.Triggers;
using Microsoft.Extensions.Options;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>The configured clients (validated at start-up), found by their API key (hashed, compared in constant time).</summary>
public sealed class ClientDirectory
{
    public const string ClientIdItem = "botsystem.clientId";
    private readonly List<(string Id, byte[] KeyHash, ClientOptions Options)> _clients;
    private readonly Dictionary<string, (string ClientId, TriggerOptions Trigger)> _triggers = new(StringComparer.Ordinal);

    public ClientDirectory(IOptions<GatewayClientsOptions> options)
    {
        _clients = [.. options.Value.Clients.Select(client => (client.Key, Convert.FromHexString(client.Value.ApiKeyHash), client.Value))];
        foreach (var (clientId, client) in options.Value.Clients)
        {
            foreach (var (triggerId, trigger) in client.Triggers)
            {
                _triggers[triggerId] = (clientId, trigger);
            }
        }
    }

    /// <summary>The client whose key this is, or null. Every client is compared, so timing tells nothing.</summary>
    public string? Authenticate(string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey))
        {
            return null;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        string? found = null;
        foreach (var (id, keyHash, _) in _clients)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, keyHash))
            {
                found = id;
            }
        }
        return found;
    }

    /// <summary>The trigger with this id and the client it belongs to, or null.</summary>
    public (string ClientId, TriggerOptions Trigger)? FindTrigger(string triggerId) =>
        _triggers.TryGetValue(triggerId, out var found) ? found : null;

    public ClientOptions Get(string clientId) => _clients.First(client => client.Id == clientId).Options;
}
