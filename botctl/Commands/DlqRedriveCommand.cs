using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class DlqRedriveCommand : AsyncCommand<DlqRedriveCommand.Settings>
{
    public sealed class Settings : WebhooksSettings
    {
        [CommandArgument(0, "[id]")]
        [Description("The delivery to redrive.")]
        public string? DeliveryId { get; init; }

        [CommandOption("--all")]
        [Description("Redrive every dead delivery.")]
        public bool All { get; init; }

        public override ValidationResult Validate() => (DeliveryId, All) switch
        {
            (null, false) => ValidationResult.Error("Name a delivery id, or use --all."),
            (not null, true) => ValidationResult.Error("Name a delivery id or use --all, not both."),
            _ => base.Validate(),
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var webhooks = settings.CreateWebhooksClient();
        var path = settings.All ? "/deliveries/redrive" : $"/deliveries/{Uri.EscapeDataString(settings.DeliveryId!)}/redrive";
        var answer = await webhooks.PostAsync(path, null, cancellationToken);
        var count = answer["redriven"]?.ToString() ?? (settings.All ? "all" : "1");
        AnsiConsole.MarkupLineInterpolated($"redriven: {count}");
        if (answer["leftForDisabledEndpoints"]?.GetValue<int>() is > 0 and var left)
        {
            AnsiConsole.MarkupLineInterpolated($"left dead: {left}, their endpoints disabled for their clients (enable one with POST /endpoints/{{endpoint}}/enable on the webhook manager)");
        }
        return 0;
    }
}
