using System.Collections.Concurrent;
using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

/// <summary>Runs on one redis-server and on a three-master cluster.</summary>
public abstract class SemaphoreAdmissionTests(EngineTarget target) : EngineTest(target)
{
    [Collection(SemaphoreCollection.Name)]
    public sealed class OnOneServer(RedisServer redis) : SemaphoreAdmissionTests(EngineTarget.Server(redis));

    [Collection(RedisClusterCollection.Name)]
    public sealed class OnCluster(RedisCluster cluster) : SemaphoreAdmissionTests(EngineTarget.Cluster(cluster));

    private readonly string _name = "admission-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Many_concurrent_acquirers_on_several_connections_never_exceed_the_limit()
    {
        const int limit = 3;
        var connections = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ConnectionMultiplexer.ConnectAsync(Target.ConnectionString)));
        try
        {
            var semaphores = connections.Select(connection => new RedisSemaphore(connection, _name, limit)).ToArray();
            var inside = 0;
            var mostInside = 0;
            var completed = 0;

            await Task.WhenAll(Enumerable.Range(0, 45).Select(async i =>
            {
                await using var lease = await semaphores[i % semaphores.Length].AcquireAsync(priority: i % 4);
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref mostInside, now);
                await Task.Delay(Random.Shared.Next(5, 25));
                Interlocked.Decrement(ref inside);
                Interlocked.Increment(ref completed);
            }));

            Assert.Equal(45, completed);
            Assert.Equal(limit, mostInside);
            Assert.Equal(new SemaphoreCounts(limit, 0, 0), await semaphores[0].GetCountsAsync());
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Waiters_are_admitted_by_priority_and_first_come_first_served_within_one()
    {
        var semaphore = new RedisSemaphore(Connection, _name, 1);
        var holder = await semaphore.AcquireAsync();
        var admitted = new ConcurrentQueue<string>();
        var waiters = new List<Task>();
        foreach (var (name, priority) in new (string, int)[] { ("a", 5), ("b", 1), ("c", 5), ("d", 1), ("e", 0), ("f", 3), ("g", 1) })
        {
            waiters.Add(Task.Run(async () =>
            {
                await using var lease = await semaphore.AcquireAsync(priority);
                admitted.Enqueue(name);
            }));
            var queued = waiters.Count;
            await Eventually(async () => (await semaphore.GetCountsAsync()).Waiters == queued, TimeSpan.FromSeconds(10), $"{name} is queued");
        }

        await holder.ReleaseAsync();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(["e", "b", "d", "g", "f", "a", "c"], admitted);
    }

    [Fact]
    public async Task Try_acquire_does_not_take_a_permit_promised_to_a_waiter()
    {
        var semaphore = new RedisSemaphore(Connection, _name, 2);
        var first = await semaphore.AcquireAsync();
        await using var second = await semaphore.AcquireAsync();
        var waiter = semaphore.AcquireAsync();
        await Eventually(async () => (await semaphore.GetCountsAsync()).Waiters == 1, TimeSpan.FromSeconds(10), "the waiter is queued");

        await first.ReleaseAsync();

        Assert.Null(await semaphore.TryAcquireAsync());
        await using var promised = await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(await semaphore.TryAcquireAsync());
    }

    [Fact]
    public async Task Try_acquire_takes_a_free_permit_and_returns_null_when_none_is_free()
    {
        var semaphore = new RedisSemaphore(Connection, _name, 1);

        var lease = await semaphore.TryAcquireAsync();

        Assert.NotNull(lease);
        Assert.Null(await semaphore.TryAcquireAsync());
        await lease.ReleaseAsync();
        await using var again = await semaphore.TryAcquireAsync();
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_the_next_one_moves_up()
    {
        var semaphore = new RedisSemaphore(Connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = TimeSpan.FromSeconds(30) });
        var holder = await semaphore.AcquireAsync();
        using var cancellation = new CancellationTokenSource();
        var cancelled = semaphore.AcquireAsync(priority: 1, cancellation.Token);
        await Eventually(async () => (await semaphore.GetCountsAsync()).Waiters == 1, TimeSpan.FromSeconds(10), "the first waiter is queued");
        var next = semaphore.AcquireAsync(priority: 1);
        await Eventually(async () => (await semaphore.GetCountsAsync()).Waiters == 2, TimeSpan.FromSeconds(10), "the second waiter is queued");

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(new SemaphoreCounts(1, 1, 1), await semaphore.GetCountsAsync());
        await holder.ReleaseAsync();
        await using var lease = await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_waiter_whose_process_died_is_dropped_and_does_not_block_those_behind_it()
    {
        var semaphore = new RedisSemaphore(Connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = TimeSpan.FromSeconds(30) });
        var holder = await semaphore.AcquireAsync();
        var doomedConnection = await ConnectionMultiplexer.ConnectAsync(Target.ConnectionString);
        var doomed = new RedisSemaphore(doomedConnection, _name, 1, new RedisSemaphoreOptions { LeaseTime = TimeSpan.FromMilliseconds(600) });
        var doomedWaiter = doomed.AcquireAsync();
        await Eventually(async () => (await semaphore.GetCountsAsync()).Waiters == 1, TimeSpan.FromSeconds(10), "the doomed waiter is queued");
        var survivor = semaphore.AcquireAsync();
        await Eventually(async () => (await semaphore.GetCountsAsync()).Waiters == 2, TimeSpan.FromSeconds(10), "the surviving waiter is queued");

        await doomedConnection.DisposeAsync();
        await holder.ReleaseAsync();

        // The survivor's own heartbeat is 10 s away; it is admitted when the dead waiter's heartbeat runs out.
        await using var lease = await survivor.WaitAsync(TimeSpan.FromSeconds(4));
        await Assert.ThrowsAnyAsync<Exception>(() => doomedWaiter);
    }
}
