namespace BotSystem.AppHost.Resources;

/// <summary>
/// Copies <c>deploy/prometheus</c> to <c>.data/prometheus/config</c> and writes its target files with
/// the ports actually in use, so the same rules and jobs scrape this run.
/// </summary>
public static class PrometheusConfiguration
{
    public static string Write(AppHostConfiguration configuration, IReadOnlyDictionary<string, IReadOnlyList<Resource>> jobs)
    {
        var source = Path.Combine(configuration.RepositoryRoot, "deploy", "prometheus");
        var target = Directory.CreateDirectory(Path.Combine(configuration.RepositoryRoot, ".data", "prometheus", "config")).FullName;
        foreach (var file in new[] { "prometheus.yml", "alert-rules.yml" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(target, file), overwrite: true);
        }
        var targets = Directory.CreateDirectory(Path.Combine(target, "targets")).FullName;
        foreach (var (job, resources) in jobs)
        {
            var addresses = string.Join(", ", resources.Select(resource => $"\"localhost:{resource.Port}\""));
            File.WriteAllText(Path.Combine(targets, job + ".yml"), $"- targets: [{addresses}]\n");
        }
        return Path.Combine(target, "prometheus.yml");
    }
}
