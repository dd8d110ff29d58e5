using BotSystem.Contracts.Observability;

namespace Observability.Tests;

/// <summary>
/// The series names rules and panels may select: the published metrics, the series of the histograms (ours and the
/// request durations ASP.NET Core's instrumentation publishes in every service), and <c>up</c>.
/// </summary>
public static class PublishedMetrics
{
    public const string HttpServerRequestDuration = "http_server_request_duration_seconds";

    private static readonly string[] Histograms = [MetricNames.BotExecutionDuration, MetricNames.WebhookDeliveryDuration, HttpServerRequestDuration];

    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(
        [
            .. MetricNames.All,
            .. Histograms.SelectMany(histogram => new[] { $"{histogram}_bucket", $"{histogram}_sum", $"{histogram}_count" }),
            "up",
        ]);
}
