using System.Security.Cryptography;
using System.Text;
using BotSystem.ApiGateway.Triggers;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>The configured clients, found by their API key (hashed, compared in constant time).</summary>
public sealed class ClientDirectory
{
    public const string ClientIdItem = "botsystem.clientId";
    private readonly List<(string Id, byte[] KeyHash, ClientOptions Options)> _clients;
    private readonly Dictionary<string, (string ClientId, TriggerOptions Trigger)> _triggers = new(StringComparer.Ordinal);

    public ClientDirectory(IConfiguration configuration)
    {
        _clients = [];
        foreach (var section in configuration.GetSection("Clients").GetChildren())
        {
            var client = section.Get<ClientOptions>() ?? new ClientOptions();
            if (client.ApiKeyHash.Length != 64 || !client.ApiKeyHash.All(Uri.IsHexDigit))
            {
                throw new InvalidOperationException($"Clients:{section.Key}:ApiKeyHash must be the SHA-256 of the client's API key in hex (64 characters).");
            }
            _clients.Add((section.Key, Convert.FromHexString(client.ApiKeyHash), client));
            foreach (var (triggerId, trigger) in client.Triggers)
            {
                if (trigger.Problem() is { } problem)
                {
                    throw new InvalidOperationException($"Clients:{section.Key}:Triggers:{triggerId}: {problem}");
                }
                if (!_triggers.TryAdd(triggerId, (section.Key, trigger)))
                {
                    throw new InvalidOperationException($"Trigger id '{triggerId}' is configured for two clients; trigger ids must be unique.");
                }
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
