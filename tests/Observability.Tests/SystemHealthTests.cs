using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace Observability.Tests;

public sealed class SystemHealthTests : IAsyncLifetime
{
    private const string AdminKey = "dev-admin-key";
    private readonly RedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly string _gatewayUrl = $"http://127.0.0.1:{FreePort.Next()}";
    private readonly string _webhookManagerUrl = $"http://127.0.0.1:{FreePort.Next()}";
    private ServiceProcess? _webhookManager;
    private ServiceProcess? _gateway;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _webhookManager = ServiceProcess.StartService("WebhookManager", Environment(_webhookManagerUrl,
            ("WEBHOOK_MAX_RETRIES", "0"), ("Webhooks__Endpoint__MinimumThroughput", "2"), ("Webhooks__Endpoint__BreakDuration", "00:05:00")));
        _gateway = ServiceProcess.StartService("ApiGateway", Environment(_gatewayUrl,
            ("services__webhook-manager__http__0", _webhookManagerUrl), ("SystemHealth__RefreshInterval", "00:00:00.500")));
        await _webhookManager.WaitUntilHealthyAsync($"{_webhookManagerUrl}/health");
        await _gateway.WaitUntilHealthyAsync($"{_gatewayUrl}/health");
    }

    [Fact]
    public async Task System_health_turns_degraded_when_a_circuit_opens_and_unhealthy_when_redis_is_gone()
    {
        using (var anonymous = await _http.GetAsync($"{_gatewayUrl}/health/system"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        var first = await WaitForReportAsync(report => report["checkedAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.MinValue);
        Assert.DoesNotContain(first["reasons"]!.AsArray(), reason => reason!.GetValue<string>().Contains("circuit"));
        Assert.Equal("healthy", first["services"]!["webhook-manager"]!.GetValue<string>());
        Assert.NotNull(first["redisLatencyMs"]);

        var deadEndpoint = $"http://127.0.0.1:{FreePort.Next()}";
        await using (var webhooks = new Queue(QueueNames.Webhooks, _redis.Connection))
        {
            for (var i = 0; i < 4; i++)
            {
                var invocationId = "inv" + Guid.NewGuid().ToString("N");
                await webhooks.AddAsync("deliver", new WebhookDeliveryJobData
                {
                    MessageId = WebhookDeliveryJobData.MessageIdFor(invocationId),
                    InvocationId = invocationId,
                    ClientId = "dev",
                    Url = $"{deadEndpoint}/hook",
                    EventType = WebhookEvent.Completed,
                    Body = "{}",
                });
            }
        }
        var degraded = await WaitForReportAsync(report => report["circuits"]?[deadEndpoint]?.GetValue<string>() == "open");
        Assert.Equal("degraded", degraded["status"]!.GetValue<string>());
        Assert.Contains(degraded["reasons"]!.AsArray(), reason => reason!.GetValue<string>().Contains($"circuit of {deadEndpoint} is open"));

        await _redis.StopAsync();
        var unhealthy = await WaitForReportAsync(report => report["status"]!.GetValue<string>() == "unhealthy", HttpStatusCode.ServiceUnavailable);
        Assert.Contains(unhealthy["reasons"]!.AsArray(), reason => reason!.GetValue<string>().Contains("Redis is unreachable"));
    }

    [Fact]
    public async Task While_redis_is_down_requests_are_503_problems_with_Retry_After_and_invocations_are_accepted_again_once_it_is_back()
    {
        var gateway = new GatewayClient(_gatewayUrl, _http);
        var invocation = new { botType = "python", payload = new { rows = 3 }, webhookUrl = "http://localhost:5000/webhook" };
        using (var accepted = await gateway.InvokeAsync(invocation))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await _redis.StopAsync();
        await AssertUnavailableAsync(await gateway.InvokeAsync(invocation));
        await AssertUnavailableAsync(await GetAsync($"{_gatewayUrl}/job/inv_0123456789abcdef", GatewayClient.DevelopmentClientKey));
        await AssertUnavailableAsync(await GetAsync($"{_gatewayUrl}/stats", AdminKey));
        await AssertUnavailableAsync(await GetAsync($"{_webhookManagerUrl}/deliveries/msg_inv_0123456789abcdef", AdminKey));

        await _redis.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250);
            using var again = await gateway.InvokeAsync(invocation);
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

    private async Task<JsonNode> WaitForReportAsync(Func<JsonNode, bool> condition, HttpStatusCode? expectedStatus = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(45);
        JsonNode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{_gatewayUrl}/health/system");
            request.Headers.Add("X-Api-Key", AdminKey);
            using var response = await _http.SendAsync(request);
            last = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if (condition(last) && (expectedStatus is null || response.StatusCode == expectedStatus))
            {
                return last;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The system health report never matched; the last was {last?.ToJsonString()}\n{_gateway?.Output}");
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

    private async Task<HttpResponseMessage> GetAsync(string url, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Api-Key", key);
        return await _http.SendAsync(request);
    }

    private Dictionary<string, string?> Environment(string url, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }
        return environment;
    }
}
