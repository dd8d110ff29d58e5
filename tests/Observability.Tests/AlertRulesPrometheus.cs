namespace Observability.Tests;

/// <summary>A real Prometheus that has loaded <c>deploy/prometheus/alert-rules.yml</c>, shared by the PromQL tests.</summary>
public sealed class AlertRulesPrometheus : IAsyncLifetime
{
    public PrometheusServer Server { get; } = PrometheusServer.WithOptions(new PrometheusServerOptions { RuleFiles = [DeployFiles.AlertRules] });

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}
