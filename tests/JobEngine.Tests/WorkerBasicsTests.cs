using System.Collections.Concurrent;
using System.Text.Json;

namespace BotSystem.JobEngine.Tests;

[Collection(RedisCollection.Name)]
public sealed class WorkerBasicsTests(RedisServer redis) : EngineTest(redis)
{
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
        await Task.Delay(500);
        var clients = (string)(await Db.ExecuteAsync("CLIENT", "LIST"))!;
        var expectedName = $"bull:{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(QueueName))}:w:idler";
        Assert.Contains($"name={expectedName} ", clients);
        Assert.Contains("cmd=bzpopmin", clients);

        var added = DateTime.UtcNow;
        await queue.AddAsync("wake", null);

        var at = await processed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(at - added < TimeSpan.FromSeconds(2), $"woke after {at - added}");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
