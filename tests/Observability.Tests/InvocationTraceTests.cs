using Observability.Tests.Otlp;

namespace Observability.Tests;

/// <summary>One invocation through every process, each exporting its spans over OTLP/HTTP to a receiver in the test.</summary>
[Collection(nameof(WholeSystemCollection))]
public sealed class InvocationTraceTests : IAsyncLifetime
{
    private static readonly string[] Processes = ["api-gateway", "orchestrator", "workers", "webhook-manager", "mock-webhook"];

    private readonly OtlpTraceReceiver _receiver = new();
    private readonly RedisServer _redis = new();
    // No propagator: the test's requests carry no traceparent, so the invocation's trace starts at the gateway.
    private readonly HttpClient _http = new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { Timeout = TimeSpan.FromSeconds(30) };
    private SystemProcesses? _system;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _system = await SystemProcesses.StartAsync(_redis, new SystemSettings
        {
            Everywhere =
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            },
        });
    }

    [Fact]
    public async Task Spans_of_one_invocation_from_every_process_share_one_trace_id_and_form_one_tree_rooted_at_the_gateway()
    {
        var gateway = new GatewayClient(_system!.GatewayUrl, _http);
        var jobId = await gateway.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = $"{_system.MockWebhookUrl}/webhook" });
        var job = await gateway.WaitForWebhookOutcomeAsync(jobId);
        Assert.Equal("delivered", job["webhook"]!["status"]!.GetValue<string>());

        var trace = await WaitForCompleteTraceAsync(jobId);

        var ofTheJob = _receiver.Spans.Where(span => span.Attributes.GetValueOrDefault("messaging.message.id") == jobId).ToList();
        Assert.Superset(new HashSet<string> { "api-gateway", "orchestrator", "workers", "webhook-manager" }, ofTheJob.Select(span => span.Service).ToHashSet());
        Assert.Single(ofTheJob.Select(span => span.TraceId).Distinct());
        Assert.Superset(Processes.ToHashSet(), trace.Select(span => span.Service).ToHashSet());
        var ids = trace.Select(span => span.SpanId).ToHashSet();
        Assert.Equal(trace.Count, ids.Count);
        Assert.All(trace, span => Assert.True(span.ParentSpanId is null || ids.Contains(span.ParentSpanId), $"The parent of {span} is not in the trace.\n{Describe(trace)}"));
        var root = Assert.Single(trace, span => span.ParentSpanId is null);
        Assert.Equal("api-gateway", root.Service);
        Assert.Equal(SpanKind.Server, root.Kind);
        Assert.Equal("POST /invoke", root.Name);
        Assert.Empty(_receiver.Problems);
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
        _http.Dispose();
        _receiver.Dispose();
        await _redis.DisposeAsync();
    }

    /// <summary>
    /// The spans of the trace of <paramref name="jobId"/>'s first publish, once spans of every process are in it
    /// and every parent has arrived (a parent ends, and so is exported, after its children).
    /// </summary>
    private async Task<IReadOnlyList<ReceivedSpan>> WaitForCompleteTraceAsync(string jobId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<ReceivedSpan> trace = [];
        while (DateTime.UtcNow < deadline)
        {
            var spans = _receiver.Spans;
            var publish = spans.FirstOrDefault(span => span.Service == "api-gateway" && span.Attributes.GetValueOrDefault("messaging.message.id") == jobId);
            trace = publish is null ? [] : spans.Where(span => span.TraceId == publish.TraceId).ToList();
            var ids = trace.Select(span => span.SpanId).ToHashSet();
            if (Processes.All(process => trace.Any(span => span.Service == process))
                && trace.All(span => span.ParentSpanId is null || ids.Contains(span.ParentSpanId)))
            {
                return trace;
            }
            await Task.Delay(250);
        }
        Assert.Fail($"The trace of {jobId} never held spans of {string.Join(", ", Processes)} with every parent.\nIn the trace:\n{Describe(trace)}\n"
            + $"All {_receiver.Spans.Count} spans received:\n{Describe(_receiver.Spans)}\nProblems: {string.Join("; ", _receiver.Problems)}");
        return trace;
    }

    private static string Describe(IEnumerable<ReceivedSpan> spans) => string.Join('\n', spans.Select(span => $"  {span.TraceId[..8]} {span}"));
}
