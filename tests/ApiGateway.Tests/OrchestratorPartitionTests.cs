using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

/// <summary>
/// The whole system with one python bot at a time, its first orchestrator reaching Redis through a
/// <see cref="RedisConnectionCutter"/>, cut off while it follows a bot for longer than its permit's lease.
/// </summary>
public sealed class OrchestratorPartitionTests : IAsyncLifetime
{
    private const string LeaseTime = "00:00:03";
    private readonly RedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RedisConnectionCutter? _cutter;
    private SystemProcesses? _system;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _cutter = new RedisConnectionCutter(_redis);
        var settings = new SystemSettings();
        settings.Everywhere["MAX_PYTHON_BOTS"] = "1";
        settings.Orchestrator["ConnectionStrings__redis"] = _cutter.ConnectionString;
        settings.Orchestrator["Orchestrator__LeaseTime"] = LeaseTime;
        _system = await SystemProcesses.StartAsync(_redis, settings);
    }

    [Fact]
    public async Task A_bot_keeps_its_permit_while_its_orchestrator_is_cut_off_so_no_other_bot_of_the_type_starts()
    {
        var gateway = new GatewayClient(_system!.GatewayUrl, _http);
        var webhookUrl = $"{_system.MockWebhookUrl}/webhook";
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var first = await gateway.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 15_000 }, webhookUrl });
        await FlowSystem.EventuallyAsync(async () => (await bots.GetJobAsync(first))?.Progress is { ValueKind: System.Text.Json.JsonValueKind.Number } progress && progress.GetInt32() > 0,
            "the first bot never reported progress");

        var partition = _cutter!.PartitionAsync(TimeSpan.FromSeconds(20));
        await _system.Services.StartInstanceAsync("Orchestrator-2", "Orchestrator", ("MAX_PYTHON_BOTS", "1"), ("Orchestrator__LeaseTime", LeaseTime));
        var second = await gateway.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 100 }, webhookUrl });
        await gateway.WaitForEndAsync(second, TimeSpan.FromSeconds(90));
        await partition;
        await gateway.WaitForEndAsync(first, TimeSpan.FromSeconds(90));

        var firstRun = (await bots.GetJobAsync(first))!;
        var secondRun = (await bots.GetJobAsync(second))!;
        Assert.True(secondRun.ProcessedOn >= firstRun.FinishedOn,
            $"the second bot started at {secondRun.ProcessedOn}, while the first ran from {firstRun.ProcessedOn} to {firstRun.FinishedOn}\n{_system.Services.ProcessOf("Workers").Output}");
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
