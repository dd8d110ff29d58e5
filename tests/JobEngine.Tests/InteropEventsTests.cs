using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace BotSystem.JobEngine.Tests;

/// <summary>BullMQ's QueueEvents follows our jobs and our QueueEvents follows BullMQ's. Runs on one redis-server and on a three-master cluster.</summary>
public abstract class InteropEventsTests(EngineTarget target) : InteropTest(target)
{
    [Collection(InteropCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : InteropEventsTests(EngineTarget.Server(redis));

    [Collection(InteropCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : InteropEventsTests(EngineTarget.Cluster(cluster));

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
        var producing = NodeAsync("produce.js");
        // A wait for a job that is not there yet fails at once, as BullMQ's does.
        await Eventually(async () => await Db.KeyExistsAsync(K("node-ok")) && await Db.KeyExistsAsync(K("node-fail")), TimeSpan.FromSeconds(60));
        var ok = events.WaitUntilFinishedAsync("node-ok", TimeSpan.FromSeconds(60));
        var failing = Assert.ThrowsAsync<JobFailedException>(() => events.WaitUntilFinishedAsync("node-fail", TimeSpan.FromSeconds(60)));

        await producing;

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

    [Fact]
    public async Task Removing_a_job_names_the_state_it_left_as_bullmq_does()
    {
        var queue = NewQueue();
        var worker = NewWorker((active, _) => active.Job.Name == "fails"
            ? throw new InvalidOperationException("fails")
            : Task.FromResult<object?>(null));
        // Two jobs in each state: we remove the first, BullMQ the second.
        var pairs = new Dictionary<string, string[]>
        {
            ["completed"] = [await queue.AddAsync("completes", null), await queue.AddAsync("completes", null)],
            ["failed"] = [await queue.AddAsync("fails", null), await queue.AddAsync("fails", null)],
        };
        await Eventually(async () => (await queue.GetJobCountsAsync(default, JobState.Completed, JobState.Failed)).Values.All(count => count == 2));
        await worker.CloseAsync();
        pairs["waiting"] = [await queue.AddAsync("waits", null), await queue.AddAsync("waits", null)];
        var later = new JobOptions { Delay = TimeSpan.FromHours(1) };
        pairs["delayed"] = [await queue.AddAsync("later", null, later), await queue.AddAsync("later", null, later)];
        var urgent = new JobOptions { Priority = 3 };
        pairs["prioritized"] = [await queue.AddAsync("urgent", null, urgent), await queue.AddAsync("urgent", null, urgent)];

        foreach (var pair in pairs.Values)
        {
            Assert.True(await queue.RemoveJobAsync(pair[0]));
        }
        await NodeAsync("act.js", ["remove", .. pairs.Values.Select(pair => pair[1])]);

        var prev = (await Db.StreamRangeAsync(K("events")))
            .Where(entry => entry["event"] == "removed")
            .ToDictionary(entry => (string)entry["jobId"]!, entry => (string)entry["prev"]!);
        Assert.Equal(pairs.ToDictionary(pair => pair.Key, pair => prev[pair.Value[1]]), pairs.ToDictionary(pair => pair.Key, pair => prev[pair.Value[0]]));
    }

    private static IEnumerable<string> EventNames(IEnumerable<JsonNode> events, string jobId) =>
        events.Where(e => e["args"]!["jobId"]?.GetValue<string>() == jobId).Select(e => e["event"]!.GetValue<string>()).ToList();

    private static JsonNode Args(IEnumerable<JsonNode> events, string jobId, string name) =>
        events.Single(e => e["event"]!.GetValue<string>() == name && e["args"]!["jobId"]?.GetValue<string>() == jobId)["args"]!;
}
