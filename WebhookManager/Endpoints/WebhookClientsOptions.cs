namespace BotSystem.WebhookManager.Endpoints;

/// <summary>The webhook settings of every client, from the <c>Clients</c> section keyed by client id.</summary>
public sealed class WebhookClientsOptions
{
    public const string Section = "Clients";

    public Dictionary<string, ClientWebhookSettings> Clients { get; set; } = new(StringComparer.Ordinal);
}
