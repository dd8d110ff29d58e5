using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class SchedulesAddCommand : AsyncCommand<SchedulesAddCommand.Settings>
{
    public sealed class Settings : InvocationSettings
    {
        [CommandOption("--cron <EXPRESSION>")]
        [Description("When to run: a cron expression (5 fields, or 6 with seconds).")]
        public string? Cron { get; init; }

        [CommandOption("--every <MS>")]
        [Description("When to run: every this many milliseconds (at least 1000).")]
        public long? EveryMs { get; init; }

        [CommandOption("--time-zone <IANA>")]
        public string? TimeZone { get; init; }

        [CommandOption("--name <NAME>")]
        public string? Name { get; init; }

        [CommandOption("--priority <N>")]
        public int? Priority { get; init; }

        public override ValidationResult Validate() =>
            (Cron is null) == (EveryMs is null) ? ValidationResult.Error("Give exactly one of --cron or --every.") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var schedule = settings.ToInvocation();
        schedule["cron"] = settings.Cron;
        schedule["everyMs"] = settings.EveryMs;
        schedule["timeZone"] = settings.TimeZone;
        schedule["name"] = settings.Name;
        schedule["priority"] = settings.Priority;
        foreach (var unset in schedule.Where(field => field.Value is null).Select(field => field.Key).ToList())
        {
            schedule.Remove(unset);
        }

        using var gateway = settings.CreateClient();
        var created = await gateway.PostAsync("/schedules", schedule, cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"schedule [bold]{created["scheduleId"]?.ToString()}[/] created; next run {created["nextRunAt"]?.ToString()}");
        return 0;
    }
}
