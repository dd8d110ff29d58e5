using BotSystem.Contracts;

namespace WebhookManager.Tests;

[Collection(WebhookCollection.Name)]
public sealed class OutcomeTests(WebhookFixture fixture) : IAsyncLifetime
{
    private MockReceiver Receiver => fixture.Receiver;
    private ManagerProcess Manager => fixture.Manager;

    public Task InitializeAsync() => Receiver.ResetAsync();

    public Task DisposeAsync() => Receiver.ResetAsync();

    [Theory]
    [InlineData(503, "127.0.0.2")]
    [InlineData(429, "127.0.0.3")]
    [InlineData(408, "127.0.0.4")]
    [InlineData(425, "127.0.0.5")]
    public async Task Temporary_failures_are_retried_with_growing_delays_under_the_same_webhook_id(int status, string host)
    {
        await Receiver.ConfigureAsync(new { failNext = 2, statusCode = status });

        var id = await Manager.DeliverAsync(Receiver.Url(host));
        var history = ManagerProcess.History(await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered));

        Assert.Equal([status, status, 200], history.Select(a => (int?)a["statusCode"]));
        var times = history.Select(a => DateTimeOffset.Parse((string)a["at"]!)).ToArray();
        // Base 200 ms, doubling, jitter ±20 %.
        Assert.InRange((times[1] - times[0]).TotalMilliseconds, 160, 2000);
        Assert.InRange((times[2] - times[1]).TotalMilliseconds, 320, 3000);
        Assert.All(await Receiver.DeliveriesAsync(id), d => Assert.True((bool)d!["signatureValid"]!));
        Assert.Equal(3, (await Receiver.DeliveriesAsync(id)).Count);
    }

    [Fact]
    public async Task A_timeout_and_a_refused_connection_are_temporary_and_retried_until_exhausted()
    {
        var timeoutId = await Manager.DeliverAsync(Receiver.Url("127.0.0.6", "/test/timeout"));
        var refusedId = await Manager.DeliverAsync($"http://127.0.0.7:{FreePort.Next()}/webhook");

        var timedOut = ManagerProcess.History(await Manager.WaitForStatusAsync(timeoutId, DeliveryStatus.Dead, TimeSpan.FromSeconds(30)));
        var refused = ManagerProcess.History(await Manager.WaitForStatusAsync(refusedId, DeliveryStatus.Dead, TimeSpan.FromSeconds(30)));

        Assert.Equal(4, timedOut.Count);
        Assert.All(timedOut, a => Assert.Contains("No answer within 2 s", (string)a["error"]!));
        Assert.All(timedOut, a => Assert.InRange((double)a["durationMs"]!, 1900, 4000));
        Assert.Equal(4, refused.Count);
        Assert.All(refused, a => Assert.StartsWith("Connection failed", (string)a["error"]!));
    }

    [Fact]
    public async Task Server_errors_exhaust_the_retries_and_the_delivery_dies_with_every_attempt_kept()
    {
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.8", "/test/error"));

        var view = await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);
        var history = ManagerProcess.History(view);

        Assert.Equal(4, history.Count);
        Assert.Equal([1, 2, 3, 4], history.Select(a => (int)a["attempt"]!));
        Assert.All(history, a =>
        {
            Assert.Equal(500, (int?)a["statusCode"]);
            Assert.Equal("temporary", (string?)a["outcome"]);
            Assert.True((double)a["durationMs"]! >= 0);
        });
        Assert.Contains("Retries exhausted after 4 attempts", (string)view["delivery"]!["deadReason"]!);
    }

    [Theory]
    [InlineData(400, "127.0.0.9")]
    [InlineData(404, "127.0.0.10")]
    [InlineData(301, "127.0.0.11")]
    [InlineData(302, "127.0.0.12")]
    public async Task Redirects_and_client_errors_are_permanent_and_go_straight_to_the_dead_letter_queue(int status, string host)
    {
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = status });

        var id = await Manager.DeliverAsync(Receiver.Url(host));
        var view = await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);

        var attempt = Assert.Single(ManagerProcess.History(view));
        Assert.Equal(status, (int?)attempt["statusCode"]);
        Assert.Equal("permanent", (string?)attempt["outcome"]);
        // A redirect is not followed: the receiver saw exactly one request.
        Assert.Single(await Receiver.DeliveriesAsync(id));
    }

    [Theory]
    // Honoured: the first retry, scheduled 3 s after, waits the 6 s asked for.
    [InlineData(3000, 6, 5990, 12000)]
    // Never beyond twice the scheduled delay: asked 30 s, it waits 6 s.
    [InlineData(3000, 30, 5990, 12000)]
    // Never past the maximum delay: the first retry is scheduled at the maximum already, and twice that would be past it.
    [InlineData(5000, 30, 4990, 9000, "00:00:05")]
    public async Task Retry_after_is_honoured_within_twice_the_scheduled_delay_and_the_maximum(
        int retryDelayMs, int retryAfterSeconds, int fromMs, int toMs, string maxRetryDelay = "01:00:00")
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        // Delays of seconds, which no stall of a loaded machine confuses with one another.
        await using var manager = await ManagerProcess.StartAsync(redis, new Dictionary<string, string?>
        {
            ["WEBHOOK_RETRY_DELAY"] = retryDelayMs.ToString(),
            ["Webhooks__MaxRetryDelay"] = maxRetryDelay,
        });
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 429, retryAfterSeconds });

        var id = await manager.DeliverAsync(Receiver.Url("127.0.0.13"));
        var history = ManagerProcess.History(await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered));

        var gap = DateTimeOffset.Parse((string)history[1]["at"]!) - DateTimeOffset.Parse((string)history[0]["at"]!);
        Assert.InRange(gap.TotalMilliseconds, fromMs, toMs);
    }

    [Fact]
    public async Task The_invocation_record_shows_the_delivery_state_for_the_gateway()
    {
        var invocationId = "inv-" + Guid.NewGuid().ToString("N");
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 503 });

        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.14"), invocationId: invocationId);
        await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);

        var record = (await fixture.Redis.Connection.GetDatabase().HashGetAllAsync(InvocationRecord.Key(invocationId)))
            .ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal(DeliveryStatus.Delivered, record[InvocationRecord.WebhookStatus]);
        Assert.Equal("2", record[InvocationRecord.WebhookAttempts]);
        Assert.Equal("200", record[InvocationRecord.WebhookLastStatusCode]);
    }

    [Fact]
    public async Task A_delivery_is_shown_created_when_it_was_queued_before_and_after_its_first_attempt()
    {
        var queuedAt = DateTimeOffset.UtcNow;
        // Queued to wait a while, as a delivery waits behind a backlog or for a manager that is down.
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.19"), delay: TimeSpan.FromSeconds(3));
        var pending = (await Manager.DeliveryAsync(id))!["delivery"]!;
        var delivered = (await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered))["delivery"]!;

        var createdAt = DateTimeOffset.Parse((string)pending["createdAt"]!);
        Assert.InRange(createdAt, queuedAt.AddSeconds(-1), queuedAt.AddSeconds(1));
        Assert.Equal(createdAt, DateTimeOffset.Parse((string)delivered["createdAt"]!));
    }
}
