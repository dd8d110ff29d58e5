using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

/// <summary>
/// An orchestrator stopped the way a deploy stops it (SIGTERM) while the bots of its invocations run, and another
/// taking its invocations over. The bots are run by the test's own runner, which counts how many run at once.
/// </summary>
public sealed class OrchestratorShutdownTests : IAsyncLifetime
{
    private const string Stopping = "Orchestrator-stopping";
    private const string TakingOver = "Orchestrator-taking-over";

    private readonly OrchestrationQueues _queues = new();

    private ServiceSet Services => _queues.Services;

    public async Task InitializeAsync()
    {
        await _queues.StartAsync();
    }

    [Fact]
    public async Task An_orchestrator_stopped_while_its_bot_runs_leaves_the_permit_to_the_one_taking_over_and_no_other_bot_of_the_type_starts_meanwhile()
    {
        // One python bot at a time; the orchestrator to be stopped takes one invocation at a time, so the second
        // invocation waits for the permit in the other orchestrator.
        await Services.StartInstanceAsync(Stopping, "Orchestrator", ("MAX_PYTHON_BOTS", "1"), ("Orchestrator__Concurrency", "1"));
        var (first, second) = (InvocationIds.New(), InvocationIds.New());
        var (running, mostAtOnce) = (0, 0);
        await using var runner = new Worker(_queues.Bots.Name, _queues.Redis.Connection, async (job, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            try
            {
                // The first bot outlasts the stopping orchestrator's wait for its invocations to end (10 s).
                await Task.Delay(job.Job.Id == first ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(1), ct);
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
            return new BotRunResult { Result = new JsonObject { ["ok"] = true }, DurationMs = 1 };
        }, new WorkerOptions { Concurrency = 2 });

        await _queues.AddInvocationAsync(first);
        await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(first) == JobState.Active, "the first bot never started");
        await Services.StartInstanceAsync(TakingOver, "Orchestrator", ("MAX_PYTHON_BOTS", "1"));
        await _queues.AddInvocationAsync(second);
        await FlowSystem.EventuallyAsync(async () => await _queues.StatusOfAsync(second) == InvocationStatus.WaitingForSlot, "the second invocation never waited for the permit");

        var stopping = Services.ProcessOf(Stopping);
        stopping.Signal(Signals.SIGTERM);
        Assert.True(await stopping.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the orchestrator did not stop");

        foreach (var invocation in (string[])[first, second])
        {
            await FlowSystem.EventuallyAsync(async () => await _queues.StatusOfAsync(invocation) == InvocationStatus.Completed,
                $"invocation {invocation} never completed\n{Services.ProcessOf(TakingOver).Output}", TimeSpan.FromSeconds(60));
        }
        Assert.True(mostAtOnce == 1, $"{mostAtOnce} python bots ran at once under a limit of 1\n{stopping.Output}");
        Assert.Equal(1, (await _queues.Bots.GetJobAsync(first))!.AttemptsStarted);
    }

    [Theory]
    [InlineData(InvocationStatus.Completed)]
    [InlineData(InvocationStatus.Cancelled)]
    public async Task The_permit_of_a_run_that_recorded_its_end_but_stopped_before_handing_the_permit_back_returns_when_the_invocation_is_taken_up_again(string status)
    {
        await Services.StartInstanceAsync("Orchestrator", "Orchestrator", ("MAX_PYTHON_BOTS", "1"));
        var semaphore = new RedisSemaphore(_queues.Redis.Connection, BotTypes.Python, 1);
        // What an orchestrator stopped between recording the end and handing the permit back leaves: the permit, kept for
        // the lease time (10 s) for a run taking over, and the run's job, handed back.
        var left = await semaphore.AcquireAsync();
        await left.DetachAsync();
        var invocationId = InvocationIds.New();
        await _queues.AddInvocationAsync(invocationId, recorded: [
            new(InvocationRecord.Status, status),
            new(InvocationRecord.Result, "{\"ok\":true}"),
            new(InvocationRecord.Attempts, 1),
            new(InvocationRecord.LeaseToken, left.Token),
        ]);

        await FlowSystem.EventuallyAsync(async () => await _queues.Invocations.GetJobStateAsync(invocationId) == JobState.Completed,
            "the invocation's job never completed", TimeSpan.FromSeconds(30));
        Assert.Equal(0, (await semaphore.GetCountsAsync()).Holders);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    public async Task DisposeAsync() => await _queues.DisposeAsync();
}
