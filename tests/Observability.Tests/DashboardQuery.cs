using System.Text.Json;

namespace Observability.Tests;

/// <summary>One PromQL target of a Grafana panel, with Grafana's interval variables expanded as Grafana would.</summary>
public sealed record DashboardQuery(string Panel, string Expression)
{
    private static readonly (string Variable, string Value)[] GrafanaVariables =
    [
        ("$__rate_interval", "1m"),
        ("$__interval", "15s"),
        ("$__range", "1h"),
    ];

    public static IReadOnlyList<DashboardQuery> Load() =>
        Panels(DeployFiles.ReadJson(DeployFiles.Dashboard))
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray()
                .Select(target => new DashboardQuery(panel.GetProperty("title").GetString()!, Expand(target.GetProperty("expr").GetString()!))))
            .ToList();

    /// <summary>Every panel, including those nested in collapsed rows.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard) =>
        dashboard.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.TryGetProperty("panels", out var nested) ? [panel, .. nested.EnumerateArray()] : new[] { panel });

    private static string Expand(string expression) =>
        GrafanaVariables.Aggregate(expression, (text, variable) => text.Replace(variable.Variable, variable.Value, StringComparison.Ordinal));
}
