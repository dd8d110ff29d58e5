using System.Net;
using System.Text.Json;

namespace Observability.Tests;

public sealed class AlertmanagerTests
{
    [Fact]
    public async Task Alertmanager_configuration_passes_amtool_check_config()
    {
        var result = await CommandLine.RunAsync("amtool", ["check-config", DeployFiles.Alertmanager]);

        Assert.True(result.ExitCode == 0, $"amtool check-config exited with {result.ExitCode}:\n{result.Output}");
    }

    [Fact]
    public async Task Alertmanager_configuration_sends_alerts_to_the_mock_webhook_alerts_endpoint_by_default()
    {
        var receivers = DeployFiles.ReadYaml(DeployFiles.Alertmanager).GetProperty("receivers");

        var url = Assert.Single(receivers.EnumerateArray()).GetProperty("webhook_configs")[0].GetProperty("url").GetString();

        Assert.Equal(AlertmanagerServer.DefaultReceiverUrl, url);
        Assert.Contains(AlertmanagerServer.DefaultReceiverUrl, await File.ReadAllTextAsync(DeployFiles.DockerCompose));
    }

    [Fact]
    public async Task A_firing_alert_reaches_the_configured_webhook_receiver_through_alertmanager()
    {
        var receiverPort = FreePort.Next();
        using var receiver = new HttpListener();
        receiver.Prefixes.Add($"http://127.0.0.1:{receiverPort}/");
        receiver.Start();
        var ruleDirectory = Directory.CreateTempSubdirectory("botsystem-forced-rule-");
        var ruleFile = Path.Combine(ruleDirectory.FullName, "forced.yml");
        await File.WriteAllTextAsync(ruleFile, """
            groups:
              - name: forced
                rules:
                  - alert: ForcedToFire
                    expr: vector(1)
                    labels:
                      severity: critical
                      job: api-gateway
                    annotations:
                      summary: An alert that always fires
            """);

        await using var alertmanager = new AlertmanagerServer(DeployFiles.Alertmanager, $"http://127.0.0.1:{receiverPort}/alerts");
        await using var prometheus = PrometheusServer.WithOptions(new PrometheusServerOptions { RuleFiles = [ruleFile], Alertmanagers = [alertmanager.Address] });
        try
        {
            await alertmanager.InitializeAsync();
            await prometheus.InitializeAsync();

            var context = await receiver.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(60));
            using var body = await JsonDocument.ParseAsync(context.Request.InputStream);
            context.Response.StatusCode = 200;
            context.Response.Close();

            Assert.Equal("POST", context.Request.HttpMethod);
            Assert.Equal("/alerts", context.Request.Url!.AbsolutePath);
            var notification = body.RootElement;
            Assert.Equal("botsystem-webhook", notification.GetProperty("receiver").GetString());
            Assert.Equal("firing", notification.GetProperty("status").GetString());
            var alert = Assert.Single(notification.GetProperty("alerts").EnumerateArray());
            Assert.Equal("ForcedToFire", alert.GetProperty("labels").GetProperty("alertname").GetString());
            Assert.Equal("critical", alert.GetProperty("labels").GetProperty("severity").GetString());
            Assert.Equal("An alert that always fires", alert.GetProperty("annotations").GetProperty("summary").GetString());
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No alert reached the receiver.\nPrometheus:\n{prometheus.Output}\nAlertmanager:\n{alertmanager.Output}");
        }
        finally
        {
            ruleDirectory.Delete(recursive: true);
        }
    }
}
