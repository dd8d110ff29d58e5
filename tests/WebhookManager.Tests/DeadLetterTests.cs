using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.WebhookManager.Delivery;
using StackExchange.Redis;

namespace WebhookManager.Tests;

[Collection(WebhookCollection.Name)]
public sealed class DeadLetterTests(WebhookFixture fixture) : IAsyncLifetime
{
    private MockReceiver Receiver => fixture.Receiver;
    private ManagerProcess Manager => fixture.Manager;

    public Task InitializeAsync() => Receiver.ResetAsync();

    public Task DisposeAsync() => Receiver.ResetAsync();

    [Fact]
    public async Task A_dead_delivery_is_listed_and_redriven_alone_once_into_a_new_round_that_keeps_the_history()
    {
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 400 });
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.15"));
        await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);

        var dead = (await Manager.Admin.GetFromJsonAsync<JsonArray>("/deliveries?status=dead&limit=10000"))!;
        Assert.Contains(dead, d => (string?)d!["id"] == id);

        // The redriven attempt is answered late (within the tests' 2 s attempt timeout), so it is still under way when the delivery is redriven again.
        await Receiver.ConfigureAsync(new { latencyMs = 1_500 });
        using var redrive = await Manager.Admin.PostAsync($"/deliveries/{id}/redrive", null);
        Assert.Equal(HttpStatusCode.Accepted, redrive.StatusCode);
        using var twice = await Manager.Admin.PostAsync($"/deliveries/{id}/redrive", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Contains("pending", await twice.Content.ReadAsStringAsync());
        var view = await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);

        var history = ManagerProcess.History(view);
        Assert.Equal([400, 200], history.Select(a => (int?)a["statusCode"]));
        Assert.Equal([1, 2], history.Select(a => (int)a["round"]!));
        Assert.DoesNotContain((await Manager.Admin.GetFromJsonAsync<JsonArray>("/deliveries?status=dead&limit=10000"))!, d => (string?)d!["id"] == id);

        using var again = await Manager.Admin.PostAsync($"/deliveries/{id}/redrive", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using var unknown = await Manager.Admin.PostAsync("/deliveries/msg_unknown/redrive", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_redrive_that_revived_a_delivery_but_queued_no_attempt_is_completed_by_the_next_redrive()
    {
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 400 });
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.17"));
        await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);
        // What a redrive leaves when Redis goes away between reviving the delivery and queuing its attempt.
        var database = fixture.Redis.Connection.GetDatabase();
        await database.HashSetAsync($"botsystem:webhooks:delivery:{id}", [new("status", DeliveryStatus.Pending), new("round", 2), new("roundStartAttempts", 1)]);
        await database.SortedSetRemoveAsync("botsystem:webhooks:dead", id);
        var stuck = (await Manager.DeliveryAsync(id))!["delivery"]!;
        Assert.Equal((DeliveryStatus.Pending, 2), ((string?)stuck["status"], (int)stuck["round"]!));

        using var redrive = await Manager.Admin.PostAsync($"/deliveries/{id}/redrive", null);

        Assert.Equal(HttpStatusCode.Accepted, redrive.StatusCode);
        var view = await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);
        Assert.Equal([1, 2], ManagerProcess.History(view).Select(a => (int)a["round"]!));
    }

    [Fact]
    public async Task A_delivered_delivery_is_kept_as_long_as_its_invocation_and_a_dead_one_for_the_dead_letter_retention()
    {
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 400 });
        var dead = await Manager.DeliverAsync(Receiver.Url("127.0.0.18"));
        await Manager.WaitForStatusAsync(dead, DeliveryStatus.Dead);
        var delivered = await Manager.DeliverAsync(Receiver.Url("127.0.0.18"));
        await Manager.WaitForStatusAsync(delivered, DeliveryStatus.Delivered);

        var database = fixture.Redis.Connection.GetDatabase();
        foreach (var key in (string[])[$"botsystem:webhooks:delivery:{delivered}", $"botsystem:webhooks:delivery:{delivered}:attempts"])
        {
            Assert.InRange(await database.KeyTimeToLiveAsync(key) ?? TimeSpan.Zero, InvocationRecord.Retention - TimeSpan.FromHours(1), InvocationRecord.Retention);
        }
        foreach (var key in (string[])[$"botsystem:webhooks:delivery:{dead}", $"botsystem:webhooks:delivery:{dead}:attempts"])
        {
            Assert.InRange(await database.KeyTimeToLiveAsync(key) ?? TimeSpan.Zero, TimeSpan.FromDays(14) - TimeSpan.FromHours(1), TimeSpan.FromDays(14));
        }
    }

    [Fact]
    public async Task A_dead_letter_past_its_retention_is_gone_while_a_redriven_one_lives_through_its_new_round()
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        await using var manager = await ManagerProcess.StartAsync(redis, new Dictionary<string, string?>
        {
            ["Webhooks__DeadLetterRetention"] = "00:00:02",
            ["WEBHOOK_RETRY_DELAY"] = "3000",
        });
        await Receiver.ConfigureAsync(new { failNext = 2, statusCode = 400 });
        var forgotten = await manager.DeliverAsync(Receiver.Url("127.0.0.14"));
        await manager.WaitForStatusAsync(forgotten, DeliveryStatus.Dead);
        var redriven = await manager.DeliverAsync(Receiver.Url("127.0.0.14"));
        await manager.WaitForStatusAsync(redriven, DeliveryStatus.Dead);

        // Its retry comes after the dead letter retention has passed.
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 503 });
        using (var redrive = await manager.Admin.PostAsync($"/deliveries/{redriven}/redrive", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, redrive.StatusCode);
        }

        var view = await manager.WaitForStatusAsync(redriven, DeliveryStatus.Delivered, TimeSpan.FromSeconds(20));
        Assert.Equal([400, 503, 200], ManagerProcess.History(view).Select(a => (int?)a["statusCode"]));
        Assert.Null(await manager.DeliveryAsync(forgotten));
        Assert.Empty((await manager.Admin.GetFromJsonAsync<JsonArray>("/deliveries?status=dead"))!);
    }

    [Fact]
    public async Task A_redriven_delivery_whose_attempt_made_it_dead_again_before_the_redrive_was_over_stays_listed_dead()
    {
        var store = StoredDeliveries.Store(fixture.Redis);
        var pending = await StoredDeliveries.OpenNewAsync(store);
        await store.MarkDeadAsync(pending, "Permanent failure: 404");
        var revived = (await store.ReviveAsync((await store.GetAsync(pending.Id))!))!;

        // The redriven attempt is made and dies at once, before the redrive takes the delivery out of the index.
        await store.MarkDeadAsync(revived, "Permanent failure: 404");
        await store.ForgetDeadAsync(pending.Id);

        Assert.Contains(pending.Id, await store.GetDeadIdsAsync(null, null));
        Assert.Equal(DeliveryStatus.Dead, (await store.GetAsync(pending.Id))!.Status);
    }

    [Fact]
    public async Task A_delivery_not_attempted_yet_is_shown_pending_from_its_job_and_is_not_redriven()
    {
        var url = Receiver.Url("127.0.0.16");
        var id = await Manager.DeliverAsync(url, delay: TimeSpan.FromHours(1));

        var view = await Manager.DeliveryAsync(id);
        Assert.NotNull(view);
        Assert.Equal(DeliveryStatus.Pending, (string?)view["delivery"]!["status"]);
        Assert.Equal(0, (int)view["delivery"]!["attempts"]!);
        Assert.Equal(url, (string?)view["delivery"]!["url"]);
        Assert.Equal("ünïcode ✓", (string?)JsonNode.Parse((string)view["body"]!)!["data"]!["result"]!["ü"]);
        Assert.Empty(ManagerProcess.History(view));

        using var redrive = await Manager.Admin.PostAsync($"/deliveries/{id}/redrive", null);
        Assert.Equal(HttpStatusCode.Conflict, redrive.StatusCode);
        Assert.Contains("pending", await redrive.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_dead_letter_list_pages_oldest_first_within_a_time_range_and_within_an_endpoint()
    {
        var since = DateTimeOffset.UtcNow;
        var (first, second) = (Receiver.Url("127.0.0.21"), Receiver.Url("127.0.0.22"));
        await Receiver.ConfigureAsync(new { failNext = 5, statusCode = 400 });
        var died = new List<(string Id, string Url)>();
        // One at a time, so they die in a known order.
        foreach (var url in (string[])[first, second, first, second, first])
        {
            var id = await Manager.DeliverAsync(url);
            await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);
            died.Add((id, url));
        }
        var range = "from=" + Uri.EscapeDataString(since.ToString("O"));

        // Deliveries of earlier tests still retrying may die within the range too, so the page is checked against the
        // whole range, in which these five must be in the order they died.
        var inRange = (await DeadIdsAsync($"{range}&limit=100")).ToList();
        Assert.Equal(died.Select(d => d.Id), inRange.Where(id => died.Any(d => d.Id == id)));
        Assert.Equal(inRange.Skip(1).Take(2), await DeadIdsAsync($"{range}&offset=1&limit=2"));
        Assert.Equal(died.Where(d => d.Url == first).Skip(1).Select(d => d.Id),
            await DeadIdsAsync($"{range}&endpoint={Uri.EscapeDataString(first)}&offset=1&limit=10"));
        Assert.Empty(await DeadIdsAsync($"{range}&endpoint={Uri.EscapeDataString(second)}&offset=2"));

        // A page reads its own records, not the whole dead letter queue (which holds at least these five). Redis restarts
        // a key's idle time at every access, so after a pause only the listed record has been touched; the manager's
        // other work reads the records of live deliveries, never of dead ones.
        // (Idle times count whole seconds.)
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        Task<TimeSpan?> IdleTimeAsync(string deliveryId) => redis.GetDatabase().KeyIdleTimeAsync("botsystem:webhooks:delivery:" + deliveryId);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var listed = Assert.Single(await DeadIdsAsync("limit=1"))!;
        Assert.True(await IdleTimeAsync(listed) <= TimeSpan.FromSeconds(1), "The record on the page was not read.");
        foreach (var (id, _) in died.Where(d => d.Id != listed))
        {
            Assert.True(await IdleTimeAsync(id) >= TimeSpan.FromSeconds(2), $"The record of {id}, not on the page, was read.");
        }
    }

    private async Task<IEnumerable<string?>> DeadIdsAsync(string query) =>
        (await Manager.Admin.GetFromJsonAsync<JsonArray>($"/deliveries?status=dead&{query}"))!.Select(d => (string?)d!["id"]);

    [Fact]
    public async Task Redriving_by_endpoint_redrives_every_dead_delivery_of_that_endpoint_and_no_other()
    {
        const string host = "127.0.0.16";
        var since = DateTimeOffset.UtcNow;
        await Receiver.ConfigureAsync(new { failNext = 4, statusCode = 404 });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Manager.DeliverAsync(Receiver.Url(host)));
        }
        var other = await Manager.DeliverAsync(Receiver.Url("127.0.0.17"));
        foreach (var id in ids.Append(other))
        {
            await Manager.WaitForStatusAsync(id, DeliveryStatus.Dead);
        }

        var endpoint = Uri.EscapeDataString($"http://{host}:{Receiver.Port}");
        using var response = await Manager.Admin.PostAsync($"/deliveries/redrive?endpoint={endpoint}", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (int)(await response.Content.ReadFromJsonAsync<JsonObject>())!["redriven"]!);

        foreach (var id in ids)
        {
            await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);
        }
        Assert.Equal(DeliveryStatus.Dead, (string?)(await Manager.DeliveryAsync(other))!["delivery"]!["status"]);

        using var all = await Manager.Admin.PostAsync($"/deliveries/redrive?from={Uri.EscapeDataString(since.ToString("O"))}", null);
        Assert.True((int)(await all.Content.ReadFromJsonAsync<JsonObject>())!["redriven"]! >= 1);
        await Manager.WaitForStatusAsync(other, DeliveryStatus.Delivered);
    }

    [Fact]
    public async Task Gone_disables_the_endpoint_for_that_client_until_it_is_enabled_again()
    {
        // A host no other test of the shared manager delivers to, so its dead letters are this test's own.
        const string host = "127.0.0.26";
        var endpoint = $"http://{host}:{Receiver.Port}";
        await Receiver.ConfigureAsync(new { failNext = 1, statusCode = 410 });
        var first = await Manager.DeliverAsync(Receiver.Url(host));
        await Manager.WaitForStatusAsync(first, DeliveryStatus.Dead);

        var second = await Manager.DeliverAsync(Receiver.Url(host));
        var view = await Manager.WaitForStatusAsync(second, DeliveryStatus.Dead);
        Assert.Empty(ManagerProcess.History(view));
        Assert.Contains("410 Gone", (string)view["delivery"]!["deadReason"]!);
        Assert.Single(await Receiver.DeliveriesAsync(first));
        Assert.Empty(await Receiver.DeliveriesAsync(second));

        var endpoints = (await Manager.Admin.GetFromJsonAsync<JsonArray>("/endpoints"))!;
        var listed = endpoints.Single(e => (string?)e!["endpoint"] == endpoint)!;
        Assert.NotNull(listed["disabledFor"]!["trusted"]);
        var stats = (await Manager.Admin.GetFromJsonAsync<JsonObject>("/stats"))!;
        Assert.True((long)stats["deadLetters"]! >= 2, stats.ToJsonString());
        Assert.True((int)stats["disabledEndpoints"]! >= 1, stats.ToJsonString());
        // Redriven now, it would die again at once: refused alone, left out of a redrive of many, both saying so.
        using (var refused = await Manager.Admin.PostAsync($"/deliveries/{second}/redrive", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains($"/endpoints/{Uri.EscapeDataString(endpoint)}/enable?clientId=trusted", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"]);
        }
        using (var many = await Manager.Admin.PostAsync($"/deliveries/redrive?endpoint={Uri.EscapeDataString(endpoint)}", null))
        {
            var result = (await many.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(0, (int)result["redriven"]!);
            Assert.Equal(2, (int)result["leftForDisabledEndpoints"]!);
        }
        Assert.Equal(DeliveryStatus.Dead, (string?)(await Manager.DeliveryAsync(second))!["delivery"]!["status"]);

        using var enable = await Manager.Admin.PostAsync($"/endpoints/{Uri.EscapeDataString(endpoint)}/enable", null);
        Assert.Equal(1, (int)(await enable.Content.ReadFromJsonAsync<JsonObject>())!["enabled"]!);
        Assert.Equal((int)stats["disabledEndpoints"]! - 1, (int)(await Manager.Admin.GetFromJsonAsync<JsonObject>("/stats"))!["disabledEndpoints"]!);
        using var redrive = await Manager.Admin.PostAsync($"/deliveries/{second}/redrive", null);
        await Manager.WaitForStatusAsync(second, DeliveryStatus.Delivered);
    }

    [Fact]
    public async Task An_ipv6_endpoint_disabled_for_a_client_is_listed_under_a_url_that_enables_it()
    {
        // Disabled as the manager disables an endpoint that answered 410 Gone, keyed as its deliveries are.
        var disabled = new DisabledEndpoints(fixture.Redis.Connection, TimeProvider.System);
        await disabled.DisableAsync(DeliveryProcessor.EndpointOf("http://[::1]:8443/hooks")!, "trusted");

        var listed = (await Manager.Admin.GetFromJsonAsync<JsonArray>("/endpoints"))!
            .Select(e => (string)e!["endpoint"]!)
            .Single(endpoint => endpoint.Contains("::1") && endpoint.EndsWith(":8443"));
        using var enable = await Manager.Admin.PostAsync($"/endpoints/{Uri.EscapeDataString(listed)}/enable?clientId=trusted", null);

        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        Assert.Equal(1, (int)(await enable.Content.ReadFromJsonAsync<JsonObject>())!["enabled"]!);
        Assert.DoesNotContain(listed, (await Manager.Admin.GetFromJsonAsync<JsonArray>("/endpoints"))!.Select(e => (string?)e!["endpoint"]));
    }

    [Fact]
    public async Task An_endpoint_one_client_enables_as_another_client_disables_it_stays_listed_as_disabled()
    {
        var disabled = new DisabledEndpoints(fixture.Redis.Connection, TimeProvider.System);
        var endpoints = Enumerable.Range(0, 1000).Select(i => $"https://enable-race-{i}.example:443").ToList();
        // One at a time: a thousand transactions at once can outwait the client's timeout on a busy machine.
        foreach (var endpoint in endpoints)
        {
            await disabled.DisableAsync(endpoint, "first");
        }
        // The second client's disable lands at every moment of the first one's enable, a few microseconds apart.
        for (var i = 0; i < endpoints.Count; i++)
        {
            var enabling = disabled.EnableAsync(endpoints[i], "first");
            var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (i % 100) * 10 / 1_000_000;
            while (Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(10);
            }
            await disabled.DisableAsync(endpoints[i], "second");
            Assert.Equal(1, await enabling);
        }

        var listed = await disabled.GetAllAsync();
        var unlisted = endpoints.Where(endpoint => !listed.TryGetValue(endpoint, out var clients) || !clients.ContainsKey("second")).ToList();
        Assert.True(unlisted.Count == 0, $"{unlisted.Count} endpoints disabled for the second client are not listed, e.g. {unlisted.FirstOrDefault()}");
        Assert.All(listed.Where(pair => endpoints.Contains(pair.Key)), pair => Assert.False(pair.Value.ContainsKey("first")));
        foreach (var endpoint in endpoints)
        {
            await disabled.EnableAsync(endpoint, null);
        }
    }

    [Fact]
    public async Task The_admin_api_refuses_a_missing_or_wrong_key_and_accepts_a_bearer_token()
    {
        using var anonymous = new HttpClient { BaseAddress = Manager.Admin.BaseAddress };
        using var none = await anonymous.GetAsync("/deliveries?status=dead");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using var noStats = await anonymous.GetAsync("/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, noStats.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(none.Headers.WwwAuthenticate).Scheme);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/endpoints");
        wrong.Headers.Add("X-Api-Key", TestSecrets.AdminKey + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/endpoints");
        bearer.Headers.Authorization = new("Bearer", TestSecrets.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(bearer)).StatusCode);

        using var badStatus = await Manager.Admin.GetAsync("/deliveries?status=delivered");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Contains("status", await badStatus.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_admin_requests_are_problems_naming_the_field_and_unknown_deliveries_a_plain_404_problem()
    {
        await AssertBadRequestNamingAsync(await Manager.Admin.GetAsync("/deliveries?status=dead&limit=many"), "limit");
        await AssertBadRequestNamingAsync(await Manager.Admin.GetAsync("/deliveries?status=dead&endpoint=not-an-url"), "endpoint");
        await AssertBadRequestNamingAsync(await Manager.Admin.GetAsync("/deliveries?status=dead&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"), "from");
        await AssertBadRequestNamingAsync(await Manager.Admin.PostAsync("/deliveries/redrive?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", null), "from");
        await AssertBadRequestNamingAsync(await Manager.Admin.PostAsync("/endpoints/not-an-url/enable", null), "endpoint");
        // Filters belong in the query: one sent as a body must not turn into "redrive everything".
        await AssertBadRequestNamingAsync(await Manager.Admin.PostAsJsonAsync("/deliveries/redrive", new { endpoint = "http://127.0.0.1:1" }), "body");

        using var unknown = await Manager.Admin.GetAsync("/deliveries/msg_unknown");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal("No such delivery", (string?)(await unknown.Content.ReadFromJsonAsync<JsonObject>())!["title"]);
    }

    [Fact]
    public async Task A_delivery_asked_for_by_the_name_of_its_attempt_history_is_no_such_delivery_rather_than_a_server_error()
    {
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.19"));
        await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);

        using var lookup = await Manager.Admin.GetAsync($"/deliveries/{id}:attempts");
        using var redrive = await Manager.Admin.PostAsync($"/deliveries/{id}:attempts/redrive", null);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (lookup.StatusCode, redrive.StatusCode));
        Assert.Equal("No such delivery", (string?)(await lookup.Content.ReadFromJsonAsync<JsonObject>())!["title"]);
    }

    private static async Task AssertBadRequestNamingAsync(HttpResponseMessage response, string field)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![field]);
        }
    }

    [Fact]
    public async Task Metrics_expose_deliveries_durations_dead_letters_and_circuit_states_under_their_names()
    {
        var id = await Manager.DeliverAsync(Receiver.Url("127.0.0.19"));
        await Manager.WaitForStatusAsync(id, DeliveryStatus.Delivered);

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string metrics;
        do
        {
            metrics = await http.GetStringAsync($"http://127.0.0.1:{Manager.Port}/metrics");
        }
        while (!metrics.Contains("webhook_dlq_size") && DateTime.UtcNow < deadline && await Task.Delay(500).ContinueWith(_ => true));

        var lines = metrics.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("webhook_deliveries_total{") && l.Contains("status=\"delivered\""));
        Assert.Contains(lines, l => l.StartsWith("webhook_delivery_duration_seconds_bucket{"));
        Assert.Contains(lines, l => l.StartsWith("webhook_dlq_size"));
        Assert.Contains(lines, l => l.StartsWith("circuit_breaker_state{") && l.Contains($"endpoint=\"http://127.0.0.19:{Receiver.Port}\"") && l.EndsWith(" 0"));
    }
}
