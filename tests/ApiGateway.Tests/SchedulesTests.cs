using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotSystem.Contracts;
using BotSystem.JobEngine;
using StackExchange.Redis;

namespace ApiGateway.Tests;

[Collection(nameof(FlowCollection))]
public sealed class SchedulesTests(FlowSystem system)
{
    [Fact]
    public async Task An_interval_schedule_runs_its_bot_is_listed_for_its_client_and_admin_only_and_stops_when_deleted()
    {
        var schedule = await CreateAsync(new { name = "nightly report", botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, everyMs = 1000 });
        var id = schedule["scheduleId"]!.GetValue<string>();
        Assert.Equal("nightly report", schedule["name"]!.GetValue<string>());
        Assert.NotNull(schedule["nextRunAt"]);
        Assert.Equal(0, schedule["runs"]!.GetValue<int>());

        var run = await FirstRunAsync(id);
        var job = await system.WaitForEndAsync(run);
        Assert.Equal("completed", job["status"]!.GetValue<string>());
        Assert.NotNull(job["result"]!["mean"]);
        // The runs it shows are the invocations it started, not counting the one it has lined up next.
        var startedBefore = await CountRunsAsync(id);
        using (var read = await system.SendAsync(HttpMethod.Get, $"/schedules/{id}"))
        {
            var runs = JsonNode.Parse(await read.Content.ReadAsStringAsync())!["runs"]!.GetValue<int>();
            await Task.Delay(500);
            Assert.InRange(runs, Math.Max(1, startedBefore), await CountRunsAsync(id));
        }

        Assert.Contains(await ListAsync(FlowSystem.ClientKey), s => s!["scheduleId"]!.GetValue<string>() == id);
        Assert.Contains(await ListAsync(FlowSystem.AdminKey), s => s!["scheduleId"]!.GetValue<string>() == id);
        Assert.DoesNotContain(await ListAsync(FlowSystem.OtherClientKey), s => s!["scheduleId"]!.GetValue<string>() == id);
        using (var hidden = await system.SendAsync(HttpMethod.Get, $"/schedules/{id}", FlowSystem.OtherClientKey))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }
        using (var notTheirs = await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}", FlowSystem.OtherClientKey))
        {
            Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        }

        using (var deleted = await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        await Task.Delay(1500);
        var runsAfterDeletion = await CountRunsAsync(id);
        await Task.Delay(2500);
        Assert.Equal(runsAfterDeletion, await CountRunsAsync(id));
        using var gone = await system.SendAsync(HttpMethod.Get, $"/schedules/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task The_admin_detail_of_a_schedules_run_shows_the_webhook_of_its_invocation()
    {
        var id = (await CreateAsync(new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, everyMs = 1000 }))["scheduleId"]!.GetValue<string>();
        var run = await FirstRunAsync(id);
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}"))
        {
        }
        await system.WaitForDeliveryAsync(run);
        var record = system.Redis.Connection.GetDatabase();
        await FlowSystem.EventuallyAsync(async () => await record.HashGetAsync(InvocationRecord.Key(run), InvocationRecord.WebhookStatus) == DeliveryStatus.Delivered,
            $"the webhook of {run} was never noted delivered");
        var runJobId = (string)(await record.HashGetAsync(InvocationRecord.Key(run), InvocationRecord.RunJobId))!;

        using var detail = await system.SendAsync(HttpMethod.Get, $"/admin/api/queues/{QueueNames.Invocations}/jobs/{Uri.EscapeDataString(runJobId)}", FlowSystem.AdminKey);
        var text = await detail.Content.ReadAsStringAsync();

        Assert.True(detail.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(DeliveryStatus.Delivered, (string?)JsonNode.Parse(text)!["webhook"]?["status"]);
    }

    [Fact]
    public async Task A_failing_scheduled_run_is_retried_with_backoff()
    {
        var schedule = await CreateAsync(new { cron = "* * * * * *", botType = "python", payload = new { fail = "retryable", durationMs = 10 }, webhookUrl = system.Webhook });
        var id = schedule["scheduleId"]!.GetValue<string>();
        var run = await FirstRunAsync(id);
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}"))
        {
        }

        var job = await system.WaitForEndAsync(run);

        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Equal(3, job["attempts"]!.GetValue<int>());
        // Exponential backoff from 1 s with 20% jitter: at least 0.8 s + 1.6 s between the three attempts.
        var took = DateTimeOffset.Parse(job["finishedAt"]!.GetValue<string>()) - DateTimeOffset.Parse(job["startedAt"]!.GetValue<string>());
        Assert.True(took >= TimeSpan.FromSeconds(2.4), $"three attempts took only {took}");
    }

    [Fact]
    public async Task A_run_whose_first_sight_was_cut_short_after_its_record_was_made_is_still_noted_as_the_schedules_last()
    {
        var (id, next, nextJob) = await NextRunOfNewScheduleAsync();
        var database = system.Redis.Connection.GetDatabase();

        // As an orchestrator leaves it that dies right after making the run's record, before noting it on the schedule.
        Assert.True(await InvocationRecord.CreateUnlessExistsAsync(database, next, nextJob.Data.Deserialize<InvocationJobData>(JsonSerializerOptions.Web)!, DateTimeOffset.UtcNow));

        Assert.Equal(next, await LastRunNotedAfterAsync(id, next));
    }

    [Fact]
    public async Task A_run_taken_up_after_a_later_run_was_noted_leaves_the_later_one_noted()
    {
        var (id, next, _) = await NextRunOfNewScheduleAsync();

        // As if the run had waited (its orchestrator gone) while a later one started and was noted.
        await system.Redis.Connection.GetDatabase().HashSetAsync(ScheduleRecord.Key(id), [
            new(ScheduleRecord.LastInvocationId, "inv_later"),
            new(ScheduleRecord.LastRunAt, DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds()),
        ]);

        Assert.Equal("inv_later", await LastRunNotedAfterAsync(id, next));
    }

    [Fact]
    public async Task The_run_of_a_schedule_whose_record_is_gone_stops_its_scheduler_and_starts_no_bot()
    {
        var (id, next, _) = await NextRunOfNewScheduleAsync();

        // What a deletion crossing a repeat of the schedule's creation leaves: its scheduler running on without its record.
        await system.Redis.Connection.GetDatabase().KeyDeleteAsync(ScheduleRecord.Key(id));
        await system.Redis.Connection.GetDatabase().SetRemoveAsync(ScheduleRecord.Index, id);

        var run = await system.WaitForEndAsync(next, TimeSpan.FromSeconds(30));
        Assert.Equal("cancelled", run["status"]!.GetValue<string>());
        Assert.Contains("was deleted", run["error"]!.GetValue<string>());
        Assert.Null(run["startedAt"]);
        await using var invocations = new Queue(QueueNames.Invocations, system.Redis.Connection);
        Assert.Null(await invocations.GetJobSchedulerAsync(id));
        Assert.DoesNotContain((await system.Redis.Connection.GetDatabase().SortedSetRangeByRankAsync($"bull:{QueueNames.Invocations}:delayed")).Select(member => (string?)member),
            member => member!.StartsWith($"repeat:{id}:", StringComparison.Ordinal));
        await using var bots = new Queue(QueueNames.Bots("python"), system.Redis.Connection);
        Assert.Equal(JobState.Unknown, await bots.GetJobStateAsync(next));
    }

    /// <summary>A new schedule's second run, waiting in the delayed set once the first has been noted.</summary>
    private async Task<(string ScheduleId, string InvocationId, Job Job)> NextRunOfNewScheduleAsync()
    {
        var schedule = await CreateAsync(new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, everyMs = 8000 });
        var id = schedule["scheduleId"]!.GetValue<string>();
        var first = await FirstRunAsync(id);
        var database = system.Redis.Connection.GetDatabase();
        string? jobId = null;
        await FlowSystem.EventuallyAsync(async () =>
        {
            jobId = (await database.SortedSetRangeByRankAsync($"bull:{QueueNames.Invocations}:delayed")).Select(member => (string?)member)
                .FirstOrDefault(member => member!.StartsWith($"repeat:{id}:", StringComparison.Ordinal));
            return jobId is not null;
        }, "the schedule's next run was never queued");
        var invocationId = InvocationIds.Of(jobId!);
        Assert.NotEqual(first, invocationId);
        await using var invocations = new Queue(QueueNames.Invocations, system.Redis.Connection);
        return (id, invocationId, (await invocations.GetJobAsync(jobId!))!);
    }

    /// <summary>The schedule's last run as shown once <paramref name="run"/> completed; the schedule is deleted then.</summary>
    private async Task<string> LastRunNotedAfterAsync(string scheduleId, string run)
    {
        Assert.Equal("completed", (await system.WaitForEndAsync(run))["status"]!.GetValue<string>());
        using var read = await system.SendAsync(HttpMethod.Get, $"/schedules/{scheduleId}");
        var last = JsonNode.Parse(await read.Content.ReadAsStringAsync())!["lastInvocationId"]!.GetValue<string>();
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{scheduleId}"))
        {
        }
        return last;
    }

    [Fact]
    public async Task A_cron_schedule_in_a_time_zone_shows_its_next_run_in_that_zone()
    {
        var schedule = await CreateAsync(new { cron = "0 3 * * *", timeZone = "America/New_York", botType = "python", payload = new { }, webhookUrl = system.Webhook });
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{schedule["scheduleId"]}"))
        {
        }

        var nextRunAt = DateTimeOffset.Parse(schedule["nextRunAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, nextRunAt.Hour);
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("America/New_York").GetUtcOffset(nextRunAt), nextRunAt.Offset);
    }

    [Fact]
    public async Task A_cron_schedule_sent_with_everyMs_null_is_created_as_one_without_it()
    {
        var schedule = await CreateAsync(new { botType = "python", payload = new { }, webhookUrl = system.Webhook, cron = "0 3 * * *", everyMs = (long?)null });
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{schedule["scheduleId"]}"))
        {
        }

        Assert.Equal("0 3 * * *", schedule["cron"]!.GetValue<string>());
        Assert.Null(schedule["everyMs"]);
    }

    [Fact]
    public async Task An_interval_schedule_with_a_time_zone_it_would_not_be_run_in_is_a_400_naming_timeZone()
    {
        using var response = await system.SendAsync(HttpMethod.Post, "/schedules", FlowSystem.ClientKey,
            new { botType = "python", payload = new { }, webhookUrl = system.Webhook, everyMs = 60_000, timeZone = "Europe/Berlin" });
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.Created)
        {
            using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{JsonNode.Parse(text)!["scheduleId"]}"))
            {
            }
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(text)!["errors"]!["timeZone"]);
    }

    public static TheoryData<string, string> InvalidSchedules => new()
    {
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook"}""", "cron" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","cron":"* * * * *","everyMs":5000}""", "cron" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","cron":"61 * * * *"}""", "cron" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","cron":"0 0 31 2 *"}""", "cron" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","everyMs":10}""", "everyMs" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","everyMs":"often"}""", "everyMs" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","cron":"0 * * * *","timeZone":"Mars/Olympus"}""", "timeZone" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","cron":"0 9 * * *","timezone":"Europe/Berlin"}""", "timezone" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://localhost:5000/webhook","everyMs":1e20}""", "everyMs" },
        { """{"botType":"cobol","payload":{},"webhookUrl":"http://localhost:5000/webhook","everyMs":5000}""", "botType" },
        { """{"botType":"python","payload":{},"webhookUrl":"http://10.1.2.3/hook","everyMs":5000}""", "webhookUrl" },
        { $$"""{"botType":"python","payload":{},"webhookUrl":"http://{{InvokeValidationTests.HostOver255Characters}}/hook","everyMs":5000}""", "webhookUrl" },
    };

    [Theory]
    [MemberData(nameof(InvalidSchedules))]
    public async Task Bad_schedules_are_a_400_problem_naming_the_field(string body, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/schedules") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", FlowSystem.ClientKey);
        using var response = await system.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![field]);
    }

    [Fact]
    public async Task A_bad_cron_pattern_is_explained_in_the_words_of_the_body()
    {
        using var response = await system.SendAsync(HttpMethod.Post, "/schedules", FlowSystem.ClientKey,
            new { botType = "python", payload = new { }, webhookUrl = system.Webhook, cron = "61 * * * *" });

        var message = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!["cron"]![0]!;
        Assert.StartsWith("Cron pattern '61 * * * *' is invalid", message);
        Assert.DoesNotContain("Parameter", message);
    }

    [Fact]
    public async Task Schedules_are_made_with_a_client_key_not_the_admin_key_and_need_a_key()
    {
        var body = new { botType = "python", payload = new { }, webhookUrl = system.Webhook, everyMs = 60_000 };
        using var asAdmin = await system.SendAsync(HttpMethod.Post, "/schedules", FlowSystem.AdminKey, body);
        using var withoutKey = await system.SendAsync(HttpMethod.Post, "/schedules", "wrong-key", body);

        Assert.Equal(HttpStatusCode.Forbidden, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
    }

    [Fact]
    public async Task A_schedule_whose_scheduler_was_never_written_is_dropped_once_its_creation_is_over()
    {
        var body = new { botType = "python", payload = new { }, webhookUrl = system.Webhook, everyMs = 60_000 };
        var abandoned = (await CreateAsync(body))["scheduleId"]!.GetValue<string>();
        var inCreation = (await CreateAsync(body))["scheduleId"]!.GetValue<string>();
        await CutShortAsync(abandoned);
        await CutShortAsync(inCreation);
        await MadeTwoMinutesAgoAsync(abandoned);

        var listed = (await ListAsync(FlowSystem.ClientKey)).Select(s => s!["scheduleId"]!.GetValue<string>()).ToList();
        using var shown = await system.SendAsync(HttpMethod.Get, $"/schedules/{abandoned}");

        Assert.DoesNotContain(abandoned, listed);
        Assert.Contains(inCreation, listed);
        Assert.Equal(HttpStatusCode.NotFound, shown.StatusCode);
        Assert.False(await system.Redis.Connection.GetDatabase().KeyExistsAsync(ScheduleRecord.Key(abandoned)));
        Assert.False(await system.Redis.Connection.GetDatabase().SetContainsAsync(ScheduleRecord.Index, abandoned));
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{inCreation}"))
        {
        }
    }

    [Fact]
    public async Task A_schedule_created_again_with_its_idempotency_key_is_the_same_schedule_and_another_body_with_that_key_is_a_409()
    {
        var name = "idempotent " + Guid.NewGuid().ToString("N");
        var body = new { name, botType = "python", payload = new { }, webhookUrl = system.Webhook, everyMs = 60_000 };
        var key = Guid.NewGuid().ToString();

        using var first = await CreateWithKeyAsync(body, key);
        using var repeated = await CreateWithKeyAsync(body, key);
        using var otherBody = await CreateWithKeyAsync(body with { everyMs = 30_000 }, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, repeated.StatusCode);
        var id = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["scheduleId"]!.GetValue<string>();
        Assert.Equal(id, JsonNode.Parse(await repeated.Content.ReadAsStringAsync())!["scheduleId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, otherBody.StatusCode);
        Assert.Single(await ListAsync(FlowSystem.ClientKey), s => s!["name"]?.GetValue<string>() == name);

        using (var deleted = await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using var afterDeletion = await CreateWithKeyAsync(body, key);
        Assert.Equal(HttpStatusCode.Conflict, afterDeletion.StatusCode);
        Assert.DoesNotContain(await ListAsync(FlowSystem.ClientKey), s => s!["name"]?.GetValue<string>() == name);
    }

    [Fact]
    public async Task A_repeat_of_a_completed_schedule_creation_is_answered_with_its_schedule_though_its_body_would_be_refused_now()
    {
        var body = new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, everyMs = 60_000, timeoutSeconds = 300 };
        var key = Guid.NewGuid().ToString();
        using var first = await CreateWithKeyAsync(body, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        // The repeat lands on a gateway whose limits have changed since.
        var stricter = await system.StartGatewayAsync("ApiGateway-stricter-schedules", ("Gateway__MaxTimeoutSeconds", "60"), ("Gateway__DefaultTimeoutSeconds", "60"));
        using var repeat = await CreateWithKeyAsync(body, key, stricter);
        using var fresh = await CreateWithKeyAsync(body, Guid.NewGuid().ToString(), stricter);

        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal(JsonNode.Parse(await first.Content.ReadAsStringAsync())!["scheduleId"]!.GetValue<string>(),
            JsonNode.Parse(await repeat.Content.ReadAsStringAsync())!["scheduleId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, fresh.StatusCode);
    }

    [Fact]
    public async Task The_repeat_of_a_schedule_creation_cut_short_before_its_scheduler_completes_it()
    {
        var body = new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, everyMs = 1000 };
        var key = Guid.NewGuid().ToString();
        var id = await CreateCutShortAsync(body, key);

        using var repeated = await CreateWithKeyAsync(body, key);

        Assert.Equal(HttpStatusCode.Created, repeated.StatusCode);
        var schedule = JsonNode.Parse(await repeated.Content.ReadAsStringAsync())!;
        Assert.Equal(id, schedule["scheduleId"]!.GetValue<string>());
        Assert.NotNull(schedule["nextRunAt"]);
        Assert.Equal("completed", (await system.WaitForEndAsync(await FirstRunAsync(id)))["status"]!.GetValue<string>());
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}"))
        {
        }
    }

    [Fact]
    public async Task A_schedule_creation_cut_short_and_dropped_is_created_anew_by_its_repeat()
    {
        var body = new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook, everyMs = 1000 };
        var key = Guid.NewGuid().ToString();
        var abandoned = await CreateCutShortAsync(body, key);
        await MadeTwoMinutesAgoAsync(abandoned);
        // Read once its creation is over, which drops the record.
        Assert.DoesNotContain(await ListAsync(FlowSystem.ClientKey), s => s!["scheduleId"]!.GetValue<string>() == abandoned);

        using var repeated = await CreateWithKeyAsync(body, key);
        using var repeatedAgain = await CreateWithKeyAsync(body, key);

        var text = await repeated.Content.ReadAsStringAsync();
        Assert.True(repeated.StatusCode == HttpStatusCode.Created, text);
        var id = JsonNode.Parse(text)!["scheduleId"]!.GetValue<string>();
        Assert.NotEqual(abandoned, id);
        Assert.Equal(id, JsonNode.Parse(await repeatedAgain.Content.ReadAsStringAsync())!["scheduleId"]!.GetValue<string>());
        Assert.Equal("completed", (await system.WaitForEndAsync(await FirstRunAsync(id)))["status"]!.GetValue<string>());
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}"))
        {
        }
    }

    [Fact]
    public async Task A_repeated_creation_crossing_the_schedules_deletion_answers_created_or_deleted_and_leaves_no_scheduler_behind()
    {
        // A schedule whose runs are far off, so only the gateway's own steps can leave its scheduler behind.
        var body = new { botType = "python", payload = new { }, webhookUrl = system.Webhook, cron = "0 0 1 1 *" };
        var gatewayUrl = await system.StartGatewayAsync("ApiGateway-schedule-race", ("Gateway__RateLimitPerSecond", "1000000"), ("Gateway__RateLimitBurst", "1000000"));
        var answers = new List<HttpStatusCode>();
        var ids = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var key = Guid.NewGuid().ToString();
            using var first = await CreateWithKeyAsync(body, key, gatewayUrl);
            var id = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["scheduleId"]!.GetValue<string>();
            ids.Add(id);
            // The scheduler as a creation cut short leaves it, so the repeat writes it while the deletion runs.
            await CutShortAsync(id);
            var repeating = CreateWithKeyAsync(body, key, gatewayUrl);
            using var deleted = await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}", gatewayUrl: gatewayUrl);
            using var repeated = await repeating;
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            answers.Add(repeated.StatusCode);
        }

        Assert.All(answers, answer => Assert.True(answer is HttpStatusCode.Created or HttpStatusCode.Conflict, $"A repeat answered {(int)answer}"));
        await using var invocations = new Queue(QueueNames.Invocations, system.Redis.Connection);
        var left = new List<string>();
        foreach (var id in ids)
        {
            if (await invocations.GetJobSchedulerAsync(id) is not null)
            {
                left.Add(id);
            }
        }
        Assert.True(left.Count == 0, $"{left.Count} deleted schedules left their scheduler behind, e.g. {left.FirstOrDefault()}");
    }

    [Fact]
    public async Task A_schedule_of_a_non_ascii_payload_under_the_body_limit_is_created_and_its_run_reaches_the_bot_as_sent()
    {
        using var response = await PostAsWrittenAsync(ScheduleBody("non-ascii", JobDataSizeTests.Cyrillic));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["scheduleId"]!.GetValue<string>();
        var run = await FirstRunAsync(id);
        using (await system.SendAsync(HttpMethod.Delete, $"/schedules/{id}"))
        {
        }
        Assert.Equal("completed", (await system.WaitForEndAsync(run))["status"]!.GetValue<string>());
        await using var bots = new Queue(QueueNames.Bots(BotTypes.Node), system.Redis.Connection);
        Assert.Equal(JobDataSizeTests.Cyrillic, (string?)(await bots.GetJobAsync(run))!.GetData<BotJobData>()!.Payload["text"]);
    }

    [Fact]
    public async Task A_schedule_whose_job_data_is_over_the_engines_limit_however_written_is_a_413_that_leaves_no_schedule_and_no_claim()
    {
        var name = "too large " + Guid.NewGuid().ToString("N");
        var key = Guid.NewGuid().ToString();

        using var refused = await PostAsWrittenAsync(ScheduleBody(name, JobDataSizeTests.Emoji), key);
        using var repeated = await PostAsWrittenAsync(ScheduleBody(name, JobDataSizeTests.Emoji), key);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("524288 bytes", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["detail"]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, repeated.StatusCode);
        Assert.DoesNotContain(await ListAsync(FlowSystem.ClientKey), s => s!["name"]?.GetValue<string>() == name);
        Assert.False(await system.Redis.Connection.GetDatabase().KeyExistsAsync(IdempotencyClaim.ScheduleKey("dev", key)));
    }

    private string ScheduleBody(string name, string text) =>
        $$"""{"name":"{{name}}","botType":"node","payload":{"durationMs":10,"text":"{{text}}"},"webhookUrl":"{{system.Webhook}}","everyMs":1000}""";

    // Sent as written: a serializer would escape every character of a non-ASCII text, and the body would pass the gateway's limit.
    private async Task<HttpResponseMessage> PostAsWrittenAsync(string body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{system.GatewayUrl}/schedules") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", FlowSystem.ClientKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await system.Http.SendAsync(request);
    }

    // The state a creation cut short between its two writes leaves: the record without its scheduler.
    private async Task CutShortAsync(string scheduleId)
    {
        await using var invocations = new Queue(QueueNames.Invocations, system.Redis.Connection);
        await invocations.RemoveJobSchedulerAsync(scheduleId);
    }

    private async Task<string> CreateCutShortAsync(object body, string idempotencyKey)
    {
        using var first = await CreateWithKeyAsync(body, idempotencyKey);
        var id = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["scheduleId"]!.GetValue<string>();
        await CutShortAsync(id);
        return id;
    }

    // Past the minute a creation is given to write its scheduler.
    private Task MadeTwoMinutesAgoAsync(string scheduleId) =>
        system.Redis.Connection.GetDatabase().HashSetAsync(ScheduleRecord.Key(scheduleId),
            ScheduleRecord.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeMilliseconds());

    private async Task<HttpResponseMessage> CreateWithKeyAsync(object body, string idempotencyKey, string? gatewayUrl = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{gatewayUrl ?? system.GatewayUrl}/schedules") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", FlowSystem.ClientKey);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await system.Http.SendAsync(request);
    }

    private async Task<JsonNode> CreateAsync(object body)
    {
        using var response = await system.SendAsync(HttpMethod.Post, "/schedules", body: body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!;
    }

    private async Task<JsonArray> ListAsync(string apiKey)
    {
        using var response = await system.SendAsync(HttpMethod.Get, "/schedules", apiKey);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
    }

    private async Task<string> FirstRunAsync(string scheduleId)
    {
        string? run = null;
        await FlowSystem.EventuallyAsync(async () =>
        {
            using var response = await system.SendAsync(HttpMethod.Get, $"/schedules/{scheduleId}");
            run = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["lastInvocationId"]?.GetValue<string>();
            return run is not null;
        }, $"schedule {scheduleId} never ran");
        return run!;
    }

    /// <summary>The invocations a schedule started, read from Redis itself.</summary>
    private async Task<int> CountRunsAsync(string scheduleId)
    {
        var redis = system.Redis.Connection;
        var server = redis.GetServers()[0];
        var runs = 0;
        await foreach (var key in server.KeysAsync(pattern: "botsystem:invocation:*"))
        {
            if (await redis.GetDatabase().HashGetAsync(key, "scheduleId") == scheduleId)
            {
                runs++;
            }
        }
        return runs;
    }
}
