using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

[Collection(nameof(FlowCollection))]
public sealed class InvocationFlowTests(FlowSystem system)
{
    [Theory]
    [InlineData("python", "mean")]
    [InlineData("node", "byStatus")]
    [InlineData("java", "valid")]
    public async Task Invocation_of_each_bot_type_completes_and_its_signed_result_reaches_the_webhook(string botType, string resultField)
    {
        var jobId = await system.InvokeOkAsync(new { botType, payload = new { durationMs = 100 }, webhookUrl = system.Webhook });

        var job = await system.WaitForEndAsync(jobId);

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.NotNull(job["result"]![resultField]);
        Assert.Equal(100, job["progress"]!.GetValue<int>());
        var delivery = await system.WaitForDeliveryAsync(jobId);
        Assert.True(delivery["signatureValid"]!.GetValue<bool>());
        var body = JsonNode.Parse(delivery["body"]!.GetValue<string>())!;
        Assert.Equal("bot.completed", body["type"]!.GetValue<string>());
        Assert.Equal(jobId, body["data"]!["jobId"]!.GetValue<string>());
        await FlowSystem.EventuallyAsync(async () => (await system.GetJobAsync(jobId))?["webhook"]?["status"]?.GetValue<string>() == "delivered",
            "the job never showed its webhook as delivered");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_invocation_whose_first_write_could_not_be_made_is_refused_and_its_repeat_accepted_and_seen_by_its_client(bool inOrderingLine)
    {
        await using var cutter = new RedisConnectionCutter(system.Redis);
        var gatewayUrl = await system.StartGatewayAsync(inOrderingLine ? "ApiGateway-cut-ordered" : "ApiGateway-cut", ("ConnectionStrings__redis", cutter.ConnectionString));
        var gateway = new GatewayClient(gatewayUrl, system.Http);
        // The connection drops as the gateway adds the job, or, in an ordering line, as it writes the record first.
        cutter.CutOnceWhenSent(inOrderingLine
            ? $"${InvocationRecord.Key(InvocationIds.New()).Length}\r\n{InvocationRecord.Key("")}"
            : $"bull:{QueueNames.Invocations}:\r\n${InvocationIds.New().Length}\r\n");
        var body = new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, orderingKey = inOrderingLine ? Guid.NewGuid().ToString() : null };
        var idempotencyKey = Guid.NewGuid().ToString();

        using var refused = await gateway.InvokeAsync(body, idempotencyKey: idempotencyKey);
        Assert.Equal(1, cutter.Cuts);
        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
        using var repeated = await gateway.InvokeAsync(body, idempotencyKey: idempotencyKey);

        Assert.Equal(HttpStatusCode.Accepted, repeated.StatusCode);
        var jobId = (await repeated.Content.ReadFromJsonAsync<JsonObject>())!["jobId"]!.GetValue<string>();
        var job = await system.WaitForEndAsync(jobId);
        Assert.Equal("completed", job["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_delivery_being_retried_shows_on_the_job_with_its_last_status_code_and_next_attempt_time()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = $"{system.MockWebhookUrl}/test/error" });

        JsonNode? webhook = null;
        await FlowSystem.EventuallyAsync(async () => (webhook = (await system.GetJobAsync(jobId))?["webhook"])?["status"]?.GetValue<string>() == "retrying",
            "the job never showed its delivery as retrying");

        Assert.Equal(500, webhook!["lastStatusCode"]?.GetValue<int>());
        Assert.True(webhook["attempts"]!.GetValue<int>() >= 1);
        var nextAttemptAt = webhook["nextAttemptAt"]?.GetValue<string>();
        Assert.NotNull(nextAttemptAt);
        Assert.InRange(DateTimeOffset.Parse(nextAttemptAt, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddSeconds(-10), DateTimeOffset.UtcNow.AddSeconds(10));
        await FlowSystem.EventuallyAsync(async () => (webhook = (await system.GetJobAsync(jobId))?["webhook"])?["status"]?.GetValue<string>() == "dead",
            "the delivery never ran out of retries");
        Assert.Null(webhook!["nextAttemptAt"]);
    }

    [Fact]
    public async Task A_permanently_failing_bot_ends_failed_with_its_error()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "python", payload = new { fail = "permanent", durationMs = 10 }, webhookUrl = system.Webhook });

        var job = await system.WaitForEndAsync(jobId);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Contains("malformed", job["error"]!.GetValue<string>());
        // Its webhook says how long the bot ran (for 10 ms of work and five progress steps), as a completed one's does.
        var delivered = JsonNode.Parse((await system.WaitForDeliveryAsync(jobId))["body"]!.GetValue<string>())!["data"]!;
        Assert.InRange(delivered["durationMs"]!.GetValue<long>(), 10, 30_000);
    }

    [Fact]
    public async Task A_bot_being_retried_shows_the_attempt_it_is_on_and_ends_with_every_attempt_counted()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "python", payload = new { fail = "retryable", durationMs = 1500 }, webhookUrl = system.Webhook });

        var seen = new SortedSet<int>();
        JsonNode job;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while ((job = (await system.GetJobAsync(jobId))!)["status"]!.GetValue<string>() is not ("completed" or "failed") && DateTime.UtcNow < deadline)
        {
            if (job["status"]!.GetValue<string>() == "running")
            {
                seen.Add(job["attempts"]!.GetValue<int>());
            }
            await Task.Delay(100);
        }

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal(3, job["attempts"]!.GetValue<int>());
        // Each attempt runs for 1.5 s, so every one of them is seen while it runs.
        Assert.Equal([1, 2, 3], seen);
    }

    [Fact]
    public async Task Cancelling_a_bot_waiting_to_be_retried_ends_it_cancelled_with_the_attempts_it_made()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "python", payload = new { fail = "retryable", durationMs = 10 }, webhookUrl = system.Webhook });
        await using var bots = new Queue(QueueNames.Bots("python"), system.Redis.Connection);
        await FlowSystem.EventuallyAsync(async () => await bots.GetJobStateAsync(jobId) == JobState.Delayed
            && (await system.GetJobAsync(jobId))!["attempts"]!.GetValue<int>() >= 1, "the bot never waited for a retry with an attempt shown");

        using var cancelled = await system.SendAsync(HttpMethod.Delete, $"/job/{jobId}");
        cancelled.EnsureSuccessStatusCode();

        // The gateway marks it cancelled at once; the orchestrator's own ending is done once its webhook went out.
        await FlowSystem.EventuallyAsync(async () => (await system.GetJobAsync(jobId))!["webhook"]!["status"]!.GetValue<string>() == "delivered",
            "the cancelled invocation's webhook never went out");
        var job = (await system.GetJobAsync(jobId))!;
        Assert.Equal("cancelled", job["status"]!.GetValue<string>());
        Assert.InRange(job["attempts"]!.GetValue<int>(), 1, 2);
    }

    [Fact]
    public async Task Thirty_java_invocations_never_run_more_than_the_limit_at_once_and_all_complete()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ =>
            system.InvokeOkAsync(new { botType = "java", payload = new { durationMs = 300, records = 100 }, webhookUrl = system.Webhook })));

        var jobs = await Task.WhenAll(ids.Select(id => system.WaitForEndAsync(id, TimeSpan.FromMinutes(3))));

        Assert.All(jobs, job => Assert.Equal("completed", job["status"]!.GetValue<string>()));
        // The bots' own clocks: each result carries when the bot started and finished its work.
        var intervals = jobs.Select(job => (Start: job["result"]!["startedAt"]!.GetValue<long>(), End: job["result"]!["finishedAt"]!.GetValue<long>())).ToList();
        var events = intervals.SelectMany(i => new[] { (Time: i.Start, Delta: 1), (Time: i.End, Delta: -1) })
            .OrderBy(e => e.Time).ThenBy(e => e.Delta);
        int running = 0, most = 0;
        foreach (var (_, delta) in events)
        {
            running += delta;
            most = Math.Max(most, running);
        }
        Assert.True(most <= FlowSystem.MaxJavaBots, $"{most} java bots ran at once");
        Assert.Equal(FlowSystem.MaxJavaBots, most);
    }

    [Fact]
    public async Task A_cancel_landing_as_the_orchestrator_takes_the_invocation_up_is_never_overwritten_by_a_wait()
    {
        // Every java permit held, and the ordering line headed, by bots that outlast the test: what is taken up waits.
        var holders = new List<string>();
        for (var i = 0; i < FlowSystem.MaxJavaBots; i++)
        {
            holders.Add(await system.InvokeOkAsync(new { botType = "java", payload = new { durationMs = 120_000 }, webhookUrl = system.Webhook, orderingKey = i == 0 ? "cancel-race" : null }));
        }
        foreach (var holder in holders)
        {
            await system.WaitForStatusAsync(holder, "running");
        }

        // Each cancel follows its invocation a little later than the one before, so some land as the orchestrator reads
        // the record and others as it marks the wait; through a gateway that lets them all through at once.
        var gatewayUrl = await system.StartGatewayAsync("ApiGateway-cancel-race", ("Gateway__RateLimitPerSecond", "1000000"), ("Gateway__RateLimitBurst", "1000000"));
        var gateway = new GatewayClient(gatewayUrl, system.Http);
        var cancelled = new List<string>();
        for (var i = 0; i < 240; i++)
        {
            var id = await gateway.InvokeOkAsync(new { botType = "java", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, orderingKey = i % 2 == 0 ? "cancel-race" : null });
            var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (i / 2 % 60) * 50 / 1_000_000;
            while (Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(10);
            }
            using var cancel = await system.SendAsync(HttpMethod.Delete, $"/job/{id}", gatewayUrl: gatewayUrl);
            Assert.True(cancel.StatusCode == HttpStatusCode.OK, $"The cancel of waiting invocation {id} answered {(int)cancel.StatusCode}: {await cancel.Content.ReadAsStringAsync()}");
            cancelled.Add(id);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));

        var shown = await Task.WhenAll(cancelled.Select(async id => (Id: id, Status: (await gateway.GetJobAsync(id))!["status"]!.GetValue<string>())));
        foreach (var holder in holders)
        {
            using var _ = await system.SendAsync(HttpMethod.Delete, $"/job/{holder}");
        }
        var overwritten = shown.Where(job => job.Status != "cancelled").ToList();
        Assert.True(overwritten.Count == 0, $"{overwritten.Count} cancelled invocations show another status: " + string.Join(", ", overwritten.Take(5)));
    }

    [Fact]
    public async Task Cancelling_a_running_bot_kills_it_and_the_job_ends_cancelled()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "node", payload = new { durationMs = 60_000 }, webhookUrl = system.Webhook });
        await system.WaitForStatusAsync(jobId, "running");

        using var cancel = new HttpRequestMessage(HttpMethod.Delete, $"{system.GatewayUrl}/job/{jobId}");
        cancel.Headers.Add("X-Api-Key", FlowSystem.ClientKey);
        using var response = await system.Http.SendAsync(cancel);
        response.EnsureSuccessStatusCode();
        var answer = (await response.Content.ReadFromJsonAsync<JsonNode>())!;

        var job = await system.WaitForEndAsync(jobId, TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", job["status"]!.GetValue<string>());
        // Once the bot is killed and its end recorded, the job still ended when the client cancelled it.
        await FlowSystem.EventuallyAsync(async () => (await system.GetJobAsync(jobId))?["webhook"]?["status"]?.GetValue<string>() == "delivered",
            "the cancelled job's webhook was never delivered");
        Assert.Equal(answer["finishedAt"]!.GetValue<string>(), (await system.GetJobAsync(jobId))!["finishedAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_running_bots_permit_is_renewed_by_its_orchestrator_and_its_runner_alike_for_the_orchestrators_lease_time()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "node", payload = new { durationMs = 60_000 }, webhookUrl = system.Webhook });
        await system.WaitForStatusAsync(jobId, "running");
        var record = await system.Redis.Connection.GetDatabase().HashGetAsync(InvocationRecord.Key(jobId), InvocationRecord.LeaseFields);
        var semaphore = new RedisSemaphore(system.Redis.Connection, BotTypes.Node, 1);

        // Long enough for the runner to renew it at least twice whatever lease it renews for.
        var longestLeft = TimeSpan.Zero;
        for (var watched = Stopwatch.StartNew(); watched.Elapsed < TimeSpan.FromSeconds(8);)
        {
            var holder = Assert.Single(await semaphore.GetHoldersAsync(), holder => holder.Token == (string?)record[0]);
            longestLeft = TimeSpan.FromTicks(Math.Max(longestLeft.Ticks, (holder.ExpiresAt - DateTimeOffset.UtcNow).Ticks));
            await Task.Delay(100);
        }
        using var _ = await system.SendAsync(HttpMethod.Delete, $"/job/{jobId}");

        Assert.Equal(FlowSystem.OrchestratorLeaseTime.TotalMilliseconds, (long)record[1]);
        Assert.InRange(longestLeft, FlowSystem.OrchestratorLeaseTime / 2, FlowSystem.OrchestratorLeaseTime + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Cancelling_again_completes_a_cancel_that_marked_the_job_cancelled_but_never_reached_its_bot()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "node", payload = new { durationMs = 120_000 }, webhookUrl = system.Webhook });
        await system.WaitForStatusAsync(jobId, "running");
        // What a cancel leaves when Redis goes away after its first step: the record says cancelled, the bot runs on.
        await system.Redis.Connection.GetDatabase().HashSetAsync(InvocationRecord.Key(jobId), InvocationRecord.Status, InvocationStatus.Cancelled);

        using var cancel = await system.SendAsync(HttpMethod.Delete, $"/job/{jobId}");

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await using var bots = new Queue(QueueNames.Bots("node"), system.Redis.Connection);
        await FlowSystem.EventuallyAsync(async () => await bots.GetJobStateAsync(jobId) is JobState.Completed or JobState.Failed,
            "the bot of the cancelled invocation runs on", TimeSpan.FromSeconds(30));
        var delivery = await system.WaitForDeliveryAsync(jobId);
        Assert.Equal("cancelled", JsonNode.Parse(delivery["body"]!.GetValue<string>())!["data"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bot_that_completes_after_its_cancel_was_answered_ends_cancelled_and_its_webhook_says_so()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 1500 }, webhookUrl = system.Webhook });
        await system.WaitForStatusAsync(jobId, "running");
        // What a cancel leaves when it lands as the bot ends: the record says cancelled, its kill comes too late.
        await system.Redis.Connection.GetDatabase().HashSetAsync(InvocationRecord.Key(jobId), InvocationRecord.Ended(InvocationStatus.Cancelled, "cancelled", DateTimeOffset.UtcNow));

        var delivered = JsonNode.Parse((await system.WaitForDeliveryAsync(jobId))["body"]!.GetValue<string>())!["data"]!;

        await using var bots = new Queue(QueueNames.Bots("python"), system.Redis.Connection);
        Assert.Equal(JobState.Completed, await bots.GetJobStateAsync(jobId));
        Assert.Equal("cancelled", delivered["status"]!.GetValue<string>());
        var job = (await system.GetJobAsync(jobId))!;
        Assert.Equal("cancelled", job["status"]!.GetValue<string>());
        Assert.Null(job["result"]);
    }

    [Fact]
    public async Task An_invocation_run_again_after_it_ended_queues_its_delivery_without_running_its_bot_again()
    {
        var (invocationId, invocation) = PythonInvocation();
        // What a run leaves when its orchestrator dies between recording the outcome and queuing the delivery: a
        // final record, and its invocation job to be run again.
        var now = DateTimeOffset.UtcNow;
        await system.Redis.Connection.GetDatabase().HashSetAsync(InvocationRecord.Key(invocationId),
        [
            .. InvocationRecord.Accepted(invocation, now),
            new(InvocationRecord.Status, InvocationStatus.Completed),
            new(InvocationRecord.Result, """{"answer":42}"""),
            new(InvocationRecord.Attempts, 1),
            new(InvocationRecord.DurationMs, 7),
            new(InvocationRecord.FinishedAt, now.ToUnixTimeMilliseconds()),
        ]);
        await new Queue(QueueNames.Invocations, system.Redis.Connection).AddAsync("invoke", invocation, new JobOptions { JobId = invocationId });

        var delivery = JsonNode.Parse((await system.WaitForDeliveryAsync(invocationId))["body"]!.GetValue<string>())!["data"]!;

        Assert.Equal("""{"answer":42}""", delivery["result"]?.ToJsonString());
        Assert.Equal(7, (int?)delivery["durationMs"]);
        Assert.Equal(JobState.Unknown, await new Queue(QueueNames.Bots("python"), system.Redis.Connection).GetJobStateAsync(invocationId));
    }

    [Fact]
    public async Task An_invocation_taken_up_again_after_its_bot_ended_keeps_the_times_the_bot_started_and_ended()
    {
        var (invocationId, invocation) = PythonInvocation();
        // What a run leaves when its orchestrator stops while the bot runs (a restart of the system, a crash) and the
        // bot ends before an orchestrator takes the invocation up again: a record running since the bot started, and
        // the bot job ended.
        var startedAt = DateTimeOffset.UtcNow;
        await system.Redis.Connection.GetDatabase().HashSetAsync(InvocationRecord.Key(invocationId),
        [
            .. InvocationRecord.Accepted(invocation, startedAt.AddSeconds(-1)),
            new(InvocationRecord.Status, InvocationStatus.Running),
            new(InvocationRecord.StartedAt, startedAt.ToUnixTimeMilliseconds()),
            new(InvocationRecord.Attempts, 1),
        ]);
        await using var bots = new Queue(QueueNames.Bots("python"), system.Redis.Connection);
        await bots.AddAsync(invocation.Bot, new BotJobData
        {
            InvocationId = invocationId,
            BotType = invocation.BotType,
            Bot = invocation.Bot,
            Payload = invocation.Payload,
        }, new JobOptions { JobId = invocationId });
        await FlowSystem.EventuallyAsync(async () => await bots.GetJobStateAsync(invocationId) == JobState.Completed, "the bot never completed");
        var botEndedAt = (await bots.GetJobAsync(invocationId))!.FinishedOn!.Value;
        // Long enough that a time taken when the orchestrator finds the bot ended would not pass for the bot's own.
        await Task.Delay(TimeSpan.FromSeconds(1));

        await new Queue(QueueNames.Invocations, system.Redis.Connection).AddAsync("invoke", invocation, new JobOptions { JobId = invocationId });
        var job = await system.WaitForEndAsync(invocationId);

        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.Equal(startedAt.ToUnixTimeMilliseconds(), DateTimeOffset.Parse(job["startedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        Assert.Equal(botEndedAt.ToUnixTimeMilliseconds(), DateTimeOffset.Parse(job["finishedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task An_invocation_whose_orchestration_fails_for_good_ends_failed_saying_why_and_its_webhook_says_so()
    {
        var orderingKey = "broken-" + Guid.NewGuid();
        // Its ordering line's key came to hold a string once it was accepted (a foreign writer's, or a bug's): every
        // orchestration of it fails.
        var database = system.Redis.Connection.GetDatabase();
        await database.StringSetAsync(OrderingLine.Key("dev", orderingKey), "not a list");
        var jobId = InvocationIds.New();
        var invocation = system.OrderedPythonInvocation(orderingKey, 10);
        await database.HashSetAsync(InvocationRecord.Key(jobId), InvocationRecord.Accepted(invocation, DateTimeOffset.UtcNow));
        await using var invocations = new Queue(QueueNames.Invocations, system.Redis.Connection);
        await invocations.AddAsync("invoke", invocation,
            new JobOptions { JobId = jobId, Attempts = 3, Backoff = new BackoffOptions(BackoffType.Fixed, TimeSpan.FromMilliseconds(100)) });

        var job = await system.WaitForEndAsync(jobId);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.StartsWith("The orchestration failed: WRONGTYPE", job["error"]!.GetValue<string>());
        Assert.NotNull(job["finishedAt"]);
        var delivered = JsonNode.Parse((await system.WaitForDeliveryAsync(jobId))["body"]!.GetValue<string>())!["data"]!;
        Assert.Equal("failed", delivered["status"]!.GetValue<string>());
        Assert.Equal(JobState.Failed, await invocations.GetJobStateAsync(jobId));
    }

    [Fact]
    public async Task An_invocation_job_that_holds_no_invocation_fails_at_once_saying_what_it_should_hold()
    {
        // What a producer of another shape (a hand-made job, another version) could add.
        await using var invocations = new Queue(QueueNames.Invocations, system.Redis.Connection);
        var id = await invocations.AddAsync("invoke", new[] { 1, 2 },
            new JobOptions { Attempts = 3, Backoff = new BackoffOptions(BackoffType.Fixed, TimeSpan.FromMilliseconds(100)) });

        await FlowSystem.EventuallyAsync(async () => await invocations.GetJobStateAsync(id) == JobState.Failed, $"job {id} never failed");

        var job = (await invocations.GetJobAsync(id))!;
        Assert.Equal(1, job.AttemptsMade);
        Assert.Contains(nameof(InvocationJobData), job.FailedReason);
    }

    [Fact]
    public async Task Another_clients_job_is_not_found()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook });

        Assert.NotNull(await system.GetJobAsync(jobId));
        Assert.Null(await system.GetJobAsync(jobId, FlowSystem.OtherClientKey));
    }

    /// <summary>A new invocation of the python sample bot by the development client, as the gateway would add it.</summary>
    private (string Id, InvocationJobData Data) PythonInvocation() => (InvocationIds.New(), new InvocationJobData
    {
        ClientId = "dev",
        BotType = "python",
        Bot = "data_analysis",
        Payload = new JsonObject { ["durationMs"] = 10 },
        WebhookUrl = $"{system.MockWebhookUrl}/webhook",
    });
}
