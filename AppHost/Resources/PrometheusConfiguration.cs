namespace BotSystem.AppHost.Resources;

/// <summary>
/// Copies <c>deploy/prometheus/prometheus.yml</c> and the alert rules in use to the data directory and writes
/// its target files with the ports actually in use, so the same rules and jobs scrape this run, Prometheus itself
/// on <c>prometheusPort</c> included.
/// </summary>
public static class PrometheusConfiguration
{
    public static string Write(AppHostConfiguration configuration, IReadOnlyDictionary<string, IReadOnlyList<Resource>> jobs, int prometheusPort)
    {
        var target = Directory.CreateDirectory(Path.Combine(configuration.DataDirectory, "prometheus", "config")).FullName;
        File.Copy(Path.Combine(configuration.RepositoryRoot, "deploy", "prometheus", "prometheus.yml"), Path.Combine(target, "prometheus.yml"), overwrite: true);
        File.Copy(configuration.AlertRulesFile, Path.Combine(target, "alert-rules.yml"), overwrite: true);
        var targets = Directory.CreateDirectory(Path.Combine(target, "targets")).FullName;
        foreach (var (job, resources) in jobs)
        {
            var addresses = string.Join(", ", resources.Select(resource => $"\"localhost:{resource.Port}\""));
            File.WriteAllText(Path.Combine(targets, job + ".yml"), $"- targets: [{addresses}]\n");
        }
        File.WriteAllText(Path.Combine(targets, "prometheus.yml"), $"- targets: [\"localhost:{prometheusPort}\"]\n");
        return Path.Combine(target, "prometheus.yml");
    }
}
