using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace ApiGateway.Tests;

[Collection(nameof(FlowCollection))]
public sealed class TriggerTests(FlowSystem system)
{
    [Fact]
    public async Task A_standard_webhooks_signed_request_invokes_the_triggers_bot_for_its_client()
    {
        var body = """{"text":"/report sales","durationMs":10}""";
        using var response = await PostSignedAsync(body, Guid.NewGuid().ToString(), DateTimeOffset.UtcNow);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["jobId"]!.GetValue<string>();
        var job = await system.WaitForEndAsync(jobId);
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal("python", job["botType"]!.GetValue<string>());
        Assert.Null(await system.GetJobAsync(jobId, FlowSystem.OtherClientKey));
    }

    [Fact]
    public async Task A_tampered_body_is_refused()
    {
        var id = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow;
        using var request = await SignedAsync("""{"amount":1}""", id, now);
        request.Content = new StringContent("""{"amount":1000}""", Encoding.UTF8, "application/json");

        using var response = await system.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_request_signed_more_than_five_minutes_ago_is_refused()
    {
        using var response = await PostSignedAsync("""{"text":"hi"}""", Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddMinutes(-6));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("5 minutes", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("253402300800")]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775807")]
    public async Task A_request_with_a_timestamp_past_any_date_is_refused_as_out_of_tolerance(string timestamp)
    {
        using var request = await SignedAsync("""{"text":"hi"}""", Guid.NewGuid().ToString(), DateTimeOffset.UtcNow);
        request.Headers.Remove("webhook-timestamp");
        request.Headers.Add("webhook-timestamp", timestamp);

        using var response = await system.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("5 minutes", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_replayed_webhook_id_is_refused()
    {
        var id = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow;
        using var first = await PostSignedAsync("""{"text":"hi","durationMs":10}""", id, now);
        using var replay = await PostSignedAsync("""{"text":"hi","durationMs":10}""", id, now);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
    }

    [Fact]
    public async Task A_request_refused_for_the_rate_limit_is_accepted_when_its_sender_retries_it_with_the_same_webhook_id()
    {
        var gateway = await system.StartTriggerGatewayAsync("ApiGateway-triggers-limited", ("Gateway__RateLimitPerSecond", "1"), ("Gateway__RateLimitBurst", "1"));
        var body = """{"text":"hi","durationMs":10}""";
        var now = DateTimeOffset.UtcNow;
        using var first = await PostSignedAsync(body, Guid.NewGuid().ToString(), now, gateway);
        var id = Guid.NewGuid().ToString();
        using var limited = await PostSignedAsync(body, id, now, gateway);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);

        await Task.Delay(limited.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        using var retried = await PostSignedAsync(body, id, now, gateway);

        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
    }

    [Fact]
    public async Task A_body_signed_in_a_configured_hmac_header_invokes_the_bot_and_a_wrong_one_is_refused()
    {
        var body = """{"action":"push","durationMs":10}""";
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(FlowSystem.RepositoryTriggerSecret), Encoding.UTF8.GetBytes(body)));

        using var good = await PostWithHeaderAsync(body, signature);
        using var bad = await PostWithHeaderAsync(body, "sha256=" + new string('0', 64));

        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        var jobId = System.Text.Json.Nodes.JsonNode.Parse(await good.Content.ReadAsStringAsync())!["jobId"]!.GetValue<string>();
        Assert.Equal("node", (await system.WaitForEndAsync(jobId))["botType"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_trigger_is_404()
    {
        using var response = await system.Http.PostAsync($"{await system.TriggerGatewayUrlAsync()}/hooks/nope", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostSignedAsync(string body, string messageId, DateTimeOffset timestamp, string? gatewayUrl = null)
    {
        using var request = await SignedAsync(body, messageId, timestamp, gatewayUrl);
        return await system.Http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostWithHeaderAsync(string body, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{await system.TriggerGatewayUrlAsync()}/hooks/{FlowSystem.RepositoryTrigger}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(FlowSystem.RepositorySignatureHeader, signature);
        return await system.Http.SendAsync(request);
    }

    /// <summary>Signed as the Standard Webhooks specification says: v1, base64 HMAC-SHA256 of "id.timestamp.body".</summary>
    private async Task<HttpRequestMessage> SignedAsync(string body, string messageId, DateTimeOffset timestamp, string? gatewayUrl = null)
    {
        var seconds = timestamp.ToUnixTimeSeconds();
        var key = Convert.FromBase64String(FlowSystem.ChatTriggerSecret["whsec_".Length..]);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{seconds}.{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, $"{gatewayUrl ?? await system.TriggerGatewayUrlAsync()}/hooks/{FlowSystem.ChatTrigger}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", seconds.ToString());
        request.Headers.Add("webhook-signature", "v1," + signature);
        return request;
    }
}
