using System.Collections.Concurrent;
using System.Text.Json;

namespace BotSystem.JobEngine.Tests;

/// <summary>Jobs added on one side are processed, retried, recovered and governed on the other. Runs on one redis-server and on a three-master cluster.</summary>
public abstract class InteropProcessingTests(EngineTarget target) : InteropTest(target)
{
    [Collection(InteropCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : InteropProcessingTests(EngineTarget.Server(redis));

    [Collection(InteropCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : InteropProcessingTests(EngineTarget.Cluster(cluster));

    [Fact]
    public async Task Job_added_by_bullmq_is_processed_by_our_worker_with_name_data_priority_and_attempts_honoured()
    {
        var added = await NodeAsync("add.js", "from-node", """{"answer":42}""", """{"priority":3,"attempts":2,"backoff":{"type":"fixed","delay":10}}""");
        var id = added.Single()["id"]!.GetValue<string>();
        var attempts = 0;
        var seen = new TaskCompletionSource<Job>();
        NewWorker((job, _) =>
        {
            if (++attempts == 1)
            {
                throw new InvalidOperationException("first attempt fails");
            }
            seen.TrySetResult(job.Job);
            return Task.FromResult<object?>(new { ok = true });
        });

        var job = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(id, job.Id);
        Assert.Equal("from-node", job.Name);
        Assert.Equal(42, job.Data.GetProperty("answer").GetInt32());
        Assert.Equal(3, job.Priority);
        Assert.Equal(2, job.Options.Attempts);
        Assert.Equal(2, attempts);
        await Eventually(async () => await NewQueue().GetJobStateAsync(id) == JobState.Completed);
    }

    [Fact]
    public async Task Jobs_added_by_our_queue_are_processed_by_a_bullmq_worker()
    {
        var queue = NewQueue();
        // Written as it is, not escaped: BullMQ reads it back the same.
        var plain = await queue.AddAsync("plain", new { n = 1, text = "ж <b>&'+ 😀" });
        var prioritized = await queue.AddAsync("prioritized", new { n = 2 }, new JobOptions { Priority = 5 });
        var delayed = await queue.AddAsync("delayed", new { n = 3 }, new JobOptions { Delay = TimeSpan.FromMilliseconds(300) });

        var completed = (await NodeAsync("work.js", "3")).ToDictionary(job => job["id"]!.GetValue<string>());

        Assert.Equal(1, completed[plain]["data"]!["n"]!.GetValue<int>());
        Assert.Equal("ж <b>&'+ 😀", completed[plain]["data"]!["text"]!.GetValue<string>());
        Assert.Equal(5, completed[prioritized]["priority"]!.GetValue<int>());
        Assert.Equal("delayed", completed[delayed]["name"]!.GetValue<string>());
        var finished = await queue.GetJobAsync(prioritized);
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(prioritized));
        Assert.Equal("bullmq", finished!.ReturnValue!.Value.GetProperty("by").GetString());
        Assert.Equal(JsonValueKind.Object, finished.ReturnValue.Value.GetProperty("echoed").ValueKind);
    }

    [Fact]
    public async Task Job_that_failed_an_attempt_on_our_worker_is_retried_and_completed_by_a_bullmq_worker()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("flaky", new { n = 1 },
            new JobOptions { Attempts = 2, Backoff = new BackoffOptions(BackoffType.Fixed, TimeSpan.FromSeconds(2)) });
        var failedOnce = new TaskCompletionSource<bool>();
        var ours = NewWorker((_, _) => throw new InvalidOperationException("failed on ours"));
        ours.Failed += (_, _, willRetry) => failedOnce.TrySetResult(willRetry);
        Assert.True(await failedOnce.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await ours.CloseAsync();
        Assert.Equal(JobState.Delayed, await queue.GetJobStateAsync(id));

        var completed = (await NodeAsync("work.js", "1")).Single();

        Assert.Equal(id, completed["id"]!.GetValue<string>());
        Assert.Equal(2, completed["attemptsMade"]!.GetValue<int>());
        var seen = completed["result"]!["seen"]!;
        Assert.Equal(1, seen["attemptsMade"]!.GetValue<int>());
        Assert.Equal("failed on ours", seen["failedReason"]!.GetValue<string>());
        Assert.Equal(1, seen["stacktrace"]!.GetValue<int>());
        var job = (await queue.GetJobAsync(id))!;
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(id));
        Assert.Equal(2, job.AttemptsMade);
        Assert.Equal(2, job.AttemptsStarted);
        Assert.Equal("bullmq", job.ReturnValue!.Value.GetProperty("by").GetString());
    }

    [Fact]
    public async Task Job_that_failed_an_attempt_on_a_bullmq_worker_is_retried_and_completed_by_ours()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("flaky", new { n = 2 },
            new JobOptions { Attempts = 2, Backoff = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromSeconds(2)) });

        var failed = (await NodeAsync("fail-once.js")).Single();

        Assert.Equal(id, failed["id"]!.GetValue<string>());
        Assert.Equal("delayed", failed["state"]!.GetValue<string>());
        var retry = (await queue.GetJobAsync(id))!;
        Assert.Equal(JobState.Delayed, await queue.GetJobStateAsync(id));
        Assert.Equal(1, retry.AttemptsMade);
        Assert.Equal("failed on bullmq", retry.FailedReason);
        Assert.Contains("failed on bullmq", Assert.Single(retry.StackTrace));
        Assert.Equal(TimeSpan.FromSeconds(2), retry.Delay);

        var seen = new TaskCompletionSource<Job>();
        NewWorker((job, _) =>
        {
            seen.TrySetResult(job.Job);
            return Task.FromResult<object?>("recovered");
        });
        var finished = await NewQueueEvents().WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(30));

        var second = await seen.Task;
        Assert.Equal(1, second.AttemptsMade);
        Assert.Equal("failed on bullmq", second.FailedReason);
        Assert.Equal(2, finished.AttemptsMade);
        Assert.Equal(2, finished.AttemptsStarted);
        Assert.Equal("recovered", finished.ReturnValue!.Value.GetString());
    }

    [Fact]
    public async Task Job_that_failed_for_good_on_our_worker_is_retried_by_bullmq_and_then_completed_by_ours()
    {
        var queue = NewQueue();
        var runs = 0;
        NewWorker((_, _) => Interlocked.Increment(ref runs) == 1
            ? throw new InvalidOperationException("first run fails")
            : Task.FromResult<object?>("second run"));
        var id = await queue.AddAsync("once", new { n = 1 });
        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Failed);

        await NodeAsync("act.js", "retry", id);

        var job = await NewQueueEvents().WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal("second run", job.ReturnValue!.Value.GetString());
        Assert.Equal(2, Volatile.Read(ref runs));
        Assert.Null(job.FailedReason);
    }

    [Fact]
    public async Task Job_that_failed_for_good_on_a_bullmq_worker_is_retried_by_our_queue_and_then_completed_by_bullmq()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("once", new { n = 2 });
        var failed = (await NodeAsync("fail-once.js")).Single();
        Assert.Equal("failed", failed["state"]!.GetValue<string>());
        Assert.Equal(JobState.Failed, await queue.GetJobStateAsync(id));

        await queue.RetryJobAsync(id);

        var completed = (await NodeAsync("work.js", "1")).Single();
        Assert.Equal(id, completed["id"]!.GetValue<string>());
        Assert.Null(completed["result"]!["seen"]!["failedReason"]);
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(id));
    }

    [Fact]
    public async Task Retrying_a_finished_job_keeps_the_fields_bullmq_keeps()
    {
        var queue = NewQueue();
        // Every job fails its first attempt; "completes" then completes, "fails" fails for good.
        var worker = NewWorker((active, _) => active.Job.AttemptsMade == 0 || active.Job.Name == "fails"
            ? throw new InvalidOperationException($"attempt {active.Job.AttemptsMade + 1} failed")
            : Task.FromResult<object?>("done"));
        var twice = new JobOptions { Attempts = 2 };
        string[] completed = [await queue.AddAsync("completes", null, twice), await queue.AddAsync("completes", null, twice)];
        string[] failed = [await queue.AddAsync("fails", null, twice), await queue.AddAsync("fails", null, twice)];
        await Eventually(async () => (await queue.GetJobCountsAsync(default, JobState.Completed, JobState.Failed)).Values.All(count => count == 2));
        await worker.CloseAsync();
        foreach (var id in completed.Concat(failed))
        {
            // As if each had stalled once on its way.
            await Db.HashSetAsync(K(id), "stc", 1);
        }

        await queue.RetryJobAsync(completed[0]);
        await queue.RetryJobAsync(failed[0]);
        await NodeAsync("act.js", "retry", completed[1], "completed");
        await NodeAsync("act.js", "retry", failed[1], "failed");

        Assert.Equal(await FieldsAsync(completed[1]), await FieldsAsync(completed[0]));
        Assert.Equal(await FieldsAsync(failed[1]), await FieldsAsync(failed[0]));
        Assert.Equal("attempt 1 failed", (await queue.GetJobAsync(completed[0]))!.FailedReason);
    }

    private async Task<string[]> FieldsAsync(string jobId) =>
        (await Db.HashKeysAsync(K(jobId))).Select(field => (string)field!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Job_of_a_bullmq_worker_that_died_is_recovered_by_our_stalled_sweep()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("orphan", new { n = 1 });
        Assert.Equal(id, (await NodeAsync("die-holding.js")).Single()["id"]!.GetValue<string>());
        Assert.Equal(JobState.Active, await queue.GetJobStateAsync(id));
        var processed = new TaskCompletionSource<string>();

        NewWorker((job, _) =>
        {
            processed.TrySetResult(job.Job.Id);
            return Task.FromResult<object?>("recovered");
        }, new WorkerOptions { StalledInterval = TimeSpan.FromMilliseconds(300) });

        Assert.Equal(id, await processed.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Completed);
        var job = (await queue.GetJobAsync(id))!;
        Assert.Equal(1, job.StalledCount);
        Assert.Equal(2, job.AttemptsStarted);
    }

    [Fact]
    public async Task Job_of_our_worker_that_died_is_recovered_by_the_stalled_check_of_a_bullmq_worker()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("orphan", new { n = 2 });
        // Activated the way our worker does, then never renewed: a worker that died.
        var scripts = new RedisScripts(Connection, queue.Keys);
        var activated = (StackExchange.Redis.RedisResult[])(await scripts.MoveJobsToActiveAsync(["dead-worker:1"], 300, Queue.Now(), null, "dead"))!;
        Assert.Equal(id, (string)((StackExchange.Redis.RedisResult[])activated[0]!)[1]!);

        var completed = (await NodeAsync("work.js", "1", """{"stalledInterval":300}""")).Single();

        Assert.Equal(id, completed["id"]!.GetValue<string>());
        Assert.Equal(1, completed["stalledCounter"]!.GetValue<int>());
        var job = (await queue.GetJobAsync(id))!;
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(id));
        Assert.Equal(1, job.StalledCount);
        Assert.Equal(2, job.AttemptsStarted);
    }

    [Fact]
    public async Task Delayed_job_of_ours_promoted_by_bullmq_runs_at_once_on_our_worker()
    {
        var queue = NewQueue();
        var processed = new TaskCompletionSource<string>();
        NewWorker((job, _) =>
        {
            processed.TrySetResult(job.Job.Id);
            return Task.FromResult<object?>(null);
        });
        var id = await queue.AddAsync("later", null, new JobOptions { Delay = TimeSpan.FromHours(1) });

        await NodeAsync("act.js", "promote", id);

        Assert.Equal(id, await processed.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(TimeSpan.Zero, (await queue.GetJobAsync(id))!.Delay);
    }

    [Fact]
    public async Task Pause_and_resume_by_bullmq_hold_and_release_our_worker()
    {
        var queue = NewQueue();
        var processed = new TaskCompletionSource<string>();
        await NodeAsync("act.js", "pause");
        Assert.True(await queue.IsPausedAsync());
        NewWorker((job, _) =>
        {
            processed.TrySetResult(job.Job.Id);
            return Task.FromResult<object?>(null);
        });
        var id = await queue.AddAsync("held", null);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(JobState.Waiting, await queue.GetJobStateAsync(id));

        await NodeAsync("act.js", "resume");

        Assert.Equal(id, await processed.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Global_concurrency_set_by_bullmq_caps_our_workers()
    {
        var queue = NewQueue();
        await NodeAsync("act.js", "concurrency", "1");
        var running = 0;
        var mostRunning = 0;
        var done = 0;
        JobProcessor process = async (_, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostRunning, now);
            await Task.Delay(100, ct);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref done);
            return null;
        };
        NewWorker(process, new WorkerOptions { Concurrency = 4 });
        NewWorker(process, new WorkerOptions { Concurrency = 4 });

        await queue.AddBulkAsync(Enumerable.Range(0, 8).Select(i => new BulkJob("capped", new { i })));

        await Eventually(() => Task.FromResult(Volatile.Read(ref done) == 8), TimeSpan.FromSeconds(30));
        Assert.Equal(1, mostRunning);
    }

    [Fact]
    public async Task Global_rate_limit_set_by_bullmq_paces_our_worker()
    {
        var queue = NewQueue();
        await NodeAsync("act.js", "ratelimit", "2", "250");
        var done = 0;
        NewWorker((_, _) =>
        {
            Interlocked.Increment(ref done);
            return Task.FromResult<object?>(null);
        }, new WorkerOptions { Concurrency = 4 });

        await queue.AddBulkAsync(Enumerable.Range(0, 16).Select(i => new BulkJob("paced", new { i })));

        await Eventually(() => Task.FromResult(Volatile.Read(ref done) == 16), TimeSpan.FromSeconds(30));
        var activations = await ActivationTimesAsync();
        Assert.Equal(16, activations.Length);
        AssertAtMostPerWindow(activations, 2, TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Bullmq_counts_our_running_workers_as_bull_board_shows_them()
    {
        var queue = NewQueue();
        var idle = NewWorker((_, _) => Task.FromResult<object?>(null));
        var named = NewWorker((_, _) => Task.FromResult<object?>(null), new WorkerOptions { Name = "runner-1" });
        await Task.WhenAll(idle.StartAsync(), named.StartAsync());

        var workers = (await NodeAsync("act.js", "workers")).Single()["result"]!.AsArray().Select(name => name!.GetValue<string>()).Order();

        Assert.Equal([queue.Keys.ClientName, queue.Keys.ClientName + ":w:runner-1"], workers);
    }

    [Fact]
    public async Task Retention_options_written_by_bullmq_are_honoured_by_our_worker()
    {
        var queue = NewQueue();
        var kept = new List<string>();
        foreach (var n in new[] { 1, 2, 3 })
        {
            kept.Add((await NodeAsync("add.js", "keep-last-two", $$"""{"n":{{n}}}""", """{"removeOnComplete":2}""")).Single()["id"]!.GetValue<string>());
        }
        var dropped = (await NodeAsync("add.js", "drop-on-fail", """{"n":4}""", """{"removeOnFail":true,"attempts":1}""")).Single()["id"]!.GetValue<string>();
        var done = 0;
        NewWorker((job, _) =>
        {
            Interlocked.Increment(ref done);
            return job.Job.Name == "drop-on-fail" ? throw new InvalidOperationException("gone") : Task.FromResult<object?>(null);
        });

        await Eventually(() => Task.FromResult(Volatile.Read(ref done) == 4));
        await Eventually(async () => (await queue.GetJobCountsAsync())[JobState.Active] == 0);

        Assert.Equal([kept[2], kept[1]], (await queue.GetJobsAsync(JobState.Completed)).Select(job => job.Id));
        Assert.Null(await queue.GetJobAsync(kept[0]));
        Assert.Null(await queue.GetJobAsync(dropped));
        Assert.Equal(0, (await queue.GetJobCountsAsync())[JobState.Failed]);
    }

    [Fact]
    public async Task Clean_and_drain_by_bullmq_remove_our_jobs()
    {
        var queue = NewQueue();
        NewWorker((job, _) => job.Job.Name == "fails" ? throw new InvalidOperationException("no") : Task.FromResult<object?>(null));
        var completed = await queue.AddAsync("completes", null);
        var failed = await queue.AddAsync("fails", null);
        await Eventually(async () => await queue.GetJobStateAsync(completed) == JobState.Completed && await queue.GetJobStateAsync(failed) == JobState.Failed);
        await queue.PauseAsync();
        var waiting = await queue.AddAsync("waits", null);
        var delayed = await queue.AddAsync("later", null, new JobOptions { Delay = TimeSpan.FromHours(1) });

        var cleaned = (await NodeAsync("act.js", "clean", "completed")).Single()["result"]!.AsArray().Select(id => id!.GetValue<string>());
        await NodeAsync("act.js", "drain");

        Assert.Equal([completed], cleaned);
        var counts = await queue.GetJobCountsAsync();
        Assert.Equal(0, counts[JobState.Completed] + counts[JobState.Waiting] + counts[JobState.Delayed]);
        Assert.Equal(1, counts[JobState.Failed]);
        foreach (var id in new[] { completed, waiting, delayed })
        {
            Assert.Null(await queue.GetJobAsync(id));
        }
        Assert.Equal(failed, (await queue.GetJobAsync(failed))!.Id);
    }

    [Fact]
    public async Task Deduplication_id_and_custom_job_id_are_honoured_across_both_sides()
    {
        var queue = NewQueue();
        var ours = await queue.AddAsync("dedup", new { n = 1 }, new JobOptions { Deduplication = new DeduplicationOptions("user-5") });
        var theirs = await NodeAsync("add.js", "dedup", """{"n":2}""", """{"deduplication":{"id":"user-5"}}""");
        Assert.Equal(ours, theirs.Single()["id"]!.GetValue<string>());

        var nodeCustom = (await NodeAsync("add.js", "custom", """{"n":3}""", """{"jobId":"order-7"}""")).Single()["id"]!.GetValue<string>();
        Assert.Equal("order-7", nodeCustom);
        Assert.Equal("order-7", await queue.AddAsync("custom", new { n = 4 }, new JobOptions { JobId = "order-7" }));

        Assert.Equal(2, (await queue.GetJobCountsAsync())[JobState.Waiting]);
        Assert.Equal(3, (await queue.GetJobAsync("order-7"))!.Data.GetProperty("n").GetInt32());
        Assert.Equal(1, (await queue.GetJobAsync(ours))!.Data.GetProperty("n").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Job_bullmq_parked_behind_our_active_job_of_its_deduplication_id_runs_once_that_job_has_finished(bool ownerFails)
    {
        const string keepLast = """{"deduplication":{"id":"d","keepLastIfActive":true}}""";
        var owner = (await NodeAsync("add.js", "sync", """{"v":1}""", keepLast)).Single()["id"]!.GetValue<string>();
        var ownerRunning = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var next = new TaskCompletionSource<Job>();
        NewWorker(async (job, _) =>
        {
            if (job.Job.Id != owner)
            {
                next.TrySetResult(job.Job);
                return null;
            }
            ownerRunning.TrySetResult();
            await gate.Task;
            if (ownerFails)
            {
                throw new InvalidOperationException("owner fails for good");
            }
            return null;
        });
        await ownerRunning.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var turnedAway = (await NodeAsync("add.js", "sync", """{"v":2}""", keepLast)).Single()["id"]!.GetValue<string>();
        Assert.Equal(owner, turnedAway);
        Assert.True(await Db.KeyExistsAsync(K("dn:d")), "BullMQ parks the add behind the active owner");
        var ownerFinishing = DateTimeOffset.FromUnixTimeMilliseconds(Queue.Now());
        gate.SetResult();

        var parked = await next.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // The id its add drew from the counter, right after the owner's, as BullMQ gives it.
        Assert.Equal("1", owner);
        Assert.Equal("2", parked.Id);
        Assert.Equal(2, parked.Data.GetProperty("v").GetInt32());
        Assert.Equal("sync", parked.Name);
        Assert.True(parked.Timestamp >= ownerFinishing, "created when its owner finished, as BullMQ creates it");
        Assert.False(await Db.KeyExistsAsync(K("dn:d")));
        // The parked job took over the dedup id, so its own completion releases it.
        await Eventually(async () => !await Db.KeyExistsAsync(K("de:d")));
    }

    [Fact]
    public async Task Add_bullmq_parked_behind_our_job_of_its_deduplication_id_goes_when_that_job_is_removed()
    {
        const string keepLast = """{"deduplication":{"id":"d","keepLastIfActive":true}}""";
        var queue = NewQueue();
        var owner = (await NodeAsync("add.js", "sync", """{"v":1}""",
            """{"deduplication":{"id":"d","keepLastIfActive":true},"attempts":2,"backoff":{"type":"fixed","delay":3600000}}"""))
            .Single()["id"]!.GetValue<string>();
        var ownerRunning = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var failed = new TaskCompletionSource();
        var worker = NewWorker(async (_, _) =>
        {
            ownerRunning.TrySetResult();
            await gate.Task;
            throw new InvalidOperationException("owner retries in an hour");
        });
        worker.Failed += (_, _, _) => failed.TrySetResult();
        await ownerRunning.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await NodeAsync("add.js", "sync", """{"v":2}""", keepLast);
        gate.SetResult();
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(JobState.Delayed, await queue.GetJobStateAsync(owner));
        Assert.True(await Db.KeyExistsAsync(K("dn:d")), "a retry does not finish the owner, so the add stays parked");

        Assert.True(await queue.RemoveJobAsync(owner));

        Assert.False(await Db.KeyExistsAsync(K("de:d")));
        Assert.False(await Db.KeyExistsAsync(K("dn:d")));
    }
}
