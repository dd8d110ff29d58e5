using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace ApiGateway.Tests;

/// <summary>
/// Invocations accepted while no orchestrator takes them: what their clients see and can do while they are queued, and
/// what an orchestrator taking them up later keeps of it.
/// </summary>
public sealed class QueuedInvocationTests : IAsyncLifetime
{
    private const string Webhook = "http://localhost:5000/webhook";

    private readonly OrchestrationQueues _queues = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private GatewayClient? _gateway;

    private ServiceSet Services => _queues.Services;

    private GatewayClient Gateway => _gateway!;

    public async Task InitializeAsync()
    {
        await _queues.StartAsync();
        _gateway = new GatewayClient(await Services.StartAsync("ApiGateway", FlowSystem.OtherClient), _http);
    }

    [Fact]
    public async Task A_queued_invocation_is_shown_to_its_client_alone_and_keeps_its_acceptance_time_once_an_orchestrator_takes_it()
    {
        var acceptedAfter = DateTimeOffset.UtcNow.AddSeconds(-1);
        var jobId = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, priority = 4 });

        var queued = (await Gateway.GetJobAsync(jobId))!;
        Assert.Equal(InvocationStatus.Queued, (string?)queued["status"]);
        Assert.Equal(BotTypes.Python, (string?)queued["botType"]);
        Assert.Equal(BotCatalog.DefaultBot(BotTypes.Python), (string?)queued["bot"]);
        Assert.Equal(0, queued["progress"]!.GetValue<int>());
        Assert.Equal(0, queued["attempts"]!.GetValue<int>());
        Assert.Null(queued["startedAt"]);
        Assert.Equal(DeliveryStatus.Pending, (string?)queued["webhook"]!["status"]);
        Assert.InRange(DateTimeOffset.Parse((string)queued["createdAt"]!), acceptedAfter, DateTimeOffset.UtcNow);
        Assert.Null(await Gateway.GetJobAsync(jobId, FlowSystem.OtherClientKey));

        // No runner takes the bot job: the invocation stays running once the orchestrator has added its bot's job.
        await Services.StartAsync("Orchestrator");
        await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(jobId) == JobState.Prioritized,
            $"the invocation was never taken\n{Services.ProcessOf("Orchestrator").Output}");

        var running = (await Gateway.GetJobAsync(jobId))!;
        Assert.Equal(InvocationStatus.Running, (string?)running["status"]);
        Assert.Equal((string?)queued["createdAt"], (string?)running["createdAt"]);
    }

    [Fact]
    public async Task A_queued_invocation_cancelled_by_its_client_ends_cancelled_and_its_bot_never_starts_while_another_clients_cancel_is_a_404()
    {
        var jobId = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook });

        using (var foreign = await CancelAsync(jobId, FlowSystem.OtherClientKey))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }
        Assert.Equal(InvocationStatus.Queued, (string?)(await Gateway.GetJobAsync(jobId))!["status"]);
        using (var cancel = await CancelAsync(jobId, GatewayClient.DevelopmentClientKey))
        {
            var answer = await cancel.Content.ReadAsStringAsync();
            Assert.True(cancel.StatusCode == HttpStatusCode.OK, answer);
            Assert.Equal(InvocationStatus.Cancelled, (string?)JsonNode.Parse(answer)!["status"]);
        }

        // An orchestrator started now takes the next invocation, and never the cancelled one.
        await Services.StartAsync("Orchestrator");
        var next = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook });
        await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(next) != JobState.Unknown,
            $"the next invocation was never taken\n{Services.ProcessOf("Orchestrator").Output}");
        Assert.Equal(JobState.Unknown, await _queues.Bots.GetJobStateAsync(jobId));
        Assert.Equal(JobState.Unknown, await _queues.Invocations.GetJobStateAsync(jobId));
        var cancelled = (await Gateway.GetJobAsync(jobId))!;
        Assert.Equal(InvocationStatus.Cancelled, (string?)cancelled["status"]);
        Assert.NotNull(cancelled["finishedAt"]);
    }

    [Fact]
    public async Task Ids_that_name_the_queues_own_keys_are_404s()
    {
        var jobId = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook });

        foreach (var id in (string[])["meta", "events", "prioritized", "marker", "id"])
        {
            Assert.Null(await Gateway.GetJobAsync(id));
            using var cancel = await CancelAsync(id, GatewayClient.DevelopmentClientKey);
            Assert.True(cancel.StatusCode == HttpStatusCode.NotFound, $"DELETE /job/{id}: {(int)cancel.StatusCode} {await cancel.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(InvocationStatus.Queued, (string?)(await Gateway.GetJobAsync(jobId))!["status"]);
    }

    [Fact]
    public async Task Invocations_accepted_while_an_operator_cleans_the_queue_stay_queued_or_end_cancelled_never_vanish()
    {
        const int Backlog = 600;
        var body = new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook };
        var gatewayUrl = await Services.StartInstanceAsync("ApiGateway-unlimited", "ApiGateway",
            ("Gateway__RateLimitPerSecond", "1000000"), ("Gateway__RateLimitBurst", "1000000"));
        var gateway = new GatewayClient(gatewayUrl, _http);
        // A backlog, so that the clean takes a while to make the records of what it may remove; fewer than the 1000 jobs
        // one clean removes at most, so it reaches the invocations accepted meanwhile.
        var backlog = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Backlog), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (_, _) => backlog.Enqueue(await gateway.InvokeOkAsync(body)));
        var accepted = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var invoking = Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Enqueue(await gateway.InvokeOkAsync(body));
            }
        })));

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{gatewayUrl}/admin/api/queues/{QueueNames.Invocations}/clean")
        {
            Content = JsonContent.Create(new { state = "prioritized", ageSeconds = 0 }),
        };
        request.Headers.Add("X-Api-Key", GatewayClient.DevelopmentAdminKey);
        using var clean = await _http.SendAsync(request);
        await stop.CancelAsync();
        await invoking;

        var answer = await clean.Content.ReadAsStringAsync();
        Assert.True(clean.IsSuccessStatusCode, answer);
        Assert.True(JsonNode.Parse(answer)!["removed"]!.GetValue<int>() >= Backlog, answer);
        Assert.NotEmpty(accepted);
        var vanished = new List<string>();
        foreach (var jobId in accepted)
        {
            var status = (string?)(await gateway.GetJobAsync(jobId))?["status"];
            if (status is not (InvocationStatus.Queued or InvocationStatus.Cancelled))
            {
                vanished.Add($"{jobId}: {status ?? "404"}");
            }
        }
        Assert.True(vanished.Count == 0, $"{vanished.Count} of {accepted.Count} invocations accepted during the clean: {string.Join(", ", vanished.Take(5))}");
        // Their clients are told, by their webhooks, what the operator did.
        await using var webhooks = new Queue(QueueNames.Webhooks, _queues.Redis.Connection);
        var removedId = backlog.First();
        var delivery = (await webhooks.GetJobAsync(WebhookDeliveryJobData.JobIdFor(removedId)))?.GetData<WebhookDeliveryJobData>();
        Assert.NotNull(delivery);
        var told = JsonNode.Parse(delivery.Body)!["data"]!;
        Assert.Equal((InvocationStatus.Cancelled, "Removed from the queue by an operator."), ((string?)told["status"], (string?)told["error"]));
    }

    [Fact]
    public async Task A_backlog_of_one_bot_type_waiting_for_permits_leaves_the_orchestrator_room_to_take_up_another_type()
    {
        // No runner takes the bots: the first python invocation holds its type's only permit, and its slot, for good.
        var python = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            python.Add(await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook }));
        }
        var node = await Gateway.InvokeOkAsync(new { botType = "node", payload = new { items = 3 }, webhookUrl = Webhook });
        await using var nodeBots = new Queue(QueueNames.Bots(BotTypes.Node), _queues.Redis.Connection);

        // Three slots, one type's waiting share each: before, the python invocations waiting for the permit took them all.
        await Services.StartAsync("Orchestrator", ("Orchestrator__Concurrency", "3"), ("MAX_PYTHON_BOTS", "1"), ("Orchestrator__DeferDelay", "00:00:00.200"));

        await FlowSystem.EventuallyAsync(async () => await nodeBots.GetJobStateAsync(node) != JobState.Unknown,
            $"the node invocation was never taken up\n{Services.ProcessOf("Orchestrator").Output}", TimeSpan.FromSeconds(15));
        Assert.Equal(InvocationStatus.Running, (string?)(await Gateway.GetJobAsync(node))!["status"]);
        var statuses = await Task.WhenAll(python.Select(async id => (string?)(await Gateway.GetJobAsync(id))!["status"]));
        Assert.Equal(1, statuses.Count(status => status == InvocationStatus.Running));
        Assert.Equal(4, statuses.Count(status => status == InvocationStatus.WaitingForSlot));
    }

    [Fact]
    public async Task Invocations_of_an_ordering_line_taken_before_its_head_never_keep_the_head_from_being_taken_up()
    {
        var head = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k", priority = 10 });
        var after = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            after.Add(await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k", priority = 1 }));
        }

        // Taken first for their better priority, the invocations after the head took every slot waiting for its turn.
        await Services.StartAsync("Orchestrator", ("Orchestrator__Concurrency", "3"), ("Orchestrator__DeferDelay", "00:00:00.200"));

        await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(head) != JobState.Unknown,
            $"the head of the line was never taken up\n{Services.ProcessOf("Orchestrator").Output}", TimeSpan.FromSeconds(15));
        Assert.Equal(InvocationStatus.Running, (string?)(await Gateway.GetJobAsync(head))!["status"]);
        foreach (var id in after)
        {
            Assert.Equal(InvocationStatus.WaitingForTurn, (string?)(await Gateway.GetJobAsync(id))!["status"]);
            Assert.Equal(JobState.Unknown, await _queues.Bots.GetJobStateAsync(id));
        }
    }

    [Fact]
    public async Task The_next_invocation_of_a_line_whose_running_head_was_cancelled_starts_only_once_that_bot_has_ended()
    {
        await Services.StartAsync("Orchestrator", ("Orchestrator__DeferDelay", "00:00:00.200"));
        // A runner whose bots take a while to stop, as a bot being killed runs on for a moment (or a runner cut off Redis
        // is told late).
        var stopped = new TaskCompletionSource();
        await using var runner = new Worker(QueueNames.Bots(BotTypes.Python), _queues.Redis.Connection, async (_, _) =>
        {
            await stopped.Task;
            return new BotRunResult { Result = new JsonObject(), DurationMs = 1 };
        });
        try
        {
            await CancelRunningHeadAsync(stopped);
        }
        finally
        {
            // Whatever was asserted, the runner it holds up can close.
            stopped.TrySetResult();
        }
    }

    [Fact]
    public async Task The_next_of_a_line_deferred_for_its_turn_starts_as_soon_as_the_one_before_it_ends_a_schedules_run_too()
    {
        // Deferred for longer than the test waits: only being woken lets them start in time.
        await Services.StartAsync("Orchestrator", ("Orchestrator__DeferDelay", "00:01:00"));
        var headEnds = new TaskCompletionSource();
        string? head = null;
        await using var runner = new Worker(QueueNames.Bots(BotTypes.Python), _queues.Redis.Connection, async (job, _) =>
        {
            if (job.Job.Id == head)
            {
                await headEnds.Task;
            }
            return new BotRunResult { Result = new JsonObject(), DurationMs = 1 };
        });
        try
        {
            head = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k" });
            await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(head) == JobState.Active, "the head's bot never started");
            var next = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k" });
            await WaitForTurnAsync(next);
            var run = await FirstScheduledRunAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k", everyMs = 5_000 });
            await WaitForTurnAsync(run);

            headEnds.TrySetResult();
            foreach (var id in (string[])[next, run])
            {
                await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(id) == JobState.Completed,
                    $"{id} never ran once the one before it in its line ended\n{Services.ProcessOf("Orchestrator").Output}", TimeSpan.FromSeconds(15));
            }
        }
        finally
        {
            headEnds.TrySetResult();
        }
    }

    [Fact]
    public async Task The_next_of_a_line_deferred_for_its_turn_starts_as_soon_as_the_orchestration_before_it_fails_for_good()
    {
        // Deferred for longer than the test waits: only being woken lets it start in time.
        await Services.StartAsync("Orchestrator", ("Orchestrator__DeferDelay", "00:01:00"));
        await using var runner = new Worker(QueueNames.Bots(BotTypes.Python), _queues.Redis.Connection,
            (_, _) => Task.FromResult<object?>(new BotRunResult { Result = new JsonObject(), DurationMs = 1 }));
        // The head holds a bot type no orchestrator knows (a job of another version, say): its orchestration fails for
        // good. Its job is added only once the next waits for its turn behind it.
        var head = InvocationIds.New();
        var headInvocation = new InvocationJobData
        {
            ClientId = "dev",
            BotType = "cobol",
            Bot = "ledger",
            Payload = new JsonObject(),
            WebhookUrl = Webhook,
            OrderingKey = "k",
        };
        Assert.True(await InvocationRecord.CreateUnlessExistsAsync(_queues.Redis.Connection.GetDatabase(), head, headInvocation, DateTimeOffset.UtcNow));
        var next = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k" });
        await WaitForTurnAsync(next);

        await _queues.Invocations.AddAsync("invoke", headInvocation, new JobOptions { JobId = head });

        await FlowSystem.EventuallyAsync(async () => await _queues.StatusOfAsync(head) == InvocationStatus.Failed, "the head's orchestration never failed");
        await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(next) == JobState.Completed,
            $"the next never ran once the one before it failed for good\n{Services.ProcessOf("Orchestrator").Output}", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_schedules_run_an_operator_removes_while_it_waits_for_its_turn_ends_cancelled_and_leaves_its_line()
    {
        // Deferred for longer than the test takes, the run stays delayed: taken up again, it would be locked and not removable.
        await Services.StartAsync("Orchestrator", ("Orchestrator__DeferDelay", "00:01:00"));
        var head = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k" });
        await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(head) == JobState.Prioritized, "the head's bot job was never added");
        var run = await FirstScheduledRunAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k", everyMs = 5_000 });
        await WaitForTurnAsync(run);
        string? runJobId = null;
        await FlowSystem.EventuallyAsync(async () =>
            (runJobId = (await _queues.Invocations.GetJobsAsync(JobState.Delayed)).Select(job => job.Id).FirstOrDefault(id => InvocationIds.Of(id) == run)) is not null,
            "the run was never deferred");

        using var remove = new HttpRequestMessage(HttpMethod.Post, $"{Services.UrlOf("ApiGateway")}/admin/api/queues/{QueueNames.Invocations}/jobs/{Uri.EscapeDataString(runJobId!)}/remove");
        remove.Headers.Add("X-Api-Key", GatewayClient.DevelopmentAdminKey);
        using var removed = await _http.SendAsync(remove);
        Assert.True(removed.IsSuccessStatusCode, await removed.Content.ReadAsStringAsync());

        // Shown waiting for good, it would hold its line once it reached the head.
        var ended = (await Gateway.GetJobAsync(run))!;
        Assert.Equal((InvocationStatus.Cancelled, "Removed from the queue by an operator."), ((string?)ended["status"], (string?)ended["error"]));
    }

    [Fact]
    public async Task An_invocation_cancelled_while_it_waits_for_a_permit_stops_waiting_at_once()
    {
        await Services.StartAsync("Orchestrator", ("MAX_PYTHON_BOTS", "1"));
        // Only the first invocation's bot ever runs here: the test's runner holds it until the test lets it end.
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runner = new Worker(_queues.Bots.Name, _queues.Redis.Connection, async (_, ct) =>
        {
            await releaseFirst.Task.WaitAsync(ct);
            return new BotRunResult { Result = new JsonObject { ["ok"] = true }, DurationMs = 1 };
        }, new WorkerOptions { Concurrency = 2 });
        try
        {
            var first = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook });
            await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(first) == JobState.Active, "the first bot never started");
            var waiting = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook });
            await FlowSystem.EventuallyAsync(async () => await _queues.StatusOfAsync(waiting) == InvocationStatus.WaitingForSlot,
                "the second invocation never waited for the permit");

            using (var cancel = await CancelAsync(waiting, GatewayClient.DevelopmentClientKey))
            {
                Assert.True(cancel.StatusCode == HttpStatusCode.OK, await cancel.Content.ReadAsStringAsync());
            }

            // The first bot runs on, holding the only permit: the cancelled invocation neither waits for it nor takes it.
            var semaphore = new RedisSemaphore(_queues.Redis.Connection, BotTypes.Python, 1);
            await FlowSystem.EventuallyAsync(async () => (await semaphore.GetCountsAsync()).Waiters == 0,
                $"the cancelled invocation still waits for a permit\n{Services.ProcessOf("Orchestrator").Output}", TimeSpan.FromSeconds(10));
            await FlowSystem.EventuallyAsync(async () => await _queues.Invocations.GetJobStateAsync(waiting) == JobState.Completed,
                "the cancelled invocation's orchestration never ended", TimeSpan.FromSeconds(10));
            Assert.Equal(JobState.Active, await _queues.Bots.GetJobStateAsync(first));
            Assert.Equal(JobState.Unknown, await _queues.Bots.GetJobStateAsync(waiting));
            Assert.Equal(InvocationStatus.Cancelled, (string?)(await Gateway.GetJobAsync(waiting))!["status"]);

            releaseFirst.TrySetResult();
            Assert.Equal(InvocationStatus.Completed, (string?)(await Gateway.WaitForEndAsync(first))["status"]);
        }
        finally
        {
            releaseFirst.TrySetResult();
        }
    }

    [Fact]
    public async Task A_cancelled_invocation_shows_the_progress_and_attempt_it_had_when_cancelled_while_its_bot_is_being_stopped()
    {
        await Services.StartAsync("Orchestrator");
        // A bot slow to stop: it goes on reporting progress for seconds after the cancel.
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var runner = new Worker(_queues.Bots.Name, _queues.Redis.Connection, async (job, _) =>
        {
            await job.UpdateProgressAsync(10);
            await cancelled.Task;
            for (var progress = 20; progress <= 90; progress += 10)
            {
                await job.UpdateProgressAsync(progress);
                await Task.Delay(TimeSpan.FromMilliseconds(300));
            }
            stopped.TrySetResult();
            return new BotRunResult { Result = new JsonObject(), DurationMs = 1 };
        });
        try
        {
            var id = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook });
            await FlowSystem.EventuallyAsync(async () => (int?)(await Gateway.GetJobAsync(id))?["progress"] == 10, "the bot's first progress was never shown");

            using (var cancel = await CancelAsync(id, GatewayClient.DevelopmentClientKey))
            {
                Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            }
            cancelled.TrySetResult();
            await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
            // Long enough for the orchestrator to look at the bot job again after its last progress.
            await Task.Delay(TimeSpan.FromSeconds(2));

            var shown = (await Gateway.GetJobAsync(id))!;
            Assert.Equal(InvocationStatus.Cancelled, (string?)shown["status"]);
            Assert.Equal(10, (int?)shown["progress"]);
        }
        finally
        {
            cancelled.TrySetResult();
        }
    }

    private Task WaitForTurnAsync(string invocationId) =>
        FlowSystem.EventuallyAsync(async () => (string?)(await Gateway.GetJobAsync(invocationId))?["status"] == InvocationStatus.WaitingForTurn,
            $"{invocationId} never waited for its turn");

    /// <summary>Creates a schedule and returns the invocation id of its first run, once it is taken up.</summary>
    private async Task<string> FirstScheduledRunAsync(object schedule)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, $"{Services.UrlOf("ApiGateway")}/schedules") { Content = JsonContent.Create(schedule) };
        create.Headers.Add("X-Api-Key", GatewayClient.DevelopmentClientKey);
        using var created = await _http.SendAsync(create);
        var scheduleId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["scheduleId"]!;
        string? run = null;
        await FlowSystem.EventuallyAsync(async () =>
        {
            using var read = new HttpRequestMessage(HttpMethod.Get, $"{Services.UrlOf("ApiGateway")}/schedules/{scheduleId}");
            read.Headers.Add("X-Api-Key", GatewayClient.DevelopmentClientKey);
            using var view = await _http.SendAsync(read);
            run = (string?)JsonNode.Parse(await view.Content.ReadAsStringAsync())!["lastInvocationId"];
            return run is not null;
        }, "the schedule's first run was never taken up");
        return run!;
    }

    private async Task CancelRunningHeadAsync(TaskCompletionSource stopped)
    {
        var head = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k" });
        await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(head) == JobState.Active, "the head's bot never started");
        var next = await Gateway.InvokeOkAsync(new { botType = "python", payload = new { rows = 3 }, webhookUrl = Webhook, orderingKey = "k" });
        await FlowSystem.EventuallyAsync(async () => (string?)(await Gateway.GetJobAsync(next))!["status"] == InvocationStatus.WaitingForTurn,
            "the next invocation never waited for its turn");

        using (var cancel = await CancelAsync(head, GatewayClient.DevelopmentClientKey))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(JobState.Unknown, await _queues.Bots.GetJobStateAsync(next));
        Assert.Equal(InvocationStatus.WaitingForTurn, (string?)(await Gateway.GetJobAsync(next))!["status"]);
        stopped.TrySetResult();
        await FlowSystem.EventuallyAsync(async () => await _queues.Bots.GetJobStateAsync(next) == JobState.Completed,
            $"the next invocation never ran once the head's bot ended\n{Services.ProcessOf("Orchestrator").Output}", TimeSpan.FromSeconds(15));
    }

    private async Task<HttpResponseMessage> CancelAsync(string jobId, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{Services.UrlOf("ApiGateway")}/job/{jobId}");
        request.Headers.Add("X-Api-Key", apiKey);
        return await _http.SendAsync(request);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _queues.DisposeAsync();
    }
}
