using System.Globalization;
using System.Text.Json;

namespace BotSystem.JobEngine.Tests;

/// <summary>Runs on one redis-server and on a three-master cluster.</summary>
public abstract class QueueOperationsTests(EngineTarget target) : EngineTest(target)
{
    [Collection(RedisCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : QueueOperationsTests(EngineTarget.Server(redis));

    [Collection(RedisClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : QueueOperationsTests(EngineTarget.Cluster(cluster));

    [Fact]
    public async Task An_id_naming_one_of_the_queues_own_keys_reads_as_no_job()
    {
        var queue = NewQueue();
        await queue.AddAsync("send", "plain text");
        await queue.AddAsync("send", "urgent", new JobOptions { Priority = 2 });

        foreach (var id in (string[])["wait", "prioritized", "events", "marker", "id"])
        {
            Assert.True(await Db.KeyExistsAsync(K(id)), $"the queue has no {id} key to read");
            Assert.Null(await queue.GetJobAsync(id));
        }
    }

    [Fact]
    public async Task Add_stores_the_job_hash_in_the_BullMQ_layout()
    {
        var queue = NewQueue();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var id = await queue.AddAsync("send", "plain text", new JobOptions
        {
            Attempts = 3,
            Backoff = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromSeconds(1), 0.5),
            RemoveOnComplete = KeepJobs.Last(10),
            RemoveOnFail = KeepJobs.YoungerThan(TimeSpan.FromHours(1)),
            TelemetryMetadata = "00-abc-def-01",
        });

        Assert.Equal("1", id);
        Assert.Equal("1", (string?)await Db.StringGetAsync(K("id")));
        var hash = (await Db.HashGetAllAsync(K(id))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("send", hash["name"]);
        Assert.Equal("\"plain text\"", hash["data"]);
        Assert.Equal("0", hash["delay"]);
        Assert.Equal("0", hash["priority"]);
        var timestamp = long.Parse(hash["timestamp"], CultureInfo.InvariantCulture);
        Assert.InRange(timestamp, before, before + 5000);
        using var opts = JsonDocument.Parse(hash["opts"]);
        Assert.Equal(3, opts.RootElement.GetProperty("attempts").GetInt32());
        Assert.Equal("exponential", opts.RootElement.GetProperty("backoff").GetProperty("type").GetString());
        Assert.Equal(1000, opts.RootElement.GetProperty("backoff").GetProperty("delay").GetInt32());
        Assert.Equal(0.5, opts.RootElement.GetProperty("backoff").GetProperty("jitter").GetDouble());
        Assert.Equal(10, opts.RootElement.GetProperty("removeOnComplete").GetInt32());
        Assert.Equal(3600, opts.RootElement.GetProperty("removeOnFail").GetProperty("age").GetInt32());
        Assert.Equal("00-abc-def-01", opts.RootElement.GetProperty("tm").GetString());
        Assert.Equal(["1"], (await Db.ListRangeAsync(K("wait"))).Select(v => (string)v!));
        Assert.Equal(0, await Db.SortedSetScoreAsync(K("marker"), "0"));
        Assert.Equal("10000", (string?)await Db.HashGetAsync(K("meta"), "opts.maxLenEvents"));

        var job = await queue.GetJobAsync(id);
        Assert.NotNull(job);
        Assert.Equal("plain text", job.GetData<string>());
        Assert.Equal(3, job.Options.Attempts);
        Assert.Equal(BackoffType.Exponential, job.Options.Backoff!.Type);
        Assert.Equal(KeepJobs.Last(10), job.Options.RemoveOnComplete);
        Assert.Equal(timestamp, job.Timestamp.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Adding_to_a_queue_nobody_consumes_keeps_its_event_stream_capped()
    {
        var queue = NewQueue();
        await Db.HashSetAsync(K("meta"), "opts.maxLenEvents", 50);

        var jobs = Enumerable.Range(0, 500).Select(i => new BulkJob("a", i, new JobOptions { JobId = $"job-{i}" })).ToList();
        await queue.AddBulkAsync(jobs);
        await queue.AddBulkAsync(jobs);

        // 1,500 events (added, waiting, duplicated); approximate trimming drops whole stream nodes
        // (100 entries each by default), never going below the cap.
        Assert.InRange(await Db.StreamLengthAsync(K("events")), 50, 250);
        Assert.Equal(500, await Db.ListLengthAsync(K("wait")));
    }

    [Fact]
    public async Task Removing_jobs_keeps_the_event_stream_capped_too()
    {
        var queue = NewQueue();
        await Db.HashSetAsync(K("meta"), "opts.maxLenEvents", 50);
        var jobs = Enumerable.Range(0, 500).Select(i => new BulkJob("a", i, new JobOptions { JobId = $"job-{i}" })).ToList();
        await queue.AddBulkAsync(jobs);

        foreach (var job in jobs)
        {
            await queue.RemoveJobAsync(job.Options!.JobId!);
        }

        // 500 removed events after the capped adds: without a cap of their own they would all stay.
        Assert.InRange(await Db.StreamLengthAsync(K("events")), 50, 250);
        Assert.Equal(0, await Db.ListLengthAsync(K("wait")));
    }

    [Fact]
    public async Task Custom_id_is_kept_and_a_duplicate_add_returns_the_existing_job()
    {
        var queue = NewQueue();
        var first = await queue.AddAsync("a", new { n = 1 }, new JobOptions { JobId = "order-17" });
        var second = await queue.AddAsync("a", new { n = 2 }, new JobOptions { JobId = "order-17" });

        Assert.Equal("order-17", first);
        Assert.Equal("order-17", second);
        Assert.Equal(1, (await queue.GetJobAsync("order-17"))!.Data.GetProperty("n").GetInt32());
        Assert.Equal(1, await Db.ListLengthAsync(K("wait")));
        Assert.Equal("2", (string?)await Db.StringGetAsync(K("id")));
    }

    [Fact]
    public async Task Prioritized_jobs_use_the_priority_score_and_run_after_plain_ones_in_priority_order()
    {
        var queue = NewQueue();
        var low = await queue.AddAsync("low", null, new JobOptions { Priority = 5 });
        var high = await queue.AddAsync("high", null, new JobOptions { Priority = 1 });
        var high2 = await queue.AddAsync("high2", null, new JobOptions { Priority = 1 });
        var plain = await queue.AddAsync("plain", null);

        Assert.Equal(5 * 4294967296d + 1, await Db.SortedSetScoreAsync(K("prioritized"), low));
        Assert.Equal(1 * 4294967296d + 2, await Db.SortedSetScoreAsync(K("prioritized"), high));
        Assert.Equal(JobState.Prioritized, await queue.GetJobStateAsync(high));

        var order = new List<string>();
        var done = new TaskCompletionSource();
        NewWorker((job, _) =>
        {
            lock (order)
            {
                order.Add(job.Job.Id);
                if (order.Count == 4)
                {
                    done.TrySetResult();
                }
            }
            return Task.FromResult<object?>(null);
        });
        await done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([plain, high, high2, low], order);
    }

    [Fact]
    public async Task Lifo_job_runs_before_the_jobs_already_waiting()
    {
        var queue = NewQueue();
        await queue.AddAsync("first", null);
        var lifo = await queue.AddAsync("urgent", null, new JobOptions { Lifo = true });
        Assert.Equal(lifo, (string?)await Db.ListGetByIndexAsync(K("wait"), -1));
    }

    [Fact]
    public async Task Delayed_job_gets_the_BullMQ_score_and_runs_once_due()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("later", null, new JobOptions { Delay = TimeSpan.FromMilliseconds(1500) });
        var second = await queue.AddAsync("later-too", null, new JobOptions { Delay = TimeSpan.FromMilliseconds(1500), JobId = "same-ms" });

        var job = await queue.GetJobAsync(id);
        var dueAt = job!.Timestamp.ToUnixTimeMilliseconds() + 1500;
        Assert.Equal(dueAt * 4096d, await Db.SortedSetScoreAsync(K("delayed"), id));
        Assert.Equal(JobState.Delayed, await queue.GetJobStateAsync(id));
        Assert.True(await Db.SortedSetScoreAsync(K("delayed"), second) > 0);
        Assert.Equal(dueAt, await Db.SortedSetScoreAsync(K("marker"), "1"));

        var ran = new TaskCompletionSource<long>();
        NewWorker((j, _) =>
        {
            if (j.Job.Id == id)
            {
                ran.TrySetResult(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }
            return Task.FromResult<object?>(null);
        });
        var at = await ran.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.InRange(at, dueAt, dueAt + 3000);
    }

    [Fact]
    public async Task Deduplication_returns_the_owner_until_it_finishes()
    {
        var queue = NewQueue();
        var dedup = new JobOptions { Deduplication = new DeduplicationOptions("user-5") };
        var first = await queue.AddAsync("sync", null, dedup);
        var second = await queue.AddAsync("sync", null, dedup);
        Assert.Equal(first, second);
        Assert.Equal(1, await Db.ListLengthAsync(K("wait")));
        Assert.Equal(first, (string?)await Db.StringGetAsync(K("de:user-5")));

        var events = NewQueueEvents();
        NewWorker((_, _) => Task.FromResult<object?>(null));
        await events.WaitUntilFinishedAsync(first, TimeSpan.FromSeconds(20));

        Assert.False(await Db.KeyExistsAsync(K("de:user-5")));
        var third = await queue.AddAsync("sync", null, dedup);
        Assert.NotEqual(first, third);
    }

    [Fact]
    public async Task Deduplication_with_ttl_expires_by_itself()
    {
        var queue = NewQueue();
        var dedup = new JobOptions { Deduplication = new DeduplicationOptions("burst", TimeSpan.FromSeconds(1)) };
        var first = await queue.AddAsync("x", null, dedup);
        Assert.Equal(first, await queue.AddAsync("x", null, dedup));
        await Task.Delay(1300);
        Assert.NotEqual(first, await queue.AddAsync("x", null, dedup));
    }

    [Fact]
    public async Task AddBulk_adds_every_job_in_order()
    {
        var queue = NewQueue();
        var ids = await queue.AddBulkAsync(Enumerable.Range(0, 50).Select(i => new BulkJob("bulk", new { i })));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => i.ToString(CultureInfo.InvariantCulture)), ids);
        Assert.Equal(50, (await queue.GetJobCountsAsync())[JobState.Waiting]);
        Assert.Equal(49, (await queue.GetJobAsync("50"))!.Data.GetProperty("i").GetInt32());
    }

    [Fact]
    public async Task AddBulk_over_many_script_calls_keeps_input_order()
    {
        var queue = NewQueue();
        var ids = await queue.AddBulkAsync(Enumerable.Range(0, 2_501).Select(i => new BulkJob("bulk", new { i })));
        Assert.Equal(Enumerable.Range(1, 2_501).Select(i => i.ToString(CultureInfo.InvariantCulture)), ids);
        Assert.Equal(2_501, (await queue.GetJobCountsAsync())[JobState.Waiting]);
        Assert.Equal(2_000, (await queue.GetJobAsync("2001"))!.Data.GetProperty("i").GetInt32());
    }

    [Fact]
    public async Task Concurrent_adds_share_script_calls_and_each_gets_its_own_job()
    {
        var queue = NewQueue();
        var callsBefore = await AddScriptCallsAsync();

        var ids = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(i => queue.AddAsync("concurrent", new { i })));

        // One call at a time carries every add that arrived meanwhile, so 1,000 adds need far fewer than 1,000 calls.
        Assert.InRange(await AddScriptCallsAsync() - callsBefore, 1, 100);
        Assert.Equal(1_000, ids.Distinct().Count());
        Assert.Equal(1_000, await Db.ListLengthAsync(K("wait")));
        for (var i = 0; i < ids.Length; i += 97)
        {
            Assert.Equal(i, (await queue.GetJobAsync(ids[i]))!.Data.GetProperty("i").GetInt32());
        }
    }

    [Fact]
    public async Task Jobs_carried_by_one_script_call_are_added_as_one_at_a_time_would_be()
    {
        var queue = NewQueue();
        var dedup = new JobOptions { Deduplication = new DeduplicationOptions("same") };

        var ids = await queue.AddBulkAsync([
            new BulkJob("a", 1, new JobOptions { JobId = "order-1" }),
            new BulkJob("a", 2, new JobOptions { JobId = "order-1" }),
            new BulkJob("b", 3, dedup),
            new BulkJob("b", 4, dedup),
            new BulkJob("c", 5, new JobOptions { Priority = 2 }),
            new BulkJob("d", 6, new JobOptions { Delay = TimeSpan.FromHours(1) }),
            new BulkJob("e", 7, new JobOptions { Priority = 1 }),
        ]);

        Assert.Equal(["order-1", "order-1", "3", "3", "5", "6", "7"], ids);
        Assert.Equal(1, (await queue.GetJobAsync("order-1"))!.GetData<int>());
        Assert.Null(await queue.GetJobAsync("4"));
        Assert.Equal(["3", "order-1"], (await Db.ListRangeAsync(K("wait"))).Select(v => (string)v!));
        Assert.Equal(2 * 4294967296d + 1, await Db.SortedSetScoreAsync(K("prioritized"), "5"));
        Assert.Equal(1 * 4294967296d + 2, await Db.SortedSetScoreAsync(K("prioritized"), "7"));
        Assert.Equal("2", (string?)await Db.StringGetAsync(K("pc")));
        Assert.NotNull(await Db.SortedSetScoreAsync(K("delayed"), "6"));
        Assert.Equal("7", (string?)await Db.StringGetAsync(K("id")));
        Assert.Equal(0, await Db.SortedSetScoreAsync(K("marker"), "0"));
    }

    [Fact]
    public async Task Adds_to_a_paused_queue_leave_the_workers_asleep_and_adds_to_a_running_one_wake_them()
    {
        var queue = NewQueue();
        await queue.PauseAsync();
        await queue.AddBulkAsync([new BulkJob("a", 1), new BulkJob("b", 2, new JobOptions { Priority = 3 })]);
        Assert.Null(await Db.SortedSetScoreAsync(K("marker"), "0"));

        await queue.ResumeAsync();
        await Db.KeyDeleteAsync(K("marker"));
        await queue.AddBulkAsync([new BulkJob("c", 3, new JobOptions { Delay = TimeSpan.FromHours(1) }), new BulkJob("d", 4)]);
        Assert.Equal(0, await Db.SortedSetScoreAsync(K("marker"), "0"));
    }

    // Calls of the add script (by SHA) on every primary; only this test's queue adds while it runs.
    private async Task<long> AddScriptCallsAsync()
    {
        long calls = 0;
        foreach (var server in Connection.GetServers().Where(server => !server.IsReplica))
        {
            var stats = await server.InfoRawAsync("commandstats") ?? "";
            var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal));
            if (line is not null)
            {
                calls += long.Parse(line.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture);
            }
        }
        return calls;
    }

    [Fact]
    public async Task Counts_and_paged_listings_follow_each_state()
    {
        var queue = NewQueue();
        await queue.AddBulkAsync(Enumerable.Range(0, 5).Select(i => new BulkJob("w", new { i })));
        await queue.AddAsync("d", null, new JobOptions { Delay = TimeSpan.FromMinutes(5) });
        await queue.AddAsync("p", null, new JobOptions { Priority = 3 });

        var counts = await queue.GetJobCountsAsync();
        Assert.Equal(5, counts[JobState.Waiting]);
        Assert.Equal(1, counts[JobState.Delayed]);
        Assert.Equal(1, counts[JobState.Prioritized]);
        Assert.Equal(0, counts[JobState.Active]);
        Assert.Equal(0, counts[JobState.Completed]);
        Assert.Equal([JobState.Delayed], (await queue.GetJobCountsAsync(default, JobState.Delayed)).Keys);

        var newest = await queue.GetJobsAsync(JobState.Waiting, 0, 1);
        Assert.Equal(["5", "4"], newest.Select(j => j.Id));
        var oldest = await queue.GetJobsAsync(JobState.Waiting, 0, 1, ascending: true);
        Assert.Equal(["1", "2"], oldest.Select(j => j.Id));
        var page2 = await queue.GetJobsAsync(JobState.Waiting, 2, 3, ascending: true);
        Assert.Equal(["3", "4"], page2.Select(j => j.Id));
        Assert.Equal("d", (await queue.GetJobsAsync(JobState.Delayed)).Single().Name);
    }

    [Fact]
    public async Task Pause_stops_processing_and_resume_restarts_it()
    {
        var queue = NewQueue();
        await queue.PauseAsync();
        Assert.True(await queue.IsPausedAsync());
        var processed = 0;
        NewWorker((_, _) =>
        {
            Interlocked.Increment(ref processed);
            return Task.FromResult<object?>(null);
        }, new WorkerOptions { DrainDelay = TimeSpan.FromMilliseconds(200) });
        await queue.AddAsync("held", null);
        await Task.Delay(800);
        Assert.Equal(0, Volatile.Read(ref processed));
        Assert.Equal(1, (await queue.GetJobCountsAsync())[JobState.Waiting]);

        await queue.ResumeAsync();
        Assert.False(await queue.IsPausedAsync());
        await Eventually(() => Task.FromResult(Volatile.Read(ref processed) == 1));
    }

    [Fact]
    public async Task Failed_job_can_be_retried_and_then_completes()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        var calls = 0;
        NewWorker((_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new InvalidOperationException("first run breaks")
            : Task.FromResult<object?>("fixed"));
        var id = await queue.AddAsync("flaky", null);
        var failure = await Assert.ThrowsAsync<JobFailedException>(() => events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20)));
        Assert.Equal("first run breaks", failure.Message);
        var failed = await queue.GetJobAsync(id);
        Assert.Equal(JobState.Failed, await queue.GetJobStateAsync(id));
        Assert.Contains("InvalidOperationException", failed!.StackTrace.Single());

        await queue.RetryJobAsync(id);
        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Completed);
        Assert.Equal("fixed", (await queue.GetJobAsync(id))!.ReturnValue!.Value.GetString());
        await Assert.ThrowsAsync<JobEngineException>(() => queue.RetryJobAsync("missing"));
    }

    [Fact]
    public async Task Promote_moves_a_delayed_job_to_wait()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("later", null, new JobOptions { Delay = TimeSpan.FromHours(1) });
        await queue.PromoteJobAsync(id);
        Assert.Equal(JobState.Waiting, await queue.GetJobStateAsync(id));
        Assert.Equal("0", (string?)await Db.HashGetAsync(K(id), "delay"));
        await Assert.ThrowsAsync<JobEngineException>(() => queue.PromoteJobAsync(id));
    }

    [Fact]
    public async Task Remove_deletes_a_job_with_its_logs_but_not_while_it_is_locked()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("gone", null);
        var started = new TaskCompletionSource<ActiveJob>();
        var release = new TaskCompletionSource();
        NewWorker(async (job, _) =>
        {
            await job.AddLogAsync("working");
            started.TrySetResult(job);
            await release.Task;
            return null;
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(await queue.RemoveJobAsync(id));
        release.SetResult();
        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Completed);

        Assert.True(await queue.RemoveJobAsync(id));
        Assert.Null(await queue.GetJobAsync(id));
        Assert.False(await Db.KeyExistsAsync(K(id + ":logs")));
        Assert.Equal(JobState.Unknown, await queue.GetJobStateAsync(id));
        Assert.False(await queue.RemoveJobAsync(id));
    }

    [Fact]
    public async Task Clean_removes_old_finished_jobs_up_to_the_limit()
    {
        var queue = NewQueue();
        NewWorker((_, _) => Task.FromResult<object?>(null));
        var ids = await queue.AddBulkAsync(Enumerable.Range(0, 4).Select(i => new BulkJob("c", null)));
        await Eventually(async () => (await queue.GetJobCountsAsync())[JobState.Completed] == 4);
        await Task.Delay(50);

        Assert.Empty(await queue.CleanAsync(JobState.Completed, TimeSpan.FromHours(1)));
        var removed = await queue.CleanAsync(JobState.Completed, TimeSpan.Zero, limit: 3);
        Assert.Equal(3, removed.Count);
        Assert.Equal(1, (await queue.GetJobCountsAsync())[JobState.Completed]);
        Assert.All(removed, id => Assert.Contains(id, ids));
    }

    [Fact]
    public async Task Clean_removes_the_finished_runs_of_a_scheduler_that_lives_on_and_keeps_its_pending_run()
    {
        var queue = NewQueue();
        var run = await CompleteFirstRunAsync(queue, "hourly", new RepeatOptions { Every = TimeSpan.FromHours(1) });
        var next = Assert.Single(await queue.GetJobsAsync(JobState.Delayed));

        Assert.Equal([run.Id], await queue.CleanAsync(JobState.Completed, TimeSpan.Zero));
        Assert.Null(await queue.GetJobAsync(run.Id));
        Assert.Empty(await queue.CleanAsync(JobState.Delayed, TimeSpan.Zero));
        Assert.Equal(JobState.Delayed, await queue.GetJobStateAsync(next.Id));
    }

    [Fact]
    public async Task Clean_removes_the_last_run_of_a_scheduler_that_has_reached_its_limit()
    {
        var queue = NewQueue();
        var run = await CompleteFirstRunAsync(queue, "once", new RepeatOptions { Every = TimeSpan.FromHours(1), Limit = 1 });
        Assert.Empty(await queue.GetJobsAsync(JobState.Delayed));

        Assert.Equal([run.Id], await queue.CleanAsync(JobState.Completed, TimeSpan.Zero));
        Assert.Null(await queue.GetJobAsync(run.Id));
    }

    [Fact]
    public async Task Clean_of_waiting_jobs_removes_up_to_its_limit_those_that_have_waited_longest_and_leaves_the_rest_in_line()
    {
        var queue = NewQueue();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await queue.AddAsync("w", new { i }));
        }

        var removed = await queue.CleanAsync(JobState.Waiting, TimeSpan.Zero, limit: 3);

        Assert.Equal(ids[..3], removed);
        Assert.Equal(2, (await queue.GetJobCountsAsync())[JobState.Waiting]);
        Assert.Equal(ids[3..], (await queue.GetJobsAsync(JobState.Waiting, ascending: true)).Select(job => job.Id));
    }

    [Fact]
    public async Task Clean_of_waiting_and_delayed_jobs_ages_an_attempted_job_by_its_last_attempt()
    {
        var queue = NewQueue();
        var longAgo = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds();
        var justNow = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeMilliseconds();
        // Each state holds a job made long ago that has not run since, and one made long ago that was attempted just now.
        var jobs = new Dictionary<JobState, (string Idle, string Attempted)>();
        foreach (var state in (JobState[])[JobState.Waiting, JobState.Delayed])
        {
            var options = new JobOptions { Delay = state == JobState.Delayed ? TimeSpan.FromHours(1) : TimeSpan.Zero };
            var idle = await queue.AddAsync("old", new { }, options);
            var attempted = await queue.AddAsync("retried", new { }, options);
            await Db.HashSetAsync(K(idle), "timestamp", longAgo);
            await Db.HashSetAsync(K(attempted), [new("timestamp", longAgo), new("processedOn", justNow)]);
            jobs[state] = (idle, attempted);
        }

        foreach (var (state, (idle, attempted)) in jobs)
        {
            Assert.Equal([idle], await queue.CleanAsync(state, TimeSpan.FromMinutes(1)));
            Assert.Equal(state, await queue.GetJobStateAsync(attempted));
        }
    }

    [Fact]
    public async Task Drain_keeps_a_due_scheduler_run_waiting_among_the_jobs_it_removes()
    {
        var queue = NewQueue();
        await queue.AddBulkAsync(Enumerable.Range(0, 3).Select(_ => new BulkJob("w", null)));
        await queue.UpsertJobSchedulerAsync("hourly", new RepeatOptions { Every = TimeSpan.FromHours(1) }, "tick", null);
        var run = (await queue.GetJobsAsync(JobState.Delayed)).Single();
        await queue.PromoteJobAsync(run.Id);
        await queue.AddBulkAsync(Enumerable.Range(0, 3).Select(_ => new BulkJob("w", null)));

        await queue.DrainAsync();

        Assert.Equal([run.Id], (await queue.GetJobsAsync(JobState.Waiting)).Select(job => job.Id));
        Assert.Equal(1, (await queue.GetJobCountsAsync())[JobState.Waiting]);
    }

    [Fact]
    public async Task Drain_removes_an_earlier_run_of_a_scheduler_that_lives_on_and_keeps_its_pending_run()
    {
        var queue = NewQueue();
        var run = await CompleteFirstRunAsync(queue, "hourly", new RepeatOptions { Every = TimeSpan.FromHours(1) });
        var next = Assert.Single(await queue.GetJobsAsync(JobState.Delayed));
        await queue.PauseAsync();
        await queue.RetryJobAsync(run.Id);

        await queue.DrainAsync(includeDelayed: true);

        Assert.Equal(JobState.Unknown, await queue.GetJobStateAsync(run.Id));
        Assert.Equal(0, (await queue.GetJobCountsAsync())[JobState.Waiting]);
        Assert.Equal(JobState.Delayed, await queue.GetJobStateAsync(next.Id));
    }

    [Fact]
    public async Task Drain_empties_waiting_and_prioritized_and_optionally_delayed()
    {
        var queue = NewQueue();
        await queue.AddBulkAsync(Enumerable.Range(0, 3).Select(i => new BulkJob("w", null)));
        await queue.AddAsync("p", null, new JobOptions { Priority = 2 });
        var delayed = await queue.AddAsync("d", null, new JobOptions { Delay = TimeSpan.FromHours(1) });

        await queue.DrainAsync();
        var counts = await queue.GetJobCountsAsync();
        Assert.Equal(0, counts[JobState.Waiting]);
        Assert.Equal(0, counts[JobState.Prioritized]);
        Assert.Equal(1, counts[JobState.Delayed]);
        Assert.Null(await queue.GetJobAsync("1"));

        await queue.DrainAsync(includeDelayed: true);
        Assert.Equal(0, (await queue.GetJobCountsAsync())[JobState.Delayed]);
        Assert.Null(await queue.GetJobAsync(delayed));
    }

    [Fact]
    public async Task Job_logs_are_read_back_in_order()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("logged", null);
        var events = NewQueueEvents();
        NewWorker(async (job, _) =>
        {
            await job.AddLogAsync("one");
            await job.AddLogAsync("two");
            await job.UpdateProgressAsync(new { step = 2 });
            return null;
        });
        await events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20));
        Assert.Equal(["one", "two"], await queue.GetJobLogsAsync(id));
        Assert.Equal(["two"], await queue.GetJobLogsAsync(id, 1));
        Assert.Equal(2, (await queue.GetJobAsync(id))!.Progress!.Value.GetProperty("step").GetInt32());
    }

    [Fact]
    public async Task Retention_keeps_only_the_configured_number_of_completed_jobs()
    {
        var queue = NewQueue();
        NewWorker((_, _) => Task.FromResult<object?>(null), new WorkerOptions { RemoveOnComplete = KeepJobs.Last(2) });
        var removedAtOnce = await queue.AddAsync("gone", null, new JobOptions { RemoveOnComplete = KeepJobs.None });
        await queue.AddBulkAsync(Enumerable.Range(0, 5).Select(i => new BulkJob("kept", null)));
        await Eventually(async () => (await queue.GetJobCountsAsync())[JobState.Waiting] == 0 && (await queue.GetJobCountsAsync())[JobState.Active] == 0);
        await Task.Delay(100);
        Assert.Equal(2, (await queue.GetJobCountsAsync())[JobState.Completed]);
        Assert.Null(await queue.GetJobAsync(removedAtOnce));
        Assert.Null(await queue.GetJobAsync("2"));
        Assert.NotNull(await queue.GetJobAsync("6"));
    }

    [Fact]
    public async Task Retention_by_age_prunes_older_finished_jobs_when_another_finishes()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        NewWorker((_, _) => throw new InvalidOperationException("fails"), new WorkerOptions { RemoveOnFail = KeepJobs.YoungerThan(TimeSpan.FromSeconds(1)) });
        var old = await queue.AddAsync("old", null);
        await Assert.ThrowsAsync<JobFailedException>(() => events.WaitUntilFinishedAsync(old, TimeSpan.FromSeconds(20)));
        await Task.Delay(2100);

        var fresh = await queue.AddAsync("fresh", null);
        await Assert.ThrowsAsync<JobFailedException>(() => events.WaitUntilFinishedAsync(fresh, TimeSpan.FromSeconds(20)));

        Assert.Null(await queue.GetJobAsync(old));
        Assert.Equal(JobState.Failed, await queue.GetJobStateAsync(fresh));
        Assert.Equal(1, (await queue.GetJobCountsAsync())[JobState.Failed]);
    }

    /// <summary>Makes a job scheduler and has a worker complete its first run at once; returns that run.</summary>
    private async Task<Job> CompleteFirstRunAsync(Queue queue, string schedulerId, RepeatOptions repeat)
    {
        await queue.UpsertJobSchedulerAsync(schedulerId, repeat, "tick", null);
        var run = Assert.Single(await queue.GetJobsAsync(JobState.Delayed));
        NewWorker((_, _) => Task.FromResult<object?>(null));
        await queue.PromoteJobAsync(run.Id);
        await Eventually(async () => await queue.GetJobStateAsync(run.Id) == JobState.Completed);
        return run;
    }
}
