namespace BotSystem.JobEngine.Tests;

/// <summary>Runs on one redis-server and on a three-master cluster.</summary>
public abstract class StalledJobTests(EngineTarget target) : EngineTest(target)
{
    [Collection(RedisCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : StalledJobTests(EngineTarget.Server(redis));

    [Collection(RedisClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : StalledJobTests(EngineTarget.Cluster(cluster));

    /// <summary>Activates the next job the way a worker does, then never renews the lock: a worker that died.</summary>
    private async Task<string> ActivateAndAbandonAsync()
    {
        var scripts = new RedisScripts(Connection, new QueueKeys(Prefix, QueueName));
        var reply = (StackExchange.Redis.RedisResult[])(await scripts.MoveJobsToActiveAsync(["dead-worker:1"], 300, Queue.Now(), null, "dead"))!;
        // The reply's first part lists each activated job's hash fields, then its id.
        return (string)((StackExchange.Redis.RedisResult[])reply[0]!)[1]!;
    }

    [Fact]
    public async Task Stalled_job_of_a_dead_worker_returns_to_wait_and_is_processed_again()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("orphan", null);
        Assert.Equal(id, await ActivateAndAbandonAsync());
        Assert.Equal(JobState.Active, await queue.GetJobStateAsync(id));

        var events = NewQueueEvents();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stalledEvent = Task.Run(async () =>
        {
            await foreach (var e in events.ReadAllAsync("0", cts.Token))
            {
                if (e.Name == "stalled")
                {
                    return e.JobId;
                }
            }
            return null;
        });
        var processedBy = new TaskCompletionSource<string>();
        NewWorker((job, _) =>
        {
            processedBy.TrySetResult(job.Job.Id);
            return Task.FromResult<object?>(null);
        }, new WorkerOptions { StalledInterval = TimeSpan.FromMilliseconds(400) });

        Assert.Equal(id, await processedBy.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(id, await stalledEvent);
        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Completed);
        var job = await queue.GetJobAsync(id);
        Assert.Equal(1, job!.StalledCount);
        Assert.Equal(2, job.AttemptsStarted);
    }

    [Fact]
    public async Task Job_that_stalls_more_than_max_stalled_count_fails_without_running()
    {
        var queue = NewQueue();
        var scripts = new RedisScripts(Connection, new QueueKeys(Prefix, QueueName));
        var id = await queue.AddAsync("cursed", null);
        for (var stall = 0; stall < 2; stall++)
        {
            Assert.Equal(id, await ActivateAndAbandonAsync());
            await Task.Delay(400);
            // Two sweeps: the first records the suspects, the second moves those still unlocked.
            await Db.KeyDeleteAsync(K("stalled-check"));
            await scripts.MoveStalledJobsToWaitAsync(1, Queue.Now(), 100);
            await Db.KeyDeleteAsync(K("stalled-check"));
            var moved = (StackExchange.Redis.RedisResult[])(await scripts.MoveStalledJobsToWaitAsync(1, Queue.Now(), 100))!;
            Assert.Equal([id], moved.Select(r => (string)r!));
        }
        Assert.Equal("job stalled more than allowable limit", (string?)await Db.HashGetAsync(K(id), "defa"));

        var ran = false;
        NewWorker((_, _) =>
        {
            ran = true;
            return Task.FromResult<object?>(null);
        });
        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Failed);
        var job = await queue.GetJobAsync(id);
        Assert.False(ran);
        Assert.Equal("job stalled more than allowable limit", job!.FailedReason);
        Assert.Null(job.DeferredFailure);
    }

    [Fact]
    public async Task Live_worker_keeps_its_lock_so_a_long_job_never_stalls()
    {
        var queue = NewQueue();
        var starts = 0;
        // The job outlives its lock; the lock, in turn, outlives a renewal held up for a second or so by a machine busy
        // starting other test processes.
        NewWorker(async (_, ct) =>
        {
            Interlocked.Increment(ref starts);
            await Task.Delay(6000, ct);
            return "done";
        }, new WorkerOptions { LockDuration = TimeSpan.FromSeconds(4), StalledInterval = TimeSpan.FromMilliseconds(200) });
        var id = await queue.AddAsync("long", null);

        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Completed);
        Assert.Equal(1, Volatile.Read(ref starts));
        Assert.Equal(0, (await queue.GetJobAsync(id))!.StalledCount);
    }
}
