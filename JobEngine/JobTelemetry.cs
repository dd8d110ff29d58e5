using System.Diagnostics;

namespace BotSystem.JobEngine;

/// <summary>
/// Carries the W3C trace context through a queue: adding a job records a producer span whose
/// <c>traceparent</c> is kept in the job's telemetry metadata (<c>opts.tm</c>, where BullMQ keeps it),
/// and processing the job opens a consumer span under it, so one trace spans every hop.
/// </summary>
public static class JobTelemetry
{
    /// <summary>The activity source name; register it with the tracer provider.</summary>
    public const string SourceName = "BotSystem.JobEngine";

    private static readonly ActivitySource Source = new(SourceName);

    internal static Activity? StartAdd(string queueName) =>
        Source.StartActivity($"{queueName} publish", ActivityKind.Producer)?
            .SetTag("messaging.system", "bullmq")
            .SetTag("messaging.operation.type", "send")
            .SetTag("messaging.destination.name", queueName);

    /// <summary>The options with the current trace context as telemetry metadata, unless they carry one already.</summary>
    internal static JobOptions WithCurrentContext(JobOptions options) =>
        options.TelemetryMetadata is null && Activity.Current is { IdFormat: ActivityIdFormat.W3C } current
            ? options with { TelemetryMetadata = current.Id }
            : options;

    internal static Activity? StartProcess(string queueName, Job job)
    {
        ActivityContext.TryParse(job.Options.TelemetryMetadata, null, out var parent);
        return Source.StartActivity($"{queueName} process", ActivityKind.Consumer, parent)?
            .SetTag("messaging.system", "bullmq")
            .SetTag("messaging.operation.type", "process")
            .SetTag("messaging.destination.name", queueName)
            .SetTag("messaging.message.id", job.Id)
            .SetTag("messaging.bullmq.job.name", job.Name)
            .SetTag("messaging.bullmq.job.attempts_made", job.AttemptsMade);
    }
}
