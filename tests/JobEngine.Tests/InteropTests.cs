using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BotSystem.JobEngine.Tests;

/// <summary>
/// Our engine and the real BullMQ 6.2.0 (Node, from npm) on the same queues, on one redis-server and on a
/// three-master cluster (both sides with the same hash-tagged prefix).
/// </summary>
public abstract class InteropTests(EngineTarget target) : EngineTest(target)
{
    [Collection(RedisCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : InteropTests(EngineTarget.Server(redis));

    [Collection(RedisClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : InteropTests(EngineTarget.Cluster(cluster));

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
        var plain = await queue.AddAsync("plain", new { n = 1 });
        var prioritized = await queue.AddAsync("prioritized", new { n = 2 }, new JobOptions { Priority = 5 });
        var delayed = await queue.AddAsync("delayed", new { n = 3 }, new JobOptions { Delay = TimeSpan.FromMilliseconds(300) });

        var completed = (await NodeAsync("work.js", "3")).ToDictionary(job => job["id"]!.GetValue<string>());

        Assert.Equal(1, completed[plain]["data"]!["n"]!.GetValue<int>());
        Assert.Equal(5, completed[prioritized]["priority"]!.GetValue<int>());
        Assert.Equal("delayed", completed[delayed]["name"]!.GetValue<string>());
        var finished = await queue.GetJobAsync(prioritized);
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(prioritized));
        Assert.Equal("bullmq", finished!.ReturnValue!.Value.GetProperty("by").GetString());
        Assert.Equal(JsonValueKind.Object, finished.ReturnValue.Value.GetProperty("echoed").ValueKind);
    }

    [Fact]
    public async Task Bullmq_reads_the_same_counts_listings_and_jobs_as_ours_in_every_state_our_engine_made()
    {
        var queue = NewQueue();
        var release = new TaskCompletionSource();
        NewWorker(async (active, ct) =>
        {
            switch (active.Job.Name)
            {
                case "completes":
                    await active.UpdateProgressAsync(new { step = 3, of = 3 }, ct);
                    await active.AddLogAsync("first line", ct);
                    await active.AddLogAsync("second line", ct);
                    return new { total = 3, items = new[] { "a", "b" } };
                case "holds":
                    await active.UpdateProgressAsync(40, ct);
                    await release.Task.WaitAsync(ct);
                    return null;
                default:
                    throw new InvalidOperationException($"{active.Job.Name} went wrong");
            }
        });
        try
        {
            var completed = await queue.AddAsync("completes", new { n = 1 });
            var failed = await queue.AddAsync("fails", new { n = 2 });
            var retrying = await queue.AddAsync("retries", new { n = 3 },
                new JobOptions { Attempts = 3, Backoff = new BackoffOptions(BackoffType.Fixed, TimeSpan.FromHours(1)) });
            await Eventually(async () => await queue.GetJobStateAsync(completed) == JobState.Completed
                && await queue.GetJobStateAsync(failed) == JobState.Failed
                && await queue.GetJobStateAsync(retrying) == JobState.Delayed);
            // The worker runs one job at a time: while it holds this one, everything added next stays where it lands.
            var active = await queue.AddAsync("holds", new { n = 4 }, new JobOptions { Priority = 7 });
            await Eventually(async () => await queue.GetJobStateAsync(active) == JobState.Active
                && (await queue.GetJobAsync(active))!.Progress is not null);
            string[] waiting =
            [
                await queue.AddAsync("waits", new { n = 5 }),
                await queue.AddAsync("waits", new { n = 6 }, new JobOptions { Lifo = true }),
                await queue.AddAsync("waits", new { n = 7, text = "a \"quoted\" line" }),
            ];
            string[] prioritized =
            [
                await queue.AddAsync("ranked", new { n = 8 }, new JobOptions { Priority = 2 }),
                await queue.AddAsync("ranked", new { n = 9 }, new JobOptions { Priority = 1 }),
                await queue.AddAsync("ranked", new { n = 10 }, new JobOptions { Priority = 2 }),
            ];
            var delayed = await queue.AddAsync("later", new { n = 11 }, new JobOptions { Delay = TimeSpan.FromHours(1), Attempts = 2 });
            var parent = (await NodeAsync("flow.js", QueueName + "-children")).Single()["id"]!.GetValue<string>();
            await queue.PauseAsync();

            await AssertBullmqReadsWhatWeReadAsync(queue, new StateMatrix(completed, failed, retrying, active, waiting, prioritized, delayed, parent));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Bullmq_reads_the_same_counts_listings_and_jobs_as_ours_in_every_state_bullmq_made()
    {
        var made = (await NodeAsync("states.js")).Single();

        var jobs = made.Deserialize<StateMatrix>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        await AssertBullmqReadsWhatWeReadAsync(NewQueue(), jobs);
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
        await NodeAsync("act.js", "ratelimit", "2", "1000");
        var starts = new ConcurrentQueue<DateTime>();
        NewWorker((_, _) =>
        {
            starts.Enqueue(DateTime.UtcNow);
            return Task.FromResult<object?>(null);
        }, new WorkerOptions { Concurrency = 4 });

        await queue.AddBulkAsync(Enumerable.Range(0, 6).Select(i => new BulkJob("paced", new { i })));

        await Eventually(() => Task.FromResult(starts.Count == 6), TimeSpan.FromSeconds(30));
        var times = starts.Order().ToArray();
        // Two per second: the fifth start comes at least two windows after the first.
        Assert.True(times[4] - times[0] >= TimeSpan.FromMilliseconds(1800), $"five starts within {times[4] - times[0]}");
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
    public async Task Scheduler_created_by_bullmq_keeps_firing_on_our_worker()
    {
        var queue = NewQueue();
        var runs = new ConcurrentQueue<Job>();
        NewWorker((job, _) =>
        {
            runs.Enqueue(job.Job);
            return Task.FromResult<object?>(null);
        });

        await NodeAsync("act.js", "schedule", "tick", "400");

        await Eventually(() => Task.FromResult(runs.Count >= 3), TimeSpan.FromSeconds(20), "three runs of the BullMQ scheduler");
        var jobs = runs.ToArray();
        Assert.All(jobs, job => Assert.Equal("tick", job.SchedulerId));
        Assert.All(jobs, job => Assert.Equal("bullmq", job.Data.GetProperty("from").GetString()));
        var slots = jobs.Select(job => long.Parse(job.Id["repeat:tick:".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        AssertSlotsOfEvery(400, slots);
        var scheduler = Assert.Single(await queue.GetJobSchedulersAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(400), scheduler.Every);
        Assert.True(scheduler.Iterations >= 3, $"iterations {scheduler.Iterations}");
    }

    [Fact]
    public async Task Scheduler_created_by_us_keeps_firing_on_a_bullmq_worker()
    {
        var queue = NewQueue();
        await queue.UpsertJobSchedulerAsync("tock", new RepeatOptions { Every = TimeSpan.FromMilliseconds(400) }, "tock", new { from = "ours" });

        var runs = await NodeAsync("work.js", "3");

        Assert.All(runs, run => Assert.Equal("ours", run["data"]!["from"]!.GetValue<string>()));
        var slots = runs.Select(run => long.Parse(run["id"]!.GetValue<string>()["repeat:tock:".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Order().ToArray();
        var next = Assert.Single(await queue.GetJobsAsync(JobState.Delayed));
        AssertSlotsOfEvery(400, [.. slots, long.Parse(next.Id["repeat:tock:".Length..], System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(Assert.Single(await queue.GetJobSchedulersAsync()).Iterations >= 4);
    }

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
        Assert.Equal(id, (string)((StackExchange.Redis.RedisResult[])(await scripts.MoveToActiveAsync("dead-worker:1", 300, Queue.Now(), null, "dead"))!)[1]!);

        var completed = (await NodeAsync("work.js", "1", """{"stalledInterval":300}""")).Single();

        Assert.Equal(id, completed["id"]!.GetValue<string>());
        Assert.Equal(1, completed["stalledCounter"]!.GetValue<int>());
        var job = (await queue.GetJobAsync(id))!;
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(id));
        Assert.Equal(1, job.StalledCount);
        Assert.Equal(2, job.AttemptsStarted);
    }

    [Fact]
    public async Task Bullmq_queue_events_follow_the_life_of_our_jobs()
    {
        var queue = NewQueue();
        var last = await Db.StreamRangeAsync(K("events"), "-", "+", 1, StackExchange.Redis.Order.Descending);
        var from = last.Length == 0 ? "0-0" : (string)last[0].Id!;
        var ok = await queue.AddAsync("ok", new { n = 1 });
        var failing = await queue.AddAsync("fail", new { n = 2 });
        var later = await queue.AddAsync("later", new { n = 3 }, new JobOptions { Delay = TimeSpan.FromHours(1) });
        var listening = NodeAsync("listen.js", from, ok, failing);
        NewWorker(async (job, _) =>
        {
            if (job.Job.Name == "fail")
            {
                throw new InvalidOperationException("boom");
            }
            await job.UpdateProgressAsync(42);
            return new { ok = true };
        });

        var lines = await listening;

        var events = lines.Where(line => line["event"] is not null).ToList();
        Assert.Equal(["added", "waiting", "active", "progress", "completed"], EventNames(events, ok));
        Assert.Equal(["added", "waiting", "active", "failed", "retries-exhausted"], EventNames(events, failing));
        Assert.Equal(["added", "delayed"], EventNames(events, later));
        Assert.Equal("ok", Args(events, ok, "added")["name"]!.GetValue<string>());
        Assert.Equal("waiting", Args(events, ok, "active")["prev"]!.GetValue<string>());
        Assert.Equal(42, Args(events, ok, "progress")["data"]!.GetValue<int>());
        Assert.True(Args(events, ok, "completed")["returnvalue"]!["ok"]!.GetValue<bool>());
        Assert.Equal("boom", Args(events, failing, "failed")["failedReason"]!.GetValue<string>());
        Assert.Equal("1", Args(events, failing, "retries-exhausted")["attemptsMade"]!.GetValue<string>());
        var dueAt = Args(events, later, "delayed")["delay"]!.GetValue<long>();
        Assert.Equal((await queue.GetJobAsync(later))!.Timestamp.ToUnixTimeMilliseconds() + 3_600_000, dueAt);
        var finished = lines.Where(line => line["finished"] is not null).ToDictionary(line => line["finished"]!.GetValue<string>());
        Assert.True(finished[ok]["returnvalue"]!["ok"]!.GetValue<bool>());
        Assert.Equal("boom", finished[failing]["failedReason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Our_queue_events_follow_the_life_of_bullmq_jobs()
    {
        var events = NewQueueEvents();
        var received = new ConcurrentQueue<QueueEvent>();
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reader = Task.Run(async () =>
        {
            await foreach (var e in events.ReadAllAsync("0", reading.Token))
            {
                received.Enqueue(e);
                if (received.Any(seen => seen.Name == "completed") && received.Any(seen => seen.Name == "retries-exhausted"))
                {
                    return;
                }
            }
        });
        var ok = events.WaitUntilFinishedAsync("node-ok", TimeSpan.FromSeconds(60));
        var failing = Assert.ThrowsAsync<JobFailedException>(() => events.WaitUntilFinishedAsync("node-fail", TimeSpan.FromSeconds(60)));

        await NodeAsync("produce.js");

        await reader;
        var all = received.ToList();
        Assert.Equal(["added", "waiting", "active", "progress", "completed"], all.Where(e => e.JobId == "node-ok").Select(e => e.Name));
        Assert.Equal(["added", "waiting", "active", "failed", "retries-exhausted"], all.Where(e => e.JobId == "node-fail").Select(e => e.Name));
        Assert.Equal(["added", "delayed"], all.Where(e => e.JobId == "node-later").Select(e => e.Name));
        var progress = all.Single(e => e.Name == "progress");
        Assert.Equal("half", JsonNode.Parse(progress.Fields["data"])!["stage"]!.GetValue<string>());
        var completed = all.Single(e => e.Name == "completed");
        Assert.True(JsonNode.Parse(completed.Fields["returnvalue"])!["ok"]!.GetValue<bool>());
        Assert.Equal("active", completed.Fields["prev"]);
        Assert.Equal("boom", all.Single(e => e.Name == "failed").Fields["failedReason"]);
        var dueAt = long.Parse(all.Single(e => e.Name == "delayed").Fields["delay"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((await NewQueue().GetJobAsync("node-later"))!.Timestamp.ToUnixTimeMilliseconds() + 3_600_000, dueAt);
        var job = await ok;
        Assert.True(job.ReturnValue!.Value.GetProperty("ok").GetBoolean());
        Assert.Equal("half", job.Progress!.Value.GetProperty("stage").GetString());
        Assert.Equal("boom", (await failing).Message);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>The jobs of the every-state test: made by one side, read by both.</summary>
    private sealed record StateMatrix(string Completed, string Failed, string Retrying, string Active, string[] Waiting,
        string[] Prioritized, string Delayed, string Parent);

    /// <summary>
    /// Reads the queue with BullMQ (inspect.js) and with our engine, and asserts both see the same counts, the same
    /// ids per state and page, the same jobs field by field, and the same logs, and that these are what the jobs were made to be.
    /// </summary>
    private async Task AssertBullmqReadsWhatWeReadAsync(Queue queue, StateMatrix jobs)
    {
        string[] all = [jobs.Completed, jobs.Failed, jobs.Retrying, jobs.Active, .. jobs.Waiting, .. jobs.Prioritized, jobs.Delayed, jobs.Parent];
        (string State, long Start, long End, bool Ascending)[] pages =
        [
            ("waiting", 1, 2, false), ("waiting", 0, 1, true), ("prioritized", 1, -1, false), ("prioritized", 0, 0, true),
            ("delayed", 0, 0, true), ("completed", 0, 0, false), ("failed", 0, -1, true),
        ];
        var request = new JsonObject
        {
            ["jobIds"] = new JsonArray([.. all.Select(id => JsonValue.Create(id))]),
            ["pages"] = new JsonArray([.. pages.Select(page => new JsonObject
            {
                ["state"] = page.State, ["start"] = page.Start, ["end"] = page.End, ["asc"] = page.Ascending,
            })]),
            ["logsOf"] = new JsonArray(JsonValue.Create(jobs.Completed)),
        };

        var node = (await NodeAsync("inspect.js", request.ToJsonString())).Single();

        var expectedCounts = new Dictionary<JobState, long>
        {
            [JobState.Waiting] = 3, [JobState.Active] = 1, [JobState.Delayed] = 2, [JobState.Prioritized] = 3,
            [JobState.Completed] = 1, [JobState.Failed] = 1, [JobState.WaitingChildren] = 1,
        };
        Assert.Equal(expectedCounts, await queue.GetJobCountsAsync());
        Assert.Equal(expectedCounts.ToDictionary(count => StateName(count.Key), count => count.Value),
            node["counts"]!.AsObject().ToDictionary(count => count.Key, count => count.Value!.GetValue<long>()));
        Assert.True(await queue.IsPausedAsync());
        Assert.True(node["paused"]!.GetValue<bool>());

        // Newest first: the LIFO job sits at the end of wait that runs first, the delayed job due last leads.
        Assert.Equal([jobs.Waiting[2], jobs.Waiting[0], jobs.Waiting[1]], Ids(node["states"]!["waiting"]!));
        Assert.Equal([jobs.Prioritized[2], jobs.Prioritized[0], jobs.Prioritized[1]], Ids(node["states"]!["prioritized"]!));
        Assert.Equal([jobs.Delayed, jobs.Retrying], Ids(node["states"]!["delayed"]!));
        foreach (var state in expectedCounts.Keys)
        {
            Assert.Equal(Ids(node["states"]![StateName(state)]!), (await queue.GetJobsAsync(state)).Select(job => job.Id));
        }
        for (var i = 0; i < pages.Length; i++)
        {
            var (state, start, end, ascending) = pages[i];
            var ours = await queue.GetJobsAsync(ParseState(state), start, end, ascending);
            Assert.Equal(Ids(node["pages"]![i]!), ours.Select(job => job.Id));
        }

        foreach (var id in all)
        {
            var ours = Describe((await queue.GetJobAsync(id))!, await queue.GetJobStateAsync(id));
            var theirs = node["jobs"]![id]!;
            Assert.True(JsonNode.DeepEquals(theirs, ours), $"job {id}\nbullmq: {theirs.ToJsonString()}\nours:   {ours.ToJsonString()}");
        }
        var failedJob = node["jobs"]![jobs.Failed]!;
        Assert.Equal("fails went wrong", failedJob["failedReason"]!.GetValue<string>());
        Assert.Equal(1, failedJob["stacktrace"]!.GetValue<int>());
        Assert.Equal(3, node["jobs"]![jobs.Completed]!["returnvalue"]!["total"]!.GetValue<int>());
        Assert.Equal(3, node["jobs"]![jobs.Completed]!["progress"]!["step"]!.GetValue<int>());
        Assert.Equal(40, node["jobs"]![jobs.Active]!["progress"]!.GetValue<int>());
        Assert.Equal(1, node["jobs"]![jobs.Retrying]!["attemptsMade"]!.GetValue<int>());
        Assert.Equal("retries went wrong", node["jobs"]![jobs.Retrying]!["failedReason"]!.GetValue<string>());
        Assert.Equal("waiting-children", node["jobs"]![jobs.Parent]!["state"]!.GetValue<string>());

        var ourLogs = await queue.GetJobLogsAsync(jobs.Completed);
        Assert.Equal(["first line", "second line"], ourLogs);
        Assert.Equal(ourLogs, node["logs"]![jobs.Completed]!["logs"]!.AsArray().Select(line => line!.GetValue<string>()));
        Assert.Equal(2, node["logs"]![jobs.Completed]!["count"]!.GetValue<int>());
    }

    /// <summary>Distinct runs on the interval's grid; a run taken late skips the slots already past, as both engines realign.</summary>
    private static void AssertSlotsOfEvery(long everyMs, long[] slots) =>
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.Second > pair.First && (pair.Second - pair.First) % everyMs == 0,
            $"slots {string.Join(", ", slots)} are not on a {everyMs} ms grid"));

    private static string Script(string name) => Path.Combine(RepositoryPaths.Root, "tests", "node", "interop", name);

    /// <summary>Runs a script of tests/node/interop against this test's Redis, prefix and queue; returns the JSON lines it printed.</summary>
    private async Task<IReadOnlyList<JsonNode>> NodeAsync(string script, params string[] arguments)
    {
        var run = await CommandLine.RunAsync("node", [Script(script), Target.ConnectionString, Prefix, QueueName, .. arguments],
            timeout: TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"node {script} exited with {run.ExitCode}:\n{run.Output}");
        return run.Output.Split('\n').Where(line => line.StartsWith('{')).Select(line => JsonNode.Parse(line)!).ToList();
    }

    /// <summary>Our view of a job in the shape inspect.js prints BullMQ's.</summary>
    private static JsonObject Describe(Job job, JobState state) => new()
    {
        ["id"] = job.Id,
        ["name"] = job.Name,
        ["data"] = JsonNode.Parse(job.Data.GetRawText()),
        ["opts"] = new JsonObject
        {
            ["priority"] = job.Options.Priority,
            ["attempts"] = job.Options.Attempts,
            ["delay"] = (long)job.Options.Delay.TotalMilliseconds,
            ["backoff"] = job.Options.Backoff is { } backoff
                ? new JsonObject { ["type"] = backoff.Type == BackoffType.Exponential ? "exponential" : "fixed", ["delay"] = (long)backoff.Delay.TotalMilliseconds }
                : null,
        },
        ["attemptsMade"] = job.AttemptsMade,
        ["attemptsStarted"] = job.AttemptsStarted,
        ["failedReason"] = job.FailedReason,
        ["returnvalue"] = job.ReturnValue is { } value ? JsonNode.Parse(value.GetRawText()) : null,
        ["stacktrace"] = job.StackTrace.Count,
        ["timestamp"] = job.Timestamp.ToUnixTimeMilliseconds(),
        ["processedOn"] = job.ProcessedOn?.ToUnixTimeMilliseconds(),
        ["finishedOn"] = job.FinishedOn?.ToUnixTimeMilliseconds(),
        ["progress"] = job.Progress is { } progress ? JsonNode.Parse(progress.GetRawText()) : 0,
        ["delay"] = (long)job.Delay.TotalMilliseconds,
        ["priority"] = job.Priority,
        ["state"] = StateName(state),
    };

    private static string StateName(JobState state) => state switch
    {
        JobState.WaitingChildren => "waiting-children",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static JobState ParseState(string name) => Enum.GetValues<JobState>().Single(state => StateName(state) == name);

    private static IEnumerable<string> Ids(JsonNode ids) => ids.AsArray().Select(id => id!.GetValue<string>()).ToList();

    private static IEnumerable<string> EventNames(IEnumerable<JsonNode> events, string jobId) =>
        events.Where(e => e["args"]!["jobId"]?.GetValue<string>() == jobId).Select(e => e["event"]!.GetValue<string>()).ToList();

    private static JsonNode Args(IEnumerable<JsonNode> events, string jobId, string name) =>
        events.Single(e => e["event"]!.GetValue<string>() == name && e["args"]!["jobId"]?.GetValue<string>() == jobId)["args"]!;
}
