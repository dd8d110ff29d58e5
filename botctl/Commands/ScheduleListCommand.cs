using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class ScheduleListCommand : AsyncCommand<GatewaySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, GatewaySettings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        var schedules = await gateway.GetAsync("/schedules", cancellationToken);
        AnsiConsole.Write(Tables.OfArray("Schedules", schedules as JsonArray ?? schedules["items"] as JsonArray ?? []));
        return 0;
    }
}
