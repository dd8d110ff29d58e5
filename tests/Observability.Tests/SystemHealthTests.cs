using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BotSystem.Contracts;
using BotSystem.Contracts.Observability;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace Observability.Tests;

public sealed class SystemHealthTests : IAsyncLifetime
{
    private const string AdminKey = "dev-admin-key";
    // Protected configs may be set, so a test can move the data directory away from under Redis.
    private readonly RedisServer _redis = RedisServer.WithArguments("--enable-protected-configs", "yes");
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
        // Without workers it was degraded from the first check: a warning in the log, with the reasons.
        Assert.Matches(@"warn: \S+SystemHealthMonitor\[0\]\s+System health is degraded: No live worker runs python bots", _gateway!.Output);

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
        // Told in one line per request, not as an unhandled exception with its stack.
        Assert.Contains("POST /invoke answered 503, Redis being out", _gateway!.Output);
        Assert.DoesNotContain("An unhandled exception has occurred", _gateway.Output);

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

    [Fact]
    public Task While_redis_refuses_writes_because_it_cannot_persist_invocations_are_503_problems_and_the_system_is_unhealthy_until_it_can() =>
        AssertRefusalIsReportedAsync("Redis refuses commands: MISCONF",
            async server =>
            {
                // A snapshot that cannot be written (its directory is gone, as a full or failed disk would make it) stops writes.
                var vanished = Directory.CreateTempSubdirectory("botsystem-vanished-").FullName;
                await server.ConfigSetAsync("save", "3600 1");
                await server.ConfigSetAsync("dir", vanished);
                Directory.Delete(vanished);
                await server.ExecuteAsync("BGSAVE");
                await WaitForPersistenceAsync(server, "err");
            },
            async server =>
            {
                await server.ConfigSetAsync("dir", _redis.DataDirectory);
                await server.ExecuteAsync("BGSAVE");
                await WaitForPersistenceAsync(server, "ok");
            });

    [Fact]
    public Task While_redis_is_out_of_memory_invocations_are_503_problems_and_the_system_is_unhealthy_though_redis_answers_ping() =>
        AssertRefusalIsReportedAsync("Redis refuses writes: OOM",
            async server =>
            {
                await server.ConfigSetAsync("maxmemory-policy", "noeviction");
                await server.ConfigSetAsync("maxmemory", "1");
            },
            server => server.ConfigSetAsync("maxmemory", "0"));

    [Fact]
    public async Task A_redis_that_may_evict_keys_makes_the_system_degraded_until_its_policy_is_noeviction()
    {
        const string reason = "Redis may evict queue data: its maxmemory-policy is allkeys-lru; set it to noeviction.";
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{_redis.ConnectionString},allowAdmin=true");
        var server = admin.GetServers()[0];
        var first = await WaitForReportAsync(report => report["checkedAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.MinValue);
        Assert.DoesNotContain(first["reasons"]!.AsArray(), r => r!.GetValue<string>().Contains("evict"));

        await server.ConfigSetAsync("maxmemory-policy", "allkeys-lru");
        var evicting = await WaitForReportAsync(report => report["reasons"]!.AsArray().Any(r => r!.GetValue<string>() == reason));
        Assert.Equal("degraded", evicting["status"]!.GetValue<string>());

        await server.ConfigSetAsync("maxmemory-policy", "noeviction");
        await WaitForReportAsync(report => report["reasons"]!.AsArray().All(r => !r!.GetValue<string>().Contains("evict")));
    }

    // While Redis refuses (after refuse, until restore): /invoke is a 503 problem and the system report is unhealthy with the reason.
    private async Task AssertRefusalIsReportedAsync(string reason, Func<IServer, Task> refuse, Func<IServer, Task> restore)
    {
        var gateway = new GatewayClient(_gatewayUrl, _http);
        var invocation = new { botType = "python", payload = new { rows = 3 }, webhookUrl = "http://localhost:5000/webhook" };
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{_redis.ConnectionString},allowAdmin=true");
        var server = admin.GetServers()[0];

        await refuse(server);
        await AssertUnavailableAsync(await gateway.InvokeAsync(invocation));
        var refusing = await WaitForReportAsync(report => report["reasons"]!.AsArray().Any(r => r!.GetValue<string>().StartsWith(reason)));
        Assert.Equal("unhealthy", refusing["status"]!.GetValue<string>());
        await WaitForPublishedStatusAsync(status => status == MetricLabelValues.SystemUnhealthy);

        await restore(server);
        using var accepted = await gateway.InvokeAsync(invocation);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await WaitForReportAsync(report => report["status"]!.GetValue<string>() != "unhealthy");
        await WaitForPublishedStatusAsync(status => status != MetricLabelValues.SystemUnhealthy);
    }

    // Waits for the gateway's system_health_status, as Prometheus scrapes it, to match.
    private async Task WaitForPublishedStatusAsync(Func<double, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        double status;
        while (!condition(status = Assert.Single(await PrometheusExposition.ScrapeAsync($"{_gatewayUrl}/metrics"), sample => sample.Name == MetricNames.SystemHealthStatus).Value))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{MetricNames.SystemHealthStatus} stayed {status}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForPersistenceAsync(IServer server, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string persistence;
        while (!(persistence = (await server.InfoRawAsync("persistence"))!).Contains($"rdb_last_bgsave_status:{status}") || persistence.Contains("rdb_bgsave_in_progress:1"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the last snapshot never became '{status}'");
            await Task.Delay(50);
        }
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
