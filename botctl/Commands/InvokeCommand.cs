using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

public sealed class InvokeCommand : AsyncCommand<InvokeCommand.Settings>
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public sealed class Settings : InvocationSettings
    {
        [CommandOption("--wait")]
        [Description("Follow the job with a progress bar until it ends; exit 0 only when it completed.")]
        public bool Wait { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var request = settings.ToInvocation();

        using var gateway = settings.CreateClient();
        var accepted = await gateway.PostAsync("/invoke", request, cancellationToken);
        var jobId = accepted["jobId"]?.GetValue<string>() ?? throw new GatewayException("the gateway accepted the job but returned no jobId");
        AnsiConsole.MarkupLineInterpolated($"job [bold]{jobId}[/] {accepted["status"]?.ToString() ?? "queued"}");
        if (!settings.Wait)
        {
            return 0;
        }

        var job = await FollowAsync(gateway, jobId, cancellationToken);
        var status = job["status"]?.GetValue<string>() ?? "unknown";
        if (job["result"] is { } result)
        {
            AnsiConsole.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        if (job["error"]?.ToString() is { Length: > 0 } error)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{error}[/]");
        }
        AnsiConsole.MarkupLineInterpolated($"[{(status == "completed" ? "green" : "red")}]{status}[/]");
        return status == "completed" ? 0 : ErrorReporter.FailureExitCode;
    }

    private static async Task<JsonNode> FollowAsync(GatewayClient gateway, string jobId, CancellationToken cancellationToken)
    {
        JsonNode job = new JsonObject();
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask(jobId, maxValue: 100);
                while (true)
                {
                    job = await gateway.GetAsync($"/job/{Uri.EscapeDataString(jobId)}", cancellationToken);
                    var status = job["status"]?.GetValue<string>() ?? "unknown";
                    bar.Description = $"{jobId} {status}";
                    if (job["progress"] is JsonValue value && value.TryGetValue<double>(out var percent))
                    {
                        bar.Value = percent;
                    }
                    if (status is "completed" or "failed" or "cancelled")
                    {
                        if (status == "completed")
                        {
                            bar.Value = 100;
                        }
                        bar.StopTask();
                        return;
                    }
                    await Task.Delay(PollInterval, cancellationToken);
                }
            });
        return job;
    }
}
