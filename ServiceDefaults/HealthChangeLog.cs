using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Logs a health check when the health endpoints find its status changed, in place of the framework's error line per
/// failing check per poll: probes polling every second through a Redis outage would bury everything else in the log.
/// </summary>
internal sealed class HealthChangeLog(ILogger<HealthChangeLog> logger)
{
    /// <summary>The framework's logger, whose lines per check per poll this log replaces.</summary>
    public const string ReplacedCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, HealthStatus> _statusOf = [];

    /// <summary>Answers a health endpoint with the report's status in plain text, as the framework does, noting what changed.</summary>
    public static Task WriteResponseAsync(HttpContext context, HealthReport report)
    {
        context.RequestServices.GetRequiredService<HealthChangeLog>().Note(report);
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(report.Status.ToString());
    }

    private void Note(HealthReport report)
    {
        foreach (var (name, entry) in report.Entries)
        {
            lock (_lock)
            {
                // Taken as healthy before its first poll, so a check that passes from the start logs nothing.
                var previous = _statusOf.GetValueOrDefault(name, HealthStatus.Healthy);
                _statusOf[name] = entry.Status;
                if (previous == entry.Status)
                {
                    continue;
                }
            }
            var reason = entry.Exception is { } error ? $"{entry.Description} ({error.Message})" : entry.Description;
            if (entry.Status == HealthStatus.Healthy)
            {
                logger.LogInformation("Health check {Check} is healthy again: {Description}", name, reason);
            }
            else
            {
                logger.Log(entry.Status == HealthStatus.Unhealthy ? LogLevel.Error : LogLevel.Warning,
                    "Health check {Check} is {Status}: {Description}", name, entry.Status, reason);
            }
        }
    }
}
