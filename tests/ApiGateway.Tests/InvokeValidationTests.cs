using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BotSystem.Contracts;

namespace ApiGateway.Tests;

[Collection(nameof(FlowCollection))]
public sealed class InvokeValidationTests(FlowSystem system)
{
    // Five labels of 60 letters: a URL takes it, but no DNS name is that long.
    public static readonly string HostOver255Characters = string.Join('.', Enumerable.Repeat(new string('a', 60), 5));

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"botType":"cobol","payload":{},"webhookUrl":"http://localhost:5000/webhook"}""", "botType" },
        { """{"botType":"python","bot":"nope","payload":{},"webhookUrl":"http://localhost:5000/webhook"}""", "bot" },
        { """{"botType":"python","payload":[1,2],"webhookUrl":"http://localhost:5000/webhook"}""", "payload" },
        { """{"botType":"python","webhookUrl":"http://localhost:5000/webhook"}""", "payload" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","priority":0}""", "priority" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","priority":11}""", "priority" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","timeoutSeconds":0}""", "timeoutSeconds" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","timeoutSeconds":100000}""", "timeoutSeconds" },
        { """{"botType":"python","payload":{},"webhookUrl":"ftp://example.com/x"}""", "webhookUrl" },
        { """{"botType":"python","payload":{}}""", "webhookUrl" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://169.254.169.254/latest"}""", "webhookUrl" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://10.0.0.7/hook"}""", "webhookUrl" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://[::ffff:192.168.1.1]/hook"}""", "webhookUrl" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://user:secret@localhost:5000/webhook"}""", "webhookUrl" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:0/webhook"}""", "webhookUrl" },
        { $$"""{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/{{new string('a', 2100)}}"}""", "webhookUrl" },
        { $$"""{"botType":"python","payload":{},"webhookUrl":"http://{{HostOver255Characters}}/hook"}""", "webhookUrl" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","priority":1e30}""", "priority" },
        { """{"botType":"python","payload":{},"webhookURL":"http://localhost:5000/webhook"}""", "webhookURL" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","callbackUrl":"http://localhost:5000/other"}""", "callbackUrl" },
        { """{"botType":"python","payload":{",""", "body" },
        { """[1]""", "body" },
        { """{"botType":"python","payload":{"text":"\ud800"},"webhookUrl":"http://localhost:5000/webhook"}""", "body" },
        { """{"botType":"python","payload":{"text":"\ud800\u0041"},"webhookUrl":"http://localhost:5000/webhook"}""", "body" },
        { """{"botType":"python","payload":{"\udc00":1},"webhookUrl":"http://localhost:5000/webhook"}""", "body" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","botType":"java"}""", "body" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Bad_input_is_a_400_problem_naming_the_field(string body, string field)
    {
        using var response = await PostAsync(body, "application/json", FlowSystem.ClientKey);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_a_400_problem_and_a_well_formed_unicode_one_is_accepted()
    {
        byte[] body = [.. "{\"botType\":\"python\",\"payload\":{\"text\":\""u8, 0xFF, 0xFE, .. "\"},\"webhookUrl\":\"http://localhost:5000/webhook\"}"u8];
        using var bytes = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/invoke") { Content = new ByteArrayContent(body) };
        bytes.Content.Headers.ContentType = new("application/json");
        bytes.Headers.Add("X-Api-Key", FlowSystem.ClientKey);
        using var refused = await system.Http.SendAsync(bytes);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("UTF-8", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]!["body"]![0]);

        using var accepted = await PostAsync("""{"botType":"python","payload":{"text":"\ud83d\ude00 ü 😀"},"webhookUrl":"http://localhost:5000/webhook"}""",
            "application/json", FlowSystem.ClientKey);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task A_body_led_by_a_byte_order_mark_is_read_as_the_json_after_it()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. "{\"botType\":\"java\",\"payload\":{},\"webhookUrl\":\"http://localhost:5000/webhook\"}"u8];
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/invoke") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Api-Key", FlowSystem.ClientKey);
        using var accepted = await system.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var jobId = (string)JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["jobId"]!;
        Assert.Equal("java", (string?)(await system.GetJobAsync(jobId))!["botType"]);
    }

    [Theory]
    [InlineData("Gateway__DefaultTimeoutSeconds", "600", "DefaultTimeoutSeconds (600) must not exceed MaxTimeoutSeconds (300)")]
    [InlineData("Gateway__RateLimitPerSecond", "0", "RateLimitPerSecond")]
    [InlineData("Clients__acme__ApiKeyHash", "not-a-sha256", "Clients:acme:ApiKeyHash must be the SHA-256")]
    [InlineData("Clients__acme__Triggers__chat__Bot", "data_analysis", "Clients:acme:Triggers:chat:")]
    [InlineData("Clients__acme__AllowedWebhookHosts__0", "http://hooks.internal/", "Clients:acme:AllowedWebhookHosts:0: 'http://hooks.internal/' is not a host name")]
    public async Task A_bad_gateway_setting_stops_the_start_with_its_name(string name, string value, string named)
    {
        await using var gateway = ServiceProcess.StartService("ApiGateway", new Dictionary<string, string?>
        {
            ["ConnectionStrings__redis"] = system.Redis.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            [name] = value,
        });

        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"the gateway started with {name}={value}");
        Assert.NotEqual(0, gateway.ExitCode);
        Assert.Contains(named, gateway.Output);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("301")]
    public async Task A_trigger_whose_timeout_a_body_could_not_ask_for_stops_the_start_with_its_name(string timeoutSeconds)
    {
        await using var gateway = ServiceProcess.StartService("ApiGateway", new Dictionary<string, string?>
        {
            ["ConnectionStrings__redis"] = system.Redis.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Gateway__MaxTimeoutSeconds"] = "300",
            ["Clients__acme__ApiKeyHash"] = FlowSystem.OtherClient.Value,
            ["Clients__acme__Triggers__chat__Secret"] = FlowSystem.ChatTriggerSecret,
            ["Clients__acme__Triggers__chat__BotType"] = "python",
            ["Clients__acme__Triggers__chat__WebhookUrl"] = "http://localhost:5000/webhook",
            ["Clients__acme__Triggers__chat__TimeoutSeconds"] = timeoutSeconds,
        });

        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"the gateway started with a trigger timeout of {timeoutSeconds} s");
        Assert.NotEqual(0, gateway.ExitCode);
        Assert.Contains("Clients:acme:Triggers:chat: TimeoutSeconds must be from 1 to the gateway's MaxTimeoutSeconds (300)", gateway.Output);
    }

    [Theory]
    [InlineData("http://localhost:0/webhook", "WebhookUrl: Must name a port from 1 to 65535")]
    [InlineData("http://user:secret@localhost:5000/webhook", "WebhookUrl: Must not carry credentials")]
    public async Task A_trigger_whose_webhook_could_never_be_delivered_stops_the_start_with_its_name(string webhookUrl, string named)
    {
        await using var gateway = ServiceProcess.StartService("ApiGateway", new Dictionary<string, string?>
        {
            ["ConnectionStrings__redis"] = system.Redis.ConnectionString,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Clients__acme__ApiKeyHash"] = FlowSystem.OtherClient.Value,
            ["Clients__acme__Triggers__chat__Secret"] = FlowSystem.ChatTriggerSecret,
            ["Clients__acme__Triggers__chat__BotType"] = "python",
            ["Clients__acme__Triggers__chat__WebhookUrl"] = webhookUrl,
        });

        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"the gateway started with a trigger's webhook at {webhookUrl}");
        Assert.NotEqual(0, gateway.ExitCode);
        Assert.Contains($"Clients:acme:Triggers:chat: {named}", gateway.Output);
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("[::1]")]
    public async Task An_allowlisted_ipv6_host_is_allowed_however_its_entry_is_bracketed(string entry)
    {
        const string body = """{"botType":"python","payload":{"durationMs":10},"webhookUrl":"http://[::1]:5000/webhook"}""";
        var allowing = await system.StartGatewayAsync(entry.StartsWith('[') ? "ApiGateway-allowing-bracketed" : "ApiGateway-allowing-bare", ("Clients__dev__AllowedWebhookHosts__9", entry));

        using var refused = await PostAsync(body, "application/json", FlowSystem.ClientKey);
        using var allowed = await system.SendAsync(HttpMethod.Post, "/invoke", FlowSystem.ClientKey, JsonNode.Parse(body), allowing);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
    }

    [Theory]
    [InlineData("bücher.internal", "xn--bcher-kva.internal")]
    [InlineData("xn--bcher-kva.internal", "BÜCHER.internal")]
    public async Task An_allowlisted_international_host_is_allowed_in_either_of_its_forms(string entry, string host)
    {
        // Neither form resolves here, so only the allowlist lets it through; the webhook manager dials the ASCII form.
        var body = new JsonObject { ["botType"] = "python", ["payload"] = new JsonObject(), ["webhookUrl"] = $"http://{host}:5000/webhook" };
        var allowing = await system.StartGatewayAsync(entry.StartsWith("xn--") ? "ApiGateway-allowing-ascii-name" : "ApiGateway-allowing-unicode-name", ("Clients__dev__AllowedWebhookHosts__9", entry));

        using var refused = await system.SendAsync(HttpMethod.Post, "/invoke", FlowSystem.ClientKey, body.DeepClone());
        using var allowed = await system.SendAsync(HttpMethod.Post, "/invoke", FlowSystem.ClientKey, body, allowing);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json-seq")]
    [InlineData("text/json+plain")]
    public async Task Wrong_content_type_is_a_400_problem(string contentType)
    {
        using var response = await PostAsync("""{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook"}""", contentType, FlowSystem.ClientKey);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!["contentType"]);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("Application/JSON")]
    [InlineData("application/vnd.botsystem+json")]
    public async Task A_json_content_type_is_accepted_however_it_is_written(string contentType)
    {
        using var response = await PostAsync("""{"botType":"python","payload":{"durationMs":10},"webhookUrl":"http://localhost:5000/webhook"}""", contentType, FlowSystem.ClientKey);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var payload = new string('x', 300 * 1024);
        using var response = await PostAsync($$"""{"botType":"python","payload":{"blob":"{{payload}}"},"webhookUrl":"http://localhost:5000/webhook"}""", "application/json", FlowSystem.ClientKey);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Requests_without_a_valid_key_are_401(string? apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/invoke")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }
        using var response = await system.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task A_misspelt_field_is_named_with_the_field_it_resembles()
    {
        using var response = await PostAsync("""{"botType":"python","payload":{},"webhookurl":"http://localhost:5000/webhook"}""", "application/json", FlowSystem.ClientKey);

        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!;
        Assert.Equal("Unknown field; did you mean 'webhookUrl'?", (string?)errors["webhookurl"]![0]);
        Assert.Equal("Is required.", (string?)errors["webhookUrl"]![0]);
    }

    [Fact]
    public async Task Whole_numbers_are_accepted_however_json_writes_them()
    {
        using var response = await PostAsync("""{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","priority":2.0,"timeoutSeconds":3e1}""", "application/json", FlowSystem.ClientKey);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Bearer_authorization_is_accepted_like_the_api_key_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{system.GatewayUrl}/job/inv_unknown");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FlowSystem.ClientKey);
        using var response = await system.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_repeated_idempotency_key_returns_the_same_job_and_a_different_body_conflicts()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook };

        using var first = await system.InvokeAsync(body, idempotencyKey: key);
        using var second = await system.InvokeAsync(body, idempotencyKey: key);
        using var different = await system.InvokeAsync(new { botType = "node", payload = new { }, webhookUrl = system.Webhook }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(JobIdOf(await first.Content.ReadAsStringAsync()), JobIdOf(await second.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
    }

    [Fact]
    public async Task A_repeat_of_an_accepted_request_is_answered_with_its_job_though_its_body_would_be_refused_now()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, timeoutSeconds = 300 };
        using var first = await system.InvokeAsync(body, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        // The repeat lands on a gateway whose limits have changed since (another replica, a new configuration).
        var stricter = new GatewayClient(
            await system.StartGatewayAsync("ApiGateway-stricter", ("Gateway__MaxTimeoutSeconds", "60"), ("Gateway__DefaultTimeoutSeconds", "60")), system.Http);
        using var repeat = await stricter.InvokeAsync(body, idempotencyKey: key);
        using var fresh = await stricter.InvokeAsync(body, idempotencyKey: Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        Assert.Equal(JobIdOf(await first.Content.ReadAsStringAsync()), JobIdOf(await repeat.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, fresh.StatusCode);
    }

    public static TheoryData<string> BadIdempotencyKeys => [" ", new string('k', 256)];

    [Theory]
    [MemberData(nameof(BadIdempotencyKeys))]
    public async Task A_blank_or_overlong_idempotency_key_is_a_400_naming_the_header(string key)
    {
        using var response = await system.InvokeAsync(new { botType = "python", payload = new { }, webhookUrl = system.Webhook }, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!["Idempotency-Key"]);
    }

    [Fact]
    public async Task Stats_needs_the_admin_key_and_reports_queues_semaphores_and_workers()
    {
        using var asClient = new HttpRequestMessage(HttpMethod.Get, $"{system.GatewayUrl}/stats");
        asClient.Headers.Add("X-Api-Key", FlowSystem.ClientKey);
        using (var refused = await system.Http.SendAsync(asClient))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var unknown = await system.SendAsync(HttpMethod.Get, "/stats", "not-a-key", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }

        using var asAdmin = new HttpRequestMessage(HttpMethod.Get, $"{system.GatewayUrl}/stats");
        asAdmin.Headers.Add("X-Api-Key", FlowSystem.AdminKey);
        using var response = await system.Http.SendAsync(asAdmin);
        var stats = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.NotNull(stats["queues"]!["invocations"]!["completed"]);
        Assert.Equal(FlowSystem.MaxJavaBots, stats["semaphores"]!["java"]!["limit"]!.GetValue<int>());
        Assert.Contains(stats["workers"]!.AsArray(), worker => worker!["state"]!.GetValue<string>() is "READY" or "PROCESSING");
        var worker = stats["workers"]![0]!;
        // Told as every other time of the API is: ISO 8601, not epoch milliseconds.
        var heartbeat = DateTimeOffset.Parse(worker["lastHeartbeat"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - heartbeat, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_repeat_of_a_request_that_claimed_its_idempotency_key_but_added_no_job_adds_it_under_the_claimed_id()
    {
        var key = Guid.NewGuid().ToString();
        var body = $$"""{"botType":"python","payload":{"durationMs":10},"webhookUrl":"{{system.Webhook}}"}""";
        var claimedJobId = InvocationIds.New();
        // What a request leaves when Redis fails after its key was claimed: the claim, and no record or job.
        await system.Redis.Connection.GetDatabase().StringSetAsync(
            IdempotencyClaim.Key("dev", key), IdempotencyClaim.Value(Encoding.UTF8.GetBytes(body), claimedJobId), TimeSpan.FromHours(1));

        using var repeat = await PostAsync(body, "application/json", FlowSystem.ClientKey, key);
        using var again = await PostAsync(body, "application/json", FlowSystem.ClientKey, key);

        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        Assert.Equal(claimedJobId, JobIdOf(await repeat.Content.ReadAsStringAsync()));
        Assert.Equal(claimedJobId, JobIdOf(await again.Content.ReadAsStringAsync()));
        Assert.Equal(InvocationStatus.Completed, (string?)(await system.WaitForEndAsync(claimedJobId))["status"]);
    }

    [Fact]
    public async Task A_repeat_of_an_ordered_request_whose_record_was_written_but_no_job_keeps_its_acceptance_time_and_one_place_in_its_line()
    {
        var key = Guid.NewGuid().ToString();
        var orderingKey = "repeat-" + key;
        var body = $$"""{"botType":"python","payload":{"durationMs":5000},"webhookUrl":"{{system.Webhook}}","orderingKey":"{{orderingKey}}"}""";
        var claimedJobId = InvocationIds.New();
        var acceptedAt = DateTimeOffset.UtcNow.AddSeconds(-30);
        // What a request leaves when Redis fails after its record and place in the line were written: those and the claim, no job.
        var database = system.Redis.Connection.GetDatabase();
        await database.StringSetAsync(IdempotencyClaim.Key("dev", key), IdempotencyClaim.Value(Encoding.UTF8.GetBytes(body), claimedJobId), TimeSpan.FromHours(1));
        await InvocationRecord.CreateUnlessExistsAsync(database, claimedJobId, system.OrderedPythonInvocation(orderingKey, 5000), acceptedAt);

        using var repeat = await PostAsync(body, "application/json", FlowSystem.ClientKey, key);

        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        Assert.Equal(claimedJobId, JobIdOf(await repeat.Content.ReadAsStringAsync()));
        var line = (await database.ListRangeAsync(OrderingLine.Key("dev", orderingKey)!)).Select(id => (string?)id);
        Assert.Equal<string?>([claimedJobId], line);
        var createdAt = DateTimeOffset.Parse((string)(await system.GetJobAsync(claimedJobId))!["createdAt"]!, CultureInfo.InvariantCulture);
        Assert.Equal(acceptedAt.ToUnixTimeMilliseconds(), createdAt.ToUnixTimeMilliseconds());
        Assert.Equal(InvocationStatus.Completed, (string?)(await system.WaitForEndAsync(claimedJobId))["status"]);
    }

    private static string JobIdOf(string body) => JsonNode.Parse(body)!["jobId"]!.GetValue<string>();

    private async Task<HttpResponseMessage> PostAsync(string body, string contentType, string apiKey, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/invoke")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Add("X-Api-Key", apiKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await system.Http.SendAsync(request);
    }
}
