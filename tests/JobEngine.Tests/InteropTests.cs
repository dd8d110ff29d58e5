using System.Text.Json;
using System.Text.Json.Nodes;

namespace BotSystem.JobEngine.Tests;

/// <summary>Our engine and the real BullMQ 6.2.0 (Node, from npm) on the same Redis queues.</summary>
[Collection(RedisCollection.Name)]
public sealed class InteropTests(RedisServer redis) : EngineTest(redis)
{
    private static string Script(string name) => Path.Combine(RepositoryPaths.Root, "tests", "node", "interop", name);

    [Fact]
    public async Task Job_added_by_bullmq_is_processed_by_our_worker_with_name_data_priority_and_attempts_honoured()
    {
        var added = await CommandLine.RunAsync("node",
            [Script("add.js"), Redis.Port.ToString(), QueueName, "from-node", """{"answer":42}""", """{"priority":3,"attempts":2,"backoff":{"type":"fixed","delay":10}}"""]);
        Assert.True(added.ExitCode == 0, added.Output);
        var id = JsonNode.Parse(added.Output.Trim().Split('\n')[^1])!["id"]!.GetValue<string>();
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

        var run = await CommandLine.RunAsync("node", [Script("work.js"), Redis.Port.ToString(), QueueName, "3"], timeout: TimeSpan.FromSeconds(60));

        Assert.True(run.ExitCode == 0, run.Output);
        var completed = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith('{')).Select(line => JsonNode.Parse(line)!).ToDictionary(job => job["id"]!.GetValue<string>());
        Assert.Equal(1, completed[plain]["data"]!["n"]!.GetValue<int>());
        Assert.Equal(5, completed[prioritized]["priority"]!.GetValue<int>());
        Assert.Equal("delayed", completed[delayed]["name"]!.GetValue<string>());
        var finished = await queue.GetJobAsync(prioritized);
        Assert.Equal(JobState.Completed, await queue.GetJobStateAsync(prioritized));
        Assert.Equal("bullmq", finished!.ReturnValue!.Value.GetProperty("by").GetString());
        Assert.Equal(JsonValueKind.Object, finished.ReturnValue.Value.GetProperty("echoed").ValueKind);
    }
}
