using System.ComponentModel;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class ScheduleAddCommand : AsyncCommand<ScheduleAddCommand.Settings>
{
    public sealed class Settings : InvocationSettings
    {
        [CommandOption("--cron <PATTERN>")]
        [Description("A cron pattern, e.g. \"*/5 * * * *\".")]
        public string? Cron { get; init; }

        [CommandOption("--every <SECONDS>")]
        [Description("Run every N seconds.")]
        public int? EverySeconds { get; init; }

        public override ValidationResult Validate() => (Cron, EverySeconds) switch
        {
            (null, null) => ValidationResult.Error("Give --cron <PATTERN> or --every <SECONDS>."),
            (not null, not null) => ValidationResult.Error("Give --cron or --every, not both."),
            _ => base.Validate(),
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["invocation"] = settings.ToInvocation() };
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
