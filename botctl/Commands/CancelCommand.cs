using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class CancelCommand : AsyncCommand<JobIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, JobIdSettings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        // A job that has finished already is a 409, reported as an error like any other refusal.
        var job = await gateway.DeleteAsync($"/job/{Uri.EscapeDataString(settings.JobId)}", cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"job [bold]{settings.JobId}[/] {job["status"]?.ToString() ?? "cancelled"}");
        return 0;
    }
}
