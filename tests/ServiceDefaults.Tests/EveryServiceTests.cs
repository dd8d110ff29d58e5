namespace ServiceDefaults.Tests;

public sealed class EveryServiceTests(RedisServer redis) : IClassFixture<RedisServer>
{
    public static TheoryData<string> Services => ["ApiGateway", "Orchestrator", "Workers", "WebhookManager", "MockWebhook"];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Service_answers_health_alive_and_metrics(string project)
    {
        await using var service = Start(project, redis.ConnectionString, out var baseUrl);
        await service.WaitUntilHealthyAsync($"{baseUrl}/health");

        using var http = new HttpClient();
        Assert.Equal("Healthy", await http.GetStringAsync($"{baseUrl}/health"));
        Assert.Equal("Healthy", await http.GetStringAsync($"{baseUrl}/alive"));
        var metrics = await http.GetStringAsync($"{baseUrl}/metrics");
        Assert.Contains("# TYPE", metrics);
        // The console tells what the service does, not each request of the health polls (traces and metrics have those).
        Assert.DoesNotContain("Request starting", service.Output);
    }

    [Theory]
    [InlineData("ApiGateway")]
    [InlineData("Orchestrator")]
    [InlineData("Workers")]
    [InlineData("WebhookManager")]
    public async Task Service_without_a_redis_connection_string_exits_with_a_clear_message(string project)
    {
        await using var service = Start(project, redis: null, out _);
        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the service kept running without Redis");
        Assert.NotEqual(0, service.ExitCode);
        Assert.Contains("ConnectionStrings__redis", service.Output);
    }

    [Theory]
    [InlineData("ApiGateway")]
    [InlineData("Orchestrator")]
    [InlineData("Workers")]
    [InlineData("WebhookManager")]
    public async Task Service_is_healthy_again_soon_after_redis_answers_again(string project)
    {
        await using var ownRedis = new RedisServer();
        await ownRedis.InitializeAsync();
        await using var service = Start(project, ownRedis.ConnectionString, out var baseUrl);
        await service.WaitUntilHealthyAsync($"{baseUrl}/health");
        var healthySince = service.Output.Length;

        await ownRedis.StopAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.HoldsAsync(async () => !(await http.GetAsync($"{baseUrl}/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(30),
            "the service never noticed Redis was gone");
        // Polled on, as a probe would through the outage.
        for (var poll = 0; poll < 3; poll++)
        {
            using var unhealthy = await http.GetAsync($"{baseUrl}/health");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
        }
        await ownRedis.StartAsync();

        // Within a second or so; the client's own back-off took more than five. Locks and leases renewed over the
        // connection may not outlast that.
        var back = System.Diagnostics.Stopwatch.StartNew();
        await service.WaitUntilHealthyAsync($"{baseUrl}/health", TimeSpan.FromSeconds(30));
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(2.5), $"healthy again {back.Elapsed.TotalSeconds:0.0} s after Redis answered\n{service.Output}");

        // Each change once, however often /health was polled meanwhile. The console is written in the background.
        await Eventually.HoldsAsync(() => Task.FromResult(service.Output[healthySince..].Contains("Health check redis is healthy again")),
            TimeSpan.FromSeconds(10), "the return to health was not logged\n" + service.Output);
        var output = service.Output[healthySince..];
        Assert.Equal(1, Occurrences(output, "Health check redis is Unhealthy"));
        Assert.Equal(1, Occurrences(output, "Health check redis is healthy again"));
        Assert.DoesNotContain("Health check redis with status", output);
    }

    private static int Occurrences(string text, string part) => text.Split(part).Length - 1;

    // A Redis Cluster is the one setting known to make their background work fail: the queues' keys carry no hash tag,
    // so the job engine refuses a worker there. The host stops; a supervisor that restarts failures must see one.
    [Theory]
    [InlineData("Orchestrator")]
    [InlineData("Workers")]
    [InlineData("WebhookManager")]
    public async Task Service_whose_background_work_fails_exits_with_a_failure_code(string project)
    {
        await using var cluster = new RedisCluster();
        await cluster.InitializeAsync();
        await using var service = Start(project, cluster.ConnectionString, out _);
        Assert.True(await service.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the service kept running after its background work failed:\n" + service.Output);
        Assert.NotEqual(0, service.ExitCode);
        Assert.Contains("hash tag", service.Output);
    }

    // The service on a free port of its own, given the Redis connection string (none when null).
    private static ServiceProcess Start(string project, string? redis, out string baseUrl)
    {
        baseUrl = $"http://127.0.0.1:{FreePort.Next()}";
        return ServiceProcess.StartService(project, new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = baseUrl,
            ["ConnectionStrings__redis"] = redis,
        });
    }
}
