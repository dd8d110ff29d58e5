using BotSystem.Contracts.Observability;

namespace Observability.Tests;

public sealed class AlertRuleTests
{
    private static readonly string[] RequiredAlerts =
    [
        "QueueBacklogHigh", "QueueOldestJobWaitingTooLong", "WebhookDeadLettersPresent", "WebhookCircuitOpen",
        "NoLiveWorkerForBotType", "BotErrorRateHigh", "ServiceDown", "ServiceErrorRateHigh", "SystemUnhealthy",
    ];

    [Fact]
    public void Alert_rules_cover_every_required_condition()
    {
        Assert.Equal(RequiredAlerts.Order(), AlertRule.Load().Select(rule => rule.Name).Order());
    }

    [Fact]
    public void Every_alert_rule_has_a_severity_a_summary_and_a_description()
    {
        Assert.All(AlertRule.Load(), rule =>
        {
            Assert.Contains(rule.Labels.GetValueOrDefault("severity"), (string[])["warning", "critical"]);
            Assert.False(string.IsNullOrWhiteSpace(rule.Annotations.GetValueOrDefault("summary")), $"{rule.Name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(rule.Annotations.GetValueOrDefault("description")), $"{rule.Name} has no description");
        });
    }

    [Fact]
    public void Every_alert_rule_is_tested_both_firing_and_not_firing()
    {
        var cases = DeployFiles.ReadYaml(DeployFiles.AlertRuleTests).GetProperty("tests").EnumerateArray()
            .SelectMany(test => test.GetProperty("alert_rule_test").EnumerateArray())
            .Select(check => (
                Alert: check.GetProperty("alertname").GetString(),
                Fires: check.TryGetProperty("exp_alerts", out var expected) && expected.GetArrayLength() > 0))
            .ToList();

        Assert.All(AlertRule.Load(), rule =>
        {
            Assert.True(cases.Contains((rule.Name, true)), $"No test case expects {rule.Name} to fire.");
            Assert.True(cases.Contains((rule.Name, false)), $"No test case expects {rule.Name} to stay quiet.");
        });
    }

    [Fact]
    public void Alert_rules_select_only_published_metric_names()
    {
        Assert.All(AlertRule.Load(), rule =>
            Assert.All(PromQlMetrics.In(rule.Expression), metric => Assert.Contains(metric, PublishedMetrics.Names)));
    }

    [Fact]
    public void Metric_name_extraction_finds_selected_metrics_and_ignores_functions_labels_and_keywords()
    {
        var names = PromQlMetrics.In(
            "sum by (bot_type) (rate(bot_executions_total{status!~\"completed|x\"}[10m])) / on (bot_type) group_left max(semaphore_usage) > 0.1 unless up");

        Assert.Equal(["bot_executions_total", "semaphore_usage", "up"], names.Order());
    }

    [Fact]
    public void Alert_rules_match_the_label_values_the_services_report()
    {
        var rules = AlertRule.Load().ToDictionary(rule => rule.Name, rule => rule.Expression);

        Assert.Contains($"state=~\"{MetricLabelValues.QueueWaiting}|{MetricLabelValues.QueuePrioritized}\"", rules["QueueBacklogHigh"]);
        Assert.Contains($"status!~\"{MetricLabelValues.ExecutionCompleted}|{MetricLabelValues.ExecutionCancelled}\"", rules["BotErrorRateHigh"]);
        Assert.Contains($"state=~\"{MetricLabelValues.WorkerReady}|{MetricLabelValues.WorkerProcessing}\"", rules["NoLiveWorkerForBotType"]);
        Assert.EndsWith($">= {MetricLabelValues.CircuitHalfOpen}", rules["WebhookCircuitOpen"]);
        Assert.EndsWith($">= {MetricLabelValues.SystemUnhealthy}", rules["SystemUnhealthy"]);
    }
}
