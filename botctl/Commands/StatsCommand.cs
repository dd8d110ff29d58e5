using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class StatsCommand : AsyncCommand<GatewaySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, GatewaySettings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        var stats = await gateway.GetAsync("/stats", cancellationToken);

        if (stats["queues"] is JsonObject queues)
        {
            AnsiConsole.Write(Tables.OfRows("Queues", "queue", queues));
        }
        if (stats["semaphores"] is JsonObject semaphores)
        {
            AnsiConsole.Write(Tables.OfRows("Semaphores", "bot type", semaphores));
        }
        if (stats["workers"] is JsonArray workers)
        {
            AnsiConsole.Write(Tables.OfArray("Workers", workers, "id", "state", "types", "jobsProcessed"));
        }
        foreach (var (name, value) in stats.AsObject().Where(p => p.Key is not ("queues" or "semaphores" or "workers")))
        {
            AnsiConsole.Write(value is JsonObject section ? Tables.OfProperties(section, name) : new Text($"{name}: {value}\n"));
        }
        return 0;
    }
}
