using System.Net;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace ApiGateway.Tests;

[Collection(nameof(FlowCollection))]
public sealed class OrderingTests(FlowSystem system)
{
    [Fact]
    public async Task Invocations_sharing_an_ordering_key_run_one_at_a_time_in_arrival_order_while_other_keys_run_alongside()
    {
        var key = "order-" + Guid.NewGuid();
        // Runs long enough that a bot of the other key overlaps the first even when its runtime starts cold.
        var ordered = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ordered.Add(await system.InvokeOkAsync(new { botType = "java", payload = new { durationMs = 2000, records = 10 }, webhookUrl = system.Webhook, orderingKey = key }));
        }
        var alongside = await system.InvokeOkAsync(new { botType = "java", payload = new { durationMs = 2000, records = 10 }, webhookUrl = system.Webhook, orderingKey = key + "-other" });

        var runs = new List<(long Start, long End)>();
        foreach (var id in ordered)
        {
            runs.Add(BotInterval(await system.WaitForEndAsync(id)));
        }
        var other = BotInterval(await system.WaitForEndAsync(alongside));

        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i].Start >= runs[i - 1].End, $"run {i} started at {runs[i].Start}, before run {i - 1} ended at {runs[i - 1].End}");
        }
        Assert.True(other.Start < runs[0].End && runs[0].Start < other.End, "a different ordering key waited for the first one");
    }

    [Fact]
    public async Task A_waiting_invocation_can_be_cancelled_and_its_bot_never_runs()
    {
        var key = "cancel-" + Guid.NewGuid();
        var first = await system.InvokeOkAsync(new { botType = "node", payload = new { durationMs = 3000 }, webhookUrl = system.Webhook, orderingKey = key });
        var waiting = await system.InvokeOkAsync(new { botType = "node", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, orderingKey = key });
        var last = await system.InvokeOkAsync(new { botType = "node", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, orderingKey = key });
        await system.WaitForStatusAsync(waiting, "waiting-for-turn");

        using (var cancel = await system.SendAsync(HttpMethod.Delete, $"/job/{waiting}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var cancelled = await system.WaitForEndAsync(waiting);
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Null(cancelled["startedAt"]);
        // Its bot never started, and its client is told all the same.
        var webhook = JsonNode.Parse((string)(await system.WaitForDeliveryAsync(waiting))["body"]!)!;
        Assert.Equal((WebhookEvent.Failed, "cancelled"), ((string?)webhook["type"], (string?)webhook["data"]!["status"]));
        await FlowSystem.EventuallyAsync(async () => (string?)(await system.GetJobAsync(waiting))!["webhook"]!["status"] == DeliveryStatus.Delivered,
            "the cancelled invocation's delivery is not shown delivered");
        Assert.Equal("completed", (await system.WaitForEndAsync(first))["status"]!.GetValue<string>());
        Assert.Equal("completed", (await system.WaitForEndAsync(last))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invocation_that_took_its_place_in_a_line_but_never_got_a_job_does_not_hold_the_line()
    {
        var key = "abandoned-" + Guid.NewGuid();
        var abandoned = InvocationIds.New();
        var invocation = new InvocationJobData
        {
            ClientId = "dev",
            BotType = "node",
            Bot = "api_processor",
            Payload = [],
            WebhookUrl = $"{system.MockWebhookUrl}/webhook",
            OrderingKey = key,
        };
        // What a request leaves when Redis fails between its place in the line and its job, and is never repeated.
        var database = system.Redis.Connection.GetDatabase();
        await database.HashSetAsync(InvocationRecord.Key(abandoned), InvocationRecord.Accepted(invocation, DateTimeOffset.UtcNow.AddMinutes(-5)));
        await database.ListRightPushAsync(OrderingLine.Key("dev", key)!, abandoned);

        var next = await system.InvokeOkAsync(new { botType = "node", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, orderingKey = key });

        Assert.Equal("completed", (await system.WaitForEndAsync(next, TimeSpan.FromSeconds(60)))["status"]!.GetValue<string>());
    }

    private static (long Start, long End) BotInterval(System.Text.Json.Nodes.JsonNode job)
    {
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        return (job["result"]!["startedAt"]!.GetValue<long>(), job["result"]!["finishedAt"]!.GetValue<long>());
    }
}
