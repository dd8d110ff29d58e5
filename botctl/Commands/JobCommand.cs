using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class JobCommand : AsyncCommand<JobIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, JobIdSettings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        var job = await gateway.GetAsync($"/job/{Uri.EscapeDataString(settings.JobId)}", cancellationToken);
        AnsiConsole.Write(Tables.OfProperties(job.AsObject()));
        return 0;
    }
}
