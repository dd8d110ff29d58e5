using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;

namespace Operator.Tests;

[Collection(nameof(OperatorCollection))]
public sealed class QueueDashboardTests(OperatorSystem system)
{
    [Fact]
    public async Task Admin_api_refuses_requests_without_the_admin_key_or_a_session()
    {
        using var anonymous = await system.Http.GetAsync($"{system.GatewayUrl}/admin/api/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var wrongKey = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/admin/api/queues/{QueueNames.Webhooks}/pause");
        wrongKey.Headers.Add("X-Api-Key", OperatorSystem.ClientKey);
        using var refused = await system.Http.SendAsync(wrongKey);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Job_actions_on_a_missing_job_are_a_404_problem_and_login_without_a_readable_form_a_400()
    {
        foreach (var action in new[] { "retry", "promote", "remove" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/admin/api/queues/{QueueNames.Invocations}/jobs/inv_missing/{action}");
            request.Headers.Add("X-Api-Key", OperatorSystem.AdminKey);
            using var response = await system.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        foreach (var path in new[] { "/admin/login", "/admin/logout" })
        {
            foreach (var (body, contentType) in new[]
            {
                ("{\"apiKey\":\"x\"}", "application/json"),
                ("apiKey=x", "multipart/form-data"),
                ("--b\r\nContent-Disposition: form-data; name=\"apiKey\"\r\n\r\nx", "multipart/form-data; boundary=b"),
                ("apiKey=" + new string('x', 5_000_000), "application/x-www-form-urlencoded"),
            })
            {
                using var content = new StringContent(body);
                content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
                using var refused = await system.Http.PostAsync(system.GatewayUrl + path, content);
                Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{path} with {contentType}: {(int)refused.StatusCode}");
                Assert.Contains("contentType", await refused.Content.ReadAsStringAsync());
            }
        }
    }

    [Fact]
    public async Task Page_and_assets_are_served_by_the_gateway_without_any_external_reference()
    {
        var page = await system.Http.GetStringAsync($"{system.GatewayUrl}/admin/queues");
        var script = await system.Http.GetStringAsync($"{system.GatewayUrl}/admin/assets/admin.js");
        var style = await system.Http.GetStringAsync($"{system.GatewayUrl}/admin/assets/admin.css");
        foreach (var text in new[] { page, script, style })
        {
            Assert.DoesNotContain("https://", text);
            Assert.DoesNotContain("//cdn", text);
        }
        Assert.Contains("/admin/assets/admin.js", page);
    }

    [Fact]
    public async Task Operator_logs_in_sees_counts_retries_a_failed_job_redrives_a_dead_delivery_and_pauses_a_queue()
    {
        var queueName = QueueNames.Bots(BotTypes.Python);
        var failedJobId = await FailOneJobAsync(queueName);
        var deadDeliveryId = await system.MakeDeadDeliveryAsync("inv" + Guid.NewGuid().ToString("N"));

        using var statsRequest = new HttpRequestMessage(HttpMethod.Get, $"{system.GatewayUrl}/stats");
        statsRequest.Headers.Add("X-Api-Key", OperatorSystem.AdminKey);
        using var statsResponse = await system.Http.SendAsync(statsRequest);
        var statsRoot = JsonDocument.Parse(await statsResponse.Content.ReadAsStringAsync()).RootElement;
        var stats = statsRoot.GetProperty("queues");
        // The webhook manager's figures are part of the system's: the dead delivery is counted.
        Assert.True(statsRoot.GetProperty("webhooks").GetProperty("deadLetters").GetInt64() >= 1, statsRoot.ToString());

        var screenshots = Path.Combine(RepositoryPaths.Root, "TestResults", "screenshots", "queue-dashboard");
        Directory.CreateDirectory(screenshots);
        var walkthrough = await CommandLine.RunAsync(
            "node",
            [Path.Combine(RepositoryPaths.Root, "tests", "node", "dashboard", "walkthrough.js"), system.GatewayUrl, OperatorSystem.AdminKey, screenshots, queueName, failedJobId],
            timeout: TimeSpan.FromMinutes(2));

        var steps = walkthrough.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(step => step.GetProperty("step").GetString()!);
        Assert.False(steps.ContainsKey("error"), walkthrough.Output);
        Assert.Equal(0, walkthrough.ExitCode);

        var cookie = steps["login"].GetProperty("cookie").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "botsystem_admin");
        Assert.True(cookie.GetProperty("httpOnly").GetBoolean());
        Assert.Equal("Strict", cookie.GetProperty("sameSite").GetString());

        string[] states = ["waiting", "prioritized", "active", "delayed", "completed", "failed"];
        foreach (var shown in steps["login"].GetProperty("counts").EnumerateArray())
        {
            var shownQueue = shown.GetProperty("queue").GetString()!;
            var cells = shown.GetProperty("cells").EnumerateArray().Select(c => c.GetInt64()).ToArray();
            Assert.Equal(states.Select(state => stats.GetProperty(shownQueue).GetProperty(state).GetInt64()), cells);
        }
        // The workers' heartbeats are shown as times, whichever form the API tells them in.
        Assert.All(steps["login"].GetProperty("heartbeats").EnumerateArray().Select(h => h.GetString()), heartbeat =>
            Assert.True(heartbeat is { Length: > 0 } && heartbeat != "Invalid Date", $"heartbeat shown as '{heartbeat}'"));
        Assert.NotEmpty(steps["login"].GetProperty("heartbeats").EnumerateArray());
        var failedShown = steps["login"].GetProperty("counts").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == queueName);
        Assert.Equal(1, failedShown.GetProperty("cells")[5].GetInt64());

        Assert.Equal("failed", steps["retry"].GetProperty("before").GetString());
        Assert.Contains("boom", steps["retry"].GetProperty("error").GetString());
        await using var queue = new Queue(queueName, system.Redis.Connection);
        Assert.Equal(JobState.Waiting, await queue.GetJobStateAsync(failedJobId));

        Assert.Equal(deadDeliveryId, steps["redrive"].GetProperty("delivery").GetString());
        Assert.False(await queue.IsPausedAsync());
        Assert.True(steps.ContainsKey("pause-resume"));
        Assert.True(File.Exists(Path.Combine(screenshots, "03-failed-job.png")));
    }

    [Fact]
    public async Task The_failed_bot_job_of_an_invocation_is_not_retried_from_the_dashboard()
    {
        // A queue no runner of this system takes, so the job stays as failed as it is made.
        var queueName = QueueNames.Bots(BotTypes.Java);
        var invocationId = InvocationIds.New();
        // What a failed invocation leaves: its record, ended, and its bot job, failed, under the same id.
        await system.Redis.Connection.GetDatabase().HashSetAsync(InvocationRecord.Key(invocationId),
            [new(InvocationRecord.ClientId, "dev"), new(InvocationRecord.Status, InvocationStatus.Failed)]);
        await FailOneJobAsync(queueName, invocationId);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/admin/api/queues/{queueName}/jobs/{invocationId}/retry");
        request.Headers.Add("X-Api-Key", OperatorSystem.AdminKey);
        using var response = await system.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("outside its bot type's limit", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
        await using var queue = new Queue(queueName, system.Redis.Connection);
        Assert.Equal(JobState.Failed, await queue.GetJobStateAsync(invocationId));
        await queue.RemoveJobAsync(invocationId);
    }

    [Fact]
    public async Task A_redrive_through_the_gateway_keeps_its_filters()
    {
        var deadDeliveryId = await system.MakeDeadDeliveryAsync("inv" + Guid.NewGuid().ToString("N"));

        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"{system.GatewayUrl}/admin/api/deliveries/redrive?endpoint={Uri.EscapeDataString("http://elsewhere.example:8080")}");
        request.Headers.Add("X-Api-Key", OperatorSystem.AdminKey);
        using var response = await system.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0, (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["redriven"]!);
        using var lookup = new HttpRequestMessage(HttpMethod.Get, $"{system.WebhookManagerUrl}/deliveries/{deadDeliveryId}");
        lookup.Headers.Add("X-Api-Key", OperatorSystem.AdminKey);
        using var delivery = await system.Http.SendAsync(lookup);
        Assert.Equal("dead", (string?)JsonNode.Parse(await delivery.Content.ReadAsStringAsync())!["delivery"]!["status"]);
    }

    [Fact]
    public async Task Enabling_an_endpoint_through_the_gateway_for_one_client_leaves_it_disabled_for_the_others()
    {
        var endpoint = $"http://gone-{Guid.NewGuid():N}.example:443";
        // What a 410 from the endpoint to each of two clients leaves.
        var database = system.Redis.Connection.GetDatabase();
        await database.HashSetAsync($"botsystem:webhooks:disabled:{endpoint}", [new("alpha", 1), new("beta", 2)]);
        await database.SetAddAsync("botsystem:webhooks:disabled", endpoint);

        using var enable = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/admin/api/endpoints/{Uri.EscapeDataString(endpoint)}/enable?clientId=alpha");
        enable.Headers.Add("X-Api-Key", OperatorSystem.AdminKey);
        using var response = await system.Http.SendAsync(enable);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["beta"], (await database.HashKeysAsync($"botsystem:webhooks:disabled:{endpoint}")).Select(client => client.ToString()));
    }

    [Fact]
    public async Task Invocations_an_operator_removes_or_cleans_from_the_queue_end_cancelled_for_their_client()
    {
        await AdminPostAsync($"/admin/api/queues/{QueueNames.Invocations}/pause");
        string removedId, cleanedId;
        try
        {
            removedId = await InvokeAsync();
            cleanedId = await InvokeAsync();
            await AdminPostAsync($"/admin/api/queues/{QueueNames.Invocations}/jobs/{removedId}/remove");
            await AdminPostAsync($"/admin/api/queues/{QueueNames.Invocations}/clean", new { state = "prioritized", ageSeconds = 0 });
        }
        finally
        {
            await AdminPostAsync($"/admin/api/queues/{QueueNames.Invocations}/resume");
        }

        foreach (var id in new[] { removedId, cleanedId })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{system.GatewayUrl}/job/{id}");
            request.Headers.Add("X-Api-Key", OperatorSystem.ClientKey);
            using var response = await system.Http.SendAsync(request);
            var job = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("cancelled", (string?)job["status"]);
            Assert.Equal("Removed from the queue by an operator.", (string?)job["error"]);
            Assert.NotNull(job["finishedAt"]);
        }
    }

    private async Task<string> InvokeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/invoke")
        {
            Content = JsonContent.Create(new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = $"{system.MockWebhookUrl}/webhook" }),
        };
        request.Headers.Add("X-Api-Key", OperatorSystem.ClientKey);
        using var response = await system.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["jobId"]!;
    }

    [Fact]
    public async Task A_delivery_waiting_for_its_attempt_is_neither_removed_nor_cleaned_from_the_dashboard()
    {
        await AdminPostAsync($"/admin/api/queues/{QueueNames.Webhooks}/pause");
        await using var webhooks = new Queue(QueueNames.Webhooks, system.Redis.Connection);
        try
        {
            var invocationId = "inv" + Guid.NewGuid().ToString("N");
            var jobId = await webhooks.AddAsync("deliver", new WebhookDeliveryJobData
            {
                MessageId = WebhookDeliveryJobData.MessageIdFor(invocationId),
                InvocationId = invocationId,
                ClientId = "dev",
                Url = $"{system.MockWebhookUrl}/webhook",
                EventType = WebhookEvent.Completed,
                Body = "{}",
            });

            using var remove = await AdminSendAsync($"/admin/api/queues/{QueueNames.Webhooks}/jobs/{jobId}/remove");
            using var clean = await AdminSendAsync($"/admin/api/queues/{QueueNames.Webhooks}/clean", new { state = "waiting", ageSeconds = 0 });

            Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
            Assert.Contains("would stay pending for good", await remove.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.BadRequest, clean.StatusCode);
            Assert.Contains("would stay pending for good", (string?)JsonNode.Parse(await clean.Content.ReadAsStringAsync())!["errors"]!["state"]![0]);
            Assert.Equal(JobState.Waiting, await webhooks.GetJobStateAsync(jobId));
        }
        finally
        {
            await AdminPostAsync($"/admin/api/queues/{QueueNames.Webhooks}/resume");
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1e11)]
    [InlineData(9.3e18)]
    [InlineData(1e308)]
    public async Task A_clean_by_an_age_out_of_range_is_a_400_naming_the_age(double ageSeconds)
    {
        foreach (var queue in new[] { QueueNames.Invocations, QueueNames.Bots(BotTypes.Python) })
        {
            using var clean = await AdminSendAsync($"/admin/api/queues/{queue}/clean", new { state = "completed", ageSeconds });

            Assert.True(clean.StatusCode == HttpStatusCode.BadRequest, $"{queue}: {(int)clean.StatusCode}");
            Assert.Contains("ten years", (string?)JsonNode.Parse(await clean.Content.ReadAsStringAsync())!["errors"]!["ageSeconds"]![0]);
        }
    }

    private async Task AdminPostAsync(string path, object? body = null)
    {
        using var response = await AdminSendAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<HttpResponseMessage> AdminSendAsync(string path, object? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}{path}") { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", OperatorSystem.AdminKey);
        return await system.Http.SendAsync(request);
    }

    private async Task<string> FailOneJobAsync(string queueName, string? jobId = null)
    {
        await using var queue = new Queue(queueName, system.Redis.Connection);
        await queue.DrainAsync(includeDelayed: true);
        jobId = await queue.AddAsync("data_analysis", new { dataset = "broken" }, new JobOptions { JobId = jobId });
        var failed = new TaskCompletionSource();
        await using var worker = new Worker(queueName, system.Redis.Connection,
            (_, _) => throw new UnrecoverableException("boom: the dataset is broken"));
        worker.Failed += (_, _, _) => failed.TrySetResult();
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await worker.CloseAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(JobState.Failed, await queue.GetJobStateAsync(jobId));
        return jobId;
    }
}

[CollectionDefinition(nameof(OperatorCollection))]
public sealed class OperatorCollection : ICollectionFixture<OperatorSystem>;
