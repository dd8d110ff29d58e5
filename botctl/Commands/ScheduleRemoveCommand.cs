using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class ScheduleRemoveCommand : AsyncCommand<ScheduleRemoveCommand.Settings>
{
    public sealed class Settings : GatewaySettings
    {
        [CommandArgument(0, "<id>")]
        [Description("The schedule to remove.")]
        public string ScheduleId { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        await gateway.DeleteAsync($"/schedules/{Uri.EscapeDataString(settings.ScheduleId)}", cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"removed {settings.ScheduleId}");
        return 0;
    }
}
