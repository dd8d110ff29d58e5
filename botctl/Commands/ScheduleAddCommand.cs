using System.ComponentModel;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class ScheduleAddCommand : AsyncCommand<ScheduleAddCommand.Settings>
{
    public sealed class Settings : GatewaySettings
    {
        [CommandArgument(0, "<type>")]
        [Description("Bot type: python, node or java.")]
        public string BotType { get; init; } = "";

        [CommandOption("--bot <NAME>")]
        public string? Bot { get; init; }

        [CommandOption("--payload <JSON>")]
        public string Payload { get; init; } = "{}";

        [CommandOption("--webhook <URL>")]
        public string? Webhook { get; init; }

        [CommandOption("--cron <PATTERN>")]
        [Description("A cron pattern, e.g. \"*/5 * * * *\".")]
        public string? Cron { get; init; }

        [CommandOption("--every <SECONDS>")]
        [Description("Run every N seconds.")]
        public int? EverySeconds { get; init; }

        public override ValidationResult Validate() => (Cron, EverySeconds, Webhook) switch
        {
            (_, _, null) => ValidationResult.Error("--webhook <URL> is required."),
            (null, null, _) => ValidationResult.Error("Give --cron <PATTERN> or --every <SECONDS>."),
            (not null, not null, _) => ValidationResult.Error("Give --cron or --every, not both."),
            _ => ValidationResult.Success(),
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var invocation = new JsonObject
        {
            ["botType"] = settings.BotType,
            ["payload"] = JsonPayload.Parse(settings.Payload),
            ["webhookUrl"] = settings.Webhook,
        };
        if (settings.Bot is not null)
        {
            invocation["bot"] = settings.Bot;
        }
        var request = new JsonObject { ["invocation"] = invocation };
        if (settings.Cron is not null)
        {
            request["cron"] = settings.Cron;
        }
        if (settings.EverySeconds is { } every)
        {
            request["everySeconds"] = every;
        }

        using var gateway = settings.CreateClient();
        var schedule = await gateway.PostAsync("/schedules", request, cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"schedule [bold]{schedule["id"]?.ToString() ?? "?"}[/] added");
        return 0;
    }
}
