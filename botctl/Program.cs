using BotSystem.Botctl;
using BotSystem.Botctl.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

// Output piped to a script has no terminal width; COLUMNS (as shells export it) says how wide tables may be.
if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0)
{
    AnsiConsole.Profile.Width = columns;
}

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("botctl");
    // A mistyped option (--wiat for --wait) is an error, not an argument quietly left unused.
    config.UseStrictParsing();
    config.SetExceptionHandler((exception, _) => ErrorReporter.Report(exception));

    config.AddCommand<InvokeCommand>("invoke").WithDescription("Invoke a bot; with --wait, follow it to the end.")
        .WithExample("invoke", "python", "--payload", "{\"dataset\":\"sales\"}", "--webhook", "http://localhost:5000/webhook", "--wait");
    config.AddCommand<JobCommand>("job").WithDescription("Show a job's status, progress, result and webhook delivery.");
    config.AddCommand<CancelCommand>("cancel").WithDescription("Cancel a job: a queued one never runs, a running bot is killed.");
    config.AddCommand<StatsCommand>("stats").WithDescription("Queues, semaphores and workers (admin key).");
    config.AddCommand<HealthCommand>("health")
        .WithDescription($"The system's health and its reasons (admin key); exits 0 healthy, {HealthCommand.DegradedExitCode} degraded, {HealthCommand.UnhealthyExitCode} unhealthy.");
    config.AddBranch("dlq", dlq =>
    {
        dlq.SetDescription("The webhook dead letter queue (admin key).");
        dlq.AddCommand<DlqListCommand>("list").WithDescription("List dead deliveries.");
        dlq.AddCommand<DlqRedriveCommand>("redrive").WithDescription("Redrive one dead delivery, or all with --all.");
    });
    config.AddBranch("schedules", schedules =>
    {
        schedules.SetDescription("Invocations that run on a cron expression or an interval.");
        schedules.AddCommand<SchedulesListCommand>("list").WithDescription("List schedules (the admin key lists every client's).");
        schedules.AddCommand<SchedulesAddCommand>("add").WithDescription("Schedule a bot with --cron or --every.")
            .WithExample("schedules", "add", "python", "--every", "60000", "--payload", "{\"dataset\":\"sales\"}", "--webhook", "http://localhost:5000/webhook");
        schedules.AddCommand<SchedulesRemoveCommand>("remove").WithDescription("Stop a schedule.");
    });
});

return await app.RunAsync(args);
