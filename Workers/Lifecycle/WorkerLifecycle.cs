using System.Diagnostics.Metrics;
using BotSystem.Contracts.Observability;

namespace BotSystem.Workers.Lifecycle;

/// <summary>The current lifecycle state of this runner process, its transitions logged and exposed as <c>worker_state</c>.</summary>
public sealed class WorkerLifecycle
{
    private readonly ILogger<WorkerLifecycle> _logger;
    private readonly Lock _gate = new();
    private int _running;

    public WorkerLifecycle(ILogger<WorkerLifecycle> logger)
    {
        _logger = logger;
        WorkerId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        BotSystemTelemetry.Meter.CreateObservableGauge(MetricNames.WorkerState,
            () => Enum.GetValues<WorkerState>().Select(state => new Measurement<int>(state == State ? 1 : 0,
                new KeyValuePair<string, object?>("worker", WorkerId), new KeyValuePair<string, object?>("state", state.ToString()))),
            description: "1 for the lifecycle state this worker is in.");
    }

    public string WorkerId { get; }

    public WorkerState State { get; private set; } = WorkerState.INITIALIZING;

    public long JobsProcessed => Interlocked.Read(ref _jobsProcessed);

    private long _jobsProcessed;

    /// <summary>Whether new jobs may be claimed now.</summary>
    public bool CanClaim => State is WorkerState.READY or WorkerState.PROCESSING;

    public void TransitionTo(WorkerState next, string reason)
    {
        lock (_gate)
        {
            Transition(next, reason);
        }
    }

    // The count of running bots and the state change together: a bot starting as the last other one ends would
    // otherwise find the worker PROCESSING, and that end would then set it READY while the bot runs.
    public void JobStarted()
    {
        lock (_gate)
        {
            if (++_running == 1 && State == WorkerState.READY)
            {
                Transition(WorkerState.PROCESSING, "a bot started");
            }
        }
    }

    public void JobEnded()
    {
        Interlocked.Increment(ref _jobsProcessed);
        lock (_gate)
        {
            if (--_running == 0 && State == WorkerState.PROCESSING)
            {
                Transition(WorkerState.READY, "no bot running");
            }
        }
    }

    /// <summary>Back to READY (or PROCESSING while bots run) after registration or an outage.</summary>
    public void Recovered(string reason)
    {
        lock (_gate)
        {
            Transition(_running > 0 ? WorkerState.PROCESSING : WorkerState.READY, reason);
        }
    }

    private void Transition(WorkerState next, string reason)
    {
        if (State == next || State == WorkerState.STOPPED || (State == WorkerState.SHUTTING_DOWN && next != WorkerState.STOPPED))
        {
            return;
        }
        _logger.LogInformation("Worker {WorkerId}: {From} -> {To} ({Reason})", WorkerId, State, next, reason);
        State = next;
    }
}
