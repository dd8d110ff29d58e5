
namespace BotSystem.JobEngine.Tests;

[Collection(SemaphoreCollection.Name)]
public sealed class SemaphoreCountsTests(RedisServer redis)
{
    private readonly string _name = "counts-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Counts_show_the_limit_the_holders_and_the_waiters()
    {
        var semaphore = new RedisSemaphore(redis.Connection, _name, 2, new RedisSemaphoreOptions { HolderName = "counter" });
        Assert.Equal(new SemaphoreCounts(2, 0, 0), await semaphore.GetCountsAsync());

        await using var first = await semaphore.AcquireAsync();
        await using var second = await semaphore.AcquireAsync();
        var waiters = Enumerable.Range(0, 3).Select(i => semaphore.AcquireAsync(priority: i)).ToArray();
        await Eventually.HoldsAsync(async () => (await semaphore.GetCountsAsync()).Waiters == 3, TimeSpan.FromSeconds(10), "three waiters are queued");

        Assert.Equal(new SemaphoreCounts(2, 2, 3), await semaphore.GetCountsAsync());
        var holders = await semaphore.GetHoldersAsync();
        Assert.Equal(new[] { first.Token, second.Token }.Order(), holders.Select(holder => holder.Token).Order());
        Assert.All(holders, holder =>
        {
            Assert.Equal("counter", holder.Holder);
            Assert.InRange(holder.ExpiresAt - holder.AcquiredAt, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(10));
        });

        await first.ReleaseAsync();
        var admitted = await Task.WhenAny(waiters).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Same(waiters[0], admitted);
        Assert.Equal(new SemaphoreCounts(2, 2, 2), await semaphore.GetCountsAsync());

        foreach (var waiter in waiters)
        {
            await using var lease = await waiter.WaitAsync(TimeSpan.FromSeconds(5));
        }
        Assert.Equal(new SemaphoreCounts(2, 1, 0), await semaphore.GetCountsAsync());
    }

    [Fact]
    public async Task Reading_the_counts_stores_no_limit_so_the_first_user_of_the_semaphore_sets_it()
    {
        // A reader configured otherwise, such as a gateway showing the counts, looks before any permit is taken.
        var reader = new RedisSemaphore(redis.Connection, _name, 7);
        Assert.Equal(new SemaphoreCounts(7, 0, 0), await reader.GetCountsAsync());

        var user = new RedisSemaphore(redis.Connection, _name, 2);
        await using var lease = await user.AcquireAsync();

        Assert.Equal(new SemaphoreCounts(2, 1, 0), await reader.GetCountsAsync());
    }

    [Fact]
    public async Task Raising_the_limit_admits_waiters_at_once_and_lowering_it_admits_nobody_until_holders_drop_below()
    {
        var semaphore = new RedisSemaphore(redis.Connection, _name, 1);
        var leases = new List<SemaphoreLease> { await semaphore.AcquireAsync() };
        var waiters = Enumerable.Range(0, 3).Select(_ => semaphore.AcquireAsync()).ToArray();
        await Eventually.HoldsAsync(async () => (await semaphore.GetCountsAsync()).Waiters == 3, TimeSpan.FromSeconds(10), "three waiters are queued");

        await semaphore.SetLimitAsync(4);

        leases.AddRange(await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(new SemaphoreCounts(4, 4, 0), await semaphore.GetCountsAsync());

        await semaphore.SetLimitAsync(2);
        await leases[0].ReleaseAsync();
        await leases[1].ReleaseAsync();
        Assert.Null(await semaphore.TryAcquireAsync());
        await leases[2].ReleaseAsync();
        await using var lease = await semaphore.TryAcquireAsync();
        Assert.NotNull(lease);
        Assert.Equal(new SemaphoreCounts(2, 2, 0), await semaphore.GetCountsAsync());
        await leases[3].ReleaseAsync();
    }

    [Fact]
    public async Task The_stored_limit_is_shared_by_every_handle_on_the_semaphore()
    {
        var first = new RedisSemaphore(redis.Connection, _name, 3);
        Assert.Equal(3, (await first.GetCountsAsync()).Limit);

        var second = new RedisSemaphore(redis.Connection, _name, 7);
        await first.SetLimitAsync(5);

        Assert.Equal(5, (await second.GetCountsAsync()).Limit);
    }
}
