using System.Net;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace BotSystem.Botctl.Commands;

/// <summary>The system's health verdict with its reasons; the exit code tells scripts the verdict.</summary>
public sealed class HealthCommand : AsyncCommand<GatewaySettings>
{
    public const int DegradedExitCode = 2;
    public const int UnhealthyExitCode = 3;

    public override async Task<int> ExecuteAsync(CommandContext context, GatewaySettings settings, CancellationToken cancellationToken)
    {
        using var gateway = settings.CreateClient();
        // The gateway answers an unhealthy system's report with 503.
        var report = await gateway.GetAsync("/health/system", HttpStatusCode.ServiceUnavailable, cancellationToken);
        var status = report["status"]?.GetValue<string>() ?? "unknown";

        var color = status switch { "healthy" => "green", "degraded" => "yellow", _ => "red" };
        AnsiConsole.MarkupLineInterpolated($"System: [{color}]{status}[/] (checked {report["checkedAt"]}, Redis PING {report["redisLatencyMs"]?.ToString() ?? "-"} ms)");
        foreach (var reason in report["reasons"]?.AsArray() ?? [])
        {
            AnsiConsole.MarkupLineInterpolated($"  - {reason}");
        }
        if (report["services"] is JsonObject { Count: > 0 } services)
        {
            AnsiConsole.Write(Tables.OfProperties(services, "Services"));
        }
        return status switch
        {
            "healthy" => 0,
            "degraded" => DegradedExitCode,
            _ => UnhealthyExitCode,
        };
    }
}
