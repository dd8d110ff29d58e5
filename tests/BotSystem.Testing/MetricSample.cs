namespace BotSystem.Testing;

/// <summary>One sample line of a Prometheus text exposition: <c>name{labels} value</c>.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>The value of <paramref name="label"/>, or null when the sample does not carry it.</summary>
    public string? Label(string label) => Labels.GetValueOrDefault(label);
}
