using System.Collections.Concurrent;
using System.Diagnostics;

namespace BotSystem.JobEngine.Tests;

[Collection(RedisCollection.Name)]
public sealed class TraceContextTests(RedisServer redis) : EngineTest(redis)
{
    [Fact]
    public async Task Processing_span_continues_the_trace_of_the_code_that_added_the_job()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is JobTelemetry.SourceName or "TraceContextTests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var testSource = new ActivitySource("TraceContextTests");

        var queue = NewQueue();
        string jobId;
        ActivityTraceId traceId;
        using (var request = testSource.StartActivity("incoming request"))
        {
            traceId = request!.TraceId;
            jobId = await queue.AddAsync("traced", new { });
        }
        var processedUnder = new TaskCompletionSource<ActivityContext>();
        NewWorker((_, _) =>
        {
            processedUnder.TrySetResult(Activity.Current!.Context);
            return Task.FromResult<object?>(null);
        });

        var processing = await processedUnder.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var job = await queue.GetJobAsync(jobId);

        Assert.Equal(traceId, processing.TraceId);
        var publish = spans.Single(span => span.DisplayName == $"{QueueName} publish");
        Assert.Equal(traceId, publish.TraceId);
        Assert.Equal(publish.Id, job!.Options.TelemetryMetadata);
        Assert.Equal(jobId, publish.GetTagItem("messaging.message.id"));
        await Eventually(() => Task.FromResult(spans.Any(span => span.DisplayName == $"{QueueName} process")));
        var process = spans.Single(span => span.DisplayName == $"{QueueName} process");
        Assert.Equal(publish.SpanId, process.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, process.Kind);
    }
}
