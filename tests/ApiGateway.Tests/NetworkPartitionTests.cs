using System.Net;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

/// <summary>The whole system, its workers reaching Redis through a <see cref="RedisConnectionCutter"/> that can cut them off it.</summary>
public sealed class NetworkPartitionTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RedisConnectionCutter? _cutter;
    private SystemProcesses? _system;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _cutter = new RedisConnectionCutter(_redis);
        var settings = new SystemSettings();
        settings.Workers["ConnectionStrings__redis"] = _cutter.ConnectionString;
        _system = await SystemProcesses.StartAsync(_redis, settings);
    }

    [Fact]
    public async Task A_bot_cancelled_while_its_worker_is_cut_off_redis_is_killed_once_the_worker_is_back()
    {
        var gateway = new GatewayClient(_system!.GatewayUrl, _http);
        var jobId = await gateway.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 60_000 }, webhookUrl = $"{_system.MockWebhookUrl}/webhook" });
        await FlowSystem.EventuallyAsync(async () => (await gateway.GetJobAsync(jobId))?["status"]?.GetValue<string>() == "running", "the bot never ran");
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        await FlowSystem.EventuallyAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Active, "the bot's job never became active");

        // The cancel is published while the worker has no connection to hear it on.
        var partition = _cutter!.PartitionAsync(TimeSpan.FromSeconds(4));
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var cancel = new HttpRequestMessage(HttpMethod.Delete, $"{_system.GatewayUrl}/job/{jobId}");
        cancel.Headers.Add("X-Api-Key", GatewayClient.DevelopmentClientKey);
        using var cancelled = await _http.SendAsync(cancel);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        await partition;

        await FlowSystem.EventuallyAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Failed,
            "the bot ran on after its cancellation", TimeSpan.FromSeconds(20));
        Assert.Equal("cancelled", (await bots.GetJobAsync(jobId))!.FailedReason);
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
        if (_cutter is not null)
        {
            await _cutter.DisposeAsync();
        }
        _http.Dispose();
        await _redis.DisposeAsync();
    }
}
