using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace Workers.Tests;

public sealed class WorkerLifecycleTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public Task InitializeAsync() => _redis.InitializeAsync();

    [Fact]
    public async Task A_redis_outage_moves_the_worker_to_error_and_back_to_ready_and_SIGTERM_exits_cleanly()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var worker = ServiceProcess.StartService("Workers", new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ConnectionStrings__redis"] = _redis.ConnectionString,
            ["Workers__HeartbeatInterval"] = "00:00:00.500",
        }, "--types", "python");
        await WaitForHealthAsync(url, "Healthy");
        var registered = await _redis.Connection.GetDatabase().SortedSetRangeByRankAsync(WorkerRegistry.IndexKey);
        Assert.Single(registered);
        Assert.Equal("python", (string?)await _redis.Connection.GetDatabase().HashGetAsync(WorkerRegistry.Key(registered[0]!), WorkerRegistry.Types));

        await _redis.StopAsync();
        await WaitForHealthAsync(url, "Unhealthy");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!worker.Output.Contains("-> ERROR") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        await _redis.StartAsync();
        await WaitForHealthAsync(url, "Healthy", TimeSpan.FromSeconds(90));

        Assert.Contains("READY -> ERROR", worker.Output.Replace("PROCESSING", "READY"));
        Assert.Contains("ERROR -> HEALTH_CHECK", worker.Output);
        worker.Signal(Signals.SIGTERM);
        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(40)), worker.Output);
        Assert.Equal(0, worker.ExitCode);
        Assert.Contains("SHUTTING_DOWN -> STOPPED", worker.Output);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _redis.DisposeAsync();
    }

    private async Task WaitForHealthAsync(string url, string expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await _http.GetAsync($"{url}/health");
                last = await response.Content.ReadAsStringAsync();
                if (last == expected)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"/health stayed '{last}', never '{expected}'.");
    }
}
