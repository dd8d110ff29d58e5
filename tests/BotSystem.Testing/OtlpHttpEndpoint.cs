using System.Net;

namespace BotSystem.Testing;

/// <summary>
/// An OTLP/HTTP endpoint on a free loopback port that answers every export and hands its path, content type and body
/// to <c>received</c>, for services exporting with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>.
/// </summary>
public sealed class OtlpHttpEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Action<string, string?, byte[]> _received;

    public OtlpHttpEndpoint(Action<string, string?, byte[]> received)
    {
        _received = received;
        Endpoint = $"http://127.0.0.1:{FreePort.Next()}";
        _listener.Prefixes.Add($"{Endpoint}/");
        _listener.Start();
        _ = ReceiveAsync();
    }

    /// <summary>The value of <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; exporters append <c>/v1/&lt;signal&gt;</c>.</summary>
    public string Endpoint { get; }

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
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received(context.Request.Url?.AbsolutePath ?? "", context.Request.ContentType, body.ToArray());
            context.Response.StatusCode = (int)HttpStatusCode.OK;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
