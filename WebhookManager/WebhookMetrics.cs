using System.Diagnostics.Metrics;
using BotSystem.WebhookManager.Endpoints;
using Polly.CircuitBreaker;

namespace BotSystem.WebhookManager;

/// <summary>The webhook metrics under the names users of the platform know them by.</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _deliveries = BotSystemTelemetry.Meter.CreateCounter<long>(
        "webhook_deliveries_total", description: "Webhook delivery attempts by what became of the delivery.");

    private readonly Histogram<double> _duration = BotSystemTelemetry.Meter.CreateHistogram<double>(
        "webhook_delivery_duration_seconds", unit: "s", description: "Time of one webhook request.");

    private long _deadLetters;

    public WebhookMetrics(EndpointPipelines pipelines)
    {
        BotSystemTelemetry.Meter.CreateObservableGauge("webhook_dlq_size", () => Interlocked.Read(ref _deadLetters),
            description: "Webhook deliveries in the dead letter queue.");
        BotSystemTelemetry.Meter.CreateObservableGauge("circuit_breaker_state",
            () => pipelines.CircuitStates.Select(pair => new Measurement<int>(StateValue(pair.Value), new KeyValuePair<string, object?>("endpoint", pair.Key))),
            description: "Circuit breaker state per webhook endpoint: 0 closed, 1 half-open, 2 open.");
    }

    public void Attempted(string status, TimeSpan duration)
    {
        _deliveries.Add(1, new KeyValuePair<string, object?>("status", status));
        _duration.Record(duration.TotalSeconds);
    }

    public void DeadLetters(long count) => Interlocked.Exchange(ref _deadLetters, count);

    private static int StateValue(CircuitState state) => state switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 1,
        _ => 2,
    };
}
