using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.WebhookManager.Delivery;

namespace WebhookManager.Tests;

[Collection(WebhookCollection.Name)]
public sealed class CrashTests(WebhookFixture fixture) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    private MockReceiver Receiver => fixture.Receiver;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        await Receiver.ResetAsync();
    }

    public async Task DisposeAsync()
    {
        await Receiver.ResetAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_manager_keeps_running_and_delivering_through_a_redis_that_stops_answering_for_a_while()
    {
        await using var manager = await ManagerProcess.StartAsync(_redis);

        // Longer than the client waits for an answer plus the dead letter gauge's refresh, so a refresh times out.
        await _redis.FreezeAsync(TimeSpan.FromSeconds(11));
        var id = await manager.DeliverAsync(Receiver.Url("127.0.0.30"));

        await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);
        Assert.False(manager.Process.HasExited, manager.Process.Output);
        Assert.Contains("Cannot read the dead letter count", manager.Process.Output);
    }

    [Fact]
    public async Task Deliveries_in_flight_when_redis_stops_answering_end_delivered_and_no_job_fails()
    {
        // Locks as long as the defaults, so an outage shorter than them is the processor's to wait out.
        await using var manager = await ManagerProcess.StartAsync(_redis, new Dictionary<string, string?>
        {
            ["Webhooks__LockDuration"] = "00:00:30",
            ["Webhooks__StalledInterval"] = "00:00:30",
        });
        await Receiver.ConfigureAsync(new { latencyMs = 1500 });
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await manager.DeliverAsync(Receiver.Url("127.0.0.29")));
        }
        await Task.Delay(TimeSpan.FromSeconds(1));

        // The receiver answers (within the attempt timeout of 2 s) while Redis is still frozen, so recording those outcomes times out.
        await _redis.FreezeAsync(TimeSpan.FromSeconds(8));

        foreach (var id in ids)
        {
            await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered, TimeSpan.FromSeconds(60));
        }
        Assert.Equal(0, await _redis.Connection.GetDatabase().SortedSetLengthAsync("bull:webhooks:failed"));
        Assert.Contains("waits for Redis", manager.Process.Output);
    }

    [Fact]
    public async Task An_attempt_whose_outcome_meets_a_dropped_connection_is_recorded_once_redis_answers_without_sending_it_again()
    {
        await using var cutter = new RedisConnectionCutter(_redis);
        await using var manager = await ManagerProcess.StartAsync(_redis, new Dictionary<string, string?> { ["ConnectionStrings__redis"] = cutter.ConnectionString });
        var invocationId = "inv-" + Guid.NewGuid().ToString("N");
        // The write of the first attempt's outcome, made after the receiver answered.
        cutter.CutOnceWhenSent($"botsystem:webhooks:delivery:{WebhookDeliveryJobData.MessageIdFor(invocationId)}:attempts\r\n");

        var id = await manager.DeliverAsync(Receiver.Url("127.0.0.28"), invocationId: invocationId);

        var view = await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);
        Assert.Equal(1, cutter.Cuts);
        Assert.Equal([200], ManagerProcess.History(view).Select(attempt => (int?)attempt["statusCode"]));
        Assert.Single(await Receiver.DeliveriesAsync(id));
    }

    [Fact]
    public async Task A_redrive_of_all_cut_short_after_reviving_a_delivery_leaves_it_for_the_next_redrive_of_all()
    {
        await using var cutter = new RedisConnectionCutter(_redis);
        await using var manager = await ManagerProcess.StartAsync(_redis, new Dictionary<string, string?> { ["ConnectionStrings__redis"] = cutter.ConnectionString });
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 400 });
        var id = await manager.DeliverAsync(Receiver.Url("127.0.0.27"));
        await manager.WaitForStatusAsync(id, DeliveryStatus.Dead);
        // The connection drops as the redrive queues the revived delivery's attempt.
        cutter.CutOnceWhenSent($"{new DeliveryAttemptJob(id, Round: 2, Attempt: 2).JobId}\r\n");

        using (var cutShort = await manager.Admin.PostAsync("/deliveries/redrive", null))
        {
            Assert.Equal(1, cutter.Cuts);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, cutShort.StatusCode);
        }
        using var redrive = await manager.Admin.PostAsync("/deliveries/redrive", null);

        Assert.Equal(1, (await redrive.Content.ReadFromJsonAsync<JsonObject>())!["redriven"]!.GetValue<int>());
        var view = await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);
        Assert.Equal([1, 2], ManagerProcess.History(view).Select(attempt => (int)attempt["round"]!));
    }

    [Fact]
    public async Task A_redrive_cut_short_after_queuing_its_attempt_leaves_no_dead_letter_once_the_attempt_is_made()
    {
        await using var cutter = new RedisConnectionCutter(_redis);
        await using var manager = await ManagerProcess.StartAsync(_redis, new Dictionary<string, string?> { ["ConnectionStrings__redis"] = cutter.ConnectionString });
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 400 });
        var id = await manager.DeliverAsync(Receiver.Url("127.0.0.27"));
        await manager.WaitForStatusAsync(id, DeliveryStatus.Dead);
        // The connection drops as the redrive takes the delivery out of the dead letter index, its attempt queued already.
        cutter.CutOnceWhenSent("ZREM\r\n");

        using (var cutShort = await manager.Admin.PostAsync($"/deliveries/{id}/redrive", null))
        {
            Assert.Equal(1, cutter.Cuts);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, cutShort.StatusCode);
        }
        await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);

        var stats = (await manager.Admin.GetFromJsonAsync<JsonObject>("/stats"))!;
        Assert.Equal(0, (long)stats["deadLetters"]!);
    }

    [Fact]
    public async Task Recording_an_attempt_again_after_the_answer_to_the_first_write_was_lost_changes_nothing()
    {
        var store = StoredDeliveries.Store(_redis);
        var delivery = await StoredDeliveries.OpenNewAsync(store);
        var attempt = new AttemptRecord { Attempt = 1, Round = 1, At = DateTimeOffset.UtcNow, StatusCode = 503, DurationMs = 3, Outcome = "temporary" };
        var nextAttemptAt = DateTimeOffset.UtcNow.AddSeconds(5);

        Assert.True(await store.RecordAttemptAsync(delivery, attempt, DeliveryStatus.Retrying, nextAttemptAt, null));
        // The processor repeats the write with what it held before it, as it does when Redis did not answer the first.
        Assert.False(await store.RecordAttemptAsync(delivery, attempt, DeliveryStatus.Retrying, nextAttemptAt.AddSeconds(1), null));

        Assert.Equal([503], (await store.GetAttemptsAsync(delivery.Id)).Select(recorded => recorded.StatusCode));
        var stored = (await store.GetAsync(delivery.Id))!;
        Assert.Equal((DeliveryStatus.Retrying, 1), (stored.Status, stored.Attempts));
        Assert.Equal(nextAttemptAt.ToUnixTimeMilliseconds(), stored.NextAttemptAt!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_delivery_whose_lock_is_lost_mid_request_is_stopped_with_a_warning_and_made_by_its_next_run()
    {
        await using var manager = await ManagerProcess.StartAsync(_redis, new Dictionary<string, string?>
        {
            ["Webhooks__AttemptTimeout"] = "00:00:10",
            ["Webhooks__LockDuration"] = "00:00:04",
        });
        // Every request takes longer than half the lock, when the lock is renewed.
        await Receiver.ConfigureAsync(new { latencyMs = 3000 });
        var invocationId = "inv-" + Guid.NewGuid().ToString("N");
        var jobId = WebhookDeliveryJobData.JobIdFor(invocationId);
        var id = await manager.DeliverAsync(Receiver.Url("127.0.0.24"), invocationId: invocationId);
        var database = _redis.Connection.GetDatabase();
        await Eventually.HoldsAsync(async () => (await database.ListRangeAsync("bull:webhooks:active")).Contains(jobId), TimeSpan.FromSeconds(10),
            "the delivery never started");

        // As when the manager was cut off Redis long enough for another run to take the job over.
        Assert.True(await database.KeyDeleteAsync($"bull:webhooks:{jobId}:lock"));

        var view = await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered, TimeSpan.FromSeconds(30));
        Assert.Contains($"Webhook job {jobId} is left to another run", manager.Process.Output);
        Assert.Equal([200], ManagerProcess.History(view).Select(attempt => (int?)attempt["statusCode"]));
    }

    [Fact]
    public async Task A_manager_killed_with_sigkill_mid_retry_loses_no_delivery()
    {
        var slowRetries = new Dictionary<string, string?> { ["WEBHOOK_RETRY_DELAY"] = "1500" };
        await using var manager = await ManagerProcess.StartAsync(_redis, slowRetries);
        const int count = 5;
        await Receiver.ConfigureAsync(new { failNext = count, statusCode = 503 });
        var ids = new List<string>();
        // One endpoint each, so every first attempt is made at once and no circuit opens on these five failures.
        for (var i = 0; i < count; i++)
        {
            ids.Add(await manager.DeliverAsync(Receiver.Url($"127.0.0.{25 + i}")));
        }
        foreach (var id in ids)
        {
            await manager.WaitForStatusAsync(id, DeliveryStatus.Retrying);
        }

        manager.Process.Signal(Signals.SIGKILL);
        Assert.True(await manager.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await manager.RestartAsync(_redis, slowRetries);

        foreach (var id in ids)
        {
            var history = ManagerProcess.History(await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered));
            Assert.Equal([503, 200], history.Select(a => (int?)a["statusCode"]));
        }
        foreach (var id in ids)
        {
            var received = await Receiver.DeliveriesAsync(id);
            Assert.Equal([503, 200], received.Select(d => (int)d!["status"]!));
        }
    }
}
