using Google.Protobuf;

namespace Observability.Tests.Otlp;

/// <summary>
/// An OTLP/HTTP receiver on a free loopback port, for services exporting with
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>: it keeps the spans posted to <c>/v1/traces</c>
/// and accepts the other signals unread.
/// </summary>
public sealed class OtlpTraceReceiver : IDisposable
{
    private readonly List<ReceivedSpan> _spans = [];
    private readonly List<string> _problems = [];
    private readonly OtlpHttpEndpoint _endpoint;

    public OtlpTraceReceiver() =>
        _endpoint = new OtlpHttpEndpoint((path, contentType, body) =>
        {
            if (path == "/v1/traces")
            {
                Keep(contentType, body);
            }
        });

    /// <summary>The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; exporters append <c>/v1/traces</c>.</summary>
    public string Endpoint => _endpoint.Endpoint;

    public IReadOnlyList<ReceivedSpan> Spans
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Exports that could not be read, so a test can tell a broken export from a missing span.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_spans)
            {
                return [.. _problems];
            }
        }
    }

    public void Dispose() => _endpoint.Dispose();

    private void Keep(string? contentType, byte[] body)
    {
        lock (_spans)
        {
            if (contentType != "application/x-protobuf")
            {
                _problems.Add($"A trace export came as {contentType}, not application/x-protobuf.");
                return;
            }
            try
            {
                var request = ExportTraceServiceRequest.Parser.ParseFrom(body);
                _spans.AddRange(request.ResourceSpans.SelectMany(Read));
            }
            catch (InvalidProtocolBufferException e)
            {
                _problems.Add($"A trace export is no ExportTraceServiceRequest: {e.Message}");
            }
        }
    }

    private static IEnumerable<ReceivedSpan> Read(ResourceSpans resourceSpans)
    {
        var service = Strings(resourceSpans.Resource?.Attributes ?? []).GetValueOrDefault("service.name", "");
        return resourceSpans.ScopeSpans.SelectMany(scope => scope.Spans).Select(span => new ReceivedSpan(
            service,
            Convert.ToHexStringLower(span.TraceId.Span),
            Convert.ToHexStringLower(span.SpanId.Span),
            span.ParentSpanId.IsEmpty ? null : Convert.ToHexStringLower(span.ParentSpanId.Span),
            span.Name,
            span.Kind,
            Strings(span.Attributes)));
    }

    private static Dictionary<string, string> Strings(IEnumerable<KeyValue> attributes) =>
        attributes.Where(attribute => attribute.Value?.ValueCase == AnyValue.ValueOneofCase.StringValue)
            .GroupBy(attribute => attribute.Key)
            .ToDictionary(group => group.Key, group => group.First().Value.StringValue);
}
