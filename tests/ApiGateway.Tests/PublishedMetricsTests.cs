namespace ApiGateway.Tests;

[Collection(nameof(FlowCollection))]
public sealed class PublishedMetricsTests(FlowSystem system)
{
    [Fact]
    public async Task Each_service_exposes_its_metrics_under_the_names_sres_know()
    {
        var jobId = await system.InvokeOkAsync(new { botType = "python", payload = new { durationMs = 10 }, webhookUrl = system.Webhook });
        await system.WaitForEndAsync(jobId);

        var gateway = await EventuallyScrapeAsync(system.GatewayUrl, samples => samples.Any(s => s.Name == "queue_size" && s.Labels["queue"] == "invocations" && s.Labels["state"] == "completed" && s.Value >= 1));
        Assert.Contains(gateway, s => s.Name == "queue_oldest_waiting_age_seconds" && s.Labels["queue"] == "bots-java");

        var orchestrator = await EventuallyScrapeAsync(system.Services.UrlOf("Orchestrator"), samples => samples.Any(s => s.Name == "semaphore_usage"));
        Assert.Equal(["java", "node", "python"], orchestrator.Where(s => s.Name == "semaphore_usage").Select(s => s.Labels["bot_type"]).Order());
        Assert.Contains(orchestrator, s => s.Name == "semaphore_waiting");

        var workers = await EventuallyScrapeAsync(system.Services.UrlOf("Workers"), samples => samples.Any(s => s.Name == "bot_executions_total"));
        Assert.Contains(workers, s => s.Name == "bot_executions_total" && s.Labels["bot_type"] == "python" && s.Labels["status"] == "completed");
        Assert.Contains(workers, s => s.Name == "bot_execution_duration_seconds_bucket" && s.Labels["bot_type"] == "python");
        Assert.Contains(workers, s => s.Name == "worker_state" && s.Labels["state"] is "READY" or "PROCESSING" && s.Value == 1);
        Assert.Contains(workers, s => s.Name == "worker_jobs_processed_total" && s.Labels["bot_type"] == "java");
    }

    private static async Task<IReadOnlyList<MetricSample>> EventuallyScrapeAsync(string baseUrl, Func<IReadOnlyList<MetricSample>, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IReadOnlyList<MetricSample> samples = [];
        while (DateTime.UtcNow < deadline)
        {
            samples = await PrometheusExposition.ScrapeAsync($"{baseUrl}/metrics");
            if (condition(samples))
            {
                return samples;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{baseUrl}/metrics never showed the expected series: {string.Join(", ", samples.Select(s => s.Name).Distinct())}");
    }
}
