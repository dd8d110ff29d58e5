using System.Collections.Concurrent;

namespace AppHost.Tests;

/// <summary>An OTLP/HTTP collector on a free loopback port that answers every export and counts them by path (<c>/v1/metrics</c>, ...).</summary>
public sealed class OtlpHttpCollector : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _exports = new();
    private readonly OtlpHttpEndpoint _endpoint;

    public OtlpHttpCollector() =>
        _endpoint = new OtlpHttpEndpoint((path, _, _) => _exports.AddOrUpdate(path, 1, (_, count) => count + 1));

    /// <summary>The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public string Endpoint => _endpoint.Endpoint;

    public int ExportsTo(string path) => _exports.GetValueOrDefault(path);

    public void Dispose() => _endpoint.Dispose();
}
