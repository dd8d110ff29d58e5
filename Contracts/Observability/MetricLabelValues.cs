namespace BotSystem.Contracts.Observability;

/// <summary>
/// The label values and gauge values the alert rules in <c>deploy/prometheus/alert-rules.yml</c>
/// match on; a service that reports another spelling silently disables an alert.
/// </summary>
public static class MetricLabelValues
{
    /// <summary><c>status</c> of <see cref="MetricNames.BotExecutions"/> for a bot that produced its result.</summary>
    public const string ExecutionCompleted = InvocationStatus.Completed;

    /// <summary><c>status</c> of <see cref="MetricNames.BotExecutions"/> for a bot that failed (an error for the error-rate alert).</summary>
    public const string ExecutionFailed = InvocationStatus.Failed;

    /// <summary><c>status</c> of <see cref="MetricNames.BotExecutions"/> for a cancelled job, which is no error.</summary>
    public const string ExecutionCancelled = InvocationStatus.Cancelled;

    /// <summary><c>state</c> of <see cref="MetricNames.QueueSize"/> for jobs ready to run, in arrival order.</summary>
    public const string QueueWaiting = "waiting";

    /// <summary><c>state</c> of <see cref="MetricNames.QueueSize"/> for jobs ready to run, in priority order.</summary>
    public const string QueuePrioritized = "prioritized";

    /// <summary><c>state</c> of <see cref="MetricNames.WorkerState"/> of a worker that can take jobs.</summary>
    public const string WorkerReady = "READY";

    /// <summary><c>state</c> of <see cref="MetricNames.WorkerState"/> of a worker running jobs.</summary>
    public const string WorkerProcessing = "PROCESSING";

    /// <summary>Value of <see cref="MetricNames.CircuitBreakerState"/> while deliveries flow.</summary>
    public const int CircuitClosed = 0;

    /// <summary>Value of <see cref="MetricNames.CircuitBreakerState"/> while a trial delivery decides.</summary>
    public const int CircuitHalfOpen = 1;

    /// <summary>Value of <see cref="MetricNames.CircuitBreakerState"/> while deliveries are short-circuited.</summary>
    public const int CircuitOpen = 2;

    /// <summary>Value of <see cref="MetricNames.SystemHealthStatus"/> when every check passes.</summary>
    public const int SystemHealthy = 0;

    /// <summary>Value of <see cref="MetricNames.SystemHealthStatus"/> when the system works with a fault (an open circuit, a queue with no live worker).</summary>
    public const int SystemDegraded = 1;

    /// <summary>Value of <see cref="MetricNames.SystemHealthStatus"/> when the system cannot take or run work.</summary>
    public const int SystemUnhealthy = 2;
}
