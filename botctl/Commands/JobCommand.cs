using System.ComponentModel;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class JobCommand : AsyncCommand<JobCommand.Settings>
{
    public sealed class Settings : GatewaySettings
    {
        [CommandArgument(0, "<id>")]
        [Description("The job id returned by invoke.")]
        public string JobId { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        var job = await gateway.GetAsync($"/job/{Uri.EscapeDataString(settings.JobId)}", cancellationToken);
        AnsiConsole.Write(Tables.OfProperties(job.AsObject()));
        return 0;
    }
}
