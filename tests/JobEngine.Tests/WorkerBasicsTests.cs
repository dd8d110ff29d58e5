using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace BotSystem.JobEngine.Tests;

/// <summary>Runs on one redis-server and on a three-master cluster.</summary>
public abstract class WorkerBasicsTests(EngineTarget target) : EngineTest(target)
{
    [Collection(RedisCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : WorkerBasicsTests(EngineTarget.Server(redis));

    [Collection(RedisClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : WorkerBasicsTests(EngineTarget.Cluster(cluster));

    private sealed record Payload(string Text, int Number);

    [Fact]
    public async Task Added_job_is_processed_and_completed_with_its_return_value()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        var id = await queue.AddAsync("greet", new Payload("hello", 7));
        var seen = new TaskCompletionSource<Payload?>();
        NewWorker((job, _) =>
        {
            seen.TrySetResult(job.Job.GetData<Payload>());
            return Task.FromResult<object?>(new { echoed = job.Job.Name });
        });

        var finished = await events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal(new Payload("hello", 7), await seen.Task);
        Assert.Equal("greet", finished.ReturnValue!.Value.GetProperty("echoed").GetString());
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(id));
        Assert.Equal(1, finished.AttemptsMade);
        Assert.Equal(1, finished.AttemptsStarted);
        Assert.NotNull(finished.FinishedOn);
        Assert.Equal("null", (string?)await Db.HashGetAsync(K(id), "progress") ?? "null");
        Assert.Equal(0, await Db.ListLengthAsync(K("active")));
        Assert.False(await Db.KeyExistsAsync(K(id + ":lock")));
    }

    [Fact]
    public async Task Worker_runs_up_to_concurrency_jobs_at_once()
    {
        var queue = NewQueue();
        var current = 0;
        var peak = 0;
        var done = 0;
        NewWorker(async (_, ct) =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref peak, now);
            await Task.Delay(200, ct);
            Interlocked.Decrement(ref current);
            Interlocked.Increment(ref done);
            return null;
        }, new WorkerOptions { Concurrency = 4 });

        await queue.AddBulkAsync(Enumerable.Range(0, 12).Select(i => new BulkJob("work", new { i })));

        await Eventually(() => Task.FromResult(Volatile.Read(ref done) == 12));
        Assert.Equal(4, peak);
    }

    [Fact]
    public async Task Events_stream_reports_the_life_of_a_job_in_order()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        var received = new ConcurrentQueue<QueueEvent>();
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ready = new TaskCompletionSource();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in events.ReadAllAsync("0", reading.Token))
            {
                received.Enqueue(e);
                if (e.Name == "completed")
                {
                    break;
                }
            }
        });
        var id = await queue.AddAsync("evented", new { a = 1 });
        NewWorker(async (job, _) =>
        {
            await job.UpdateProgressAsync(50);
            return 42;
        });

        await reader;

        var names = received.Where(e => e.JobId == id).Select(e => e.Name).ToList();
        Assert.Equal(["added", "waiting", "active", "progress", "completed"], names);
        var completed = received.Single(e => e.Name == "completed");
        Assert.Equal("42", completed.Fields["returnvalue"]);
        Assert.Equal("active", completed.Fields["prev"]);
        Assert.Equal("50", received.Single(e => e.Name == "progress").Fields["data"]);
    }

    [Fact]
    public async Task Idle_worker_blocks_on_the_marker_and_wakes_for_a_new_job()
    {
        var queue = NewQueue();
        var processed = new TaskCompletionSource<DateTime>();
        NewWorker((_, _) =>
        {
            processed.TrySetResult(DateTime.UtcNow);
            return Task.FromResult<object?>(null);
        }, new WorkerOptions { DrainDelay = TimeSpan.FromSeconds(10), Name = "idler" });
        var expectedName = $"{Prefix}:{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(QueueName))}:w:idler";
        await Eventually(async () =>
        {
            // On a cluster the block happens on the node that owns the marker's slot.
            var lists = await Task.WhenAll(Connection.GetServers().Select(server => server.ExecuteAsync("CLIENT", "LIST")));
            return lists.SelectMany(list => ((string)list!).Split('\n')).Any(c => c.Contains($"name={expectedName} ") && c.Contains("cmd=bzpopmin"));
        }, because: "the worker's named connection blocks in BZPOPMIN");

        var added = DateTime.UtcNow;
        await queue.AddAsync("wake", null);

        var at = await processed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(at - added < TimeSpan.FromSeconds(3), $"woke after {at - added}");
    }

    [Fact]
    public async Task Scripts_are_loaded_again_after_the_server_forgets_them()
    {
        var queue = NewQueue();
        await queue.AddAsync("before", null);
        foreach (var server in Connection.GetServers())
        {
            await server.ScriptFlushAsync();
        }

        var id = await queue.AddAsync("after", null);

        Assert.Equal("2", id);
        Assert.Equal(2, (await queue.GetJobCountsAsync())[JobState.Waiting]);
    }

    [Fact]
    public async Task Waiting_for_a_job_removed_on_completion_still_yields_its_return_value()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        NewWorker(async (_, _) =>
        {
            await Task.Delay(200);
            return new[] { 1, 2, 3 };
        });
        var id = await queue.AddAsync("ephemeral", null, new JobOptions { RemoveOnComplete = KeepJobs.None });

        var job = await events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal(id, job.Id);
        Assert.Equal(3, job.ReturnValue!.Value.GetArrayLength());
        Assert.Null(await queue.GetJobAsync(id));
    }

    [Fact]
    public async Task Waiting_for_a_job_that_does_not_exist_fails_at_once()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        var removed = await queue.AddAsync("gone", null);
        Assert.True(await queue.RemoveJobAsync(removed));
        var waiting = Stopwatch.StartNew();

        var never = await Assert.ThrowsAsync<JobEngineException>(() => events.WaitUntilFinishedAsync("never-added", TimeSpan.FromSeconds(15)));
        var gone = await Assert.ThrowsAsync<JobEngineException>(() => events.WaitUntilFinishedAsync(removed, TimeSpan.FromSeconds(15)));

        Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(10), $"took {waiting.Elapsed}");
        Assert.Contains("'never-added' does not exist", never.Message);
        Assert.Contains($"'{removed}' does not exist", gone.Message);
    }

    [Fact]
    public async Task A_wait_that_is_over_leaves_nothing_of_its_job_behind()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        NewWorker((_, _) => Task.FromResult<object?>(null));
        var id = await queue.AddAsync("once", null);

        var waitedFor = await WaitOnAnIdOfItsOwnAsync(events, id);

        // Collected once the finished wait has unwound, unless something still refers to it.
        await Eventually(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return Task.FromResult(!waitedFor.IsAlive);
        }, TimeSpan.FromSeconds(5), "the QueueEvents still holds the id of a job no one waits for");
    }

    // The id is a copy that only this wait is given, so once the wait is over only an entry left behind can hold it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> WaitOnAnIdOfItsOwnAsync(QueueEvents events, string id)
    {
        var copy = new string(id.AsSpan());
        await events.WaitUntilFinishedAsync(copy, TimeSpan.FromSeconds(20));
        return new WeakReference(copy);
    }

    [Fact]
    public async Task Events_stream_reports_delays_failures_removals_and_pauses()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new ConcurrentQueue<QueueEvent>();
        var reader = Task.Run(async () =>
        {
            await foreach (var e in events.ReadAllAsync("0", cts.Token))
            {
                received.Enqueue(e);
                if (e.Name == "resumed")
                {
                    break;
                }
            }
        });
        var delayed = await queue.AddAsync("later", null, new JobOptions { Delay = TimeSpan.FromHours(1) });
        var doomed = await queue.AddAsync("doomed", null);
        NewWorker((_, _) => throw new InvalidOperationException("boom"));
        await Eventually(async () => await queue.GetJobStateAsync(doomed) == JobState.Failed);
        await queue.RemoveJobAsync(delayed);
        await queue.PauseAsync();
        await queue.ResumeAsync();
        await reader;

        var byName = received.ToLookup(e => e.Name);
        var delayedEvent = byName["delayed"].Single();
        Assert.Equal(delayed, delayedEvent.JobId);
        var dueAt = long.Parse(delayedEvent.Fields["delay"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(dueAt - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 3_500_000, 3_600_000);
        var failed = byName["failed"].Single();
        Assert.Equal(doomed, failed.JobId);
        Assert.Equal("boom", failed.Fields["failedReason"]);
        Assert.Equal("1", byName["retries-exhausted"].Single().Fields["attemptsMade"]);
        var removed = byName["removed"].Single();
        Assert.Equal(delayed, removed.JobId);
        Assert.Equal("delayed", removed.Fields["prev"]);
        Assert.Single(byName["paused"]);
    }

    [Fact]
    public async Task Losing_the_lock_cancels_the_processor_and_leaves_the_job_to_its_new_owner()
    {
        var queue = NewQueue();
        var cancelled = new TaskCompletionSource();
        var started = new TaskCompletionSource<string>();
        NewWorker(async (job, ct) =>
        {
            started.TrySetResult(job.Job.Id);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
            return null;
        }, new WorkerOptions { LockDuration = TimeSpan.FromMilliseconds(600), StalledInterval = TimeSpan.FromMinutes(1) });
        var id = await queue.AddAsync("contested", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await Db.StringSetAsync(K(id + ":lock"), "another-owner");

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        Assert.Equal(JobState.Active, await queue.GetJobStateAsync(id));
        Assert.Equal("another-owner", (string?)await Db.StringGetAsync(K(id + ":lock")));
        Assert.Equal(0, (await queue.GetJobAsync(id))!.AttemptsMade);
    }
}
