using System.Collections.Concurrent;

namespace BotSystem.JobEngine.Tests;

/// <summary>Job schedulers made on one side keep firing on the workers of the other. Runs on one redis-server and on a three-master cluster.</summary>
public abstract class InteropSchedulerTests(EngineTarget target) : InteropTest(target)
{
    [Collection(InteropCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : InteropSchedulerTests(EngineTarget.Server(redis));

    [Collection(InteropCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : InteropSchedulerTests(EngineTarget.Cluster(cluster));

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

    /// <summary>Distinct runs on the interval's grid; a run taken late skips the slots already past, as both engines realign.</summary>
    private static void AssertSlotsOfEvery(long everyMs, long[] slots) =>
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.Second > pair.First && (pair.Second - pair.First) % everyMs == 0,
            $"slots {string.Join(", ", slots)} are not on a {everyMs} ms grid"));
}
