namespace BotSystem.Contracts.Observability;

/// <summary>
/// The Prometheus names of BotSystem's metrics exactly as scraped from <c>/metrics</c>; the alert
/// rules and dashboards in <c>deploy/</c> query these names. Name each instrument with the full
/// name (counters ending in <c>_total</c>, durations in <c>_seconds</c> with unit <c>s</c>), so the
/// Prometheus exporter, which only appends a suffix that is missing, exposes it unchanged.
/// </summary>
public static class MetricNames
{
    /// <summary>Counter of finished bot executions; labels <c>bot_type</c>, <c>status</c> (<c>completed</c>, <c>failed</c>, <c>cancelled</c>; anything but completed or cancelled counts as an error).</summary>
    public const string BotExecutions = "bot_executions_total";

    /// <summary>Histogram of bot execution time in seconds; label <c>bot_type</c>.</summary>
    public const string BotExecutionDuration = "bot_execution_duration_seconds";

    /// <summary>Counter of webhook delivery attempts; label <c>status</c>.</summary>
    public const string WebhookDeliveries = "webhook_deliveries_total";

    /// <summary>
    /// Counter of deliveries held back without an attempt, by what held them: label <c>reason</c> (<c>circuit_open</c>,
    /// <c>endpoint_busy</c>, <c>rate_limited</c>); present from start, at 0, for every reason.
    /// </summary>
    public const string WebhookPostponements = "webhook_postponements_total";

    /// <summary>Histogram of webhook request time in seconds.</summary>
    public const string WebhookDeliveryDuration = "webhook_delivery_duration_seconds";

    /// <summary>Gauge of jobs per queue and state, read from Redis; labels <c>queue</c>, <c>state</c> (BullMQ's job count names: <c>waiting</c>, <c>prioritized</c>, <c>active</c>, <c>delayed</c>, <c>completed</c>, <c>failed</c>, <c>paused</c>).</summary>
    public const string QueueSize = "queue_size";

    /// <summary>Gauge of semaphore slots held per bot type, read from Redis; label <c>bot_type</c>; reported for every configured bot type.</summary>
    public const string SemaphoreUsage = "semaphore_usage";

    /// <summary>Gauge of invocations waiting for a semaphore slot; label <c>bot_type</c>.</summary>
    public const string SemaphoreWaiting = "semaphore_waiting";

    /// <summary>Gauge of how long, in seconds, the oldest waiting job of a queue has waited; label <c>queue</c>.</summary>
    public const string QueueOldestWaitingAge = "queue_oldest_waiting_age_seconds";

    /// <summary>Gauge of webhook deliveries in the dead letter queue.</summary>
    public const string WebhookDlqSize = "webhook_dlq_size";

    /// <summary>Gauge of a circuit breaker's state per webhook endpoint: 0 closed, 1 half-open, 2 open; label <c>endpoint</c>.</summary>
    public const string CircuitBreakerState = "circuit_breaker_state";

    /// <summary>Gauge that is 1 for a worker's current lifecycle state and 0 (or absent) for the others; labels <c>worker</c>, <c>state</c> (<c>READY</c>, <c>PROCESSING</c>, <c>ERROR</c>, ...).</summary>
    public const string WorkerState = "worker_state";

    /// <summary>Counter of jobs a worker processed; labels <c>worker</c>, <c>bot_type</c>; present from start, at 0, for every bot type the worker serves.</summary>
    public const string WorkerJobsProcessed = "worker_jobs_processed_total";

    /// <summary>
    /// Gauge of the verdict of <c>GET /health/system</c>, published by each gateway: 0 healthy, 1 degraded, 2 unhealthy
    /// (Redis unreachable or refusing writes, a service failing its health check); absent until the first check.
    /// </summary>
    public const string SystemHealthStatus = "system_health_status";

    /// <summary>Every name above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        BotExecutions, BotExecutionDuration, WebhookDeliveries, WebhookPostponements, WebhookDeliveryDuration, QueueSize,
        SemaphoreUsage, SemaphoreWaiting, QueueOldestWaitingAge, WebhookDlqSize, CircuitBreakerState,
        WorkerState, WorkerJobsProcessed, SystemHealthStatus,
    ];
}
