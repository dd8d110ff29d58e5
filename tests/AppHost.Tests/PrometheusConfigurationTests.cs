using System.Text.Json;
using BotSystem.AppHost.Resources;
using BotSystem.Testing;
using Microsoft.Extensions.Configuration;

namespace AppHost.Tests;

public sealed class PrometheusConfigurationTests
{
    [Fact]
    public async Task The_prometheus_the_apphost_configures_scrapes_itself_as_its_prometheus_job()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("botsystem-apphost-").FullName;
        try
        {
            var configuration = new AppHostConfiguration(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["DataDirectory"] = dataDirectory }).Build());
            var port = FreePort.Next();
            var configFile = PrometheusConfiguration.Write(configuration, new Dictionary<string, IReadOnlyList<Resource>>(), port);
            await using var prometheus = ServiceProcess.Start(Executable.Find("prometheus"),
                [$"--config.file={configFile}", $"--web.listen-address=127.0.0.1:{port}", $"--storage.tsdb.path={Path.Combine(dataDirectory, "tsdb")}"],
                new Dictionary<string, string?>(), dataDirectory);
            await prometheus.WaitUntilHealthyAsync($"http://127.0.0.1:{port}/-/ready", TimeSpan.FromSeconds(30));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

            // The job deploy/prometheus/prometheus.yml declares, and the deploy's targets give, as every other resource's.
            string[] scrapeUrls = [];
            await Eventually.HoldsAsync(async () =>
            {
                using var targets = JsonDocument.Parse(await http.GetStringAsync("api/v1/targets?state=active"));
                scrapeUrls = [.. targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                    .Where(target => target.GetProperty("labels").GetProperty("job").GetString() == "prometheus")
                    .Select(target => target.GetProperty("scrapeUrl").GetString()!)];
                return scrapeUrls.Length > 0;
            }, TimeSpan.FromSeconds(15), $"the prometheus job has no target\n{prometheus.Output}");
            Assert.Equal([$"http://localhost:{port}/metrics"], scrapeUrls);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
