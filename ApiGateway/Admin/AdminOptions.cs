using System.ComponentModel.DataAnnotations;

namespace BotSystem.ApiGateway.Admin;

/// <summary>The admin settings (configuration section <c>Admin</c>); the admin key is stored as its SHA-256 hex.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    [RegularExpression("^[0-9a-fA-F]{64}$", ErrorMessage = "Admin:ApiKeyHash must be the SHA-256 of the admin key in hex (64 characters).")]
    public string? ApiKeyHash { get; set; }

    /// <summary>The key the gateway presents to the webhook manager's admin API on the dashboard's behalf.</summary>
    public string? WebhookManagerApiKey { get; set; }
}
