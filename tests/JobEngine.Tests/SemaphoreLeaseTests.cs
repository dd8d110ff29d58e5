using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

[Collection(SemaphoreCollection.Name)]
public sealed class SemaphoreLeaseTests(RedisServer redis)
{
    // Long enough that a renewal delayed by a busy machine (every third of it) still lands in time.
    private static readonly TimeSpan ShortLease = TimeSpan.FromSeconds(2);

    private readonly string _name = "lease-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_held_lease_is_renewed_beyond_its_lease_time()
    {
        var semaphore = new RedisSemaphore(redis.Connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = ShortLease });
        await using var lease = await semaphore.AcquireAsync();

        await Task.Delay(ShortLease * 2);

        Assert.False(lease.Lost.IsCancellationRequested);
        Assert.Null(await semaphore.TryAcquireAsync());
        Assert.Equal(new SemaphoreCounts(1, 1, 0), await semaphore.GetCountsAsync());
    }

    [Fact]
    public async Task The_permit_of_a_crashed_holder_returns_when_its_lease_runs_out()
    {
        var crashingConnection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var crashing = new RedisSemaphore(crashingConnection, _name, 1, new RedisSemaphoreOptions { LeaseTime = ShortLease });
        await crashing.AcquireAsync();
        var semaphore = new RedisSemaphore(redis.Connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = TimeSpan.FromSeconds(30) });
        await Task.Delay(ShortLease / 2);
        var expiryBeforeCrash = Assert.Single(await semaphore.GetHoldersAsync()).ExpiresAt;

        await crashingConnection.DisposeAsync();
        var crashedAt = DateTimeOffset.UtcNow;
        await using var lease = await semaphore.AcquireAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var admittedAt = DateTimeOffset.UtcNow;

        // Not before the lease ran out (a last renewal may only have pushed it later), and within the lease time.
        Assert.InRange(admittedAt, expiryBeforeCrash, crashedAt + ShortLease + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_waiter_waits_out_a_redis_that_stops_answering_and_is_admitted_once_the_permit_is_free()
    {
        var semaphore = new RedisSemaphore(redis.Connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = ShortLease });
        var holder = await semaphore.AcquireAsync();
        var waiting = semaphore.AcquireAsync();
        await Task.Delay(ShortLease / 2);

        // Longer than the client waits for an answer: the waiter's heartbeats meanwhile time out, and the holder's lease,
        // which cannot be renewed, runs out in Redis.
        await redis.FreezeAsync(TimeSpan.FromSeconds(8));

        await using var lease = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(holder.Lost.IsCancellationRequested);
        Assert.Equal(new SemaphoreCounts(1, 1, 0), await semaphore.GetCountsAsync());
    }

    [Fact]
    public async Task An_acquire_repeated_after_its_answer_was_lost_gets_the_permit_it_took_instead_of_queueing_for_another()
    {
        var scripts = new SemaphoreScripts(redis.Connection, new SemaphoreKeys(new RedisSemaphoreOptions().Prefix, _name), 1);
        var leaseTime = TimeSpan.FromSeconds(30);
        Assert.True((await scripts.AcquireAsync("token", "holder", leaseTime, "waiter", 0)).Admitted);

        // The same call again, as a caller whose first answer never arrived sends it.
        Assert.True((await scripts.AcquireAsync("token", "holder", leaseTime, "waiter", 0)).Admitted);

        Assert.Equal(new SemaphoreCounts(1, 1, 0), await scripts.CountsAsync());
    }

    [Fact]
    public async Task A_caller_giving_up_after_an_acquire_whose_answer_was_lost_leaves_no_permit_taken()
    {
        // Calls time out in a second, and the lease of a permit left behind would last far longer than the test.
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},asyncTimeout=1000,syncTimeout=1000");
        var semaphore = new RedisSemaphore(connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = TimeSpan.FromSeconds(60) });
        // Subscribed to wake-ups and with its scripts loaded before Redis stops answering.
        await (await semaphore.AcquireAsync()).ReleaseAsync();

        // The acquire reaches Redis, which takes the permit for it once it answers again, after the caller gave up.
        var freeze = redis.FreezeAsync(TimeSpan.FromSeconds(4));
        using var givingUp = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<Exception>(() => semaphore.AcquireAsync(ct: givingUp.Token));
        await freeze;

        var counts = await semaphore.GetCountsAsync();
        Assert.True(counts.Holders == 0, $"{counts.Holders} permit(s) taken by a caller that gave up");
        await using var next = await semaphore.TryAcquireAsync();
        Assert.NotNull(next);
    }

    [Fact]
    public async Task Lost_fires_when_the_lease_disappears_from_redis()
    {
        var semaphore = new RedisSemaphore(redis.Connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = ShortLease });
        var lease = await semaphore.AcquireAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");

        // As after a failover to a replica that had not yet received the lease.
        await admin.GetServer(redis.ConnectionString).FlushDatabaseAsync();
        var lost = new TaskCompletionSource();
        using var registration = lease.Lost.Register(lost.SetResult);

        await lost.Task.WaitAsync(ShortLease);
        await using var next = await semaphore.TryAcquireAsync();
        Assert.NotNull(next);
        await lease.ReleaseAsync();
        Assert.Equal(new SemaphoreCounts(1, 1, 0), await semaphore.GetCountsAsync());
    }

    [Fact]
    public async Task A_restarted_process_reattaches_to_a_still_valid_lease_and_keeps_it()
    {
        var crashingConnection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var crashing = new RedisSemaphore(crashingConnection, _name, 1, new RedisSemaphoreOptions { LeaseTime = ShortLease, HolderName = "before-restart" });
        var token = (await crashing.AcquireAsync()).Token;
        await crashingConnection.DisposeAsync();
        var restarted = new RedisSemaphore(redis.Connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = ShortLease, HolderName = "after-restart" });

        var lease = await restarted.ReattachAsync(token);

        Assert.NotNull(lease);
        Assert.Equal(token, lease.Token);
        await Task.Delay(ShortLease * 2);
        Assert.False(lease.Lost.IsCancellationRequested);
        Assert.Null(await restarted.TryAcquireAsync());
        var holder = Assert.Single(await restarted.GetHoldersAsync());
        Assert.Equal((token, "after-restart"), (holder.Token, holder.Holder));
        await lease.ReleaseAsync();
        Assert.Null(await restarted.ReattachAsync(token));
    }

    [Fact]
    public async Task A_detached_lease_keeps_its_permit_for_a_process_taking_it_over_and_returns_it_when_nobody_does()
    {
        var semaphore = new RedisSemaphore(redis.Connection, _name, 1, new RedisSemaphoreOptions { LeaseTime = ShortLease });
        var handedOver = await semaphore.AcquireAsync();
        await handedOver.DetachAsync();
        await handedOver.ReleaseAsync();

        Assert.Null(await semaphore.TryAcquireAsync());
        var takenOver = await semaphore.ReattachAsync(handedOver.Token);
        Assert.NotNull(takenOver);
        await takenOver.DetachAsync();

        var detachedAt = DateTimeOffset.UtcNow;
        await using var next = await semaphore.AcquireAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(DateTimeOffset.UtcNow - detachedAt > ShortLease / 2, "the permit came back before its lease ran out");
    }

    [Fact]
    public async Task Reattaching_to_a_lease_that_ran_out_returns_null()
    {
        var crashingConnection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var crashing = new RedisSemaphore(crashingConnection, _name, 1, new RedisSemaphoreOptions { LeaseTime = TimeSpan.FromMilliseconds(300) });
        var token = (await crashing.AcquireAsync()).Token;
        await crashingConnection.DisposeAsync();
        var restarted = new RedisSemaphore(redis.Connection, _name, 1);

        await Task.Delay(TimeSpan.FromMilliseconds(800));

        Assert.Null(await restarted.ReattachAsync(token));
        Assert.Equal(new SemaphoreCounts(1, 0, 0), await restarted.GetCountsAsync());
    }
}
