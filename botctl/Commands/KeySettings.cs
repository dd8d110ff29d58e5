using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

/// <summary>The key a command presents; the environment supplies the default.</summary>
public class KeySettings : CommandSettings
{
    [CommandOption("--api-key <KEY>")]
    [Description("API key (default: BOTCTL_API_KEY).")]
    public string? ApiKey { get; init; } = Environment.GetEnvironmentVariable("BOTCTL_API_KEY");

    // Every command needs a key: without one the answer would only be a 401 that does not say what is missing.
    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(ApiKey)
            ? ValidationResult.Error("No API key: pass --api-key or set BOTCTL_API_KEY (with ./run.sh: dev-api-key for a client, dev-admin-key for an operator).")
            : ValidationResult.Success();
}
