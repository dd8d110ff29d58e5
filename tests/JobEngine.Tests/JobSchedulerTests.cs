using System.Collections.Concurrent;
using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

/// <summary>Runs on one redis-server and on a three-master cluster.</summary>
public abstract class JobSchedulerTests(EngineTarget target) : EngineTest(target)
{
    [Collection(RedisCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : JobSchedulerTests(EngineTarget.Server(redis));

    [Collection(RedisClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : JobSchedulerTests(EngineTarget.Cluster(cluster));

    [Fact]
    public async Task Every_scheduler_fires_each_slot_once_across_two_workers()
    {
        var queue = NewQueue();
        await queue.UpsertJobSchedulerAsync("tick", new RepeatOptions { Every = TimeSpan.FromMilliseconds(300) }, "tick", new { source = "scheduler" });
        var runs = new ConcurrentQueue<string>();
        var otherProcess = Track(await ConnectionMultiplexer.ConnectAsync(Target.ConnectionString));
        JobProcessor record = (job, _) =>
        {
            runs.Enqueue(job.Job.Id);
            return Task.FromResult<object?>(job.Job.Data.GetProperty("source").GetString());
        };
        NewWorker(record, new WorkerOptions { Concurrency = 3 });
        Track(new Worker(QueueName, otherProcess, record, new WorkerOptions { Concurrency = 3, Prefix = Prefix }));

        await Eventually(() => Task.FromResult(runs.Count >= 6), TimeSpan.FromSeconds(20));
        await Task.Delay(200);

        var ids = runs.ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.StartsWith("repeat:tick:", id));
        var slots = ids.Select(id => long.Parse(id["repeat:tick:".Length..])).Order().ToArray();
        Assert.All(slots, slot => Assert.Equal(0, slot % 300));
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 300));
        var scheduler = Assert.Single(await queue.GetJobSchedulersAsync());
        Assert.Equal("tick", scheduler.JobName);
        Assert.Equal(TimeSpan.FromMilliseconds(300), scheduler.Every);
        Assert.True(scheduler.Iterations >= 6);
    }

    [Fact]
    public async Task One_scheduler_is_read_by_its_id_as_the_list_shows_it()
    {
        var queue = NewQueue();
        await queue.UpsertJobSchedulerAsync("nightly", new RepeatOptions { Pattern = "0 0 * * *" }, "report", null);
        await queue.UpsertJobSchedulerAsync("tick", new RepeatOptions { Every = TimeSpan.FromMinutes(5) }, "tick", null);

        var listed = (await queue.GetJobSchedulersAsync()).ToDictionary(scheduler => scheduler.Id);
        var nightly = await queue.GetJobSchedulerAsync("nightly");
        var tick = await queue.GetJobSchedulerAsync("tick");

        Assert.Equal(listed["nightly"], nightly);
        Assert.Equal(listed["tick"], tick);
        Assert.Equal(new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(1), TimeSpan.Zero), nightly!.Next);
        Assert.Equal(TimeSpan.FromMinutes(5), tick!.Every);
        Assert.Null(await queue.GetJobSchedulerAsync("unknown"));
        Assert.True(await queue.RemoveJobSchedulerAsync("tick"));
        Assert.Null(await queue.GetJobSchedulerAsync("tick"));
    }

    [Fact]
    public async Task Upserting_an_unchanged_scheduler_again_does_not_queue_a_second_run()
    {
        var queue = NewQueue();
        var repeat = new RepeatOptions { Pattern = "0 0 * * *" };
        await queue.UpsertJobSchedulerAsync("nightly", repeat, "report", null);
        var restarted = new Queue(QueueName, Connection, new QueueOptions { Prefix = Prefix });
        await restarted.UpsertJobSchedulerAsync("nightly", repeat, "report", null);

        var delayed = await queue.GetJobsAsync(JobState.Delayed);
        var run = Assert.Single(delayed);
        var next = DateTimeOffset.UtcNow.Date.AddDays(1);
        Assert.Equal($"repeat:nightly:{new DateTimeOffset(next, TimeSpan.Zero).ToUnixTimeMilliseconds()}", run.Id);
        Assert.Equal("nightly", run.SchedulerId);
        var hash = (await Db.HashGetAllAsync(K("repeat:nightly"))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("report", hash["name"]);
        Assert.Equal("0 0 * * *", hash["pattern"]);
        Assert.Equal("1", hash["ic"]);

        await queue.UpsertJobSchedulerAsync("nightly", new RepeatOptions { Pattern = "0 12 * * *" }, "report", null);
        Assert.Single(await queue.GetJobsAsync(JobState.Delayed));
        Assert.NotEqual(run.Id, (await queue.GetJobsAsync(JobState.Delayed)).Single().Id);
    }

    [Fact]
    public async Task Changing_a_scheduler_removes_its_pending_run_that_was_already_due_and_waits_by_its_priority()
    {
        var queue = NewQueue();
        await queue.UpsertJobSchedulerAsync("urgent", new RepeatOptions { Pattern = "0 0 * * *" }, "report", null, new JobOptions { Priority = 5 });
        var run = Assert.Single(await queue.GetJobsAsync(JobState.Delayed));
        // Due, and taken out of delayed, but not taken by a worker yet.
        await queue.PromoteJobAsync(run.Id);
        Assert.Equal(JobState.Prioritized, await queue.GetJobStateAsync(run.Id));

        await queue.UpsertJobSchedulerAsync("urgent", new RepeatOptions { Pattern = "0 12 * * *" }, "report", null, new JobOptions { Priority = 5 });

        Assert.Equal(JobState.Unknown, await queue.GetJobStateAsync(run.Id));
        Assert.Empty(await queue.GetJobsAsync(JobState.Prioritized));
        Assert.NotEqual(run.Id, Assert.Single(await queue.GetJobsAsync(JobState.Delayed)).Id);
    }

    [Fact]
    public async Task Cron_scheduler_runs_every_second_and_stops_when_removed()
    {
        var queue = NewQueue();
        var runs = new ConcurrentQueue<DateTime>();
        NewWorker((_, _) =>
        {
            runs.Enqueue(DateTime.UtcNow);
            return Task.FromResult<object?>(null);
        });
        await queue.UpsertJobSchedulerAsync("second", new RepeatOptions { Pattern = "* * * * * *" }, "beat", null);

        await Eventually(() => Task.FromResult(runs.Count >= 2), TimeSpan.FromSeconds(20));
        Assert.True(await queue.RemoveJobSchedulerAsync("second"));
        var after = runs.Count;
        await Task.Delay(2500);

        Assert.InRange(runs.Count, after, after + 1);
        Assert.Empty(await queue.GetJobSchedulersAsync());
        Assert.False(await queue.RemoveJobSchedulerAsync("second"));
    }

    [Fact]
    public async Task Removing_a_scheduler_tells_which_state_its_pending_run_was_removed_from()
    {
        var queue = NewQueue();
        var every = new RepeatOptions { Every = TimeSpan.FromHours(1) };
        await queue.UpsertJobSchedulerAsync("later", every, "tick", null);
        await queue.UpsertJobSchedulerAsync("due", every, "tick", null);
        await queue.UpsertJobSchedulerAsync("urgent", every, "tick", null, new JobOptions { Priority = 5 });
        var runs = (await queue.GetJobsAsync(JobState.Delayed)).ToDictionary(run => run.SchedulerId!, run => run.Id);
        // Due, and taken out of delayed, but not taken by a worker yet.
        await queue.PromoteJobAsync(runs["due"]);
        await queue.PromoteJobAsync(runs["urgent"]);

        foreach (var schedulerId in runs.Keys)
        {
            Assert.True(await queue.RemoveJobSchedulerAsync(schedulerId));
        }

        var removed = (await Db.StreamRangeAsync(K("events")))
            .Where(entry => entry["event"] == "removed")
            .ToDictionary(entry => (string)entry["jobId"]!, entry => (string)entry["prev"]!);
        Assert.Equal(new Dictionary<string, string>
        {
            [runs["later"]] = "delayed", [runs["due"]] = "wait", [runs["urgent"]] = "prioritized",
        }, removed);
    }

    [Fact]
    public async Task Scheduler_stops_after_its_limit()
    {
        var queue = NewQueue();
        var runs = 0;
        NewWorker((_, _) =>
        {
            Interlocked.Increment(ref runs);
            return Task.FromResult<object?>(null);
        });
        await queue.UpsertJobSchedulerAsync("thrice", new RepeatOptions { Every = TimeSpan.FromMilliseconds(200), Limit = 3 }, "x", null);
        await Eventually(() => Task.FromResult(Volatile.Read(ref runs) == 3));
        await Task.Delay(800);
        Assert.Equal(3, Volatile.Read(ref runs));
    }

    [Fact]
    public async Task Invalid_repeat_options_are_rejected()
    {
        var queue = NewQueue();
        await Assert.ThrowsAsync<ArgumentException>(() => queue.UpsertJobSchedulerAsync("s", new RepeatOptions(), "x", null));
        await Assert.ThrowsAsync<ArgumentException>(() => queue.UpsertJobSchedulerAsync("s", new RepeatOptions { Pattern = "not cron" }, "x", null));
        await Assert.ThrowsAsync<ArgumentException>(() => queue.UpsertJobSchedulerAsync("s", new RepeatOptions { Pattern = "0 0 31 2 *" }, "x", null));
        await Assert.ThrowsAsync<ArgumentException>(() => queue.UpsertJobSchedulerAsync("a:b", new RepeatOptions { Every = TimeSpan.FromSeconds(1) }, "x", null));
    }

    [Fact]
    public void Interval_slots_keep_the_offset_of_a_scheduler_created_by_BullMQ()
    {
        var timing = SchedulerTiming.From(null, 500, null, 465, null);
        Assert.Equal(1465, timing.Next(965, 1000));
        Assert.Equal(10465, timing.Next(965, 10_200));
        Assert.Equal(1000, SchedulerTiming.From(new RepeatOptions { Every = TimeSpan.FromMilliseconds(500) }).First(700));
    }
}
