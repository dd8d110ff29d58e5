using BotSystem.Contracts;
using BotSystem.Contracts.Networking;
using Microsoft.Extensions.Options;

namespace BotSystem.WebhookManager.Endpoints;

/// <summary>Fails the start when a client's webhook secret is not a <c>whsec_</c> secret or an allowlisted host is no host, naming the setting.</summary>
public sealed class WebhookClientsValidation : IValidateOptions<WebhookClientsOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookClientsOptions options)
    {
        var failures = new List<string>();
        foreach (var (clientId, settings) in options.Clients)
        {
            for (var i = 0; i < settings.WebhookSecrets.Count; i++)
            {
                try
                {
                    if (StandardWebhooks.DecodeSecret(settings.WebhookSecrets[i]).Length == 0)
                    {
                        failures.Add($"Clients:{clientId}:WebhookSecrets:{i} is empty.");
                    }
                }
                catch (FormatException e)
                {
                    failures.Add($"Clients:{clientId}:WebhookSecrets:{i}: {e.Message}");
                }
            }
            failures.AddRange(WebhookHostAllowlist.Problems(clientId, settings.AllowedWebhookHosts));
            if (settings.WebhookSecrets.Count > 2)
            {
                failures.Add($"Clients:{clientId}:WebhookSecrets holds {settings.WebhookSecrets.Count} secrets; at most two (during a rotation).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
