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

    [Fact]
    public async Task A_job_starved_behind_better_priorities_is_the_oldest_waiting()
    {
        var queue = NewQueue();
        var starvedId = await queue.AddAsync("starved", new { }, new JobOptions { Priority = 50 });
        await Task.Delay(50);
        foreach (var priority in (int[])[7, 1, 7, 20])
        {
            await queue.AddAsync("better", new { }, new JobOptions { Priority = priority });
        }
        await queue.AddAsync("plain", new { });

        Assert.Equal((await queue.GetJobAsync(starvedId))!.Timestamp, await queue.GetOldestWaitingTimestampAsync());
    }
}
