using System.Text.Json;

namespace Observability.Tests;

/// <summary>One alerting rule of <c>alert-rules.yml</c>.</summary>
public sealed record AlertRule(string Name, string Expression, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public static IReadOnlyList<AlertRule> Load() =>
        DeployFiles.ReadYaml(DeployFiles.AlertRules).GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray())
            .Where(rule => rule.TryGetProperty("alert", out _))
            .Select(rule => new AlertRule(
                rule.GetProperty("alert").GetString()!,
                rule.GetProperty("expr").GetString()!,
                Strings(rule, "labels"),
                Strings(rule, "annotations")))
            .ToList();

    private static Dictionary<string, string> Strings(JsonElement rule, string property) =>
        rule.TryGetProperty(property, out var map)
            ? map.EnumerateObject().ToDictionary(entry => entry.Name, entry => entry.Value.GetString()!)
            : [];
}
