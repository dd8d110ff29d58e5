using System.Collections.Concurrent;

namespace BotSystem.JobEngine.Tests;

[Collection(RedisClusterCollection.Name)]
public sealed class SemaphoreClusterTests(RedisCluster cluster)
{
    [Theory]
    [InlineData("botsystem:semaphore")]
    [InlineData("{botsystem}:semaphore")]
    public async Task On_a_cluster_the_limit_priorities_and_wake_ups_work_as_on_one_server(string prefix)
    {
        var semaphore = new RedisSemaphore(cluster.Connection, "cluster-" + Guid.NewGuid().ToString("N"), 2,
            new RedisSemaphoreOptions { Prefix = prefix, LeaseTime = TimeSpan.FromSeconds(30) });
        var holders = new[] { await semaphore.AcquireAsync(), await semaphore.AcquireAsync() };
        var admitted = new ConcurrentQueue<int>();
        var waiters = new List<Task>();
        foreach (var priority in new[] { 3, 1, 2 })
        {
            waiters.Add(Task.Run(async () =>
            {
                await using var lease = await semaphore.AcquireAsync(priority);
                admitted.Enqueue(priority);
            }));
            var queued = waiters.Count;
            await Eventually.HoldsAsync(async () => (await semaphore.GetCountsAsync()).Waiters == queued, TimeSpan.FromSeconds(10), "the waiter is queued");
        }
        Assert.Equal(new SemaphoreCounts(2, 2, 3), await semaphore.GetCountsAsync());
        Assert.Equal(2, (await semaphore.GetHoldersAsync()).Count);

        await holders[0].ReleaseAsync();

        // Heartbeats are 10 s apart, so only a wake-up through the cluster's pub/sub admits them this fast.
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2, 3], admitted);
        await holders[1].ReleaseAsync();
        Assert.Equal(new SemaphoreCounts(2, 0, 0), await semaphore.GetCountsAsync());
    }
}
