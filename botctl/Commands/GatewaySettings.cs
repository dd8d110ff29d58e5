using System.ComponentModel;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

/// <summary>Where the gateway is; the environment supplies the default.</summary>
public class GatewaySettings : KeySettings
{
    [CommandOption("--url <URL>")]
    [Description("Gateway URL (default: BOTCTL_URL or http://localhost:3000).")]
    public string Url { get; init; } = Environment.GetEnvironmentVariable("BOTCTL_URL") ?? "http://localhost:3000";

    public GatewayClient CreateClient() => new(Url, ApiKey);
}
