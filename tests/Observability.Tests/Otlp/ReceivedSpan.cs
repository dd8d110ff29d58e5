namespace Observability.Tests.Otlp;

/// <summary>One span as a service exported it: the service it came from, its ids in hex, and its string attributes.</summary>
public sealed record ReceivedSpan(
    string Service, string TraceId, string SpanId, string? ParentSpanId, string Name, SpanKind Kind, IReadOnlyDictionary<string, string> Attributes)
{
    public override string ToString() => $"{Service}: {Kind} '{Name}' {SpanId} under {ParentSpanId ?? "nothing"}";
}
