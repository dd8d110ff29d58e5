using System.Diagnostics.Metrics;
using BotSystem.Contracts.Observability;
using BotSystem.WebhookManager.Endpoints;
using Polly.CircuitBreaker;

namespace BotSystem.WebhookManager;

/// <summary>The webhook metrics under the names users of the platform know them by.</summary>
public sealed class WebhookMetrics
{
    /// <summary>What held a delivery back without an attempt: the values of the postponements' <c>reason</c> label.</summary>
    public static class HeldBackBy
    {
        public const string CircuitOpen = "circuit_open";
        public const string EndpointBusy = "endpoint_busy";
        public const string RateLimited = "rate_limited";

        public static readonly IReadOnlyList<string> All = [CircuitOpen, EndpointBusy, RateLimited];
    }

    private readonly Counter<long> _deliveries = BotSystemTelemetry.Meter.CreateCounter<long>(
        MetricNames.WebhookDeliveries, description: "Webhook delivery attempts by what became of the delivery.");

    private readonly Counter<long> _postponements = BotSystemTelemetry.Meter.CreateCounter<long>(
        MetricNames.WebhookPostponements, description: "Webhook deliveries held back without an attempt, by what held them back.");

    private readonly Histogram<double> _duration = BotSystemTelemetry.Meter.CreateHistogram<double>(
        MetricNames.WebhookDeliveryDuration, unit: "s", description: "Time of one webhook request.");

    private long _deadLetters;

    public WebhookMetrics(EndpointPipelines pipelines)
    {
        BotSystemTelemetry.Meter.CreateObservableGauge(MetricNames.WebhookDlqSize, () => Interlocked.Read(ref _deadLetters),
            description: "Webhook deliveries in the dead letter queue.");
        BotSystemTelemetry.Meter.CreateObservableGauge(MetricNames.CircuitBreakerState,
            () => pipelines.CircuitStates.Select(pair => new Measurement<int>(StateValue(pair.Value), new KeyValuePair<string, object?>("endpoint", pair.Key))),
            description: "Circuit breaker state per webhook endpoint: 0 closed, 1 half-open, 2 open.");
        // Every reason is published from the start, so a rate over it is 0 rather than no data until the first.
        foreach (var reason in HeldBackBy.All)
        {
            _postponements.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void Attempted(string status, TimeSpan duration)
    {
        _deliveries.Add(1, new KeyValuePair<string, object?>("status", status));
        _duration.Record(duration.TotalSeconds);
    }

    public void Postponed(string reason) => _postponements.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void DeadLetters(long count) => Interlocked.Exchange(ref _deadLetters, count);

    private static int StateValue(CircuitState state) => state switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 1,
        _ => 2,
    };
}
