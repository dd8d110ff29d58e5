using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AppHost.Tests;

public sealed partial class AlertRoutingTests
{
    private static readonly TimeSpan AlertDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_service_that_stops_answering_raises_ServiceDown_which_alertmanager_delivers_to_the_mock_webhook()
    {
        var rules = await WriteAlertRulesWithShortDurationsAsync();
        try
        {
            await using var appHost = AppHostProcess.Start(null, $"--Prometheus:AlertRules={rules}");
            var resources = await appHost.WaitForAsync(AppHostProcess.AllHealthy);
            Assert.Equal("healthy", AppHostProcess.Resource(resources, "prometheus")["health"]!.GetValue<string>());
            Assert.Equal("healthy", AppHostProcess.Resource(resources, "alertmanager")["health"]!.GetValue<string>());
            var mockWebhookUrl = AppHostProcess.Resource(resources, "mock-webhook")["endpoints"]![0]!.GetValue<string>();
            var orchestrator = AppHostProcess.Resource(resources, "orchestrator");
            var orchestratorPid = orchestrator["pid"]!.GetValue<int>();
            var orchestratorPort = new Uri(orchestrator["endpoints"]![0]!.GetValue<string>()).Port;

            // A stopped process keeps its port but answers nothing, as a hung service does; the AppHost does not restart it.
            var stoppedAt = DateTimeOffset.UtcNow;
            Signals.Send(orchestratorPid, Signals.SIGSTOP);
            JsonNode alert;
            try
            {
                alert = await WaitForFiringAlertAsync(mockWebhookUrl, "ServiceDown", "orchestrator", stoppedAt, appHost);
            }
            finally
            {
                Signals.Send(orchestratorPid, Signals.SIGCONT);
            }

            Assert.Equal($"localhost:{orchestratorPort}", alert["labels"]!["instance"]!.GetValue<string>());
            Assert.Equal("critical", alert["labels"]!["severity"]!.GetValue<string>());
            Assert.Contains("orchestrator", alert["annotations"]!["summary"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(rules);
        }
    }

    /// <summary>
    /// The deploy alert rules with every <c>for:</c> cut to 0 s, so a rule fires at the first evaluation that sees its condition
    /// instead of minutes; the expressions stay those of <c>deploy/prometheus/alert-rules.yml</c>.
    /// </summary>
    private static async Task<string> WriteAlertRulesWithShortDurationsAsync()
    {
        var deployed = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "alert-rules.yml"));
        var shortened = ForDuration().Replace(deployed, "${key}0s");
        Assert.NotEqual(deployed, shortened);
        var file = Path.Combine(Path.GetTempPath(), $"botsystem-alert-rules-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, shortened);
        return file;
    }

    /// <summary>Polls the mock webhook's <c>GET /alerts</c> for an alert of <paramref name="alertName"/> on <paramref name="job"/> that began firing after <paramref name="since"/>.</summary>
    private static async Task<JsonNode> WaitForFiringAlertAsync(string mockWebhookUrl, string alertName, string job, DateTimeOffset since, AppHostProcess appHost)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + AlertDeadline;
        JsonArray notifications = [];
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                notifications = (await http.GetFromJsonAsync<JsonArray>($"{mockWebhookUrl}/alerts"))!;
            }
            catch (TaskCanceledException)
            {
                // Slow to answer on a busy machine; ask again.
                continue;
            }
            var alert = notifications
                .Where(notification => notification!["receiver"]?.GetValue<string>() == "botsystem-webhook")
                .SelectMany(notification => notification!["alerts"]!.AsArray())
                .FirstOrDefault(alert =>
                    alert!["status"]!.GetValue<string>() == "firing"
                    && alert["labels"]!["alertname"]!.GetValue<string>() == alertName
                    && alert["labels"]!["job"]?.GetValue<string>() == job
                    && alert["startsAt"]!.GetValue<DateTimeOffset>() >= since.AddSeconds(-1));
            if (alert is not null)
            {
                return alert;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException(
            $"No firing {alertName} alert for {job} reached {mockWebhookUrl}/alerts within {AlertDeadline}; it received {notifications.ToJsonString()}\n{appHost.Process.Output}");
    }

    [GeneratedRegex(@"(?<key>^\s+for:\s*)\S+", RegexOptions.Multiline)]
    private static partial Regex ForDuration();
}
