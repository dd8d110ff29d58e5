namespace BotSystem.Testing;

/// <summary>What a <see cref="PrometheusServer"/> scrapes, evaluates and alerts to.</summary>
public sealed record PrometheusServerOptions
{
    /// <summary>Scrape jobs by job name (e.g. <c>api-gateway</c>), each with its <c>host:port</c> targets serving <c>/metrics</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ScrapeTargets { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Rule files to load (copied next to the generated configuration), e.g. <c>deploy/prometheus/alert-rules.yml</c>.</summary>
    public IReadOnlyList<string> RuleFiles { get; init; } = [];

    /// <summary>Alertmanagers (<c>host:port</c>) that firing alerts are sent to.</summary>
    public IReadOnlyList<string> Alertmanagers { get; init; } = [];

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromSeconds(1);
}
