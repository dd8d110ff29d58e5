using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace Observability.Tests;

/// <summary>
/// The services started before Redis answers, as after a reboot or while Redis restarts: they stay up, unhealthy and
/// answering 503, and work once it answers, instead of failing their start for a supervisor to retry ever later.
/// </summary>
public sealed class StartBeforeRedisTests : IAsyncLifetime
{
    private static readonly string[] UsingRedis = ["ApiGateway", "Orchestrator", "Workers", "WebhookManager"];

    // Its port is chosen now; it starts in the test, after the services.
    private readonly RedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Dictionary<string, (ServiceProcess Process, string Url)> _services = [];

    public Task InitializeAsync()
    {
        foreach (var project in UsingRedis)
        {
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            _services[project] = (ServiceProcess.StartService(project, new Dictionary<string, string?>
            {
                ["ASPNETCORE_URLS"] = url,
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ConnectionStrings__redis"] = _redis.ConnectionString,
            }), url);
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Services_started_before_redis_are_unhealthy_and_answer_503_until_it_answers_then_take_invocations()
    {
        foreach (var (project, (process, url)) in _services)
        {
            await Eventually.HoldsAsync(async () => await HealthOfAsync(url) == "Unhealthy", TimeSpan.FromSeconds(60),
                $"{project} never answered /health unhealthy\n{process.Output}");
            Assert.Contains($"Redis 'redis' at {_redis.ConnectionString} does not answer", process.Output);
        }
        var gateway = new GatewayClient(_services["ApiGateway"].Url, _http);
        var invocation = new { botType = "python", payload = new { rows = 3 }, webhookUrl = "http://localhost:5000/webhook" };
        using (var refused = await gateway.InvokeAsync(invocation))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        await _redis.InitializeAsync();

        foreach (var (project, (process, url)) in _services)
        {
            await Eventually.HoldsAsync(async () => await HealthOfAsync(url) == "Healthy", TimeSpan.FromSeconds(60),
                $"{project} never became healthy\n{process.Output}");
            Assert.False(process.HasExited, $"{project} exited\n{process.Output}");
        }
        using var accepted = await gateway.InvokeAsync(invocation);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!["jobId"]!.GetValue<string>();
        // Taken up by the orchestrator, whose start waited for Redis, and run by the runner.
        await Eventually.HoldsAsync(async () => (string?)await _redis.Connection.GetDatabase().HashGetAsync(InvocationRecord.Key(jobId), InvocationRecord.Status)
            is InvocationStatus.Completed, TimeSpan.FromSeconds(60),
            $"the invocation never completed\n{_services["Orchestrator"].Process.Output}\n-----\n{_services["Workers"].Process.Output}");
    }

    private async Task<string> HealthOfAsync(string url)
    {
        try
        {
            return await _http.GetStringAsync($"{url}/health");
        }
        catch (HttpRequestException exception) when (exception.StatusCode is HttpStatusCode.ServiceUnavailable)
        {
            return "Unhealthy";
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return "";
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var (process, _) in _services.Values)
        {
            await process.DisposeAsync();
        }
        _http.Dispose();
        await _redis.DisposeAsync();
    }
}
