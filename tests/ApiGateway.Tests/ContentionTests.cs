using System.Net;

namespace ApiGateway.Tests;

[Collection(nameof(FlowCollection))]
public sealed class ContentionTests(FlowSystem system)
{
    [Fact]
    public async Task Under_contention_higher_priority_invocations_get_the_free_permits_first()
    {
        var blockers = await InvokeManyAsync(FlowSystem.MaxPythonBots, priority: 5, durationMs: 4000);
        foreach (var blocker in blockers)
        {
            await system.WaitForStatusAsync(blocker, "running");
        }
        var low = await InvokeManyAsync(FlowSystem.MaxPythonBots, priority: 10, durationMs: 500);
        var high = await InvokeManyAsync(FlowSystem.MaxPythonBots, priority: 1, durationMs: 500);
        foreach (var waiting in low.Concat(high))
        {
            await system.WaitForStatusAsync(waiting, "waiting-for-slot");
        }

        var lowStarts = await StartsAsync(low);
        var highStarts = await StartsAsync(high);

        Assert.True(highStarts.Max() <= lowStarts.Min(),
            $"a low-priority invocation started at {lowStarts.Min():O}, before the last high-priority one at {highStarts.Max():O}");
    }

    [Fact]
    public async Task A_client_over_its_rate_limit_gets_429_with_retry_after_and_other_clients_and_its_own_writes_do_not()
    {
        var limited = await system.StartGatewayAsync("ApiGateway-rate-limited", ("Gateway__RateLimitPerSecond", "1"), ("Gateway__RateLimitBurst", "3"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var admitted = await system.SendAsync(HttpMethod.Get, "/job/inv_unknown", gatewayUrl: limited);
            statuses.Add(admitted.StatusCode);
        }
        using var refused = await system.SendAsync(HttpMethod.Get, "/job/inv_unknown", gatewayUrl: limited);
        statuses.Add(refused.StatusCode);
        using var otherClient = await system.SendAsync(HttpMethod.Get, "/job/inv_unknown", FlowSystem.OtherClientKey, gatewayUrl: limited);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) >= 1);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, otherClient.StatusCode);

        // Reads and the rest have a bucket each, so a client polling its jobs still gets its invocations in
        // (here three refused as bad, not as too many).
        var writes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var write = await system.SendAsync(HttpMethod.Post, "/invoke", body: new { }, gatewayUrl: limited);
            writes.Add(write.StatusCode);
        }
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], writes);
    }

    private async Task<List<string>> InvokeManyAsync(int count, int priority, int durationMs)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await system.InvokeOkAsync(new { botType = "python", priority, payload = new { durationMs }, webhookUrl = system.Webhook }));
        }
        return ids;
    }

    private async Task<List<DateTimeOffset>> StartsAsync(IEnumerable<string> ids)
    {
        var starts = new List<DateTimeOffset>();
        foreach (var id in ids)
        {
            var job = await system.WaitForEndAsync(id);
            Assert.Equal("completed", job["status"]!.GetValue<string>());
            starts.Add(DateTimeOffset.Parse(job["startedAt"]!.GetValue<string>()));
        }
        return starts;
    }
}
