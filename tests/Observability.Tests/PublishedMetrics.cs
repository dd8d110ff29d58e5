using BotSystem.Contracts.Observability;

namespace Observability.Tests;

/// <summary>The series names rules and panels may select: the published metrics, the series of the histograms, and <c>up</c>.</summary>
public static class PublishedMetrics
{
    private static readonly string[] Histograms = [MetricNames.BotExecutionDuration, MetricNames.WebhookDeliveryDuration];

    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(
        [
            .. MetricNames.All,
            .. Histograms.SelectMany(histogram => new[] { $"{histogram}_bucket", $"{histogram}_sum", $"{histogram}_count" }),
            "up",
        ]);
}
