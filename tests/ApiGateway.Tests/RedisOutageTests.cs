using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

/// <summary>
/// An orchestrator, with its default lease and lock times, orchestrating while Redis restarts, stalls, or drops its
/// connection at a chosen command (it reaches Redis through a <see cref="RedisConnectionCutter"/>).
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private readonly OrchestrationQueues _queues = new();
    private RedisConnectionCutter? _cutter;
    private ServiceSet? _services;

    private RedisServer Redis => _queues.Redis;

    private Queue Invocations => _queues.Invocations;

    // The python bots' queue, taken from by each test's own runner.
    private Queue Bots => _queues.Bots;

    public async Task InitializeAsync()
    {
        await _queues.StartAsync();
        _cutter = new RedisConnectionCutter(Redis);
        _services = new ServiceSet(Redis);
        await _services.StartAsync("Orchestrator", ("ConnectionStrings__redis", _cutter.ConnectionString));
    }

    [Fact]
    public async Task An_orchestration_following_a_bot_waits_out_a_redis_restart_instead_of_failing()
    {
        var invocationId = InvocationIds.New();
        // The bot: a runner of this test that takes its job and completes it once Redis is back.
        var redisBack = new TaskCompletionSource();
        await using var runner = new Worker(Bots.Name, Redis.Connection, async (_, _) =>
        {
            await redisBack.Task;
            await Task.Delay(TimeSpan.FromSeconds(1));
            return new BotRunResult { Result = new JsonObject { ["answer"] = 42 }, DurationMs = 1 };
        });
        await _queues.AddInvocationAsync(invocationId);
        await FlowSystem.EventuallyAsync(async () => await Bots.GetJobStateAsync(invocationId) == JobState.Active, "the bot never started");
        await Task.Delay(TimeSpan.FromSeconds(1));

        // Its clients find Redis gone for several seconds: long enough for the calls of a follow to fail, shorter
        // than the permit's lease and the orchestration's lock (10 s each by default).
        await Redis.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await Redis.StartAsync();
        redisBack.SetResult();
        await FlowSystem.EventuallyAsync(() => Task.FromResult(Redis.Connection.IsConnected), "the test's connection never came back");
        await FlowSystem.EventuallyAsync(async () => await _queues.StatusOfAsync(invocationId)
            == InvocationStatus.Completed, "the invocation never completed", TimeSpan.FromSeconds(60));

        var orchestrator = _services!.ProcessOf("Orchestrator");
        Assert.False(orchestrator.HasExited, orchestrator.Output);
        var orchestration = (await Invocations.GetJobAsync(invocationId))!;
        Assert.True(orchestration.AttemptsStarted == 1, $"the orchestration ran {orchestration.AttemptsStarted} times\n{orchestrator.Output}");
        Assert.Contains("waits for Redis", orchestrator.Output);
    }

    [Fact]
    public async Task An_orchestrator_keeps_running_through_a_redis_that_stops_answering_for_a_while()
    {
        // Longer than the client waits for an answer and than the semaphore gauges' refresh, so a refresh times out.
        await Redis.FreezeAsync(TimeSpan.FromSeconds(8));
        await FlowSystem.EventuallyAsync(() => Task.FromResult(Redis.Connection.IsConnected), "the test's connection never came back");
        await Task.Delay(TimeSpan.FromSeconds(3));

        var orchestrator = _services!.ProcessOf("Orchestrator");
        Assert.False(orchestrator.HasExited, orchestrator.Output);
        Assert.Contains("Semaphore counts of", orchestrator.Output);
    }

    [Fact]
    public async Task A_permit_taken_as_redis_drops_the_connection_is_handed_back_and_the_invocation_completes()
    {
        var invocationId = InvocationIds.New();
        // The orchestrator has its permit and is about to note which it is in the record.
        _cutter!.CutOnceWhenSent($"{InvocationRecord.Key(invocationId)}\r\n${InvocationRecord.LeaseToken.Length}\r\n{InvocationRecord.LeaseToken}\r\n");
        await using var runner = new Worker(Bots.Name, Redis.Connection, (_, _) => Task.FromResult<object?>(new BotRunResult { Result = new JsonObject(), DurationMs = 1 }));

        await _queues.AddInvocationAsync(invocationId);
        await FlowSystem.EventuallyAsync(async () => await _queues.StatusOfAsync(invocationId)
            == InvocationStatus.Completed, "the invocation never completed", TimeSpan.FromSeconds(30));

        Assert.Equal(1, _cutter.Cuts);
        var semaphore = new RedisSemaphore(Redis.Connection, BotTypes.Python, FlowSystem.MaxPythonBots);
        await FlowSystem.EventuallyAsync(async () => (await semaphore.GetCountsAsync()).Holders == 0,
            "a permit is still held after the invocation completed", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_orchestration_that_fails_for_good_while_its_bot_runs_tells_the_runners_to_stop_the_bot()
    {
        var invocationId = InvocationIds.New();
        var botStarted = new TaskCompletionSource();
        await using var runner = new Worker(Bots.Name, Redis.Connection, async (_, ct) =>
        {
            botStarted.TrySetResult();
            await Task.Delay(TimeSpan.FromMinutes(1), ct);
            return new BotRunResult { Result = new JsonObject(), DurationMs = 1 };
        });
        await _queues.AddInvocationAsync(invocationId, attempts: 1);
        await botStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Its permit is taken from it, as when its lease ran out: following the bot fails, in the orchestration's last attempt.
        var database = Redis.Connection.GetDatabase();
        var leaseToken = (string)(await database.HashGetAsync(InvocationRecord.Key(invocationId), InvocationRecord.LeaseToken))!;
        await (await new RedisSemaphore(Redis.Connection, BotTypes.Python, FlowSystem.MaxPythonBots).ReattachAsync(leaseToken))!.ReleaseAsync();
        await FlowSystem.EventuallyAsync(async () => await database.HashGetAsync(InvocationRecord.Key(invocationId), InvocationRecord.Status)
            == InvocationStatus.Failed, "the invocation never ended failed", TimeSpan.FromSeconds(30));
        await runner.CloseAsync(TimeSpan.Zero);

        // Told once its end is recorded.
        await FlowSystem.EventuallyAsync(() => database.KeyExistsAsync(CancellationSignal.Key(invocationId)),
            "the bot, running on without a permit, was not told to stop", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_webhook_of_a_finished_bot_whose_queuing_meets_a_dropped_connection_is_queued_in_the_orchestrations_last_attempt()
    {
        var invocationId = InvocationIds.New();
        // The add of its delivery to the webhooks queue, after its outcome was recorded.
        _cutter!.CutOnceWhenSent($"bull:{QueueNames.Webhooks}:\r\n${invocationId.Length}\r\n{invocationId}\r\n");
        await using var webhooks = new Queue(QueueNames.Webhooks, Redis.Connection);
        await using var runner = new Worker(Bots.Name, Redis.Connection, (_, _) => Task.FromResult<object?>(new BotRunResult { Result = new JsonObject(), DurationMs = 1 }));

        await _queues.AddInvocationAsync(invocationId, attempts: 1);

        await FlowSystem.EventuallyAsync(async () => await webhooks.GetJobStateAsync(WebhookDeliveryJobData.JobIdFor(invocationId)) != JobState.Unknown,
            "its webhook was never queued", TimeSpan.FromSeconds(30));
        Assert.Equal(1, _cutter.Cuts);
        Assert.Equal(InvocationStatus.Completed, await _queues.StatusOfAsync(invocationId));
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        if (_cutter is not null)
        {
            await _cutter.DisposeAsync();
        }
        await _queues.DisposeAsync();
    }
}
