
namespace BotSystem.JobEngine.Tests;

[Collection(SemaphoreCollection.Name)]
public sealed class SemaphoreInputTests(RedisServer redis)
{
    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("bad{tag}")]
    public void A_name_that_cannot_be_a_hash_tag_is_rejected(string name)
    {
        var exception = Assert.ThrowsAny<ArgumentException>(() => new RedisSemaphore(redis.Connection, name, 1));
        Assert.Equal("name", exception.ParamName);
    }

    [Fact]
    public void A_negative_limit_is_rejected()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new RedisSemaphore(redis.Connection, "input", -1));
        Assert.Equal("limit", exception.ParamName);
    }

    [Fact]
    public void A_lease_time_too_short_to_renew_is_rejected()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            new RedisSemaphore(redis.Connection, "input", 1, new RedisSemaphoreOptions { LeaseTime = TimeSpan.FromMilliseconds(10) }));
        Assert.Contains("LeaseTime", exception.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(RedisSemaphore.MaxPriority + 1)]
    public async Task A_priority_outside_the_bullmq_range_is_rejected(int priority)
    {
        var semaphore = new RedisSemaphore(redis.Connection, "input", 1);

        var exception = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => semaphore.AcquireAsync(priority));
        Assert.Equal("priority", exception.ParamName);
    }

    [Fact]
    public async Task A_negative_new_limit_and_an_empty_token_are_rejected()
    {
        var semaphore = new RedisSemaphore(redis.Connection, "input", 1);

        Assert.Equal("limit", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => semaphore.SetLimitAsync(-2))).ParamName);
        Assert.Equal("token", (await Assert.ThrowsAnyAsync<ArgumentException>(() => semaphore.ReattachAsync(""))).ParamName);
    }
}
