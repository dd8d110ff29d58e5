namespace BotSystem.JobEngine.Tests;

/// <summary>On a cluster a queue's keys must share one slot, which only a hash tag in the prefix or queue name gives.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterHashTagTests(RedisCluster cluster)
{
    [Fact]
    public void Queue_and_worker_without_a_hash_tag_are_refused_naming_the_prefix()
    {
        var name = "q" + Guid.NewGuid().ToString("N")[..12];

        var queueError = Assert.Throws<ArgumentException>(() => new Queue(name, cluster.Connection));
        var workerError = Assert.Throws<ArgumentException>(() =>
            new Worker(name, cluster.Connection, (_, _) => Task.FromResult<object?>(null), new WorkerOptions { Prefix = "jobs", Autorun = false }));

        Assert.Equal("Prefix", queueError.ParamName);
        Assert.Contains("'bull'", queueError.Message);
        Assert.Contains("hash tag", queueError.Message);
        Assert.Contains("'jobs'", workerError.Message);
    }

    [Fact]
    public async Task Hash_tag_in_the_queue_name_is_enough()
    {
        var name = "{q" + Guid.NewGuid().ToString("N")[..12] + "}";
        var queue = new Queue(name, cluster.Connection);
        await using var worker = new Worker(name, cluster.Connection, (job, _) => Task.FromResult<object?>(job.Job.Data.GetProperty("n").GetInt32() * 2));
        await using var events = new QueueEvents(name, cluster.Connection);

        var id = await queue.AddAsync("double", new { n = 21 }, new JobOptions { Priority = 2 });
        var job = await events.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(20));

        Assert.Equal(42, job.ReturnValue!.Value.GetInt32());
    }
}
