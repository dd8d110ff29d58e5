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
    public async Task Stats_shows_queues_semaphores_and_workers_as_tables()
    {
        var run = await Botctl.RunAsync(Environment, "stats");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Queues", run.Output);
        Assert.Contains("bots-node", run.Output);
        Assert.Contains("Semaphores", run.Output);
        Assert.Contains("READY", run.Output.Replace("PROCESSING", "READY"));
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
