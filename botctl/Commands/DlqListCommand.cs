using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class DlqListCommand : AsyncCommand<WebhooksSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, WebhooksSettings settings, CancellationToken cancellationToken)
    {
        using var webhooks = settings.CreateWebhooksClient();
        var dead = await webhooks.GetAsync("/deliveries?status=dead", cancellationToken);
        var items = dead.AsArray();
        AnsiConsole.Write(Tables.OfArray($"Dead deliveries ({items.Count})", items, "id", "endpoint", "attempts", "lastStatusCode", "deadAt"));
        return 0;
    }
}
