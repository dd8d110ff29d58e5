using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

/// <summary>Bodies under the gateway's limit whose job data JSON could write several times larger than they are.</summary>
[Collection(nameof(FlowCollection))]
public sealed class JobDataSizeTests(FlowSystem system)
{
    // 200 000 bytes of UTF-8, under the body limit of 256 KiB; written \u0436 each, 600 000, over the engine's 512 KiB.
    public static readonly string Cyrillic = new('ж', 100_000);

    // 200 000 bytes of UTF-8; JSON writers escape each as \ud83d\ude00 whatever else they leave as it is: 600 000.
    public static readonly string Emoji = string.Concat(Enumerable.Repeat("😀", 50_000));

    [Fact]
    public async Task A_non_ascii_payload_under_the_body_limit_is_accepted_and_reaches_its_bot_as_sent()
    {
        using var response = await PostAsWrittenAsync("/invoke", InvokeBody(Cyrillic));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = JobIdOf(await response.Content.ReadAsStringAsync());
        Assert.Equal(InvocationStatus.Completed, (string?)(await system.WaitForEndAsync(jobId))["status"]);
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Node), system.Redis.Connection);
        Assert.Equal(Cyrillic, (string?)(await bots.GetJobAsync(jobId))!.GetData<BotJobData>()!.Payload["text"]);
    }

    [Fact]
    public async Task A_non_ascii_payload_in_an_ordering_line_runs_and_the_next_invocation_on_its_key_follows_it()
    {
        var key = "large-" + Guid.NewGuid();

        using var large = await PostAsWrittenAsync("/invoke", InvokeBody(Cyrillic, key));
        var next = await system.InvokeOkAsync(new { botType = "node", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, orderingKey = key });

        // An invocation that took its place in the line without getting a job would hold the next one for a minute.
        Assert.Equal(InvocationStatus.Completed, (string?)(await system.WaitForEndAsync(next, TimeSpan.FromSeconds(20)))["status"]);
        Assert.Equal(HttpStatusCode.Accepted, large.StatusCode);
    }

    [Fact]
    public async Task Job_data_over_the_engines_limit_however_written_is_a_413_naming_it_that_leaves_no_claim_and_no_place_in_the_line()
    {
        var key = "too-large-" + Guid.NewGuid();
        var idempotencyKey = Guid.NewGuid().ToString();

        using var refused = await PostAsWrittenAsync("/invoke", InvokeBody(Emoji, key), idempotencyKey);
        using var repeated = await PostAsWrittenAsync("/invoke", InvokeBody(Emoji, key), idempotencyKey);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("524288 bytes", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, repeated.StatusCode);
        var database = system.Redis.Connection.GetDatabase();
        Assert.False(await database.KeyExistsAsync(IdempotencyClaim.Key("dev", idempotencyKey)));
        Assert.False(await database.KeyExistsAsync(OrderingLine.Key("dev", key)!));
    }

    [Fact]
    public async Task A_non_ascii_result_under_the_runners_limit_reaches_the_webhook_as_the_bot_wrote_it()
    {
        // The bot counts its records by status: the status, 200 000 bytes of UTF-8, comes back as a key of its result.
        var body = $$"""{"botType":"node","payload":{"durationMs":10,"records":[{"status":"{{Cyrillic}}"}]},"webhookUrl":"{{system.Webhook}}"}""";
        using var response = await PostAsWrittenAsync("/invoke", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = JobIdOf(await response.Content.ReadAsStringAsync());

        Assert.Equal(InvocationStatus.Completed, (string?)(await system.WaitForEndAsync(jobId))["status"]);
        var delivered = await system.WaitForDeliveryAsync(jobId);
        Assert.True(delivered["signatureValid"]!.GetValue<bool>());
        Assert.Equal(1, JsonNode.Parse((string)delivered["body"]!)!["data"]!["result"]!["byStatus"]![Cyrillic]!.GetValue<int>());
    }

    private string InvokeBody(string text, string? orderingKey = null) =>
        $$"""{"botType":"node","payload":{"durationMs":10,"text":"{{text}}"},"webhookUrl":"{{system.Webhook}}"{{(orderingKey is null ? "" : $",\"orderingKey\":\"{orderingKey}\"")}}}""";

    private static string JobIdOf(string body) => JsonNode.Parse(body)!["jobId"]!.GetValue<string>();

    // Sent as written: a serializer would escape every character of the text, and the body would pass the gateway's limit.
    private async Task<HttpResponseMessage> PostAsWrittenAsync(string path, string body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}{path}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", FlowSystem.ClientKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await system.Http.SendAsync(request);
    }
}
