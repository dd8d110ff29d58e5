using System.ComponentModel;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

/// <summary>Where the gateway is and which key to use; the environment supplies defaults.</summary>
public class GatewaySettings : CommandSettings
{
    [CommandOption("--url <URL>")]
    [Description("Gateway URL (default: BOTCTL_URL or http://localhost:3000).")]
    public string Url { get; init; } = Environment.GetEnvironmentVariable("BOTCTL_URL") ?? "http://localhost:3000";

    [CommandOption("--api-key <KEY>")]
    [Description("API key (default: BOTCTL_API_KEY).")]
    public string? ApiKey { get; init; } = Environment.GetEnvironmentVariable("BOTCTL_API_KEY");

    public GatewayClient CreateClient() => new(Url, ApiKey);
}
