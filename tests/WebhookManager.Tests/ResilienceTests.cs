using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using Xunit.Abstractions;

namespace WebhookManager.Tests;

[Collection(WebhookCollection.Name)]
public sealed class ResilienceTests(WebhookFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private MockReceiver Receiver => fixture.Receiver;
    private ManagerProcess Manager => fixture.Manager;

    public Task InitializeAsync() => Receiver.ResetAsync();

    public Task DisposeAsync() => Receiver.ResetAsync();

    [Fact]
    public async Task Circuit_opens_on_failures_postpones_deliveries_without_spending_attempts_and_closes_after_a_good_probe()
    {
        const string host = "127.0.0.20";
        var endpoint = $"http://{host}:{Receiver.Port}";
        await Receiver.ConfigureAsync(new { failForSeconds = 3, statusCode = 503 });
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await Manager.DeliverAsync(Receiver.Url(host)));
        }

        var seen = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(25);
        var delivered = 0;
        while (DateTime.UtcNow < deadline && delivered < ids.Count)
        {
            var endpoints = (await Manager.Admin.GetFromJsonAsync<JsonArray>("/endpoints"))!;
            if (endpoints.FirstOrDefault(e => (string?)e!["endpoint"] == endpoint) is { } state)
            {
                seen.Add((string)state["circuit"]!);
            }
            delivered = 0;
            foreach (var id in ids)
            {
                var status = (string?)(await Manager.DeliveryAsync(id))!["delivery"]!["status"];
                Assert.NotEqual(DeliveryStatus.Dead, status);
                delivered += status == DeliveryStatus.Delivered ? 1 : 0;
            }
            await Task.Delay(50);
        }

        Assert.Equal(ids.Count, delivered);
        Assert.Contains("open", seen);
        var final = (await Manager.Admin.GetFromJsonAsync<JsonArray>("/endpoints"))!.Single(e => (string?)e!["endpoint"] == endpoint)!;
        Assert.Equal("closed", (string?)final["circuit"]);
        // Failing for 3 s with retries after 0.2, 0.4 and 0.8 s would have spent all four attempts of each without the breaker.
        var histories = new List<IReadOnlyList<JsonObject>>();
        foreach (var id in ids)
        {
            histories.Add(ManagerProcess.History((await Manager.DeliveryAsync(id))!));
        }
        Assert.All(histories, history => Assert.InRange(history.Count, 1, 4));
        Assert.All(histories, history => Assert.Equal(200, (int?)history[^1]["statusCode"]));
        Assert.True(histories.Sum(h => h.Count) < ids.Count * 3, $"{histories.Sum(h => h.Count)} attempts");
        Assert.True(await Manager.PostponementsAsync("circuit_open") > 0, "no postponement by the open circuit was published");
        output.WriteLine($"circuit states seen: {string.Join(", ", seen)}");
    }

    [Fact]
    public async Task A_dead_endpoint_does_not_slow_deliveries_to_a_healthy_one()
    {
        const int count = 40;
        await TimeHealthyDeliveriesAsync("127.0.0.24", count, deadEndpoint: null);
        var alone = await TimeHealthyDeliveriesAsync("127.0.0.21", count, deadEndpoint: null);
        using var dead = new HangingEndpoint();
        var withDead = await TimeHealthyDeliveriesAsync("127.0.0.22", count, dead);

        output.WriteLine($"{count} deliveries to a healthy endpoint: alone {alone.TotalMilliseconds:0} ms, beside a dead endpoint {withDead.TotalMilliseconds:0} ms");
        // The dead endpoint holds each request for the 2 s timeout; had it held the workers, the healthy ones would wait that long.
        Assert.True(withDead < alone * 2 + TimeSpan.FromMilliseconds(1500), $"alone {alone}, beside a dead endpoint {withDead}");
    }

    private async Task<TimeSpan> TimeHealthyDeliveriesAsync(string host, int count, HangingEndpoint? deadEndpoint)
    {
        await Receiver.ResetAsync();
        if (deadEndpoint is not null)
        {
            for (var i = 0; i < count; i++)
            {
                await Manager.DeliverAsync($"http://127.0.0.23:{deadEndpoint.Port}/webhook");
            }
            // Let the dead endpoint's requests take their slots first.
            await Task.Delay(300);
        }
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await Manager.DeliverAsync(Receiver.Url(host));
        }
        while ((long)(await Receiver.StatsAsync())["uniqueIds"]! < count)
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), "the healthy deliveries did not arrive");
            await Task.Delay(20);
        }
        return stopwatch.Elapsed;
    }

    [Fact]
    public async Task An_idle_endpoint_is_forgotten_while_one_with_an_open_circuit_is_kept()
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        await using var manager = await ManagerProcess.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Webhooks__Endpoint__ForgetAfterIdle"] = "00:00:05",
            ["Webhooks__Endpoint__BreakDuration"] = "00:05:00",
            ["WEBHOOK_MAX_RETRIES"] = "0",
        });
        var (idle, broken) = ($"http://127.0.0.23:{Receiver.Port}", $"http://127.0.0.24:{Receiver.Port}");
        await manager.WaitForStatusAsync(await manager.DeliverAsync(Receiver.Url("127.0.0.23")), DeliveryStatus.Delivered);
        // Looked at before its idle time can pass, however long the deliveries to the other take.
        Assert.Equal("closed", await CircuitAsync(manager, idle));
        await Receiver.ConfigureAsync(new { failNext = 4, statusCode = 503 });
        foreach (var id in await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => manager.DeliverAsync(Receiver.Url("127.0.0.24")))))
        {
            await manager.WaitForStatusAsync(id, DeliveryStatus.Dead);
        }
        Assert.Equal("open", await CircuitAsync(manager, broken));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await CircuitAsync(manager, idle) is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Null(await CircuitAsync(manager, idle));
        Assert.Equal("open", await CircuitAsync(manager, broken));
    }

    [Fact]
    public async Task An_endpoint_whose_last_deliveries_opened_its_circuit_is_forgotten_once_idle_past_its_break()
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        await using var manager = await ManagerProcess.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Webhooks__Endpoint__ForgetAfterIdle"] = "00:00:03",
            ["Webhooks__Endpoint__BreakDuration"] = "00:00:02",
            ["WEBHOOK_MAX_RETRIES"] = "0",
        });
        var broken = $"http://127.0.0.24:{Receiver.Port}";
        await Receiver.ConfigureAsync(new { failNext = 4, statusCode = 503 });
        foreach (var id in await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => manager.DeliverAsync(Receiver.Url("127.0.0.24")))))
        {
            await manager.WaitForStatusAsync(id, DeliveryStatus.Dead);
        }
        Assert.Contains($"Circuit for {broken} opened", manager.Process.Output);

        // No delivery is left to probe it, so the circuit never closes: shown open, it would say deliveries are held back for good.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await CircuitAsync(manager, broken) is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Null(await CircuitAsync(manager, broken));
        Assert.Equal(0, (int)(await manager.Admin.GetFromJsonAsync<JsonObject>("/stats"))!["openCircuits"]!);
    }

    [Fact]
    public async Task A_backlog_to_one_endpoint_goes_at_its_rate_limit_each_delivery_coming_back_about_once()
    {
        const int perSecond = 20;
        const int deliveries = 60;
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        await using var manager = await ManagerProcess.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Webhooks__Endpoint__RateLimitPerSecond"] = perSecond.ToString(),
        });
        var invocations = Enumerable.Range(0, deliveries).Select(_ => "inv-" + Guid.NewGuid().ToString("N")).ToList();

        var ids = await Task.WhenAll(invocations.Select(invocation => manager.DeliverAsync(Receiver.Url("127.0.0.25"), invocationId: invocation)));
        foreach (var id in ids)
        {
            await manager.WaitForStatusAsync(id, DeliveryStatus.Delivered, TimeSpan.FromSeconds(60));
        }

        // In any second at most a second's worth and the burst (a tenth of a second's worth, and one), by when each was sent.
        var sent = new List<DateTimeOffset>();
        foreach (var id in ids)
        {
            sent.Add(DateTimeOffset.Parse((string)Assert.Single(ManagerProcess.History((await manager.DeliveryAsync(id))!))["at"]!));
        }
        sent.Sort();
        var most = perSecond + perSecond / 10 + 1;
        for (var i = 0; i + most < sent.Count; i++)
        {
            Assert.True(sent[i + most] - sent[i] >= TimeSpan.FromSeconds(1), $"{most + 1} deliveries sent within {sent[i + most] - sent[i]}");
        }
        // A delivery held back is given a slot of its own, not sent away to be refused again and again.
        await using var webhooks = new BotSystem.JobEngine.Queue(QueueNames.Webhooks, redis.Connection);
        var activations = new List<int>();
        foreach (var invocation in invocations)
        {
            activations.Add((await webhooks.GetJobAsync(WebhookDeliveryJobData.JobIdFor(invocation)))!.AttemptsStarted);
        }
        output.WriteLine($"activations per delivery: mean {activations.Average():0.0}, most {activations.Max()}");
        Assert.True(activations.Average() <= 3, $"deliveries were activated {activations.Average():0.0} times on average");
        // Each held back shows on the dashboard as postponed by the rate limit; every reason is published, at 0 if none.
        output.WriteLine($"postponements: rate limited {await manager.PostponementsAsync("rate_limited")}, endpoint busy {await manager.PostponementsAsync("endpoint_busy")}");
        Assert.True(await manager.PostponementsAsync("rate_limited") >= deliveries - most, $"{await manager.PostponementsAsync("rate_limited")} postponements by the rate limit published");
        Assert.NotNull(await manager.PostponementsAsync("endpoint_busy"));
        Assert.Equal(0, await manager.PostponementsAsync("circuit_open"));
    }

    private static async Task<string?> CircuitAsync(ManagerProcess manager, string endpoint) =>
        (string?)(await manager.Admin.GetFromJsonAsync<JsonArray>("/endpoints"))!.FirstOrDefault(e => (string?)e!["endpoint"] == endpoint)?["circuit"];
}
