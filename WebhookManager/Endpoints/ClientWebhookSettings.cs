namespace BotSystem.WebhookManager.Endpoints;

/// <summary>A client's webhook settings, section <c>Clients:&lt;clientId&gt;</c>.</summary>
public sealed class ClientWebhookSettings
{
    /// <summary>The <c>whsec_</c> secrets requests are signed with; two during a rotation, each signing every request.</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>Hosts this client may deliver to even though they resolve to private or internal addresses.</summary>
    public List<string> AllowedWebhookHosts { get; set; } = [];
}
