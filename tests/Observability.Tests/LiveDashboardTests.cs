using System.Text.Json;

namespace Observability.Tests;

/// <summary>Every panel of the dashboard and every alert rule, asked of a Prometheus that scrapes the running system under traffic.</summary>
[Collection(nameof(WholeSystemCollection))]
public sealed class LiveDashboardTests(ScrapedSystem system) : IClassFixture<ScrapedSystem>
{
    private static readonly TimeSpan SeriesDeadline = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(PromQlValidityTests.DashboardQueries), MemberType = typeof(PromQlValidityTests))]
    public async Task Dashboard_panel_query_is_valid_and_returns_series_from_the_running_system(string panel, string expression)
    {
        var deadline = DateTime.UtcNow + SeriesDeadline;
        PrometheusQueryResult result;
        while (true)
        {
            result = await system.Prometheus.QueryAsync(expression);
            Assert.True(result.IsSuccess, $"Panel '{panel}': '{expression}' was rejected: {result.ErrorType}: {result.Error}");
            if (result.Data.GetProperty("result").GetArrayLength() > 0 || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(500);
        }

        Assert.True(result.Data.GetProperty("result").GetArrayLength() > 0, $"Panel '{panel}': '{expression}' returned no series within {SeriesDeadline}.");
    }

    [Theory]
    [MemberData(nameof(PromQlValidityTests.AlertExpressions), MemberType = typeof(PromQlValidityTests))]
    public async Task Alert_rule_expression_is_valid_against_the_running_system(string alert, string expression)
    {
        var result = await system.Prometheus.QueryAsync(expression);

        Assert.True(result.IsSuccess, $"Alert {alert}: '{expression}' was rejected: {result.ErrorType}: {result.Error}");
    }

    [Fact]
    public async Task Every_alert_rule_evaluates_without_error_on_the_data_of_the_traffic()
    {
        var deadline = DateTime.UtcNow + SeriesDeadline;
        List<JsonElement> rules;
        do
        {
            await Task.Delay(500);
            rules = (await system.Prometheus.GetDataAsync("api/v1/rules?type=alert")).GetProperty("groups").EnumerateArray()
                .SelectMany(group => group.GetProperty("rules").EnumerateArray())
                .ToList();
        }
        while (rules.Any(rule => rule.GetProperty("lastEvaluation").GetDateTimeOffset() < system.TrafficEndedAt) && DateTime.UtcNow < deadline);

        Assert.Equal(AlertRule.Load().Select(rule => rule.Name).Order(), rules.Select(rule => rule.GetProperty("name").GetString()).Order());
        Assert.All(rules, rule =>
        {
            Assert.True(rule.GetProperty("lastEvaluation").GetDateTimeOffset() >= system.TrafficEndedAt, $"{rule.GetProperty("name")} was not evaluated after the traffic.");
            Assert.True(rule.GetProperty("health").GetString() == "ok",
                $"{rule.GetProperty("name")}: {rule.GetProperty("health")} {(rule.TryGetProperty("lastError", out var error) ? error : default)}");
        });
    }

    // A median of times, none negative, is at most twice their mean; estimated from buckets whose upper bound is at most
    // 2.5 times their lower one (the first at most 5 ms), it is at most five times the mean, plus those 5 ms.
    [Theory]
    [InlineData("bot_execution_duration_seconds", "bot_type")]
    [InlineData("webhook_delivery_duration_seconds", "job")]
    public async Task Duration_percentile_panels_show_times_of_the_order_of_those_measured(string histogram, string by)
    {
        await system.Prometheus.WaitForSeriesAsync($"{histogram}_count", SeriesDeadline);

        var medians = await ValuesByAsync($"histogram_quantile(0.5, sum by (le, {by}) ({histogram}_bucket))", by);
        var means = await ValuesByAsync($"sum by ({by}) ({histogram}_sum) / sum by ({by}) ({histogram}_count)", by);

        Assert.NotEmpty(means);
        Assert.All(means, mean => Assert.True(medians[mean.Key] <= 5 * mean.Value + 0.005,
            $"{histogram}{{{by}=\"{mean.Key}\"}}: the median of the buckets is {medians[mean.Key]} s where the mean is {mean.Value} s"));
    }

    [Fact]
    public async Task Prometheus_scrapes_every_service_under_its_resource_name()
    {
        Assert.Equal(["api-gateway", "mock-webhook", "orchestrator", "webhook-manager", "workers"], system.Jobs.Order());
        foreach (var job in system.Jobs)
        {
            await system.Prometheus.WaitForSeriesAsync($"up{{job=\"{job}\"}} == 1", SeriesDeadline);
        }
    }

    [Fact]
    public async Task The_dead_delivery_shows_on_the_dead_letter_and_delivery_status_panels()
    {
        await system.Prometheus.WaitForSeriesAsync("max(webhook_dlq_size) >= 1", SeriesDeadline);
        await system.Prometheus.WaitForSeriesAsync("sum by (status) (webhook_deliveries_total{status=\"dead\"}) >= 1", SeriesDeadline);
        await system.Prometheus.WaitForSeriesAsync("sum by (status) (webhook_deliveries_total{status=\"delivered\"}) >= 3", SeriesDeadline);
    }

    private async Task<Dictionary<string, double>> ValuesByAsync(string expression, string label)
    {
        var result = await system.Prometheus.QueryAsync(expression);
        Assert.True(result.IsSuccess, $"'{expression}' was rejected: {result.ErrorType}: {result.Error}");
        return result.Data.GetProperty("result").EnumerateArray().ToDictionary(
            series => series.GetProperty("metric").GetProperty(label).GetString()!,
            series => double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
