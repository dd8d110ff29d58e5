using System.ComponentModel;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

/// <summary>The settings of a command on one job.</summary>
public sealed class JobIdSettings : GatewaySettings
{
    [CommandArgument(0, "<id>")]
    [Description("The job id returned by invoke.")]
    public string JobId { get; init; } = "";
}
