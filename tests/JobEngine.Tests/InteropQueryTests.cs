using System.Text.Json;
using System.Text.Json.Nodes;

namespace BotSystem.JobEngine.Tests;

/// <summary>BullMQ's getJobCounts, getJobs, getJob, getState and getJobLogs agree with ours for jobs in every state, whichever side made them. Runs on one redis-server and on a three-master cluster.</summary>
public abstract class InteropQueryTests(EngineTarget target) : InteropTest(target)
{
    [Collection(InteropCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : InteropQueryTests(EngineTarget.Server(redis));

    [Collection(InteropCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : InteropQueryTests(EngineTarget.Cluster(cluster));

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
}
