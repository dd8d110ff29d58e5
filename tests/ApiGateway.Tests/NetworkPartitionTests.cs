using System.Net;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

/// <summary>The whole system, some of its services reaching Redis through a <see cref="RedisConnectionCutter"/> that can cut them off it.</summary>
public sealed class NetworkPartitionTests : IAsyncLifetime
{
    private const string OrchestratorLeaseTime = "00:00:03";
    private readonly RedisServer _redis = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private RedisConnectionCutter? _cutter;
    private SystemProcesses? _system;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _cutter = new RedisConnectionCutter(_redis);
    }

    private async Task StartSystemAsync(Action<SystemSettings> configure)
    {
        var settings = new SystemSettings();
        configure(settings);
        _system = await SystemProcesses.StartAsync(_redis, settings);
    }

    [Fact]
    public async Task A_bot_cancelled_while_its_worker_is_cut_off_redis_is_killed_once_the_worker_is_back()
    {
        await StartSystemAsync(settings => settings.Workers["ConnectionStrings__redis"] = _cutter!.ConnectionString);
        var gateway = new GatewayClient(_system!.GatewayUrl, _http);
        var jobId = await gateway.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 60_000 }, webhookUrl = $"{_system.MockWebhookUrl}/webhook" });
        await FlowSystem.EventuallyAsync(async () => (await gateway.GetJobAsync(jobId))?["status"]?.GetValue<string>() == "running", "the bot never ran");
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        await FlowSystem.EventuallyAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Active, "the bot's job never became active");

        // The cancel is published while the worker has no connection to hear it on.
        await CancelDuringPartitionAsync(jobId);

        await FlowSystem.EventuallyAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Failed,
            "the bot ran on after its cancellation", TimeSpan.FromSeconds(20));
        Assert.Equal("cancelled", (await bots.GetJobAsync(jobId))!.FailedReason);
    }

    [Fact]
    public async Task A_bot_keeps_its_permit_while_its_orchestrator_is_cut_off_so_no_other_bot_of_the_type_starts()
    {
        // The first orchestrator is cut off while it follows a bot, for longer than its permit's lease and its job's lock.
        var (gateway, first) = await FollowOneLongPythonBotAsync(15_000);

        var partition = _cutter!.PartitionAsync(TimeSpan.FromSeconds(20));
        await _system!.Services.StartInstanceAsync("Orchestrator-2", "Orchestrator", ("MAX_PYTHON_BOTS", "1"), ("Orchestrator__LeaseTime", OrchestratorLeaseTime));
        var second = await InvokeShortPythonBotAsync(gateway);
        await gateway.WaitForEndAsync(second, TimeSpan.FromSeconds(90));
        await partition;

        await AssertRanOneAfterTheOtherAsync(gateway, first, second);
        // Cut off for longer than the invocation's lock, the first orchestrator let the invocation go to the second.
        Assert.Contains($"Invocation {first} is left to another orchestration", _system.Services.ProcessOf("Orchestrator").Output);
    }

    [Fact]
    public async Task An_orchestrator_whose_link_stalls_past_its_permits_lease_leaves_the_permit_to_the_running_bot()
    {
        // The only orchestrator's link to Redis stalls while it follows a bot, past its permit's lease (its renewals time
        // out) but not its job's lock, so what it sent meanwhile, a hand-back of the permit included, reaches Redis while
        // the bot runs on with the permit.
        var (gateway, first) = await FollowOneLongPythonBotAsync(15_000, ("Orchestrator__StalledInterval", "00:00:15"));

        var stall = _cutter!.StallAsync(TimeSpan.FromSeconds(10));
        var second = await InvokeShortPythonBotAsync(gateway);
        await stall;
        await gateway.WaitForEndAsync(second, TimeSpan.FromSeconds(90));

        await AssertRanOneAfterTheOtherAsync(gateway, first, second);
    }

    [Fact]
    public async Task An_invocation_cancelled_while_its_orchestrator_is_cut_off_stops_waiting_for_a_permit_once_it_is_back()
    {
        var (gateway, first) = await FollowOneLongPythonBotAsync(60_000);
        var waiting = await InvokeShortPythonBotAsync(gateway);
        await FlowSystem.EventuallyAsync(async () => (string?)(await gateway.GetJobAsync(waiting))?["status"] == InvocationStatus.WaitingForSlot,
            "the second invocation never waited for the permit");

        // The cancel is published while the orchestrator has no connection to hear it on.
        await CancelDuringPartitionAsync(waiting);

        // The first bot runs on for most of a minute, holding the only permit.
        await using var invocations = new Queue(QueueNames.Invocations, _redis.Connection);
        await FlowSystem.EventuallyAsync(async () => await invocations.GetJobStateAsync(waiting) == JobState.Completed,
            $"the cancelled invocation still waits for a permit\n{_system!.Services.ProcessOf("Orchestrator").Output}", TimeSpan.FromSeconds(15));
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        Assert.Equal(JobState.Active, await bots.GetJobStateAsync(first));
        Assert.Equal(JobState.Unknown, await bots.GetJobStateAsync(waiting));
        Assert.Equal(InvocationStatus.Cancelled, (string?)(await gateway.GetJobAsync(waiting))!["status"]);
    }

    /// <summary>
    /// Starts the system with one python bot at a time and its orchestrator reaching Redis through the cutter, and
    /// invokes a bot of <paramref name="durationMs"/>, returned once it reports progress.
    /// </summary>
    private async Task<(GatewayClient Gateway, string First)> FollowOneLongPythonBotAsync(int durationMs, params (string Name, string Value)[] orchestratorSettings)
    {
        await StartSystemAsync(settings =>
        {
            settings.Everywhere["MAX_PYTHON_BOTS"] = "1";
            settings.Orchestrator["ConnectionStrings__redis"] = _cutter!.ConnectionString;
            settings.Orchestrator["Orchestrator__LeaseTime"] = OrchestratorLeaseTime;
            foreach (var (name, value) in orchestratorSettings)
            {
                settings.Orchestrator[name] = value;
            }
        });
        var gateway = new GatewayClient(_system!.GatewayUrl, _http);
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var first = await gateway.InvokeOkAsync(new { botType = "python", payload = new { durationMs }, webhookUrl = $"{_system.MockWebhookUrl}/webhook" });
        await FlowSystem.EventuallyAsync(async () => (await bots.GetJobAsync(first))?.Progress is { ValueKind: System.Text.Json.JsonValueKind.Number } progress && progress.GetInt32() > 0,
            "the first bot never reported progress");
        return (gateway, first);
    }

    /// <summary>Cancels an invocation a second into a 4 s partition of the services behind the cutter, and returns when it heals.</summary>
    private async Task CancelDuringPartitionAsync(string jobId)
    {
        var partition = _cutter!.PartitionAsync(TimeSpan.FromSeconds(4));
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var cancel = new HttpRequestMessage(HttpMethod.Delete, $"{_system!.GatewayUrl}/job/{jobId}");
        cancel.Headers.Add("X-Api-Key", GatewayClient.DevelopmentClientKey);
        using var cancelled = await _http.SendAsync(cancel);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        await partition;
    }

    private Task<string> InvokeShortPythonBotAsync(GatewayClient gateway) =>
        gateway.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 100 }, webhookUrl = $"{_system!.MockWebhookUrl}/webhook" });

    // With one python bot at a time, the second bot started only once the first had finished.
    private async Task AssertRanOneAfterTheOtherAsync(GatewayClient gateway, string first, string second)
    {
        await gateway.WaitForEndAsync(first, TimeSpan.FromSeconds(90));
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Python), _redis.Connection);
        var firstRun = (await bots.GetJobAsync(first))!;
        var secondRun = (await bots.GetJobAsync(second))!;
        Assert.True(secondRun.ProcessedOn >= firstRun.FinishedOn,
            $"the second bot started at {secondRun.ProcessedOn}, while the first ran from {firstRun.ProcessedOn} to {firstRun.FinishedOn}\n"
            + _system!.Services.ProcessOf("Orchestrator").Output + _system.Services.ProcessOf("Workers").Output);
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
