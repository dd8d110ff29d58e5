using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace WebhookManager.Tests;

[Collection(WebhookCollection.Name)]
public sealed class MockWebhookTests(WebhookFixture fixture) : IAsyncLifetime
{
    private HttpClient Http => fixture.Receiver.Http;

    public Task InitializeAsync() => fixture.Receiver.ResetAsync();

    public Task DisposeAsync() => fixture.Receiver.ResetAsync();

    [Fact]
    public async Task Receiver_counts_duplicates_and_answers_statuses_by_code()
    {
        Assert.Equal(HttpStatusCode.OK, await PostSignedAsync("msg_a"));
        Assert.Equal(HttpStatusCode.OK, await PostSignedAsync("msg_a"));
        await fixture.Receiver.ConfigureAsync(new { failNext = 1, statusCode = 502 });
        Assert.Equal(HttpStatusCode.BadGateway, await PostSignedAsync("msg_b"));

        var stats = await fixture.Receiver.StatsAsync();
        Assert.Equal(3, (long)stats["received"]!);
        Assert.Equal(2, (long)stats["uniqueIds"]!);
        Assert.Equal(1, (long)stats["duplicates"]!);
        Assert.Equal(0, (long)stats["badSignatures"]!);
        Assert.Equal(2, (long)stats["byStatus"]!["200"]!);
        Assert.Equal(1, (long)stats["byStatus"]!["502"]!);
    }

    [Fact]
    public async Task A_request_whose_sender_gives_up_before_the_answer_is_recorded_unanswered()
    {
        using var impatient = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        await Assert.ThrowsAsync<TaskCanceledException>(() => PostSignedAsync("msg_gave_up", impatient, path: "/test/timeout"));

        // The receiver learns of the sender's leaving when the connection closes.
        await Eventually.HoldsAsync(async () => (await fixture.Receiver.DeliveriesAsync("msg_gave_up")).Count == 1, TimeSpan.FromSeconds(10),
            "the request was never recorded");
        var recorded = (await fixture.Receiver.DeliveriesAsync("msg_gave_up"))[0]!;
        Assert.Null((int?)recorded["status"]);
        var stats = await fixture.Receiver.StatsAsync();
        Assert.Equal(1, (long)stats["byStatus"]!["unanswered"]!);
        Assert.Null(stats["byStatus"]!["200"]);
    }

    [Fact]
    public async Task Beyond_the_ids_it_tracks_the_receiver_forgets_the_oldest_and_still_counts_every_unique_id()
    {
        await using var receiver = await MockReceiver.StartAsync(("MockWebhook__MaxTrackedIds", "3"));
        foreach (var id in new[] { "msg_1", "msg_2", "msg_3", "msg_4", "msg_4", "msg_1" })
        {
            Assert.Equal(HttpStatusCode.OK, await PostSignedAsync(id, receiver.Http));
        }

        var stats = await receiver.StatsAsync();
        Assert.Equal(6, (long)stats["received"]!);
        // msg_4's repeat is caught; msg_1 was forgotten when msg_4 arrived, so its repeat counts as new.
        Assert.Equal(1, (long)stats["duplicates"]!);
        Assert.Equal(5, (long)stats["uniqueIds"]!);
    }

    [Fact]
    public async Task An_injected_failure_is_spent_on_a_delivery_not_on_a_request_refused_for_its_signature()
    {
        await fixture.Receiver.ConfigureAsync(new { failNext = 1, statusCode = 503 });

        Assert.Equal(HttpStatusCode.Unauthorized, await PostSignedAsync("msg_forged", secret: TestSecrets.Retired));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await PostSignedAsync("msg_genuine"));
        Assert.Equal(HttpStatusCode.OK, await PostSignedAsync("msg_after"));
    }

    [Fact]
    public async Task Fail_rate_and_latency_are_injected()
    {
        await fixture.Receiver.ConfigureAsync(new { failRate = 1.0, statusCode = 503, latencyMs = 300 });
        var stopwatch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await PostSignedAsync("msg_rate"));
        Assert.True(stopwatch.ElapsedMilliseconds >= 290, $"answered after {stopwatch.ElapsedMilliseconds} ms");

        await fixture.Receiver.ConfigureAsync(new { failRate = 0.0 });
        Assert.Equal(HttpStatusCode.OK, await PostSignedAsync("msg_rate_off"));
    }

    [Fact]
    public async Task Bad_failure_settings_get_a_problem_naming_the_field()
    {
        using var response = await Http.PutAsJsonAsync("/config", new { failRate = 1.5, statusCode = 42 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("failRate"));
        Assert.True(errors.ContainsKey("statusCode"));

        // An informational status is no final answer a receiver can give.
        using var informational = await Http.PutAsJsonAsync("/config", new { failNext = 1, statusCode = 101 });
        Assert.Equal(HttpStatusCode.BadRequest, informational.StatusCode);
        Assert.NotNull((await informational.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["statusCode"]);

        using var wrongType = await Http.PutAsync("/config", new StringContent("""{"statusCode":"teapot"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.NotNull((await wrongType.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["statusCode"]);

        using var malformed = await Http.PutAsync("/config", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.NotNull((await malformed.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["body"]);

        // A misspelt setting would otherwise leave its failure off without a word.
        using var unknown = await Http.PutAsJsonAsync("/config", new { failCount = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("Unknown field.", (string?)(await unknown.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["failCount"]![0]);
    }

    [Fact]
    public async Task Alertmanager_notifications_are_recorded_and_listed()
    {
        await Http.DeleteAsync("/alerts");
        var notification = new JsonObject { ["status"] = "firing", ["alerts"] = new JsonArray(new JsonObject { ["labels"] = new JsonObject { ["alertname"] = "WebhookCircuitOpen" } }) };

        using var response = await Http.PostAsJsonAsync("/alerts", notification);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var listed = Assert.Single((await Http.GetFromJsonAsync<JsonArray>("/alerts"))!);
        Assert.Equal("WebhookCircuitOpen", (string?)listed!["alerts"]![0]!["labels"]!["alertname"]);
    }

    private async Task<HttpStatusCode> PostSignedAsync(string id, HttpClient? http = null, string secret = TestSecrets.Receiver, string path = "/webhook")
    {
        const string body = """{"type":"bot.completed"}""";
        var now = DateTimeOffset.UtcNow;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(StandardWebhooks.IdHeader, id);
        request.Headers.Add(StandardWebhooks.TimestampHeader, now.ToUnixTimeSeconds().ToString());
        request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(id, now, body, secret));
        using var response = await (http ?? Http).SendAsync(request);
        return response.StatusCode;
    }
}
