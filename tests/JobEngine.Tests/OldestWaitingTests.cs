namespace BotSystem.JobEngine.Tests;

[Collection(RedisCollection.Name)]
public sealed class OldestWaitingTests(RedisServer redis) : EngineTest(redis)
{
    [Fact]
    public async Task Oldest_waiting_timestamp_is_that_of_the_job_waiting_longest_in_wait_or_prioritized()
    {
        var queue = NewQueue();
        Assert.Null(await queue.GetOldestWaitingSinceAsync());

        var olderId = await queue.AddAsync("older-prioritized", new { }, new JobOptions { Priority = 3 });
        await Task.Delay(50);
        await queue.AddAsync("newer", new { });

        var oldest = await queue.GetOldestWaitingSinceAsync();

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

        Assert.Equal((await queue.GetJobAsync(starvedId))!.Timestamp, await queue.GetOldestWaitingSinceAsync());
    }

    [Fact]
    public async Task A_delayed_job_promoted_has_waited_since_its_promotion_not_its_creation()
    {
        var queue = NewQueue();
        var id = await queue.AddAsync("later", new { }, new JobOptions { Delay = TimeSpan.FromMinutes(10) });
        await Task.Delay(300);

        var promotedAfter = DateTimeOffset.UtcNow.AddMilliseconds(-5);
        await queue.PromoteJobAsync(id);

        Assert.InRange((await queue.GetOldestWaitingSinceAsync())!.Value, promotedAfter, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_failed_job_an_operator_retries_has_waited_since_the_retry_not_its_creation()
    {
        var queue = NewQueue();
        var worker = NewWorker((_, _) => throw new InvalidOperationException("failed"));
        var id = await queue.AddAsync("flaky", new { });
        await Eventually(async () => await queue.GetJobStateAsync(id) == JobState.Failed);
        await worker.CloseAsync();
        await Task.Delay(300);

        var retriedAfter = DateTimeOffset.UtcNow.AddMilliseconds(-5);
        await queue.RetryJobAsync(id);

        Assert.InRange((await queue.GetOldestWaitingSinceAsync())!.Value, retriedAfter, DateTimeOffset.UtcNow);
    }
}
