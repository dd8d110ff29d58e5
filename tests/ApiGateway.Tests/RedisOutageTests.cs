using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ApiGateway.Tests;

/// <summary>The services' answers while their Redis is down, and after it is back.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private const string ApiKey = "dev-api-key";
    private const string AdminKey = "dev-admin-key";
    private readonly RedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _gatewayUrl = $"http://127.0.0.1:{FreePort.Next()}";
    private readonly string _webhookManagerUrl = $"http://127.0.0.1:{FreePort.Next()}";
    private ServiceProcess? _gateway;
    private ServiceProcess? _webhookManager;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _gateway = ServiceProcess.StartService("ApiGateway", Environment(_gatewayUrl));
        _webhookManager = ServiceProcess.StartService("WebhookManager", Environment(_webhookManagerUrl));
        await _gateway.WaitUntilHealthyAsync($"{_gatewayUrl}/health");
        await _webhookManager.WaitUntilHealthyAsync($"{_webhookManagerUrl}/health");
    }

    [Fact]
    public async Task While_redis_is_down_requests_are_503_problems_with_Retry_After_and_invocations_are_accepted_again_once_it_is_back()
    {
        using (var accepted = await InvokeAsync())
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await _redis.StopAsync();
        await AssertUnavailableAsync(await InvokeAsync());
        await AssertUnavailableAsync(await SendAsync(HttpMethod.Get, $"{_gatewayUrl}/job/inv_0123456789abcdef", ApiKey));
        await AssertUnavailableAsync(await SendAsync(HttpMethod.Get, $"{_gatewayUrl}/stats", AdminKey));
        await AssertUnavailableAsync(await SendAsync(HttpMethod.Get, $"{_webhookManagerUrl}/deliveries/msg_inv_0123456789abcdef", AdminKey));

        await _redis.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            using var again = await InvokeAsync();
            status = again.StatusCode;
        }
        while (status != HttpStatusCode.Accepted && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.Accepted, status);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        if (_webhookManager is not null)
        {
            await _webhookManager.DisposeAsync();
        }
        _http.Dispose();
        await _redis.DisposeAsync();
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.Contains("Redis", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);
        }
    }

    private Task<HttpResponseMessage> InvokeAsync() =>
        SendAsync(HttpMethod.Post, $"{_gatewayUrl}/invoke", ApiKey, JsonContent.Create(new
        {
            botType = "python",
            bot = "data_analysis",
            payload = new { rows = 3 },
            webhookUrl = "http://localhost:5000/webhook",
        }));

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string key, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Add("X-Api-Key", key);
        return await _http.SendAsync(request);
    }

    private Dictionary<string, string?> Environment(string url) => new()
    {
        ["ASPNETCORE_URLS"] = url,
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["ConnectionStrings__redis"] = _redis.ConnectionString,
    };
}
