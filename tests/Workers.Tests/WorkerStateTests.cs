using BotSystem.Workers.Lifecycle;
using Microsoft.Extensions.Logging.Abstractions;

namespace Workers.Tests;

public sealed class WorkerStateTests
{
    [Fact]
    public async Task A_worker_is_processing_while_any_bot_runs_even_as_another_ends_at_the_same_moment()
    {
        var lifecycle = new WorkerLifecycle(NullLogger<WorkerLifecycle>.Instance);
        lifecycle.TransitionTo(WorkerState.READY, "registered");

        // Two runner slots, each starting and ending bots back to back: one's end meets the other's start.
        var seenWhileRunning = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var seen = new HashSet<WorkerState>();
            for (var run = 0; run < 1_000_000; run++)
            {
                lifecycle.JobStarted();
                // The bot runs a moment, as the other slot's ends and starts go on.
                Thread.SpinWait(20);
                seen.Add(lifecycle.State);
                lifecycle.JobEnded();
            }
            return seen;
        })));

        Assert.Equal([WorkerState.PROCESSING], seenWhileRunning.SelectMany(seen => seen).Distinct());
        Assert.Equal(WorkerState.READY, lifecycle.State);
    }
}
