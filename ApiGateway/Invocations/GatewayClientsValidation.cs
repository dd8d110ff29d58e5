using BotSystem.Contracts.Networking;
using Microsoft.Extensions.Options;

namespace BotSystem.ApiGateway.Invocations;

/// <summary>
/// Fails the start on a client that could never be served: a key hash that is no SHA-256 hex, an allowlisted webhook host that is no host, a trigger without what
/// it needs, a trigger id given to two clients. Each failure names its setting.
/// </summary>
public sealed class GatewayClientsValidation(IOptions<GatewayOptions> gateway) : IValidateOptions<GatewayClientsOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayClientsOptions options)
    {
        var failures = new List<string>();
        var triggerOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (clientId, client) in options.Clients)
        {
            if (client.ApiKeyHash.Length != 64 || !client.ApiKeyHash.All(Uri.IsHexDigit))
            {
                failures.Add($"Clients:{clientId}:ApiKeyHash must be the SHA-256 of the client's API key in hex (64 characters).");
            }
            failures.AddRange(WebhookHostAllowlist.Problems(clientId, client.AllowedWebhookHosts));
            foreach (var (triggerId, trigger) in client.Triggers)
            {
                if (trigger.Problem(gateway.Value.MaxTimeoutSeconds) is { } problem)
                {
                    failures.Add($"Clients:{clientId}:Triggers:{triggerId}: {problem}");
                }
                if (!triggerOwners.TryAdd(triggerId, clientId))
                {
                    failures.Add($"Trigger id '{triggerId}' is configured for clients {triggerOwners[triggerId]} and {clientId}; trigger ids must be unique.");
                }
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
