using System.Collections.Concurrent;
using System.Net;

namespace AppHost.Tests;

/// <summary>An OTLP/HTTP collector on a free loopback port that answers every export and counts them by path (<c>/v1/metrics</c>, ...).</summary>
public sealed class OtlpHttpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, int> _exports = new();

    public OtlpHttpCollector()
    {
        Endpoint = $"http://127.0.0.1:{FreePort.Next()}";
        _listener.Prefixes.Add($"{Endpoint}/");
        _listener.Start();
        _ = ReceiveAsync();
    }

    /// <summary>The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; exporters append <c>/v1/&lt;signal&gt;</c>.</summary>
    public string Endpoint { get; }

    public int ExportsTo(string path) => _exports.GetValueOrDefault(path);

    public void Dispose() => _listener.Close();

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            await context.Request.InputStream.CopyToAsync(Stream.Null);
            _exports.AddOrUpdate(context.Request.Url?.AbsolutePath ?? "", 1, (_, count) => count + 1);
            context.Response.StatusCode = (int)HttpStatusCode.OK;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
