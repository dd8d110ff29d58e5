using StackExchange.Redis;

namespace BotSystem.JobEngine.Tests;

[Collection(RedisCollection.Name)]
public sealed class BadInputTests(RedisServer redis) : EngineTest(redis)
{
    private sealed class Cyclic
    {
        public Cyclic? Self { get; set; }
    }

    [Fact]
    public async Task Data_that_does_not_serialize_is_rejected_naming_the_problem()
    {
        var queue = NewQueue();
        var cyclic = new Cyclic();
        cyclic.Self = cyclic;
        var error = await Assert.ThrowsAsync<ArgumentException>(() => queue.AddAsync("x", cyclic));
        Assert.Contains("cannot be serialized to JSON", error.Message);
        Assert.Equal("data", error.ParamName);
        Assert.False(await Db.KeyExistsAsync(K("id")));
    }

    [Fact]
    public async Task Data_over_the_size_limit_is_rejected()
    {
        var queue = NewQueue(new QueueOptions { MaxJobDataBytes = 1000 });
        var error = await Assert.ThrowsAsync<JobDataTooLargeException>(() => queue.AddAsync("x", new string('a', 2000)));
        Assert.Contains("over the limit of 1000 bytes", error.Message);
        Assert.Equal((2002, 1000), (error.Bytes, error.MaxBytes));
        await queue.AddAsync("x", new string('a', 900));
        var defaultQueue = NewQueue();
        await Assert.ThrowsAsync<JobDataTooLargeException>(() => defaultQueue.AddAsync("x", new string('a', 513 * 1024)));
        Assert.Throws<JobDataTooLargeException>(() => defaultQueue.CheckJobData(new string('a', 513 * 1024)));
    }

    [Fact]
    public async Task Non_ascii_and_html_characters_are_stored_as_themselves_not_escaped_to_several_times_their_size()
    {
        var queue = NewQueue(new QueueOptions { MaxJobDataBytes = 1000 });
        // 800 bytes of UTF-8; escaped as \u0436 and \u003C each, they were 2 400 and 1 200.
        var text = new string('ж', 400);
        var markup = string.Concat(Enumerable.Repeat("<>&'+", 40));

        var textId = await queue.AddAsync("x", text);
        var markupId = await queue.AddAsync("x", markup);

        Assert.Equal($"\"{text}\"", (string?)await Db.HashGetAsync(K(textId), "data"));
        Assert.Equal($"\"{markup}\"", (string?)await Db.HashGetAsync(K(markupId), "data"));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"backoff":1e300}""")]
    public async Task A_job_whose_options_another_producer_wrote_unreadably_fails_and_the_worker_goes_on(string opts)
    {
        var queue = NewQueue();
        await Db.HashSetAsync(K("bad"), [new("name", "bad"), new("data", "{}"), new("opts", opts), new("timestamp", 1)]);
        await Db.ListLeftPushAsync(K("wait"), "bad");
        var processed = new List<string>();
        var worker = NewWorker((job, _) =>
        {
            lock (processed)
            {
                processed.Add(job.Job.Id);
            }
            return Task.FromResult<object?>(null);
        });
        var good = await queue.AddAsync("good", null);

        await Eventually(async () => await queue.GetJobStateAsync(good) == JobState.Completed, because: "the worker stopped at the unreadable job");
        await Eventually(async () => await queue.GetJobStateAsync("bad") == JobState.Failed);
        Assert.Contains("options cannot be read", (await queue.GetJobAsync("bad"))!.FailedReason);
        Assert.Equal([good], processed);
        Assert.True(worker.IsRunning);
        await worker.CloseAsync();
    }

    [Theory]
    [InlineData("negative delay", "Delay must not be negative")]
    [InlineData("zero attempts", "Attempts must be at least 1")]
    [InlineData("id with colon", "must not contain ':'")]
    [InlineData("empty id", "JobId must not be empty")]
    [InlineData("integer id", "must not be an integer")]
    [InlineData("priority too high", "Priority must be between")]
    public async Task Invalid_options_are_rejected_with_an_argument_exception(string problem, string expected)
    {
        var options = problem switch
        {
            "negative delay" => new JobOptions { Delay = TimeSpan.FromSeconds(-1) },
            "zero attempts" => new JobOptions { Attempts = 0 },
            "id with colon" => new JobOptions { JobId = "a:b" },
            "empty id" => new JobOptions { JobId = "" },
            "integer id" => new JobOptions { JobId = "42" },
            _ => new JobOptions { Priority = 3_000_000 },
        };
        var queue = NewQueue();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => queue.AddAsync("x", null, options));
        Assert.Contains(expected, error.Message);
        var bulk = await Assert.ThrowsAsync<ArgumentException>(() => queue.AddBulkAsync([new BulkJob("ok", null), new BulkJob("bad", null, options)]));
        Assert.Contains(expected, bulk.Message);
        Assert.Equal(0, await Db.ListLengthAsync(K("wait")));
    }

    [Fact]
    public void Queue_name_with_a_colon_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new Queue("a:b", Connection));
        Assert.Contains("must not contain ':'", error.Message);
    }

    [Fact]
    public async Task Unreachable_redis_fails_fast_with_a_clear_exception_of_its_own_type()
    {
        await using var nowhere = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{FreePort.Next()},abortConnect=false,connectTimeout=500");
        var queue = new Queue(QueueName, nowhere);
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.AddAsync("x", null));
        Assert.Contains("Redis is unreachable", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.GetJobCountsAsync());
        await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.GetJobAsync("1"));
    }
}
