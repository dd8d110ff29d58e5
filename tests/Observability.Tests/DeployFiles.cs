using System.Text.Json;
using YamlDotNet.Serialization;

namespace Observability.Tests;

/// <summary>The files under <c>deploy/</c>, and YAML read as JSON so tests navigate one document model.</summary>
public static class DeployFiles
{
    public static string Directory { get; } = System.IO.Path.Combine(RepositoryPaths.Root, "deploy");

    public static string PrometheusConfig => Path(["prometheus", "prometheus.yml"]);

    public static string AlertRules => Path(["prometheus", "alert-rules.yml"]);

    public static string AlertRuleTests => Path(["prometheus", "alert-rules.test.yml"]);

    public static string Dashboard => Path(["grafana", "dashboards", "botsystem.json"]);

    public static string DockerCompose => Path(["docker-compose.yml"]);

    public static string Alertmanager => Path(["alertmanager", "alertmanager.yml"]);

    public static string Path(string[] parts) => System.IO.Path.Combine([Directory, .. parts]);

    /// <summary>A YAML file as a JSON document; every scalar becomes a JSON string.</summary>
    public static JsonElement ReadYaml(string path)
    {
        var document = new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(path));
        var json = new SerializerBuilder().JsonCompatible().Build().Serialize(document);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    public static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
}
