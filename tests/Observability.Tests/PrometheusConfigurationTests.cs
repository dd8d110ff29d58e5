using System.Text.Json;

namespace Observability.Tests;

public sealed class PrometheusConfigurationTests
{
    private static readonly Dictionary<string, string> ServicePorts = new()
    {
        ["api-gateway"] = "3000",
        ["orchestrator"] = "3100",
        ["workers"] = "3200",
        ["webhook-manager"] = "4000",
        ["mock-webhook"] = "5000",
    };

    [Fact]
    public async Task Prometheus_run_with_the_deploy_configuration_scrapes_metrics_of_every_service_under_its_resource_name()
    {
        var layout = Directory.CreateTempSubdirectory("botsystem-prometheus-deploy-");
        try
        {
            foreach (var file in Directory.GetFiles(DeployFiles.Path(["prometheus"]), "*", SearchOption.AllDirectories))
            {
                var copy = Path.Combine(layout.FullName, Path.GetRelativePath(DeployFiles.Path(["prometheus"]), file));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
            }
            var port = FreePort.Next();
            await using var prometheus = ServiceProcess.Start(
                Executable.Find("prometheus"),
                [
                    $"--config.file={Path.Combine(layout.FullName, "prometheus.yml")}",
                    $"--storage.tsdb.path={Path.Combine(layout.FullName, "tsdb")}",
                    $"--web.listen-address=127.0.0.1:{port}",
                ],
                new Dictionary<string, string?>(),
                layout.FullName);
            await prometheus.WaitUntilHealthyAsync($"http://127.0.0.1:{port}/-/ready", TimeSpan.FromSeconds(30));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            var scrapeUrls = await WaitForTargetsAsync(http, ServicePorts.Count + 1);

            Assert.All(ServicePorts, service =>
                Assert.Equal($"http://localhost:{service.Value}/metrics", scrapeUrls.GetValueOrDefault(service.Key)));
            using var rules = await http.GetAsync("api/v1/rules?type=alert");
            Assert.Equal(AlertRule.Load().Count, CountRules(await rules.Content.ReadAsStringAsync()));
        }
        finally
        {
            layout.Delete(recursive: true);
        }
    }

    [Fact]
    public void Docker_targets_name_the_same_jobs_with_the_same_ports_on_the_docker_host()
    {
        var local = Directory.GetFiles(DeployFiles.Path(["prometheus", "targets"])).Select(Path.GetFileName).Order();
        var docker = Directory.GetFiles(DeployFiles.Path(["prometheus", "targets-docker"])).Select(Path.GetFileName).Order();
        Assert.Equal(local, docker);

        Assert.All(ServicePorts, service =>
        {
            var target = DeployFiles.ReadYaml(DeployFiles.Path(["prometheus", "targets-docker", service.Key + ".yml"]))[0].GetProperty("targets")[0].GetString();
            Assert.Equal($"host.docker.internal:{service.Value}", target);
        });
    }

    private static async Task<Dictionary<string, string>> WaitForTargetsAsync(HttpClient http, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var document = JsonDocument.Parse(await http.GetStringAsync("api/v1/targets?state=active"));
            var targets = document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .ToDictionary(target => target.GetProperty("scrapePool").GetString()!, target => target.GetProperty("scrapeUrl").GetString()!);
            if (targets.Count >= count || DateTime.UtcNow > deadline)
            {
                return targets;
            }
            await Task.Delay(250);
        }
    }

    private static int CountRules(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .Sum(group => group.GetProperty("rules").GetArrayLength());
    }
}
