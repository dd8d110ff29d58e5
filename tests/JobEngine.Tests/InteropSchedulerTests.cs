using System.Collections.Concurrent;
using System.Text.Json.Nodes;

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

    [Fact]
    public async Task A_limited_scheduler_of_ours_makes_no_more_runs_than_its_limit_on_a_bullmq_worker()
    {
        var queue = NewQueue();
        await queue.UpsertJobSchedulerAsync("limited", new RepeatOptions { Every = TimeSpan.FromMilliseconds(300), Limit = 3 }, "limited", new { from = "ours" });

        var runs = await NodeAsync("work.js", "3");

        Assert.Equal(3, runs.Select(run => run["id"]!.GetValue<string>()).Distinct().Count());
        // BullMQ's worker queues the next run as it takes one, and counts the runs by the one it took.
        Assert.Empty(await queue.GetJobsAsync(JobState.Delayed));
        Assert.Empty(await queue.GetJobsAsync(JobState.Waiting));
    }

    [Fact]
    public async Task A_bullmq_scheduler_with_an_end_date_makes_no_run_past_it_on_our_worker_and_its_runs_keep_its_template()
    {
        var queue = NewQueue();
        var runs = new ConcurrentQueue<Job>();
        NewWorker((job, _) =>
        {
            runs.Enqueue(job.Job);
            return Task.FromResult<object?>(null);
        });

        await NodeAsync("act.js", "schedule", "ending", "300", "1500", """{"stackTraceLimit":1,"keepLogs":2,"sizeLimit":4096}""");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var made = runs.Count;
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.InRange(made, 2, 7);
        Assert.Equal(made, runs.Count);
        Assert.Empty(await queue.GetJobsAsync(JobState.Delayed));
        // Runs our worker queued carry every option of BullMQ's template, those our engine does not use too.
        var template = JsonNode.Parse((string)(await Db.HashGetAsync(K("repeat:ending"), "opts"))!)!.AsObject();
        Assert.Contains("stackTraceLimit", template.Select(option => option.Key));
        var later = JsonNode.Parse((string)(await Db.HashGetAsync(K(runs.Skip(1).First().Id), "opts"))!)!;
        Assert.All(template, option => Assert.True(JsonNode.DeepEquals(option.Value, later[option.Key]), $"the run has {option.Key} {later[option.Key]}, not {option.Value}"));
    }

    /// <summary>Distinct runs on the interval's grid; a run taken late skips the slots already past, as both engines realign.</summary>
    private static void AssertSlotsOfEvery(long everyMs, long[] slots) =>
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.Second > pair.First && (pair.Second - pair.First) % everyMs == 0,
            $"slots {string.Join(", ", slots)} are not on a {everyMs} ms grid"));
}
