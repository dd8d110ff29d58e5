using System.Collections.Concurrent;

namespace BotSystem.JobEngine.Tests;

/// <summary>Runs on one redis-server and on a three-master cluster.</summary>
public abstract class RetryTests(EngineTarget target) : EngineTest(target)
{
    [Collection(RedisCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : RetryTests(EngineTarget.Server(redis));

    [Collection(RedisClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : RetryTests(EngineTarget.Cluster(cluster));

    [Fact]
    public async Task Failed_attempts_are_retried_after_a_fixed_backoff_until_one_succeeds()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        var starts = new ConcurrentQueue<DateTime>();
        var retried = 0;
        var worker = NewWorker((_, _) =>
        {
            starts.Enqueue(DateTime.UtcNow);
            return starts.Count < 3 ? throw new InvalidOperationException($"attempt {starts.Count}") : Task.FromResult<object?>("ok");
        });
        worker.Failed += (_, _, willRetry) => { if (willRetry) { Interlocked.Increment(ref retried); } };

        var id = await queue.AddAsync("flaky", null, new JobOptions
        {
            Attempts = 3,
            Backoff = new BackoffOptions(BackoffType.Fixed, TimeSpan.FromMilliseconds(400)),
        });
        var job = await events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal(3, job.AttemptsMade);
        Assert.Equal(3, job.AttemptsStarted);
        Assert.Equal(2, job.StackTrace.Count);
        Assert.Equal(2, Volatile.Read(ref retried));
        var times = starts.ToArray();
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(380), $"first gap {times[1] - times[0]}");
        Assert.True(times[2] - times[1] >= TimeSpan.FromMilliseconds(380), $"second gap {times[2] - times[1]}");
    }

    [Fact]
    public async Task A_job_its_processor_moves_to_delayed_runs_again_after_the_delay_without_counting_an_attempt()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        var starts = new ConcurrentQueue<DateTime>();
        var states = new ConcurrentQueue<JobState>();
        NewWorker(async (active, ct) =>
        {
            starts.Enqueue(DateTime.UtcNow);
            if (starts.Count == 1)
            {
                await active.MoveToDelayedAsync(TimeSpan.FromMilliseconds(400), ct);
                states.Enqueue(await queue.GetJobStateAsync(active.Job.Id));
                return "ignored";
            }
            return "done";
        });

        var id = await queue.AddAsync("postponed", null);
        var job = await events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal("done", job.ReturnValue!.Value.GetString());
        Assert.Equal([JobState.Delayed], states);
        Assert.Equal(1, job.AttemptsMade);
        Assert.Equal(2, job.AttemptsStarted);
        var times = starts.ToArray();
        Assert.Equal(2, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(380), $"gap {times[1] - times[0]}");
    }

    [Fact]
    public async Task A_processor_winding_down_after_moving_its_job_to_delayed_is_neither_cancelled_nor_told_its_lock_was_lost()
    {
        var queue = NewQueue();
        var windDown = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lockLost = 0;
        var worker = NewWorker(async (active, ct) =>
        {
            await active.MoveToDelayedAsync(TimeSpan.FromMinutes(1), ct);
            try
            {
                // Past several renewals and past most of the lock.
                await Task.Delay(TimeSpan.FromMilliseconds(600), ct);
                windDown.TrySetResult(true);
            }
            catch (OperationCanceledException)
            {
                windDown.TrySetResult(false);
            }
            return null;
        }, new WorkerOptions { LockDuration = TimeSpan.FromMilliseconds(400) });
        worker.LockLost += _ => Interlocked.Increment(ref lockLost);

        var id = await queue.AddAsync("postponed", null);

        Assert.True(await windDown.Task.WaitAsync(TimeSpan.FromSeconds(20)), "the processor was cancelled after moving its job to delayed");
        Assert.Equal(0, Volatile.Read(ref lockLost));
        Assert.Equal(JobState.Delayed, await queue.GetJobStateAsync(id));
    }

    [Fact]
    public async Task Exponential_backoff_doubles_the_wait_between_attempts()
    {
        var queue = NewQueue();
        var starts = new ConcurrentQueue<DateTime>();
        NewWorker((_, _) =>
        {
            starts.Enqueue(DateTime.UtcNow);
            throw new InvalidOperationException("always");
        });
        var id = await queue.AddAsync("doomed", null, new JobOptions
        {
            Attempts = 3,
            Backoff = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromMilliseconds(300)),
        });

        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Failed);
        var times = starts.ToArray();
        Assert.Equal(3, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(280), $"first gap {times[1] - times[0]}");
        Assert.True(times[2] - times[1] >= TimeSpan.FromMilliseconds(580), $"second gap {times[2] - times[1]}");
        var job = await queue.GetJobAsync(id);
        Assert.Equal(3, job!.AttemptsMade);
        Assert.Equal("always", job.FailedReason);
    }

    [Fact]
    public void Backoff_follows_the_BullMQ_formula_and_jitter_only_shortens_it()
    {
        var exponential = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromMilliseconds(1000));
        Assert.Equal(1000, Backoff.Compute(exponential, 1));
        Assert.Equal(4000, Backoff.Compute(exponential, 3));
        Assert.Equal(250, Backoff.Compute(new BackoffOptions(BackoffType.Fixed, TimeSpan.FromMilliseconds(250)), 5));
        Assert.Equal(0, Backoff.Compute(null, 2));
        var jittered = new BackoffOptions(BackoffType.Exponential, TimeSpan.FromMilliseconds(1000), 0.5);
        var samples = Enumerable.Range(0, 200).Select(_ => Backoff.Compute(jittered, 2)).ToList();
        Assert.All(samples, delay => Assert.InRange(delay, 1000, 1999));
        Assert.True(samples.Distinct().Count() > 10);
    }

    [Fact]
    public async Task Unrecoverable_exception_fails_the_job_at_once_without_retry()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        var calls = 0;
        NewWorker((_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new UnrecoverableException("bad credentials");
        });
        var id = await queue.AddAsync("login", null, new JobOptions { Attempts = 5, Backoff = new BackoffOptions(BackoffType.Fixed, TimeSpan.FromMilliseconds(10)) });

        var error = await Assert.ThrowsAsync<JobFailedException>(() => events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20)));
        Assert.Equal("bad credentials", error.Message);
        await Task.Delay(300);
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(1, (await queue.GetJobAsync(id))!.AttemptsMade);
    }

    private sealed record Order(string Sku, int Quantity);

    [Fact]
    public async Task Data_the_processor_cannot_read_fails_the_job_at_once_and_says_what_it_expected()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        var read = new ConcurrentQueue<Order>();
        NewWorker((job, _) =>
        {
            read.Enqueue(job.ReadData<Order>());
            return Task.FromResult<object?>(null);
        });
        var retried = new JobOptions { Attempts = 5, Backoff = new BackoffOptions(BackoffType.Fixed, TimeSpan.FromMilliseconds(10)) };
        var good = await queue.AddAsync("order", new Order("A-1", 2), retried);
        var bad = await queue.AddAsync("order", new[] { 1, 2 }, retried);

        await events.WaitUntilFinishedAsync(good, TimeSpan.FromSeconds(20));
        var error = await Assert.ThrowsAsync<JobFailedException>(() => events.WaitUntilFinishedAsync(bad, TimeSpan.FromSeconds(20)));

        Assert.Equal(new Order("A-1", 2), Assert.Single(read));
        Assert.Contains(nameof(Order), error.Message);
        Assert.Equal(1, (await queue.GetJobAsync(bad))!.AttemptsMade);
    }

    [Fact]
    public async Task Exhausted_retries_fail_the_job_and_emit_retries_exhausted()
    {
        var queue = NewQueue();
        var events = NewQueueEvents();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var exhausted = Task.Run(async () =>
        {
            await foreach (var e in events.ReadAllAsync("0", cts.Token))
            {
                if (e.Name == "retries-exhausted")
                {
                    return e;
                }
            }
            throw new TimeoutException();
        });
        NewWorker((_, _) => throw new InvalidOperationException("nope"));
        var id = await queue.AddAsync("x", null, new JobOptions { Attempts = 2 });

        var e = await exhausted;
        Assert.Equal(id, e.JobId);
        Assert.Equal("2", e.Fields["attemptsMade"]);
        Assert.Equal(JobState.Failed, await queue.GetJobStateAsync(id));
    }
}
