using System.ComponentModel;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

/// <summary>The webhook manager's admin API, which holds the dead letter queue (the gateway is not involved).</summary>
public class WebhooksSettings : KeySettings
{
    [CommandOption("--webhooks-url <URL>")]
    [Description("Webhook manager URL (default: BOTCTL_WEBHOOKS_URL or http://localhost:4000).")]
    public string WebhooksUrl { get; init; } = Environment.GetEnvironmentVariable("BOTCTL_WEBHOOKS_URL") ?? "http://localhost:4000";

    public GatewayClient CreateWebhooksClient() => new(WebhooksUrl, ApiKey);
}
