namespace BotSystem.WebhookManager;

/// <summary>Access to the admin API, section <c>Admin</c>; without a key the admin API refuses every request.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? ApiKey { get; set; }
}
