using System.Diagnostics.Metrics;
using BotSystem.Contracts;
using BotSystem.Contracts.Observability;
using BotSystem.Workers.Lifecycle;

namespace BotSystem.Workers.Runners;

/// <summary>The runner's metrics, with the Prometheus names SREs know.</summary>
public sealed class RunnerMetrics
{
    // The outcomes a run is recorded with.
    private static readonly string[] RecordedStatuses = [InvocationStatus.Completed, InvocationStatus.Failed, InvocationStatus.Cancelled];

    private readonly Counter<long> _executions = BotSystemTelemetry.Meter.CreateCounter<long>(MetricNames.BotExecutions, description: "Bot runs by type and outcome.");
    private readonly Histogram<double> _duration = BotSystemTelemetry.Meter.CreateHistogram<double>(MetricNames.BotExecutionDuration, unit: "s", description: "Bot run time.");
    private readonly Counter<long> _processed = BotSystemTelemetry.Meter.CreateCounter<long>(MetricNames.WorkerJobsProcessed, description: "Jobs this worker finished, by bot type.");
    private readonly string _workerId;

    public RunnerMetrics(WorkerLifecycle lifecycle, Microsoft.Extensions.Options.IOptions<WorkersOptions> options)
    {
        _workerId = lifecycle.WorkerId;
        // Every series exists from the start: rate() counts no increase into a series' first sample, so a type's first
        // failure on each worker would never show in the error rate.
        foreach (var type in options.Value.Types)
        {
            _processed.Add(0, Tags(type));
            foreach (var status in RecordedStatuses)
            {
                _executions.Add(0, ExecutionTags(type, status));
            }
        }
    }

    public void Record(string botType, string status, TimeSpan duration)
    {
        _executions.Add(1, ExecutionTags(botType, status));
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("bot_type", botType));
        _processed.Add(1, Tags(botType));
    }

    private static KeyValuePair<string, object?>[] ExecutionTags(string botType, string status) =>
        [new("bot_type", botType), new("status", status)];

    private KeyValuePair<string, object?>[] Tags(string botType) =>
        [new("worker", _workerId), new("bot_type", botType)];
}
