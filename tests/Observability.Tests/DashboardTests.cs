using System.Text.Json;
using BotSystem.Contracts.Observability;

namespace Observability.Tests;

public sealed class DashboardTests
{
    /// <summary>The uid of the datasource in <c>grafana/provisioning/datasources</c>.</summary>
    private const string DatasourceUid = "botsystem-prometheus";

    private static readonly JsonElement Dashboard = DeployFiles.ReadJson(DeployFiles.Dashboard);

    public static TheoryData<string, string> RequiredPanels => new()
    {
        { "Executions total", "bot_executions_total" },
        { "Execution rate by bot type", "bot_executions_total" },
        { "Execution duration percentiles", "bot_execution_duration_seconds_bucket" },
        { "Webhook delivery status", "webhook_deliveries_total" },
        { "Queue size", "queue_size" },
        { "Semaphore usage", "semaphore_usage" },
        { "Semaphore waiting", "semaphore_waiting" },
        { "Oldest waiting job age", "queue_oldest_waiting_age_seconds" },
        { "Dead letter queue", "webhook_dlq_size" },
        { "Circuit breakers", "circuit_breaker_state" },
        { "Workers", "worker_state" },
        { "System health", "system_health_status" },
        { "HTTP responses by status", "http_server_request_duration_seconds_count" },
    };

    [Theory]
    [MemberData(nameof(RequiredPanels))]
    public void Dashboard_has_the_required_panel_querying_its_metric(string title, string metric)
    {
        var queries = DashboardQuery.Load().Where(query => query.Panel == title).ToList();

        Assert.True(queries.Count > 0, $"No panel titled '{title}' with a query.");
        Assert.Contains(queries, query => PromQlMetrics.In(query.Expression).Contains(metric));
    }

    [Fact]
    public void Duration_percentiles_panel_computes_p50_p95_and_p99_with_histogram_quantile()
    {
        var expressions = DashboardQuery.Load().Where(query => query.Panel == "Execution duration percentiles").Select(query => query.Expression).ToList();

        Assert.All(["0.5", "0.95", "0.99"], quantile =>
            Assert.Contains(expressions, expression => expression.StartsWith($"histogram_quantile({quantile},", StringComparison.Ordinal)));
    }

    [Fact]
    public void Dashboard_is_a_grafana_schema_39_dashboard_with_a_stable_uid()
    {
        Assert.Equal("botsystem-overview", Dashboard.GetProperty("uid").GetString());
        Assert.Equal("BotSystem", Dashboard.GetProperty("title").GetString());
        Assert.Equal(39, Dashboard.GetProperty("schemaVersion").GetInt32());
    }

    [Fact]
    public void Panels_have_unique_ids_and_fit_the_24_column_grid_without_overlapping()
    {
        var panels = DashboardQuery.Panels(Dashboard).ToList();
        var cells = new HashSet<(int X, int Y)>();

        Assert.Equal(panels.Count, panels.Select(panel => panel.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.All(panels, panel =>
        {
            var grid = panel.GetProperty("gridPos");
            var (x, y, w, h) = (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            Assert.InRange(x + w, 1, 24);
            for (var column = x; column < x + w; column++)
            {
                for (var row = y; row < y + h; row++)
                {
                    Assert.True(cells.Add((column, row)), $"Panel '{panel.GetProperty("title")}' overlaps another at ({column},{row}).");
                }
            }
        });
    }

    [Fact]
    public void Every_query_uses_the_provisioned_prometheus_datasource_by_uid()
    {
        var datasource = DeployFiles.ReadYaml(DeployFiles.Path(["grafana", "provisioning", "datasources", "prometheus.yml"]))
            .GetProperty("datasources")[0];
        Assert.Equal(DatasourceUid, datasource.GetProperty("uid").GetString());
        Assert.Equal("prometheus", datasource.GetProperty("type").GetString());

        var panels = DashboardQuery.Panels(Dashboard).Where(panel => panel.TryGetProperty("targets", out _)).ToList();
        Assert.NotEmpty(panels);
        Assert.All(panels, panel =>
        {
            Assert.Equal(DatasourceUid, panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.All(panel.GetProperty("targets").EnumerateArray(), target =>
            {
                Assert.Equal(DatasourceUid, target.GetProperty("datasource").GetProperty("uid").GetString());
                Assert.False(string.IsNullOrWhiteSpace(target.GetProperty("expr").GetString()));
            });
        });
    }

    [Fact]
    public void Every_published_metric_is_shown_on_the_dashboard()
    {
        var shown = DashboardQuery.Load().SelectMany(query => PromQlMetrics.In(query.Expression)).ToHashSet();

        Assert.All(MetricNames.All, metric =>
            Assert.True(shown.Contains(metric) || shown.Contains($"{metric}_bucket"), $"No panel shows {metric}."));
    }

    [Fact]
    public void Dashboard_queries_select_only_published_metric_names()
    {
        Assert.All(DashboardQuery.Load(), query =>
            Assert.All(PromQlMetrics.In(query.Expression), metric => Assert.Contains(metric, PublishedMetrics.Names)));
    }
}
