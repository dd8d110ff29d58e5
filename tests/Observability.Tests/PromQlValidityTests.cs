using System.Text.Json;

namespace Observability.Tests;

/// <summary>Every expression of the dashboard and the alert rules, evaluated by a real Prometheus.</summary>
public sealed class PromQlValidityTests(AlertRulesPrometheus prometheus) : IClassFixture<AlertRulesPrometheus>
{
    public static TheoryData<string, string> DashboardQueries => Cases(DashboardQuery.Load().Select(query => (query.Panel, query.Expression)));

    public static TheoryData<string, string> AlertExpressions => Cases(AlertRule.Load().Select(rule => (rule.Name, rule.Expression)));

    [Theory]
    [MemberData(nameof(DashboardQueries))]
    public async Task Dashboard_panel_query_is_accepted_by_prometheus(string panel, string expression)
    {
        var result = await prometheus.Server.QueryAsync(expression);

        Assert.True(result.IsSuccess, $"Panel '{panel}': '{expression}' was rejected: {result.ErrorType}: {result.Error}");
    }

    [Theory]
    [MemberData(nameof(AlertExpressions))]
    public async Task Alert_rule_expression_is_accepted_by_prometheus(string alert, string expression)
    {
        var result = await prometheus.Server.QueryAsync(expression);

        Assert.True(result.IsSuccess, $"Alert {alert}: '{expression}' was rejected: {result.ErrorType}: {result.Error}");
    }

    [Fact]
    public async Task A_malformed_expression_is_rejected_as_bad_data()
    {
        var result = await prometheus.Server.QueryAsync("sum by (queue (queue_size)");

        Assert.False(result.IsSuccess);
        Assert.Equal("bad_data", result.ErrorType);
    }

    [Fact]
    public async Task Prometheus_loads_every_alert_rule_and_evaluates_it_without_error()
    {
        var expected = AlertRule.Load().Select(rule => rule.Name).Order().ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<JsonElement> rules;
        do
        {
            await Task.Delay(500);
            rules = (await prometheus.Server.GetDataAsync("api/v1/rules?type=alert")).GetProperty("groups").EnumerateArray()
                .SelectMany(group => group.GetProperty("rules").EnumerateArray())
                .ToList();
        }
        while (rules.Any(rule => rule.GetProperty("health").GetString() == "unknown") && DateTime.UtcNow < deadline);

        Assert.Equal(expected, rules.Select(rule => rule.GetProperty("name").GetString()).Order());
        Assert.All(rules, rule => Assert.True(
            rule.GetProperty("health").GetString() == "ok",
            $"{rule.GetProperty("name")}: {rule.GetProperty("health")} {(rule.TryGetProperty("lastError", out var error) ? error : default)}"));
    }

    private static TheoryData<string, string> Cases(IEnumerable<(string Name, string Expression)> cases)
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, expression) in cases)
        {
            data.Add(name, expression);
        }
        return data;
    }
}
