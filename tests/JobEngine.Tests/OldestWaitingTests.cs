namespace BotSystem.JobEngine.Tests;

[Collection(RedisCollection.Name)]
public sealed class OldestWaitingTests(RedisServer redis) : EngineTest(redis)
{
    [Fact]
    public async Task Oldest_waiting_timestamp_is_that_of_the_job_waiting_longest_in_wait_or_prioritized()
    {
        var queue = NewQueue();
        Assert.Null(await queue.GetOldestWaitingTimestampAsync());

        var olderId = await queue.AddAsync("older-prioritized", new { }, new JobOptions { Priority = 3 });
        await Task.Delay(50);
        await queue.AddAsync("newer", new { });

        var oldest = await queue.GetOldestWaitingTimestampAsync();

        Assert.Equal((await queue.GetJobAsync(olderId))!.Timestamp, oldest);
    }
}
