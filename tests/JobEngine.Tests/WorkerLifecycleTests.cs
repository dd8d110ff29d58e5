using System.Collections.Concurrent;
using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

[Collection(RedisCollection.Name)]
public sealed class WorkerLifecycleTests(RedisServer redis) : EngineTest(redis)
{
    [Fact]
    public async Task Rate_limiter_starts_at_most_max_jobs_per_duration()
    {
        var queue = NewQueue();
        var done = 0;
        NewWorker((_, _) =>
        {
            Interlocked.Increment(ref done);
            return Task.FromResult<object?>(null);
        }, new WorkerOptions { Concurrency = 5, Limiter = new RateLimit(2, TimeSpan.FromMilliseconds(250)) });
        await queue.AddBulkAsync(Enumerable.Range(0, 16).Select(i => new BulkJob("limited", null)));

        await Eventually(() => Task.FromResult(Volatile.Read(ref done) == 16));
        var activations = await ActivationTimesAsync();
        Assert.Equal(16, activations.Length);
        AssertAtMostPerWindow(activations, 2, TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Graceful_close_lets_a_running_job_finish_within_the_deadline()
    {
        var queue = NewQueue();
        var started = new TaskCompletionSource();
        var worker = NewWorker(async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(500, ct);
            return "finished";
        });
        var id = await queue.AddAsync("short", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await worker.CloseAsync(TimeSpan.FromSeconds(10));

        Assert.False(worker.IsRunning);
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(id));
        var next = await queue.AddAsync("after-close", null);
        await Task.Delay(300);
        Assert.Equal(JobState.Waiting, await queue.GetJobStateAsync(next));
    }

    [Fact]
    public async Task Graceful_close_returns_a_job_that_overruns_the_deadline_to_wait()
    {
        var queue = NewQueue();
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        var worker = OverrunningWorker(started, cancelled, TimeSpan.Zero);
        var id = await queue.AddAsync("long", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await worker.CloseAsync(TimeSpan.FromMilliseconds(300));

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(JobState.Waiting, await queue.GetJobStateAsync(id));
        var job = await queue.GetJobAsync(id);
        Assert.Equal(0, job!.AttemptsMade);
        Assert.False(await Db.KeyExistsAsync(K(id + ":lock")));

        var rerun = new TaskCompletionSource<string>();
        NewWorker((j, _) =>
        {
            rerun.TrySetResult(j.Job.Id);
            return Task.FromResult<object?>(null);
        });
        Assert.Equal(id, await rerun.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    // A worker whose jobs run until cancelled, then wind down for windDown before they throw.
    private Worker OverrunningWorker(TaskCompletionSource started, TaskCompletionSource cancelled, TimeSpan windDown) =>
        NewWorker(async (_, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                await Task.Delay(windDown);
                throw;
            }
            return null;
        });

    [Fact]
    public async Task Graceful_close_hands_an_overrunning_job_back_only_once_its_processor_has_returned()
    {
        var queue = NewQueue();
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        // Winding down takes a while, as killing a bot's processes does.
        var worker = OverrunningWorker(started, cancelled, TimeSpan.FromSeconds(1.5));
        var id = await queue.AddAsync("long", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var close = worker.CloseAsync(TimeSpan.FromMilliseconds(300));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(500);

        // Handed back now, it could start on another worker while its processor still runs here.
        Assert.Equal(JobState.Active, await queue.GetJobStateAsync(id));
        await close;
        Assert.Equal(JobState.Waiting, await queue.GetJobStateAsync(id));
        Assert.Equal(0, (await queue.GetJobAsync(id))!.AttemptsMade);
    }

    [Fact]
    public async Task Graceful_close_completes_the_jobs_whose_processors_returned_before_its_deadline_while_their_outcome_was_on_its_way()
    {
        const int jobs = 10;
        var queue = NewQueue();
        var gates = Enumerable.Range(0, jobs).Select(_ => new TaskCompletionSource()).ToArray();
        var started = 0;
        var returned = 0;
        var worker = NewWorker(async (job, _) =>
        {
            Interlocked.Increment(ref started);
            await gates[job.Job.Data.GetProperty("n").GetInt32()].Task;
            Interlocked.Increment(ref returned);
            return "done";
        }, new WorkerOptions { Concurrency = jobs });
        var ids = new List<string>();
        for (var n = 0; n < jobs; n++)
        {
            ids.Add(await queue.AddAsync("gated", new { n }));
        }
        await Eventually(() => Task.FromResult(Volatile.Read(ref started) == jobs));

        // The first outcome is sent while Redis does not answer; the others wait behind it for the next round trip.
        var frozen = Redis.FreezeAsync(TimeSpan.FromSeconds(1.5));
        gates[0].SetResult();
        await Task.Delay(200);
        foreach (var gate in gates.Skip(1))
        {
            gate.SetResult();
        }
        await Eventually(() => Task.FromResult(Volatile.Read(ref returned) == jobs));
        var close = worker.CloseAsync(TimeSpan.Zero);
        await frozen;
        await close;

        var states = await Task.WhenAll(ids.Select(id => queue.GetJobStateAsync(id)));
        Assert.All(states, state => Assert.Equal(JobState.Completed, state));
        // Handed back to wait, a job whose outcome was still to be written is taken again: by this worker's next
        // round trip, or another worker.
        Assert.Equal(jobs, Volatile.Read(ref started));
        Assert.All(await Task.WhenAll(ids.Select(id => queue.GetJobAsync(id))), job => Assert.Equal(1, job!.AttemptsStarted));
    }

    [Fact]
    public async Task Graceful_close_returns_an_overrunning_prioritized_job_ahead_of_its_priority_and_behind_better_ones()
    {
        var queue = NewQueue();
        var started = new TaskCompletionSource();
        var worker = NewWorker(async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromMinutes(1), ct);
            return null;
        });
        var overrunning = await queue.AddAsync("overrunning", null, new JobOptions { Priority = 10 });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var better = await queue.AddAsync("better", null, new JobOptions { Priority = 1 });
        var same = await queue.AddAsync("same", null, new JobOptions { Priority = 10 });
        var plain = await queue.AddAsync("plain", null);

        await worker.CloseAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(JobState.Prioritized, await queue.GetJobStateAsync(overrunning));
        var order = new ConcurrentQueue<string>();
        NewWorker((job, _) =>
        {
            order.Enqueue(job.Job.Id);
            return Task.FromResult<object?>(null);
        });

        await Eventually(() => Task.FromResult(order.Count == 4));
        Assert.Equal([plain, better, overrunning, same], order);
    }

    [Fact]
    public async Task Redis_restart_during_processing_loses_no_job()
    {
        var queue = NewQueue();
        var completed = new ConcurrentDictionary<string, int>();
        // A job activated just before the kill, whose reply never arrived, waits for the stalled sweep: short intervals keep that brief.
        var options = new WorkerOptions
        {
            Concurrency = 3, DrainDelay = TimeSpan.FromSeconds(1), LockDuration = TimeSpan.FromSeconds(3), StalledInterval = TimeSpan.FromSeconds(1),
        };
        var worker = NewWorker(async (job, ct) =>
        {
            await Task.Delay(100, ct);
            return job.Job.Id;
        }, options);
        worker.Completed += (job, _) => completed.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
        var ids = await queue.AddBulkAsync(Enumerable.Range(0, 30).Select(i => new BulkJob("survivor", new { i })));
        await Eventually(() => Task.FromResult(completed.Count >= 3));

        await Redis.StopAsync();
        await Task.Delay(1500);
        await Redis.StartAsync();

        await Eventually(async () =>
        {
            try
            {
                return (await queue.GetJobCountsAsync())[JobState.Completed] == 30;
            }
            catch (JobEngineException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "every job completes after the restart");
        var counts = await queue.GetJobCountsAsync();
        Assert.Equal(0, counts[JobState.Waiting] + counts[JobState.Active] + counts[JobState.Failed]);
        Assert.All(ids, id => Assert.True(completed.ContainsKey(id), $"job {id} completed"));
    }

    [Fact]
    public async Task Worker_started_while_redis_is_down_keeps_retrying_and_processes_jobs_once_it_is_back()
    {
        var queue = NewQueue();
        var ids = await queue.AddBulkAsync(Enumerable.Range(0, 5).Select(i => new BulkJob("patient", new { i })));
        var completed = new ConcurrentDictionary<string, bool>();
        await Redis.StopAsync();
        try
        {
            var worker = NewWorker((job, _) => Task.FromResult<object?>(job.Job.Id));
            worker.Completed += (job, _) => completed[job.Id] = true;
            await Task.Delay(1500);
            Assert.Empty(completed);
        }
        finally
        {
            await Redis.StartAsync();
        }

        await Eventually(() => Task.FromResult(completed.Count == 5), TimeSpan.FromSeconds(60), "every job completes once Redis is back");
        Assert.All(ids, id => Assert.True(completed.ContainsKey(id)));
    }

    [Fact]
    public async Task A_worker_whose_first_connect_goes_unanswered_gives_it_up_after_the_connect_timeout_and_processes_jobs()
    {
        var queue = NewQueue();
        var ids = await queue.AddBulkAsync(Enumerable.Range(0, 3).Select(i => new BulkJob("patient", new { i })));
        var cutter = Track(new RedisConnectionCutter(Redis));
        // The worker's own connection for blocking reads names itself after the queue as it connects; that first
        // handshake is held far longer than the test waits, as a link dropping packets would hold it.
        cutter.StallOnceWhenSent($"{Prefix}:{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(QueueName))}", TimeSpan.FromMinutes(1));
        var throughCutter = Track(await ConnectionMultiplexer.ConnectAsync($"{cutter.ConnectionString},abortConnect=false"));
        var completed = new ConcurrentDictionary<string, bool>();
        var worker = Track(new Worker(QueueName, throughCutter, (job, _) => Task.FromResult<object?>(null), new WorkerOptions { Prefix = Prefix }));
        worker.Completed += (job, _) => completed[job.Id] = true;

        await Eventually(() => Task.FromResult(completed.Count == ids.Count), TimeSpan.FromSeconds(15),
            "the jobs are processed once a new connect replaces the one held");
        Assert.Equal(1, cutter.Stalls);
    }

    [Fact]
    public async Task A_scheduler_whose_next_run_meets_a_lost_connection_queues_it_once_redis_answers_and_goes_on()
    {
        var queue = NewQueue();
        await queue.UpsertJobSchedulerAsync("tick", new RepeatOptions { Every = TimeSpan.FromMilliseconds(500) }, "tick", null);
        var cutter = Track(new RedisConnectionCutter(Redis));
        // The read of the scheduler with which the first run's worker queues the next run.
        cutter.CutOnceWhenSent(K("repeat:tick") + "\r\n");
        var throughCutter = Track(await ConnectionMultiplexer.ConnectAsync($"{cutter.ConnectionString},abortConnect=false"));
        var runs = new ConcurrentQueue<string>();
        Track(new Worker(QueueName, throughCutter, (job, _) =>
        {
            runs.Enqueue(job.Job.Id);
            return Task.FromResult<object?>(null);
        }, new WorkerOptions { Prefix = Prefix }));

        await Eventually(() => Task.FromResult(cutter.Cuts == 1 && runs.Count >= 4), TimeSpan.FromSeconds(20),
            "the schedule goes on after its next run could not be queued at the first try");
        Assert.Equal(runs.Count, runs.Distinct().Count());
    }
}
