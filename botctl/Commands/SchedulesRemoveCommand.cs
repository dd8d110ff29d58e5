using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class SchedulesRemoveCommand : AsyncCommand<SchedulesRemoveCommand.Settings>
{
    public sealed class Settings : GatewaySettings
    {
        [CommandArgument(0, "<scheduleId>")]
        [Description("The schedule to stop.")]
        public string ScheduleId { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        await gateway.DeleteAsync($"/schedules/{Uri.EscapeDataString(settings.ScheduleId)}", cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"schedule [bold]{settings.ScheduleId}[/] removed");
        return 0;
    }
}
