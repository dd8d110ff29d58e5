using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BotSystem.Botctl;

/// <summary>The HTTP calls botctl makes, with problem details turned into <see cref="GatewayException"/>.</summary>
public sealed class GatewayClient : IDisposable
{
    private readonly HttpClient _http;

    public GatewayClient(string baseUrl, string? apiKey)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            throw new GatewayException($"'{baseUrl}' is not an absolute http(s) URL (set --url or BOTCTL_URL).");
        }
        _http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    public Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), null, cancellationToken);

    /// <summary>A GET whose body is the answer also with status <paramref name="alsoAnswered"/>, as a health report's 503 is.</summary>
    public Task<JsonNode> GetAsync(string path, HttpStatusCode alsoAnswered, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), alsoAnswered, cancellationToken);

    public Task<JsonNode> PostAsync(string path, JsonNode? body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        }, null, cancellationToken);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), null, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> SendAsync(HttpRequestMessage request, HttpStatusCode? alsoAnswered, CancellationToken cancellationToken)
    {
        using (request)
        using (var response = await _http.SendAsync(request, cancellationToken))
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode && response.StatusCode != alsoAnswered)
            {
                throw new GatewayException(DescribeFailure(request, response, text));
            }
            return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        }
    }

    private static string DescribeFailure(HttpRequestMessage request, HttpResponseMessage response, string body)
    {
        var line = new StringBuilder($"{request.Method} {request.RequestUri?.OriginalString} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                if (problem["title"]?.GetValue<string>() is { } title)
                {
                    line.Append($": {title}");
                }
                if (problem["detail"]?.GetValue<string>() is { } detail)
                {
                    line.Append($" ({detail})");
                }
                if (problem["errors"] is JsonObject errors)
                {
                    line.Append(": ").AppendJoin("; ", errors.Select(error => $"{error.Key}: {string.Join(' ', error.Value?.AsArray().Select(m => m?.ToString()) ?? [])}"));
                }
            }
        }
        catch (JsonException)
        {
            // Not problem details: the status line says enough.
        }
        if (response.Headers.RetryAfter?.Delta is { } retryAfter)
        {
            line.Append($"; retry after {retryAfter.TotalSeconds:0} s");
        }
        return line.ToString();
    }
}
