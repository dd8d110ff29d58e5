using System.Collections.Concurrent;
using System.Diagnostics;
using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

[Collection(RedisCollection.Name)]
public sealed class LockRenewalTests(RedisServer redis) : EngineTest(redis)
{
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task A_worker_cut_off_redis_stops_its_job_before_another_worker_can_take_it_over()
    {
        await using var cutter = new RedisConnectionCutter(Redis);
        await using var cutOff = await ConnectionMultiplexer.ConnectAsync($"{cutter.ConnectionString},abortConnect=false");
        var queue = NewQueue();
        var id = await queue.AddAsync("long", null);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStoppedAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var first = new Worker(QueueName, cutOff, async (_, ct) =>
        {
            firstStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                firstStoppedAt.TrySetResult(Stopwatch.GetTimestamp());
            }
            return null;
        }, Options());
        var lockLost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.LockLost += job => lockLost.TrySetResult(job.Id);
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var partition = cutter.PartitionAsync(2.5 * LockDuration);
        var secondStartedAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        NewWorker((_, _) =>
        {
            secondStartedAt.TrySetResult(Stopwatch.GetTimestamp());
            return Task.FromResult<object?>(null);
        }, Options());

        // The stalled-job sweep hands the job over once the first worker's lock has run out, within the partition.
        var takenOverAt = await secondStartedAt.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(firstStoppedAt.Task.IsCompleted, "the first worker's run went on while the second ran the job");
        Assert.True(await firstStoppedAt.Task < takenOverAt);
        Assert.Equal(id, await lockLost.Task);
        await partition;
        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Completed);
        Assert.Equal(2, (await queue.GetJobAsync(id))!.AttemptsStarted);
    }

    [Fact]
    public async Task A_worker_told_not_to_cancel_runs_its_job_on_while_cut_off_redis_past_the_lock()
    {
        await using var cutter = new RedisConnectionCutter(Redis);
        await using var cutOff = await ConnectionMultiplexer.ConnectAsync($"{cutter.ConnectionString},abortConnect=false");
        var queue = NewQueue();
        await queue.AddAsync("long", null);
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = new Worker(QueueName, cutOff, async (_, ct) =>
        {
            started.TrySetResult(ct);
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        }, Options() with { CancelBeforeLockRunsOut = false });
        var processing = await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Past the whole lock, but over before the worker reaches Redis again and learns the lock is gone.
        var partition = cutter.PartitionAsync(2 * LockDuration);
        await Task.Delay(1.5 * LockDuration);

        Assert.False(processing.IsCancellationRequested);
        await partition;
    }

    [Fact]
    public async Task Jobs_taken_by_an_outcome_written_after_a_long_outage_run_under_the_locks_that_write_set()
    {
        await using var cutter = new RedisConnectionCutter(Redis);
        // Calls fail soon, so writing the outcome is tried again and again through the outage.
        await using var cutOff = await ConnectionMultiplexer.ConnectAsync($"{cutter.ConnectionString},abortConnect=false,asyncTimeout=500");
        var queue = NewQueue();
        await queue.AddAsync("first", null);
        var firstGate = new TaskCompletionSource();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRan = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lockLost = new ConcurrentQueue<string>();
        var lockDuration = TimeSpan.FromSeconds(2);
        await using var worker = new Worker(QueueName, cutOff, async (job, ct) =>
        {
            if (job.Job.Name == "first")
            {
                firstStarted.TrySetResult();
                await firstGate.Task;
                return null;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                secondRan.TrySetResult(true);
            }
            catch (OperationCanceledException)
            {
                secondRan.TrySetResult(false);
                throw;
            }
            return null;
        }, Options() with { LockDuration = lockDuration, StalledInterval = TimeSpan.FromSeconds(30) });
        worker.LockLost += job => lockLost.Enqueue(job.Name);
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var second = await queue.AddAsync("second", null);

        // Past most of a lock: the write that completes the first job and takes the second succeeds after the outage.
        var partition = cutter.PartitionAsync(1.5 * lockDuration);
        firstGate.SetResult();
        await partition;

        Assert.True(await secondRan.Task.WaitAsync(TimeSpan.FromSeconds(30)), "the second job was cancelled as if its fresh lock were about to run out");
        Assert.DoesNotContain("second", lockLost);
        await Eventually(async () => await queue.GetJobStateAsync(second) == JobState.Completed);
    }

    private WorkerOptions Options() => new()
    {
        Prefix = Prefix,
        LockDuration = LockDuration,
        StalledInterval = TimeSpan.FromMilliseconds(250),
    };
}
