using System.Diagnostics.Metrics;
using BotSystem.Contracts.Observability;
using BotSystem.Workers.Lifecycle;

namespace BotSystem.Workers.Runners;

/// <summary>The runner's metrics, with the Prometheus names SREs know.</summary>
public sealed class RunnerMetrics
{
    private readonly Counter<long> _executions = BotSystemTelemetry.Meter.CreateCounter<long>(MetricNames.BotExecutions, description: "Bot runs by type and outcome.");
    private readonly Histogram<double> _duration = BotSystemTelemetry.Meter.CreateHistogram<double>(MetricNames.BotExecutionDuration, unit: "s", description: "Bot run time.");
    private readonly Counter<long> _processed = BotSystemTelemetry.Meter.CreateCounter<long>(MetricNames.WorkerJobsProcessed, description: "Jobs this worker finished, by bot type.");
    private readonly string _workerId;

    public RunnerMetrics(WorkerLifecycle lifecycle, Microsoft.Extensions.Options.IOptions<WorkersOptions> options)
    {
        _workerId = lifecycle.WorkerId;
        foreach (var type in options.Value.Types)
        {
            _processed.Add(0, Tags(type));
        }
    }

    public void Record(string botType, string status, TimeSpan duration)
    {
        _executions.Add(1, new KeyValuePair<string, object?>("bot_type", botType), new KeyValuePair<string, object?>("status", status));
        _duration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("bot_type", botType));
        _processed.Add(1, Tags(botType));
    }

    private KeyValuePair<string, object?>[] Tags(string botType) =>
        [new("worker", _workerId), new("bot_type", botType)];
}
