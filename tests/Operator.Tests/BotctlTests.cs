namespace Operator.Tests;

[Collection(nameof(OperatorCollection))]
public sealed class BotctlTests(OperatorSystem system)
{
    private Dictionary<string, string> Environment => new()
    {
        ["BOTCTL_URL"] = system.GatewayUrl,
        ["BOTCTL_WEBHOOKS_URL"] = system.WebhookManagerUrl,
        ["BOTCTL_API_KEY"] = OperatorSystem.AdminKey,
        ["COLUMNS"] = "240",
    };

    [Fact]
    public async Task Invoke_wait_follows_a_completing_bot_to_its_result_and_exits_0()
    {
        var client = new Dictionary<string, string>(Environment) { ["BOTCTL_API_KEY"] = OperatorSystem.ClientKey };

        var run = await Botctl.RunAsync(client, "invoke", "node", "--payload", """{"durationMs":300}""", "--webhook", $"{system.MockWebhookUrl}/webhook", "--wait");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("byStatus", run.Output);
        Assert.Contains("completed", run.Output);
    }

    [Fact]
    public async Task Invoke_wait_of_a_failing_bot_prints_failed_and_exits_non_zero()
    {
        var client = new Dictionary<string, string>(Environment) { ["BOTCTL_API_KEY"] = OperatorSystem.ClientKey };

        var run = await Botctl.RunAsync(client, "invoke", "node", "--payload", """{"fail":"permanent","durationMs":10}""", "--webhook", $"{system.MockWebhookUrl}/webhook", "--wait");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no usable records", run.Output);
        Assert.Contains("failed", run.Output);
    }

    [Fact]
    public async Task Invalid_input_is_one_line_naming_the_field()
    {
        var client = new Dictionary<string, string>(Environment) { ["BOTCTL_API_KEY"] = OperatorSystem.ClientKey };

        var run = await Botctl.RunAsync(client, "invoke", "cobol", "--webhook", $"{system.MockWebhookUrl}/webhook");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("answered 400", run.Output);
        Assert.Contains("botType", run.Output);
        Assert.DoesNotContain("   at ", run.Output);
    }

    [Fact]
    public async Task Cancel_ends_a_running_job_cancelled_and_refuses_one_that_has_finished()
    {
        var client = new Dictionary<string, string>(Environment) { ["BOTCTL_API_KEY"] = OperatorSystem.ClientKey };
        var invoked = await Botctl.RunAsync(client, "invoke", "node", "--payload", """{"durationMs":60000}""", "--webhook", $"{system.MockWebhookUrl}/webhook");
        Assert.True(invoked.ExitCode == 0, invoked.Output);
        var jobId = System.Text.RegularExpressions.Regex.Match(invoked.Output, @"inv_[0-9a-f]+").Value;

        var cancelled = await Botctl.RunAsync(client, "cancel", jobId);

        Assert.True(cancelled.ExitCode == 0, cancelled.Output);
        Assert.Contains($"job {jobId} cancelled", cancelled.Output);
        var shown = await Botctl.RunAsync(client, "job", jobId);
        Assert.Contains("cancelled", shown.Output);

        var finished = await Botctl.RunAsync(client, "invoke", "node", "--payload", """{"durationMs":10}""", "--webhook", $"{system.MockWebhookUrl}/webhook", "--wait");
        var finishedId = System.Text.RegularExpressions.Regex.Match(finished.Output, @"inv_[0-9a-f]+").Value;
        var refused = await Botctl.RunAsync(client, "cancel", finishedId);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("answered 409", refused.Output);
        Assert.Contains("already finished", refused.Output);
        var unknown = await Botctl.RunAsync(client, "cancel", "inv_unknown");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("answered 404", unknown.Output);
    }

    [Fact]
    public async Task Schedules_add_list_and_remove_round_trip_through_the_gateway()
    {
        var client = new Dictionary<string, string>(Environment) { ["BOTCTL_API_KEY"] = OperatorSystem.ClientKey };

        var added = await Botctl.RunAsync(client, "schedules", "add", "node", "--every", "60000", "--name", "hourly-sync",
            "--payload", """{"durationMs":10}""", "--webhook", $"{system.MockWebhookUrl}/webhook", "--priority", "3", "--timeout", "30");
        Assert.True(added.ExitCode == 0, added.Output);
        var scheduleId = System.Text.RegularExpressions.Regex.Match(added.Output, @"sch_[0-9a-f]+").Value;
        Assert.NotEmpty(scheduleId);
        using (var read = new HttpRequestMessage(HttpMethod.Get, $"{system.GatewayUrl}/schedules/{scheduleId}"))
        {
            read.Headers.Add("X-Api-Key", OperatorSystem.ClientKey);
            using var response = await system.Http.SendAsync(read);
            var schedule = System.Text.Json.Nodes.JsonNode.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
            Assert.Equal(60000, (long)schedule["everyMs"]!);
            Assert.Equal(3, (int)schedule["priority"]!);
            Assert.Equal(30, (int)schedule["timeoutSeconds"]!);
        }

        var listed = await Botctl.RunAsync(client, "schedules", "list");
        var listedByAdmin = await Botctl.RunAsync(Environment, "schedules", "list");
        Assert.Contains(scheduleId, listed.Output);
        Assert.Contains("hourly-sync", listed.Output);
        Assert.Contains(scheduleId, listedByAdmin.Output);

        var removed = await Botctl.RunAsync(client, "schedules", "remove", scheduleId);
        Assert.True(removed.ExitCode == 0, removed.Output);
        Assert.DoesNotContain(scheduleId, (await Botctl.RunAsync(client, "schedules", "list")).Output);
        var again = await Botctl.RunAsync(client, "schedules", "remove", scheduleId);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("answered 404", again.Output);
    }

    [Fact]
    public async Task Schedules_add_without_a_time_is_refused_before_any_request()
    {
        var run = await Botctl.RunAsync(Environment, "schedules", "add", "node", "--webhook", $"{system.MockWebhookUrl}/webhook");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--cron or --every", run.Output);
    }

    [Fact]
    public async Task Stats_shows_queues_semaphores_workers_and_webhook_figures_as_tables()
    {
        var run = await Botctl.RunAsync(Environment, "stats");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Queues", run.Output);
        Assert.Contains("bots-node", run.Output);
        Assert.Contains("Semaphores", run.Output);
        Assert.Contains("READY", run.Output.Replace("PROCESSING", "READY"));
        Assert.Contains("deadLetters", run.Output);
    }

    [Fact]
    public async Task Health_prints_the_verdict_with_its_reasons_and_exits_with_the_code_of_the_verdict()
    {
        var run = await Botctl.RunAsync(Environment, "health");

        var verdict = Assert.Single((string[])["healthy", "degraded", "unhealthy"], status => run.Output.Contains($"System: {status}"));
        Assert.Equal(verdict switch { "healthy" => 0, "degraded" => 2, _ => 3 }, run.ExitCode);
        Assert.Contains("webhook-manager", run.Output);
    }

    [Fact]
    public async Task Health_of_a_gateway_whose_redis_is_gone_is_unhealthy_naming_redis_and_exits_3()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = ServiceProcess.StartService("ApiGateway", new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__redis"] = redis.ConnectionString,
            ["SystemHealth__RefreshInterval"] = "00:00:00.500",
        });
        await gateway.WaitUntilHealthyAsync($"{url}/health");
        await redis.DisposeAsync();

        var environment = new Dictionary<string, string>(Environment) { ["BOTCTL_URL"] = url };
        var run = await Botctl.RunAsync(environment, "health");
        for (var attempt = 0; attempt < 30 && !run.Output.Contains("System: unhealthy"); attempt++)
        {
            // Until its next check, the gateway reports the last one.
            await Task.Delay(500);
            run = await Botctl.RunAsync(environment, "health");
        }

        Assert.True(run.ExitCode == 3, run.Output);
        Assert.Contains("System: unhealthy", run.Output);
        Assert.Contains("- Redis is unreachable", run.Output);
    }

    [Fact]
    public async Task Dlq_list_shows_a_dead_delivery_and_redrive_sends_it_again()
    {
        var invocationId = "inv" + Guid.NewGuid().ToString("N");
        var deliveryId = await system.MakeDeadDeliveryAsync(invocationId);

        var list = await Botctl.RunAsync(Environment, "dlq", "list");
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains(deliveryId, list.Output);

        var redrive = await Botctl.RunAsync(Environment, "dlq", "redrive", deliveryId);
        Assert.True(redrive.ExitCode == 0, redrive.Output);
        Assert.Contains("redriven: 1", redrive.Output);

        var after = await Botctl.RunAsync(Environment, "dlq", "list");
        Assert.DoesNotContain(deliveryId, after.Output);
    }

    [Fact]
    public async Task Dlq_redrive_all_empties_the_dead_letter_queue()
    {
        await system.MakeDeadDeliveryAsync("inv" + Guid.NewGuid().ToString("N"));

        var redrive = await Botctl.RunAsync(Environment, "dlq", "redrive", "--all");
        Assert.True(redrive.ExitCode == 0, redrive.Output);
        Assert.Matches(@"redriven: [1-9]", redrive.Output);
    }

    [Fact]
    public async Task Dlq_commands_go_to_the_webhook_manager_and_refuse_the_gateway_url_they_would_ignore()
    {
        var gatewayUrl = await Botctl.RunAsync(Environment, "dlq", "list", "--url", system.GatewayUrl);
        Assert.Equal(1, gatewayUrl.ExitCode);
        Assert.Contains("Unknown option 'url'", gatewayUrl.Output);

        var managerGone = await Botctl.RunAsync(Environment, "dlq", "list", "--webhooks-url", $"http://127.0.0.1:{FreePort.Next()}");
        Assert.Equal(1, managerGone.ExitCode);
        Assert.Contains("cannot reach the server", managerGone.Output);
    }

    [Fact]
    public async Task A_mistyped_option_is_an_error_not_an_option_quietly_ignored()
    {
        var client = new Dictionary<string, string>(Environment) { ["BOTCTL_API_KEY"] = OperatorSystem.ClientKey };

        var run = await Botctl.RunAsync(client, "invoke", "python", "--webhook", $"{system.MockWebhookUrl}/webhook", "--wiat");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Unknown option 'wiat'", run.Output);
    }

    [Theory]
    [InlineData("invoke", "--priority", "abc")]
    [InlineData("invoke", "--timeout", "2.5")]
    [InlineData("schedules add", "--every", "1e3")]
    public async Task A_number_option_that_is_not_a_whole_number_is_refused_by_its_name_before_any_request(string command, string option, string value)
    {
        var run = await Botctl.RunAsync(Environment, [.. command.Split(' '), "python", "--webhook", $"{system.MockWebhookUrl}/webhook", option, value]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{option} must be a whole number, not '{value}'", run.Output);
    }

    [Theory]
    [InlineData("stats")]
    [InlineData("dlq list")]
    [InlineData("dlq redrive --all")]
    [InlineData("invoke python --webhook http://localhost:5000/webhook")]
    public async Task A_command_without_an_api_key_says_how_to_give_one_before_any_request(string command)
    {
        var run = await Botctl.RunAsync(new Dictionary<string, string>(Environment) { ["BOTCTL_API_KEY"] = "" }, command.Split(' '));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("No API key: pass --api-key or set BOTCTL_API_KEY", run.Output);
        Assert.DoesNotContain("answered", run.Output);
    }

    [Fact]
    public async Task An_http_error_is_one_clear_line_without_a_stack_trace()
    {
        var unauthorized = await Botctl.RunAsync(new Dictionary<string, string>(Environment) { ["BOTCTL_API_KEY"] = "wrong" }, "dlq", "list");
        Assert.Equal(1, unauthorized.ExitCode);
        Assert.Contains("answered 401", unauthorized.Output);
        Assert.DoesNotContain("   at ", unauthorized.Output);

        var unreachable = await Botctl.RunAsync(Environment, "stats", "--url", $"http://127.0.0.1:{FreePort.Next()}");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("cannot reach the server", unreachable.Output);
        Assert.DoesNotContain("   at ", unreachable.Output);
    }
}
