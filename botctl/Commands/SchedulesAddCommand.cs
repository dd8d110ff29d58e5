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
        public string? EveryMs { get; init; }

        [CommandOption("--time-zone <IANA>")]
        [Description("Time zone of the cron expression, e.g. Europe/Paris (default: UTC).")]
        public string? TimeZone { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("A name to tell the schedule by.")]
        public string? Name { get; init; }

        public override ValidationResult Validate() =>
            (Cron is null) == (EveryMs is null) ? ValidationResult.Error("Give exactly one of --cron or --every.")
            : WholeNumberOption.Check(EveryMs, "--every") is { Successful: false } every ? every
            : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var schedule = settings.ToInvocation();
        schedule["cron"] = settings.Cron;
        schedule["everyMs"] = WholeNumberOption.Read(settings.EveryMs);
        schedule["timeZone"] = settings.TimeZone;
        schedule["name"] = settings.Name;
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
