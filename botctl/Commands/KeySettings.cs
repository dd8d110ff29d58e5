using System.ComponentModel;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

/// <summary>The key a command presents; the environment supplies the default.</summary>
public class KeySettings : CommandSettings
{
    [CommandOption("--api-key <KEY>")]
    [Description("API key (default: BOTCTL_API_KEY).")]
    public string? ApiKey { get; init; } = Environment.GetEnvironmentVariable("BOTCTL_API_KEY");
}
