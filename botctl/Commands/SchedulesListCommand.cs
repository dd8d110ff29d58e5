using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class SchedulesListCommand : AsyncCommand<GatewaySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, GatewaySettings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        var schedules = (await gateway.GetAsync("/schedules", cancellationToken)).AsArray();
        AnsiConsole.Write(Tables.OfArray($"Schedules ({schedules.Count})", schedules,
            "scheduleId", "name", "cron", "everyMs", "botType", "bot", "nextRunAt", "runs", "lastInvocationId"));
        return 0;
    }
}
