namespace Observability.Tests;

public sealed class PromtoolTests
{
    [Fact]
    public async Task Prometheus_configuration_passes_promtool_check_config()
    {
        await AssertSucceedsAsync("check", "config", DeployFiles.PrometheusConfig);
    }

    [Fact]
    public async Task Prometheus_configuration_as_docker_compose_mounts_it_passes_promtool_check_config()
    {
        var layout = Directory.CreateTempSubdirectory("botsystem-prometheus-compose-");
        try
        {
            File.Copy(DeployFiles.PrometheusConfig, Path.Combine(layout.FullName, "prometheus.yml"));
            File.Copy(DeployFiles.AlertRules, Path.Combine(layout.FullName, "alert-rules.yml"));
            var targets = Directory.CreateDirectory(Path.Combine(layout.FullName, "targets"));
            foreach (var file in Directory.GetFiles(DeployFiles.Path(["prometheus", "targets-docker"])))
            {
                File.Copy(file, Path.Combine(targets.FullName, Path.GetFileName(file)));
            }

            await AssertSucceedsAsync("check", "config", Path.Combine(layout.FullName, "prometheus.yml"));
        }
        finally
        {
            layout.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Alert_rules_pass_promtool_check_rules()
    {
        await AssertSucceedsAsync("check", "rules", DeployFiles.AlertRules);
    }

    [Fact]
    public async Task Every_alert_rule_unit_test_passes_promtool_test_rules()
    {
        await AssertSucceedsAsync("test", "rules", DeployFiles.AlertRuleTests);
    }

    [Fact]
    public async Task Promtool_test_rules_fails_when_an_expected_alert_does_not_fire()
    {
        var directory = Directory.CreateTempSubdirectory("botsystem-rules-");
        try
        {
            File.Copy(DeployFiles.AlertRules, Path.Combine(directory.FullName, "alert-rules.yml"));
            var tests = Path.Combine(directory.FullName, "alert-rules.test.yml");
            var text = await File.ReadAllTextAsync(DeployFiles.AlertRuleTests);
            // The backlog of 1100 is moved under the 1000 threshold, so its expected alert cannot fire.
            await File.WriteAllTextAsync(tests, text.Replace("values: '300x10'", "values: '100x10'", StringComparison.Ordinal));

            var result = await CommandLine.RunAsync("promtool", ["test", "rules", tests]);

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("QueueBacklogHigh", result.Output);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task AssertSucceedsAsync(params string[] arguments)
    {
        var result = await CommandLine.RunAsync("promtool", arguments, DeployFiles.Directory);
        Assert.True(result.ExitCode == 0, $"promtool {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Output}");
    }
}
