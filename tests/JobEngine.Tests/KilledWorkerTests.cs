namespace BotSystem.JobEngine.Tests;

/// <summary>Workers in child processes killed with SIGKILL mid-job: their jobs stall and come back.</summary>
[Collection(RedisCollection.Name)]
public sealed class KilledWorkerTests(RedisServer redis) : EngineTest(redis)
{
    private static readonly string WorkerAssembly =
        Path.Combine(RepositoryPaths.Root, "tests", "JobEngineWorker", "bin", RepositoryPaths.Configuration, "net10.0", "JobEngineWorker.dll");

    [Fact]
    public async Task Stalled_job_of_a_killed_worker_returns_to_wait()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("orphan", null);
        await KillWhileProcessingAsync(id);
        Assert.Equal(JobState.Active, await queue.GetJobStateAsync(id));

        var events = NewQueueEvents();
        var rerun = new TaskCompletionSource<string>();
        NewWorker((job, _) =>
        {
            rerun.TrySetResult(job.Job.Id);
            return Task.FromResult<object?>("recovered");
        }, new WorkerOptions { StalledInterval = TimeSpan.FromMilliseconds(500) });

        Assert.Equal(id, await rerun.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        var job = await events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20));
        Assert.Equal(1, job.StalledCount);
        Assert.Equal("recovered", job.ReturnValue!.Value.GetString());
    }

    [Fact]
    public async Task Job_whose_workers_keep_dying_fails_after_max_stalled_count()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("cursed", null);
        await KillWhileProcessingAsync(id);
        // The second worker's own stalled sweep brings the job back (stalled once), then it dies with it too.
        await KillWhileProcessingAsync(id);
        Assert.Equal(1, (await queue.GetJobAsync(id))!.StalledCount);

        var ran = false;
        NewWorker((_, _) =>
        {
            ran = true;
            return Task.FromResult<object?>(null);
        }, new WorkerOptions { StalledInterval = TimeSpan.FromMilliseconds(300), MaxStalledCount = 1 });

        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Failed, TimeSpan.FromSeconds(30));
        var job = await queue.GetJobAsync(id);
        Assert.False(ran);
        Assert.Equal(2, job!.StalledCount);
        Assert.Equal("job stalled more than allowable limit", job.FailedReason);
    }

    private async Task KillWhileProcessingAsync(string jobId)
    {
        await using var child = ServiceProcess.Start("dotnet",
            [WorkerAssembly, Redis.ConnectionString, QueueName, "1000", "300"],
            new Dictionary<string, string?>());
        await Eventually(() => Task.FromResult(child.Output.Contains($"started {jobId}") || child.HasExited), TimeSpan.FromSeconds(30),
            "the child worker takes the job");
        Assert.False(child.HasExited, child.Output);
        Signals.Send(child.Pid, Signals.SIGKILL);
        await Eventually(() => Task.FromResult(!Signals.IsAlive(child.Pid)), TimeSpan.FromSeconds(10), "the child is dead");
    }
}
